// SPDX-License-Identifier: MIT
// Whole-range passes shared by the pattern tests (moving inversions, bit
// fade): fill, check, and check-then-write in either direction, unrolled per
// 64-byte line, polling after every block. What the pattern at word
// address a is depends on the kind (enum sweep_kind).
#ifndef EFI_CORE_KERNELS_SWEEP_H
#define EFI_CORE_KERNELS_SWEEP_H

#include "core/kernels/runtime.h"

enum sweep_kind {
    SWEEP_CONST,    /* p everywhere */
    SWEEP_WALK,     /* rotl(p, a / 8 % 64): a one moves a bit at every word */
    SWEEP_ADDR,     /* a + p: the word's own address, shifted by p; errors whose
                     * value names another word are flagged FAILBIT_ADDR_UNCERTAIN */
};

/* Write the pattern everywhere, ascending, with streaming stores. */
void sweep_fill(struct mt_run *r, uint64_t p, enum sweep_kind kind);

/* Check that every word holds the pattern ^ xe, ascending. */
void sweep_check(struct mt_run *r, uint64_t p, enum sweep_kind kind, uint64_t xe);

/* Ascending: check pattern ^ xe, write pattern ^ xn, word after word
 * (sweep_check_write_down: the same, descending). xe, xn: 0 or ~0. */
void sweep_check_write_up(struct mt_run *r, uint64_t p, enum sweep_kind kind, uint64_t xe,
                          uint64_t xn);
void sweep_check_write_down(struct mt_run *r, uint64_t p, enum sweep_kind kind, uint64_t xe,
                            uint64_t xn);

#endif
