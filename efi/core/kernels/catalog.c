// SPDX-License-Identifier: MIT
#include "core/kernels/catalog.h"
#include "core/kernels/addr_walk.h"
#include "core/kernels/bit_fade.h"
#include "core/kernels/block_move.h"
#include "core/kernels/modulo20.h"
#include "core/kernels/movinv.h"
#include "core/kernels/own_addr.h"
#include "core/kernels/rand_seq.h"
#include "core/kernels/row_hammer.h"

#define W(c, v, m, f) { .checks = c, .values = v, .moves = m, .walk_fills = f }

/* Numbering and names follow Memtest86+ so users can compare results.
 * What one iteration is, per test, is in each kernel's header; the
 * Memtest86+ figures are FACTS.md's "Test work per full pass" (6.x tests.c
 * and test files). */
static const struct mt_test table[] = {
    { 0, "Address test, walking ones", MT_ONE_CPU, 1, addr_walk, addr_walk_sweeps,
      W(0, 0, 0, 0), W(0, 0, 0, 0),
      "walking-ones address bits per segment, twice, caches off" },
    { 1, "Address test, own address", MT_ONE_CPU, 1, own_addr_seq, own_addr_sweeps,
      W(1, 1, 0, 0), W(1, 1, 0, 0),
      "own address: fill, check (iterations unused)" },
    { 2, "Address test, own address + window", MT_ONE_CPU, 1, own_addr_window, own_addr_sweeps,
      W(1, 1, 0, 0), W(1, 1, 0, 0),
      "2 stages: fill own address + offset, check (iterations unused)" },
    { 3, "Moving inversions, 1s & 0s", MT_ALL_CPUS, 6, movinv_ones_zeros, movinv_ones_zeros_sweeps,
      W(24, 2, 0, 0), W(8, 2, 0, 0),
      "mov-inv(0, 6), mov-inv(~0, 6): 24 sweeps (8)" },
    { 4, "Moving inversions, 8 bit pattern", MT_ALL_CPUS, 3, movinv_8bit, movinv_8bit_sweeps,
      W(96, 16, 0, 0), W(32, 16, 0, 0),
      "8 byte patterns, each mov-inv(p, 3) and mov-inv(~p, 3): 96 sweeps (32)" },
    { 5, "Moving inversions, random pattern", MT_ALL_CPUS, 30, movinv_random, movinv_random_sweeps,
      W(120, 60, 0, 0), W(40, 20, 0, 0),
      "30 random p (10), each mov-inv(p, 2): 120 sweeps (40)" },
    { 6, "Moving inversions, 64 bit pattern", MT_ALL_CPUS, 3, movinv_walk64, movinv_walk64_sweeps,
      W(768, 128, 0, 64), W(256, 128, 0, 64),
      "64 offsets x walking one and walking zero, each mov-inv(p, 3): 768 sweeps (256)" },
    { 7, "Block move", MT_ALL_CPUS, 81, block_move, block_move_sweeps,
      W(1, 0, 81, 0), W(1, 0, 27, 0),
      "81 rounds (27) of moves over chunks up to 1 GiB, one adjacent-word check" },
    { 8, "Random number sequence", MT_ALL_CPUS, 48, rand_seq, rand_seq_sweeps,
      W(96, 96, 0, 0), W(32, 32, 0, 0),
      "48 random sequences (16): write, check + write ~, check: 96 sweeps (32)" },
    { 9, "Modulo 20, random pattern", MT_ALL_CPUS, 6, modulo20, modulo20_sweeps,
      W(12, 240, 0, 0), W(4, 80, 0, 0),
      "6 (2) x 20 offsets x 2 polarities, one random p per offset" },
    { 10, "Bit fade test", MT_ONE_CPU, 1, bit_fade, bit_fade_sweeps,
      W(2, 2, 0, 0), W(2, 2, 0, 0),
      "0s and 1s: fill, wait 240 s (80 s), check" },
    { MT_HAMMER_TEST, "Row hammer", MT_ALL_CPUS, 1, row_hammer, row_hammer_sweeps,
      W(0, 0, 0, 0), W(0, 0, 0, 0),
      "none: Memtest86+ has no row hammer test" },
};

const struct mt_test *mt_find(unsigned num)
{
    for (unsigned i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].num == num)
            return &table[i];
    return 0;
}

unsigned mt_iterations(const struct mt_test *t, int quick, uint32_t pass)
{
    if (!quick || pass != 0)
        return t->iterations;
    unsigned n = t->iterations / 3;
    return n ? n : 1;
}

uint64_t mt_fade_ms(int set, uint64_t set_ms, int quick, uint32_t pass)
{
    if (set)
        return set_ms;
    return quick && pass == 0 ? MT_FADE_QUICK_MS : MT_FADE_DEFAULT_MS;
}
