// SPDX-License-Identifier: MIT
#include "core/sched.h"
#include "core/prng.h"
#include "core/kernels/memio.h"

#define LD(p) __atomic_load_n(p, __ATOMIC_ACQUIRE)
#define ST(p, v) __atomic_store_n(p, v, __ATOMIC_RELEASE)

static void say(struct sched *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct sched *s, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    fmt_vformat(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (s->hk->notice)
        s->hk->notice(s->hk->ctx, msg);
}

void sched_init(struct sched *s, unsigned ncpus, const struct wb_config *cfg, uint64_t tsc_per_ms,
                const struct sched_hooks *hk)
{
    if (ncpus < 1)
        ncpus = 1;
    if (ncpus > SMP_MAX_CPUS)
        ncpus = SMP_MAX_CPUS;
    for (unsigned i = 0; i < sizeof *s; i++)
        ((volatile uint8_t *)s)[i] = 0;
    s->ncpus = ncpus;
    s->mode = cfg->cpu_mode;
    s->fade_set = cfg->bitfade_set;
    s->fade_set_ms = cfg->bitfade_ms;
    s->quick = cfg->quick;
    s->hold_ms = cfg->hold_ms;
    s->seed = cfg->seed;
    s->tsc_per_ms = tsc_per_ms ? tsc_per_ms : 1;
    s->silence_tsc = cfg->ap_timeout_s * 1000 * s->tsc_per_ms;
    s->hang_slot = cfg->debug_hang_cpu;
    s->hk = hk;
    for (unsigned i = 0; i < SMP_MAX_CPUS; i++) {
        s->who[i] = (struct sched_who){ s, i };
        smp_ring_init(&s->ring[i]);
    }
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

unsigned sched_live(const struct sched *s)
{
    unsigned n = 0;
    for (unsigned i = 0; i < s->ncpus; i++)
        n += !s->cpu[i].fenced;
    return n;
}

/* Slots still in the run, in order. */
static unsigned live_slots(const struct sched *s, unsigned *out)
{
    unsigned n = 0;
    for (unsigned i = 0; i < s->ncpus; i++)
        if (!s->cpu[i].fenced)
            out[n++] = i;
    return n;
}


uint64_t sched_blocks_done(const struct sched *s)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < s->ncpus; i++)
        sum += s->blocks[i];
    return sum;
}

/* --- what runs on an AP -------------------------------------------------- */

static int quitting(struct sched *s, unsigned slot)
{
    return LD(&s->abort) || LD(&s->dead[slot]);
}

/* While its ring is full a CPU waits for the BSP, heart beating; it gives
 * up only when fenced. An abort (Esc, the stress clock) is no reason: the
 * BSP drains until every CPU is done, so a word already counted is never
 * dropped on the way out. */
static int ring_wait(void *ctx)
{
    struct sched_who *w = ctx;
    w->s->heartbeat[w->slot]++;
    __builtin_ia32_pause();
    return LD(&w->s->dead[w->slot]) != 0;
}

static void ap_error(void *ctx, uint64_t addr, uint64_t expected, uint64_t actual, unsigned flags)
{
    struct sched_who *w = ctx;
    struct sched *s = w->s;
    struct smp_err e = { addr, expected, actual, s->hk->tsc(), flags };
    if (smp_ring_push(&s->ring[w->slot], &e, ring_wait, w))
        __atomic_fetch_add(&s->lost[w->slot], 1, __ATOMIC_RELAXED);
}

static int ap_poll(void *ctx)
{
    struct sched_who *w = ctx;
    struct sched *s = w->s;
    if (w->slot == s->hang_slot && s->blocks[w->slot] >= 4)
        for (;;)
            __builtin_ia32_pause();   /* debug_hang_cpu=: a hung CPU, no heartbeat */
    s->heartbeat[w->slot]++;
    s->blocks[w->slot]++;
    while (LD(&s->pause) && !quitting(s, w->slot)) {
        ST(&s->paused[w->slot], 1);
        s->heartbeat[w->slot]++;
        __builtin_ia32_pause();
    }
    ST(&s->paused[w->slot], 0);
    return quitting(s, w->slot);
}

static void ap_beat(void *ctx)
{
    struct sched_who *w = ctx;
    w->s->heartbeat[w->slot]++;
}

static int ap_sleep(void *ctx, uint64_t ms)
{
    struct sched_who *w = ctx;
    struct sched *s = w->s;
    uint64_t end = s->hk->tsc() + ms * s->tsc_per_ms;
    while (s->hk->tsc() < end) {
        s->heartbeat[w->slot]++;
        if (quitting(s, w->slot))
            return 1;
        __builtin_ia32_pause();
    }
    return 0;
}

static void ap_sync(void *ctx)
{
    struct sched_who *w = ctx;
    smp_barrier_wait(&w->s->barrier, w->slot, ap_beat, ctx);
    memio_flush();
}

static void set_cache(void *ctx, int on)
{
    struct sched_who *w = ctx;
    if (w->s->hk->cache)
        w->s->hk->cache(on);
}

void sched_ap_loop(struct sched *s, unsigned slot)
{
    uint32_t seen = 0;   /* gen starts at 0: a late AP still sees the first job */
    for (;;) {
        uint32_t g;
        while ((g = LD(&s->gen)) == seen)
            __builtin_ia32_pause();
        seen = g;
        if (LD(&s->quit)) {
            ST(&s->parked[slot], 1);
            return;
        }
        /* A job this slot is not part of, or one it woke up too late for. */
        if (LD(&s->job_gen[slot]) != g)
            continue;
        s->t0[slot] = s->hk->tsc();
        s->kernel(&s->run[slot]);
        s->t1[slot] = s->hk->tsc();
        smp_barrier_leave(&s->barrier, slot);   /* done: no later barrier waits for it */
        ST(&s->done[slot], g);
    }
}

/* --- the BSP's side -------------------------------------------------------- */

static void drain(struct sched *s)
{
    struct smp_err e;
    for (unsigned i = 1; i < s->ncpus; i++)
        while (smp_ring_pop(&s->ring[i], &e))
            s->hk->error(s->hk->ctx, i, e.addr, e.expected, e.actual, e.tsc, e.flags);
}

static int busy(const struct sched *s, unsigned i)
{
    return s->active[i] && LD(&s->done[i]) != s->gen && !LD(&s->dead[i]);
}

unsigned sched_pause(struct sched *s, int on)
{
    ST(&s->pause, on ? 1u : 0u);
    unsigned n = 0;
    for (unsigned i = 1; i < s->ncpus; i++)
        n += LD(&s->paused[i]) != 0 || !busy(s, i);   /* held, or nothing to do */
    return n;
}

/* An AP whose heartbeat stopped: fenced for the rest of the run. */
static void watchdog(struct sched *s)
{
    uint64_t now = s->hk->tsc();
    for (unsigned i = 1; i < s->ncpus; i++) {
        if (!busy(s, i))
            continue;
        if (s->heartbeat[i] != s->last_beat[i]) {
            s->last_beat[i] = s->heartbeat[i];
            s->last_beat_tsc[i] = now;
        } else if (now - s->last_beat_tsc[i] > s->silence_tsc) {
            ST(&s->dead[i], 1);
            s->cpu[i].fenced = 1;
            if (s->hk->fence)
                s->hk->fence(s->hk->ctx, i);
            smp_barrier_leave(&s->barrier, i);
            say(s, "cpu %u stopped responding for %llu s: fenced off; its chunk is re-tested on cpu 0", i,
                (unsigned long long)(s->silence_tsc / s->tsc_per_ms / 1000));
        }
    }
}

static void bsp_spin(void *ctx)
{
    struct sched *s = ((struct sched_who *)ctx)->s;
    drain(s);
    watchdog(s);
    if (s->hk->poll && s->hk->poll(s->hk->ctx))
        ST(&s->abort, 1);
}

static void bsp_error(void *ctx, uint64_t addr, uint64_t expected, uint64_t actual, unsigned flags)
{
    struct sched *s = ((struct sched_who *)ctx)->s;
    s->hk->error(s->hk->ctx, 0, addr, expected, actual, s->hk->tsc(), flags);
}

static int bsp_poll(void *ctx)
{
    struct sched *s = ((struct sched_who *)ctx)->s;
    s->blocks[0]++;
    bsp_spin(ctx);
    return LD(&s->abort) != 0;
}

static int bsp_sleep(void *ctx, uint64_t ms)
{
    struct sched *s = ((struct sched_who *)ctx)->s;
    uint64_t end = s->hk->tsc() + ms * s->tsc_per_ms;
    while (s->hk->tsc() < end) {
        bsp_spin(ctx);
        if (LD(&s->abort))
            return 1;
        for (int i = 0; i < 100; i++)
            __builtin_ia32_pause();
    }
    return 0;
}

static void bsp_sync(void *ctx)
{
    struct sched *s = ((struct sched_who *)ctx)->s;
    smp_barrier_wait(&s->barrier, 0, bsp_spin, ctx);
    memio_flush();
}

/* The dwell's clock: the TSC in microseconds, without overflow. */
static uint64_t now_us(void *ctx)
{
    struct sched *s = ((struct sched_who *)ctx)->s;
    uint64_t t = s->hk->tsc();
    return t / s->tsc_per_ms * 1000 + t % s->tsc_per_ms * 1000 / s->tsc_per_ms;
}

static void prepare(struct sched *s, unsigned i, const struct mt_test *t, uint32_t pass, unsigned iters,
                    const struct mem_range *r, unsigned nr)
{
    void *w = &s->who[i];
    s->ops[i] = i ? (struct mt_ops){ .error_flagged = ap_error, .poll = ap_poll, .sync = ap_sync, .ctx = w,
                                     .sleep = ap_sleep, .fade_ms = s->fade_ms, .cache = set_cache,
                                     .now_us = now_us, .hold_ms = s->hold_ms }
                  : (struct mt_ops){ .error_flagged = bsp_error, .poll = bsp_poll, .sync = bsp_sync, .ctx = w,
                                     .sleep = bsp_sleep, .fade_ms = s->fade_ms, .cache = set_cache,
                                     .now_us = now_us, .hold_ms = s->hold_ms };
    s->dwell[i] = (struct mt_dwell){ 0 };
    s->run[i] = (struct mt_run){ .ranges = r, .nranges = nr, .test = t->num, .pass = pass, .cpu = i,
                                 .seed = prng_seed(s->seed, i, pass, t->num), .iterations = iters,
                                 .ops = &s->ops[i], .dwell = &s->dwell[i] };
    s->active[i] = nr != 0;
    s->dead[i] = 0;
    s->last_beat[i] = s->heartbeat[i];
    s->last_beat_tsc[i] = s->hk->tsc();
}

/* Run the prepared job: the APs through a new generation, the BSP inline. */
static void launch(struct sched *s)
{
    uint64_t members = 0;
    for (unsigned i = 0; i < s->ncpus; i++)
        members |= (uint64_t)(s->active[i] != 0) << i;
    smp_barrier_init(&s->barrier, members, &s->abort);
    uint32_t g = s->gen + 1;
    for (unsigned i = 1; i < s->ncpus; i++)
        ST(&s->job_gen[i], s->active[i] ? g : 0);
    ST(&s->gen, g);
    if (s->active[0]) {
        s->t0[0] = s->hk->tsc();
        s->kernel(&s->run[0]);
        s->t1[0] = s->hk->tsc();
        s->done[0] = g;
        smp_barrier_leave(&s->barrier, 0);
    }
    struct sched_who *w = &s->who[0];
    for (;;) {
        int any = 0;
        for (unsigned i = 1; i < s->ncpus; i++)
            any |= busy(s, i);
        bsp_spin(w);
        if (!any)
            break;
        __builtin_ia32_pause();
    }
    drain(s);
}

static void account(struct sched *s, unsigned i)
{
    uint64_t t = s->t1[i] - s->t0[i];
    s->cpu[i].bytes += mt_swept(&s->run[i], s->blocks[i]);
    s->cpu[i].busy_tsc += t;
    s->cpu[i].last_tsc = t;
}

/* CPUs wait for the dwell side by side: a launch costs its longest wait. */
static uint64_t launch_dwell_us(const struct sched *s)
{
    uint64_t most = 0;
    for (unsigned i = 0; i < s->ncpus; i++)
        if (s->active[i] && !s->dead[i] && s->dwell[i].waited_us > most)
            most = s->dwell[i].waited_us;
    return most;
}

uint64_t sched_dwell_ms(const struct sched *s)
{
    return s->dwell_us / 1000;
}

/* Count the finished slots; test the chunks of fenced CPUs again on the BSP. */
static uint64_t collect(struct sched *s, const struct mt_test *t, uint32_t pass, unsigned iters)
{
    uint64_t errors = 0;
    struct mt_run lost[SMP_MAX_CPUS];
    unsigned nlost = 0;
    s->dwell_us += launch_dwell_us(s);
    for (unsigned i = 0; i < s->ncpus; i++) {
        if (!s->active[i])
            continue;
        if (s->dead[i]) {
            lost[nlost++] = s->run[i];
            continue;
        }
        errors += s->run[i].errors;
        account(s, i);
    }
    for (unsigned k = 0; k < nlost && !s->abort; k++) {
        for (unsigned i = 0; i < s->ncpus; i++)
            s->active[i] = 0;
        prepare(s, 0, t, pass, iters, lost[k].ranges, lost[k].nranges);
        s->run[0].seed = lost[k].seed;   /* the chunk's patterns, whoever runs it */
        launch(s);
        s->dwell_us += launch_dwell_us(s);
        errors += s->run[0].errors;
        account(s, 0);
    }
    return errors;
}

unsigned sched_chunk(struct sched *s, const struct mem_range *ranges, unsigned nr, unsigned slot,
                     struct mem_range *out, unsigned cap)
{
    static struct mem_range tmp[SCHED_MAX_RANGES];
    unsigned first[SMP_MAX_CPUS + 1], live[SMP_MAX_CPUS];
    unsigned n = live_slots(s, live), k = 0;
    if (nr > 256)
        nr = 256;
    smp_split(ranges, nr, n, 4096, tmp, first);
    for (unsigned j = 0; j < n; j++)
        if (live[j] == slot)
            for (unsigned i = first[j]; i < first[j + 1] && k < cap; i++)
                out[k++] = tmp[i];
    return k;
}

uint64_t sched_run(struct sched *s, const struct mt_test *t, const struct mem_range *ranges, unsigned nr,
                   uint32_t pass, unsigned iters, int *aborted)
{
    unsigned live[SMP_MAX_CPUS], n = live_slots(s, live);
    s->fade_ms = mt_fade_ms(s->fade_set, s->fade_set_ms, s->quick, pass);
    s->kernel = t->run;
    s->abort = 0;
    for (unsigned i = 0; i < SMP_MAX_CPUS; i++) {
        s->blocks[i] = 0;
        s->active[i] = 0;
    }
    if (nr > 256)
        nr = 256;
    uint64_t errors = 0;
    if (t->mode == MT_ONE_CPU || n == 1) {
        unsigned i = t->mode == MT_ONE_CPU ? live[s->rotate++ % n] : 0;
        prepare(s, i, t, pass, iters, ranges, nr);
        launch(s);
        errors += collect(s, t, pass, iters);
    } else {
        unsigned first[SMP_MAX_CPUS + 1];
        smp_split(ranges, nr, n, 4096, s->ranges, first);
        unsigned rounds = s->mode == CFG_CPU_SEQUENTIAL ? n : 1;
        for (unsigned round = 0; round < rounds && !s->abort; round++) {
            for (unsigned i = 0; i < s->ncpus; i++)
                s->active[i] = 0;
            for (unsigned j = 0; j < n; j++) {
                int on = rounds == 1 || j == round;
                prepare(s, live[j], t, pass, iters, s->ranges + first[j], on ? first[j + 1] - first[j] : 0);
            }
            launch(s);
            errors += collect(s, t, pass, iters);
        }
    }
    *aborted = s->abort != 0;
    return errors;
}

unsigned sched_stop(struct sched *s, uint64_t wait_ms)
{
    ST(&s->quit, 1);
    ST(&s->gen, s->gen + 1);
    uint64_t end = s->hk->tsc() + wait_ms * s->tsc_per_ms;
    unsigned left;
    do {
        left = 0;
        for (unsigned i = 1; i < s->ncpus; i++)
            left += !s->cpu[i].fenced && !LD(&s->parked[i]);
    } while (left && s->hk->tsc() < end);
    return left;
}
