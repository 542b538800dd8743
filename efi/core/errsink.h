// SPDX-License-Identifier: MIT
// The one error sink, for both modes: every failing word the CPUs report
// reaches the session here, on the BSP, a drain at a time. Firmware mode
// gives it a write hook: rows and summary records gather in one buffer,
// written in one append per flush (errors.csv). Full coverage gives none:
// the session's carry keeps them for the hand-off record. Either way a
// cell is shown only after its rows are stored or carried (a crash a moment
// later must not lose what the screen already announced), at most
// ERRSINK_SHOWN_PER_S a second so the screen never slows the drain.
#ifndef EFI_CORE_ERRSINK_H
#define EFI_CORE_ERRSINK_H

#include <stddef.h>
#include <stdint.h>
#include "core/conout.h"
#include "core/fmt.h"
#include "core/session.h"

#define ERRSINK_NEWS 64            /* cells shown per flush; the rest are logged only */
#define ERRSINK_SHOWN_PER_S 8

struct errsink_ops {
    /* Store rows and summary lines (one append); non-zero when it failed.
     * NULL: the session's carry keeps them (full coverage). */
    int (*write)(void *ctx, const char *buf, size_t len);
    struct conout *con;                 /* where cells are shown */
    /* A session.log line, queued; written by flushed(). NULL: none. */
    void (*log)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
    void (*flushed)(void *ctx);    /* after each flush (session.log); may be NULL */
    void (*bell)(void *ctx);       /* a new cell was shown; may be NULL */
    uint64_t (*now_ms)(void);
    uint64_t (*tsc_ms)(uint64_t tsc);   /* a TSC stamp as ms since the start */
    int (*temperature)(void);           /* the sensor, read at most every so often */
    const char *more_where;             /* where the cells not shown are listed */
    void *ctx;
};

struct errsink {
    struct session *s;
    const struct errsink_ops *ops;
    struct sbuf out;
    uint64_t pend_words, pend_rows;     /* rows in out, not yet written */
    struct errsink_news {
        struct session_cell_news n;
        uint64_t expected, actual;
    } q[ERRSINK_NEWS];
    unsigned nq;
    uint64_t window_ms;
    unsigned shown, hidden;
    int told;                           /* the folding notice was given */
    int dirty;                          /* something new since the caller last cleared it */
};

/* buf/cap: the row buffer (firmware mode; unused without a write hook). */
void errsink_init(struct errsink *k, struct session *s, char *buf, size_t cap, const struct errsink_ops *ops);

/* The scheduler's error hook (ctx: the sink). */
void errsink_error(void *ctx, unsigned cpu, uint64_t addr, uint64_t expected, uint64_t actual, uint64_t tsc,
                   unsigned flags);

/* The scheduler's flush hook: close the open summary records, store what
 * is buffered, then show the cells. */
void errsink_flush(void *ctx);

#endif
