// SPDX-License-Identifier: MIT
#include "errsink.h"
#include "console.h"
#include "fileio.h"
#include "sessionlog.h"
#include "thermal.h"
#include "timer.h"
#include "ui.h"

/* Errors reach the BSP here, from every CPU, a drain at a time: rows and
 * summary records gather in one buffer that errsink_flush writes in one
 * append; only then are the cells shown (a crash a moment later must not
 * lose what the screen already announced). */
#define OUT_CAP (512u << 10)
#define NEWS_CAP 64              /* cells shown per write; the rest are logged only */
static struct session *s;
static int files;
static char out_buf[OUT_CAP];
static struct sbuf out;
static uint64_t pend_words, pend_rows;   /* rows in out_buf, not yet written */
static struct news_item {
    struct session_cell_news n;
    uint64_t expected, actual;
} news_q[NEWS_CAP];
static unsigned news_n;

void errsink_error(void *ctx, unsigned cpu, uint64_t addr, uint64_t expected, uint64_t actual,
                   uint64_t tsc, unsigned flags)
{
    struct session_cell_news news[64];
    uint64_t w0 = s->fold.acct.row_words, r0 = s->error_rows;
    unsigned n = session_take_error(s, cpu, addr, expected, actual, timer_tsc_ms(tsc), flags,
                                    thermal_read_recent(), &out, news);
    pend_words += s->fold.acct.row_words - w0;
    pend_rows += s->error_rows - r0;
    for (unsigned i = 0; i < n; i++) {
        char line[200];
        session_news_line(s, &news[i], line, sizeof line);
        slog_queue("%s", line);   /* every cell is in session.log, shown or not */
        if (news_n < NEWS_CAP)
            news_q[news_n++] = (struct news_item){ news[i], expected, actual };
    }
    /* Room for a full word's rows and every summary record, always. */
    if (out.len + 64 * 128 + FOLD_CLOSED * 200 > OUT_CAP || fold_pending(&s->fold))
        errsink_flush(ctx);
}

void errsink_flush(void *ctx)
{
    (void)ctx;
    static int told;
    uint64_t sum_words;
    unsigned nsum = session_take_summaries(s, &out, &sum_words, NULL, NULL);
    if (out.len && (!files || fio_append(L"errors.csv", out.p, out.len)))
        session_write_failed(s, pend_words, pend_rows, nsum, sum_words);
    out.len = 0;
    pend_words = pend_rows = 0;
    if (nsum) {
        slog_queue("%u summary record%s: %llu failing words folded (errors.csv \"# summary\" lines)", nsum,
                   nsum == 1 ? "" : "s", (unsigned long long)sum_words);
        if (!told)
            con_alert("errors come too fast for one row per bit: folding them into summary records "
                      "(errors.csv \"# summary\" lines; badram covers their ranges)\n");
        told = 1;
    }
    slog_flush();
    for (unsigned i = 0; i < news_n; i++)
        ui_cell(s, &news_q[i].n, news_q[i].expected, news_q[i].actual);
    news_n = 0;
}

void errsink_init(struct session *sess, int have_files)
{
    s = sess;
    files = have_files;
    sbuf_init(&out, out_buf, sizeof out_buf);
}
