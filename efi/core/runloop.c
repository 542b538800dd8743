// SPDX-License-Identifier: MIT
#include "core/runloop.h"
#include "core/failbit.h"

#define STATUS_MS 1000
#define KEY_MS 100

#define EVENT(r, ...)                   \
    do {                                \
        if ((r)->p->event)              \
            (r)->p->event(__VA_ARGS__); \
    } while (0)

void runloop_init(struct runloop *r, struct session *s, struct sched *q, const struct platform *p)
{
    *r = (struct runloop){ .s = s, .q = q, .p = p };
}

static void show_stress_status(struct runloop *r, uint64_t now)
{
    struct session *s = r->s;
    uint64_t moved = s->bytes_moved + sched_blocks_done(r->q) * MT_BLOCK;
    uint64_t mbps = now ? moved / 1000 * 1000 / now / 1000 : 0;   /* MB/s */
    char temp[16], last[80] = "none yet";
    failbit_temp_text(r->p->temperature(), temp, sizeof temp);
    if (s->have_last_new)
        fmt_format(last, sizeof last, "0x%llx bit %u at %llus", (unsigned long long)s->last_new.addr,
                   s->last_new.bit, (unsigned long long)(s->last_new.time_ms / 1000));
    /* Key = elapsed seconds: a serial line every second. */
    conout_status(r->p->con, (unsigned)(now / 1000),
                 "stress %llus/%llus loop %u  %llu.%02llu GB/s  errors %llu  cells %u (new %llu)  last %s  temp %s  "
                 "dwell %llums (waited %llus)%s",
                 (unsigned long long)(now / 1000), (unsigned long long)s->cfg.duration_s, s->loops + 1,
                 (unsigned long long)(mbps / 1000), (unsigned long long)(mbps % 1000 / 10),
                 (unsigned long long)s->error_words, s->cells.n, (unsigned long long)s->new_cells, last, temp,
                 (unsigned long long)s->cfg.hold_ms, (unsigned long long)(sched_dwell_ms(r->q) / 1000), r->p->tag);
}

static void show_status(struct runloop *r, uint64_t now)
{
    struct session *s = r->s;
    if (s->cfg.mode == CFG_MODE_STRESS) {
        show_stress_status(r, now);
        return;
    }
    uint64_t total = s->test_bytes / MT_BLOCK * s->sweeps_total;
    unsigned pct = total ? (unsigned)(sched_blocks_done(r->q) * 100 / total) : 0;
    if (pct > 99)
        pct = 99;
    char temp[16] = "";
    int t = r->p->temperature();
    if (t != FAILBIT_NO_TEMP)
        fmt_format(temp, sizeof temp, "  %d C", t);
    unsigned test = s->test ? s->test->num : 0;
    char ecc[32] = "";
    uint64_t ev = s->mce.corrected + s->mce.uncorrected;
    if (ev)
        fmt_format(ecc, sizeof ecc, "  ecc %llu", (unsigned long long)ev);
    conout_status(r->p->con, s->pass * 100000 + test * 1000 + pct / 10 * 10,
                 "pass %u test %u %3u%%  %llus  errors %llu%s  cells %u%s%s  [Esc stop, P pause, S skip]", s->pass + 1,
                 test, pct, (unsigned long long)(now / 1000), (unsigned long long)s->error_words, ecc, s->cells.n, temp,
                 r->p->tag);
}

static void stop_by_user(struct runloop *r)
{
    if (r->s->stop && r->s->user_stop)
        return;
    r->s->stop = r->s->user_stop = 1;
    conout_print(r->p->con, "\nEsc: stopping; the report is still written%s\n", r->p->esc_note);
    EVENT(r, "stopped by user (Esc)");
}

/* Blocks each CPU has done in this test, for the pause lines. */
static void block_counts(const struct sched *q, char *buf, size_t cap)
{
    struct sbuf sb;
    sbuf_init(&sb, buf, cap);
    for (unsigned i = 0; i < q->ncpus; i++)
        sbuf_printf(&sb, "%s%llu", i ? " " : "", (unsigned long long)__atomic_load_n(&q->blocks[i], __ATOMIC_RELAXED));
}

/* P: every AP holds at its next block, the BSP here, until a key. The block
 * counts on both lines show that nobody moved meanwhile. */
static void pause_run(struct runloop *r)
{
    const struct platform *p = r->p;
    uint64_t t0 = p->now_ms();
    unsigned held = sched_pause(r->q, 1) + 1, live = sched_live(r->q);
    char blocks[160];
    block_counts(r->q, blocks, sizeof blocks);
    conout_print(p->con, "\nP: paused - press any key to continue (%u of %u CPU%s holding; blocks per CPU: %s)\n", held, live,
             live == 1 ? "" : "s", blocks);
    EVENT(r, "paused by user");
    conout_status(p->con, ~0u, "paused - press any key to continue (Esc stops)");
    int k;
    while (!(k = p->key()))
        p->idle();
    block_counts(r->q, blocks, sizeof blocks);
    conout_print(p->con, "continuing after %llu ms paused (blocks per CPU: %s)\n", (unsigned long long)(p->now_ms() - t0),
             blocks);
    EVENT(r, "resumed");
    sched_pause(r->q, 0);
    if (k == 0x1b)
        stop_by_user(r);
}

static void handle_key(struct runloop *r, int k)
{
    struct session *s = r->s;
    if (k == 0x1b) {
        stop_by_user(r);
    } else if (k == 's' && !s->stop && !s->skip && s->test) {
        s->skip = 1;
        conout_print(r->p->con, "\nS: skipping test %u\n", s->test->num);
        EVENT(r, "test %u skipped by user", s->test->num);
    } else if (k == 'p' && !s->stop) {
        pause_run(r);
    }
}

int runloop_poll(void *ctx)
{
    struct runloop *r = ctx;
    struct session *s = r->s;
    const struct platform *p = r->p;
    uint64_t now = p->now_ms();
    if (p->tick)
        p->tick(p->ctx);
    if (now - r->last_key_ms >= KEY_MS) {
        r->last_key_ms = now;
        int k = p->key();
        if (k)
            handle_key(r, k);
        now = p->now_ms();
    }
    if (s->cfg.mode == CFG_MODE_STRESS && !s->stop && now >= s->cfg.duration_s * 1000) {
        s->stop = 1;
        EVENT(r, "stress duration reached");
    }
    if (now - r->last_status_ms >= STATUS_MS) {
        r->last_status_ms = now;
        show_status(r, now);
    }
    return s->stop || s->skip;
}

void runloop_show_chunks(struct runloop *r)
{
    const struct sched *q = r->q;
    for (unsigned c = 0; c < q->ncpus; c++) {
        struct mem_range ch[8];
        unsigned n = sched_chunk(r->q, r->s->plan.test, r->s->plan.ntest, c, ch, 8);
        for (unsigned i = 0; i < n; i++)
            conout_print(r->p->con, "  cpu %u chunk 0x%llx-0x%llx (%s %u)\n", c, (unsigned long long)ch[i].base,
                        (unsigned long long)(ch[i].base + ch[i].len), q->id_name, q->cpu[c].id);
    }
}

static void run_test(struct runloop *r, const struct mt_test *t)
{
    struct session *s = r->s;
    const struct platform *p = r->p;
    if (!t->run) {
        if (session_test_unavailable(s, t))
            conout_print(p->con, "test %u (%s): not available in this version, skipped\n", t->num, t->name);
        return;
    }
    unsigned iters = session_test_begin(s, t), n = s->pass + 1;
    conout_print(p->con, "pass %u test %u: %s (%u iteration%s)\n", n, t->num, t->name, iters, iters == 1 ? "" : "s");
    EVENT(r, "pass %u test %u start: %s, %u iterations", n, t->num, t->name, iters);
    uint64_t t0 = p->now_ms(), d0 = sched_dwell_ms(r->q), b0 = sched_swept(r->q);
    int aborted = 0;
    uint64_t errors = sched_run(r->q, t, s->plan.test, s->plan.ntest, s->pass, iters, &aborted);
    uint64_t ms = p->now_ms() - t0;
    session_test_end(s, t, errors, ms, sched_blocks_done(r->q) * MT_BLOCK, aborted);
    session_test_swept(s, t->num, sched_swept(r->q) - b0);
    session_test_dwell(s, t->num, sched_dwell_ms(r->q) - d0);
    const char *how = !aborted ? "done" : s->skip ? "skipped by user" : "stopped";
    conout_print(p->con, "pass %u test %u: %s, %llu error%s, %llu.%01llu s\n", n, t->num, how, (unsigned long long)errors,
             errors == 1 ? "" : "s", (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000 / 100));
    EVENT(r, "pass %u test %u %s: %llu errors, %llu ms", n, t->num, how, (unsigned long long)errors,
          (unsigned long long)ms);
}

void runloop_run(struct runloop *r)
{
    struct session *s = r->s;
    int stress = s->cfg.mode == CFG_MODE_STRESS;
    if (stress)
        conout_print(r->p->con, "stress: looping tests for %llu s (Esc stops); temperature: %s\n",
                     (unsigned long long)s->cfg.duration_s, r->p->temp_source ? r->p->temp_source() : "n/a");
    /* A pass in test mode is a loop in stress mode: until the duration ends. */
    while (s->test_bytes && session_more_passes(s)) {
        for (unsigned n = 0; n <= MT_MAX_TEST && !s->stop; n++)
            if (s->cfg.tests >> n & 1)
                run_test(r, mt_find(n));
        char temp[16];
        failbit_temp_text(r->p->temperature(), temp, sizeof temp);
        EVENT(r, "%s %u %s, temp %s, %u cells", stress ? "loop" : "pass", s->pass + 1,
              s->stop ? "stopped" : "complete", temp, s->cells.n);
        session_pass_end(s);
    }
}
