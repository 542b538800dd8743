// SPDX-License-Identifier: MIT
#include "core/failbit.h"
#include "core/fmt.h"

unsigned failbit_split(uint64_t addr, uint64_t expected, uint64_t actual, struct failbit *out)
{
    uint64_t diff = expected ^ actual;
    unsigned n = 0;
    for (unsigned b = 0; b < 64; b++)
        if (diff >> b & 1)
            out[n++] = (struct failbit){ .addr = addr, .bit = b, .expected = expected,
                                         .actual = actual, .temp_c = FAILBIT_NO_TEMP };
    return n;
}

void failbit_temp_text(int temp_c, char *buf, size_t cap)
{
    if (temp_c == FAILBIT_NO_TEMP)
        fmt_format(buf, cap, "n/a");
    else
        fmt_format(buf, cap, "%d C", temp_c);
}
