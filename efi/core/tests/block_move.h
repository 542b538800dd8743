// SPDX-License-Identifier: MIT
// Block move (test 7). Memory is cut into blocks of up to MT_BLOCK bytes and
// filled with a shifting pattern inverted every other word; in each block
// the lower half is copied over the upper half, then the upper half back
// over the lower half rotated by a few words, all with `rep movsq`
// (blockmove.h), caches written back between the phases. Then every word is
// checked against where its data must have come from. Data is checked only
// after it moved, so a bad word may have been corrupted at its source: every
// error is flagged FAILBIT_ADDR_UNCERTAIN (the address is where the bad value
// was found).
#ifndef EFI_CORE_TESTS_BLOCK_MOVE_H
#define EFI_CORE_TESTS_BLOCK_MOVE_H

#include "core/tests/runtime.h"

/* One iteration = the two moves and the check, with the pattern's starting
 * shift and the rotation new each time. Memory is filled once at the start;
 * every check but the last writes the next iteration's pattern into each
 * word right after reading it (the fill, without a pass of its own). */
void block_move(struct mt_run *r);
uint64_t block_move_sweeps(unsigned iters);

#endif
