// SPDX-License-Identifier: MIT
// Row hammer (test 11): repeated activations of one DRAM row disturb the
// cells of its neighbours. Per bank (from the interleave model, the CPUs
// starting on different banks), victim rows are filled with a stripe
// pattern, their neighbour rows with its complement, and the aggressor
// pair is read and flushed (clflush) as fast as the CPU can for a slice of
// time (phase 1); the victim row is then checked. A pattern that flipped
// bits is hammered again at the realistic rate, at most 200K activations
// per aggressor per 64 ms (phase 2, paced by the clock): flips there are
// errors, flips only in phase 1 a warning. Without a model, the second
// aggressor is searched by timing (row-buffer conflicts take longer).
#ifndef EFI_CORE_KERNELS_ROW_HAMMER_H
#define EFI_CORE_KERNELS_ROW_HAMMER_H

#include "core/kernels/runtime.h"

/* Phase 2's rate: activations per aggressor per refresh window. */
#define HAMMER_REAL_ACTS 200000ull
#define HAMMER_REFRESH_MS 64ull
/* Longest slice of hammering per victim and pattern: one refresh window. */
#define HAMMER_SLICE_MS 64ull
/* Rounds per victim and pattern without a clock (host tests). */
#define HAMMER_CLOCKLESS_ROUNDS 4096ull

/* One iteration: the time budget (ops->hammer_ms) per bank. */
void row_hammer(struct mt_run *r);
uint64_t row_hammer_sweeps(unsigned iters);

#endif
