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

/* Sort ranges by base (insertion sort: lists are short and nearly sorted). */
void mem_range_sort(struct mem_range *r, unsigned n);

/* Split [base, end) by the sorted, disjoint filter ranges f[nf]: inside()
 * gets each piece within a filter, outside() each piece in none, in address
 * order. nf == 0: the whole span is inside. */
void mem_range_clip(uint64_t base, uint64_t end, const struct mem_range *f, unsigned nf,
                    void (*inside)(void *ctx, uint64_t lo, uint64_t hi),
                    void (*outside)(void *ctx, uint64_t lo, uint64_t hi), void *ctx);

#endif
