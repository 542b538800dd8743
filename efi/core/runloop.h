// SPDX-License-Identifier: MIT
// The one run loop: passes of the selected tests on the one scheduler, the
// keys (Esc stops, P pauses every CPU, S skips the current test), the stress
// clock and the status line, the same in both modes. What differs between
// firmware mode and full coverage (consoles, keys, clock, the sensor, the
// session log, checkpoints) comes in through struct platform.
#ifndef EFI_CORE_RUNLOOP_H
#define EFI_CORE_RUNLOOP_H

#include <stdint.h>
#include "core/conout.h"
#include "core/sched.h"
#include "core/session.h"

struct platform {
    struct conout *con;           /* screen and serial, the status line */
    /* A session.log line; NULL where there is none. */
    void (*event)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
    /* The last key since the last call: Esc 0x1b, 'p', 's', any other 'k'; 0 none. */
    int (*key)(void);
    uint64_t (*now_ms)(void);
    int (*temperature)(void);     /* FAILBIT_NO_TEMP when there is no sensor */
    const char *(*temp_source)(void);   /* which sensor, or why none */
    /* The platform's own housekeeping, between blocks (checkpoints, beeps). */
    void (*tick)(void *ctx);
    void (*idle)(void);           /* a short wait while paused */
    const char *tag;              /* on the status line after the figures */
    const char *esc_note;         /* "the report is still written" and where */
    void *ctx;
};

struct runloop {
    struct session *s;
    struct sched *q;
    const struct platform *p;
    uint64_t last_status_ms, last_key_ms;
};

void runloop_init(struct runloop *r, struct session *s, struct sched *q, const struct platform *p);

/* The scheduler's poll hook (ctx: the runloop): keys, the stress clock, the
 * status line, the platform's tick. Non-zero stops the current test. */
int runloop_poll(void *ctx);

/* Which CPU tests which memory, so a log shows it. */
void runloop_show_chunks(struct runloop *r);

/* Passes (loops in stress mode) of the selected tests until done or stopped. */
void runloop_run(struct runloop *r);

#endif
