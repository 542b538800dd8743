// SPDX-License-Identifier: MIT
// Chunking, barrier and per-CPU rings. The threaded cases also run in a
// separate ThreadSanitizer build (make build/smp-tsan-tests).
#include "check.h"
#include "core/smp.h"
#include <pthread.h>
#include <time.h>
#include <sched.h>
#include <string.h>

static struct mem_range out[SMP_MAX_CPUS + 16];

static uint64_t bytes(const struct mem_range *r, unsigned n)
{
    uint64_t s = 0;
    for (unsigned i = 0; i < n; i++)
        s += r[i].len;
    return s;
}
static unsigned first[SMP_MAX_CPUS + 1];

/* Every byte of `in` belongs to exactly one CPU, in order, no byte outside. */
static int exact_cover(const struct mem_range *in, unsigned nin, unsigned ncpu, unsigned n)
{
    uint64_t total = bytes(in, nin), seen = 0;
    unsigned ii = 0;
    uint64_t pos = in[0].base;
    for (unsigned c = 0; c < ncpu; c++)
        for (unsigned k = first[c]; k < first[c + 1]; k++) {
            /* out[k] must continue exactly where the previous piece ended */
            while (ii < nin && pos == in[ii].base + in[ii].len && ++ii < nin)
                pos = in[ii].base;
            if (ii == nin || out[k].base != pos || !out[k].len ||
                out[k].base + out[k].len > in[ii].base + in[ii].len)
                return 0;
            pos += out[k].len;
            seen += out[k].len;
        }
    return seen == total && first[ncpu] == n && first[0] == 0;
}

TEST(smp_split_covers_every_byte_once)
{
    const uint64_t P = 4096;
    struct mem_range in[5] = { { 0x100000, 7 * P }, { 0x200000, 1 * P }, { 0x300000, 1000 * P + 0 },
                               { 0x100000000ull, 13 * P }, { 0x140000000ull, 3 * P } };
    for (unsigned nin = 1; nin <= 5; nin++)
        for (unsigned ncpu = 1; ncpu <= 64; ncpu++) {
            unsigned n = smp_split(in, nin, ncpu, P, out, first);
            CHECK(n <= nin + ncpu);
            if (!exact_cover(in, nin, ncpu, n)) {
                CHECK(!"exact cover");
                fprintf(stderr, "  nin %u ncpu %u\n", nin, ncpu);
                return;
            }
            /* Shares are equal but for the last CPU, in whole pages. */
            uint64_t share = bytes(in, nin) / ncpu / P * P;
            for (unsigned c = 0; c + 1 < ncpu; c++)
                CHECK_EQ_U64(bytes(out + first[c], first[c + 1] - first[c]), share);
        }
}

TEST(smp_split_odd_sizes)
{
    /* Not a multiple of the CPU count, one range, odd page counts. */
    struct mem_range in = { 0x1000000, 12345 * 4096ull };
    for (unsigned ncpu = 1; ncpu <= 64; ncpu++) {
        unsigned n = smp_split(&in, 1, ncpu, 4096, out, first);
        CHECK(exact_cover(&in, 1, ncpu, n));
    }
}

#define THREADS 4
#define ROUNDS 500

/* Host threads outnumber cores: give the core away while waiting. */
static void yield(void *ctx)
{
    (void)ctx;
    sched_yield();
}

static struct smp_barrier bar;
static volatile uint32_t abort_flag;
static volatile uint32_t arrived[ROUNDS];
static volatile int order_bad;

static void *barrier_worker(void *arg)
{
    unsigned id = (unsigned)(long)arg;
    for (unsigned r = 0; r < ROUNDS; r++) {
        __atomic_fetch_add(&arrived[r], 1, __ATOMIC_SEQ_CST);
        smp_barrier_wait(&bar, id, yield, 0);
        /* Nobody passes round r before all arrived at it. */
        if (__atomic_load_n(&arrived[r], __ATOMIC_SEQ_CST) != THREADS)
            order_bad = 1;
    }
    return 0;
}

TEST(smp_barrier_threads)
{
    memset((void *)arrived, 0, sizeof arrived);
    order_bad = 0;
    abort_flag = 0;
    smp_barrier_init(&bar, (1u << THREADS) - 1, &abort_flag);
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++)
        pthread_create(&t[i], 0, barrier_worker, (void *)i);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], 0);
    CHECK(!order_bad);
}

static void *leave_worker(void *arg)
{
    long id = (long)arg;
    for (unsigned r = 0; r < 200; r++) {
        if (id == 0 && r == 100) {
            smp_barrier_leave(&bar, 0);   /* "hung" CPU: the rest must go on */
            return 0;
        }
        smp_barrier_wait(&bar, (unsigned)id, yield, 0);
    }
    return 0;
}

TEST(smp_barrier_member_leaves_and_abort_releases)
{
    smp_barrier_init(&bar, 0xf, &abort_flag);
    abort_flag = 0;
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        pthread_create(&t[i], 0, leave_worker, (void *)i);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], 0);
    /* One waiter alone at a barrier for 3: only abort can free it. */
    smp_barrier_init(&bar, 0x7, &abort_flag);
    __atomic_store_n(&abort_flag, 1, __ATOMIC_SEQ_CST);
    CHECK_EQ_U64(smp_barrier_wait(&bar, 0, 0, 0), SMP_ABORTED);
    abort_flag = 0;
}

/* A fenced CPU arrives late: refused and counted, never completing a
 * generation. Members 0 and 1; 2 was fenced off. */
static volatile int late_passed;
static void *late_member(void *arg)
{
    (void)arg;
    if (smp_barrier_wait(&bar, 0, yield, 0) == SMP_PASSED)
        late_passed = 1;
    return 0;
}

TEST(smp_barrier_fenced_member_cannot_release)
{
    abort_flag = 0;
    late_passed = 0;
    smp_barrier_init(&bar, 0x7, &abort_flag);
    smp_barrier_leave(&bar, 2);   /* fenced */
    pthread_t t;
    pthread_create(&t, 0, late_member, 0);
    /* The fenced CPU arrives (twice, as a slow CPU would at two barriers):
     * member 0 is still waiting for member 1. */
    CHECK_EQ_U64(smp_barrier_wait(&bar, 2, 0, 0), SMP_REFUSED);
    CHECK_EQ_U64(smp_barrier_wait(&bar, 2, 0, 0), SMP_REFUSED);
    for (int i = 0; i < 1000; i++)
        sched_yield();
    CHECK(!__atomic_load_n(&late_passed, __ATOMIC_SEQ_CST));
    CHECK_EQ_U64(__atomic_load_n(&bar.refused, __ATOMIC_SEQ_CST), 2);
    CHECK_EQ_U64(smp_barrier_wait(&bar, 1, yield, 0), SMP_PASSED);
    pthread_join(t, 0);
    CHECK(late_passed);
}

#define ITEMS 200000
static struct smp_ring ring;
static volatile int producer_done;

static int wait_yield(void *ctx)
{
    (void)ctx;
    sched_yield();
    return 0;
}

/* A CPU testing at full speed (no pause between errors), a BSP that is
 * slow (it writes files): the producer waits, nothing is lost or reordered. */
static void *producer(void *arg)
{
    (void)arg;
    for (uint64_t i = 0; i < ITEMS; i++) {
        struct smp_err e = { i * 8, i, ~i, i, 0 };
        if (smp_ring_push(&ring, &e, wait_yield, 0))
            return (void *)1;
    }
    __atomic_store_n(&producer_done, 1, __ATOMIC_RELEASE);
    return 0;
}

static void slow(void)
{
    volatile unsigned x = 0;
    for (unsigned k = 0; k < 2000; k++)
        x += k;
}

TEST(smp_ring_full_speed_slow_consumer_loses_nothing)
{
    smp_ring_init(&ring);
    producer_done = 0;
    pthread_t t;
    pthread_create(&t, 0, producer, 0);
    uint64_t got = 0, bad = 0;
    struct smp_err e;
    /* The consumer starts only once the producer found the ring full, so the
     * full-ring path runs however the host schedules the two threads. */
    for (time_t t0 = time(0); !__atomic_load_n(&ring.waits, __ATOMIC_RELAXED) &&
                              !__atomic_load_n(&producer_done, __ATOMIC_ACQUIRE) && time(0) - t0 < 10;)
        sched_yield();
    for (;;) {
        int done = __atomic_load_n(&producer_done, __ATOMIC_ACQUIRE);
        int n = 0;
        while (n < 64 && smp_ring_pop(&ring, &e)) {   /* a drain takes a batch */
            if (e.tsc != got || e.addr != got * 8 || e.expected != got || e.actual != ~got)
                bad++;
            got++;
            n++;
        }
        if (done && !smp_ring_used(&ring))
            break;
        slow();   /* the file write */
        if (got % 4096 < 64)
            sched_yield();
    }
    void *rc;
    pthread_join(t, &rc);
    CHECK(rc == 0);
    CHECK_EQ_U64(bad, 0);
    CHECK_EQ_U64(got, ITEMS);
    CHECK(__atomic_load_n(&ring.waits, __ATOMIC_RELAXED) > 0);   /* it really was full */
}

static int told_to_stop(void *ctx)
{
    return ++*(int *)ctx > 10;
}

TEST(smp_ring_full_waits_never_overwrites)
{
    smp_ring_init(&ring);
    for (uint64_t i = 0; i < SMP_RING; i++) {
        struct smp_err e = { i * 8, i, ~i, i, 0 };
        CHECK_EQ_U64(smp_ring_push(&ring, &e, 0, 0), 0);
    }
    /* Full: without a wait function, refused; with one, it waits until
     * told to stop, then refuses. The queued entries stay untouched. */
    struct smp_err x = { 0xdead0, 1, 2, 999, 0 };
    CHECK_EQ_U64(smp_ring_push(&ring, &x, 0, 0), (uint64_t)-1);
    int calls = 0;
    CHECK_EQ_U64(smp_ring_push(&ring, &x, told_to_stop, &calls), (uint64_t)-1);
    CHECK_EQ_U64(calls, 11);
    CHECK_EQ_U64(smp_ring_used(&ring), SMP_RING);
    struct smp_err e;
    uint64_t n = 0;
    while (smp_ring_pop(&ring, &e)) {
        CHECK_EQ_U64(e.tsc, n);
        n++;
    }
    CHECK_EQ_U64(n, SMP_RING);
    /* Room again: queued at once. */
    CHECK_EQ_U64(smp_ring_push(&ring, &x, told_to_stop, &calls), 0);
    CHECK_EQ_U64(smp_ring_pop(&ring, &e), 1);
    CHECK_EQ_U64(e.addr, 0xdead0);
}
