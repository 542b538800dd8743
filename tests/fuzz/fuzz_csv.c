// SPDX-License-Identifier: MIT
// libFuzzer target: errors.csv lines must parse or be refused, never crash,
// and a parsed row must format back to a line that parses to the same row.
#include <stdint.h>
#include <string.h>
#include "core/errcsv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && s[i] != '\n')
            continue;
        struct failbit r;
        if (errcsv_parse(s + start, i - start, &r) == ERRCSV_ROW) {
            char line[256];
            size_t n = errcsv_format(line, sizeof line, &r);
            struct failbit back;
            if (n >= sizeof line || errcsv_parse(line, n - 1, &back) != ERRCSV_ROW ||
                back.addr != r.addr || back.bit != r.bit || back.time_ms != r.time_ms ||
                back.expected != r.expected || back.actual != r.actual || back.temp_c != r.temp_c ||
                back.flags != r.flags)
                __builtin_trap();
        }
        start = i + 1;
    }
    return 0;
}
