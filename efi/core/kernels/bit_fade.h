// SPDX-License-Identifier: MIT
// Bit fade (test 10): fill all of memory with zeros, wait ops->fade_ms
// without touching it, check; then the same with ones. Finds cells that
// lose their charge when nothing rewrites them for a long time (retention).
// The wait goes through ops->sleep, which keeps polling for an abort.
#ifndef EFI_CORE_KERNELS_BIT_FADE_H
#define EFI_CORE_KERNELS_BIT_FADE_H

#include "core/kernels/runtime.h"

/* One iteration = both patterns. */
void bit_fade(struct mt_run *r);
uint64_t bit_fade_sweeps(unsigned iters);

#endif
