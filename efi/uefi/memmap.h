// SPDX-License-Identifier: MIT
// The firmware memory map and the pages the app takes for testing.
#ifndef EFI_MEMMAP_H
#define EFI_MEMMAP_H

#include "core/memplan.h"

/* This app's image handle: its loader code/data is told apart from the
 * loader's that started it (GRUB). Call before mm_take. */
void mm_set_image(void *image);

/* Read the memory map, plan per config, and AllocatePages every planned
 * range at its fixed address. What the firmware refuses is moved to the
 * exclusions (PLAN_REFUSED). Returns 0, or -1 when the map cannot be read. */
int mm_take(struct mem_plan *plan, const struct mem_range *filter, unsigned nfilter,
            uint64_t reserve);

/* Give every page taken back to the firmware. */
void mm_release(const struct mem_plan *plan);

#endif
