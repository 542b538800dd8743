// SPDX-License-Identifier: MIT
#include "sessionlog.h"
#include "fileio.h"
#include "timer.h"
#include "core/fmt.h"

void slog_event(const char *fmt, ...)
{
    char line[400];
    uint64_t ms = timer_ms();
    size_t n = fmt_format(line, sizeof line, "[%6llu.%03llu] ", (unsigned long long)(ms / 1000),
                          (unsigned long long)(ms % 1000));
    va_list ap;
    va_start(ap, fmt);
    n += fmt_vformat(line + n, sizeof line - n - 1, fmt, ap);
    va_end(ap);
    if (n > sizeof line - 2)
        n = sizeof line - 2;
    line[n++] = '\n';
    line[n] = 0;
    fio_append(L"session.log", line, n);
}
