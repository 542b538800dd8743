// SPDX-License-Identifier: MIT
#include "core/sched.h"
#include "core/prng.h"
#include "core/report.h"
#include "core/kernels/memio.h"

#define LD(p) __atomic_load_n(p, __ATOMIC_ACQUIRE)
#define ST(p, v) __atomic_store_n(p, v, __ATOMIC_RELEASE)
/* Counters one CPU bumps and the BSP reads: atomic, but unordered. */
#define BUMP(p) __atomic_fetch_add(p, 1, __ATOMIC_RELAXED)
#define PEEK(p) __atomic_load_n(p, __ATOMIC_RELAXED)

static void say(struct sched *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct sched *s, const char *fmt, ...)
{
    char msg[240];
    va_list ap;
    va_start(ap, fmt);
    fmt_vformat(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (s->hk->notice)
        s->hk->notice(s->hk->ctx, msg);
}

static uint64_t now(const struct sched *s)
{
    return s->hk->tsc();
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
    s->id_name = "slot";
    s->mode = cfg->cpu_mode;
    s->fade_set = cfg->bitfade_set;
    s->fade_set_ms = cfg->bitfade_ms;
    s->quick = cfg->quick;
    s->hold_ms = cfg->hold_ms;
    s->seed = cfg->seed;
    s->tsc_per_ms = tsc_per_ms ? tsc_per_ms : 1;
    s->silence_tsc = cfg->ap_timeout_s * 1000 * s->tsc_per_ms;
    uint64_t grace_ms = 4 * cfg->ap_timeout_s * 1000;
    if (grace_ms < SCHED_PARK_GRACE_MIN_MS)
        grace_ms = SCHED_PARK_GRACE_MIN_MS;
    s->park_grace_tsc = grace_ms * s->tsc_per_ms;
    s->hang_slot = cfg->debug_hang_cpu;
    s->hang_tsc = cfg->debug_hang_ms * s->tsc_per_ms;
    s->hk = hk;
    struct il_model il;
    int have_il = cfg->interleave[0] && il_parse(&il, cfg->interleave, str_len(cfg->interleave)) == 0;
    hammer_geom_init(&s->hammer, have_il ? &il : 0, cfg->hammer_rowshift ? cfg->hammer_rowshift : HAMMER_DEFAULT_ROWSHIFT);
    s->hammer_ms = cfg->hammer_ms;
    s->hammer_search = !have_il;
    s->hammer_fence = cfg->hammer_fence;
    for (unsigned i = 0; i < SMP_MAX_CPUS; i++) {
        s->who[i] = (struct sched_who){ s, i };
        s->cpu[i].id = i;
        smp_ring_init(&s->ring[i]);
    }
    ST(&s->gen, 0u);   /* publishes the fields above: the APs read gen first */
}

unsigned sched_live(const struct sched *s)
{
    unsigned n = 0;
    for (unsigned i = 0; i < s->ncpus; i++)
        n += !s->cpu[i].out;
    return n;
}

/* Slots still in the run, in order. */
static unsigned live_slots(const struct sched *s, unsigned *out)
{
    unsigned n = 0;
    for (unsigned i = 0; i < s->ncpus; i++)
        if (!s->cpu[i].out)
            out[n++] = i;
    return n;
}

uint64_t sched_blocks_done(const struct sched *s)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < s->ncpus; i++)
        sum += PEEK(&s->blocks[i]);
    return sum;
}

uint64_t sched_swept(const struct sched *s)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < s->ncpus; i++)
        sum += s->cpu[i].bytes;
    return sum;
}

/* --- what runs on an AP -------------------------------------------------- */

static int fenced(struct sched *s, unsigned slot)
{
    return LD(&s->dead[slot]) != 0;
}

static int quitting(struct sched *s, unsigned slot)
{
    return LD(&s->abort) || fenced(s, slot);
}

/* While its ring is full a CPU waits for the BSP, heart beating; it gives
 * up only when fenced. An abort (Esc, the stress clock) is no reason: the
 * BSP drains until every CPU is done, so a word already counted is never
 * dropped on the way out. */
static int ring_wait(void *ctx)
{
    struct sched_who *w = ctx;
    BUMP(&w->s->heartbeat[w->slot]);
    __builtin_ia32_pause();
    return fenced(w->s, w->slot);
}

static void ap_error(void *ctx, uint64_t addr, uint64_t expected, uint64_t actual, unsigned flags)
{
    struct sched_who *w = ctx;
    struct sched *s = w->s;
    struct smp_err e = { addr, expected, actual, now(s), flags };
    if (smp_ring_push(&s->ring[w->slot], &e, ring_wait, w))
        __atomic_fetch_add(&s->late[w->slot], 1, __ATOMIC_RELAXED);
}

/* debug_hang_cpu=N[:T]: no heartbeat, as a CPU stuck in an SMI or a slow
 * hypervisor would be; for good, or for T and then on as if nothing had
 * happened. */
static void hang_for(struct sched *s, uint64_t tsc)
{
    uint64_t end = now(s) + tsc;
    while (!tsc || now(s) < end)
        __builtin_ia32_pause();
}

/* An AP's machine-check events go to the BSP through its error ring, as
 * its failing words do: the BSP makes them cells. */
static void ap_mce(struct sched_who *w)
{
    struct sched *s = w->s;
    if (!s->hk->mce_poll)
        return;
    struct mce_event ev[SCHED_MCE_PER_POLL];
    unsigned n = s->hk->mce_poll(w->slot, ev, SCHED_MCE_PER_POLL);
    for (unsigned i = 0; i < n; i++) {
        struct smp_err e = { ev[i].addr, ev[i].status, ev[i].misc, now(s), sched_mce_flags(&ev[i]) };
        smp_ring_push(&s->ring[w->slot], &e, ring_wait, w);
    }
}

/* The BSP's own go straight to the consumer. */
static void bsp_mce(struct sched *s)
{
    if (!s->hk->mce_poll)
        return;
    struct mce_event ev[SCHED_MCE_PER_POLL];
    unsigned n = s->hk->mce_poll(0, ev, SCHED_MCE_PER_POLL);
    for (unsigned i = 0; i < n; i++) {
        s->unflushed = 1;
        s->hk->error(s->hk->sink, 0, ev[i].addr, ev[i].status, ev[i].misc, now(s), sched_mce_flags(&ev[i]));
    }
}

static int ap_poll(void *ctx)
{
    struct sched_who *w = ctx;
    struct sched *s = w->s;
    if (w->slot == s->hang_slot && !s->hang_tsc && PEEK(&s->blocks[w->slot]) >= 4)
        hang_for(s, 0);
    ap_mce(w);
    BUMP(&s->heartbeat[w->slot]);
    BUMP(&s->blocks[w->slot]);
    /* P: hold here, between blocks, until the BSP lets go. */
    while (LD(&s->pause) && !quitting(s, w->slot)) {
        ST(&s->paused[w->slot], 1);
        BUMP(&s->heartbeat[w->slot]);
        __builtin_ia32_pause();
    }
    ST(&s->paused[w->slot], 0);
    return quitting(s, w->slot);
}

static void ap_beat(void *ctx)
{
    struct sched_who *w = ctx;
    BUMP(&w->s->heartbeat[w->slot]);
}

/* Bit fade's wait on an AP: spin on the TSC, the heart beating, or the
 * watchdog would fence this CPU. */
static int ap_sleep(void *ctx, uint64_t ms)
{
    struct sched_who *w = ctx;
    struct sched *s = w->s;
    uint64_t end = now(s) + ms * s->tsc_per_ms;
    while (now(s) < end) {
        BUMP(&s->heartbeat[w->slot]);
        if (quitting(s, w->slot))
            return 1;
        __builtin_ia32_pause();
    }
    return 0;
}

static void ap_sync(void *ctx)
{
    struct sched_who *w = ctx;
    struct sched *s = w->s;
    if (w->slot == s->hang_slot && s->hang_tsc && !s->hung[w->slot] && PEEK(&s->blocks[w->slot]) >= 4) {
        s->hung[w->slot] = 1;
        hang_for(s, s->hang_tsc);   /* then arrives late at this barrier */
    }
    ST(&s->at_barrier[w->slot], 1);
    smp_barrier_wait(&s->barrier, w->slot, ap_beat, ctx);   /* refused once fenced */
    ST(&s->at_barrier[w->slot], 0);
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
            ST(&s->left[slot], 1);
            return;
        }
        /* A job this slot is not part of, or one it woke up too late for. */
        if (LD(&s->job_gen[slot]) != g)
            continue;
        s->t0[slot] = now(s);
        void (*kernel)(struct mt_run *) = LD(&s->kernel);
        kernel(&s->run[slot]);
        s->t1[slot] = now(s);
        ap_mce(&s->who[slot]);   /* what the last blocks left in the banks */
        smp_barrier_leave(&s->barrier, slot);   /* done: no later barrier waits for it */
        ST(&s->done[slot], g);
    }
}

/* --- the BSP's side -------------------------------------------------------- */

/* Hand every queued error on. Popping is cheap and frees the rings; the
 * consumer's writing is not, so it flushes at most every SCHED_FLUSH_MS,
 * and always when `force` (end of a launch, pause). A ring found full had
 * a CPU waiting: its words are marked for folding. A fenced CPU's reports
 * from after its deadline are counted as late, not used. */
static void drain(struct sched *s, int force)
{
    struct smp_err e;
    s->last_drain_tsc = now(s);
    for (unsigned i = 1; i < s->ncpus; i++) {
        struct smp_ring *r = &s->ring[i];
        unsigned shed = smp_ring_used(r) >= SMP_RING ? SCHED_ERR_SHED : 0;
        for (;;) {
            uint32_t idx = smp_ring_tail(r);
            if (!smp_ring_pop(r, &e))
                break;
            if (e.flags & (SCHED_ERR_MCE | FAILBIT_HAMMER_PAIR)) {
                /* The hardware's report, whenever it came, or a note on
                 * the words that follow: no word count. */
                s->unflushed = 1;
                s->hk->error(s->hk->sink, i, e.addr, e.expected, e.actual, e.tsc, e.flags);
                continue;
            }
            if (LD(&s->dead[i]) && (int32_t)(idx - s->late_from[i]) >= 0) {
                s->cpu[i].late++;
                s->tally.late++;
                continue;
            }
            s->delivered[i]++;
            s->tally.delivered++;
            s->unflushed = 1;
            s->hk->error(s->hk->sink, i, e.addr, e.expected, e.actual, e.tsc, e.flags | shed);
        }
    }
    if (s->unflushed && s->hk->flush &&
        (force || s->last_drain_tsc - s->last_flush_tsc >= SCHED_FLUSH_MS * s->tsc_per_ms)) {
        s->hk->flush(s->hk->sink);
        s->unflushed = 0;
        s->last_flush_tsc = now(s);
    }
}

static int busy(const struct sched *s, unsigned i)
{
    return s->active[i] && LD(&s->done[i]) != s->gen && !LD(&s->dead[i]);
}

/* Fence off APs whose heartbeat stopped: told to stop, out of the barrier,
 * later reports not used. Their chunks are re-tested once they stopped. */
static void watchdog(struct sched *s)
{
    uint64_t t = now(s);
    for (unsigned i = 1; i < s->ncpus; i++) {
        if (!busy(s, i))
            continue;
        uint64_t beat = PEEK(&s->heartbeat[i]);
        if (beat != s->last_beat[i]) {
            s->last_beat[i] = beat;
            s->last_beat_tsc[i] = t;
        } else if (t - s->last_beat_tsc[i] > s->silence_tsc) {
            __atomic_store_n(&s->dead[i], 1, __ATOMIC_SEQ_CST);
            s->late_from[i] = smp_ring_head(&s->ring[i]);
            s->fenced_tsc[i] = t;
            s->cpu[i].fenced = 1;
            smp_barrier_leave(&s->barrier, i);
            say(s, "cpu %u (%s %u) missed its deadline (silent for %llu s): fenced off; "
                "its chunk is re-tested on cpu 0 once it has stopped", i, s->id_name, s->cpu[i].id,
                (unsigned long long)(s->silence_tsc / s->tsc_per_ms / 1000));
        }
    }
}

static void bsp_spin(void *ctx)
{
    struct sched *s = ((struct sched_who *)ctx)->s;
    drain(s, 0);
    watchdog(s);
    if (s->hk->poll && s->hk->poll(s->hk->ctx))
        ST(&s->abort, 1);
}

/* The BSP's own errors go straight to the consumer; its error path is also
 * where it drains the others on a time basis while a fault keeps it busy. */
static void bsp_error(void *ctx, uint64_t addr, uint64_t expected, uint64_t actual, unsigned flags)
{
    struct sched *s = ((struct sched_who *)ctx)->s;
    uint64_t t = now(s);
    if (flags & FAILBIT_HAMMER_PAIR) {   /* a note, not a failing word */
        s->hk->error(s->hk->sink, 0, addr, expected, actual, t, flags);
        return;
    }
    s->delivered[0]++;
    s->tally.delivered++;
    s->unflushed = 1;
    s->hk->error(s->hk->sink, 0, addr, expected, actual, t, flags);
    if (t - s->last_drain_tsc >= SCHED_DRAIN_MS * s->tsc_per_ms)
        drain(s, 0);
}

static int bsp_poll(void *ctx)
{
    struct sched *s = ((struct sched_who *)ctx)->s;
    BUMP(&s->blocks[0]);
    bsp_mce(s);
    bsp_spin(ctx);
    return LD(&s->abort) != 0;
}

static int bsp_sleep(void *ctx, uint64_t ms)
{
    struct sched *s = ((struct sched_who *)ctx)->s;
    uint64_t end = now(s) + ms * s->tsc_per_ms;
    while (now(s) < end) {
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
    uint64_t t = now(s);
    return t / s->tsc_per_ms * 1000 + t % s->tsc_per_ms * 1000 / s->tsc_per_ms;
}

unsigned sched_pause(struct sched *s, int on)
{
    if (!on) {
        /* The pause was not silence: every deadline starts again. */
        uint64_t t = now(s);
        for (unsigned i = 0; i < s->ncpus; i++) {
            s->last_beat[i] = PEEK(&s->heartbeat[i]);
            s->last_beat_tsc[i] = t;
        }
        ST(&s->pause, 0u);
        return 0;
    }
    ST(&s->pause, 1u);
    /* Keep draining until every busy AP holds still: a CPU mid-block may
     * still fill its ring and would wait for the BSP. */
    uint64_t t0 = now(s);
    unsigned held;
    for (;;) {
        drain(s, 1);
        held = 0;
        unsigned moving = 0;
        for (unsigned i = 1; i < s->ncpus; i++) {
            if (s->cpu[i].out)
                continue;
            int still = LD(&s->paused[i]) || LD(&s->at_barrier[i]) || !busy(s, i);
            held += still;
            moving += !still;
        }
        if (!moving || now(s) - t0 > SCHED_PAUSE_WAIT_MS * s->tsc_per_ms)
            return held;
        for (int i = 0; i < 1000; i++)
            __builtin_ia32_pause();
    }
}

static void prepare(struct sched *s, unsigned i, const struct mt_test *t, uint32_t pass, unsigned iters,
                    const struct mem_range *r, unsigned nr)
{
    void *w = &s->who[i];
    s->ops[i] = i ? (struct mt_ops){ .error_flagged = ap_error, .poll = ap_poll, .sync = ap_sync, .ctx = w,
                                     .sleep = ap_sleep, .fade_ms = s->fade_ms, .cache = set_cache,
                                     .now_us = now_us, .hold_ms = s->hold_ms, .hammer = &s->hammer,
                                     .hammer_ms = s->hammer_ms, .hammer_search = s->hammer_search,
                                     .hammer_fence = s->hammer_fence }
                  : (struct mt_ops){ .error_flagged = bsp_error, .poll = bsp_poll, .sync = bsp_sync, .ctx = w,
                                     .sleep = bsp_sleep, .fade_ms = s->fade_ms, .cache = set_cache,
                                     .now_us = now_us, .hold_ms = s->hold_ms, .hammer = &s->hammer,
                                     .hammer_ms = s->hammer_ms, .hammer_search = s->hammer_search,
                                     .hammer_fence = s->hammer_fence };
    s->dwell[i] = (struct mt_dwell){ 0 };
    s->run[i] = (struct mt_run){ .ranges = r, .nranges = nr, .test = t->num, .pass = pass, .cpu = i,
                                 .seed = prng_seed(s->seed, i, pass, t->num), .iterations = iters,
                                 .ops = &s->ops[i], .dwell = &s->dwell[i] };
    s->job[i] = s->run[i];
    s->active[i] = nr != 0;
    s->dead[i] = 0;
    s->paused[i] = 0;
    s->at_barrier[i] = 0;
    s->late[i] = 0;
    s->delivered[i] = 0;
    s->last_beat[i] = PEEK(&s->heartbeat[i]);
    s->last_beat_tsc[i] = now(s);
    /* Drained at the end of every launch: empty here, nothing is reset away. */
    smp_ring_init(&s->ring[i]);
}

/* A fenced CPU stopped: it left its kernel (or was stopped by force). */
static int stopped(const struct sched *s, unsigned i, const uint32_t *forced)
{
    return LD(&s->done[i]) == s->gen || forced[i];
}

/* Wait, draining, for fenced CPUs to leave their kernels; past the grace,
 * stop them by force where the platform can. */
static void await_stop(struct sched *s, uint32_t *forced)
{
    for (;;) {
        int waiting = 0;
        uint64_t t = now(s);
        for (unsigned i = 1; i < s->ncpus; i++) {
            if (!s->active[i] || !s->dead[i] || stopped(s, i, forced))
                continue;
            if (t - s->fenced_tsc[i] < s->park_grace_tsc)
                waiting = 1;
            else if (s->hk->fence) {
                s->hk->fence(s->hk->ctx, i);
                forced[i] = 1;
            }
        }
        if (!waiting)
            return;
        drain(s, 0);
        if (s->hk->poll && s->hk->poll(s->hk->ctx))
            ST(&s->abort, 1);
        for (int k = 0; k < 1000; k++)
            __builtin_ia32_pause();
    }
}

/* Run the prepared job: the APs through a new generation, the BSP inline. */
static void launch(struct sched *s, uint32_t *forced)
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
        s->t0[0] = now(s);
        s->kernel(&s->run[0]);
        s->t1[0] = now(s);
        s->done[0] = g;
        smp_barrier_leave(&s->barrier, 0);   /* leaving counts as arriving at every later barrier */
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
    await_stop(s, forced);
    bsp_mce(s);   /* the end of every launch, whether the BSP tested or not */
    drain(s, 1);
    s->tally.refused += s->barrier.refused;
    for (unsigned i = 0; i < s->ncpus; i++)
        s->tally.ring_waits += __atomic_exchange_n(&s->ring[i].waits, 0, __ATOMIC_RELAXED);
}

static void account(struct sched *s, unsigned i)
{
    uint64_t t = s->t1[i] - s->t0[i];
    s->cpu[i].bytes += mt_swept(&s->run[i], PEEK(&s->blocks[i]));
    s->cpu[i].busy_tsc += t;
    s->cpu[i].last_tsc = t;
    s->tally.counted += s->run[i].errors;
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

/* Add a finished launch's dwell cost to the total, once. */
static void take_dwell(struct sched *s)
{
    s->dwell_us += launch_dwell_us(s);
    for (unsigned i = 0; i < s->ncpus; i++)
        s->dwell[i].waited_us = 0;
}

uint64_t sched_dwell_ms(const struct sched *s)
{
    return (s->dwell_us + launch_dwell_us(s)) / 1000;
}

/* What became of a fenced CPU's chunk; 1 when it is to be re-tested. */
static int settle_fenced(struct sched *s, unsigned i, const uint32_t *forced)
{
    struct sched_cpu *c = &s->cpu[i];
    uint64_t bytes = mem_range_total(s->job[i].ranges, s->job[i].nranges);
    uint64_t late = __atomic_exchange_n(&s->late[i], 0, __ATOMIC_RELAXED);
    c->late += late;
    s->tally.late += late;
    char sz[32];
    fmt_size(sz, sizeof sz, bytes);
    uint64_t grace_s = s->park_grace_tsc / s->tsc_per_ms / 1000;
    if (!forced[i] && LD(&s->done[i]) == s->gen) {
        c->parked++;
        say(s, "cpu %u stopped %llu ms after it was fenced off; its chunk (%s) is re-tested on cpu 0", i,
            (unsigned long long)((now(s) - s->fenced_tsc[i]) / s->tsc_per_ms), sz);
        return 1;
    }
    c->out = 1;
    if (forced[i]) {
        c->forced++;
        say(s, "cpu %u did not stop within %llu s of being fenced off: stopped by force; its chunk (%s) is "
            "re-tested on cpu 0; further tests run without it", i, (unsigned long long)grace_s, sz);
        return 1;
    }
    c->unretested += bytes;
    say(s, "cpu %u did not stop within %llu s of being fenced off: its chunk (%s) is NOT re-tested "
        "(it may still write there); further tests run without it", i, (unsigned long long)grace_s, sz);
    return 0;
}

/* Count the finished slots; test the chunks of fenced CPUs that stopped
 * again on the BSP, with the chunk's own patterns. One still running could
 * write into memory being re-tested: its chunk is left. */
static uint64_t collect(struct sched *s, const struct mt_test *t, uint32_t pass, unsigned iters,
                        const uint32_t *forced)
{
    uint64_t errors = 0;
    struct mt_run lost[SMP_MAX_CPUS];
    unsigned nlost = 0;
    take_dwell(s);
    for (unsigned i = 0; i < s->ncpus; i++) {
        if (!s->active[i])
            continue;
        if (s->dead[i]) {
            /* What it reported before its deadline was handed on and counts. */
            s->tally.counted += s->delivered[i];
            errors += s->delivered[i];
            if (settle_fenced(s, i, forced))
                lost[nlost++] = s->job[i];   /* not run[i]: a CPU that never stopped may still write it */
            continue;
        }
        errors += s->run[i].errors;
        account(s, i);
    }
    for (unsigned k = 0; k < nlost && !s->abort; k++) {
        uint32_t none[SMP_MAX_CPUS] = { 0 };
        for (unsigned i = 0; i < s->ncpus; i++)
            s->active[i] = 0;
        prepare(s, 0, t, pass, iters, lost[k].ranges, lost[k].nranges);
        s->run[0].seed = lost[k].seed;
        launch(s, none);
        take_dwell(s);
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

static uint64_t launch_and_collect(struct sched *s, const struct mt_test *t, uint32_t pass, unsigned iters)
{
    uint32_t forced[SMP_MAX_CPUS] = { 0 };
    launch(s, forced);
    return collect(s, t, pass, iters, forced);
}

uint64_t sched_run(struct sched *s, const struct mt_test *t, const struct mem_range *ranges, unsigned nr,
                   uint32_t pass, unsigned iters, int *aborted)
{
    unsigned live[SMP_MAX_CPUS], n = live_slots(s, live);
    s->fade_ms = mt_fade_ms(s->fade_set, s->fade_set_ms, s->quick, pass);
    ST(&s->kernel, t->run);
    s->abort = 0;
    for (unsigned i = 0; i < SMP_MAX_CPUS; i++) {
        __atomic_store_n(&s->blocks[i], 0, __ATOMIC_RELAXED);
        s->active[i] = 0;
    }
    if (nr > 256)
        nr = 256;
    uint64_t errors = 0;
    if (t->mode == MT_ONE_CPU || n == 1) {
        unsigned i = t->mode == MT_ONE_CPU ? live[s->rotate++ % n] : 0;
        prepare(s, i, t, pass, iters, ranges, nr);
        errors += launch_and_collect(s, t, pass, iters);
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
            errors += launch_and_collect(s, t, pass, iters);
        }
    }
    *aborted = s->abort != 0;
    return errors;
}

void sched_report_lines(const struct sched *s, struct sbuf *sb)
{
    uint64_t bytes = 0, ms = 0;
    for (unsigned i = 0; i < s->ncpus; i++) {
        uint64_t t = s->cpu[i].busy_tsc / s->tsc_per_ms;
        report_cpu_line(sb, i, &s->cpu[i], t, s->id_name, NULL);
        bytes += s->cpu[i].bytes;
        ms += t;
    }
    report_cpu_total(sb, bytes, ms, &s->tally);
}

unsigned sched_stop(struct sched *s, uint64_t wait_ms)
{
    ST(&s->quit, 1);
    ST(&s->gen, s->gen + 1);
    uint64_t end = now(s) + wait_ms * s->tsc_per_ms;
    unsigned left;
    do {
        left = 0;
        for (unsigned i = 1; i < s->ncpus; i++)
            left += !s->cpu[i].out && !LD(&s->left[i]);
    } while (left && now(s) < end);
    return left;
}
