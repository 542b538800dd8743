// SPDX-License-Identifier: MIT
// Chunking, barrier and per-CPU rings. The threaded cases also run in a
// separate ThreadSanitizer build (make build/smp-tsan-tests).
#include "check.h"
#include "core/smp.h"
#include <pthread.h>
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
    (void)arg;
    for (unsigned r = 0; r < ROUNDS; r++) {
        __atomic_fetch_add(&arrived[r], 1, __ATOMIC_SEQ_CST);
        smp_barrier_wait(&bar, yield, 0);
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
    smp_barrier_init(&bar, THREADS, &abort_flag);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], 0, barrier_worker, 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], 0);
    CHECK(!order_bad);
}

static void *leave_worker(void *arg)
{
    long id = (long)arg;
    for (unsigned r = 0; r < 200; r++) {
        if (id == 0 && r == 100) {
            smp_barrier_leave(&bar);   /* "hung" CPU: the rest must go on */
            return 0;
        }
        smp_barrier_wait(&bar, yield, 0);
    }
    return 0;
}

TEST(smp_barrier_member_leaves_and_abort_releases)
{
    smp_barrier_init(&bar, 4, &abort_flag);
    abort_flag = 0;
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        pthread_create(&t[i], 0, leave_worker, (void *)i);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], 0);
    /* One waiter alone at a barrier for 3: only abort can free it. */
    smp_barrier_init(&bar, 3, &abort_flag);
    __atomic_store_n(&abort_flag, 1, __ATOMIC_SEQ_CST);
    CHECK_EQ_U64(smp_barrier_wait(&bar, 0, 0), 1);
    abort_flag = 0;
}

#define ITEMS 200000
static struct smp_ring ring;
static volatile int producer_done;

static void *producer(void *arg)
{
    (void)arg;
    for (uint64_t i = 0; i < ITEMS; i++) {
        struct smp_err e = { i * 8, i, ~i, i, 0 };
        smp_ring_push(&ring, &e);
        if (i % 64 == 0)
            sched_yield();
    }
    __atomic_store_n(&producer_done, 1, __ATOMIC_RELEASE);
    return 0;
}

TEST(smp_ring_spsc_never_drops_silently)
{
    smp_ring_init(&ring);
    producer_done = 0;
    pthread_t t;
    pthread_create(&t, 0, producer, 0);
    uint64_t got = 0, last = 0, bad = 0;
    int first_item = 1;
    struct smp_err e;
    for (;;) {
        int done = __atomic_load_n(&producer_done, __ATOMIC_ACQUIRE);
        while (smp_ring_pop(&ring, &e)) {
            if (e.addr != e.tsc * 8 || e.expected != e.tsc || e.actual != ~e.tsc ||
                (!first_item && e.tsc <= last))
                bad++;
            last = e.tsc;
            first_item = 0;
            got++;
        }
        if (done && !smp_ring_pop(&ring, &e))
            break;
        if (done) {   /* popped one more after the flag: count it */
            got++;
            last = e.tsc;
        }
    }
    pthread_join(t, 0);
    CHECK_EQ_U64(bad, 0);
    CHECK_EQ_U64(got + ring.dropped, ITEMS);
    CHECK(got > 0);
}

TEST(smp_ring_full_counts_drops)
{
    smp_ring_init(&ring);
    for (uint64_t i = 0; i < 1000; i++) {
        struct smp_err e = { i * 8, i, ~i, i, 0 };
        smp_ring_push(&ring, &e);
    }
    CHECK_EQ_U64(ring.dropped, 1000 - SMP_RING);
    struct smp_err e;
    uint64_t n = 0;
    while (smp_ring_pop(&ring, &e)) {
        CHECK_EQ_U64(e.tsc, n);   /* the oldest ones, untouched */
        n++;
    }
    CHECK_EQ_U64(n, SMP_RING);
}
