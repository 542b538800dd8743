// SPDX-License-Identifier: MIT
#include "uefi/sessionlog.h"
#include "uefi/fileio.h"
#include "uefi/timer.h"
#include "core/fmt.h"

/* One timestamped line into line[cap]; returns its length. */
static size_t vline(char *line, size_t cap, const char *fmt, va_list ap)
{
    uint64_t ms = timer_ms();
    size_t n = fmt_format(line, cap, "[%6llu.%03llu] ", (unsigned long long)(ms / 1000),
                          (unsigned long long)(ms % 1000));
    n += fmt_vformat(line + n, cap - n - 1, fmt, ap);
    if (n > cap - 2)
        n = cap - 2;
    line[n++] = '\n';
    line[n] = 0;
    return n;
}

void slog_event(const char *fmt, ...)
{
    char line[400];
    va_list ap;
    va_start(ap, fmt);
    size_t n = vline(line, sizeof line, fmt, ap);
    va_end(ap);
    fio_append(L"session.log", line, n);
}

static char queue[64 << 10];
static size_t queued;
static unsigned long long overflow;

void slog_queue(const char *fmt, ...)
{
    if (queued + 400 > sizeof queue) {
        overflow++;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    queued += vline(queue + queued, 400, fmt, ap);
    va_end(ap);
}

void slog_flush(void)
{
    if (queued)
        fio_append(L"session.log", queue, queued);
    if (overflow)
        slog_event("%llu more events of this batch not logged one by one (see errors.csv)", overflow);
    queued = 0;
    overflow = 0;
}
