// SPDX-License-Identifier: MIT
#include "core/kernels/addr_walk.h"
#include "core/kernels/memio.h"

#define MAX_PROBES 64   /* the anchor and up to 61 partners (bits 3..63) */

/* Ranges are ascending and disjoint: binary search. */
static int in_ranges(const struct mt_run *r, uint64_t a)
{
    unsigned lo = 0, hi = r->nranges;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        const struct mem_range *m = &r->ranges[mid];
        if (a < m->base)
            hi = mid;
        else if (a - m->base >= m->len)
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

static unsigned partners(const struct mt_run *r, uint64_t a, uint64_t *out)
{
    unsigned n = 0;
    for (unsigned k = 3; k < 64; k++)
        if (in_ranges(r, a ^ (1ull << k))) {
            if (out)
                out[n] = a ^ (1ull << k);
            n++;
        }
    return n;
}

uint64_t addr_walk_anchor(const struct mt_run *r, unsigned i)
{
    uint64_t base = r->ranges[i].base, end = base + r->ranges[i].len;
    uint64_t best = base;
    unsigned best_n = partners(r, base, 0);
    /* The most aligned words of a range see the most address lines inside it. */
    for (unsigned m = 3; m < 64; m++) {
        uint64_t step = 1ull << m, a = (base + step - 1) & ~(step - 1);
        if (a < base || a >= end)
            break;
        unsigned n = partners(r, a, 0);
        if (n > best_n) {
            best = a;
            best_n = n;
        }
    }
    return best;
}

/* Values: a probed word x holds x ^ q; the marker for x is x ^ q ^ 4. Either
 * decodes (^ q, bit 2 cleared) back to x, so a wrong value tells whose
 * write it was. */
static void check(struct mt_run *r, uint64_t x, uint64_t want, uint64_t q)
{
    uint64_t v = memio_read(x);
    if (v == want)
        return;
    unsigned flags = mt_names_other(x, (v ^ q) & ~4ull) ? FAILBIT_ADDR_UNCERTAIN : 0;
    mt_report_flagged(r, x, want, v, flags);
    memio_write(x, want);   /* one bad step must not fail every later one */
}

static void walk(struct mt_run *r, uint64_t anchor, uint64_t q)
{
    uint64_t p[MAX_PROBES];
    p[0] = anchor;
    unsigned n = 1 + partners(r, anchor, p + 1);
    for (unsigned i = 0; i < n; i++)
        memio_write(p[i], p[i] ^ q);
    mt_sync(r);
    for (unsigned i = 0; i < n; i++)
        check(r, p[i], p[i] ^ q, q);
    /* Walk the marker: one probed word at a time differs. */
    for (unsigned k = 0; k < n && !mt_poll(r); k++) {
        memio_write(p[k], p[k] ^ q ^ 4);
        mt_sync(r);
        for (unsigned i = 0; i < n; i++)
            check(r, p[i], p[i] ^ q ^ (i == k ? 4 : 0), q);
        memio_write(p[k], p[k] ^ q);
    }
    mt_sync(r);
}

void addr_walk(struct mt_run *r)
{
    mt_cache(r, 0);
    for (unsigned it = 0; it < r->iterations && !r->aborted; it++)
        for (unsigned i = 0; i < r->nranges && !r->aborted; i++) {
            uint64_t a = addr_walk_anchor(r, i);
            walk(r, a, 0);
            if (!r->aborted)
                walk(r, a, ~0ull);
        }
    mt_cache(r, 1);
}

uint64_t addr_walk_sweeps(unsigned iters)
{
    (void)iters;
    return 0;
}
