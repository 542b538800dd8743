// SPDX-License-Identifier: MIT
#include "core/session.h"
#include "core/errcsv.h"
#include "core/focus.h"
#include "core/hammer.h"
#include "core/interleave.h"

void session_init(struct session *s, struct cell *cell_mem, unsigned cell_cap,
                  struct cell *known_mem, unsigned known_cap)
{
    *s = (struct session){ 0 };
    config_defaults(&s->cfg);
    sbuf_init(&s->problems, s->problems_buf, sizeof s->problems_buf);
    cells_init(&s->cells, cell_mem, cell_cap);
    cells_init(&s->known, known_mem, known_cap);
    fold_init(&s->fold, SESSION_MAX_ROWS);
    s->mce.cr4_mce = -1;
    s->hammer.last = -1;
    fmt_format(s->started, sizeof s->started, "unknown");
}

void session_carry(struct session *s, struct session_carry *c)
{
    s->carry = c;
    c->nrows = c->nsums = c->sums_merged = 0;
    s->fold.row_cap = SESSION_CARRY_ROWS;
}

/* A summary for the carry; when it is full, merged into the kept one whose
 * range lies nearest (a wider range, the same words). */
static void carry_sum(struct session_carry *c, const struct failsum *n)
{
    if (c->nsums < SESSION_CARRY_SUMS) {
        c->sums[c->nsums++] = *n;
        return;
    }
    unsigned best = 0;
    uint64_t best_gap = ~0ull;
    for (unsigned i = 0; i < c->nsums; i++) {
        const struct failsum *o = &c->sums[i];
        uint64_t gap = n->lo > o->hi ? n->lo - o->hi : o->lo > n->hi ? o->lo - n->hi : 0;
        if (gap < best_gap)
            best = i, best_gap = gap;
    }
    struct failsum *o = &c->sums[best];
    o->lo = n->lo < o->lo ? n->lo : o->lo;
    o->hi = n->hi > o->hi ? n->hi : o->hi;
    o->first_ms = n->first_ms < o->first_ms ? n->first_ms : o->first_ms;
    o->last_ms = n->last_ms > o->last_ms ? n->last_ms : o->last_ms;
    o->bits |= n->bits;
    o->words += n->words;
    o->flags |= n->flags;
    c->sums_merged++;
}

void session_config_problem(struct session *s, const char *msg)
{
    sbuf_printf(&s->problems, "  %s\n", msg);
}

void session_config_done(struct session *s)
{
    if (s->cfg.mode == CFG_MODE_STRESS && !s->cfg.tests_given)
        s->cfg.tests = 1u << 5;   /* stress default: the test that finds weak cells */
}

/* The id: the clock's digits and the entropy, unique enough per stick. */
void session_start(struct session *s, const char *started, unsigned entropy)
{
    fmt_format(s->started, sizeof s->started, "%s", started);
    char compact[20];
    size_t k = 0;
    for (const char *p = s->started; *p && k < sizeof compact - 1; p++)
        if (*p >= '0' && *p <= '9')
            compact[k++] = *p;
    compact[k] = 0;
    fmt_format(s->id, sizeof s->id, "%s-%04x", compact, entropy & 0xffff);
}

size_t session_csv_start(const struct session *s, int new_file, char *buf, size_t cap)
{
    size_t n = 0;
    if (new_file)
        n = fmt_format(buf, cap, "%s", ERRCSV_HEADER);
    if (n >= cap)
        return cap - 1;
    return n + errcsv_session_line(buf + n, cap - n, s->id, s->started);
}

unsigned session_focus(struct session *s, struct cell *scratch, unsigned cap)
{
    unsigned n = cells_sorted_copy(&s->known, scratch, cap);
    if (n)
        s->cfg.nranges = focus_ranges(scratch, n, s->cfg.focus_margin, s->cfg.granule, s->cfg.ranges,
                                      CONFIG_MAX_RANGES);
    return n;
}

static struct rep_test *rep_for(struct session *s, unsigned num)
{
    for (unsigned i = 0; i < s->nrt; i++)
        if (s->rt[i].num == num)
            return &s->rt[i];
    s->rt[s->nrt] = (struct rep_test){ .num = num };
    return &s->rt[s->nrt++];
}

int session_test_unavailable(struct session *s, const struct mt_test *t)
{
    struct rep_test *rep = rep_for(s, t->num);
    if (rep->skipped)
        return 0;
    rep->skipped = "not available in this version";
    return 1;
}

unsigned session_test_begin(struct session *s, const struct mt_test *t)
{
    unsigned iters = mt_iterations(t, s->cfg.quick, s->pass);
    rep_for(s, t->num);
    s->test = t;
    s->sweeps_total = t->sweeps(iters);
    s->skip = 0;
    return iters;
}

void session_test_end(struct session *s, const struct mt_test *t, uint64_t errors, uint64_t ms,
                      uint64_t moved, int aborted)
{
    struct rep_test *rep = rep_for(s, t->num);
    if (aborted && s->skip)
        rep->skipped_runs++;
    rep->runs++;
    rep->ms += ms;
    rep->bytes = s->test_bytes;
    rep->error_words += errors;
    s->bytes_moved += moved;
}

void session_test_swept(struct session *s, unsigned num, uint64_t bytes)
{
    rep_for(s, num)->bytes = bytes;
}

void session_test_dwell(struct session *s, unsigned num, uint64_t ms)
{
    rep_for(s, num)->dwell_ms += ms;
}

int session_more_passes(const struct session *s)
{
    if (s->stop)
        return 0;
    return s->cfg.mode == CFG_MODE_STRESS || s->cfg.passes == 0 || s->pass < s->cfg.passes;
}

void session_pass_end(struct session *s)
{
    if (!s->stop) {
        s->passes_done++;
        s->loops += s->cfg.mode == CFG_MODE_STRESS;
    }
    s->pass++;
}

void session_hammer_note(struct session *s, uint64_t victim, uint64_t a, uint64_t b, unsigned flags)
{
    (void)flags;
    struct session_hammer *h = &s->hammer;
    h->last = -1;
    for (unsigned i = 0; i < h->npairs; i++)
        if (h->pair[i].victim == victim && h->pair[i].a == a && h->pair[i].b == b)
            h->last = (int)i;
    if (h->last < 0 && h->npairs < SESSION_HAMMER_PAIRS) {
        h->pair[h->npairs] = (struct session_hammer_pair){ .victim = victim, .a = a, .b = b };
        h->last = (int)h->npairs++;
    } else if (h->last < 0) {
        h->dropped++;
    }
}

/* A word test 11 reports: counted by phase, and on the pair noted for it. */
static void hammer_word(struct session *s, uint64_t addr, uint64_t bits, unsigned flags)
{
    struct session_hammer *h = &s->hammer;
    int slow = (flags & FAILBIT_HAMMER_SLOW) != 0;
    if (slow)
        h->slow_words++;
    else
        h->fast_words++;
    if (h->last < 0 || h->pair[h->last].victim != addr)
        return;
    struct session_hammer_pair *p = &h->pair[h->last];
    p->bits |= bits;
    if (slow)
        p->slow++;
    else
        p->fast++;
}

unsigned session_take_error(struct session *s, unsigned cpu, uint64_t addr, uint64_t expected,
                            uint64_t actual, uint64_t time_ms, unsigned flags, int temp_c,
                            struct sbuf *csv, struct session_cell_news *news)
{
    uint32_t test = s->test ? s->test->num : 0;
    s->error_words++;
    if (flags & FAILBIT_HAMMER)
        hammer_word(s, addr, expected ^ actual, flags);
    /* Shed load when a ring made its CPU wait, and before the cell table
     * fills: a summary keeps place and count, and the cells cover it. */
    int room = s->cells.n < s->cells.cap / 2;
    int shed = (flags & FOLD_SHED) || !room;
    int row = fold_word(&s->fold, cpu, s->pass, test, time_ms, addr, expected, actual,
                        flags & FAILBIT_ADDR_UNCERTAIN, shed);
    if (!row && !room)
        return 0;
    struct failbit fb[64];
    unsigned n = failbit_split(addr, expected, actual, fb), nnews = 0;
    for (unsigned i = 0; i < n; i++) {
        fb[i].time_ms = time_ms;
        fb[i].pass = s->pass;
        fb[i].test = test;
        fb[i].cpu = cpu;
        fb[i].temp_c = temp_c;
        fb[i].flags = flags & (FAILBIT_ADDR_UNCERTAIN | FAILBIT_HAMMER | FAILBIT_HAMMER_SLOW);
    }
    if (row) {
        for (unsigned i = 0; i < n; i++) {
            if (s->carry && s->carry->nrows < SESSION_CARRY_ROWS)
                s->carry->rows[s->carry->nrows++] = fb[i];
            if (!csv)
                continue;
            char line[128];
            size_t len = errcsv_format(line, sizeof line, &fb[i]);
            line[len < sizeof line ? len : sizeof line - 1] = 0;
            sbuf_puts(csv, line);
        }
        fold_rows_written(&s->fold, n, 1);
        s->error_rows += n;
    }
    if (!room)
        return 0;
    for (unsigned i = 0; i < n; i++) {
        if (cells_add(&s->cells, &fb[i]) != 1)
            continue;
        int reseen = cells_find(&s->known, fb[i].addr, fb[i].bit) != 0;
        if (reseen) {
            s->reseen_cells++;
        } else {
            s->new_cells++;
            s->last_new = fb[i];
            s->have_last_new = 1;
        }
        news[nnews++] = (struct session_cell_news){ .fb = fb[i], .reseen = reseen };
    }
    return nnews;
}

unsigned session_take_summaries(struct session *s, struct sbuf *csv, uint64_t *words,
                                void (*new_cell)(void *ctx, const struct failbit *fb), void *ctx)
{
    const struct failsum *sum;
    unsigned n = fold_take_closed(&s->fold, &sum);
    *words = 0;
    for (unsigned i = 0; i < n; i++) {
        if (csv) {
            char line[200];
            size_t len = errcsv_summary_line(line, sizeof line, &sum[i]);
            line[len < sizeof line ? len : sizeof line - 1] = 0;
            sbuf_puts(csv, line);
        }
        if (s->carry)
            carry_sum(s->carry, &sum[i]);
        *words += sum[i].words;
        uint64_t cur = 0;
        struct failbit r;
        while (fold_cover_next(&sum[i], &cur, &r))
            if (!cells_find(&s->cells, r.addr, r.bit) && cells_add(&s->cells, &r) == 1 && new_cell)
                new_cell(ctx, &r);
    }
    return n;
}

void session_write_failed(struct session *s, uint64_t row_words, uint64_t rows, unsigned nsum,
                          uint64_t sum_words)
{
    fold_rows_lost(&s->fold, row_words, rows);
    fold_summaries_lost(&s->fold, nsum, sum_words);
    s->rows_unlogged += rows;
}

/* The event row this report joins (same CPU, bank, code, kind, address). */
static void mce_event_row(struct session_mce *m, unsigned cpu, const struct mce_event *e, uint64_t time_ms)
{
    uint64_t key = e->why == MCE_ADDR_PHYS ? e->phys : e->addr;
    for (unsigned i = 0; i < m->nev; i++) {
        struct session_mce_event *r = &m->ev[i];
        if (r->cpu == cpu && r->bank == e->bank && (uint16_t)r->status == (uint16_t)e->status &&
            (r->status & MCE_STATUS_UC) == (e->status & MCE_STATUS_UC) && r->why == e->why && r->addr == key) {
            r->count++;
            r->last_ms = time_ms;
            return;
        }
    }
    if (m->nev == SESSION_MCE_EVENTS) {
        m->dropped++;
        return;
    }
    m->ev[m->nev++] = (struct session_mce_event){ .cpu = cpu, .bank = e->bank, .count = 1, .status = e->status,
                                                  .addr = key, .misc = e->misc, .first_ms = time_ms,
                                                  .last_ms = time_ms, .why = (uint8_t)e->why,
                                                  .umc = (uint8_t)e->amd_umc };
}

unsigned session_take_mce(struct session *s, unsigned cpu, unsigned bank, uint64_t status, uint64_t addr,
                          uint64_t misc, int amd_umc, uint64_t time_ms, int temp_c, struct sbuf *csv,
                          struct session_cell_news *news, struct mce_event *ev)
{
    struct mce_event e = { 0 };
    int memory = mce_decode(bank, status, addr, misc, amd_umc, &e);
    if (ev)
        *ev = e;
    if (!memory)
        return 0;
    struct session_mce *m = &s->mce;
    if (e.uc)
        m->uncorrected++;
    else
        m->corrected++;
    mce_event_row(m, cpu, &e, time_ms);
    if (e.why != MCE_ADDR_PHYS) {
        if (csv) {
            char line[240];
            size_t len = errcsv_ecc_line(line, sizeof line, time_ms, cpu, bank, status, e.addr, e.misc,
                                         mce_noaddr_text(e.why));
            line[len < sizeof line ? len : sizeof line - 1] = 0;
            sbuf_puts(csv, line);
        }
        return 0;
    }
    /* A cell like any other, at the reported word; which bit is unknown. */
    struct failbit fb = { .time_ms = time_ms, .pass = s->pass, .test = s->test ? s->test->num : 0, .cpu = cpu,
                          .addr = e.phys & ~7ull, .bit = 0, .temp_c = temp_c, .flags = FAILBIT_ECC };
    m->masked++;
    if (s->carry && s->carry->nrows < SESSION_CARRY_ROWS)
        s->carry->rows[s->carry->nrows++] = fb;
    if (csv) {
        char line[128];
        size_t len = errcsv_format(line, sizeof line, &fb);
        line[len < sizeof line ? len : sizeof line - 1] = 0;
        sbuf_puts(csv, line);
    }
    if (cells_add(&s->cells, &fb) != 1)
        return 0;
    int reseen = cells_find(&s->known, fb.addr, fb.bit) != 0;
    if (reseen) {
        s->reseen_cells++;
    } else {
        s->new_cells++;
        s->last_new = fb;
        s->have_last_new = 1;
    }
    news[0] = (struct session_cell_news){ .fb = fb, .reseen = reseen };
    return 1;
}

void session_mce_lines(const struct session *s, struct sbuf *sb)
{
    const struct session_mce *m = &s->mce;
    if (m->state == SESSION_MCE_OFF)
        sbuf_printf(sb, "ECC/machine check: polling off (ecc=off); %llu corrected, %llu uncorrected\n",
                    (unsigned long long)m->corrected, (unsigned long long)m->uncorrected);
    else
        sbuf_printf(sb, "ECC/machine check: polling %u bank%s on %u CPU%s; %llu corrected, %llu uncorrected\n",
                    m->banks, m->banks == 1 ? "" : "s", m->cpus, m->cpus == 1 ? "" : "s",
                    (unsigned long long)m->corrected, (unsigned long long)m->uncorrected);
    if (m->state != SESSION_MCE_OFF && !m->banks)
        sbuf_puts(sb, "  no machine-check banks to poll (CPUID: no MCE/MCA, or MCG_CAP lists none): "
                      "corrected errors cannot be seen on this machine\n");
    if (m->cr4_mce == 2)
        sbuf_puts(sb, "  CR4.MCE set by weakbit (full coverage): an uncorrected error raises #MC, which logs it and "
                      "ends the run with a checkpoint\n");
    else if (m->cr4_mce >= 0)
        sbuf_printf(sb, "  CR4.MCE %s by the firmware: %s\n", m->cr4_mce ? "set" : "clear",
                    m->cr4_mce ? "an uncorrected error raises #MC in the firmware's handler (the run may end there)"
                               : "an uncorrected error shuts the machine down");
    if (m->ended_by_mc)
        sbuf_puts(sb, "  the run was ended by a machine check (#MC): an uncorrected error, logged below\n");
    for (unsigned i = 0; i < m->nev; i++) {
        const struct session_mce_event *e = &m->ev[i];
        int uc = (e->status & MCE_STATUS_UC) != 0;
        sbuf_printf(sb, "  cpu %u bank %u: %s memory error, MCACOD 0x%04x, status 0x%016llx, %u time%s, first at "
                    "%llu.%03llu s: ", e->cpu, e->bank, uc ? "uncorrected" : "corrected", (unsigned)(uint16_t)e->status,
                    (unsigned long long)e->status, e->count, e->count == 1 ? "" : "s",
                    (unsigned long long)(e->first_ms / 1000), (unsigned long long)(e->first_ms % 1000));
        if (e->why == MCE_ADDR_PHYS)
            sbuf_printf(sb, "address 0x%llx (physical, valid from bit %u): an ecc cell, masked\n",
                        (unsigned long long)e->addr, (unsigned)(e->misc & 63));
        else
            sbuf_printf(sb, "NOT masked: %s%s\n", mce_noaddr_text((enum mce_noaddr)e->why), e->umc ? " (AMD UMC bank)" : "");
    }
    if (m->dropped)
        sbuf_printf(sb, "  %llu more event%s not listed (counted above)\n", (unsigned long long)m->dropped,
                    m->dropped == 1 ? "" : "s");
    if (m->masked)
        sbuf_puts(sb, "  ecc cells: the controller reported the word, not the bit (shown as bit ?); masked like "
                      "any cell\n");
}

void session_rows_lost(struct session *s, uint64_t rows)
{
    s->rows_unlogged += rows;
}

void session_news_line(const struct session *s, const struct session_cell_news *n, char *buf,
                       size_t cap)
{
    (void)s;
    char t[16];
    failbit_temp_text(n->fb.temp_c, t, sizeof t);
    fmt_format(buf, cap, "%s cell 0x%llx bit %u test %u pass %u cpu %u temp %s",
               n->reseen ? "re-seen" : "new", (unsigned long long)n->fb.addr, n->fb.bit, n->fb.test,
               n->fb.pass + 1, n->fb.cpu, t);
}

void session_lines(const struct session *s, const char *temp_source, struct sbuf *sb)
{
    sbuf_printf(sb, "session:   %s; earlier sessions on this volume: %u (%llu rows, %u cells)\n", s->id,
                s->hist.sessions, (unsigned long long)s->hist.rows, s->known.n);
    sbuf_printf(sb, "temperature source: %s\n", temp_source);
    if (s->cfg.mode == CFG_MODE_STRESS)
        sbuf_printf(sb, "stress:    %u loop%s completed, duration %llu s%s\n", s->loops,
                    s->loops == 1 ? "" : "s", (unsigned long long)s->cfg.duration_s,
                    s->cfg.focus_cells ? ", focus=cells" : "");
    for (int reseen = 0; reseen < 2; reseen++) {
        uint64_t count = reseen ? s->reseen_cells : s->new_cells;
        sbuf_printf(sb, "%s: %llu\n", reseen ? "re-seen cells (recorded by an earlier session)"
                                             : "new cells this session",
                    (unsigned long long)count);
        unsigned shown = 0;
        for (unsigned i = 0; i < s->cells.cap && shown < 64; i++) {
            const struct cell *c = &s->cells.slot[i];
            if (!c->used || !cells_find(&s->known, c->addr, c->bit) != !reseen)
                continue;
            if (c->tests == 1u << CELLS_ECC_TEST)
                sbuf_printf(sb, "  0x%llx bit ? (ecc), first seen at %llu.%03llu s\n", (unsigned long long)c->addr,
                            (unsigned long long)(c->first_ms / 1000), (unsigned long long)(c->first_ms % 1000));
            else
            sbuf_printf(sb, "  0x%llx bit %u, first seen at %llu.%03llu s\n", (unsigned long long)c->addr,
                        c->bit, (unsigned long long)(c->first_ms / 1000),
                        (unsigned long long)(c->first_ms % 1000));
            shown++;
        }
    }
}

void session_hammer_lines(const struct session *s, struct sbuf *sb)
{
    const struct session_hammer *h = &s->hammer;
    if (!h->fast_words && !h->slow_words)
        return;
    struct il_model il;
    int have = s->cfg.interleave[0] && !il_parse(&il, s->cfg.interleave, str_len(s->cfg.interleave));
    struct hammer_geom g;
    hammer_geom_init(&g, have ? &il : 0, s->cfg.hammer_rowshift ? s->cfg.hammer_rowshift : HAMMER_DEFAULT_ROWSHIFT);
    sbuf_printf(sb, "row hammer (test 11): %llu word%s flipped at the highest rate (phase 1), %llu at the "
                "realistic rate (phase 2, at most 200K activations per aggressor per 64 ms): %s\n",
                (unsigned long long)h->fast_words, h->fast_words == 1 ? "" : "s",
                (unsigned long long)h->slow_words,
                h->slow_words ? "ERROR: flips at the realistic rate"
                              : "warning: flips only above the realistic rate");
    for (unsigned i = 0; i < h->npairs; i++) {
        const struct session_hammer_pair *p = &h->pair[i];
        sbuf_printf(sb, "  0x%llx bits 0x%llx (victim row 0x%llx, bank %u): phase 1 %ux, phase 2 %ux: %s; "
                    "aggressors 0x%llx (row 0x%llx) and 0x%llx (row 0x%llx)\n",
                    (unsigned long long)p->victim, (unsigned long long)p->bits,
                    (unsigned long long)hammer_row(&g, p->victim), hammer_bank(&g, p->victim), p->fast, p->slow,
                    p->slow ? "error" : "warning, only above the realistic rate",
                    (unsigned long long)p->a, (unsigned long long)hammer_row(&g, p->a),
                    (unsigned long long)p->b, (unsigned long long)hammer_row(&g, p->b));
    }
    if (h->dropped)
        sbuf_printf(sb, "  ... and %llu more pairs (their words are counted above)\n", (unsigned long long)h->dropped);
}

void session_finish(struct session *s, const struct session_platform *pf, struct session_out *o)
{
    struct sbuf lines, ecc;
    sbuf_init(&lines, o->lines, sizeof o->lines);
    session_lines(s, pf->temp_source, &lines);
    sbuf_init(&ecc, o->ecc, sizeof o->ecc);
    session_mce_lines(s, &ecc);
    struct sbuf ham;
    sbuf_init(&ham, o->hammer, sizeof o->hammer);
    session_hammer_lines(s, &ham);

    if (pf->tsc_note)
        sbuf_printf(&lines, "tsc: %s\n", pf->tsc_note);

    unsigned ncell = cells_sorted_copy(&s->cells, o->sorted, o->cap_cells);
    struct badram_req req = { s->cfg.granule, s->cfg.max_pairs, cover_limit(s->plan.ram_top),
                              s->cfg.interleave, o->gran, o->pairs, o->cap_gran,
                              s->handed.gran, s->handed.ngran };
    badram_from_cells(&o->set, o->sorted, ncell, &req, NULL, BADRAM_ALL);
    /* badram.txt's line covers every cell any session here recorded: one
     * missed today keeps the mask an earlier session gave it. */
    o->all = o->set;
    o->sessions = s->hist.sessions + 1;
    if (o->all_mem && o->all_sorted) {
        struct cell_table all;
        cells_init(&all, o->all_mem, o->cap_all);
        cells_merge(&all, &s->known);
        cells_merge(&all, &s->cells);
        unsigned na = cells_sorted_copy(&all, o->all_sorted, o->cap_all);
        struct badram_req areq = req;
        areq.gran = o->all_gran;
        areq.pairs = o->all_pairs;
        badram_from_cells(&o->all, o->all_sorted, na, &areq, NULL, BADRAM_ALL);
    }
    int il = s->cfg.interleave[0] && !il_parse(&o->il, s->cfg.interleave, str_len(s->cfg.interleave));
    /* A platform without the kernels' own count (a run handed over from
     * after ExitBootServices): the words the session took. */
    uint64_t counted = pf->counted ? pf->counted : s->error_words;
    /* Tested means swept: the most any test covered (its first sweep fills
     * every range, so a complete run covers the whole plan). */
    uint64_t swept = 0;
    for (unsigned i = 0; i < s->nrt; i++)
        if (!s->rt[i].skipped && s->rt[i].bytes > swept)
            swept = s->rt[i].bytes;

    o->in = (struct report_in){
        .started = s->started, .firmware = pf->firmware, .serial_route = pf->serial_route,
        .cpus_used = pf->cpus_used, .cpus_found = pf->cpus_found, .cpu_note = pf->cpu_note,
        .cpu_lines = pf->cpu_lines, .session_lines = o->lines, .dimm_lines = pf->dimm_lines,
        .plan = &s->plan, .cfg = &s->cfg, .config_problems = s->problems_buf,
        .tests = s->rt, .ntests = s->nrt, .total_ms = pf->total_ms, .passes_done = s->passes_done,
        .stopped_by_user = s->user_stop, .error_words = s->error_words, .error_rows = s->error_rows,
        .rows_unlogged = s->rows_unlogged, .cells = o->sorted, .ncells = ncell,
        .counted = counted, .swept = swept, .written = s->fold.acct.row_words,
        .summarised = s->fold.acct.summarised, .summaries = s->fold.acct.summaries,
        .lost = fold_lost(&s->fold.acct, counted), .late = pf->late,
        .handed_over = s->handed.on,
        .cells_beyond = s->handed.cells_total > ncell ? s->handed.cells_total - ncell : 0,
        .gran_widened = s->handed.gran_widened,
        .cells_dropped = s->cells.dropped + (s->cells.n > ncell ? s->cells.n - ncell : 0),
        .files_note = pf->files_note, .badram = &o->all, .il = il ? &o->il : 0,
        .coverage = pf->coverage, .coverage_lines = pf->coverage_lines,
        .ecc_lines = o->ecc, .ecc_events = s->mce.corrected + s->mce.uncorrected,
        .hammer_lines = o->hammer, .hammer_fast_words = s->hammer.fast_words,
    };
}

void session_badram_text(const struct session_out *o, struct sbuf *sb)
{
    if (o->all_mem)
        badram_render_cumulative(sb, &o->all, &o->set, o->sessions);
    else
        badram_render(sb, &o->set);
}

void session_report_text(const struct session_out *o, struct sbuf *sb)
{
    report_render(sb, &o->in);
}

void session_summary_text(const struct session_out *o, struct sbuf *sb)
{
    report_summary(sb, &o->in);
}
