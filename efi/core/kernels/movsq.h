// SPDX-License-Identifier: MIT
// The block-move primitive of test 7: `rep movsq` (boot/blockmove.asm in the
// app; the host simulator and the benchmark bring their own). Copies nwords
// 64-bit words from physical src to physical dst, ascending; the two must
// not overlap.
#ifndef EFI_CORE_KERNELS_MOVSQ_H
#define EFI_CORE_KERNELS_MOVSQ_H

#include <stdint.h>

void block_move_words(uint64_t dst, uint64_t src, uint64_t nwords);

#endif
