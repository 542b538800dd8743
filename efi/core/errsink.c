// SPDX-License-Identifier: MIT
#include "core/errsink.h"
#include "core/sched.h"

#define ROW_ROOM (64 * 128 + FOLD_CLOSED * 200)   /* a full word's rows and every summary record */

void errsink_init(struct errsink *k, struct session *s, char *buf, size_t cap, const struct errsink_ops *ops)
{
    *k = (struct errsink){ .s = s, .ops = ops };
    sbuf_init(&k->out, buf, buf ? cap : 0);
}

/* One cell on the screen, within the per-second allowance. */
static void show(struct errsink *k, const struct errsink_news *e)
{
    const struct errsink_ops *o = k->ops;
    const struct failbit *fb = &e->n.fb;
    uint64_t now = o->now_ms();
    if (now - k->window_ms >= 1000) {
        if (k->hidden)
            conout_alert(o->con, "... and %u more new or re-seen cells (%s)\n", k->hidden, o->more_where);
        k->window_ms = now;
        k->shown = k->hidden = 0;
    }
    if (k->shown >= ERRSINK_SHOWN_PER_S) {
        k->hidden++;
        return;
    }
    k->shown++;
    char t[16];
    failbit_temp_text(fb->temp_c, t, sizeof t);
    if (e->n.reseen) {
        conout_print(o->con, "re-seen cell 0x%llx bit %u (known from an earlier session; test %u, cpu %u, %s)\n",
                 (unsigned long long)fb->addr, fb->bit, fb->test, fb->cpu, t);
        return;
    }
    conout_alert(o->con, "NEW WEAK CELL 0x%llx bit %u (test %u, pass %u, cpu %u, %s, read 0x%016llx, expected 0x%016llx)\n",
             (unsigned long long)fb->addr, fb->bit, fb->test, fb->pass + 1, fb->cpu, t,
             (unsigned long long)e->actual, (unsigned long long)e->expected);
    if (o->bell)
        o->bell(o->ctx);
}

/* A machine-check bank's report: counted, an event row, and a cell when
 * it names a physical address. Shown at once (they are rare) and logged. */
static void take_mce(struct errsink *k, unsigned cpu, uint64_t addr, uint64_t status, uint64_t misc, uint64_t tsc,
                     unsigned flags)
{
    const struct errsink_ops *o = k->ops;
    struct session *s = k->s;
    struct session_cell_news news[1];
    struct mce_event e;
    struct sbuf *csv = o->write ? &k->out : NULL;
    uint64_t ms = o->tsc_ms(tsc);
    unsigned n = session_take_mce(s, cpu, SCHED_ERR_MCE_BANK(flags), status, addr, misc,
                                  (flags & SCHED_ERR_MCE_UMC) != 0, ms, o->temperature(), csv, news, &e);
    if (!e.status)
        return;   /* not a memory error */
    k->dirty = 1;
    char where[96];
    if (e.why == MCE_ADDR_PHYS)
        fmt_format(where, sizeof where, "at 0x%llx (bit unknown): an ecc cell, masked", (unsigned long long)e.phys);
    else
        fmt_format(where, sizeof where, "NOT masked: %s", mce_noaddr_text(e.why));
    conout_alert(o->con, "ECC: %s memory error reported by cpu %u bank %u (MCACOD 0x%04x) %s\n",
                 e.uc ? "UNCORRECTED" : "corrected", cpu, e.bank, (unsigned)(uint16_t)status, where);
    if (o->log)
        o->log("ecc: %s memory error cpu %u bank %u status 0x%016llx addr 0x%llx misc 0x%llx %s",
               e.uc ? "uncorrected" : "corrected", cpu, e.bank, (unsigned long long)status,
               (unsigned long long)e.addr, (unsigned long long)e.misc, where);
    if (n && o->bell)
        o->bell(o->ctx);
    if (csv && k->out.len + ROW_ROOM > k->out.cap)
        errsink_flush(k);
}

void errsink_error(void *ctx, unsigned cpu, uint64_t addr, uint64_t expected, uint64_t actual, uint64_t tsc,
                   unsigned flags)
{
    struct errsink *k = ctx;
    if (flags & SCHED_ERR_MCE) {
        take_mce(k, cpu, addr, expected, actual, tsc, flags);
        return;
    }
    if (flags & FAILBIT_HAMMER_PAIR) {   /* which aggressors flipped the word reported next */
        session_hammer_note(k->s, addr, expected, actual, flags);
        return;
    }
    struct session *s = k->s;
    struct session_cell_news news[64];
    uint64_t w0 = s->fold.acct.row_words, r0 = s->error_rows;
    struct sbuf *csv = k->ops->write ? &k->out : NULL;
    unsigned n = session_take_error(s, cpu, addr, expected, actual, k->ops->tsc_ms(tsc), flags,
                                    k->ops->temperature(), csv, news);
    k->pend_words += s->fold.acct.row_words - w0;
    k->pend_rows += s->error_rows - r0;
    for (unsigned i = 0; i < n; i++) {
        if (k->ops->log) {
            char line[200];
            session_news_line(s, &news[i], line, sizeof line);
            k->ops->log("%s", line);   /* every cell is in session.log, shown or not */
        }
        if (k->nq < ERRSINK_NEWS)
            k->q[k->nq++] = (struct errsink_news){ news[i], expected, actual };
    }
    k->dirty |= n != 0;
    if ((csv && k->out.len + ROW_ROOM > k->out.cap) || fold_pending(&s->fold))
        errsink_flush(ctx);
}

void errsink_flush(void *ctx)
{
    struct errsink *k = ctx;
    const struct errsink_ops *o = k->ops;
    struct session *s = k->s;
    uint64_t sum_words;
    struct sbuf *csv = o->write ? &k->out : NULL;
    unsigned nsum = session_take_summaries(s, csv, &sum_words, NULL, NULL);
    if (csv && k->out.len && o->write(o->ctx, k->out.p, k->out.len))
        session_write_failed(s, k->pend_words, k->pend_rows, nsum, sum_words);
    k->out.len = 0;
    k->pend_words = k->pend_rows = 0;
    if (nsum) {
        k->dirty = 1;
        if (o->log)
            o->log("%u summary record%s: %llu failing words folded (errors.csv \"# summary\" lines)", nsum,
                   nsum == 1 ? "" : "s", (unsigned long long)sum_words);
        if (!k->told)
            conout_alert(o->con, "errors come too fast for one row per bit: folding them into summary records "
                     "(errors.csv \"# summary\" lines; badram covers their ranges)\n");
        k->told = 1;
    }
    if (o->flushed)
        o->flushed(o->ctx);
    for (unsigned i = 0; i < k->nq; i++)
        show(k, &k->q[i]);
    k->nq = 0;
}
