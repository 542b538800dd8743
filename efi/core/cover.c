// SPDX-License-Identifier: MIT
#include "core/cover.h"

#define MASK_BITS 0x7fffffffffffffffull

uint64_t cover_limit(uint64_t x)
{
    uint64_t l = 1ull << 32;
    while (l < x && l < (1ull << 63))
        l <<= 1;
    return l;
}

/* Own popcount: the freestanding build links no libgcc helpers. */
static unsigned popcount(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (unsigned)((x * 0x0101010101010101ull) >> 56);
}

/* Bytes of cube (a, m) below limit. */
static uint64_t cube_bytes(uint64_t a, uint64_t m, uint64_t limit)
{
    if (a & m & ~(limit - 1))
        return 0;
    return 1ull << popcount(~m & (limit - 1));
}

/* Inclusion-exclusion over the pairs from `start`, restricted to cube (a, m):
 * the sum over non-empty subsets T of (-1)^(|T|+1) |cube ∩ ∩T|. Disjoint
 * cubes prune at once, so this is near-linear for real covers. Unsigned
 * wrap-around is fine: the true result fits in 64 bits. */
static uint64_t union_rec(const struct cover_pair *p, unsigned n, unsigned start, uint64_t a,
                          uint64_t m, uint64_t limit)
{
    uint64_t total = 0;
    for (unsigned j = start; j < n; j++) {
        if ((a ^ p[j].addr) & m & p[j].mask)
            continue;
        uint64_t nm = m | p[j].mask, na = (a & m) | (p[j].addr & p[j].mask);
        uint64_t sz = cube_bytes(na, nm, limit);
        if (sz)
            total += sz - union_rec(p, n, j + 1, na, nm, limit);
    }
    return total;
}

uint64_t cover_bytes(const struct cover_pair *p, unsigned n, uint64_t limit)
{
    return union_rec(p, n, 0, 0, 0, limit);
}

static int before(const struct cover_pair *x, const struct cover_pair *y)
{
    return x->mask < y->mask || (x->mask == y->mask && x->addr < y->addr);
}

static void sort_pairs(struct cover_pair *p, unsigned n, int by_addr)
{
    for (unsigned gap = n / 2; gap; gap /= 2)
        for (unsigned i = gap; i < n; i++) {
            struct cover_pair x = p[i];
            unsigned j = i;
            while (j >= gap && (by_addr ? (x.addr & x.mask) < (p[j - gap].addr & p[j - gap].mask)
                                        : before(&x, &p[j - gap]))) {
                p[j] = p[j - gap];
                j -= gap;
            }
            p[j] = x;
        }
}

static int find(const struct cover_pair *p, unsigned n, uint64_t addr, uint64_t mask)
{
    struct cover_pair key = { addr, mask };
    unsigned lo = 0, hi = n;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (before(&p[mid], &key))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && p[lo].addr == addr && p[lo].mask == mask ? (int)lo : -1;
}

/* Pairs of equal mask whose addresses differ in exactly one fixed bit cover
 * exactly their union as one cube. Repeat until nothing merges. A used
 * partner is marked in address bit 0 (always clear: granules are >= 4 KiB),
 * which keeps the sort order intact for the binary searches. */
static unsigned exact_merges(struct cover_pair *p, unsigned n)
{
    for (int changed = 1; changed;) {
        changed = 0;
        sort_pairs(p, n, 0);
        unsigned k = 0;
        for (unsigned i = 0; i < n; i++) {
            if (p[i].addr & 1)
                continue;   /* merged into an earlier one */
            struct cover_pair c = p[i];
            uint64_t bits = c.mask & ~c.addr;
            while (bits) {
                uint64_t b = bits & -bits;
                bits &= bits - 1;
                /* The partner sorts after i; outputs are written before i. */
                int j = find(p + i + 1, n - i - 1, c.addr | b, c.mask);
                if (j < 0)
                    continue;
                p[i + 1 + (unsigned)j].addr |= 1;
                c.mask &= ~b;
                changed = 1;
                break;
            }
            p[k++] = c;
        }
        n = k;
    }
    return n;
}

static int inside(const struct cover_pair *c, uint64_t a, uint64_t m)
{
    return !(m & ~c->mask) && !((c->addr ^ a) & m);
}

/* Budget merges: always the candidate that adds the fewest bytes below
 * limit; on small sets every pair is a candidate and cubes it swallows are
 * credited, on large sets neighbours in address order only (quadratic). */
static unsigned budget_merges(struct cover_pair *p, unsigned n, unsigned budget, uint64_t limit,
                              int low_allowed, int *exceeded)
{
    while (n > budget) {
        sort_pairs(p, n, 1);
        int small = n <= 128;
        uint64_t best_cost = ~0ull, best_a = 0, best_m = 0;
        int found = 0;
        for (unsigned i = 0; i < n; i++) {
            unsigned jend = small ? n : (i + 2 < n ? i + 2 : n);
            for (unsigned j = i + 1; j < jend; j++) {
                uint64_t m = p[i].mask & p[j].mask & ~(p[i].addr ^ p[j].addr) & MASK_BITS;
                uint64_t a = p[i].addr & m;
                if (!low_allowed && !(a & m & ~(COVER_LOW_LIMIT - 1)))
                    continue;   /* would reach into the first MiB */
                uint64_t cost = cube_bytes(a, m, limit);
                if (small) {
                    for (unsigned k = 0; k < n; k++)
                        if (inside(&p[k], a, m))
                            cost -= cube_bytes(p[k].addr, p[k].mask, limit);
                } else {
                    cost -= cube_bytes(p[i].addr, p[i].mask, limit) +
                            cube_bytes(p[j].addr, p[j].mask, limit);
                }
                if (cost < best_cost) {
                    best_cost = cost;
                    best_a = a;
                    best_m = m;
                    found = 1;
                }
            }
        }
        if (!found) {
            *exceeded = 1;
            break;
        }
        /* The merged cube replaces every cube inside it. */
        unsigned k = 0;
        for (unsigned i = 0; i < n; i++)
            if (!inside(&p[i], best_a, best_m))
                p[k++] = p[i];
        p[k++] = (struct cover_pair){ best_a, best_m };
        n = k;
    }
    return n;
}

/* Drop cubes that lie inside another (duplicates keep one copy). */
static unsigned drop_nested(struct cover_pair *p, unsigned n)
{
    unsigned k = 0;
    for (unsigned i = 0; i < n; i++) {
        int nested = 0;
        for (unsigned j = 0; j < n && !nested; j++)
            if (j != i && inside(&p[i], p[j].addr, p[j].mask) &&
                (!inside(&p[j], p[i].addr, p[i].mask) || j < i))
                nested = 1;
        if (!nested)
            p[k++] = p[i];
    }
    /* p[k..n) may hold stale copies; only the prefix counts. */
    return k;
}

unsigned cover_merge(struct cover_pair *p, unsigned n, unsigned max_pairs, uint64_t limit,
                     struct cover_stats *st)
{
    uint64_t top = 0;
    int low = 0;
    for (unsigned i = 0; i < n; i++) {
        p[i].mask &= MASK_BITS & ~0x3ffull;
        p[i].addr &= p[i].mask;
        /* Highest address the cube reaches (all free bits set, below 2^63). */
        uint64_t hi = (p[i].addr | (~p[i].mask & MASK_BITS)) + 1;
        if (hi > top)
            top = hi;
        low |= !(p[i].addr & p[i].mask & ~(COVER_LOW_LIMIT - 1));
    }
    if (limit < top)
        limit = cover_limit(top);
    *st = (struct cover_stats){ .limit = limit, .budget = max_pairs };
    n = drop_nested(p, n);
    st->bad_bytes = cover_bytes(p, n, limit);
    n = exact_merges(p, n);
    st->exact_pairs = n;
    if (max_pairs < 1)
        max_pairs = 1;
    n = budget_merges(p, n, max_pairs, limit, low, &st->budget_exceeded);
    sort_pairs(p, n, 1);
    st->covered_bytes = cover_bytes(p, n, limit);
    st->extra_bytes = st->covered_bytes - st->bad_bytes;
    return n;
}

unsigned cover_build(const uint64_t *gran, unsigned n, uint64_t granule, unsigned max_pairs,
                     uint64_t limit, struct cover_pair *out, struct cover_stats *st)
{
    uint64_t mask = MASK_BITS & ~(granule - 1);
    for (unsigned i = 0; i < n; i++)
        out[i] = (struct cover_pair){ gran[i] & mask, mask };
    return cover_merge(out, n, max_pairs, limit, st);
}
