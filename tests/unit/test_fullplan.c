// SPDX-License-Identifier: MIT
#include "check.h"
#include "core/fullplan.h"
#include <string.h>

#define K (1ull << 10)
#define M (1ull << 20)
#define G (1ull << 30)

static struct full_plan fp;

/* Roughly OVMF's map of a 1 GiB q35 guest after ExitBootServices. */
static const struct full_desc ovmf_1g[] = {
    { 0, 640 * K, FULL_CONVENTIONAL },
    { 0x100000, 7 * M, FULL_CONVENTIONAL },
    { 0x800000, 32 * K, FULL_ACPI_NVS },
    { 0x808000, 0x8000, FULL_CONVENTIONAL },
    { 0x810000, 0xf0000, FULL_ACPI_NVS },
    { 0x900000, 0x3e000000 - 0x900000, FULL_CONVENTIONAL },
    { 0x3e000000, 8 * M, FULL_LOADER_CODE },        /* GRUB or the app */
    { 0x3e800000, 16 * M, FULL_BS_DATA },
    { 0x3f800000, 4 * M, FULL_BS_CODE },
    { 0x3fc00000, 1 * M, FULL_RT_DATA },
    { 0x3fd00000, 512 * K, FULL_RT_CODE },
    { 0x3fd80000, 128 * K, FULL_ACPI_RECLAIM },
    { 0x3fda0000, 0x3fff0000 - 0x3fda0000, FULL_BS_DATA },
    { 0x3fff0000, 64 * K, FULL_ACPI_NVS },
    { 0x40000000, 8 * M, FULL_RESERVED | FULL_TYPE_WB },   /* DRAM held back (SMRAM) */
    { 0xb0000000, 256 * M, FULL_RESERVED },                  /* a device window */
    { 0xffc00000, 4 * M, FULL_MMIO },
};
#define NDESC (sizeof ovmf_1g / sizeof ovmf_1g[0])

static int tested(uint64_t a)
{
    for (unsigned i = 0; i < fp.plan.ntest; i++)
        if (a >= fp.plan.test[i].base && a - fp.plan.test[i].base < fp.plan.test[i].len)
            return 1;
    return 0;
}

static unsigned why(uint64_t a)
{
    for (unsigned i = 0; i < fp.nexcl; i++)
        if (a >= fp.excl[i].base && a - fp.excl[i].base < fp.excl[i].len)
            return fp.excl[i].why;
    return 0;
}

TEST(fullplan_tests_firmware_and_loader_memory)
{
    struct mem_range foot[] = { { 0x3e100000, 0x60000 }, { 0x3e400123, 2 * M } };
    fullplan_build(&fp, ovmf_1g, NDESC, foot, 2, 0, 0, 0);
    CHECK(tested(0x100000));
    CHECK(tested(0x3e000000));          /* loader code */
    CHECK(tested(0x3e900000));          /* boot services data */
    CHECK(tested(0x3f900000));          /* boot services code */
    CHECK(tested(0x3fda0000));
    CHECK(!tested(0x3e100000) && why(0x3e100000) == FULL_WHY_FOOTPRINT);
    CHECK(!tested(0x3e400000) && why(0x3e400000) == FULL_WHY_FOOTPRINT);   /* rounded out to pages */
    CHECK(!tested(0x3e600000) && why(0x3e600000) == FULL_WHY_FOOTPRINT);
    CHECK(tested(0x3e601000));
    CHECK(!tested(0x9f000) && why(0x9f000) == FULL_WHY_LOW_1M);
    CHECK(!tested(0x800000) && why(0x800000) == FULL_WHY_NVS);
    CHECK(!tested(0x3fc00000) && why(0x3fc00000) == FULL_WHY_RUNTIME);
    CHECK(!tested(0x3fd00000) && why(0x3fd00000) == FULL_WHY_RUNTIME);
    CHECK(!tested(0x3fd80000) && why(0x3fd80000) == FULL_WHY_ACPI_TABLES);
    CHECK(!tested(0x40000000) && why(0x40000000) == FULL_WHY_RESERVED);
    CHECK(!tested(0xb0000000) && !why(0xb0000000));   /* reserved but not DRAM: not RAM at all */
    CHECK(!tested(0xffc00000) && !why(0xffc00000));   /* MMIO: not RAM at all */
    CHECK_EQ_U64(fp.footprint, 0x60000 + 2 * M + 4 * K);
    /* Every byte of usable RAM is tested, or left out with a reason. */
    uint64_t left = 0;
    for (unsigned i = 0; i < fp.nexcl; i++)
        if (fp.excl[i].why == FULL_WHY_FOOTPRINT || fp.excl[i].why == FULL_WHY_LOW_1M ||
            fp.excl[i].why == FULL_WHY_ACPI_TABLES)
            left += fp.excl[i].len;
    CHECK_EQ_U64(fp.tested + left, fp.usable);
    CHECK_EQ_U64(fp.tested, memplan_test_bytes(&fp.plan));
    CHECK(fullplan_share_bp(fp.tested, fp.usable, fp.footprint) >= 9900);
    for (unsigned i = 1; i < fp.plan.ntest; i++)
        CHECK(fp.plan.test[i].base > fp.plan.test[i - 1].base + fp.plan.test[i - 1].len);
    CHECK_EQ_U64(fp.plan.ram_top, 0x40000000);
    /* Adjacent usable descriptors of different types join into one range. */
    CHECK(fp.plan.ntest <= 6);
}

TEST(fullplan_range_filter_and_unsorted_map)
{
    struct full_desc d[NDESC];
    for (unsigned i = 0; i < NDESC; i++)
        d[i] = ovmf_1g[NDESC - 1 - i];
    struct mem_range f = { 0x3e000000, 28 * M };
    fullplan_build(&fp, d, NDESC, 0, 0, &f, 1, 0);
    CHECK(!tested(0x100000) && why(0x100000) == FULL_WHY_OUTSIDE);
    CHECK(tested(0x3e000000) && tested(0x3f900000));
    CHECK(!tested(0x3fda0000) && why(0x3fda0000) == FULL_WHY_OUTSIDE);
    CHECK_EQ_U64(fp.tested, 16 * M + 8 * M + 4 * M);
}

TEST(fullplan_report_lines)
{
    struct mem_range foot[] = { { 0x3e100000, 3 * M } };
    fullplan_build(&fp, ovmf_1g, NDESC, foot, 1, 0, 0, 0);
    static char buf[8192];
    struct sbuf sb;
    sbuf_init(&sb, buf, sizeof buf);
    fullplan_lines(&sb, fp.tested, fp.usable, fp.footprint, fp.excl, fp.nexcl, fp.plan.ram_total);
    CHECK(strstr(buf, "coverage: full (after ExitBootServices): tested "));
    CHECK(strstr(buf, "footprint: 3 MiB not tested"));
    CHECK(strstr(buf, "ACPI reclaim: holds the ACPI tables"));
    CHECK(strstr(buf, "0x00003e100000-0x00003e400000"));
    /* Tested and left out add up to the total RAM, as firmware mode counts it. */
    uint64_t left = 0;
    for (unsigned i = 0; i < fp.nexcl; i++)
        left += fp.excl[i].len;
    CHECK_EQ_U64(fp.tested + left, fp.plan.ram_total);
    CHECK_EQ_U64(fp.plan.ram_total, 0x40000000 - 0x60000 + 8 * M);   /* all but the 640 KiB-1 MiB hole, and the held DRAM */
    CHECK(strstr(buf, "+ left out ") && !strstr(buf, "unaccounted"));
    CHECK_EQ_U64(fullplan_share_bp(50, 100, 0), 5000);
    CHECK_EQ_U64(fullplan_share_bp(1, 0, 0), 0);
}

/* A usable type the firmware marked EFI_MEMORY_RUNTIME is never tested;
 * full_bsmem=skip leaves boot-services memory alone and says so. */
TEST(fullplan_runtime_attribute_and_bs_skip)
{
    struct full_desc d[NDESC];
    memcpy(d, ovmf_1g, sizeof d);
    d[7].type |= FULL_TYPE_RUNTIME;   /* the 16 MiB of boot services data at 0x3e800000 */
    fullplan_build(&fp, d, NDESC, 0, 0, 0, 0, 0);
    CHECK(!tested(0x3e800000));
    CHECK_EQ_U64(why(0x3e800000), FULL_WHY_RUNTIME);
    CHECK(tested(0x3f800000));        /* boot services code is tested */
    fullplan_build(&fp, ovmf_1g, NDESC, 0, 0, 0, 0, FULLPLAN_SKIP_BS);
    CHECK(!tested(0x3e800000) && !tested(0x3f800000) && !tested(0x3fda0000));
    CHECK_EQ_U64(why(0x3f800000), FULL_WHY_BS_KEPT);
    CHECK(tested(0x900000));          /* conventional memory still is */
    uint64_t sum = 0;
    for (unsigned i = 0; i < fp.plan.ntest; i++)
        sum += fp.plan.test[i].len;
    CHECK_EQ_U64(sum, fp.tested);
}

/* The page tables reach as far as RAM and runtime ranges: a reserved range
 * near 1 TiB (as AMD boards list) or MMIO up there does not count; a runtime
 * MMIO range does. */
TEST(fullplan_map_top_from_ram_and_runtime)
{
    CHECK_EQ_U64(fullplan_map_top(ovmf_1g, NDESC), 4 * G);   /* at least 4 GiB */
    struct full_desc d[3] = {
        { 0x100000000ull, 4 * G, FULL_CONVENTIONAL },
        { 0xfd00000000ull, 12 * G, FULL_RESERVED },
        { 0x10000000000ull, 16 * M, FULL_MMIO },
    };
    CHECK_EQ_U64(fullplan_map_top(d, 3), 8 * G);
    d[2].type |= FULL_TYPE_RUNTIME;
    CHECK_EQ_U64(fullplan_map_top(d, 3), 0x10000000000ull + 16 * M);
}
