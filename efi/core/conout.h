// SPDX-License-Identifier: MIT
// The one console front for both modes: printf-style lines, highlighted
// alerts and the status line, formatted here and handed to a back-end
// (ConOut + serial I/O in firmware mode, UART + framebuffer after the exit).
// The status line's rule lives here too: the screen rewrites it in place,
// a log gets it only when its key moves, so serial logs stay readable.
#ifndef EFI_CORE_CONOUT_H
#define EFI_CORE_CONOUT_H

struct conout {
    /* A formatted message ('\n' ends each line); alert: highlighted. */
    void (*line)(int alert, const char *text);
    /* The status line, without newline; moved: its key changed since the
     * last one, so a log should get it. */
    void (*status)(const char *text, int moved);
    unsigned last_key;   /* start at ~0u */
};

void conout_print(struct conout *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void conout_alert(struct conout *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Key ~0u always counts as moved (a one-off status, such as "paused"). */
void conout_status(struct conout *c, unsigned key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
