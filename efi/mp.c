// SPDX-License-Identifier: MIT
#include "mp.h"
#include "cache.h"
#include "cpu.h"
#include "timer.h"
#include "core/fmt.h"
#include "core/kernels/memio.h"
#include "core/prng.h"
#include <efi.h>
#include <efilib.h>

/* gnu-efi 3.0.15 lacks the PI MP services protocol; declared here. The app
 * is built with GNU_EFI_USE_MS_ABI, so EFIAPI is ms_abi: these pointers and
 * the AP procedure must use it, or arguments arrive in the wrong registers. */
#define MP_SERVICES_GUID \
    { 0x3fdda605, 0xa76e, 0x4f46, { 0xad, 0x29, 0x12, 0xf4, 0x53, 0x1b, 0x3d, 0x08 } }

typedef void(EFIAPI *ap_procedure)(void *arg);
struct mp_services;
struct mp_services {
    EFI_STATUS(EFIAPI *get_number_of_processors)(struct mp_services *, UINTN *total, UINTN *enabled);
    EFI_STATUS(EFIAPI *get_processor_info)(struct mp_services *, UINTN proc, void *info);
    EFI_STATUS(EFIAPI *startup_all_aps)(struct mp_services *, ap_procedure, BOOLEAN single_thread,
                                         EFI_EVENT wait_event, UINTN timeout_us, void *arg,
                                         UINTN **failed);
    EFI_STATUS(EFIAPI *startup_this_ap)(struct mp_services *, ap_procedure, UINTN proc,
                                         EFI_EVENT wait_event, UINTN timeout_us, void *arg,
                                         BOOLEAN *finished);
    EFI_STATUS(EFIAPI *switch_bsp)(struct mp_services *, UINTN proc, BOOLEAN enable_old);
    EFI_STATUS(EFIAPI *enable_disable_ap)(struct mp_services *, UINTN proc, BOOLEAN enable,
                                           UINT32 *health);
    EFI_STATUS(EFIAPI *who_am_i)(struct mp_services *, UINTN *proc);
};

#define STATUS_BSP 0x1
#define STATUS_ENABLED 0x2
#define EVENT_GRACE_MS 5000     /* all APs done, firmware still busy: give up on it */
#define PROC_MAX 1024
#define DRAIN_MS 2              /* the BSP drains at least this often while it tests */
#define FLUSH_MS 100            /* ... and has the consumer write at most this often */
#define PAUSE_WAIT_MS 3000      /* P: longest wait for the CPUs to reach a block boundary */
#define PARK_GRACE_MIN_MS 10000 /* a fenced CPU gets this long (or 4 x ap_timeout) to stop */

static struct mp_services *mps;
static const struct mp_hooks *hk;
static const char *note;
static char note_buf[96];
static unsigned found = 1, nslots = 1, rotate;
static UINTN slot_proc[SMP_MAX_CPUS];
static uint16_t proc_slot[PROC_MAX];
static struct mp_cpu_stats stats[SMP_MAX_CPUS];
static struct mp_tally tally;
static enum cfg_cpu_mode mode;
static uint64_t fade_ms, fade_set_ms, hold_ms, run_seed;
static int fade_set, quick;
static uint64_t silence_ms;       /* no heartbeat this long: the AP missed its deadline (ap_timeout=) */
static uint64_t park_grace_ms;
static unsigned hang_slot;        /* debug_hang_cpu=: make this AP hang, to test the above */
static uint64_t hang_ms;          /* ... for this long, then resume (0: for ever) */
static EFI_EVENT done_event;
static uint64_t last_drain_ms, last_flush_ms;
static int unflushed;

/* Shared with the APs: plain memory and atomics only. */
static struct job {
    struct mt_run run[SMP_MAX_CPUS];
    struct mem_range ranges[2 * SMP_MAX_CPUS + 16 + 256];
    unsigned first[SMP_MAX_CPUS + 1];
    void (*kernel)(struct mt_run *);
    volatile uint32_t active[SMP_MAX_CPUS];
    volatile uint32_t done[SMP_MAX_CPUS];
    volatile uint32_t dead[SMP_MAX_CPUS];        /* fenced off: stop at once */
    volatile uint32_t parked[SMP_MAX_CPUS];      /* left the kernel (set by the AP) */
    volatile uint32_t paused[SMP_MAX_CPUS];      /* holding at a block boundary (P) */
    volatile uint32_t at_barrier[SMP_MAX_CPUS];  /* waiting at a barrier: touches no memory */
    volatile uint32_t hung[SMP_MAX_CPUS];        /* the debug hang already happened */
    volatile uint64_t late[SMP_MAX_CPUS];        /* reports it gave up after being fenced */
    volatile uint64_t heartbeat[SMP_MAX_CPUS];   /* liveness: blocks and barrier spins */
    volatile uint64_t blocks[SMP_MAX_CPUS];      /* progress: MT_BLOCK units done */
    volatile uint64_t t0[SMP_MAX_CPUS], t1[SMP_MAX_CPUS];
    volatile uint32_t abort;
    volatile uint32_t pause;
    struct smp_barrier barrier;
    struct smp_ring ring[SMP_MAX_CPUS];
    struct mt_dwell dwell[SMP_MAX_CPUS];
} *job;   /* pool memory: about 700 KiB, which would otherwise sit in the .efi file */

static struct mt_ops ap_ops[SMP_MAX_CPUS], bsp_ops;
static uint64_t dwell_done_us;   /* dwell waits of finished launches */
static uint64_t last_beat[SMP_MAX_CPUS], last_beat_ms[SMP_MAX_CPUS];
static uint64_t fenced_ms[SMP_MAX_CPUS];
static uint32_t late_from[SMP_MAX_CPUS];   /* ring index from which reports are late */
static uint64_t delivered[SMP_MAX_CPUS];   /* words of the current run handed on */

uint64_t mp_blocks_done(void)
{
    uint64_t sum = 0;
    if (!job)
        return 0;
    for (unsigned s = 0; s < nslots; s++)
        sum += job->blocks[s];
    return sum;
}

int mp_firmware_count(unsigned *total, unsigned *enabled)
{
    EFI_GUID g = MP_SERVICES_GUID;
    struct mp_services *m = NULL;
    UINTN t = 0, e = 0;
    if (BS->LocateProtocol(&g, NULL, (void **)&m) != EFI_SUCCESS || !m ||
        m->get_number_of_processors(m, &t, &e) != EFI_SUCCESS)
        return -1;
    *total = (unsigned)t;
    *enabled = (unsigned)e;
    return 0;
}

unsigned mp_cpus_found(void) { return found; }
unsigned mp_cpus_used(void) { return nslots; }
const char *mp_note(void) { return note; }
const struct mp_cpu_stats *mp_stats(unsigned slot) { return &stats[slot]; }
const struct mp_tally *mp_tally(void) { return &tally; }

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    fmt_vformat(msg, sizeof msg, fmt, ap);
    va_end(ap);
    hk->notice(hk->ctx, msg);
}

void mp_init(const struct wb_config *cfg, const struct mp_hooks *hooks)
{
    hk = hooks;
    job = AllocateZeroPool(sizeof *job);
    mode = cfg->cpu_mode;
    fade_set = cfg->bitfade_set;
    fade_set_ms = cfg->bitfade_ms;
    quick = cfg->quick;
    hold_ms = cfg->hold_ms;
    run_seed = cfg->seed;
    silence_ms = cfg->ap_timeout_s * 1000;
    park_grace_ms = 4 * silence_ms > PARK_GRACE_MIN_MS ? 4 * silence_ms : PARK_GRACE_MIN_MS;
    hang_slot = cfg->debug_hang_cpu;
    hang_ms = cfg->debug_hang_ms;
    stats[0].proc = 0;
    EFI_GUID g = MP_SERVICES_GUID;
    UINTN total = 0, enabled = 0, me = 0;
    if (BS->LocateProtocol(&g, NULL, (void **)&mps) != EFI_SUCCESS || !mps) {
        mps = NULL;
        note = "firmware has no MP services protocol: one CPU";
        return;
    }
    if (mps->get_number_of_processors(mps, &total, &enabled) != EFI_SUCCESS || !total ||
        mps->who_am_i(mps, &me) != EFI_SUCCESS || me >= PROC_MAX) {
        mps = NULL;
        note = "MP services did not answer: one CPU";
        return;
    }
    found = (unsigned)total;
    slot_proc[0] = me;
    for (unsigned p = 0; p < PROC_MAX; p++)
        proc_slot[p] = 0xffff;
    proc_slot[me] = 0;
    unsigned limit = cfg->cpus ? cfg->cpus : ~0u;
    if (cfg->cpu_mode == CFG_CPU_SINGLE)
        limit = 1;
    unsigned beyond = 0;   /* usable processors past SMP_MAX_CPUS or PROC_MAX */
    for (UINTN p = 0; p < total && nslots < limit; p++) {
        UINT8 info[256];   /* larger than any revision of EFI_PROCESSOR_INFORMATION */
        if (p == me || mps->get_processor_info(mps, p, info) != EFI_SUCCESS)
            continue;
        UINT32 status = *(UINT32 *)(info + 8);
        if (!(status & STATUS_ENABLED) || (status & STATUS_BSP))
            continue;
        if (nslots == SMP_MAX_CPUS || p >= PROC_MAX) {
            beyond++;
            continue;
        }
        proc_slot[p] = (uint16_t)nslots;
        slot_proc[nslots] = p;
        stats[nslots].proc = (unsigned)p;
        nslots++;
    }
    if (beyond) {
        fmt_format(note_buf, sizeof note_buf, "limit of %u CPUs: %u usable processor%s not used",
                   SMP_MAX_CPUS, beyond, beyond == 1 ? "" : "s");
        note = note_buf;
    } else if (nslots < total) {
        note = cfg->cpu_mode == CFG_CPU_SINGLE ? "cpu_mode=single"
               : cfg->cpus && cfg->cpus < total ? "limited by cpus="
               : "some processors are disabled or unhealthy";
    }
    if (nslots > 1 && BS->CreateEvent(0, 0, NULL, NULL, &done_event) != EFI_SUCCESS) {
        nslots = 1;
        note = "cannot create an event for MP services: one CPU";
    }
    if (nslots == 1)
        mps = NULL;
}

unsigned mp_chunk(const struct mem_range *ranges, unsigned nr, unsigned slot, struct mem_range *out,
                  unsigned cap)
{
    static struct mem_range tmp[2 * SMP_MAX_CPUS + 16 + 256];
    static unsigned first[SMP_MAX_CPUS + 1];
    if (nr > 256)
        nr = 256;
    smp_split(ranges, nr, nslots, 4096, tmp, first);
    unsigned k = 0;
    for (unsigned i = first[slot]; i < first[slot + 1] && k < cap; i++)
        out[k++] = tmp[i];
    return k;
}

/* --- what runs on an AP (no boot services from here on) ------------------- */

static int fenced(unsigned s)
{
    return __atomic_load_n(&job->dead[s], __ATOMIC_ACQUIRE) != 0;
}

/* Ring full: wait for the BSP's drain with the heart beating. Gives up only
 * when this CPU was fenced off (its reports are ignored from then on). */
static int ap_ring_wait(void *ctx)
{
    unsigned s = (unsigned)(uintptr_t)ctx;
    job->heartbeat[s]++;
    __builtin_ia32_pause();
    return fenced(s);
}

static void ap_error(void *ctx, uint64_t addr, uint64_t expected, uint64_t actual, unsigned flags)
{
    unsigned s = (unsigned)(uintptr_t)ctx;
    struct smp_err e = { addr, expected, actual, cpu_rdtsc(), flags };
    if (smp_ring_push(&job->ring[s], &e, ap_ring_wait, ctx))
        __atomic_fetch_add(&job->late[s], 1, __ATOMIC_RELAXED);
}

/* debug_hang_cpu=N:S: no heartbeat for S, as a CPU stuck in an SMI or a slow
 * hypervisor would be; then carry on as if nothing had happened. */
static void hang_for(uint64_t ms)
{
    uint64_t end = cpu_rdtsc() + ms * timer_tsc_per_ms();
    while (cpu_rdtsc() < end)
        __builtin_ia32_pause();
}

static int ap_poll(void *ctx)
{
    unsigned s = (unsigned)(uintptr_t)ctx;
    if (s == hang_slot && !hang_ms && job->blocks[s] >= 4)
        for (;;)
            __builtin_ia32_pause();   /* a hung CPU: no heartbeat, never returns */
    job->heartbeat[s]++;
    job->blocks[s]++;
    /* P: hold here, between blocks, until the BSP lets go. */
    while (__atomic_load_n(&job->pause, __ATOMIC_ACQUIRE) && !fenced(s)) {
        job->paused[s] = 1;
        job->heartbeat[s]++;
        __builtin_ia32_pause();
    }
    job->paused[s] = 0;
    return __atomic_load_n(&job->abort, __ATOMIC_ACQUIRE) || fenced(s);
}

static uint64_t clock_us(void *ctx)
{
    (void)ctx;
    return timer_us();
}

static void ap_beat(void *ctx)
{
    job->heartbeat[(unsigned)(uintptr_t)ctx]++;
}

/* Bit fade's wait on an AP: no firmware here, so spin on the TSC and keep
 * the heart beating, or the watchdog would drop this CPU. */
static int ap_sleep(void *ctx, uint64_t ms)
{
    unsigned s = (unsigned)(uintptr_t)ctx;
    uint64_t end = cpu_rdtsc() + ms * timer_tsc_per_ms();
    while (cpu_rdtsc() < end) {
        job->heartbeat[s]++;
        if (__atomic_load_n(&job->abort, __ATOMIC_ACQUIRE) || fenced(s))
            return 1;
        __builtin_ia32_pause();
    }
    return 0;
}

/* Test 0 runs with this CPU's caches off, so every access reaches DRAM. */
static void set_cache(void *ctx, int on)
{
    (void)ctx;
    if (on)
        cpu_cache_on();
    else
        cpu_cache_off();
}

static void ap_sync(void *ctx)
{
    unsigned s = (unsigned)(uintptr_t)ctx;
    if (s == hang_slot && hang_ms && !job->hung[s] && job->blocks[s] >= 4) {
        job->hung[s] = 1;
        hang_for(hang_ms);   /* then arrives late at this barrier */
    }
    job->at_barrier[s] = 1;
    smp_barrier_wait(&job->barrier, s, ap_beat, ctx);   /* refused when fenced */
    job->at_barrier[s] = 0;
    memio_flush();
}

static void EFIAPI ap_main(void *arg)
{
    (void)arg;
    UINTN me = 0;
    if (mps->who_am_i(mps, &me) != EFI_SUCCESS || me >= PROC_MAX || proc_slot[me] == 0xffff)
        return;
    unsigned s = proc_slot[me];
    if (!job->active[s])
        return;
    job->t0[s] = cpu_rdtsc();
    job->kernel(&job->run[s]);
    job->t1[s] = cpu_rdtsc();
    smp_barrier_leave(&job->barrier, s);   /* later barriers do not wait for it */
    __atomic_store_n(&job->done[s], 1, __ATOMIC_RELEASE);
    __atomic_store_n(&job->parked[s], 1, __ATOMIC_RELEASE);
}

/* --- the BSP's side ------------------------------------------------------- */

/* Hand every queued error on; the consumer buffers them. Popping is cheap
 * and frees the rings; writing is not, so the consumer writes what it holds
 * in one go at most every FLUSH_MS, and always when `force` (end of a run,
 * pause). A ring found full had a CPU waiting: its words are marked for
 * folding. A fenced CPU's reports from after its deadline are counted, not
 * used. */
static void drain_to(int force)
{
    struct smp_err e;
    uint64_t n = 0;
    last_drain_ms = timer_ms();
    for (unsigned s = 0; s < nslots; s++) {
        struct smp_ring *r = &job->ring[s];
        unsigned shed = smp_ring_used(r) >= SMP_RING ? MP_ERR_SHED : 0;
        for (;;) {
            uint32_t idx = smp_ring_tail(r);
            if (!smp_ring_pop(r, &e))
                break;
            if (job->dead[s] && (int32_t)(idx - late_from[s]) >= 0) {
                stats[s].late++;
                tally.late++;
                continue;
            }
            delivered[s]++;
            tally.delivered++;
            n++;
            hk->error(hk->ctx, s, e.addr, e.expected, e.actual, e.tsc, e.flags | shed);
        }
    }
    unflushed |= n != 0;
    if (unflushed && (force || last_drain_ms - last_flush_ms >= FLUSH_MS)) {
        if (hk->flush)
            hk->flush(hk->ctx);
        unflushed = 0;
        last_flush_ms = timer_ms();
    }
}

static void drain(void)
{
    drain_to(0);
}

/* Fence off APs whose heartbeat stopped: told to stop, out of the barrier,
 * later reports ignored. Their chunks are re-run once they have parked. */
static void watchdog(void)
{
    uint64_t now = timer_ms();
    for (unsigned s = 1; s < nslots; s++) {
        if (!job->active[s] || job->done[s] || job->dead[s])
            continue;
        if (job->heartbeat[s] != last_beat[s]) {
            last_beat[s] = job->heartbeat[s];
            last_beat_ms[s] = now;
        } else if (now - last_beat_ms[s] > silence_ms) {
            __atomic_store_n(&job->dead[s], 1, __ATOMIC_SEQ_CST);
            late_from[s] = smp_ring_head(&job->ring[s]);
            fenced_ms[s] = now;
            stats[s].dropped = 1;
            smp_barrier_leave(&job->barrier, s);
            say("cpu %u (processor %u) missed its deadline (silent for %u s): fenced off; "
                "its chunk is re-tested on cpu 0 once it has stopped",
                s, (unsigned)slot_proc[s], (unsigned)(silence_ms / 1000));
        }
    }
}

static void bsp_spin(void *ctx)
{
    (void)ctx;
    drain();
    watchdog();
    if (hk->poll(hk->ctx))
        __atomic_store_n(&job->abort, 1, __ATOMIC_RELEASE);
}

/* Ring 0 full: the BSP is its own consumer, so it drains. */
static int bsp_ring_wait(void *ctx)
{
    (void)ctx;
    drain();
    return 0;
}

/* The BSP's own errors take the same road as everybody's, and its error
 * path is where it drains on a time basis while a fault keeps it busy. */
static void bsp_error(void *ctx, uint64_t addr, uint64_t expected, uint64_t actual, unsigned flags)
{
    struct smp_err e = { addr, expected, actual, cpu_rdtsc(), flags };
    smp_ring_push(&job->ring[0], &e, bsp_ring_wait, ctx);
    if (timer_ms() - last_drain_ms >= DRAIN_MS)
        drain();
}

static int bsp_poll(void *ctx)
{
    job->blocks[0]++;
    bsp_spin(ctx);
    return __atomic_load_n(&job->abort, __ATOMIC_ACQUIRE);
}

/* The BSP waits with the firmware's Stall and keeps draining and polling. */
static int bsp_sleep(void *ctx, uint64_t ms)
{
    uint64_t end = timer_ms() + ms;
    for (uint64_t now; (now = timer_ms()) < end;) {
        BS->Stall(end - now < 10 ? (end - now) * 1000 : 10000);   /* dwell waits are short */
        bsp_spin(ctx);
        if (__atomic_load_n(&job->abort, __ATOMIC_ACQUIRE))
            return 1;
    }
    return 0;
}

static void bsp_sync(void *ctx)
{
    smp_barrier_wait(&job->barrier, 0, bsp_spin, ctx);
    memio_flush();
}

void mp_pause(void)
{
    if (!job)
        return;
    __atomic_store_n(&job->pause, 1, __ATOMIC_RELEASE);
    /* Keep draining until every busy AP holds still: a CPU mid-block may
     * still fill its ring and would wait for us. */
    uint64_t t = timer_ms();
    for (;;) {
        drain_to(1);
        int moving = 0;
        for (unsigned s = 1; s < nslots; s++)
            moving |= job->active[s] && !job->done[s] && !job->dead[s] && !job->paused[s] &&
                      !job->at_barrier[s];
        if (!moving || timer_ms() - t > PAUSE_WAIT_MS)
            break;
        BS->Stall(1000);
    }
}

void mp_resume(void)
{
    if (!job)
        return;
    /* The pause was not silence: restart every deadline from now. */
    uint64_t now = timer_ms();
    for (unsigned s = 0; s < nslots; s++) {
        last_beat[s] = job->heartbeat[s];
        last_beat_ms[s] = now;
    }
    __atomic_store_n(&job->pause, 0, __ATOMIC_RELEASE);
}

static void prepare(unsigned s, const struct mt_test *t, uint32_t pass, unsigned iters,
                    const struct mem_range *r, unsigned nr)
{
    ap_ops[s] = (struct mt_ops){ .error_flagged = ap_error, .poll = ap_poll, .sync = ap_sync,
                                 .ctx = (void *)(uintptr_t)s, .sleep = ap_sleep,
                                 .fade_ms = fade_ms, .cache = set_cache, .now_us = clock_us,
                                 .hold_ms = hold_ms };
    job->dwell[s] = (struct mt_dwell){ 0 };
    job->run[s] = (struct mt_run){ .ranges = r, .nranges = nr, .test = t->num, .pass = pass,
                                  .cpu = s, .seed = prng_seed(run_seed, s, pass, t->num),
                                  .iterations = iters, .ops = s ? &ap_ops[s] : &bsp_ops,
                                  .dwell = &job->dwell[s] };
    job->active[s] = nr != 0;
    job->done[s] = 0;
    job->dead[s] = 0;
    job->parked[s] = 0;
    job->paused[s] = 0;
    job->at_barrier[s] = 0;
    job->late[s] = 0;
    last_beat[s] = job->heartbeat[s];
    last_beat_ms[s] = timer_ms();
    delivered[s] = 0;
    /* Drained at the end of every launch: empty here, nothing is reset away. */
    smp_ring_init(&job->ring[s]);
}

/* Wait, draining, for fenced CPUs to leave their kernels. */
static void await_parking(void)
{
    for (;;) {
        int waiting = 0;
        uint64_t now = timer_ms();
        for (unsigned s = 1; s < nslots; s++)
            waiting |= job->active[s] && job->dead[s] && !job->parked[s] &&
                       now - fenced_ms[s] < park_grace_ms;
        if (!waiting)
            return;
        drain();
        if (hk->poll(hk->ctx))
            __atomic_store_n(&job->abort, 1, __ATOMIC_RELEASE);
        BS->Stall(1000);
    }
}

/* Run the prepared job on the active slots; the BSP takes slot 0 if active. */
static void launch(void)
{
    uint64_t members = 0;
    for (unsigned s = 0; s < nslots; s++)
        members |= (uint64_t)(job->active[s] != 0) << s;
    smp_barrier_init(&job->barrier, members, &job->abort);
    int aps = 0;
    for (unsigned s = 1; s < nslots; s++)
        aps |= job->active[s];
    if (aps) {
        EFI_STATUS st = mps->startup_all_aps(mps, ap_main, FALSE, done_event, 0, NULL, NULL);
        if (st != EFI_SUCCESS) {
            /* Firmware refused: run every AP chunk on the BSP instead. */
            say("StartupAllAPs failed (status 0x%llx): continuing on cpu 0 only",
                (unsigned long long)st);
            for (unsigned s = 1; s < nslots; s++)
                if (job->active[s]) {
                    job->dead[s] = 1;
                    job->parked[s] = 1;   /* never started: nothing to wait for */
                    late_from[s] = 0;
                    smp_barrier_leave(&job->barrier, s);
                }
            mps = NULL;
            note = "MP services failed: continued on one CPU";
        }
    }
    if (job->active[0]) {
        job->t0[0] = cpu_rdtsc();
        job->kernel(&job->run[0]);
        job->t1[0] = cpu_rdtsc();
        job->done[0] = 1;
        /* Leaving counts as arriving at every later barrier of this job. */
        smp_barrier_leave(&job->barrier, 0);
    }
    for (;;) {
        int busy = 0;
        for (unsigned s = 1; s < nslots; s++)
            busy |= job->active[s] && !job->done[s] && !job->dead[s];
        bsp_spin(NULL);
        if (!busy)
            break;
    }
    await_parking();
    drain_to(1);
    tally.refused += job->barrier.refused;
    for (unsigned s = 0; s < nslots; s++)
        tally.ring_waits += __atomic_exchange_n(&job->ring[s].waits, 0, __ATOMIC_RELAXED);
    if (aps && mps) {
        /* The firmware must see the APs finished before the next launch. */
        uint64_t t = timer_ms();
        int running = 0;   /* fenced and still in its kernel */
        for (unsigned s = 1; s < nslots; s++)
            running |= job->active[s] && job->dead[s] && !job->parked[s];
        while (BS->CheckEvent(done_event) != EFI_SUCCESS) {
            if (running || timer_ms() - t > EVENT_GRACE_MS) {
                say("MP services still busy after the test: further tests run on cpu 0 only");
                mps = NULL;
                note = "an AP stopped responding: continued on one CPU";
                break;
            }
        }
    }
}

static void account(unsigned s, const struct mt_run *r)
{
    stats[s].bytes += mt_swept(r, job->blocks[s]);
    stats[s].busy_tsc += job->t1[s] - job->t0[s];
    tally.counted += r->errors;
}

/* CPUs wait for the dwell side by side: a launch costs its longest wait. */
static uint64_t launch_dwell_us(void)
{
    uint64_t most = 0;
    for (unsigned s = 0; s < nslots; s++)
        if (job->active[s] && !job->dead[s] && job->dwell[s].waited_us > most)
            most = job->dwell[s].waited_us;
    return most;
}

/* Add a finished launch's dwell cost to the total, once. */
static void take_dwell(void)
{
    dwell_done_us += launch_dwell_us();
    for (unsigned s = 0; s < nslots; s++)
        job->dwell[s].waited_us = 0;
}

uint64_t mp_dwell_ms(void)
{
    return (dwell_done_us + (job ? launch_dwell_us() : 0)) / 1000;
}

/* After a launch: count the finished slots. The chunk of a fenced CPU is
 * tested again on the BSP alone, but only if that CPU has left its kernel:
 * one still running could write into memory being re-tested. */
static uint64_t collect(const struct mt_test *t, uint32_t pass, unsigned iters)
{
    uint64_t errors = 0;
    struct mt_run lost[SMP_MAX_CPUS];
    unsigned nlost = 0;
    take_dwell();
    for (unsigned s = 0; s < nslots; s++) {
        if (!job->active[s])
            continue;
        if (job->dead[s]) {
            /* What it reported before its deadline was handed on and counts. */
            tally.counted += delivered[s];
            stats[s].late += job->late[s];
            tally.late += job->late[s];
            char sz[32];
            fmt_size(sz, sizeof sz, mem_range_total(job->run[s].ranges, job->run[s].nranges));
            if (job->parked[s]) {
                stats[s].parked++;
                lost[nlost++] = job->run[s];
                say("cpu %u stopped %llu ms after it was fenced off; its chunk (%s) is re-tested on cpu 0",
                    s, (unsigned long long)(timer_ms() - fenced_ms[s]), sz);
            } else {
                stats[s].unretested += mem_range_total(job->run[s].ranges, job->run[s].nranges);
                say("cpu %u did not stop within %llu s of being fenced off: its chunk (%s) is NOT re-tested "
                    "(it may still write there)", s, (unsigned long long)(park_grace_ms / 1000), sz);
            }
            continue;
        }
        errors += job->run[s].errors;
        account(s, &job->run[s]);
    }
    for (unsigned i = 0; i < nlost && !job->abort; i++) {
        for (unsigned s = 0; s < nslots; s++)
            job->active[s] = 0;
        prepare(0, t, pass, iters, lost[i].ranges, lost[i].nranges);
        job->run[0].seed = lost[i].seed;   /* the chunk's patterns, whoever runs it */
        launch();
        take_dwell();
        errors += job->run[0].errors;
        account(0, &job->run[0]);
    }
    return errors;
}

uint64_t mp_run(const struct mt_test *t, const struct mem_range *ranges, unsigned nr, uint32_t pass,
                unsigned iters, int *aborted)
{
    if (!job) {
        say("out of memory for the test job: test %u not run", t->num);
        *aborted = 1;
        return 0;
    }
    fade_ms = mt_fade_ms(fade_set, fade_set_ms, quick, pass);
    bsp_ops = (struct mt_ops){ .error_flagged = bsp_error, .poll = bsp_poll, .sync = bsp_sync,
                               .sleep = bsp_sleep, .fade_ms = fade_ms, .cache = set_cache,
                               .now_us = clock_us, .hold_ms = hold_ms };
    job->kernel = t->run;
    job->abort = 0;
    for (unsigned s = 0; s < SMP_MAX_CPUS; s++)
        job->blocks[s] = 0;
    for (unsigned s = 0; s < SMP_MAX_CPUS; s++)
        job->active[s] = 0;
    unsigned usable = mps ? nslots : 1;
    if (nr > 256)
        nr = 256;
    uint64_t errors = 0;

    /* Which slots run which ranges, in one or more rounds. */
    if (t->mode == MT_ONE_CPU || usable == 1) {
        unsigned s = t->mode == MT_ONE_CPU ? rotate++ % usable : 0;
        prepare(s, t, pass, iters, ranges, nr);
        launch();
        errors += collect(t, pass, iters);
    } else {
        smp_split(ranges, nr, nslots, 4096, job->ranges, job->first);
        unsigned rounds = mode == CFG_CPU_SEQUENTIAL ? nslots : 1;
        for (unsigned round = 0; round < rounds && !job->abort; round++) {
            for (unsigned s = 0; s < nslots; s++) {
                int on = rounds == 1 || s == round;
                prepare(s, t, pass, iters, job->ranges + job->first[s],
                        on ? job->first[s + 1] - job->first[s] : 0);
            }
            launch();
            errors += collect(t, pass, iters);
        }
    }
    *aborted = job->abort != 0;
    return errors;
}

void mp_report_lines(struct sbuf *sb)
{
    uint64_t bytes = 0, tsc = 0;
    for (unsigned s = 0; s < nslots; s++) {
        const struct mp_cpu_stats *c = &stats[s];
        uint64_t ms = c->busy_tsc / timer_tsc_per_ms();
        sbuf_printf(sb, "  cpu %u: bytes %llu time %llu.%03llu s (processor %u%s)\n", s,
                    (unsigned long long)c->bytes, (unsigned long long)(ms / 1000),
                    (unsigned long long)(ms % 1000), c->proc,
                    c->dropped ? ", missed its deadline: fenced off" : "");
        if (c->dropped)
            sbuf_printf(sb, "    stopped afterwards %u time%s (chunk re-tested on cpu 0); not re-tested: %llu bytes "
                        "(it never stopped); late errors ignored: %llu\n", c->parked,
                        c->parked == 1 ? "" : "s", (unsigned long long)c->unretested,
                        (unsigned long long)c->late);
        bytes += c->bytes;
        tsc += c->busy_tsc;
    }
    uint64_t ms = tsc / timer_tsc_per_ms();
    sbuf_printf(sb, "  total: bytes %llu time %llu.%03llu s\n", (unsigned long long)bytes,
                (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000));
    if (tally.refused || tally.late || tally.ring_waits)
        sbuf_printf(sb, "  barrier arrivals of fenced CPUs refused: %llu; their late errors ignored: %llu; "
                    "waits on a full error ring: %llu\n", (unsigned long long)tally.refused,
                    (unsigned long long)tally.late, (unsigned long long)tally.ring_waits);
}
