// SPDX-License-Identifier: MIT
// Every test of the table (0-10) against simulated memory: clean runs, exact
// addresses and bits, flags, aborts, ranges, progress and phase counts.
#include "check.h"
#include "kern.h"
#include "sim/simmem.h"
#include "core/report.h"
#include "core/kernels/addr_walk.h"
#include <string.h>

#define BASE 0x36a700000ull  /* above 4 GiB and not aligned to its own size */
#define LEN (64u << 10)

static struct kern_seen s;
static const struct kern_opts quick = { .iters = 1, .fade_ms = 10 };

TEST(kernels_table_complete)
{
    for (unsigned n = 0; n <= MT_MAX_TEST; n++) {
        const struct mt_test *t = mt_find(n);
        CHECK(t && t->num == n && t->run && t->sweeps && t->iterations >= 1);
    }
    CHECK(mt_find(MT_MAX_TEST + 1) == 0);
    CHECK(mt_find(0)->mode == MT_ONE_CPU && mt_find(1)->mode == MT_ONE_CPU && mt_find(2)->mode == MT_ONE_CPU);
    CHECK(mt_find(10)->mode == MT_ONE_CPU);
    for (unsigned n = 3; n <= 9; n++)
        CHECK(mt_find(n)->mode == MT_ALL_CPUS);
}

/* Clean memory: no error, nothing touched outside the ranges, and progress
 * (sweeps_done) matches what the table promises. */
TEST(kernels_clean_memory_only_own_ranges)
{
    struct mem_range rg[3] = { { BASE + 4096, 8192 }, { BASE + 16384, 24 },
                               { BASE + 32768, 20480 + 40 } };
    for (unsigned n = 0; n < MT_HAMMER_TEST; n++) {
        sim_init(BASE, LEN, 0xc0ffee);
        struct mt_run r;
        kern_run(n, &s, rg, 3, &quick, &r);
        if (s.total)
            fprintf(stderr, "  test %u: %llu errors on clean memory\n", n,
                    (unsigned long long)s.total);
        CHECK_EQ_U64(s.total, 0);
        CHECK_EQ_U64(sim_bad_accesses(), 0);
        CHECK_EQ_U64(sim_peek(BASE + 4088), 0xc0ffee);
        CHECK_EQ_U64(sim_peek(BASE + 4096 + 8192), 0xc0ffee);
        CHECK_EQ_U64(sim_peek(BASE + 16384 + 24), 0xc0ffee);
        CHECK_EQ_U64(sim_peek(BASE + 32760), 0xc0ffee);
        CHECK_EQ_U64(sim_peek(BASE + 32768 + 20480 + 40), 0xc0ffee);
        CHECK(!r.aborted);
        CHECK_EQ_U64(r.sweeps_done, mt_find(n)->sweeps(1));
        CHECK(sim_flushes() >= 1);
        sim_free();
    }
}

/* A stuck bit is reported at its exact word and bit, with what was written
 * and what came back, by every test that writes both values there. */
TEST(kernels_stuck_bit_exact_address_and_flags)
{
    struct mem_range rg = { BASE, LEN };
    uint64_t a = BASE + 0x3f58;
    for (unsigned n = 1; n < MT_HAMMER_TEST; n++)
        for (unsigned bit = 1; bit < 64; bit += 40)   /* bits 1 and 41 */
            for (unsigned v = 0; v < 2; v++) {
                sim_init(BASE, LEN, 0);
                sim_add_fault((struct sim_fault){ .kind = SIM_STUCK, .addr = a, .bit = bit,
                                                  .value = v });
                /* Test 9 draws a fresh pattern per offset and polarity: one
                 * iteration sets a given bit both ways only by chance, a
                 * full pass's six do here. */
                struct kern_opts o = quick;
                if (n == 9)
                    o.iters = 0;
                kern_run(n, &s, &rg, 1, &o, 0);
                /* Block move finds the bad value where it was copied to (maybe
                 * not at the cell): only the bit is sure, and flagged so. */
                int ok = n == 7 ? s.n > 0 : kern_only_cell(&s, a, bit);
                if (!ok)
                    fprintf(stderr, "  test %u bit %u stuck at %u: %u records\n", n, bit, v, s.n);
                CHECK(ok);
                for (unsigned i = 0; i < s.n; i++) {
                    CHECK((s.rec[i].actual >> bit & 1) == v);
                    CHECK_EQ_U64(s.rec[i].expected ^ s.rec[i].actual, 1ull << bit);
                    unsigned want = 0;
                    if (n == 7)
                        want = FAILBIT_ADDR_UNCERTAIN;   /* found after moves */
                    if ((n == 1 || n == 2) && bit >= 3)
                        want = FAILBIT_ADDR_UNCERTAIN;   /* reads as another address */
                    CHECK_EQ_U64(s.rec[i].flags, want);
                }
                sim_free();
            }
}

/* Test 0 probes few words: a stuck bit at its anchor is seen exactly. */
TEST(kernels_addr_walk_anchor_cell)
{
    struct mem_range rg = { BASE, LEN };
    struct mt_run probe = { &rg, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0 };
    uint64_t a = addr_walk_anchor(&probe, 0);
    CHECK(a >= BASE && a < BASE + LEN);
    CHECK((a & (LEN - 1)) == 0);   /* the most aligned word of the range */
    sim_init(BASE, LEN, 0);
    sim_add_fault((struct sim_fault){ .kind = SIM_STUCK, .addr = a, .bit = 9, .value = 1 });
    kern_run(0, &s, &rg, 1, &quick, 0);
    CHECK(kern_only_cell(&s, a, 9));
    sim_free();
}

/* An address line stuck at 0 inside the range: test 0 sees writes landing
 * on its anchor and flags them; it switches caches off and on again. */
TEST(kernels_addr_walk_address_line)
{
    struct mem_range rg = { BASE, LEN };
    for (unsigned line = 3; line < 16; line += 4) {
        sim_init(BASE, LEN, 0);
        sim_add_fault((struct sim_fault){ .kind = SIM_ADDR_LINE, .bit = line, .value = 0 });
        struct kern_opts o = quick;
        o.with_cache = 1;
        kern_run(0, &s, &rg, 1, &o, 0);
        CHECK(s.n > 0);
        int flagged = 0;
        for (unsigned i = 0; i < s.n; i++)
            flagged |= s.rec[i].flags == FAILBIT_ADDR_UNCERTAIN;
        CHECK(flagged);
        CHECK_EQ_U64(s.cache_off, 1);
        CHECK_EQ_U64(s.cache_on, 1);
        sim_free();
    }
}

/* Two addresses sharing a cell: the own-address tests flag the record and
 * its value names the other address. */
TEST(kernels_own_addr_alias_flagged)
{
    struct mem_range rg = { BASE, LEN };
    uint64_t x = BASE + 0x1230, y = BASE + 0x8888;
    for (unsigned n = 1; n <= 2; n++) {
        sim_init(BASE, LEN, 0);
        sim_add_fault((struct sim_fault){ .kind = SIM_ALIAS, .addr = y, .aggr = x });
        kern_run(n, &s, &rg, 1, &quick, 0);
        CHECK(s.n > 0);
        for (unsigned i = 0; i < s.n; i++) {
            CHECK(s.rec[i].addr == x || s.rec[i].addr == y);
            CHECK_EQ_U64(s.rec[i].flags, FAILBIT_ADDR_UNCERTAIN);
        }
        sim_free();
    }
}

/* Bit fade waits through ops->sleep, fade_ms per pattern, and catches a
 * cell that only leaks over that wait. Without a sleep hook it does not wait. */
TEST(kernels_bit_fade_sleep_and_leak)
{
    struct mem_range rg = { BASE, LEN };
    uint64_t a = BASE + 0x2468;
    sim_init(BASE, LEN, 0);
    /* Holds through a fill and a check, not through 1000 ms of sleep. */
    sim_add_fault((struct sim_fault){ .kind = SIM_LEAK, .addr = a, .bit = 33, .value = 1,
                                      .hold = 2 * LEN / 8 });
    struct kern_opts o = quick;
    o.fade_ms = 1000;
    kern_run(10, &s, &rg, 1, &o, 0);
    CHECK_EQ_U64(s.sleeps, 2);
    CHECK_EQ_U64(s.slept_ms, 2000);
    CHECK(1000 * KERN_TICKS_PER_MS > 2 * LEN / 8);
    CHECK(kern_only_cell(&s, a, 33));
    CHECK(s.n == 1 && s.rec[0].expected == ~0ull && s.rec[0].flags == 0);
    sim_free();

    sim_init(BASE, LEN, 0);
    sim_add_fault((struct sim_fault){ .kind = SIM_LEAK, .addr = a, .bit = 33, .value = 1,
                                      .hold = 2 * LEN / 8 });
    o.no_sleep = 1;
    kern_run(10, &s, &rg, 1, &o, 0);
    CHECK_EQ_U64(s.sleeps, 0);
    CHECK_EQ_U64(s.n, 0);
    sim_free();
}

/* Poll returns non-zero: every test stops within about one block. */
TEST(kernels_abort_stops_within_a_block)
{
    struct mem_range rg = { BASE, 4u << 20 };
    for (unsigned n = 0; n < MT_HAMMER_TEST; n++) {
        sim_init(BASE, 4u << 20, 0);
        s.stop_after = 1;
        struct kern_opts o = { .fade_ms = 1000 };   /* full iteration counts */
        struct mt_run r;
        uint64_t before = sim_ticks();
        kern_run(n, &s, &rg, 1, &o, &r);
        s.stop_after = 0;
        CHECK(r.aborted);
        uint64_t used = sim_ticks() - before;
        if (used > MT_BLOCK / 8 + 64)
            fprintf(stderr, "  test %u: %llu ticks after abort request\n", n,
                    (unsigned long long)used);
        CHECK(used <= MT_BLOCK / 8 + 64);
        /* Stopped in its first sweep after one block: one block swept, not
         * the 4 MiB planned; the same run complete: all of it. */
        CHECK_EQ_U64(mt_swept(&r, 1), MT_BLOCK);
        CHECK_EQ_U64(mt_swept(&r, 9), 4u << 20);
        r.aborted = 0;
        CHECK_EQ_U64(mt_swept(&r, 1), 4u << 20);
        sim_free();
    }
}

/* With SMP, ops->sync is a barrier: every CPU must call it equally often
 * whatever its chunk, or the CPUs would wait for each other forever. */
TEST(kernels_sync_count_independent_of_ranges)
{
    struct mem_range one = { BASE, LEN };
    struct mem_range three[3] = { { BASE, 4096 }, { BASE + 8192, 8 }, { BASE + 16384, 40000 } };
    struct kern_opts o = quick;
    o.with_sync = 1;
    for (unsigned n = 1; n < MT_HAMMER_TEST; n++) {
        if (mt_find(n)->mode != MT_ALL_CPUS)
            continue;
        sim_init(BASE, LEN, 0);
        kern_run(n, &s, &one, 1, &o, 0);
        unsigned a = s.syncs;
        kern_run(n, &s, three, 3, &o, 0);
        CHECK(a > 0);
        CHECK_EQ_U64(s.syncs, a);
        kern_run(n, &s, three, 0, &o, 0);   /* a CPU with nothing to test */
        CHECK_EQ_U64(s.syncs, a);
        sim_free();
    }
}

/* Streams and patterns come from the seed: same seed, same result. */
TEST(kernels_seeded_reproducible)
{
    struct mem_range rg = { BASE, 4096 };
    unsigned seeded[] = { 2, 5, 8, 9 };
    for (unsigned k = 0; k < sizeof seeded / sizeof seeded[0]; k++) {
        uint64_t img[3][64];
        struct kern_opts o[3] = { quick, quick, quick };
        o[2].pass = 1;
        for (unsigned v = 0; v < 3; v++) {
            sim_init(BASE, 4096, 0);
            /* Stop after the first write phase: memory then shows the stream. */
            s.stop_after = 1;
            kern_run(seeded[k], &s, &rg, 1, &o[v], 0);
            s.stop_after = 0;
            for (unsigned i = 0; i < 64; i++)
                img[v][i] = sim_peek(BASE + 8 * i);
            sim_free();
        }
        CHECK(!memcmp(img[0], img[1], sizeof img[0]));
        CHECK(memcmp(img[0], img[2], sizeof img[0]) != 0);
    }
}

/* The random sequence is really random-looking, not a constant. */
TEST(kernels_rand_seq_varies)
{
    struct mem_range rg = { BASE, 4096 };
    sim_init(BASE, 4096, 0);
    s.stop_after = 1;
    kern_run(8, &s, &rg, 1, &quick, 0);
    s.stop_after = 0;
    unsigned same = 0;
    for (unsigned i = 1; i < 512; i++)
        same += sim_peek(BASE + 8 * i) == sim_peek(BASE + 8 * (i - 1));
    CHECK_EQ_U64(same, 0);
    sim_free();
}

/* report.txt's seed line names the patterns test 5 really writes: the
 * scheduler's derivation (cpu 0, pass 1, test 5) from the run seed. */
TEST(kernels_report_seed_line_names_test5_patterns)
{
    struct mem_range rg = { BASE, 4096 };
    uint64_t seed = 0x1234567887654321ull;
    char line[256], want[32];
    struct sbuf sb;
    sbuf_init(&sb, line, sizeof line);
    report_seed_line(&sb, seed, 2);
    CHECK(strstr(line, "seed=0x1234567887654321 replays") != NULL);
    for (unsigned k = 1; k <= 2; k++) {
        sim_init(BASE, 4096, 0);
        struct kern_opts o = { .iters = 2, .seed_base = seed };
        s.stop_after = 1 + (k - 1) * 5;   /* stop after pattern k's fill */
        kern_run(5, &s, &rg, 1, &o, 0);
        s.stop_after = 0;
        snprintf(want, sizeof want, "0x%016llx", (unsigned long long)sim_peek(BASE));
        char *at = strstr(line, "cpu 0:");
        for (unsigned i = 0; at && i < k; i++)
            at = strchr(at + 1, ' ') ? strstr(at + 1, " 0x") : 0;
        CHECK(at && !strncmp(at + 1, want, 18));
        sim_free();
    }
}
