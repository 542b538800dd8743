// SPDX-License-Identifier: MIT
// Moving inversions (tests 3 and 5): fill with p ascending, then per round
// check p / write ~p ascending and check ~p / write p descending, with caches
// written back between phases so every check reads DRAM.
#ifndef EFI_CORE_MOVINV_H
#define EFI_CORE_MOVINV_H

#include "mtest.h"

/* Test 3: patterns all-zeros and all-ones, `iterations` times each. */
void movinv_ones_zeros(struct mt_run *r);
uint64_t movinv_ones_zeros_sweeps(unsigned iters);

/* Test 5: per iteration a fresh xorshift64 word p from the run's seed. */
void movinv_random(struct mt_run *r);
uint64_t movinv_random_sweeps(unsigned iters);

/* One moving-inversions sequence with pattern p (exposed for tests). */
void movinv_pattern(struct mt_run *r, uint64_t p);

#endif
