// SPDX-License-Identifier: MIT
// Block move (test 7). Each range is cut into segments of up to 1 GiB (as
// Memtest86+ does) and filled with a shifting pattern inverted every other
// word. A round copies a segment's lower half over its upper half, then the
// upper half back over the lower half rotated by a few words, all with `rep
// movsq` (movsq.h), so data crosses half a segment each time. After every
// round every word is checked against where its data must have come from. Data is checked only after it moved,
// so a bad word may have been corrupted at its source: every error is
// flagged FAILBIT_ADDR_UNCERTAIN (the address is where the bad value was
// found).
#ifndef EFI_CORE_KERNELS_BLOCK_MOVE_H
#define EFI_CORE_KERNELS_BLOCK_MOVE_H

#include "core/kernels/runtime.h"

/* One iteration = one round of moves (Memtest86+: 81 per pass). Memory is
 * filled once at the start; every check but the last writes the next
 * pattern (a new starting shift) into each word right after reading it
 * (the fill, without a pass of its own). */
void block_move(struct mt_run *r);
uint64_t block_move_sweeps(unsigned iters);

#endif
