// SPDX-License-Identifier: MIT
#include "core/focus.h"

#define LOW (1ull << 20)

unsigned focus_ranges(const struct cell *cells, unsigned n, uint64_t margin, uint64_t granule,
                      struct mem_range *out, unsigned cap)
{
    unsigned k = 0;
    if (!cap)
        return 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t a = cells[i].addr;
        uint64_t lo = a > margin ? a - margin : 0, hi = a + 8 + margin;
        if (hi < a)
            hi = ~0ull & ~(granule - 1);   /* overflow near the top: clamp */
        lo &= ~(granule - 1);
        hi = (hi + granule - 1) & ~(granule - 1);
        if (lo < LOW)
            lo = LOW;
        if (hi <= lo)
            continue;
        if (k && lo <= out[k - 1].base + out[k - 1].len) {
            uint64_t end = out[k - 1].base + out[k - 1].len;
            if (hi > end)
                out[k - 1].len = hi - out[k - 1].base;
            continue;
        }
        if (k == cap) {
            /* Join the pair with the smallest gap, then append. */
            unsigned best = 0;
            uint64_t gap = ~0ull;
            for (unsigned j = 0; j + 1 < k; j++) {
                uint64_t g = out[j + 1].base - (out[j].base + out[j].len);
                if (g < gap)
                    gap = g, best = j;
            }
            uint64_t last_gap = lo - (out[k - 1].base + out[k - 1].len);
            if (k < 2 || last_gap <= gap) {
                out[k - 1].len = hi - out[k - 1].base;
                continue;
            }
            out[best].len = out[best + 1].base + out[best + 1].len - out[best].base;
            for (unsigned j = best + 1; j + 1 < k; j++)
                out[j] = out[j + 1];
            k--;
        }
        out[k++] = (struct mem_range){ lo, hi - lo };
    }
    return k;
}
