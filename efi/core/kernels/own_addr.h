// SPDX-License-Identifier: MIT
// Own-address tests (1 and 2): every word is written with a value made from
// its own address, all of memory is checked, then the complement is written
// and checked the same way. A decoder fault that lands two addresses on one
// cell shows as a word holding another word's value: such errors are flagged
// FAILBIT_ADDR_UNCERTAIN (so is a cell whose flipped bit happens to make
// another address; the moving inversions then place it exactly).
#ifndef EFI_CORE_KERNELS_OWN_ADDR_H
#define EFI_CORE_KERNELS_OWN_ADDR_H

#include "core/kernels/runtime.h"

/* Test 1, one CPU: the value is the address itself. One iteration = write,
 * check + write complement, check. */
void own_addr_seq(struct mt_run *r);

/* Test 2, every CPU on its chunk: the value is the address plus a window
 * offset that changes with every iteration and pass (from the run's seed),
 * so no word holds the same value twice and no value is a plain address. */
void own_addr_window(struct mt_run *r);

uint64_t own_addr_sweeps(unsigned iters);

#endif
