// SPDX-License-Identifier: MIT
// Moving inversions (tests 3-6), as Memtest86+ runs them: fill with p
// ascending, then n rounds of check p / write ~p ascending and check ~p /
// write p descending, with caches written back between phases so every
// check reads DRAM: 1 + 2n passes over memory per pattern, 2n of them checks.
#ifndef EFI_CORE_KERNELS_MOVINV_H
#define EFI_CORE_KERNELS_MOVINV_H

#include "core/kernels/runtime.h"

/* Test 3: all-zeros, then all-ones, each with n = iterations rounds. */
void movinv_ones_zeros(struct mt_run *r);
uint64_t movinv_ones_zeros_sweeps(unsigned iters);

/* Test 4: for each of the 8 byte patterns 0x01..0x80 (every byte of the
 * word alike), the pattern and then its complement, each with
 * n = iterations rounds: 16 patterns. */
void movinv_8bit(struct mt_run *r);
uint64_t movinv_8bit_sweeps(unsigned iters);

/* Test 5: per iteration a fresh random p from the run's seed, with
 * MOVINV_RANDOM_ROUNDS rounds (Memtest86+'s fixed count). */
#define MOVINV_RANDOM_ROUNDS 2
void movinv_random(struct mt_run *r);
uint64_t movinv_random_sweeps(unsigned iters);
/* Test 5's pattern source: the next p from a state started at the run's
 * seed (the report lists the first few with this). */
uint64_t movinv_random_next(uint64_t *state);

/* Test 6: 64-bit walking ones and zeros. The word at address a holds a
 * single one at bit (o + a / 8) % 64, so the one moves a bit further at
 * every word. Every pass runs all 64 offsets o, each first with the walking
 * one and then with the walking zero as the fill, n = iterations rounds
 * each: 128 patterns. */
void movinv_walk64(struct mt_run *r);
uint64_t movinv_walk64_sweeps(unsigned iters);

/* One moving-inversions pattern p with one round (exposed for tests). */
void movinv_pattern(struct mt_run *r, uint64_t p);

#endif
