// SPDX-License-Identifier: MIT
#include "core/memrange.h"

void mem_range_sort(struct mem_range *r, unsigned n)
{
    for (unsigned i = 1; i < n; i++) {
        struct mem_range x = r[i];
        unsigned j = i;
        while (j && r[j - 1].base > x.base) {
            r[j] = r[j - 1];
            j--;
        }
        r[j] = x;
    }
}

void mem_range_clip(uint64_t base, uint64_t end, const struct mem_range *f, unsigned nf,
                    void (*inside)(void *ctx, uint64_t lo, uint64_t hi),
                    void (*outside)(void *ctx, uint64_t lo, uint64_t hi), void *ctx)
{
    if (end <= base)
        return;
    if (!nf) {
        inside(ctx, base, end);
        return;
    }
    uint64_t cur = base;
    for (unsigned i = 0; i < nf && cur < end; i++) {
        uint64_t fb = f[i].base, fe = f[i].base + f[i].len;
        if (fe <= cur || fb >= end)
            continue;
        if (fb > cur)
            outside(ctx, cur, fb);
        uint64_t hi = fe < end ? fe : end;
        inside(ctx, fb > cur ? fb : cur, hi);
        cur = hi;
    }
    if (cur < end)
        outside(ctx, cur, end);
}
