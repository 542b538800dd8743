// SPDX-License-Identifier: MIT
// The retention dwell (hold_ms): every verify reads memory at least hold_ms
// after it was last touched, right after a change of direction too; a sweep
// that takes longer than hold_ms waits for nothing; a test's loop stays under
// hold_ms + one sweep per verify; and a cell that leaks when its row sits
// untouched for 100 ms is caught with the dwell and missed without it.
#include "check.h"
#include "kern.h"
#include "sim/simmem.h"
#include "core/kernels/movinv.h"
#include <stdlib.h>
#include <string.h>

#define HOLD 150
#define GB 0x100000000ull

/* A fake platform: a clock the test advances by hand; sleeping moves it. */
static uint64_t clk;   /* us */

static uint64_t fake_now(void *ctx)
{
    (void)ctx;
    return clk;
}

static int fake_sleep(void *ctx, uint64_t ms)
{
    (void)ctx;
    clk += ms * 1000;
    return 0;
}

static struct mt_ops fake_ops = { .sleep = fake_sleep, .now_us = fake_now, .hold_ms = HOLD };
static struct mt_dwell dw;
static uint64_t done_at[512];   /* per block: clock when the last sweep finished it */

/* One phase: a sweep over `nblocks` blocks at 1 ms a block; returns the smallest gap
 * between a block's previous touch and the moment it was handed out. */
static uint64_t sweep(struct mt_run *r, int down, int verify, unsigned nblocks)
{
    struct mt_cursor c = { .verify = verify };
    uint64_t lo, hi, min_gap = ~0ull;
    while (down ? mt_next_down(r, &c, &lo, &hi) : mt_next_up(r, &c, &lo, &hi)) {
        unsigned b = (unsigned)((lo - GB) / MT_BLOCK);
        CHECK(b < nblocks);
        if (done_at[b] && clk - done_at[b] < min_gap)
            min_gap = clk - done_at[b];
        clk += 1000;
        done_at[b] = clk;
    }
    mt_sync(r);   /* the end of a phase, as in the kernels */
    return min_gap;
}

static void start(struct mt_run *r, struct mem_range *rg, unsigned nblocks)
{
    *rg = (struct mem_range){ GB, (uint64_t)nblocks * MT_BLOCK };
    dw = (struct mt_dwell){ 0 };
    memset(done_at, 0, sizeof done_at);
    clk = 5000000;
    *r = (struct mt_run){ .ranges = rg, .nranges = 1, .ops = &fake_ops, .dwell = &dw };
}

/* Ascending write, descending verify over 8 blocks of 1 ms: the four parts
 * of two blocks go down lowest first, so the first block read (block 1) was
 * written 6 ms before the turn and waits the rest of the hold; the other
 * parts then rested while it was waited for. */
TEST(dwell_short_turn_waits_the_rest_of_the_hold)
{
    struct mt_run r;
    struct mem_range rg;
    start(&r, &rg, 8);
    sweep(&r, 0, 0, 8);
    uint64_t gap = sweep(&r, 1, 1, 8);
    CHECK(gap >= HOLD * 1000);
    CHECK_EQ_U64(dw.waits, 1);
    CHECK(dw.waited_us >= (HOLD - 6) * 1000 && dw.waited_us <= (HOLD - 4) * 1000);
    /* And back up again: block 0 was written just before part 1 began. */
    gap = sweep(&r, 0, 1, 8);
    CHECK(gap >= HOLD * 1000);
    CHECK_EQ_U64(dw.waits, 2);
}

/* Sweeps of 400 ms (400 blocks at 1 ms): in the same direction every block
 * was left alone longer than hold_ms already; at a turn each part rests
 * while the other three are swept, 300 ms. No wait at all. With 188 blocks
 * a part rests 141 ms: the turn waits the 9 ms left. */
TEST(dwell_turn_costs_nothing_when_three_quarters_of_a_sweep_outlast_the_hold)
{
    struct mt_run r;
    struct mem_range rg;
    start(&r, &rg, 400);
    sweep(&r, 0, 0, 400);
    uint64_t gap = sweep(&r, 0, 1, 400);
    CHECK(gap >= HOLD * 1000);
    gap = sweep(&r, 1, 1, 400);
    CHECK(gap >= HOLD * 1000);
    gap = sweep(&r, 0, 1, 400);
    CHECK(gap >= HOLD * 1000);
    CHECK_EQ_U64(dw.waits, 0);
    CHECK_EQ_U64(dw.waited_us, 0);
    start(&r, &rg, 188);
    sweep(&r, 0, 0, 188);
    gap = sweep(&r, 1, 1, 188);
    CHECK(gap >= HOLD * 1000);
    CHECK_EQ_U64(dw.waits, 1);
    CHECK(dw.waited_us >= 8000 && dw.waited_us <= 11000);
}

/* A descending sweep over two ranges of 3 and 5 blocks: four parts of two
 * blocks (the second part spans both ranges), lowest first, each downwards;
 * every block once. Under two blocks there is nothing to split. */
TEST(dwell_down_sweep_goes_part_by_part)
{
    struct mem_range rg[2] = { { GB, 3 * MT_BLOCK }, { GB + 16 * MT_BLOCK, 5 * MT_BLOCK } };
    struct mt_run r = { .ranges = rg, .nranges = 2, .ops = &fake_ops };
    const uint64_t want[8] = { 1, 0, 16, 2, 18, 17, 20, 19 };
    struct mt_cursor c = { 0 };
    uint64_t lo, hi;
    unsigned n = 0;
    while (mt_next_down(&r, &c, &lo, &hi)) {
        CHECK(n < 8);
        if (n < 8) {
            CHECK_EQ_U64(lo, GB + want[n] * MT_BLOCK);
            CHECK_EQ_U64(hi, lo + MT_BLOCK);
        }
        n++;
    }
    CHECK_EQ_U64(n, 8);
    struct mem_range one = { GB, MT_BLOCK + 64 };
    r = (struct mt_run){ .ranges = &one, .nranges = 1, .ops = &fake_ops };
    c = (struct mt_cursor){ 0 };
    CHECK(mt_next_down(&r, &c, &lo, &hi) && lo == GB + 64 && hi == GB + MT_BLOCK + 64);
    CHECK(mt_next_down(&r, &c, &lo, &hi) && lo == GB && hi == GB + 64);
    CHECK(!mt_next_down(&r, &c, &lo, &hi));
}

/* hold_ms=0, no clock, or no storage: no dwell. */
TEST(dwell_off)
{
    struct mt_run r;
    struct mem_range rg;
    start(&r, &rg, 8);
    struct mt_ops off = fake_ops;
    off.hold_ms = 0;
    r.ops = &off;
    sweep(&r, 0, 0, 8);
    CHECK(sweep(&r, 1, 1, 8) < HOLD * 1000);
    off.hold_ms = HOLD;
    off.now_us = 0;
    sweep(&r, 0, 0, 8);
    CHECK(sweep(&r, 1, 1, 8) < HOLD * 1000);
    r.ops = &fake_ops;
    r.dwell = 0;
    sweep(&r, 0, 0, 8);
    CHECK(sweep(&r, 1, 1, 8) < HOLD * 1000);
    CHECK_EQ_U64(dw.waits, 0);
}

#define BASE 0x36a700000ull
#define BIG (2u << 20)

/* Test 5 on 2 MiB (a heat-gun focus range): one pattern is a fill and four
 * verify sweeps. Each verify waits for the dwell, and no longer than
 * hold_ms + one sweep: the loop stays as tight as the dwell allows. */
TEST(dwell_focus_loop_under_hold_plus_a_sweep)
{
    struct mem_range rg = { BASE, BIG };
    sim_init(BASE, BIG, 0);
    struct kern_opts o = { .iters = 1, .hold_ms = HOLD };
    struct kern_seen *s = calloc(1, sizeof *s);
    struct mt_run out;
    uint64_t t0 = sim_ticks();
    kern_run(5, s, &rg, 1, &o, &out);
    uint64_t ms = (sim_ticks() - t0) / KERN_TICKS_PER_MS;
    uint64_t sweep_ms = 2 * (BIG / 8) / KERN_TICKS_PER_MS + 1;   /* a read and a write per word */
    unsigned verifies = 2 * MOVINV_RANDOM_ROUNDS;
    CHECK_EQ_U64(s->total, 0);
    CHECK_EQ_U64(out.dwell->waits, verifies);
    CHECK(ms >= verifies * HOLD);
    CHECK(ms <= verifies * (HOLD + sweep_ms) + sweep_ms);
    free(s);
    sim_free();
}

/* Cells that leak after 100 ms with their row untouched, at the bottom and
 * the top of 2 MiB, test 3 with one round. The top one is charged (ones)
 * only by the ascending write that ends on it and is read first by the
 * descending verify that follows, or by a fill read a sweep (0.3 ms) later:
 * only a dwell that waits at the reversal catches it. */
TEST(dwell_catches_a_row_retention_cell_at_the_turn)
{
    struct mem_range rg = { BASE, BIG };
    uint64_t top = BASE + BIG - 8, bottom = BASE;
    for (int hold = 0; hold <= HOLD; hold += HOLD) {
        sim_init(BASE, BIG, 0);
        sim_add_fault((struct sim_fault){ .kind = SIM_RETENTION, .addr = top, .bit = 5,
                                          .value = 1, .hold = 100 * SIM_TICKS_PER_MS });
        sim_add_fault((struct sim_fault){ .kind = SIM_RETENTION, .addr = bottom, .bit = 9,
                                          .value = 1, .hold = 100 * SIM_TICKS_PER_MS });
        struct kern_opts o = { .iters = 1, .hold_ms = (uint64_t)hold };
        struct kern_seen *s = calloc(1, sizeof *s);
        kern_run(3, s, &rg, 1, &o, 0);
        if (hold) {
            CHECK(kern_has_cell(s, top, 5));
            CHECK(kern_has_cell(s, bottom, 9));
            for (unsigned i = 0; i < s->n; i++)
                CHECK(s->rec[i].addr == top || s->rec[i].addr == bottom);
        } else {
            CHECK_EQ_U64(s->total, 0);
        }
        free(s);
        sim_free();
    }
}

/* Every word of 12 MiB is read at least hold_ms (here 1 ms, 1M accesses)
 * after it was last written, in tests 3, 5, 8 and 9, and tests 3, 5 and 8
 * wait for nothing: each part of a descending sweep rests 2.25 ms while the
 * others are swept. (Test 9's check reads one word in 20, so it catches up
 * with the dense write of the other words, which restores the same rows,
 * before a hold has passed: there the dwell must wait.) A 2 MiB focus range
 * keeps the full hold and pays for it in waits. */
TEST(dwell_every_word_rests_a_hold_large_ranges_wait_for_nothing)
{
    static const unsigned tests[] = { 3, 5, 8, 9 };
    const uint64_t len = 12u << 20;
    struct mem_range rg = { BASE, len };
    for (unsigned k = 0; k < sizeof tests / sizeof tests[0]; k++) {
        sim_init(BASE, len, 0);
        struct kern_opts o = { .iters = 1, .hold_ms = 1 };
        struct kern_seen *s = calloc(1, sizeof *s);
        struct mt_run out;
        kern_run(tests[k], s, &rg, 1, &o, &out);
        CHECK_EQ_U64(s->total, 0);
        CHECK(sim_min_read_gap() >= KERN_TICKS_PER_MS);
        if (tests[k] != 9)
            CHECK_EQ_U64(out.dwell->waits, 0);
        free(s);
        sim_free();
    }
    rg.len = BIG;
    sim_init(BASE, BIG, 0);
    struct kern_opts o = { .iters = 1, .hold_ms = 1 };
    struct kern_seen *s = calloc(1, sizeof *s);
    struct mt_run out;
    kern_run(5, s, &rg, 1, &o, &out);
    CHECK(sim_min_read_gap() >= KERN_TICKS_PER_MS);
    CHECK(out.dwell->waits > 0);
    free(s);
    sim_free();
}
