// SPDX-License-Identifier: MIT
// Modulo 20 (test 9): for each offset o in 0..19, write p to every word whose
// index (physical address / 8) is o modulo 20, write ~p to all other words
// twice, then check the words at offset o. The many writes around each
// checked word, with caches written back before the check, catch faults
// that cache and buffer effects hide from the moving inversions.
#ifndef EFI_CORE_KERNELS_MODULO20_H
#define EFI_CORE_KERNELS_MODULO20_H

#include "core/kernels/runtime.h"

/* One iteration = every offset in turn, each twice: p at the offset and
 * ~p around it, then ~q at the offset and q around it, with p and q fresh
 * from the run's seed (Memtest86+ draws one per offset for both). */
void modulo20(struct mt_run *r);
uint64_t modulo20_sweeps(unsigned iters);

#endif
