// SPDX-License-Identifier: MIT
#include "check.h"
#include "core/handoff.h"
#include <stdlib.h>
#include <string.h>

static void sample(struct handoff *h, unsigned ncells)
{
    memset(h, 0, sizeof *h);
    h->seq = 7;
    h->finished = 1;
    h->faulted = 1;
    h->vector = 14;
    h->rip = 0x7e1234;
    h->cr2 = 0x7f0000000000ull;
    strcpy(h->id, "20240101120000-beef");
    strcpy(h->started, "2024-01-01 12:00:00");
    h->elapsed_ms = 123456;
    h->passes_done = 1;
    h->pass = 1;
    h->seed = 0x1234abcd5678ef01ull;
    h->hold_ms = 150;
    h->boot_next = -1;
    h->error_words = 99;
    h->error_rows = 101;
    h->acct = (struct fold_acct){ 99, 60, 101, 39, 2, 0 };
    h->cells_total = ncells + 40;
    h->granule = 1 << 20;
    h->ram_bytes = 1ull << 30;
    h->usable_bytes = (1ull << 30) - (8 << 20);
    h->tested_bytes = (1ull << 30) - (12 << 20);
    h->footprint_bytes = 3 << 20;
    h->ntests = 2;
    h->tests[0] = (struct handoff_test){ 1, 1, 0, 500, 1ull << 30, 3, 0 };
    h->tests[1] = (struct handoff_test){ 5, 2, 1, 9000, 1ull << 30, 96, 1200 };
    h->ntested = 3;
    for (unsigned i = 0; i < 3; i++)
        h->tested[i] = (struct mem_range){ (i + 1) << 24, 1 << 20 };
    h->nexcl = 2;
    h->excl[0] = (struct handoff_excl){ 0, 1 << 20, 2 };
    h->excl[1] = (struct handoff_excl){ 0x3f000000, 1 << 20, 1 };
    for (unsigned i = 0; i < ncells; i++)
        h->cells[i] = (struct cell){ .addr = 0x1000000 + 8 * i, .first_ms = i, .last_ms = i + 5, .count = i + 1,
                                     .certain = i % 3, .tests = 1 << 5 | 1 << 2, .bit = (uint8_t)(i % 64),
                                     .used = 1 };
    h->ncells = ncells;
    h->nrows = ncells < HANDOFF_MAX_ROWS ? ncells : HANDOFF_MAX_ROWS;
    for (unsigned i = 0; i < h->nrows; i++)
        h->rows[i] = (struct failbit){ .time_ms = 10 + i, .pass = 1, .test = 5, .cpu = i % 4,
                                       .addr = 0x1000000 + 8 * i, .bit = i % 64, .expected = ~0ull,
                                       .actual = ~0ull ^ (1ull << (i % 64)),
                                       .temp_c = i % 2 ? FAILBIT_NO_TEMP : 61, .flags = i % 5 == 0 };
    h->nsums = 2;
    h->sums[0] = (struct failsum){ 5, 900, 0, 5, 1, 0x8ff8000, 0x9007ff8, 1 << 9, 30000, 0 };
    h->sums[1] = (struct failsum){ 7, 9, 1, 2, 0, 0x20000000, 0x20000000, 1, 3, FAILBIT_ADDR_UNCERTAIN };
    h->ngran = 2;
    h->gran[0] = (struct mem_range){ 0x1000000, 1 << 20 };
    h->gran[1] = (struct mem_range){ 0x8f00000, 2 << 20 };
    h->madt_cpus = 4;
    h->fw_cpus = 4;
    h->ncpus = 4;
    h->cpus[0] = (struct handoff_cpu){ 0, HANDOFF_CPU_RAN, 1ull << 28, 1200, 0, 0, 0, 0 };
    h->cpus[1] = (struct handoff_cpu){ 1, HANDOFF_CPU_RAN, (1ull << 28) + 4096, 1300, 0, 0, 0, 0 };
    h->cpus[2] = (struct handoff_cpu){ 2, HANDOFF_CPU_FENCED, 0, 0, 1, 2, 3ull << 32, 5 };
    h->cpus[3] = (struct handoff_cpu){ .apic_id = 300, .state = HANDOFF_CPU_MISSING };
    h->cpu_refused = 7;
    h->cpu_late = 5;
    h->ring_waits = 9;
    h->rows[3].flags = FAILBIT_ECC;
    h->rows[3].bit = 0;
    h->cells[1].tests = 1u << CELLS_ECC_TEST;
    h->mce = (struct session_mce){ .state = SESSION_MCE_POLL, .banks = 10, .cpus = 4, .cr4_mce = 2,
                                   .ended_by_mc = 1, .corrected = 5, .uncorrected = 1, .masked = 4, .dropped = 0,
                                   .nev = 2 };
    h->mce.ev[0] = (struct session_mce_event){ 1, 2, 4, 0x9c0000000000009full, 0x86, 0x12345040, 100, 900,
                                               MCE_ADDR_PHYS, 0 };
    h->mce.ev[1] = (struct session_mce_event){ 0, 5, 1, 0xb00000000000009full, 0, 0, 950, 950, MCE_ADDR_NONE, 1 };
}

static struct handoff h_in, h_out;

TEST(handoff_round_trip)
{
    struct handoff *h = &h_in, *g = &h_out;
    sample(h, HANDOFF_MAX_CELLS);
    static uint8_t buf[HANDOFF_REC_BYTES];
    size_t n = handoff_encode(h, buf, sizeof buf);
    CHECK(n > 0);
    CHECK_EQ_U64(n, handoff_size(h));
    memset(g, 0xa5, sizeof *g);
    CHECK_EQ_U64(handoff_decode(g, buf, n), HANDOFF_OK);
    CHECK_EQ_U64(g->seq, 7);
    CHECK(g->finished && g->faulted && !g->user_stop);
    CHECK_EQ_U64(g->vector, 14);
    CHECK_EQ_U64(g->cr2, 0x7f0000000000ull);
    CHECK_STR(g->id, h->id);
    CHECK_STR(g->started, h->started);
    CHECK_EQ_U64(g->error_rows, 101);
    CHECK(!memcmp(&g->acct, &h->acct, sizeof h->acct));
    CHECK_EQ_U64(g->cells_total, HANDOFF_MAX_CELLS + 40);
    CHECK_EQ_U64(g->seed, 0x1234abcd5678ef01ull);
    CHECK_EQ_U64(g->hold_ms, 150);
    CHECK(g->boot_next == -1);
    CHECK_EQ_U64(g->footprint_bytes, 3 << 20);
    CHECK_EQ_U64(g->ntests, 2);
    CHECK_EQ_U64(g->tests[1].error_words, 96);
    CHECK_EQ_U64(g->tests[1].skipped_runs, 1);
    CHECK_EQ_U64(g->tests[1].dwell_ms, 1200);
    CHECK_EQ_U64(g->ntested, 3);
    CHECK_EQ_U64(g->tested[2].base, 3 << 24);
    CHECK_EQ_U64(g->nexcl, 2);
    CHECK_EQ_U64(g->excl[1].why, 1);
    CHECK_EQ_U64(g->ncells, HANDOFF_MAX_CELLS);
    CHECK(!memcmp(g->cells, h->cells, HANDOFF_MAX_CELLS * sizeof h->cells[0]));
    CHECK_EQ_U64(g->nrows, HANDOFF_MAX_ROWS);
    int rows_same = 1;
    for (unsigned i = 0; i < g->nrows; i++)
        rows_same &= g->rows[i].addr == h->rows[i].addr && g->rows[i].bit == h->rows[i].bit &&
                     g->rows[i].actual == h->rows[i].actual && g->rows[i].temp_c == h->rows[i].temp_c &&
                     g->rows[i].flags == h->rows[i].flags && g->rows[i].time_ms == h->rows[i].time_ms &&
                     g->rows[i].cpu == h->rows[i].cpu && g->rows[i].pass == h->rows[i].pass;
    CHECK(rows_same);
    CHECK_EQ_U64(g->nsums, 2);
    CHECK(!memcmp(g->sums, h->sums, 2 * sizeof h->sums[0]));
    CHECK_EQ_U64(g->ngran, 2);
    CHECK(!memcmp(g->gran, h->gran, 2 * sizeof h->gran[0]));
    CHECK_EQ_U64(g->madt_cpus, 4);
    CHECK_EQ_U64(g->fw_cpus, 4);
    CHECK_EQ_U64(g->ncpus, 4);
    CHECK(!memcmp(g->cpus, h->cpus, 4 * sizeof h->cpus[0]));
    CHECK_EQ_U64(g->cpu_refused, 7);
    CHECK_EQ_U64(g->cpu_late, 5);
    CHECK_EQ_U64(g->ring_waits, 9);
    /* Machine-check facts and events; an ecc row and cell keep their mark. */
    CHECK(!memcmp(&g->mce, &h->mce, sizeof h->mce));
    CHECK_EQ_U64(g->mce.cr4_mce, 2);
    CHECK_EQ_U64(g->rows[3].flags, FAILBIT_ECC);
    CHECK_EQ_U64(g->cells[1].tests, 1u << CELLS_ECC_TEST);
    /* The largest record stays well inside what real variable stores hold. */
    CHECK(n < 24u << 10);
    /* More cells than a record may hold, or granule runs out of order:
     * refused, not written past. */
    h->ncells = HANDOFF_MAX_CELLS + 1;
    CHECK_EQ_U64(handoff_encode(h, buf, sizeof buf), 0);
    h->ncells = 1;
    h->gran[1].base = 0;
    CHECK_EQ_U64(handoff_encode(h, buf, sizeof buf), 0);
}

TEST(handoff_rejects_damage)
{
    struct handoff *h = &h_in, *g = &h_out;
    sample(h, 20);
    static uint8_t buf[8192], bad[8192];
    size_t n = handoff_encode(h, buf, sizeof buf);
    CHECK_EQ_U64(handoff_encode(h, buf, n - 1), 0);   /* does not fit */
    CHECK_EQ_U64(handoff_decode(g, buf, n - 1), HANDOFF_SHORT);
    CHECK_EQ_U64(handoff_decode(g, buf, 10), HANDOFF_SHORT);
    /* Every single-bit flip is caught. */
    int caught = 1;
    for (size_t i = 0; i < n; i++)
        for (int b = 0; b < 8; b++) {
            memcpy(bad, buf, n);
            bad[i] ^= (uint8_t)(1 << b);
            if (handoff_decode(g, bad, n) == HANDOFF_OK)
                caught = 0;
        }
    CHECK(caught);
    memcpy(bad, buf, n);
    bad[0] = 'X';
    CHECK_EQ_U64(handoff_decode(g, bad, n), HANDOFF_MAGIC);
    memcpy(bad, buf, n);
    bad[4] = 1;   /* the format before per-CPU lines */
    CHECK_EQ_U64(handoff_decode(g, bad, n), HANDOFF_VERSION);
    /* Random garbage never decodes and never reads out of bounds (ASan). */
    srand(1);
    for (int k = 0; k < 2000; k++) {
        size_t len = (size_t)rand() % 600;
        uint8_t *p = malloc(len + 1);
        for (size_t i = 0; i < len; i++)
            p[i] = (uint8_t)rand();
        if (len >= 4)
            memcpy(p, buf, 4);
        CHECK(handoff_decode(g, p, len) != HANDOFF_OK);
        free(p);
    }
}

TEST(handoff_split_join)
{
    struct handoff *h = &h_in, *g = &h_out;
    sample(h, 300 < HANDOFF_MAX_CELLS ? 300 : HANDOFF_MAX_CELLS);
    static uint8_t rec[65536], out[70000], back[65536];
    size_t n = handoff_encode(h, rec, sizeof rec);
    struct handoff_chunk ch[HANDOFF_MAX_CHUNKS];
    unsigned k = handoff_split(rec, n, 1024, out, sizeof out, ch, HANDOFF_MAX_CHUNKS);
    CHECK_EQ_U64(k, (n + 1007) / 1008);
    for (unsigned i = 0; i < k; i++)
        CHECK(ch[i].len <= 1024 && handoff_chunk_count(ch[i].p, ch[i].len) == k);
    /* A header claiming more chunks than a record may have is refused before
     * anyone sizes a table by it. */
    uint8_t forged[HANDOFF_CHUNK_HEAD];
    memcpy(forged, ch[0].p, sizeof forged);
    forged[5] = HANDOFF_MAX_CHUNKS + 1;
    CHECK_EQ_U64(handoff_chunk_count(forged, sizeof forged), 0);
    /* Any order joins back. */
    struct handoff_chunk rev[HANDOFF_MAX_CHUNKS];
    for (unsigned i = 0; i < k; i++)
        rev[i] = ch[k - 1 - i];
    size_t len = 0;
    CHECK_EQ_U64(handoff_join(rev, k, back, sizeof back, &len), HANDOFF_OK);
    CHECK_EQ_U64(len, n);
    CHECK(!memcmp(back, rec, n));
    CHECK_EQ_U64(handoff_decode(g, back, len), HANDOFF_OK);
    CHECK_EQ_U64(g->ncells, HANDOFF_MAX_CELLS);

    /* A missing chunk, a repeated one, a truncated one, a stale one. */
    CHECK_EQ_U64(handoff_join(ch, k - 1, back, sizeof back, &len), HANDOFF_CHUNKS);
    struct handoff_chunk dup[HANDOFF_MAX_CHUNKS];
    memcpy(dup, ch, sizeof ch);
    dup[1] = dup[0];
    CHECK_EQ_U64(handoff_join(dup, k, back, sizeof back, &len), HANDOFF_CHUNKS);
    memcpy(dup, ch, sizeof ch);
    dup[2].len -= 5;
    CHECK(handoff_join(dup, k, back, sizeof back, &len) != HANDOFF_OK);
    static uint8_t out2[70000];
    struct handoff_chunk ch2[HANDOFF_MAX_CHUNKS];
    h->seq = 8;   /* a later checkpoint: same size, other CRC */
    size_t n2 = handoff_encode(h, rec, sizeof rec);
    CHECK_EQ_U64(n2, n);
    handoff_split(rec, n2, 1024, out2, sizeof out2, ch2, HANDOFF_MAX_CHUNKS);
    memcpy(dup, ch, sizeof ch);
    dup[1] = ch2[1];
    CHECK_EQ_U64(handoff_join(dup, k, back, sizeof back, &len), HANDOFF_CHUNKS);
    /* Flipping payload bits inside one chunk: the record's CRC catches it. */
    static uint8_t copy[70000];
    memcpy(copy, out, sizeof out);
    struct handoff_chunk cc[HANDOFF_MAX_CHUNKS];
    for (unsigned i = 0; i < k; i++)
        cc[i] = (struct handoff_chunk){ copy + (ch[i].p - out), ch[i].len };
    copy[(ch[3].p - out) + 40] ^= 0x10;
    CHECK_EQ_U64(handoff_join(cc, k, back, sizeof back, &len), HANDOFF_OK);
    CHECK_EQ_U64(handoff_decode(g, back, len), HANDOFF_CRC);
    /* Chunks too small to carry anything, or too many of them. */
    CHECK_EQ_U64(handoff_split(rec, n, HANDOFF_CHUNK_HEAD, out, sizeof out, ch, HANDOFF_MAX_CHUNKS), 0);
    CHECK_EQ_U64(handoff_split(rec, n, 64, out, sizeof out, ch, HANDOFF_MAX_CHUNKS), 0);
    CHECK_EQ_U64(handoff_split(rec, n, 1024, out, 100, ch, HANDOFF_MAX_CHUNKS), 0);
    /* A record that fits one chunk. */
    sample(h, 1);
    n = handoff_encode(h, rec, sizeof rec);
    CHECK_EQ_U64(handoff_split(rec, n, 8192, out, sizeof out, ch, HANDOFF_MAX_CHUNKS), 1);
}

TEST(handoff_crc32_known_value)
{
    CHECK_EQ_U64(handoff_crc32((const uint8_t *)"123456789", 9), 0xcbf43926u);
}

/* --- the session round trip: full coverage concludes what firmware mode does --- */

#define RT_CELLS 8192
#define RT_GRAN 8192

struct rt_side {
    struct session s;
    struct cell cells[RT_CELLS], known[RT_CELLS], sorted[RT_CELLS];
    uint64_t gran[RT_GRAN];
    struct cover_pair pairs[RT_GRAN];
    struct session_out out;
    struct session_carry carry;
    char csv[1 << 20];
    struct sbuf sb;
};

/* One failing word of a fault set. */
struct rt_err {
    unsigned test, cpu, flags;
    uint64_t addr, expected, actual, ms;
};

static void rt_init(struct rt_side *x, int full)
{
    session_init(&x->s, x->cells, RT_CELLS, x->known, RT_CELLS);
    session_start(&x->s, "2026-12-03 12:00:00", 0xabcd);
    x->s.plan.ram_top = 16ull << 30;
    x->s.plan.ntest = 1;
    x->s.plan.test[0] = (struct mem_range){ 1 << 20, (16ull << 30) - (1 << 20) };
    sbuf_init(&x->sb, x->csv, sizeof x->csv);
    if (full)
        session_carry(&x->s, &x->carry);
}

/* Feed the words as the error path does: a drain every 64 words takes the
 * closed summaries, in both modes alike. */
static void rt_feed(struct rt_side *x, const struct rt_err *e, unsigned n, int full)
{
    struct session_cell_news news[64];
    uint64_t words;
    unsigned test = ~0u;
    for (unsigned i = 0; i < n; i++) {
        if (e[i].test != test) {
            if (x->s.test)
                session_test_end(&x->s, x->s.test, 0, 10, 0, 0);
            test = e[i].test;
            session_test_begin(&x->s, mt_find(test));
        }
        x->sb.len = 0;
        session_take_error(&x->s, e[i].cpu, e[i].addr, e[i].expected, e[i].actual, e[i].ms, e[i].flags,
                           FAILBIT_NO_TEMP, full ? NULL : &x->sb, news);
        if (i % 64 == 63 || fold_pending(&x->s.fold))
            session_take_summaries(&x->s, full ? NULL : &x->sb, &words, NULL, NULL);
    }
    session_take_summaries(&x->s, full ? NULL : &x->sb, &words, NULL, NULL);
    if (x->s.test)
        session_test_end(&x->s, x->s.test, 0, 10, 0, 0);
    session_pass_end(&x->s);
}

static void rt_finish(struct rt_side *x)
{
    struct session_platform pf = { .firmware = "test", .serial_route = "none", .temp_source = "n/a",
                                   .cpus_used = 1, .cpus_found = 1, .total_ms = 1000 };
    x->out.sorted = x->sorted, x->out.cap_cells = RT_CELLS;
    x->out.gran = x->gran, x->out.pairs = x->pairs, x->out.cap_gran = RT_GRAN;
    session_finish(&x->s, &pf, &x->out);
}

static void grub_line(const struct rt_side *x, char *buf, size_t cap)
{
    struct sbuf sb;
    sbuf_init(&sb, buf, cap);
    badram_render_form(&sb, BADRAM_GRUB, &x->out.set);
}

static struct rt_side *fw_side, *full_side, *next_side;
static struct handoff rt_rec, rt_back;

/* Every granule firmware mode masks is masked after the hand-off too. */
static int fw_granules_masked(void)
{
    const struct badram_set *f = &fw_side->out.set, *g = &next_side->out.set;
    int covered = 1;
    for (unsigned i = 0; i < f->ngran; i++) {
        int hit = 0;
        for (unsigned j = 0; j < g->npairs && !hit; j++)
            hit = (f->gran[i] & g->pairs[j].mask) == (g->pairs[j].addr & g->pairs[j].mask);
        covered &= hit;
    }
    return covered;
}

/* Firmware mode and full coverage (encoded, decoded, rebuilt) over the same
 * words. Returns 1 when the cell tables came out identical. */
static int rt_run(const struct rt_err *e, unsigned n, int *same_line, int *sums_add_up)
{
    if (!fw_side) {
        fw_side = calloc(1, sizeof *fw_side);
        full_side = calloc(1, sizeof *full_side);
        next_side = calloc(1, sizeof *next_side);
    }
    rt_init(fw_side, 0);
    rt_init(full_side, 1);
    rt_feed(fw_side, e, n, 0);
    rt_feed(full_side, e, n, 1);
    static struct cell xc[RT_CELLS];
    static uint64_t xg[RT_CELLS];
    struct handoff_scratch x = { xc, xg, RT_CELLS };
    memset(&rt_rec, 0, sizeof rt_rec);
    handoff_from_session(&rt_rec, &full_side->s, &x);
    rt_rec.ntested = 1;
    rt_rec.tested[0] = full_side->s.plan.test[0];
    rt_rec.ram_bytes = 16ull << 30;
    static uint8_t buf[HANDOFF_REC_BYTES];
    size_t len = handoff_encode(&rt_rec, buf, sizeof buf);
    if (!len || handoff_decode(&rt_back, buf, len) != HANDOFF_OK)
        return -1;
    rt_init(next_side, 0);
    handoff_to_session(&rt_back, &next_side->s, &next_side->sb);
    rt_finish(fw_side);
    rt_finish(next_side);
    char a[4096], b[4096];
    grub_line(fw_side, a, sizeof a);
    grub_line(next_side, b, sizeof b);
    *same_line = !strcmp(a, b);
    const struct report_in *f = &fw_side->out.in, *g = &next_side->out.in;
    *sums_add_up = f->counted == g->counted && g->counted == n && f->lost == 0 && g->lost == 0 &&
                   g->written + g->summarised == g->counted && f->written + f->summarised == f->counted &&
                   f->ncells + f->cells_beyond == g->ncells + g->cells_beyond;
    for (unsigned i = 0; i < fw_side->s.nrt; i++)
        *sums_add_up &= fw_side->s.rt[i].error_words == next_side->s.rt[i].error_words;
    if (f->ncells != g->ncells)
        return 0;
    for (unsigned i = 0; i < f->ncells; i++) {
        const struct cell *c = &f->cells[i], *d = &g->cells[i];
        if (c->addr != d->addr || c->bit != d->bit || c->count != d->count || c->tests != d->tests ||
            !c->certain != !d->certain || c->first_ms != d->first_ms || c->last_ms != d->last_ms)
            return 0;
    }
    return 1;
}

/* Machine-check reports in both modes: the same counts, event rows, ecc
 * cells and GRUB line after the hand-off as in firmware mode. */
TEST(handoff_session_ecc_reports_the_same)
{
    if (!fw_side) {
        fw_side = calloc(1, sizeof *fw_side);
        full_side = calloc(1, sizeof *full_side);
        next_side = calloc(1, sizeof *next_side);
    }
    struct rt_err e[2] = { { 5, 0, 0, 0x40000008, 0, 1u << 3, 5 }, { 5, 1, 0, 0x50000000, ~0ull, ~0ull ^ 1, 6 } };
    struct { unsigned cpu, bank; uint64_t status, addr, misc, ms; } mc[] = {
        { 0, 1, 0x9c0000000000009full, 0x12345067, 0x86, 10 },     /* corrected, physical, LSB 6 */
        { 1, 2, 0x9c000000000000a1ull, 0x23456000, 0x8c, 20 },     /* CPU 1, LSB 12 */
        { 0, 1, 0x9c0000000000009full, 0x12345040, 0x86, 30 },     /* the first again: counted */
        { 0, 3, 0x900000000000009full, 0, 0, 40 },                 /* no ADDRV: reported only */
        { 1, 4, 0xbc0000000000009full, 0x34567000, 0x86, 50 },     /* uncorrected, physical */
        { 0, 6, 0x9c00000000000150ull, 0x1000, 0x86, 60 },         /* a cache error: not ours */
    };
    struct rt_side *sides[2] = { fw_side, full_side };
    for (int k = 0; k < 2; k++) {
        rt_init(sides[k], k);
        sides[k]->s.mce.state = SESSION_MCE_POLL;
        sides[k]->s.mce.banks = 10;
        sides[k]->s.mce.cpus = 2;
        rt_feed(sides[k], e, 2, k);
        struct session_cell_news news[1];
        unsigned nn = 0;
        for (unsigned i = 0; i < sizeof mc / sizeof mc[0]; i++)
            nn += session_take_mce(&sides[k]->s, mc[i].cpu, mc[i].bank, mc[i].status, mc[i].addr, mc[i].misc, 0,
                                   mc[i].ms, FAILBIT_NO_TEMP, k ? NULL : &sides[k]->sb, news, NULL);
        CHECK_EQ_U64(nn, 3);
    }
    CHECK(strstr(fw_side->csv, ",0x12345040,0,0x0000000000000000,0x0000000000000000,,0,ecc\n"));
    CHECK(strstr(fw_side->csv, "# ecc 0.040 cpu 0 bank 3 status 0x900000000000009f"));
    CHECK_EQ_U64(fw_side->s.mce.corrected, 4);
    CHECK_EQ_U64(fw_side->s.mce.uncorrected, 1);
    CHECK_EQ_U64(fw_side->s.mce.nev, 4);
    static struct cell xc[RT_CELLS];
    static uint64_t xg[RT_CELLS];
    struct handoff_scratch x = { xc, xg, RT_CELLS };
    memset(&rt_rec, 0, sizeof rt_rec);
    handoff_from_session(&rt_rec, &full_side->s, &x);
    rt_rec.ntested = 1;
    rt_rec.tested[0] = full_side->s.plan.test[0];
    rt_rec.ram_bytes = 16ull << 30;
    static uint8_t buf[HANDOFF_REC_BYTES];
    size_t len = handoff_encode(&rt_rec, buf, sizeof buf);
    CHECK(len && handoff_decode(&rt_back, buf, len) == HANDOFF_OK);
    rt_init(next_side, 0);
    handoff_to_session(&rt_back, &next_side->s, &next_side->sb);
    CHECK(strstr(next_side->csv, ",0x23456000,0,0x0000000000000000,0x0000000000000000,,0,ecc\n"));
    CHECK(strstr(next_side->csv, "# ecc 0.040 cpu 0 bank 3 status 0x900000000000009f addr 0x0 misc 0x0 corrected, "
                                 "not masked: no address logged (ADDRV clear)\n"));
    rt_finish(fw_side);
    rt_finish(next_side);
    CHECK_STR(next_side->out.ecc, fw_side->out.ecc);
    CHECK(strstr(fw_side->out.ecc, "ECC/machine check: polling 10 banks on 2 CPUs; 4 corrected, 1 uncorrected\n"));
    CHECK(strstr(fw_side->out.ecc, "cpu 0 bank 1: corrected memory error, MCACOD 0x009f, status 0x9c0000000000009f, "
                                   "2 times"));
    CHECK(strstr(fw_side->out.ecc, "NOT masked: no address logged (ADDRV clear)"));
    char a[4096], b[4096];
    grub_line(fw_side, a, sizeof a);
    grub_line(next_side, b, sizeof b);
    CHECK_STR(a, b);
    /* The ecc cells are masked: 5 granules, two for the test cells, three for the ecc cells. */
    CHECK_EQ_U64(fw_side->out.set.ngran, 5);
    const struct cell *c = cells_find(&next_side->s.cells, 0x12345040, 0);
    CHECK(c && c->count == 2 && c->tests == 1u << CELLS_ECC_TEST);
    CHECK(next_side->out.in.ecc_events == 5);
    static char rep[1 << 16];
    struct sbuf sb;
    sbuf_init(&sb, rep, sizeof rep);
    session_report_text(&next_side->out, &sb);
    CHECK(strstr(rep, "result: FAIL: 2 errors, 5 weak cells"));
    CHECK(strstr(rep, "  0x0000000012345040    ?      2  "));
}

/* A stuck bit every test after test 2 found; test 2 (address uncertain) saw
 * it first. Masked in both modes, with the same count and tests. */
TEST(handoff_session_stuck_bit_first_seen_by_test_2)
{
    static struct rt_err e[215];
    unsigned k = 0;
    static const unsigned tests[] = { 2, 3, 4, 5, 6, 7, 8, 9 };
    for (unsigned t = 0; t < 8; t++)
        for (unsigned i = 0; i < (t ? 30u : 5u); i++)
            if (k < 215)
                e[k] = (struct rt_err){ tests[t], 0, tests[t] == 2 || tests[t] == 7 ? FAILBIT_ADDR_UNCERTAIN : 0,
                                        0x2000028, 0xff, 0xdf, 100 + k }, k++;
    int line, sums;
    CHECK_EQ_U64(rt_run(e, k, &line, &sums), 1);
    CHECK(line);
    CHECK(sums);
    char b[4096];
    grub_line(next_side, b, sizeof b);
    CHECK(!strcmp(b, "GRUB_BADRAM=\"0x2000000,0x7ffffffffff00000\"\n"));
    CHECK_EQ_U64(next_side->out.in.cells[0].count, 215);
    CHECK_EQ_U64(next_side->out.in.cells[0].tests, 0x3fcu);
    /* The record carried rows up to its cap, the rest as a summary. */
    CHECK_EQ_U64(rt_rec.nrows, HANDOFF_MAX_ROWS);
    CHECK(rt_rec.nsums >= 1);
}

/* A 64 KiB region across two CPUs' chunks and a 1 MiB boundary, read wrong
 * on every sweep, half the words from rings that had to shed. */
TEST(handoff_session_region_across_chunks)
{
    unsigned words = 8192, sweeps = 6, k = 0;
    struct rt_err *e = calloc(words * sweeps, sizeof *e);
    for (unsigned s = 0; s < sweeps; s++)
        for (unsigned w = 0; w < words; w++) {
            uint64_t a = 0x8ff8000 + 8ull * w;
            e[k] = (struct rt_err){ 5, a < 0x9000000 ? 0 : 1, w % 2 ? FOLD_SHED : 0, a, 0, 1 << 9, 1000 + k };
            k++;
        }
    int line, sums;
    CHECK(rt_run(e, k, &line, &sums) >= 0);
    CHECK(line);
    CHECK(sums);
    char b[4096];
    grub_line(next_side, b, sizeof b);
    CHECK(strstr(b, "0x8f00000") && strstr(b, "0x9000000"));
    CHECK_EQ_U64(rt_back.gran_widened, 0);
    free(e);
}

/* Isolated cells, some uncertain only: the cell set, flags and line match. */
TEST(handoff_session_isolated_cells)
{
    static struct rt_err e[400];
    srand(7);
    for (unsigned i = 0; i < 400; i++) {
        uint64_t a = ((uint64_t)(rand() % 200) << 22) + ((uint64_t)rand() % 4096) * 8 + (1ull << 22);
        e[i] = (struct rt_err){ 3 + i % 6, i % 4, i % 7 == 0 ? FAILBIT_ADDR_UNCERTAIN : 0, a, 0,
                                1ull << (rand() % 64), i };
    }
    int line, sums;
    CHECK_EQ_U64(rt_run(e, 120, &line, &sums), 1);   /* fits the record: identical tables */
    CHECK(line);
    CHECK(sums);
    CHECK(rt_run(e, 400, &line, &sums) >= 0);        /* more cells than the record holds */
    CHECK(line);
    CHECK(sums);
    CHECK(rt_back.cells_total > HANDOFF_MAX_CELLS);
}

/* More bad granules, far apart, than the record has runs for: the granule list is widened to
 * fit, never cut; the line covers every granule firmware mode masks, and
 * the report states the good memory given up. */
TEST(handoff_session_thousands_of_cells)
{
    unsigned n = 2 * HANDOFF_MAX_GRAN;
    struct rt_err *e = calloc(n, sizeof *e);
    for (unsigned i = 0; i < n; i++)
        e[i] = (struct rt_err){ 5, i % 4, 0, (1ull << 22) + (uint64_t)i * (5ull << 20) + 8 * (i % 100), 0, 1ull << (i % 64), i };
    int line, sums;
    CHECK(rt_run(e, n, &line, &sums) >= 0);
    CHECK(sums);
    CHECK(rt_back.gran_widened > 0);
    CHECK(rt_back.ngran <= HANDOFF_MAX_GRAN);
    /* Every granule firmware mode masks is masked after the hand-off. */
    CHECK(fw_granules_masked());
    CHECK(fw_side->out.set.ngran > HANDOFF_MAX_GRAN);
    static char rep[1 << 18];
    struct sbuf sb;
    sbuf_init(&sb, rep, sizeof rep);
    session_report_text(&next_side->out, &sb);
    CHECK(strstr(rep, "bad granules merged to fit the hand-off record") != 0);
    free(e);
}

/* A record shrunk for a small store: each step makes it smaller, rows,
 * summaries and counts stay, and the next boot still masks every granule
 * firmware mode masks and its counts add up. */
TEST(handoff_shrink_keeps_every_granule_and_count)
{
    unsigned n = 2 * HANDOFF_MAX_GRAN;
    struct rt_err *e = calloc(n, sizeof *e);
    for (unsigned i = 0; i < n; i++)
        e[i] = (struct rt_err){ 5, i % 4, 0, (1ull << 22) + (uint64_t)i * (3ull << 20) + 8 * (i % 100), 0,
                                1ull << (i % 64), i };
    int line, sums;
    CHECK(rt_run(e, n, &line, &sums) >= 0);
    size_t last = handoff_size(&rt_rec);
    unsigned steps = 0, smaller = 1;
    while (handoff_shrink(&rt_rec)) {
        size_t now = handoff_size(&rt_rec);
        smaller &= now < last;
        last = now;
        steps++;
    }
    CHECK(smaller);
    CHECK(steps >= 3);
    CHECK_EQ_U64(rt_rec.shrunk, steps);
    CHECK_EQ_U64(rt_rec.ncells, 0);
    CHECK_EQ_U64(rt_rec.ngran, 1);
    CHECK_EQ_U64(rt_rec.nrows, HANDOFF_MAX_ROWS);
    static uint8_t buf[HANDOFF_REC_BYTES];
    size_t len = handoff_encode(&rt_rec, buf, sizeof buf);
    CHECK(len > 0 && handoff_decode(&rt_back, buf, len) == HANDOFF_OK);
    CHECK_EQ_U64(rt_back.shrunk, steps);
    rt_init(next_side, 0);
    handoff_to_session(&rt_back, &next_side->s, &next_side->sb);
    rt_finish(next_side);
    CHECK(fw_granules_masked());
    const struct report_in *r = &next_side->out.in;
    CHECK(r->counted == n && r->lost == 0 && r->written + r->summarised == n);
    CHECK_EQ_U64(r->ncells + r->cells_beyond, fw_side->out.in.ncells);
    free(e);
}

/* Row hammer across the reset: test 11's entry, its rows' source and the
 * aggressor pairs with their phases come back, so the next boot's report
 * says what firmware mode's says (pairs, verdict). */
TEST(handoff_row_hammer_round_trip)
{
    struct handoff *h = &h_in, *g = &h_out;
    sample(h, 4);
    h->ntests = 3;
    h->tests[2] = (struct handoff_test){ MT_HAMMER_TEST, 1, 0, 800, 1 << 18, 3, 0 };
    h->rows[0].test = MT_HAMMER_TEST;
    h->rows[0].flags = FAILBIT_HAMMER | FAILBIT_HAMMER_SLOW;
    h->hammer = (struct session_hammer){ .fast_words = 2, .slow_words = 1, .npairs = 2, .last = -1 };
    h->hammer.pair[0] = (struct session_hammer_pair){ 0x2002048, 0x2000040, 0x2004040, 1 << 17, 1, 1 };
    h->hammer.pair[1] = (struct session_hammer_pair){ 0x2002090, 0x2000080, 0x2004080, 1 << 3, 1, 0 };
    static uint8_t buf[HANDOFF_REC_BYTES];
    size_t n = handoff_encode(h, buf, sizeof buf);
    CHECK(n > 0);
    memset(g, 0xa5, sizeof *g);
    CHECK_EQ_U64(handoff_decode(g, buf, n), HANDOFF_OK);
    CHECK(!memcmp(&g->hammer, &h->hammer, sizeof h->hammer));
    CHECK_EQ_U64(g->tests[2].num, MT_HAMMER_TEST);
    CHECK_EQ_U64(g->rows[0].flags, FAILBIT_HAMMER | FAILBIT_HAMMER_SLOW);

    static struct session s;
    static struct cell mem[64], known[16];
    session_init(&s, mem, 64, known, 16);
    const char *il = "bank:0x40,bank:0x80";
    memcpy(s.cfg.interleave, il, strlen(il) + 1);
    s.cfg.hammer_rowshift = 13;
    static char csv_buf[64 << 10], text[4096];
    struct sbuf csv, sb;
    sbuf_init(&csv, csv_buf, sizeof csv_buf);
    handoff_to_session(g, &s, &csv);
    CHECK(strstr(csv_buf, ",hammer\n") != 0);
    sbuf_init(&sb, text, sizeof text);
    session_hammer_lines(&s, &sb);
    CHECK(strstr(text, "2 words flipped at the highest rate (phase 1), 1 at the realistic rate") != 0);
    CHECK(strstr(text, "ERROR: flips at the realistic rate") != 0);
    CHECK(strstr(text, "  0x2002048 bits 0x20000 (victim row 0x1001, bank 1): phase 1 1x, phase 2 1x: error; "
                       "aggressors 0x2000040 (row 0x1000) and 0x2004040 (row 0x1002)\n") != 0);
    CHECK(strstr(text, "  0x2002090 bits 0x8 (victim row 0x1001, bank 2): phase 1 1x, phase 2 0x: warning") != 0);
}
