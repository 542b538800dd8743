// SPDX-License-Identifier: MIT
#include "core/report.h"
#include "core/prng.h"
#include "core/kernels/catalog.h"
#include "core/kernels/movinv.h"

#define SEED_PATTERNS 4

static void secs(char *buf, size_t cap, uint64_t ms)
{
    fmt_format(buf, cap, "%llu.%01llu s", (unsigned long long)(ms / 1000),
               (unsigned long long)(ms % 1000 / 100));
}

/* "tested X of Y MiB (Z %)": the share of all RAM, not of free RAM; what
 * was swept (t), not what was planned. */
static void share(struct sbuf *sb, const struct mem_plan *p, uint64_t t)
{
    uint64_t all = p->ram_total;
    uint64_t pm = all ? t * 1000 / all : 0;   /* per mille, for one decimal */
    sbuf_printf(sb, "tested %llu of %llu MiB (%llu.%llu %%)", (unsigned long long)(t >> 20),
                (unsigned long long)(all >> 20), (unsigned long long)(pm / 10),
                (unsigned long long)(pm % 10));
}

/* Swept bytes: the plan when every test ran to its end. */
static uint64_t tested_bytes(const struct report_in *in)
{
    uint64_t plan = memplan_test_bytes(in->plan);
    return in->swept < plan ? in->swept : plan;
}

static void result_line(struct sbuf *sb, const struct report_in *in)
{
    /* Flips that need more than 200K activations per 64 ms are no fault of
     * a module in normal use: a warning (PassMark's rule for its test 13). */
    int fail = in->error_words > in->hammer_fast_words || in->ecc_events;
    const char *verdict = fail ? "FAIL" : in->error_words ? "WARNING" : in->stopped_by_user ? "INCOMPLETE" : "PASS";
    char t[32], b[32];
    secs(t, sizeof t, in->total_ms);
    uint64_t swept = tested_bytes(in);
    fmt_size(b, sizeof b, swept);
    uint64_t cells = in->ncells + in->cells_beyond;
    sbuf_printf(sb, "result: %s: %llu error%s, %llu weak cell%s, %u pass%s over %s in %s, ",
                verdict, (unsigned long long)in->error_words, in->error_words == 1 ? "" : "s",
                (unsigned long long)cells, cells == 1 ? "" : "s", in->passes_done,
                in->passes_done == 1 ? "" : "es", b, t);
    share(sb, in->plan, swept);
    sbuf_printf(sb, "%s%s", in->coverage ? ", coverage " : "", in->coverage ? in->coverage : "");
    if (in->ecc_events)
        sbuf_printf(sb, ", %llu ECC event%s", (unsigned long long)in->ecc_events, in->ecc_events == 1 ? "" : "s");
    sbuf_puts(sb, "\n");
}

static int ecc_only(const struct cell *c)
{
    return c->tests == 1u << CELLS_ECC_TEST;
}

/* "bit 5", or "bit ?" for a cell only a machine-check bank reported. */
static void bit_text(const struct cell *c, char *buf, size_t cap)
{
    if (ecc_only(c))
        fmt_format(buf, cap, "?");
    else
        fmt_format(buf, cap, "%u", c->bit);
}

/* The accounting that shows no failing word went missing. */
static void accounting_line(struct sbuf *sb, const struct report_in *in)
{
    sbuf_printf(sb, "errors: %llu counted, %llu rows written (%llu errors), %llu summarised (%llu record%s), %llu lost\n",
                (unsigned long long)in->counted, (unsigned long long)in->error_rows - in->rows_unlogged,
                (unsigned long long)in->written, (unsigned long long)in->summarised,
                (unsigned long long)in->summaries, in->summaries == 1 ? "" : "s",
                (unsigned long long)in->lost);
}

void report_summary(struct sbuf *sb, const struct report_in *in)
{
    result_line(sb, in);
    accounting_line(sb, in);
    if (in->ecc_lines)
        sbuf_puts(sb, in->ecc_lines);
    if (in->hammer_lines)
        sbuf_puts(sb, in->hammer_lines);
    for (unsigned i = 0; i < in->ncells && i < 8; i++) {
        char bt[8];
        bit_text(&in->cells[i], bt, sizeof bt);
        sbuf_printf(sb, "  weak cell 0x%llx bit %s: %u error%s%s\n",
                    (unsigned long long)in->cells[i].addr, bt,
                    in->cells[i].count, in->cells[i].count == 1 ? "" : "s",
                    in->cells[i].tests >> CELLS_ECC_TEST & 1 ? " (ecc)" : "");
    }
    if (in->ncells > 8)
        sbuf_printf(sb, "  ... %u more in report.txt\n", in->ncells - 8);
}

void report_seed_line(struct sbuf *sb, uint64_t seed, unsigned n)
{
    /* The same derivation as the scheduler's: cpu 0, pass 0, test 5. */
    uint64_t state = prng_seed(seed, 0, 0, 5);
    sbuf_printf(sb, "seed:      0x%016llx (seed=0x%llx replays); test 5 patterns, pass 1, cpu 0:",
                (unsigned long long)seed, (unsigned long long)seed);
    for (unsigned i = 0; i < n; i++)
        sbuf_printf(sb, " 0x%016llx", (unsigned long long)movinv_random_next(&state));
    sbuf_puts(sb, "\n");
}

static void range_line(struct sbuf *sb, uint64_t base, uint64_t len, const char *why)
{
    char s[32];
    fmt_size(s, sizeof s, len);
    sbuf_printf(sb, "  0x%012llx-0x%012llx %10s%s%s\n", (unsigned long long)base,
                (unsigned long long)(base + len), s, why ? "  " : "", why ? why : "");
}

void report_render(struct sbuf *sb, const struct report_in *in)
{
    const struct mem_plan *p = in->plan;
    const struct wb_config *c = in->cfg;
    char a[32], b[32], d[32];

    sbuf_puts(sb, "weakbit memory test report\n\n");
    sbuf_printf(sb, "started:   %s (firmware clock)\n", in->started);
    sbuf_printf(sb, "firmware:  %s\n", in->firmware);
    sbuf_printf(sb, "serial:    %s\n", in->serial_route);
    sbuf_printf(sb, "cpus:      %u used of %u%s%s\n", in->cpus_used, in->cpus_found,
                in->cpu_note ? " - " : "", in->cpu_note ? in->cpu_note : "");
    if (in->cpu_lines)
        sbuf_puts(sb, in->cpu_lines);
    if (in->session_lines)
        sbuf_puts(sb, in->session_lines);
    if (c->seed)
        report_seed_line(sb, c->seed, SEED_PATTERNS);
    else
        sbuf_puts(sb, "seed:      not recorded\n");
    result_line(sb, in);
    if (in->coverage_lines)
        sbuf_puts(sb, in->coverage_lines);

    sbuf_puts(sb, "\nmemory\n");
    fmt_size(a, sizeof a, p->ram_total);
    fmt_size(b, sizeof b, p->free_total);
    fmt_size(d, sizeof d, memplan_test_bytes(p));
    sbuf_printf(sb, "  total RAM %s, free at start %s, tested %s (%llu bytes) in %u range%s\n", a, b,
                d, (unsigned long long)memplan_test_bytes(p), p->ntest, p->ntest == 1 ? "" : "s");
    sbuf_puts(sb, "  ");
    share(sb, p, memplan_test_bytes(p));
    sbuf_printf(sb, "; total RAM counts reserved DRAM too (%llu bytes)\n",
                (unsigned long long)p->ram_total);
    if (tested_bytes(in) < memplan_test_bytes(p))
        sbuf_printf(sb, "  stopped before a first complete sweep: %llu of the planned %llu bytes were swept\n",
                    (unsigned long long)tested_bytes(in), (unsigned long long)memplan_test_bytes(p));
    if (!in->coverage || !str_eq(in->coverage, "full")) {
        fmt_size(a, sizeof a, c->reserve);
        sbuf_printf(sb, "  reserve for firmware and file I/O: %s (reserve=)\n", a);
        sbuf_puts(sb, "  RAM left out, by owner or reason (with the tested bytes it adds up to the total):\n");
        uint64_t sum = memplan_test_bytes(p);
        for (unsigned r = 0; r < PLAN_REASONS; r++) {
            sum += p->by_reason[r];
            if (!p->by_reason[r])
                continue;
            fmt_size(a, sizeof a, p->by_reason[r]);
            sbuf_printf(sb, "    %-52s %10s (%llu bytes)\n", memplan_reason(r), a,
                        (unsigned long long)p->by_reason[r]);
        }
        if (sum != p->ram_total)
            sbuf_printf(sb, "    unaccounted: %lld bytes (a bug: please report it)\n",
                        (long long)(p->ram_total - sum));
    }
    sbuf_puts(sb, "tested ranges:\n");
    for (unsigned i = 0; i < p->ntest; i++)
        range_line(sb, p->test[i].base, p->test[i].len, 0);
    sbuf_puts(sb, "RAM left out:\n");
    if (!p->nexcl && in->coverage && str_eq(in->coverage, "full"))
        sbuf_puts(sb, "  see \"RAM left out\" under coverage above\n");
    else if (!p->nexcl)
        sbuf_puts(sb, "  none\n");
    for (unsigned i = 0; i < p->nexcl; i++)
        range_line(sb, p->excl[i].base, p->excl[i].len, memplan_reason(p->excl[i].reason));
    if (p->excl_lost) {
        fmt_size(a, sizeof a, p->excl_lost);
        sbuf_printf(sb, "  and %u more regions (%s) not listed: limit of %u listed regions (PLAN_MAX_EXCL); "
                    "they are in the sums above\n", p->excl_unlisted, a, PLAN_MAX_EXCL);
    }

    if (in->dimm_lines)
        sbuf_printf(sb, "\n%s", in->dimm_lines);

    sbuf_puts(sb, "\nconfiguration\n");
    config_tests_str(c->tests, a, sizeof a);
    fmt_size(b, sizeof b, c->granule);
    sbuf_printf(sb, "  tests=%s passes=%u quick=%d granule=%s on_finish=%s\n", a, c->passes, c->quick, b,
                c->on_finish == CFG_FINISH_SHUTDOWN ? "shutdown"
                : c->on_finish == CFG_FINISH_REBOOT ? "reboot" : "wait");
    if (c->bitfade_set)
        fmt_format(d, sizeof d, "%llus", (unsigned long long)(c->bitfade_ms / 1000));
    sbuf_printf(sb, "  hold_ms=%llu seed=0x%llx bitfade_sleep=%s\n", (unsigned long long)c->hold_ms,
                (unsigned long long)c->seed, c->bitfade_set ? d : "240s (80s on a quick first pass)");
    if (c->nranges)
        for (unsigned i = 0; i < c->nranges; i++)
            sbuf_printf(sb, "  range=0x%llx-0x%llx\n", (unsigned long long)c->ranges[i].base,
                        (unsigned long long)(c->ranges[i].base + c->ranges[i].len));
    if (in->config_problems && in->config_problems[0])
        sbuf_printf(sb, "config problems (defaults used):\n%s", in->config_problems);

    sbuf_puts(sb, "\ntests\n");
    for (unsigned i = 0; i < in->ntests; i++) {
        const struct rep_test *t = &in->tests[i];
        const struct mt_test *mt = mt_find(t->num);
        if (t->skipped) {
            sbuf_printf(sb, "  test %2u %-36s skipped: %s\n", t->num, mt ? mt->name : "?", t->skipped);
            continue;
        }
        secs(a, sizeof a, t->ms);
        fmt_size(b, sizeof b, t->bytes);
        secs(d, sizeof d, t->dwell_ms);
        sbuf_printf(sb, "  test %2u %-36s runs %u  time %s  bytes %s  errors %llu  dwell %s%s\n", t->num,
                    mt ? mt->name : "?", t->runs, a, b, (unsigned long long)t->error_words, d,
                    t->skipped_runs ? "  (skipped by user in some runs)" : "");
    }
    if (in->stopped_by_user)
        sbuf_puts(sb, "  stopped early by the user (Esc)\n");

    sbuf_puts(sb, "\nerrors\n");
    sbuf_puts(sb, "  ");
    accounting_line(sb, in);
    if (in->ecc_lines)
        sbuf_puts(sb, in->ecc_lines);
    if (in->hammer_lines)
        sbuf_puts(sb, in->hammer_lines);
    sbuf_printf(sb, "  %llu word%s read back wrong, %llu failing-bit rows in errors.csv\n",
                (unsigned long long)in->error_words, in->error_words == 1 ? "" : "s",
                (unsigned long long)in->error_rows - in->rows_unlogged);
    if (in->summaries)
        sbuf_puts(sb, "  summarised errors are \"# summary\" lines in errors.csv (cpu, test, address range, "
                      "bits, count): past the row cap, or when a CPU's error ring had to shed load\n");
    if (in->rows_unlogged)
        sbuf_printf(sb, "  %llu rows NOT written to errors.csv (file error)\n",
                    (unsigned long long)in->rows_unlogged);
    if (in->late)
        sbuf_printf(sb, "  %llu error%s reported by fenced CPUs after their deadline: ignored\n",
                    (unsigned long long)in->late, in->late == 1 ? "" : "s");
    if (in->cells_dropped)
        sbuf_printf(sb, "  %llu rows did not fit the cell table (cells below are incomplete)\n",
                    (unsigned long long)in->cells_dropped);
    if (in->handed_over)
        sbuf_printf(sb, "  handed over after ExitBootServices: rows, summary records, %u cell%s with their counts "
                        "and every bad granule; %llu more cell%s lie in summary ranges (not listed below, "
                        "covered by badram.txt)\n",
                    in->ncells, in->ncells == 1 ? "" : "s", (unsigned long long)in->cells_beyond,
                    in->cells_beyond == 1 ? "" : "s");
    if (in->gran_widened)
        sbuf_printf(sb, "  bad granules merged to fit the hand-off record: %llu bytes of good memory between "
                        "them are masked too\n", (unsigned long long)in->gran_widened);
    if (in->files_note)
        sbuf_printf(sb, "  %s\n", in->files_note);

    if (in->badram) {
        const struct badram_set *b = in->badram;
        char g[32], m[32];
        fmt_size(g, sizeof g, b->granule);
        fmt_size(m, sizeof m, b->stats.covered_bytes);
        sbuf_puts(sb, "\nbadram (badram.txt)\n");
        sbuf_printf(sb, "  %u bad %s granule%s -> %u (addr, mask) pair%s (budget %u)\n", b->ngran, g,
                    b->ngran == 1 ? "" : "s", b->npairs, b->npairs == 1 ? "" : "s", b->stats.budget);
        sbuf_printf(sb, "  masked: %s (%llu bytes), of which good memory given up: %llu bytes\n", m,
                    (unsigned long long)b->stats.covered_bytes,
                    (unsigned long long)b->stats.extra_bytes);
        sbuf_printf(sb, "  cells seen only by address tests or block move (address uncertain): %u, not masked%s\n",
                    b->unconfirmed,
                    b->unconfirmed && !b->ngran ? " - possible address-decoder fault: replace the module" : "");
    }

    int il = in->il && in->il->nf;
    if (il && in->ncells)
        il_summary(sb, in->il, in->cells, in->ncells);

    sbuf_printf(sb, "\ncells (%u)\n", in->ncells);
    if (in->ncells)
        sbuf_printf(sb, "  phys_addr            bit  count  first_s    last_s     tests%s\n",
                    il ? "      module" : "");
    for (unsigned i = 0; i < in->ncells; i++) {
        const struct cell *e = &in->cells[i];
        char f[24], l[24];
        secs(f, sizeof f, e->first_ms);
        secs(l, sizeof l, e->last_ms);
        struct sbuf tl;
        char tb[48];
        sbuf_init(&tl, tb, sizeof tb);
        for (unsigned t = 0; t <= MT_MAX_TEST; t++)
            if (e->tests >> t & 1)
                sbuf_printf(&tl, tl.len ? ",%u" : "%u", t);
        if (e->tests >> CELLS_ECC_TEST & 1)
            sbuf_puts(&tl, tl.len ? ",ecc" : "ecc");
        char bt[8];
        bit_text(e, bt, sizeof bt);
        char mod[48] = "";
        if (il)
            il_label(in->il, e->addr, mod, sizeof mod);
        sbuf_printf(sb, "  0x%016llx  %3s  %5u  %-9s  %-9s  %-10s %s\n", (unsigned long long)e->addr,
                    bt, e->count, f, l, tb, mod);
    }
}

void report_cpu_line(struct sbuf *sb, unsigned slot, const struct sched_cpu *c, uint64_t busy_ms,
                    const char *id_name, const char *role)
{
    sbuf_printf(sb, "  cpu %u: bytes %llu time %llu.%03llu s (%s %u%s%s%s)\n", slot, (unsigned long long)c->bytes,
                (unsigned long long)(busy_ms / 1000), (unsigned long long)(busy_ms % 1000), id_name, c->id,
                role ? ", " : "", role ? role : "", c->fenced ? ", missed its deadline: fenced off" : "");
    if (!c->fenced)
        return;
    sbuf_printf(sb, "    stopped afterwards %u time%s (chunk re-tested on cpu 0); not re-tested: %llu bytes "
                "(it never stopped); late errors ignored: %llu", c->parked, c->parked == 1 ? "" : "s",
                (unsigned long long)c->unretested, (unsigned long long)c->late);
    if (c->forced)
        sbuf_printf(sb, "; stopped by force %u time%s (chunk re-tested on cpu 0)", c->forced,
                    c->forced == 1 ? "" : "s");
    sbuf_printf(sb, "\n");
}

void report_cpu_total(struct sbuf *sb, uint64_t bytes, uint64_t busy_ms, const struct sched_tally *y)
{
    sbuf_printf(sb, "  total: bytes %llu time %llu.%03llu s\n", (unsigned long long)bytes,
                (unsigned long long)(busy_ms / 1000), (unsigned long long)(busy_ms % 1000));
    if (y->refused || y->late || y->ring_waits)
        sbuf_printf(sb, "  barrier arrivals of fenced CPUs refused: %llu; their late errors ignored: %llu; "
                    "waits on a full error ring: %llu\n", (unsigned long long)y->refused,
                    (unsigned long long)y->late, (unsigned long long)y->ring_waits);
}
