// SPDX-License-Identifier: MIT
#include "core/handoff.h"
#include "core/errcsv.h"

#define MAGIC 0x4f484257u        /* "WBHO" */
#define CHUNK_MAGIC 0x43484257u  /* "WBHC" */
#define VERSION 7
#define HEAD 16                  /* magic, version, flags, length, crc */

enum { F_FINISHED = 1, F_FAULTED = 2, F_USER_STOP = 4 };

uint32_t handoff_crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = c >> 1 ^ (0xedb88320u & -(c & 1));
    }
    return ~c;
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

/* --- one codec for both directions -----------------------------------------
 * Every field goes through num(): writing, it stores the value and returns
 * it; reading, it returns the stored one. One list of fields, so the writer
 * and the reader cannot drift apart. */

struct io {
    uint8_t *w;                /* writing: buffer (NULL: only count) */
    const uint8_t *r;          /* reading */
    size_t n, cap;
    int bad;
};

static uint64_t num(struct io *io, uint64_t v, unsigned bytes)
{
    if (io->r) {
        if (io->n > io->cap || io->cap - io->n < bytes) {
            io->bad = 1;
            io->n = io->cap;
            return 0;
        }
        v = 0;
        for (unsigned i = 0; i < bytes; i++)
            v |= (uint64_t)io->r[io->n + i] << 8 * i;
    } else {
        for (unsigned i = 0; i < bytes; i++)
            if (io->w && io->n + i < io->cap)
                io->w[io->n + i] = (uint8_t)(v >> 8 * i);
    }
    io->n += bytes;
    return v;
}

static void str(struct io *io, char *s, unsigned bytes)
{
    int end = 0;
    for (unsigned i = 0; i < bytes; i++) {
        unsigned c = end || i == bytes - 1 ? 0 : (uint8_t)s[i];
        end |= c == 0;
        c = (unsigned)num(io, c, 1);
        if (io->r)
            s[i] = i == bytes - 1 ? 0 : (char)c;
    }
}

/* A count, refused above max while reading. */
static unsigned count(struct io *io, unsigned v, unsigned bytes, unsigned max)
{
    v = (unsigned)num(io, v, bytes);
    if (v > max) {
        io->bad = 1;
        return 0;
    }
    return v;
}

/* Times since the start: 32 bits of ms (49 days), saturated. */
static uint64_t ms32(struct io *io, uint64_t v)
{
    return num(io, v > 0xffffffffu ? 0xffffffffu : v, 4);
}

/* LEB128: 7 bits a byte, for the granule runs' small numbers. */
static uint64_t varint(struct io *io, uint64_t v)
{
    if (io->r) {
        uint64_t x = 0;
        for (unsigned sh = 0; sh < 64; sh += 7) {
            uint64_t b = num(io, 0, 1);
            x |= (b & 0x7f) << sh;
            if (!(b & 0x80) || io->bad)
                return x;
        }
        io->bad = 1;
        return 0;
    }
    do {
        num(io, (v & 0x7f) | (v > 0x7f ? 0x80 : 0), 1);
        v >>= 7;
    } while (v);
    return 0;
}

#define N(field, bytes) ((field) = (__typeof__(field))num(io, (uint64_t)(field), (bytes)))

static void row_io(struct io *io, struct failbit *b)
{
    b->time_ms = ms32(io, b->time_ms);
    N(b->pass, 2);
    N(b->test, 1);
    N(b->cpu, 1);
    N(b->addr, 8);
    N(b->bit, 1);
    N(b->expected, 8);
    N(b->actual, 8);
    b->temp_c = (int16_t)num(io, (uint16_t)(int16_t)b->temp_c, 2);
    N(b->flags, 1);
    if (b->bit > 63 || b->test > MT_MAX_TEST || (b->addr & 7))
        io->bad = 1;
}

static void sum_io(struct io *io, struct failsum *m)
{
    m->first_ms = ms32(io, m->first_ms);
    m->last_ms = ms32(io, m->last_ms);
    N(m->pass, 2);
    N(m->test, 1);
    N(m->cpu, 1);
    N(m->lo, 8);
    N(m->hi, 8);
    N(m->bits, 8);
    N(m->words, 8);
    N(m->flags, 1);
    if (m->lo > m->hi || m->test > MT_MAX_TEST)
        io->bad = 1;
}

static void cell_io(struct io *io, struct cell *c)
{
    N(c->addr, 8);
    c->first_ms = ms32(io, c->first_ms);
    c->last_ms = ms32(io, c->last_ms);
    N(c->count, 4);
    N(c->certain, 4);
    N(c->tests, 2);
    N(c->bit, 1);
    c->used = 1;
    if (c->bit > 63 || (c->addr & 7) || !c->count)
        io->bad = 1;
}

/* The machine-check facts and events (session_mce). */
static void mce_io(struct io *io, struct session_mce *m)
{
    N(m->state, 1);
    N(m->banks, 1);
    N(m->cpus, 2);
    m->cr4_mce = (int8_t)num(io, (uint8_t)m->cr4_mce, 1);
    N(m->ended_by_mc, 1);
    N(m->corrected, 8);
    N(m->uncorrected, 8);
    N(m->masked, 8);
    N(m->dropped, 8);
    m->nev = count(io, m->nev, 1, SESSION_MCE_EVENTS);
    for (unsigned i = 0; i < m->nev && !io->bad; i++) {
        struct session_mce_event *e = &m->ev[i];
        N(e->cpu, 2);
        N(e->bank, 1);
        N(e->count, 4);
        N(e->status, 8);
        N(e->addr, 8);
        N(e->misc, 8);
        e->first_ms = ms32(io, e->first_ms);
        e->last_ms = ms32(io, e->last_ms);
        N(e->why, 1);
        N(e->umc, 1);
        if (e->why >= MCE_ADDR_KINDS || !e->count)
            io->bad = 1;
    }
    if (m->state > SESSION_MCE_POLL)
        io->bad = 1;
}

/* Row hammer: words per phase and the aggressor pairs (session_hammer). */
static void hammer_io(struct io *io, struct session_hammer *m)
{
    N(m->fast_words, 8);
    N(m->slow_words, 8);
    N(m->dropped, 8);
    m->npairs = count(io, m->npairs, 1, SESSION_HAMMER_PAIRS);
    for (unsigned i = 0; i < m->npairs && !io->bad; i++) {
        struct session_hammer_pair *p = &m->pair[i];
        N(p->victim, 8);
        N(p->a, 8);
        N(p->b, 8);
        N(p->bits, 8);
        N(p->fast, 4);
        N(p->slow, 4);
        if (p->victim & 7)
            io->bad = 1;
    }
    if (io->r)
        m->last = -1;
}

static void fields(struct io *io, struct handoff *h)
{
    unsigned flags = (h->finished ? F_FINISHED : 0) | (h->faulted ? F_FAULTED : 0) |
                     (h->user_stop ? F_USER_STOP : 0);
    num(io, MAGIC, 4);
    num(io, VERSION, 2);
    flags = (unsigned)num(io, flags, 2);
    h->finished = !!(flags & F_FINISHED);
    h->faulted = !!(flags & F_FAULTED);
    h->user_stop = !!(flags & F_USER_STOP);
    num(io, 0, 4);   /* length, filled in at the end */
    num(io, 0, 4);   /* crc */
    N(h->seq, 4);
    str(io, h->id, sizeof h->id);
    str(io, h->started, sizeof h->started);
    N(h->elapsed_ms, 8);
    N(h->passes_done, 4);
    N(h->pass, 4);
    N(h->seed, 8);
    N(h->hold_ms, 4);
    str(io, h->temp_source, sizeof h->temp_source);
    N(h->ram_bytes, 8);
    N(h->usable_bytes, 8);
    N(h->tested_bytes, 8);
    N(h->footprint_bytes, 8);
    N(h->vector, 4);
    N(h->rip, 8);
    N(h->cr2, 8);
    N(h->fault_err, 8);
    N(h->fault_apic, 4);
    N(h->fault_ap, 1);
    N(h->madt_cpus, 2);
    N(h->fw_cpus, 2);
    N(h->cpu_refused, 8);
    N(h->cpu_late, 8);
    N(h->ring_waits, 8);
    N(h->nv_writes, 4);
    N(h->nv_skipped, 4);
    N(h->nv_failed, 4);
    N(h->nv_bytes, 8);
    N(h->nv_free, 8);
    N(h->shrunk, 1);
    h->boot_next = (int32_t)(int16_t)num(io, (uint16_t)h->boot_next, 2);   /* -1 travels as 0xffff */
    N(h->error_words, 8);
    N(h->error_rows, 8);
    N(h->rows_unlogged, 8);
    N(h->acct.words, 8);
    N(h->acct.row_words, 8);
    N(h->acct.rows, 8);
    N(h->acct.summarised, 8);
    N(h->acct.summaries, 8);
    N(h->acct.unwritten, 8);
    N(h->new_cells, 8);
    N(h->reseen_cells, 8);
    N(h->cells_total, 8);
    N(h->cells_dropped, 8);
    N(h->sums_merged, 4);
    N(h->granule, 8);
    N(h->gran_widened, 8);
    if (io->r && (h->granule < 4096 || (h->granule & (h->granule - 1))))
        io->bad = 1;
    mce_io(io, &h->mce);
    hammer_io(io, &h->hammer);
    h->ntests = count(io, h->ntests, 1, HANDOFF_MAX_TESTS);
    h->ntested = count(io, h->ntested, 2, HANDOFF_MAX_RANGES);
    h->nexcl = count(io, h->nexcl, 2, HANDOFF_MAX_RANGES);
    h->ncpus = count(io, h->ncpus, 2, HANDOFF_MAX_CPUS);
    h->nrows = count(io, h->nrows, 2, HANDOFF_MAX_ROWS);
    h->nsums = count(io, h->nsums, 2, HANDOFF_MAX_SUMS);
    h->ncells = count(io, h->ncells, 2, HANDOFF_MAX_CELLS);
    h->ngran = count(io, h->ngran, 2, HANDOFF_MAX_GRAN);
    for (unsigned i = 0; i < h->ntests && !io->bad; i++) {
        struct handoff_test *t = &h->tests[i];
        N(t->num, 1);
        N(t->runs, 2);
        N(t->skipped_runs, 2);
        N(t->ms, 8);
        N(t->bytes, 8);
        N(t->error_words, 8);
        N(t->dwell_ms, 8);
        if (t->num > MT_MAX_TEST)
            io->bad = 1;
    }
    for (unsigned i = 0; i < h->ntested; i++) {
        N(h->tested[i].base, 8);
        N(h->tested[i].len, 8);
    }
    for (unsigned i = 0; i < h->nexcl; i++) {
        N(h->excl[i].base, 8);
        N(h->excl[i].len, 8);
        N(h->excl[i].why, 1);
    }
    for (unsigned i = 0; i < h->ncpus; i++) {
        struct handoff_cpu *c = &h->cpus[i];
        N(c->apic_id, 4);
        N(c->state, 1);
        N(c->bytes, 8);
        N(c->busy_ms, 8);
        N(c->parked, 2);
        N(c->forced, 2);
        N(c->unretested, 8);
        N(c->late, 8);
        if (c->state < HANDOFF_CPU_RAN || c->state > HANDOFF_CPU_MISSING)
            io->bad = 1;
    }
    for (unsigned i = 0; i < h->nrows; i++)
        row_io(io, &h->rows[i]);
    for (unsigned i = 0; i < h->nsums; i++)
        sum_io(io, &h->sums[i]);
    for (unsigned i = 0; i < h->ncells; i++)
        cell_io(io, &h->cells[i]);
    /* Granule runs: the gap since the last run and the length, in granules. */
    uint64_t end = 0, g = h->granule ? h->granule : 1;
    for (unsigned i = 0; i < h->ngran && !io->bad; i++) {
        struct mem_range *r = &h->gran[i];
        uint64_t gap = varint(io, (r->base - end) / g), len = varint(io, r->len / g);
        if (io->r) {
            if (!len || gap > (1ull << 52) / g || len > (1ull << 52) / g || end + (gap + len) * g < end) {
                io->bad = 1;
                break;
            }
            r->base = end + gap * g;
            r->len = len * g;
        }
        end = r->base + r->len;
    }
}

#undef N

size_t handoff_size(const struct handoff *h)
{
    struct io io = { 0 };
    fields(&io, (struct handoff *)h);   /* writing leaves h as it is */
    return io.n;
}

size_t handoff_encode(const struct handoff *h, uint8_t *buf, size_t cap)
{
    if (h->ntests > HANDOFF_MAX_TESTS || h->ntested > HANDOFF_MAX_RANGES || h->nexcl > HANDOFF_MAX_RANGES ||
        h->ncpus > HANDOFF_MAX_CPUS || h->nrows > HANDOFF_MAX_ROWS || h->nsums > HANDOFF_MAX_SUMS ||
        h->ncells > HANDOFF_MAX_CELLS || h->ngran > HANDOFF_MAX_GRAN)
        return 0;
    /* Granule runs go as gaps: ascending, apart, aligned. */
    uint64_t end = 0;
    for (unsigned i = 0; i < h->ngran; i++) {
        const struct mem_range *r = &h->gran[i];
        if (!h->granule || !r->len || r->base < end || ((r->base | r->len) & (h->granule - 1)))
            return 0;
        end = r->base + r->len;
    }
    struct io io = { .w = buf, .cap = cap };
    fields(&io, (struct handoff *)h);
    if (io.n > cap || io.n > 0xffffffffu)
        return 0;
    wr32(buf + 8, (uint32_t)io.n);
    wr32(buf + 12, handoff_crc32(buf + HEAD, io.n - HEAD));
    return io.n;
}

int handoff_decode(struct handoff *h, const uint8_t *buf, size_t len)
{
    if (len < HEAD)
        return HANDOFF_SHORT;
    if (rd32(buf) != MAGIC)
        return HANDOFF_MAGIC;
    if ((buf[4] | buf[5] << 8) != VERSION)
        return HANDOFF_VERSION;
    uint32_t total = rd32(buf + 8);
    if (total < HEAD || total > len)
        return HANDOFF_SHORT;
    if (handoff_crc32(buf + HEAD, total - HEAD) != rd32(buf + 12))
        return HANDOFF_CRC;
    *h = (struct handoff){ 0 };
    struct io io = { .r = buf, .cap = total };
    fields(&io, h);
    if (io.bad)
        return io.n >= total ? HANDOFF_SHORT : HANDOFF_BAD;
    return io.n == total ? HANDOFF_OK : HANDOFF_BAD;
}

/* --- session <-> record ------------------------------------------------------ */

static int in_sums(const struct failsum *m, unsigned n, uint64_t addr)
{
    for (unsigned i = 0; i < n; i++)
        if (addr >= m[i].lo && addr <= m[i].hi)
            return 1;
    return 0;
}

/* The two neighbouring runs with the smallest gap between them: the gap,
 * and in *at the first of the two (n >= 2). */
static uint64_t closest(const struct mem_range *r, unsigned n, unsigned *at)
{
    uint64_t gap = ~0ull;
    for (unsigned j = 0; j + 1 < n; j++) {
        uint64_t d = r[j + 1].base - (r[j].base + r[j].len);
        if (d < gap)
            gap = d, *at = j;
    }
    return gap;
}

/* Runs at and at + 1 become one, over the gap between them. */
static void merge_at(struct mem_range *r, unsigned *n, unsigned at)
{
    r[at].len = r[at + 1].base + r[at + 1].len - r[at].base;
    for (unsigned j = at + 1; j + 1 < *n; j++)
        r[j] = r[j + 1];
    (*n)--;
}

/* Merged runs of sorted granule bases; past cap, the two runs with the
 * smallest gap between them become one (the gap counted in *widened). */
static unsigned granule_runs(const uint64_t *g, unsigned n, uint64_t granule, struct mem_range *out,
                             unsigned cap, uint64_t *widened)
{
    unsigned k = 0;
    *widened = 0;
    for (unsigned i = 0; i < n; i++) {
        if (k && out[k - 1].base + out[k - 1].len == g[i]) {
            out[k - 1].len += granule;
            continue;
        }
        if (k == cap) {
            unsigned at = 0;
            uint64_t gap = closest(out, k, &at);
            /* The new granule's own gap to the last run competes too. */
            uint64_t last = g[i] - (out[k - 1].base + out[k - 1].len);
            if (last <= gap) {
                *widened += last;
                out[k - 1].len = g[i] + granule - out[k - 1].base;
                continue;
            }
            *widened += gap;
            merge_at(out, &k, at);
        }
        out[k++] = (struct mem_range){ g[i], granule };
    }
    return k;
}

void handoff_from_session(struct handoff *h, const struct session *s, const struct handoff_scratch *x)
{
    fmt_format(h->id, sizeof h->id, "%s", s->id);
    fmt_format(h->started, sizeof h->started, "%s", s->started);
    h->user_stop = s->user_stop;
    h->passes_done = s->passes_done;
    h->pass = s->pass;
    h->seed = s->cfg.seed;
    h->hold_ms = (uint32_t)s->cfg.hold_ms;
    h->error_words = s->error_words;
    h->error_rows = s->error_rows;
    h->rows_unlogged = s->rows_unlogged;
    h->acct = s->fold.acct;
    h->new_cells = s->new_cells;
    h->reseen_cells = s->reseen_cells;
    h->cells_total = s->cells.n;
    h->cells_dropped = s->cells.dropped;
    h->mce = s->mce;
    h->hammer = s->hammer;
    h->ntests = 0;
    for (unsigned i = 0; i < s->nrt && h->ntests < HANDOFF_MAX_TESTS; i++) {
        const struct rep_test *t = &s->rt[i];
        h->tests[h->ntests++] = (struct handoff_test){ (uint8_t)t->num, (uint16_t)t->runs,
                                                       (uint16_t)t->skipped_runs, t->ms, t->bytes,
                                                       t->error_words, t->dwell_ms };
    }
    const struct session_carry *c = s->carry;
    h->nrows = h->nsums = 0;
    h->sums_merged = c ? c->sums_merged : 0;
    for (unsigned i = 0; c && i < c->nrows && h->nrows < HANDOFF_MAX_ROWS; i++)
        h->rows[h->nrows++] = c->rows[i];
    for (unsigned i = 0; c && i < c->nsums && h->nsums < HANDOFF_MAX_SUMS; i++)
        h->sums[h->nsums++] = c->sums[i];
    /* Cells: first those no summary covers (only this record knows them),
     * then the rest, while there is room. */
    unsigned n = cells_sorted_copy(&s->cells, x->cells, x->cap);
    h->ncells = 0;
    for (int pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < n && h->ncells < HANDOFF_MAX_CELLS; i++)
            if (in_sums(h->sums, h->nsums, x->cells[i].addr) == pass)
                h->cells[h->ncells++] = x->cells[i];
    /* Every bad granule, from every cell of the table. */
    unsigned lost;
    unsigned ng = badram_granules(x->cells, n, s->cfg.granule, x->gran, x->cap, &lost);
    h->granule = s->cfg.granule;
    h->ngran = granule_runs(x->gran, ng, s->cfg.granule, h->gran, HANDOFF_MAX_GRAN, &h->gran_widened);
}

int handoff_shrink(struct handoff *h)
{
    unsigned k = 0;
    for (unsigned i = 0; i < h->ncells; i++)
        if (!in_sums(h->sums, h->nsums, h->cells[i].addr))
            h->cells[k++] = h->cells[i];
    if (k < h->ncells) {
        h->ncells = k;
    } else if (h->ncells) {
        h->ncells = 0;
    } else if (h->ngran > 1) {
        for (unsigned target = h->ngran / 2; h->ngran > target;) {
            unsigned at = 0;
            h->gran_widened += closest(h->gran, h->ngran, &at);
            merge_at(h->gran, &h->ngran, at);
        }
    } else {
        return 0;
    }
    h->shrunk++;
    return 1;
}

/* Put a carried cell into the table as it was. */
static void cell_put(struct cell_table *t, const struct cell *c)
{
    struct failbit fb = { .addr = c->addr, .bit = c->bit, .time_ms = c->first_ms };
    if (cells_add(t, &fb) < 0)
        return;
    struct cell *d = (struct cell *)cells_find(t, c->addr, c->bit);
    *d = *c;
    d->used = 1;
}

void handoff_to_session(const struct handoff *h, struct session *s, struct sbuf *csv)
{
    fmt_format(s->id, sizeof s->id, "%s", h->id);
    fmt_format(s->started, sizeof s->started, "%s", h->started);
    s->passes_done = h->passes_done;
    s->pass = h->pass;
    s->cfg.seed = h->seed;         /* the run's, not this boot's */
    s->cfg.hold_ms = h->hold_ms;
    s->cfg.granule = h->granule;
    s->user_stop = h->user_stop;
    s->error_words = h->error_words;
    s->error_rows = h->error_rows;
    s->rows_unlogged = h->rows_unlogged;
    s->fold.acct = h->acct;
    s->new_cells = h->new_cells;
    s->reseen_cells = h->reseen_cells;
    s->mce = h->mce;
    s->hammer = h->hammer;
    s->hammer.last = -1;
    s->nrt = 0;
    for (unsigned i = 0; i < h->ntests && i <= MT_MAX_TEST; i++) {
        const struct handoff_test *t = &h->tests[i];
        s->rt[s->nrt++] = (struct rep_test){ .num = t->num, .runs = t->runs, .ms = t->ms, .bytes = t->bytes,
                                             .error_words = t->error_words, .skipped_runs = t->skipped_runs,
                                             .dwell_ms = t->dwell_ms };
    }
    struct mem_plan *p = &s->plan;
    *p = (struct mem_plan){ 0 };
    for (unsigned i = 0; i < h->ntested && i < PLAN_MAX_TEST; i++) {
        p->test[p->ntest++] = h->tested[i];
        if (h->tested[i].base + h->tested[i].len > p->ram_top)
            p->ram_top = h->tested[i].base + h->tested[i].len;
    }
    p->ram_total = h->ram_bytes;
    p->free_total = h->usable_bytes;
    s->test_bytes = memplan_test_bytes(p);
    for (unsigned i = 0; i < h->ncells; i++)
        cell_put(&s->cells, &h->cells[i]);
    s->cells.dropped = h->cells_dropped;
    for (unsigned i = 0; i < h->nrows; i++) {
        char line[128];
        size_t len = errcsv_format(line, sizeof line, &h->rows[i]);
        line[len < sizeof line ? len : sizeof line - 1] = 0;
        sbuf_puts(csv, line);
        /* A row's cell that did not fit the record: from the row. */
        if (!cells_find(&s->cells, h->rows[i].addr, h->rows[i].bit))
            cells_add(&s->cells, &h->rows[i]);
    }
    for (unsigned i = 0; i < h->nsums; i++) {
        char line[200];
        size_t len = errcsv_summary_line(line, sizeof line, &h->sums[i]);
        line[len < sizeof line ? len : sizeof line - 1] = 0;
        sbuf_puts(csv, line);
    }
    /* Machine-check errors that are no cell: their comment lines, as
     * firmware mode writes them. */
    for (unsigned i = 0; i < h->mce.nev; i++) {
        const struct session_mce_event *e = &h->mce.ev[i];
        if (e->why == MCE_ADDR_PHYS)
            continue;
        char line[240];
        size_t len = errcsv_ecc_line(line, sizeof line, e->first_ms, e->cpu, e->bank, e->status, e->addr, e->misc,
                                     mce_noaddr_text((enum mce_noaddr)e->why));
        line[len < sizeof line ? len : sizeof line - 1] = 0;
        sbuf_puts(csv, line);
    }
    s->handed = (struct session_handed){ .on = 1, .cells_total = h->cells_total,
                                         .gran_widened = h->gran_widened, .gran = h->gran, .ngran = h->ngran };
}

/* --- chunks: magic, index, count, record length, record crc, payload ------ */

unsigned handoff_split(const uint8_t *rec, size_t len, size_t max_chunk, uint8_t *out, size_t cap,
                       struct handoff_chunk *chunks, unsigned max)
{
    if (max_chunk <= HANDOFF_CHUNK_HEAD || len < HEAD || len > 0xffffffffu)
        return 0;
    size_t room = max_chunk - HANDOFF_CHUNK_HEAD;
    size_t n = (len + room - 1) / room;
    if (n > max || n > HANDOFF_MAX_CHUNKS || len + n * HANDOFF_CHUNK_HEAD > cap)
        return 0;
    uint32_t crc = rd32(rec + 12);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        size_t part = len - i * room < room ? len - i * room : room;
        uint8_t *c = out + o;
        wr32(c, CHUNK_MAGIC);
        c[4] = (uint8_t)i;
        c[5] = (uint8_t)n;
        c[6] = c[7] = 0;
        wr32(c + 8, (uint32_t)len);
        wr32(c + 12, crc);
        for (size_t k = 0; k < part; k++)
            c[HANDOFF_CHUNK_HEAD + k] = rec[i * room + k];
        chunks[i] = (struct handoff_chunk){ c, HANDOFF_CHUNK_HEAD + part };
        o += HANDOFF_CHUNK_HEAD + part;
    }
    return (unsigned)n;
}

unsigned handoff_chunk_count(const uint8_t *p, size_t len)
{
    /* More chunks than a record may have: damaged, or another version's
     * (the caller sizes its chunk table by HANDOFF_MAX_CHUNKS). */
    if (len < HANDOFF_CHUNK_HEAD || rd32(p) != CHUNK_MAGIC || p[4] >= p[5] || p[5] > HANDOFF_MAX_CHUNKS)
        return 0;
    return p[5];
}

int handoff_join(const struct handoff_chunk *chunks, unsigned n, uint8_t *rec, size_t cap,
                 size_t *len)
{
    if (!n || n > HANDOFF_MAX_CHUNKS)
        return HANDOFF_CHUNKS;
    const struct handoff_chunk *at[HANDOFF_MAX_CHUNKS] = { 0 };
    uint32_t total = 0, crc = 0;
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *c = chunks[i].p;
        if (handoff_chunk_count(c, chunks[i].len) != n || at[c[4]])
            return HANDOFF_CHUNKS;
        if (i && (rd32(c + 8) != total || rd32(c + 12) != crc))
            return HANDOFF_CHUNKS;
        total = rd32(c + 8);
        crc = rd32(c + 12);
        at[c[4]] = &chunks[i];
    }
    size_t o = 0;
    for (unsigned i = 0; i < n; i++) {
        size_t part = at[i]->len - HANDOFF_CHUNK_HEAD;
        if (o + part > cap || o + part > total)
            return HANDOFF_SHORT;
        for (size_t k = 0; k < part; k++)
            rec[o + k] = at[i]->p[HANDOFF_CHUNK_HEAD + k];
        o += part;
    }
    if (o != total)
        return HANDOFF_SHORT;
    if (o < HEAD || rd32(rec + 12) != crc)
        return HANDOFF_CRC;
    *len = o;
    return HANDOFF_OK;
}

long handoff_gather(long (*read)(void *ctx, unsigned idx, uint8_t *buf, size_t cap), void *ctx, uint8_t *rec,
                    size_t cap, uint8_t *scratch, size_t scap)
{
    struct handoff_chunk ch[HANDOFF_MAX_CHUNKS];
    size_t used = 0;
    unsigned n = 1;
    for (unsigned i = 0; i < n; i++) {
        long len = read(ctx, i, scratch + used, scap - used);
        if (len == 0 && i == 0)
            return 0;
        if (len <= 0)
            return HANDOFF_CHUNKS;
        if (i == 0 && !(n = handoff_chunk_count(scratch, (size_t)len)))
            return HANDOFF_MAGIC;
        ch[i] = (struct handoff_chunk){ scratch + used, (size_t)len };
        used += (size_t)len;
    }
    size_t len = 0;
    int err = handoff_join(ch, n, rec, cap, &len);
    return err ? err : (long)len;
}

const char *handoff_strerror(int err)
{
    switch (err) {
    case HANDOFF_OK: return "ok";
    case HANDOFF_SHORT: return "truncated";
    case HANDOFF_MAGIC: return "not a weakbit record";
    case HANDOFF_VERSION: return "written by another version";
    case HANDOFF_CRC: return "damaged (CRC mismatch)";
    case HANDOFF_BAD: return "inconsistent counts";
    case HANDOFF_CHUNKS: return "chunks missing or mixed";
    }
    return "?";
}
