// SPDX-License-Identifier: MIT
// libFuzzer target: an existing GRUB_BADRAM line (as `apply` reads it) is
// parsed or refused; whatever parses, merged, still covers every input pair.
#include <stdint.h>
#include "core/badram.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cover_pair p[16], in[16];
    int n = badram_parse_line((const char *)data, size, p, 16);
    if (n <= 0)
        return 0;
    for (int i = 0; i < n; i++)
        in[i] = p[i];
    struct cover_stats st;
    unsigned k = cover_merge(p, (unsigned)n, 4, 0, &st);
    for (int i = 0; i < n; i++) {
        uint64_t a = in[i].addr & in[i].mask & 0x7fffffffffffffffull;
        int hit = 0;
        for (unsigned j = 0; j < k; j++)
            hit |= (a & p[j].mask) == (p[j].addr & p[j].mask);
        if (!hit || st.covered_bytes < st.bad_bytes)
            __builtin_trap();
    }
    return 0;
}
