// SPDX-License-Identifier: MIT
// Row hammer: aggressor selection from an interleave model (core/hammer.c)
// and the kernel (test 11) on simulated memory. Whether hammering flips
// cells is tools/dramsim's business, under QEMU (tests/e2e/test_hammer.sh).
#include "check.h"
#include "kern.h"
#include "core/hammer.h"
#include "core/kernels/row_hammer.h"
#include "core/report.h"
#include <string.h>

static void geom(struct hammer_geom *g, const char *il, unsigned rowshift)
{
    struct il_model m;
    CHECK(il_parse(&m, il, strlen(il)) == 0);
    hammer_geom_init(g, &m, rowshift);
}

static const struct mem_range big = { 0x10000000, 0x1000000 };   /* 16 MiB at 256 MiB */

/* Double-sided: rows r-1 and r+1 of the victim's bank, owned. */
TEST(hammer_double_sided_same_bank)
{
    struct hammer_geom g;
    geom(&g, "bank:0x2000,bank:0x4000,ch:0x40", 16);
    CHECK_EQ_U64(g.nbits, 3);
    for (uint64_t v = big.base + 0x30000; v < big.base + 0x80000; v += 0x1238) {
        uint64_t a, b;
        v &= ~7ull;
        CHECK(hammer_pair(&g, HAMMER_DOUBLE, v, &big, 1, &a, &b) == 0);
        CHECK_EQ_U64(hammer_row(&g, a), hammer_row(&g, v) - 1);
        CHECK_EQ_U64(hammer_row(&g, b), hammer_row(&g, v) + 1);
        CHECK_EQ_U64(hammer_bank(&g, a), hammer_bank(&g, v));
        CHECK_EQ_U64(hammer_bank(&g, b), hammer_bank(&g, v));
        CHECK(a % HAMMER_LINE == 0 && b % HAMMER_LINE == 0);
        CHECK(hammer_owned(&big, 1, a, HAMMER_LINE) && hammer_owned(&big, 1, b, HAMMER_LINE));
    }
}

/* A bank bit inside the row bits (bit 16 with rows from bit 16, XORed with
 * bit 13, as controllers hash): rows r-1 and r+1 at the victim's column
 * would be another bank, so the column changes in bit 13. */
TEST(hammer_bank_bit_inside_row_bits)
{
    struct hammer_geom g;
    geom(&g, "bank:0x12000,bank:0x24000", 16);
    uint64_t v = big.base + 0x50000 + 0x1000, a, b;   /* row bit 16 set */
    CHECK(hammer_pair(&g, HAMMER_DOUBLE, v, &big, 1, &a, &b) == 0);
    CHECK_EQ_U64(hammer_bank(&g, a), hammer_bank(&g, v));
    CHECK_EQ_U64(hammer_bank(&g, b), hammer_bank(&g, v));
    CHECK_EQ_U64(hammer_row(&g, a), hammer_row(&g, v) - 1);
    CHECK_EQ_U64(hammer_row(&g, b), hammer_row(&g, v) + 1);
    CHECK((a ^ v) & 0x2000);   /* the fix went into the column */
    /* Only row bits in the bank function: no column can fix a row whose
     * bank differs, so no pair is made up. */
    geom(&g, "bank:0x20000", 16);
    uint64_t r1 = big.base + 0x10000;   /* row 0x1001: rows 0x1000 and 0x1002 differ in bit 17 */
    CHECK(hammer_pair(&g, HAMMER_DOUBLE, r1, &big, 1, &a, &b) == -1);
    CHECK(hammer_in_row(&g, hammer_row(&g, r1) - 1, hammer_bank(&g, r1), r1, &a) == 0);
}

/* Single-sided: the near aggressor next to the victim, the far one in the
 * same bank HAMMER_FAR_ROWS away; at the bottom of the owned range the near
 * one is above the victim. */
TEST(hammer_single_sided_pairs)
{
    struct hammer_geom g;
    geom(&g, "bank:0x2000,bank:0x4000", 16);
    uint64_t v = big.base + 0x40000 + 0x2000, a, b;
    CHECK(hammer_pair(&g, HAMMER_SINGLE, v, &big, 1, &a, &b) == 0);
    CHECK_EQ_U64(hammer_row(&g, a), hammer_row(&g, v) - 1);
    CHECK(hammer_row(&g, b) > hammer_row(&g, v) + 2);
    CHECK_EQ_U64(hammer_bank(&g, a), hammer_bank(&g, v));
    CHECK_EQ_U64(hammer_bank(&g, b), hammer_bank(&g, v));
    /* The range's first row: no row below it is owned. */
    v = big.base + 0x2008;
    CHECK(hammer_pair(&g, HAMMER_DOUBLE, v, &big, 1, &a, &b) == -1);
    CHECK(hammer_pair(&g, HAMMER_SINGLE, v, &big, 1, &a, &b) == 0);
    CHECK_EQ_U64(hammer_row(&g, a), hammer_row(&g, v) + 1);
    CHECK(hammer_owned(&big, 1, b, HAMMER_LINE));
    /* Its last row: nothing above. */
    v = big.base + big.len - 0x100;
    CHECK(hammer_pair(&g, HAMMER_DOUBLE, v, &big, 1, &a, &b) == -1);
}

/* No model: one bank, so pairs are only ever searched by timing. */
TEST(hammer_no_model_one_bank)
{
    struct hammer_geom g;
    hammer_geom_init(&g, 0, HAMMER_DEFAULT_ROWSHIFT);
    CHECK_EQ_U64(g.nbits, 0);
    CHECK_EQ_U64(hammer_bank(&g, 0x123456789), 0);
    CHECK_EQ_U64(hammer_row(&g, 0x40000), 2);
}

/* Timing search: conflicting addresses (same bank, other row) are slower. */
static uint64_t fake_probe(void *ctx, uint64_t x, uint64_t y)
{
    (void)ctx;
    (void)x;
    return (y >> 13 & 3) == 2 ? 150 : 100;   /* "bank" 2 conflicts */
}

static uint64_t flat_probe(void *ctx, uint64_t x, uint64_t y)
{
    (void)ctx, (void)x, (void)y;
    return 100;
}

TEST(hammer_timing_search)
{
    uint64_t cand[16], out[16];
    for (unsigned i = 0; i < 16; i++)
        cand[i] = 0x100000 + (uint64_t)i * 0x2000;
    unsigned n = hammer_find_conflicts(fake_probe, 0, 0x80000, cand, 16, out, 16);
    CHECK_EQ_U64(n, 4);
    for (unsigned i = 0; i < n; i++)
        CHECK_EQ_U64(out[i] >> 13 & 3, 2);
    /* No spread (TCG has no row buffers): nothing is told apart. */
    CHECK_EQ_U64(hammer_find_conflicts(flat_probe, 0, 0x80000, cand, 16, out, 16), 0);
}

static struct kern_seen s;

/* The kernel on clean simulated memory: no flips reported, nothing touched
 * outside its ranges, and every CPU syncs once whatever its ranges. */
TEST(hammer_kernel_clean_memory)
{
    struct hammer_geom g;
    geom(&g, "bank:0x40,bank:0x80", 13);
    struct mem_range rg[2] = { { 0x240000000ull + 0x2000, 0x8000 }, { 0x240000000ull + 0xc000, 0x4000 } };
    struct kern_opts o = { .hammer = &g, .hammer_ms = 4, .with_sync = 1 };
    sim_init(0x240000000ull, 0x10000, 0xc0ffee);
    uint64_t t0 = sim_ticks();
    struct mt_run r;
    kern_run(MT_HAMMER_TEST, &s, rg, 2, &o, &r);
    CHECK_EQ_U64(s.total, 0);
    CHECK_EQ_U64(r.errors, 0);
    CHECK_EQ_U64(sim_bad_accesses(), 0);
    CHECK_EQ_U64(sim_peek(0x240000000ull + 0x1ff8), 0xc0ffee);
    CHECK_EQ_U64(sim_peek(0x240000000ull + 0xa000), 0xc0ffee);
    CHECK_EQ_U64(s.syncs, 1);
    CHECK(sim_ticks() - t0 > 4 * 1000000ull);   /* it hammered: 1 ms slices, 4 banks */
    kern_run(MT_HAMMER_TEST, &s, rg, 0, &o, &r);
    CHECK_EQ_U64(s.syncs, 1);
    sim_free();
}

/* A bit that reads wrong in a victim row is reported as a hammer flip with
 * the aggressor pair noted first, in both phases (it stays wrong). */
TEST(hammer_kernel_reports_flip_with_pair)
{
    struct hammer_geom g;
    geom(&g, "bank:0x40,bank:0x80", 13);
    uint64_t base = 0x240000000ull, cell = base + 0x2000 + 0x40 * 1 + 8;   /* row 1 of the range, bank 1 */
    struct mem_range rg = { base, 0x10000 };
    struct kern_opts o = { .hammer = &g, .hammer_ms = 4 };
    sim_init(base, 0x10000, 0);
    sim_add_fault((struct sim_fault){ .kind = SIM_STUCK, .addr = cell, .bit = 5, .value = 0 });
    kern_run(MT_HAMMER_TEST, &s, &rg, 1, &o, 0);
    int noted = 0, fast = 0, slow = 0;
    for (unsigned i = 0; i < s.n; i++) {
        const struct kern_rec *k = &s.rec[i];
        if (k->flags & FAILBIT_HAMMER_PAIR) {
            CHECK_EQ_U64(k->addr, cell);
            CHECK_EQ_U64(hammer_row(&g, k->expected), hammer_row(&g, cell) - 1);
            CHECK_EQ_U64(hammer_row(&g, k->actual), hammer_row(&g, cell) + 1);
            CHECK_EQ_U64(hammer_bank(&g, k->expected), hammer_bank(&g, cell));
            noted++;
            continue;
        }
        CHECK(k->flags & FAILBIT_HAMMER);
        CHECK_EQ_U64(k->addr, cell);
        CHECK_EQ_U64(k->expected ^ k->actual, 1u << 5);
        if (k->flags & FAILBIT_HAMMER_SLOW)
            slow++;
        else
            fast++;
    }
    CHECK(noted > 0 && fast > 0 && slow > 0);
    CHECK_EQ_U64(noted, fast + slow);
    sim_free();
}

/* No model and memory whose timing tells no bank apart (the simulator,
 * like QEMU): no pair is found, nothing is hammered or reported. */
TEST(hammer_kernel_search_finds_nothing_on_flat_timing)
{
    struct mem_range rg = { 0x240000000ull, 1u << 20 };
    struct kern_opts o = { .hammer_ms = 4, .hammer_search = 1 };
    sim_init(rg.base, rg.len, 0);
    sim_add_fault((struct sim_fault){ .kind = SIM_STUCK, .addr = rg.base + 0x30008, .bit = 1, .value = 1 });
    kern_run(MT_HAMMER_TEST, &s, &rg, 1, &o, 0);
    CHECK_EQ_U64(s.total, 0);
    CHECK_EQ_U64(sim_bad_accesses(), 0);
    sim_free();
}

/* The verdict: flips only at the full rate are a WARNING; any other error
 * (or a phase 2 flip, which is not a fast word) a FAIL. */
TEST(hammer_report_verdict)
{
    static const struct mem_plan plan;
    static const struct wb_config cfg;
    static char buf[1024];
    struct sbuf sb;
    struct report_in in = { .plan = &plan, .cfg = &cfg, .error_words = 2, .hammer_fast_words = 2 };
    sbuf_init(&sb, buf, sizeof buf);
    report_summary(&sb, &in);
    CHECK(!strncmp(buf, "result: WARNING: 2 errors", 25));
    in.error_words = 3;
    sbuf_init(&sb, buf, sizeof buf);
    report_summary(&sb, &in);
    CHECK(!strncmp(buf, "result: FAIL: 3 errors", 22));
    in.error_words = in.hammer_fast_words = 0;
    sbuf_init(&sb, buf, sizeof buf);
    report_summary(&sb, &in);
    CHECK(!strncmp(buf, "result: PASS: 0 errors", 22));
}

/* tests=hammer (or 11) turns test 11 on; it is off by default; its keys
 * refuse nonsense with the default kept. */
TEST(hammer_config_keys)
{
    struct wb_config c;
    const char *t = "tests=hammer\nhammer_ms=8\nhammer_rowshift=13\nhammer_fence=1\n";
    config_defaults(&c);
    CHECK(!(c.tests >> MT_HAMMER_TEST & 1));
    CHECK_EQ_U64(c.hammer_ms, 2000);
    CHECK_EQ_U64(c.hammer_rowshift, 17);
    CHECK_EQ_U64(config_parse(&c, "weakbit.cfg", t, strlen(t), 0, 0), 0);
    CHECK_EQ_U64(c.tests, 1u << MT_HAMMER_TEST);
    CHECK(c.hammer_ms == 8 && c.hammer_rowshift == 13 && c.hammer_fence == 1);
    t = "tests=0,2-11\n";
    config_defaults(&c);
    CHECK_EQ_U64(config_parse(&c, "weakbit.cfg", t, strlen(t), 0, 0), 0);
    CHECK_EQ_U64(c.tests, 0xffdu);
    t = "tests=12\nhammer_ms=0\nhammer_rowshift=3\nhammer_fence=yes\n";
    config_defaults(&c);
    CHECK_EQ_U64(config_parse(&c, "weakbit.cfg", t, strlen(t), 0, 0), 4);
    CHECK(c.hammer_ms == 2000 && c.hammer_rowshift == 17 && c.hammer_fence == 0);
}
