// SPDX-License-Identifier: MIT
// A range of physical memory: the one struct config, the memory plan, the
// scheduler and the kernels share.
#ifndef EFI_CORE_MEMRANGE_H
#define EFI_CORE_MEMRANGE_H

#include <stdint.h>

struct mem_range {
    uint64_t base, len;
};

/* Total bytes in `n` ranges. */
static inline uint64_t mem_range_total(const struct mem_range *ranges, unsigned n)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < n; i++)
        sum += ranges[i].len;
    return sum;
}

#endif
