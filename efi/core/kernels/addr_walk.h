// SPDX-License-Identifier: MIT
// Address test, walking ones (test 0), one CPU, caches off where the
// platform can switch them (ops->cache). Each range gets an anchor word A;
// its partners are the words A ^ (1 << k) for every address bit k >= 3 that
// lands inside any tested range, so one address line at a time differs from
// the anchor. Every probed word is written with a value naming itself, then
// a marker is walked over the partners (and the anchor) one at a time; after
// each step every probed word is checked. A stuck or shorted address line
// makes a write land on another probed word. Errors whose value names
// another word are flagged FAILBIT_ADDR_UNCERTAIN.
#ifndef EFI_CORE_KERNELS_ADDR_WALK_H
#define EFI_CORE_KERNELS_ADDR_WALK_H

#include "core/kernels/runtime.h"

/* One iteration = the walk with values as written and with every value
 * inverted, for every range's anchor. */
void addr_walk(struct mt_run *r);

/* A handful of words: no block-sized progress to report. */
uint64_t addr_walk_sweeps(unsigned iters);

/* The anchor addr_walk picks for range i (exposed for tests). */
uint64_t addr_walk_anchor(const struct mt_run *r, unsigned i);

#endif
