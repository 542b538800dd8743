// SPDX-License-Identifier: MIT
#include "mp.h"
#include "cache.h"
#include "cpu.h"
#include "timer.h"
#include "core/fmt.h"
#include "core/tests/memio.h"
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

static struct mp_services *mps;
static const struct mp_hooks *hk;
static const char *note;
static unsigned found = 1, nslots = 1, rotate;
static UINTN slot_proc[SMP_MAX_CPUS];
static uint16_t proc_slot[PROC_MAX];
static struct mp_cpu_stats stats[SMP_MAX_CPUS];
static enum cfg_cpu_mode mode;
static uint64_t fade_ms;
static uint64_t silence_ms;       /* no heartbeat this long: the AP is hung (ap_timeout=) */
static unsigned hang_slot;        /* debug_hang_cpu=: make this AP hang, to test the above */
static EFI_EVENT done_event;

/* Shared with the APs: plain memory and atomics only. */
static struct job {
    struct mt_run run[SMP_MAX_CPUS];
    struct mem_range ranges[2 * SMP_MAX_CPUS + 16 + 256];
    unsigned first[SMP_MAX_CPUS + 1];
    void (*kernel)(struct mt_run *);
    volatile uint32_t active[SMP_MAX_CPUS];
    volatile uint32_t done[SMP_MAX_CPUS];
    volatile uint32_t dead[SMP_MAX_CPUS];
    volatile uint64_t heartbeat[SMP_MAX_CPUS];   /* liveness: blocks and barrier spins */
    volatile uint64_t blocks[SMP_MAX_CPUS];      /* progress: MT_BLOCK units done */
    volatile uint64_t t0[SMP_MAX_CPUS], t1[SMP_MAX_CPUS];
    volatile uint32_t abort;
    struct smp_barrier barrier;
    struct smp_ring ring[SMP_MAX_CPUS];
} *job;   /* pool memory: about 700 KiB, which would otherwise sit in the .efi file */

static struct mt_ops ap_ops[SMP_MAX_CPUS], bsp_ops;
static uint64_t last_beat[SMP_MAX_CPUS], last_beat_ms[SMP_MAX_CPUS];

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
    fade_ms = cfg->bitfade_ms;
    silence_ms = cfg->ap_timeout_s * 1000;
    hang_slot = cfg->debug_hang_cpu;
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
    unsigned limit = cfg->cpus ? cfg->cpus : SMP_MAX_CPUS;
    if (cfg->cpu_mode == CFG_CPU_SINGLE)
        limit = 1;
    for (UINTN p = 0; p < total && p < PROC_MAX && nslots < limit && nslots < SMP_MAX_CPUS; p++) {
        UINT8 info[256];   /* larger than any revision of EFI_PROCESSOR_INFORMATION */
        if (p == me || mps->get_processor_info(mps, p, info) != EFI_SUCCESS)
            continue;
        UINT32 status = *(UINT32 *)(info + 8);
        if ((status & STATUS_ENABLED) && !(status & STATUS_BSP)) {
            proc_slot[p] = (uint16_t)nslots;
            slot_proc[nslots] = p;
            stats[nslots].proc = (unsigned)p;
            nslots++;
        }
    }
    if (nslots < total)
        note = cfg->cpu_mode == CFG_CPU_SINGLE ? "cpu_mode=single"
               : cfg->cpus && cfg->cpus < total ? "limited by cpus="
               : "some processors are disabled or unhealthy";
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

static void ap_error(void *ctx, uint64_t addr, uint64_t expected, uint64_t actual, unsigned flags)
{
    unsigned s = (unsigned)(uintptr_t)ctx;
    struct smp_err e = { addr, expected, actual, cpu_rdtsc(), flags };
    smp_ring_push(&job->ring[s], &e);   /* full: counted in dropped */
}

static int ap_poll(void *ctx)
{
    unsigned s = (unsigned)(uintptr_t)ctx;
    if (s == hang_slot && job->blocks[s] >= 4)
        for (;;)
            __builtin_ia32_pause();   /* a hung CPU: no heartbeat, never returns */
    job->heartbeat[s]++;
    job->blocks[s]++;
    return __atomic_load_n(&job->abort, __ATOMIC_ACQUIRE) || job->dead[s];
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
        if (__atomic_load_n(&job->abort, __ATOMIC_ACQUIRE) || job->dead[s])
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
    smp_barrier_wait(&job->barrier, ap_beat, ctx);
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
    __atomic_store_n(&job->done[s], 1, __ATOMIC_RELEASE);
}

/* --- the BSP's side ------------------------------------------------------- */

static void drain(void)
{
    struct smp_err e;
    for (unsigned s = 1; s < nslots; s++)
        while (smp_ring_pop(&job->ring[s], &e))
            hk->error(hk->ctx, s, e.addr, e.expected, e.actual, e.tsc, e.flags);
}

/* Drop APs whose heartbeat stopped; their chunks are re-run later. */
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
            job->dead[s] = 1;
            stats[s].dropped = 1;
            smp_barrier_leave(&job->barrier);
            say("cpu %u (processor %u) stopped responding for %u s: dropped; its chunk is re-run on cpu 0",
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

static void bsp_error(void *ctx, uint64_t addr, uint64_t expected, uint64_t actual, unsigned flags)
{
    (void)ctx;
    hk->error(hk->ctx, 0, addr, expected, actual, cpu_rdtsc(), flags);
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
    while (timer_ms() < end) {
        BS->Stall(10000);
        bsp_spin(ctx);
        if (__atomic_load_n(&job->abort, __ATOMIC_ACQUIRE))
            return 1;
    }
    return 0;
}

static void bsp_sync(void *ctx)
{
    smp_barrier_wait(&job->barrier, bsp_spin, ctx);
    memio_flush();
}

static void prepare(unsigned s, const struct mt_test *t, uint32_t pass, unsigned iters,
                    const struct mem_range *r, unsigned nr)
{
    ap_ops[s] = (struct mt_ops){ .error_flagged = ap_error, .poll = ap_poll, .sync = ap_sync,
                                 .ctx = (void *)(uintptr_t)s, .sleep = ap_sleep,
                                 .fade_ms = fade_ms, .cache = set_cache };
    job->run[s] = (struct mt_run){ .ranges = r, .nranges = nr, .test = t->num, .pass = pass,
                                  .cpu = s, .seed = prng_seed(0x77656b62ull, s, pass, t->num),
                                  .iterations = iters, .ops = s ? &ap_ops[s] : &bsp_ops };
    job->active[s] = nr != 0;
    job->done[s] = 0;
    job->dead[s] = 0;
    last_beat[s] = job->heartbeat[s];
    last_beat_ms[s] = timer_ms();
    smp_ring_init(&job->ring[s]);
}

/* Run the prepared job on the active slots; the BSP takes slot 0 if active. */
static void launch(unsigned members)
{
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
                    smp_barrier_leave(&job->barrier);
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
        smp_barrier_leave(&job->barrier);
    }
    for (;;) {
        int busy = 0;
        for (unsigned s = 1; s < nslots; s++)
            busy |= job->active[s] && !job->done[s] && !job->dead[s];
        bsp_spin(NULL);
        if (!busy)
            break;
    }
    drain();
    if (aps && mps) {
        /* The firmware must see the APs finished before the next launch. */
        uint64_t t = timer_ms();
        int dead = 0;
        for (unsigned s = 1; s < nslots; s++)
            dead |= job->dead[s];
        while (BS->CheckEvent(done_event) != EFI_SUCCESS) {
            if (dead || timer_ms() - t > EVENT_GRACE_MS) {
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
    stats[s].bytes += mem_range_total(r->ranges, r->nranges);
    stats[s].busy_tsc += job->t1[s] - job->t0[s];
}

/* After a launch: count the finished slots, and test the chunks of CPUs
 * that were dropped again on the BSP alone, so no memory goes untested. */
static uint64_t collect(const struct mt_test *t, uint32_t pass, unsigned iters)
{
    uint64_t errors = 0;
    struct mt_run lost[SMP_MAX_CPUS];
    unsigned nlost = 0;
    for (unsigned s = 0; s < nslots; s++) {
        if (!job->active[s])
            continue;
        if (job->dead[s]) {
            lost[nlost++] = job->run[s];
            continue;
        }
        errors += job->run[s].errors;
        account(s, &job->run[s]);
    }
    for (unsigned i = 0; i < nlost && !job->abort; i++) {
        for (unsigned s = 0; s < nslots; s++)
            job->active[s] = 0;
        prepare(0, t, pass, iters, lost[i].ranges, lost[i].nranges);
        launch(1);
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
    bsp_ops = (struct mt_ops){ .error_flagged = bsp_error, .poll = bsp_poll, .sync = bsp_sync,
                               .sleep = bsp_sleep, .fade_ms = fade_ms, .cache = set_cache };
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
        launch(1);
        errors += collect(t, pass, iters);
    } else {
        smp_split(ranges, nr, nslots, 4096, job->ranges, job->first);
        unsigned rounds = mode == CFG_CPU_SEQUENTIAL ? nslots : 1;
        for (unsigned round = 0; round < rounds && !job->abort; round++) {
            unsigned members = 0;
            for (unsigned s = 0; s < nslots; s++) {
                int on = rounds == 1 || s == round;
                prepare(s, t, pass, iters, job->ranges + job->first[s],
                        on ? job->first[s + 1] - job->first[s] : 0);
                members += job->active[s];
            }
            launch(members);
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
                    (unsigned long long)(ms % 1000), c->proc, c->dropped ? ", dropped: stopped responding" : "");
        bytes += c->bytes;
        tsc += c->busy_tsc;
    }
    uint64_t ms = tsc / timer_tsc_per_ms();
    sbuf_printf(sb, "  total: bytes %llu time %llu.%03llu s\n", (unsigned long long)bytes,
                (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000));
}
