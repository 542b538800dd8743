// SPDX-License-Identifier: MIT
// The bare-metal scheduler with threads as APs: chunks cover every byte
// once and each CPU's bytes add up; errors reach the BSP with the CPU that
// saw them, more than a ring holds without a loss; one-CPU tests rotate;
// a CPU that stops beating is fenced: its chunk is re-tested on the BSP once
// it stopped (by itself, or by the fence hook), its late reports and barrier
// arrival are not used, and it takes part again when it stopped by itself;
// without a fence hook one that never stops leaves its chunk untested.
#include "check.h"
#include "core/sched.h"
#include <pthread.h>
#include <string.h>
#include <time.h>

#define NCPU 4
#define HANG_NONE 99

static struct sched S;
static pthread_t th[NCPU];
static int hang_slot = HANG_NONE, late_slot = HANG_NONE, released;   /* shared: SET / GET */
#define SET(v, x) __atomic_store_n(&(v), (x), __ATOMIC_SEQ_CST)
#define GET(v) __atomic_load_n(&(v), __ATOMIC_SEQ_CST)
static unsigned fenced_slot, nerr;
static struct { unsigned cpu; uint64_t addr; } errs[2048];
static uint64_t bad_addr, burst_addr;

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void on_error(void *ctx, unsigned cpu, uint64_t addr, uint64_t e, uint64_t a, uint64_t tsc, unsigned f)
{
    (void)ctx, (void)e, (void)a, (void)tsc, (void)f;
    /* A slow consumer: the first burst error is taken only once its CPU
     * had to wait for room, so the full-ring path runs on every host. */
    if (addr == burst_addr && burst_addr)
        for (uint64_t t0 = now_ns(); !__atomic_load_n(&S.ring[cpu].waits, __ATOMIC_ACQUIRE) && now_ns() - t0 < 5000000000ull;)
            ;
    if (nerr < 2048)
        errs[nerr++] = (typeof(errs[0])){ cpu, addr };
}

static void on_fence(void *ctx, unsigned slot)
{
    (void)ctx;
    fenced_slot = slot;
    SET(released, 1);   /* the "INIT": the hung thread gives up */
}

/* The BSP's housekeeping: P once (hold until the APs stand still, check
 * that their block counters do not move, let go), or S (skip) once. */
static int poll_mode, pause_seen, pause_still;
enum { POLL_NONE, POLL_PAUSE, POLL_SKIP };

static int on_poll(void *ctx)
{
    (void)ctx;
    if (poll_mode == POLL_SKIP && S.blocks[0] >= 2) {
        poll_mode = POLL_NONE;
        return 1;
    }
    if (poll_mode != POLL_PAUSE)
        return 0;
    poll_mode = POLL_NONE;
    uint64_t t0 = now_ns();
    while (sched_pause(&S, 1) < NCPU - 1 && now_ns() - t0 < 5000000000ull)
        ;
    pause_seen = sched_pause(&S, 1);
    uint64_t before[NCPU], moved = 0;
    for (unsigned i = 1; i < NCPU; i++)
        before[i] = __atomic_load_n(&S.blocks[i], __ATOMIC_ACQUIRE);
    for (t0 = now_ns(); now_ns() - t0 < 50000000ull;)
        ;
    for (unsigned i = 1; i < NCPU; i++)
        moved += __atomic_load_n(&S.blocks[i], __ATOMIC_ACQUIRE) - before[i];
    pause_still = moved == 0;
    sched_pause(&S, 0);
    return 0;
}

static const struct sched_hooks hooks = { .error = on_error, .poll = on_poll, .fence = on_fence, .tsc = now_ns };
/* A platform that cannot stop a CPU (firmware mode). */
static const struct sched_hooks no_fence = { .error = on_error, .poll = on_poll, .tsc = now_ns };

/* A kernel: walks its ranges block by block, meets the others twice, and
 * reports an error at bad_addr (once) and 600 at burst_addr when they lie
 * in its chunk. */
static void fake_kernel(struct mt_run *r)
{
    if ((int)r->cpu == GET(late_slot)) {
        /* Silent until fenced, then 5 reports and a barrier arrival, all
         * too late, and it leaves its kernel by itself. */
        while (!__atomic_load_n(&S.dead[r->cpu], __ATOMIC_ACQUIRE))
            ;
        for (int i = 0; i < 5; i++)
            mt_report(r, r->ranges[0].base, 0, 4);
        mt_sync(r);
        r->aborted = 1;
        return;
    }
    if ((int)r->cpu == GET(hang_slot)) {
        while (!GET(released))
            ;
        r->aborted = 1;
        return;
    }
    for (int phase = 0; phase < 2; phase++) {
        struct mt_cursor c = { 0 };
        uint64_t lo, hi;
        while (mt_next_up(r, &c, &lo, &hi)) {
            if (phase == 0 && bad_addr >= lo && bad_addr < hi)
                mt_report(r, bad_addr, 0, 1);
            if (phase == 1 && burst_addr >= lo && burst_addr < hi)
                for (int i = 0; i < 600; i++)
                    mt_report(r, burst_addr, 0, 2);
        }
        mt_sync(r);
    }
}

static const struct mt_test par = { .num = 3, .name = "fake parallel", .mode = MT_ALL_CPUS,
                                    .iterations = 1, .run = fake_kernel };
static const struct mt_test one = { .num = 0, .name = "fake one-cpu", .mode = MT_ONE_CPU,
                                    .iterations = 1, .run = fake_kernel };

static void *ap(void *arg)
{
    sched_ap_loop(&S, (unsigned)(uintptr_t)arg);
    return NULL;
}

/* silence_ms: how long a CPU may go without a heartbeat; long where no CPU
 * should be fenced, so a busy host cannot starve a thread into a fence. */
/* grace_ms: how long a fenced CPU may take to stop by itself; long where
 * it should (a busy host may not run its thread for a while), short where
 * it never will. */
static void start_with(uint64_t silence_ms, uint64_t grace_ms, const struct sched_hooks *hk)
{
    struct wb_config cfg = { .cpu_mode = CFG_CPU_PARALLEL, .ap_timeout_s = 1 };
    sched_init(&S, NCPU, &cfg, 1000000, hk);
    S.silence_tsc = silence_ms * 1000000;
    S.park_grace_tsc = grace_ms * 1000000;
    nerr = 0;
    SET(released, 0);
    fenced_slot = 0;
    for (unsigned i = 1; i < NCPU; i++)
        pthread_create(&th[i], NULL, ap, (void *)(uintptr_t)i);
}

static void start(uint64_t silence_ms)
{
    start_with(silence_ms, 300, &hooks);
}

static void stop(void)
{
    SET(released, 1);
    CHECK_EQ_U64(sched_stop(&S, 2000), 0);
    for (unsigned i = 1; i < NCPU; i++)
        pthread_join(th[i], NULL);
}

static const struct mem_range ranges[2] = { { 0x100000, 64ull << 20 }, { 0x10000000, 37ull << 20 } };
#define TOTAL ((64ull + 37) << 20)

/* Bytes CPU `slot` gets in parallel tests now. */
static uint64_t chunk_bytes(unsigned slot)
{
    struct mem_range ch[8];
    uint64_t sum = 0;
    unsigned n = sched_chunk(&S, ranges, 2, slot, ch, 8);
    for (unsigned i = 0; i < n; i++)
        sum += ch[i].len;
    return sum;
}

TEST(sched_parallel_chunks_add_up_and_errors_keep_their_cpu)
{
    SET(hang_slot, HANG_NONE);
    start(30000);
    struct mem_range ch[8];
    unsigned n = sched_chunk(&S, ranges, 2, 2, ch, 8);
    CHECK(n >= 1);
    bad_addr = ch[0].base + 0x1000;
    n = sched_chunk(&S, ranges, 2, 3, ch, 8);
    burst_addr = ch[n - 1].base + ch[n - 1].len - 8;
    int aborted = 1;
    uint64_t e = sched_run(&S, &par, ranges, 2, 0, 1, &aborted);
    CHECK(!aborted);
    CHECK_EQ_U64(e, 601);
    uint64_t sum = 0;
    for (unsigned i = 0; i < NCPU; i++) {
        CHECK(S.cpu[i].bytes > 0);
        sum += S.cpu[i].bytes;
    }
    CHECK_EQ_U64(sum, TOTAL);
    unsigned on2 = 0, on3 = 0, other = 0;
    for (unsigned i = 0; i < nerr; i++) {
        if (errs[i].addr == bad_addr && errs[i].cpu == 2)
            on2++;
        else if (errs[i].addr == burst_addr && errs[i].cpu == 3)
            on3++;
        else
            other++;
    }
    CHECK_EQ_U64(on2, 1);
    CHECK_EQ_U64(on3, 600);   /* more than SMP_RING: the AP waited, nothing dropped */
    CHECK_EQ_U64(other, 0);
    CHECK(S.tally.ring_waits > 0);   /* the ring did fill up */
    CHECK_EQ_U64(S.cpu[3].late, 0);
    CHECK_EQ_U64(S.tally.counted, 601);
    CHECK_EQ_U64(S.tally.delivered, 601);
    stop();
}

TEST(sched_one_cpu_tests_rotate)
{
    SET(hang_slot, HANG_NONE);
    bad_addr = burst_addr = 0;
    start(30000);
    for (unsigned k = 0; k < NCPU; k++) {
        int aborted;
        sched_run(&S, &one, ranges, 2, 0, 1, &aborted);
    }
    for (unsigned i = 0; i < NCPU; i++)
        CHECK_EQ_U64(S.cpu[i].bytes, TOTAL);
    stop();
}

TEST(sched_fences_a_silent_cpu_and_retests_its_chunk)
{
    SET(hang_slot, 1);
    bad_addr = burst_addr = 0;
    start(1500);
    uint64_t want1 = chunk_bytes(1);
    int aborted = 1;
    sched_run(&S, &par, ranges, 2, 0, 1, &aborted);
    CHECK(!aborted);
    CHECK_EQ_U64(fenced_slot, 1);   /* it did not stop within the grace: stopped by force */
    CHECK(S.cpu[1].fenced);
    CHECK(S.cpu[1].out);
    CHECK_EQ_U64(S.cpu[1].forced, 1);
    CHECK_EQ_U64(S.cpu[1].unretested, 0);
    CHECK_EQ_U64(S.cpu[1].bytes, 0);
    CHECK_EQ_U64(S.cpu[0].bytes + S.cpu[2].bytes + S.cpu[3].bytes, TOTAL);
    CHECK(S.cpu[0].bytes >= want1);
    CHECK_EQ_U64(sched_live(&S), 3);
    /* The next test splits over the three left. */
    SET(hang_slot, HANG_NONE);
    sched_run(&S, &par, ranges, 2, 0, 1, &aborted);
    CHECK_EQ_U64(S.cpu[1].bytes, 0);
    CHECK_EQ_U64(S.cpu[0].bytes + S.cpu[2].bytes + S.cpu[3].bytes, 2 * TOTAL);
    stop();
}

/* P: every AP holds at a block boundary, its counter still, heart beating
 * (nobody is fenced however long the pause), and the test then completes
 * every byte. */
TEST(sched_pause_holds_every_cpu)
{
    SET(hang_slot, HANG_NONE);
    bad_addr = burst_addr = 0;
    start(30000);
    pause_seen = pause_still = 0;
    poll_mode = POLL_PAUSE;
    int aborted = 1;
    sched_run(&S, &par, ranges, 2, 0, 1, &aborted);
    CHECK(!aborted);
    CHECK_EQ_U64(pause_seen, NCPU - 1);
    CHECK(pause_still);
    uint64_t sum = 0;
    for (unsigned i = 0; i < NCPU; i++) {
        CHECK(!S.cpu[i].fenced);
        sum += S.cpu[i].bytes;
    }
    CHECK_EQ_U64(sum, TOTAL);
    stop();
}

/* S: the poll hook's answer aborts the test on every CPU. */
TEST(sched_skip_aborts_the_test)
{
    SET(hang_slot, HANG_NONE);
    bad_addr = burst_addr = 0;
    start(30000);
    poll_mode = POLL_SKIP;
    int aborted = 0;
    sched_run(&S, &par, ranges, 2, 0, 1, &aborted);
    CHECK(aborted);
    /* Two walks over every byte when it runs to the end. */
    CHECK(sched_blocks_done(&S) < 2 * TOTAL / MT_BLOCK / 2);
    poll_mode = POLL_NONE;
    stop();
}

/* A CPU that misses its deadline and comes back: its late reports are
 * counted and not used, its barrier arrival refused, its chunk re-tested
 * on the BSP once it left its kernel; it takes part in the next test. */
TEST(sched_late_cpu_is_refused_then_retested_and_rejoins)
{
    SET(hang_slot, HANG_NONE);
    SET(late_slot, 2);
    bad_addr = burst_addr = 0;
    start_with(1500, 10000, &no_fence);
    uint64_t want2 = chunk_bytes(2);
    int aborted = 1;
    uint64_t e = sched_run(&S, &par, ranges, 2, 0, 1, &aborted);
    CHECK(!aborted);
    CHECK_EQ_U64(e, 0);
    CHECK_EQ_U64(nerr, 0);                 /* nothing late reached the consumer */
    CHECK_EQ_U64(S.cpu[2].late, 5);
    CHECK_EQ_U64(S.tally.late, 5);
    CHECK(S.tally.refused >= 1);
    CHECK_EQ_U64(S.cpu[2].parked, 1);
    CHECK(!S.cpu[2].out);
    CHECK_EQ_U64(S.cpu[2].bytes, 0);
    CHECK_EQ_U64(S.cpu[0].bytes + S.cpu[1].bytes + S.cpu[3].bytes, TOTAL);
    CHECK(S.cpu[0].bytes >= want2);
    SET(late_slot, HANG_NONE);
    sched_run(&S, &par, ranges, 2, 0, 1, &aborted);
    CHECK(S.cpu[2].bytes > 0);             /* back in the run */
    CHECK_EQ_U64(sched_live(&S), NCPU);
    stop();
}

/* Without a fence hook a CPU that never stops keeps its chunk: it may
 * still write there, so it is not re-tested but counted, and the CPU is out. */
TEST(sched_cpu_that_never_stops_leaves_its_chunk_untested)
{
    SET(hang_slot, 3);
    SET(late_slot, HANG_NONE);
    bad_addr = burst_addr = 0;
    start_with(1500, 300, &no_fence);
    uint64_t want3 = chunk_bytes(3);
    int aborted = 1;
    sched_run(&S, &par, ranges, 2, 0, 1, &aborted);
    CHECK(S.cpu[3].out);
    CHECK_EQ_U64(S.cpu[3].unretested, want3);
    CHECK_EQ_U64(S.cpu[0].bytes + S.cpu[1].bytes + S.cpu[2].bytes + want3, TOTAL);
    CHECK_EQ_U64(sched_live(&S), NCPU - 1);
    SET(released, 1);   /* let the thread go, for the join */
    SET(hang_slot, HANG_NONE);
    sched_run(&S, &par, ranges, 2, 0, 1, &aborted);
    CHECK_EQ_U64(S.cpu[0].bytes + S.cpu[1].bytes + S.cpu[2].bytes + want3, 2 * TOTAL);
    stop();
}

/* Machine-check polling: each CPU polls its own banks (the hook runs on the
 * CPU of its slot) between blocks and after its kernel; an AP's event
 * reaches the BSP through its ring, flagged, with its CPU and bank; none of
 * it counts as a failing word. */
static volatile uint32_t mce_given[NCPU], mce_wrong_thread, mce_calls[NCPU];
static unsigned mce_seen[NCPU], mce_bank[NCPU], mce_other;
static pthread_t bsp_thread;

static unsigned fake_mce_poll(unsigned slot, struct mce_event *out, unsigned cap)
{
    if (slot >= NCPU || !cap)
        return 0;
    pthread_t me = pthread_self();
    if (!pthread_equal(me, slot ? th[slot] : bsp_thread))
        __atomic_fetch_add(&mce_wrong_thread, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&mce_calls[slot], 1, __ATOMIC_RELAXED);
    /* Slots 0 and 2 each find one corrected memory error, once. */
    if ((slot != 0 && slot != 2) || __atomic_exchange_n(&mce_given[slot], 1, __ATOMIC_ACQ_REL))
        return 0;
    return mce_decode(slot + 1, 0x9c0000000000009full, 0x12345040 + slot * 0x1000, 0x86, 0, &out[0]);
}

static void on_error_mce(void *ctx, unsigned cpu, uint64_t addr, uint64_t e, uint64_t a, uint64_t tsc, unsigned f)
{
    (void)ctx, (void)tsc;
    if (!(f & SCHED_ERR_MCE)) {
        on_error(ctx, cpu, addr, e, a, tsc, f);
        return;
    }
    if (cpu < NCPU && e == 0x9c0000000000009full && addr == 0x12345040 + cpu * 0x1000ull && a == 0x86) {
        mce_seen[cpu]++;
        mce_bank[cpu] = SCHED_ERR_MCE_BANK(f);
    } else {
        mce_other++;
    }
}

TEST(sched_mce_polled_on_each_cpu_and_handed_to_the_bsp)
{
    static const struct sched_hooks mce_hooks = { .error = on_error_mce, .poll = on_poll, .fence = on_fence,
                                                  .tsc = now_ns, .mce_poll = fake_mce_poll };
    SET(hang_slot, HANG_NONE);
    bad_addr = burst_addr = 0;
    bsp_thread = pthread_self();
    start_with(30000, 300, &mce_hooks);
    int aborted = 1;
    uint64_t e = sched_run(&S, &par, ranges, 2, 0, 1, &aborted);
    CHECK(!aborted);
    CHECK_EQ_U64(e, 0);
    CHECK_EQ_U64(S.tally.counted, 0);
    CHECK_EQ_U64(S.tally.delivered, 0);
    CHECK_EQ_U64(mce_seen[0], 1);
    CHECK_EQ_U64(mce_seen[2], 1);
    CHECK_EQ_U64(mce_bank[0], 1);
    CHECK_EQ_U64(mce_bank[2], 3);
    CHECK_EQ_U64(mce_seen[1] + mce_seen[3] + mce_other, 0);
    CHECK_EQ_U64(mce_wrong_thread, 0);
    for (unsigned i = 0; i < NCPU; i++)
        CHECK(mce_calls[i] >= 2);   /* between blocks, and after the kernel */
    stop();
}
