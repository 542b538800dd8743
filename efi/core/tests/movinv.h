// SPDX-License-Identifier: MIT
// Moving inversions (tests 3-6): fill with p ascending, then check p / write
// ~p ascending and check ~p / write p descending, with caches written back
// between phases so every check reads DRAM. Three passes over memory.
#ifndef EFI_CORE_TESTS_MOVINV_H
#define EFI_CORE_TESTS_MOVINV_H

#include "core/tests/runtime.h"

/* Test 3: one iteration = the sequence with all-zeros, then with all-ones. */
void movinv_ones_zeros(struct mt_run *r);
uint64_t movinv_ones_zeros_sweeps(unsigned iters);

/* Test 4: one iteration = for each of the 8 byte patterns 0x01..0x80 (every
 * byte of the word alike), the sequence starting from the walking one and
 * the sequence starting from its complement (walking zero): 16 sequences. */
void movinv_8bit(struct mt_run *r);
uint64_t movinv_8bit_sweeps(unsigned iters);

/* Test 5: per iteration a fresh xorshift64 word p from the run's seed. */
void movinv_random(struct mt_run *r);
uint64_t movinv_random_sweeps(unsigned iters);

/* Test 6: 64-bit walking ones. The word at address a holds a single one at
 * bit (s + a / 8) % 64, so the one moves a bit further at every word, and
 * its complement (a walking zero) on the way back. Iteration i starts at
 * s = 2 * i + pass % 2, so 32 iterations on two passes use all 64 starts. */
void movinv_walk64(struct mt_run *r);
uint64_t movinv_walk64_sweeps(unsigned iters);

/* One moving-inversions sequence with pattern p (exposed for tests). */
void movinv_pattern(struct mt_run *r, uint64_t p);

#endif
