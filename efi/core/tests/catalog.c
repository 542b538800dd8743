// SPDX-License-Identifier: MIT
#include "core/tests/catalog.h"
#include "core/tests/addr_walk.h"
#include "core/tests/bit_fade.h"
#include "core/tests/block_move.h"
#include "core/tests/modulo20.h"
#include "core/tests/movinv.h"
#include "core/tests/own_addr.h"
#include "core/tests/rand_seq.h"

/* Numbering and names follow Memtest86+ so users can compare results.
 * What one iteration is, per test, is in each kernel's header. */
static const struct mt_test table[] = {
    { 0, "Address test, walking ones", MT_ONE_CPU, 1, addr_walk, addr_walk_sweeps },
    { 1, "Address test, own address", MT_ONE_CPU, 1, own_addr_seq, own_addr_sweeps },
    { 2, "Address test, own address + window", MT_ONE_CPU, 1, own_addr_window, own_addr_sweeps },
    { 3, "Moving inversions, 1s & 0s", MT_ALL_CPUS, 3, movinv_ones_zeros, movinv_ones_zeros_sweeps },
    { 4, "Moving inversions, 8 bit pattern", MT_ALL_CPUS, 1, movinv_8bit, movinv_8bit_sweeps },
    { 5, "Moving inversions, random pattern", MT_ALL_CPUS, 30, movinv_random, movinv_random_sweeps },
    { 6, "Moving inversions, 64 bit pattern", MT_ALL_CPUS, 32, movinv_walk64, movinv_walk64_sweeps },
    { 7, "Block move", MT_ALL_CPUS, 16, block_move, block_move_sweeps },
    { 8, "Random number sequence", MT_ALL_CPUS, 8, rand_seq, rand_seq_sweeps },
    { 9, "Modulo 20, random pattern", MT_ALL_CPUS, 2, modulo20, modulo20_sweeps },
    { 10, "Bit fade test", MT_ONE_CPU, 1, bit_fade, bit_fade_sweeps },
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
