// SPDX-License-Identifier: MIT
#include "check.h"
#include "core/memplan.h"
#include "core/fmt.h"
#include <string.h>

static struct mem_plan plan;
#define M (1ull << 20)
#define G (1ull << 30)

static const struct plan_desc q35_5g[] = {
    { 0, 640 << 10, PLAN_FREE },
    { 1 * M, 7 * M, PLAN_FREE },
    { 8 * M, 1 * M, PLAN_FIRMWARE },
    { 9 * M, 2 * G - 9 * M - 64 * M, PLAN_FREE },
    { 2 * G - 64 * M, 64 * M, PLAN_FIRMWARE },
    { 0xb0000000, 0x10000000, PLAN_NOT_RAM },
    { 4 * G, 3 * G, PLAN_FREE },
};

static int tested(uint64_t a)
{
    for (unsigned i = 0; i < plan.ntest; i++)
        if (a >= plan.test[i].base && a - plan.test[i].base < plan.test[i].len)
            return 1;
    return 0;
}

TEST(memplan_all_ram_with_reserve)
{
    memplan_build(&plan, q35_5g, 7, 0, 0, 64 * M);
    CHECK_EQ_U64(plan.ram_total, 5 * G - 1 * M + (640 << 10));
    CHECK_EQ_U64(plan.ram_top, 7 * G);
    CHECK(!tested(0x9f000));
    CHECK(tested(1 * M));
    CHECK(!tested(8 * M));
    CHECK(tested(4 * G));
    CHECK(tested(7 * G - 8));
    /* The reserve comes off the top of memory below 4 GiB. */
    uint64_t top_low = 2 * G - 64 * M;
    CHECK(!tested(top_low - 1));
    CHECK(tested(top_low - 64 * M - 8));
    /* Free RAM left untested (low 640 KiB included) adds up to the reserve. */
    CHECK_EQ_U64(memplan_test_bytes(&plan) + 64 * M, plan.free_total);
    for (unsigned i = 1; i < plan.ntest; i++)
        CHECK(plan.test[i].base >= plan.test[i - 1].base + plan.test[i - 1].len);
}

TEST(memplan_range_filter_needs_no_reserve)
{
    struct mem_range f = { 4 * G + 16 * M, 32 * M };
    memplan_build(&plan, q35_5g, 7, &f, 1, 64 * M);
    CHECK_EQ_U64(plan.ntest, 1);
    CHECK_EQ_U64(plan.test[0].base, f.base);
    CHECK_EQ_U64(plan.test[0].len, f.len);
    int outside = 0;
    for (unsigned i = 0; i < plan.nexcl; i++)
        outside += plan.excl[i].reason == PLAN_OUTSIDE;
    CHECK(outside >= 2);
}

TEST(memplan_small_machine_reserve_spills_above)
{
    const struct plan_desc d[] = { { 1 * M, 20 * M, PLAN_FREE }, { 4 * G, 100 * M, PLAN_FREE } };
    memplan_build(&plan, d, 2, 0, 0, 30 * M);
    CHECK_EQ_U64(memplan_test_bytes(&plan), 90 * M);
    CHECK(!tested(1 * M));
    CHECK(tested(4 * G));
    CHECK(!tested(4 * G + 100 * M - 8));
}

TEST(fmt_basics)
{
    char b[64];
    fmt_format(b, sizeof b, "%s|%5d|%-4u|%08llx|%c|%%|%zu", "x", -42, 7u, 0xabcull, 'q', (size_t)9);
    CHECK_STR(b, "x|  -42|7   |00000abc|q|%|9");
    CHECK_EQ_U64(fmt_format(b, 4, "%s", "abcdef"), 6);
    CHECK_STR(b, "abc");
    fmt_size(b, sizeof b, 1536ull << 20);
    CHECK_STR(b, "1.5 GiB");
    fmt_size(b, sizeof b, 640 << 10);
    CHECK_STR(b, "640 KiB");
}

TEST(memplan_exclusions_in_address_order)
{
    memplan_build(&plan, q35_5g, 7, 0, 0, 64 * M);
    memplan_exclude(&plan, 3 * M, 4096, PLAN_REFUSED);
    CHECK(plan.nexcl >= 3);
    for (unsigned i = 1; i < plan.nexcl; i++)
        CHECK(plan.excl[i].base > plan.excl[i - 1].base);
}

/* What a GRUB chainload looks like: GRUB's heap is loader data, the app's
 * image sits inside loader code, the firmware keeps its own, and some DRAM
 * is reserved. Every byte of RAM is tested or left out for a named reason,
 * and the sums add up to the total. */
TEST(memplan_every_byte_has_an_owner_or_reason)
{
    const struct plan_desc d[] = {
        { 0, 640 << 10, PLAN_FREE },
        { 640 << 10, 384 << 10, PLAN_NOT_RAM },
        { 1 * M, 7 * M, PLAN_FREE },
        { 8 * M, 1 * M, PLAN_RESERVED },
        { 9 * M, 500 * M, PLAN_LOADER },
        { 509 * M, 2 * M, PLAN_APP },
        { 511 * M, 1 * M, PLAN_LOADER },
        { 512 * M, 1400 * M, PLAN_FREE },
        { 1912 * M, 136 * M, PLAN_FIRMWARE },
        { 0xe0000000, 0x10000000, PLAN_NOT_RAM },
    };
    struct mem_range f = { 0, 1900 * M };   /* leaves 12 MiB of free RAM outside */
    memplan_build(&plan, d, sizeof d / sizeof *d, &f, 1, 64 * M);
    memplan_exclude(&plan, 600 * M, 2 * M, PLAN_REFUSED);   /* as mm_take does */
    CHECK_EQ_U64(plan.ram_total, 2048 * M - (384 << 10));
    CHECK_EQ_U64(plan.by_reason[PLAN_BY_LOADER], 501 * M);
    CHECK_EQ_U64(plan.by_reason[PLAN_BY_APP], 2 * M);
    CHECK_EQ_U64(plan.by_reason[PLAN_BY_FIRMWARE], 136 * M);
    CHECK_EQ_U64(plan.by_reason[PLAN_BY_RESERVED], 1 * M);
    CHECK_EQ_U64(plan.by_reason[PLAN_LOW_1M], 640 << 10);
    CHECK_EQ_U64(plan.by_reason[PLAN_OUTSIDE], 12 * M);
    CHECK(plan.by_reason[PLAN_RESERVE] > 0);
    /* The refused 2 MiB is still in plan.test here (mm_take drops it from
     * the ranges it got): count it once. */
    CHECK_EQ_U64(memplan_accounted(&plan) - 2 * M, plan.ram_total);
    /* Listed regions add up to the per-reason sums. */
    uint64_t listed = 0;
    for (unsigned i = 0; i < plan.nexcl; i++)
        listed += plan.excl[i].len;
    uint64_t sums = 0;
    for (unsigned r = 0; r < PLAN_REASONS; r++)
        sums += plan.by_reason[r];
    CHECK_EQ_U64(listed, sums);
    CHECK_EQ_U64(plan.excl_lost, 0);
    /* Neighbours with one reason are one region: loader, app, loader stay three. */
    unsigned loader = 0;
    for (unsigned i = 0; i < plan.nexcl; i++)
        loader += plan.excl[i].reason == PLAN_BY_LOADER;
    CHECK_EQ_U64(loader, 2);
}

TEST(memplan_exclusion_list_full_is_counted_not_lost)
{
    memplan_build(&plan, q35_5g, 7, 0, 0, 0);
    for (unsigned i = 0; i < PLAN_MAX_EXCL + 10; i++)
        memplan_exclude(&plan, 5 * G + i * 2 * 4096ull, 4096, PLAN_REFUSED);
    CHECK_EQ_U64(plan.nexcl, PLAN_MAX_EXCL);
    CHECK(plan.excl_unlisted > 0);
    CHECK_EQ_U64(plan.by_reason[PLAN_REFUSED], (PLAN_MAX_EXCL + 10) * 4096ull);
}
