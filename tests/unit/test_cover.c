// SPDX-License-Identifier: MIT
// The BadRAM minimiser against GRUB's own rule: (A & mask) == (addr & mask).
#include "check.h"
#include "core/cover.h"
#include <stdlib.h>
#include <string.h>

static int covers(const struct cover_pair *p, unsigned n, uint64_t a)
{
    for (unsigned i = 0; i < n; i++)
        if ((a & p[i].mask) == (p[i].addr & p[i].mask))
            return 1;
    return 0;
}

static struct cover_pair out[4096];
static struct cover_stats st;

TEST(cover_seed_case_three_blocks)
{
    /* The 4-DIMM laptop: three 1 MiB blocks, nothing to merge. */
    uint64_t g[] = { 0x36a700000ull, 0x460e00000ull, 0x4ea000000ull };
    unsigned n = cover_build(g, 3, 1 << 20, 20, 32ull << 30, out, &st);
    CHECK_EQ_U64(n, 3);
    for (unsigned i = 0; i < 3; i++) {
        CHECK_EQ_U64(out[i].addr, g[i]);
        CHECK_EQ_U64(out[i].mask, 0x7ffffffffff00000ull);
    }
    CHECK_EQ_U64(st.extra_bytes, 0);
    CHECK_EQ_U64(st.covered_bytes, 3 << 20);
}

TEST(cover_exact_merges)
{
    /* Differ in bit 20: one pair for both. */
    uint64_t g2[] = { 0x20000000, 0x20100000 };
    CHECK_EQ_U64(cover_build(g2, 2, 1 << 20, 20, 0, out, &st), 1);
    CHECK_EQ_U64(out[0].addr, 0x20000000);
    CHECK_EQ_U64(out[0].mask, 0x7fffffffffe00000ull);
    CHECK_EQ_U64(st.extra_bytes, 0);
    /* Same row in two DIMMs 4 GiB apart (bit 32), and their neighbours (bit 21). */
    uint64_t g4[] = { 0x40000000, 0x40200000, 0x140000000ull, 0x140200000ull };
    CHECK_EQ_U64(cover_build(g4, 4, 1 << 20, 20, 0, out, &st), 1);
    CHECK_EQ_U64(out[0].mask, 0x7ffffffeffd00000ull);
    CHECK_EQ_U64(st.covered_bytes, 4 << 20);
    /* Three in a row cannot be one cube: two pairs, still exact. */
    uint64_t g3[] = { 0x20000000, 0x20100000, 0x20200000 };
    CHECK_EQ_U64(cover_build(g3, 3, 1 << 20, 20, 0, out, &st), 2);
    CHECK_EQ_U64(st.extra_bytes, 0);
}

TEST(cover_budget_merges_cheapest_first)
{
    /* Budget 1 with two blocks far apart: one merged pair; the cost is stated. */
    uint64_t g[] = { 0x20000000, 0x20300000, 0x7f000000 };
    unsigned n = cover_build(g, 3, 1 << 20, 2, 0, out, &st);
    CHECK_EQ_U64(n, 2);
    /* 0x20000000 and 0x20300000 differ in bits 20, 21: merging costs 2 MiB,
     * far less than pulling in 0x7f000000. */
    CHECK(covers(out, n, 0x20100000) && covers(out, n, 0x20200000));
    CHECK_EQ_U64(st.extra_bytes, 2 << 20);
    CHECK(!st.budget_exceeded);
}

TEST(cover_never_reaches_low_memory)
{
    /* Any merge of these frees every fixed bit above 1 MiB: refused. */
    uint64_t g[] = { 0x10000000, 0x20000000, 0x40000000 };
    unsigned n = cover_build(g, 3, 1 << 20, 1, 0, out, &st);
    CHECK(st.budget_exceeded);
    CHECK_EQ_U64(n, 3);
    CHECK(!covers(out, n, 0));
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Brute-force union size below limit, in granules: enumerate each cube's
 * granules (free bits between granule and limit) into a sorted list. */
static uint64_t brute_bytes(const struct cover_pair *p, unsigned n, uint64_t granule, uint64_t limit,
                            int *ok)
{
    static uint64_t list[1 << 20];
    size_t k = 0;
    *ok = 1;
    for (unsigned i = 0; i < n; i++) {
        uint64_t free_bits = ~p[i].mask & (limit - 1) & ~(granule - 1);
        if (p[i].addr & p[i].mask & ~(limit - 1))
            continue;
        if (__builtin_popcountll(free_bits) > 16 || k + (1u << 16) > sizeof list / 8) {
            *ok = 0;
            return 0;
        }
        uint64_t sub = 0;
        do {   /* every subset of free_bits */
            list[k++] = (p[i].addr & p[i].mask) | sub;
            sub = (sub - free_bits) & free_bits;
        } while (sub);
    }
    qsort(list, k, 8, cmp_u64);
    uint64_t u = 0;
    for (size_t i = 0; i < k; i++)
        u += !i || list[i] != list[i - 1];
    return u * granule;
}

TEST(cover_property_random_sets)
{
    static uint64_t g[200];
    unsigned brute_checked = 0, forced = 0;
    for (unsigned round = 0; round < 400; round++) {
        unsigned gshift = 12 + (unsigned)(next() % 13);       /* 4 KiB .. 16 MiB */
        uint64_t granule = 1ull << gshift;
        unsigned n = 1 + (unsigned)(next() % (round % 4 == 0 ? 150 : 40));
        uint64_t span = round % 3 == 0 ? (1ull << 40) : (round % 3 == 1 ? 1ull << 33 : 1ull << 30);
        for (unsigned i = 0; i < n; i++) {
            uint64_t a = 0x100000 + next() % (span - 0x100000);
            if (round % 5 == 0 && i)
                a = g[i - 1] + granule * (1 + next() % 3);   /* clustered, like one bad row */
            g[i] = a & ~(granule - 1);
        }
        qsort(g, n, 8, cmp_u64);
        unsigned u = 0;
        for (unsigned i = 0; i < n; i++)
            if ((!u || g[u - 1] != g[i]) && g[i] >= 0x100000)
                g[u++] = g[i];
        n = u;
        if (!n)
            continue;
        unsigned budget = 1 + (unsigned)(next() % 25);
        uint64_t limit = cover_limit(g[n - 1] + granule);
        unsigned np = cover_build(g, n, granule, budget, limit, out, &st);
        int bad = 0;
        for (unsigned i = 0; i < n; i++)
            bad |= !covers(out, np, g[i]) || !covers(out, np, g[i] + granule - 1);
        CHECK(!bad);
        for (unsigned i = 0; i < np; i++) {
            CHECK(!(out[i].mask >> 63));
            CHECK(!(out[i].mask & 0x3ff));
            CHECK(!(out[i].mask & (granule - 1)));
            CHECK((out[i].addr & out[i].mask) >> 20);   /* never reaches below 1 MiB */
        }
        CHECK(np <= budget || st.budget_exceeded);
        forced += st.budget_exceeded;
        if (st.exact_pairs <= budget)
            CHECK_EQ_U64(st.extra_bytes, 0);   /* no good granule unless the budget forces it */
        CHECK_EQ_U64(st.bad_bytes, (uint64_t)n * granule);
        CHECK_EQ_U64(st.covered_bytes, st.bad_bytes + st.extra_bytes);
        int ok;
        uint64_t brute = brute_bytes(out, np, granule, limit, &ok);
        if (ok) {
            brute_checked++;
            CHECK_EQ_U64(brute, st.covered_bytes);   /* the stated overhead is the real one */
        }
        if (check_failed) {
            fprintf(stderr, "  round %u: n %u granule 0x%llx budget %u\n", round, n,
                    (unsigned long long)granule, budget);
            break;
        }
    }
    CHECK(brute_checked > 200);
    fprintf(stderr, "  cover property: %u sets checked by brute force, %u over budget\n", brute_checked, forced);
}

TEST(cover_merge_is_a_union)
{
    /* An existing line (one with bit 63 set, as older tools wrote) plus new granules. */
    struct cover_pair p[8] = {
        { 0x20000000, 0xfffffffffff00000ull },   /* existing, tight, bit 63 set */
        { 0x36a700000ull, 0x7ffffffffff00000ull },
        { 0x20000000, 0x7ffffffffff00000ull },   /* new, same block again */
        { 0x20100000, 0x7ffffffffff00000ull },   /* new neighbour: exact merge */
    };
    struct cover_pair in[4];
    memcpy(in, p, sizeof in);
    unsigned n = cover_merge(p, 4, 20, 0, &st);
    CHECK_EQ_U64(n, 2);
    for (unsigned i = 0; i < 4; i++) {
        CHECK(covers(p, n, in[i].addr));
        CHECK(covers(p, n, in[i].addr + (~in[i].mask & 0xfffff)));
    }
    for (unsigned i = 0; i < n; i++)
        CHECK(!(p[i].mask >> 63));
    CHECK_EQ_U64(st.bad_bytes, 3 << 20);
    CHECK_EQ_U64(st.extra_bytes, 0);
    /* Idempotent: the result merged again is the same. */
    struct cover_pair again[2];
    memcpy(again, p, sizeof again);
    CHECK_EQ_U64(cover_merge(again, 2, 20, 0, &st), 2);
    CHECK(!memcmp(again, p, sizeof again));
}
