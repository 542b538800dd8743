// SPDX-License-Identifier: MIT
#include "core/kernels/row_hammer.h"
#include "core/hammer.h"
#include "core/prng.h"
#include "core/kernels/memio.h"

#define BATCH 1024          /* phase 1 rounds between two looks at the clock */
#define PACED_BURST 64      /* phase 2: most rounds in one go when catching up */
#define SEARCH_CANDS 32     /* timing search: lines of row r+1 tried against r-1 */
#define SEARCH_ROUNDS 512   /* ... rounds per timing probe */
#define MAX_BANKS 4096

struct hctx {
    struct mt_run *r;
    const struct hammer_geom *g;
    uint64_t slice_us;
    int fence;
    unsigned bank;      /* the bank being hammered */
};

static uint64_t now_us(const struct mt_run *r)
{
    return r->ops->now_us(r->ops->ctx);
}

static int clocked(const struct mt_run *r)
{
    return r->ops->now_us != 0;
}

/* The words of `row` in the current bank that the run owns (every word of
 * the row's span without a model), one line at a time: fn(h, word, arg). */
static uint64_t span_each(struct hctx *h, uint64_t row, uint64_t (*fn)(struct hctx *, uint64_t, const void *),
                          const void *arg)
{
    const struct hammer_geom *g = h->g;
    uint64_t n = 0, lo = row << g->rowshift, hi = lo + (1ull << g->rowshift);
    for (unsigned i = 0; i < h->r->nranges; i++) {
        const struct mem_range *m = &h->r->ranges[i];
        uint64_t a = m->base > lo ? m->base : lo, e = m->base + m->len < hi ? m->base + m->len : hi;
        while (a < e) {
            uint64_t line_end = (a | (HAMMER_LINE - 1)) + 1;
            int mine = !g->nbits || hammer_bank(g, a) == h->bank;
            for (; a < e && a < line_end; a += 8)
                if (mine)
                    n += fn(h, a, arg);
        }
    }
    return n;
}

static uint64_t fill_word(struct hctx *h, uint64_t w, const void *arg)
{
    (void)h;
    memio_write(w, *(const uint64_t *)arg);
    return 0;
}

struct check_arg {
    uint64_t p, a, b;
    unsigned flags;
};

/* A wrong word is reported with its aggressor pair and rewritten. */
static uint64_t check_word(struct hctx *h, uint64_t w, const void *arg)
{
    const struct check_arg *c = arg;
    uint64_t v = memio_read(w);
    if (v == c->p)
        return 0;
    mt_note_pair(h->r, w, c->a, c->b, c->flags);
    mt_report_flagged(h->r, w, c->p, v, FAILBIT_HAMMER | c->flags);
    memio_write(w, c->p);
    return 1;
}

static void span_fill(struct hctx *h, uint64_t row, uint64_t p)
{
    span_each(h, row, fill_word, &p);
}

/* Check the victim row for p. Returns the wrong words. */
static uint64_t span_check(struct hctx *h, uint64_t row, uint64_t p, uint64_t a, uint64_t b, unsigned flags)
{
    struct check_arg c = { p, a, b, flags };
    return span_each(h, row, check_word, &c);
}

/* Phase 1: as fast as the CPU goes, for one slice. */
static void hammer_fast(struct hctx *h, uint64_t a, uint64_t b)
{
    if (!clocked(h->r)) {
        memio_hammer(a, b, HAMMER_CLOCKLESS_ROUNDS, h->fence);
        return;
    }
    uint64_t t0 = now_us(h->r);
    do
        memio_hammer(a, b, BATCH, h->fence);
    while (now_us(h->r) - t0 < h->slice_us);
}

/* Phase 2: never ahead of HAMMER_REAL_ACTS rounds per HAMMER_REFRESH_MS
 * since the start, for one slice: no 64 ms window of the real clock sees
 * more than that many activations of either aggressor. */
static void hammer_paced(struct hctx *h, uint64_t a, uint64_t b)
{
    if (!clocked(h->r)) {
        memio_hammer(a, b, HAMMER_CLOCKLESS_ROUNDS / 16, h->fence);
        return;
    }
    uint64_t t0 = now_us(h->r), done = 0, el;
    while ((el = now_us(h->r) - t0) < h->slice_us) {
        uint64_t allowed = el * HAMMER_REAL_ACTS / (HAMMER_REFRESH_MS * 1000);
        /* Time lost to a stall (an SMI, a host that did not run the
         * guest) is not made up in a burst at full rate. */
        if (allowed > done + PACED_BURST)
            done = allowed - PACED_BURST;
        if (allowed <= done) {
            memio_spin();
            continue;
        }
        uint64_t k = allowed - done < PACED_BURST ? allowed - done : PACED_BURST;
        memio_hammer(a, b, k, h->fence);
        done += k;
    }
}

/* One victim row, one stripe pattern and its complement: fill, hammer at
 * full rate, check; a pattern that flipped is hammered again, paced. */
static void hammer_victim(struct hctx *h, uint64_t row, uint64_t a, uint64_t b, int double_sided, uint64_t p0)
{
    const struct hammer_geom *g = h->g;
    for (int pol = 0; pol < 2 && !h->r->aborted; pol++) {
        uint64_t p = pol ? ~p0 : p0;
        span_fill(h, row, p);
        span_fill(h, hammer_row(g, a), ~p);
        if (double_sided)
            span_fill(h, hammer_row(g, b), ~p);
        memio_flush();   /* the stripes in DRAM, not in the caches */
        hammer_fast(h, a, b);
        memio_flush();
        if (!span_check(h, row, p, a, b, 0))
            continue;
        memio_flush();
        hammer_paced(h, a, b);
        memio_flush();
        span_check(h, row, p, a, b, FAILBIT_HAMMER_SLOW);
    }
}

/* The stripes: 0x55/0xAA, ones/zeros, the seeded random pattern, each
 * with its complement; victim i gets pattern i % 3. */
static uint64_t stripe(uint64_t *rng, unsigned i)
{
    switch (i % 3) {
    case 0:
        return 0x5555555555555555ull;
    case 1:
        return ~0ull;
    default:
        return prng_next(rng);
    }
}

/* Time of SEARCH_ROUNDS alternating uncached reads of x and y (ctx: the run). */
static uint64_t probe(void *ctx, uint64_t x, uint64_t y)
{
    struct mt_run *r = ctx;
    uint64_t t0 = now_us(r);
    memio_hammer(x, y, SEARCH_ROUNDS, 1);
    return now_us(r) - t0;
}

/* No model: the second aggressor of victim row `row` is a line of row+1
 * that conflicts with `a` (row-1) in the row buffer: the same bank. */
static int search_pair(struct hctx *h, uint64_t row, uint64_t *a, uint64_t *b)
{
    const struct hammer_geom *g = h->g;
    uint64_t span = 1ull << g->rowshift, cand[SEARCH_CANDS], found[1];
    unsigned n = 0;
    if (!clocked(h->r) || !row)
        return -1;
    *a = (row - 1) << g->rowshift;
    if (!hammer_owned(h->r->ranges, h->r->nranges, *a, HAMMER_LINE))
        return -1;
    for (unsigned i = 0; i < SEARCH_CANDS; i++) {
        uint64_t c = ((row + 1) << g->rowshift) + span / SEARCH_CANDS * i;
        c &= ~(uint64_t)(HAMMER_LINE - 1);
        if (hammer_owned(h->r->ranges, h->r->nranges, c, HAMMER_LINE))
            cand[n++] = c;
    }
    return hammer_find_conflicts(probe, h->r, *a, cand, n, found, 1) ? (*b = found[0], 0) : -1;
}

void row_hammer(struct mt_run *r)
{
    struct hammer_geom one;
    const struct hammer_geom *g = r->ops->hammer;
    if (!g) {
        hammer_geom_init(&one, 0, HAMMER_DEFAULT_ROWSHIFT);
        g = &one;
    }
    if (!r->nranges) {
        mt_sync(r);
        return;
    }
    uint64_t ms = r->ops->hammer_ms ? r->ops->hammer_ms : 1;
    uint64_t slice_ms = ms / 4 < 1 ? 1 : ms / 4 > HAMMER_SLICE_MS ? HAMMER_SLICE_MS : ms / 4;
    struct hctx h = { r, g, slice_ms * 1000, r->ops->hammer_fence, 0 };
    uint64_t rng = r->seed ? r->seed : 1;
    unsigned nbanks = g->nbits >= 12 ? MAX_BANKS : 1u << g->nbits;
    const struct mem_range *last = &r->ranges[r->nranges - 1];
    uint64_t first_row = hammer_row(g, r->ranges[0].base), end_row = hammer_row(g, last->base + last->len - 1);
    unsigned victims = 0;
    /* The CPUs start on different banks and go round. */
    for (unsigned k = 0; k < nbanks && !r->aborted; k++) {
        unsigned bank = (k + r->cpu) % nbanks;
        h.bank = bank;
        uint64_t t0 = clocked(r) ? now_us(r) : 0;
        unsigned here = 0;
        for (int kind = HAMMER_DOUBLE; kind <= HAMMER_SINGLE && !r->aborted; kind++) {
            for (uint64_t row = first_row; row <= end_row && !r->aborted; row++) {
                if (clocked(r) ? now_us(r) - t0 >= ms * 1000 : here >= 2)
                    break;
                uint64_t v, a, b;
                if (hammer_in_row(g, row, bank, row << g->rowshift, &v) ||
                    !hammer_owned(r->ranges, r->nranges, v, 8))
                    continue;
                int found = r->ops->hammer_search
                                ? (kind == HAMMER_DOUBLE ? search_pair(&h, row, &a, &b) : -1)
                                : hammer_pair(g, (enum hammer_kind)kind, v, r->ranges, r->nranges, &a, &b);
                if (found)
                    continue;
                hammer_victim(&h, row, a, b, kind == HAMMER_DOUBLE, stripe(&rng, victims));
                victims++;
                here++;
                mt_poll(r);
            }
        }
    }
    mt_sync(r);   /* every CPU once, whatever its ranges */
    r->sweeps_done = 1;
}

uint64_t row_hammer_sweeps(unsigned iters)
{
    (void)iters;
    return 1;
}
