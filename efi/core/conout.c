// SPDX-License-Identifier: MIT
#include "core/conout.h"
#include "core/fmt.h"

static void vline(struct conout *c, int alert, const char *fmt, va_list ap)
{
    char line[512];
    fmt_vformat(line, sizeof line, fmt, ap);
    c->line(alert, line);
}

void conout_print(struct conout *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline(c, 0, fmt, ap);
    va_end(ap);
}

void conout_alert(struct conout *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline(c, 1, fmt, ap);
    va_end(ap);
}

void conout_status(struct conout *c, unsigned key, const char *fmt, ...)
{
    char line[160];
    va_list ap;
    va_start(ap, fmt);
    fmt_vformat(line, sizeof line, fmt, ap);
    va_end(ap);
    int moved = key != c->last_key || key == ~0u;
    c->last_key = key;
    c->status(line, moved);
}
