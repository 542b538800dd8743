// SPDX-License-Identifier: MIT
// Host benchmark of the real test kernels (efi/core, compiled natively with
// memio.h's volatile accessors) against host RAM, at 1..N threads, each on
// its own chunk of one buffer. In the same run it measures the bandwidth
// bound: the best of memset, plain stores with a read-sum, and non-temporal
// stores. Per test: GB/s of useful traffic (the model is in traffic() and
// docs/bench.md) and ratio = bound time for that traffic / kernel time.
//   bench [--size SIZE] [--threads N] [--tests LIST] [--reps N]
#define _GNU_SOURCE
#include "core/kernels/addr_walk.h"
#include "core/kernels/movsq.h"
#include "core/kernels/memio.h"
#include "core/kernels/catalog.h"
#include "core/kernels/runtime.h"
#include "core/prng.h"
#include <emmintrin.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 16
#define MAX_REPS 15

/* memio.h's flush on the host: no cache flush from user mode, a full fence. */
void memio_flush(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* core/kernels/movsq.h on the host: the same single rep movsq as boot/blockmove.asm. */
void block_move_words(uint64_t dst, uint64_t src, uint64_t nwords)
{
    __asm__ volatile("cld; rep movsq"
                     : "+D"(dst), "+S"(src), "+c"(nwords)
                     :
                     : "memory");
}

static struct {
    uint8_t *buf;
    uint64_t size;
    unsigned threads;       /* in the current measurement */
    pthread_barrier_t bar;
    uint64_t errors;
} g;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static struct mem_range chunk(unsigned i, unsigned n)
{
    uint64_t per = g.size / n & ~(uint64_t)4095;
    return (struct mem_range){ (uint64_t)(uintptr_t)g.buf + i * per, per };
}

static void pin(unsigned i)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(i % (unsigned)sysconf(_SC_NPROCESSORS_ONLN), &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

/* ---- the bound ------------------------------------------------------------ */

enum bound_kind { B_MEMSET, B_RMW, B_NT, B_KINDS };

static volatile uint64_t sink;

static void bound_work(enum bound_kind k, struct mem_range c, unsigned rep)
{
    uint64_t *p = (uint64_t *)(uintptr_t)c.base, n = c.len / 8;
    switch (k) {
    case B_MEMSET:
        memset(p, (int)rep, c.len);
        break;
    case B_RMW: {
        /* Read every word into a sum and store a new value in its place. */
        uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, v = rep;
        for (uint64_t i = 0; i < n; i += 4) {
            s0 += p[i];
            s1 += p[i + 1];
            s2 += p[i + 2];
            s3 += p[i + 3];
            p[i] = v;
            p[i + 1] = v;
            p[i + 2] = v;
            p[i + 3] = v;
        }
        sink += s0 + s1 + s2 + s3;
        break;
    }
    case B_NT: {
        __m128i v = _mm_set1_epi64x((long long)rep);
        for (uint64_t i = 0; i < n; i += 8) {
            _mm_stream_si128((__m128i *)(p + i), v);
            _mm_stream_si128((__m128i *)(p + i + 2), v);
            _mm_stream_si128((__m128i *)(p + i + 4), v);
            _mm_stream_si128((__m128i *)(p + i + 6), v);
        }
        _mm_sfence();
        break;
    }
    default:
        break;
    }
}

/* Bytes one pass of a bound method moves. */
static uint64_t bound_bytes(enum bound_kind k, uint64_t len)
{
    return k == B_RMW ? 2 * len : len;
}

/* ---- the kernels ------------------------------------------------------------ */

static void on_error(void *ctx, uint64_t addr, uint64_t expected, uint64_t actual, unsigned flags)
{
    (void)ctx, (void)addr, (void)expected, (void)actual, (void)flags;
    __atomic_fetch_add(&g.errors, 1, __ATOMIC_RELAXED);
}

/* Polls a run may make before it is stopped (0: no limit); see bench_patterns(). */
struct poll_limit {
    uint64_t polls, limit;
};

static int on_poll(void *ctx)
{
    struct poll_limit *p = ctx;
    return p->limit && ++p->polls >= p->limit;
}

/* Phases of all threads line up as on the target (barrier); no write-back. */
static void on_sync(void *ctx)
{
    (void)ctx;
    pthread_barrier_wait(&g.bar);
}

/* Iterations per test in the bench: about the same time for each. */
static unsigned bench_iters(unsigned t)
{
    switch (t) {
    case 3: return 1;   /* 2 sequences */
    case 4: return 1;   /* 16 sequences */
    case 5: return 2;
    case 6: return 1;   /* and stopped after bench_patterns(6) patterns */
    case 7: return 3;   /* the steady state: checks that refill */
    case 8: return 3;
    default: return 1;
    }
}

/* Test 6 runs 128 patterns whatever its iterations: the bench times the
 * first few (a sweep polls once per MT_BLOCK, so it stops at a sweep's end). */
static unsigned bench_patterns(unsigned t)
{
    return t == 6 ? 2 : 0;
}

/* Words test 0 touches for one range: the anchor and its partners probed
 * by walk() twice (values and inverted). */
static uint64_t addr_walk_accesses(const struct mt_run *r)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < r->nranges; i++) {
        uint64_t a = addr_walk_anchor(r, i), n = 1;
        for (unsigned k = 3; k < 64; k++)
            for (unsigned j = 0; j < r->nranges; j++)
                if ((a ^ (1ull << k)) - r->ranges[j].base < r->ranges[j].len)
                    n++;
        total += 2 * (2 * n + (n - 1) * (2 + n));
    }
    return total;
}

/* Useful traffic of one run over a chunk of `len` bytes: what DRAM must move
 * for the test's access pattern. A line read counts 64 bytes, a line written
 * whole 64, a line written in part 128 (it must be read for ownership to
 * keep its other words, then written back). For every test but 9 that is
 * 8 bytes per word read or written. docs/bench.md has the table. */
static uint64_t traffic(unsigned t, unsigned iters, uint64_t len, const struct mt_run *r)
{
    uint64_t n = len;
    switch (t) {
    case 0: return 64 * addr_walk_accesses(r) * iters;
    case 1:
    case 2: return 4 * n * iters;                /* W, R+W, R */
    case 3: return 2 * 5 * n * iters;            /* fill W, up R+W, down R+W; 2 patterns */
    case 4: return 16 * 5 * n * iters;
    case 5: return 9 * n * iters;                /* fill W, 2 rounds of up and down R+W */
    case 6: return 5 * n * bench_patterns(6);    /* per pattern: fill W, up R+W, down R+W */
    case 7: return 4 * n * iters;                /* fill W (checks refill after the first),
                                                  * 2 moves (N/2 read + N/2 written each),
                                                  * check R */
    case 8: return 4 * n * iters;                /* W (checks rewrite after the first),
                                                  * R+W, R */
    case 9: /* per offset and polarity: 2/5 of the lines hold a checked word;
             * p into them (partial), ~p around them twice (3/5 whole lines,
             * 2/5 partial), read them back */
        return 40 * (n * 4 / 5 + 2 * (n * 3 / 5 + n * 4 / 5) + n * 2 / 5) * iters;
    case 10: return 4 * n * iters;               /* (W, R) x 2, no sleep */
    }
    return 0;
}

struct job {
    unsigned idx, test, iters;
    int bound;              /* >= 0: measure bound method instead of a test */
    unsigned rep;
    double t0, t1;
};

static void *worker(void *arg)
{
    struct job *j = arg;
    pin(j->idx);
    struct mem_range c = chunk(j->idx, g.threads);
    /* Polls per sweep: one per MT_BLOCK (chunks are whole MiB). */
    struct poll_limit pl = { 0, (uint64_t)bench_patterns(j->test) * 3 * (c.len / MT_BLOCK) };
    struct mt_ops ops = { .error_flagged = on_error, .poll = on_poll, .sync = on_sync, .ctx = &pl };
    struct mt_run r = { &c, 1, j->test, 0, j->idx, prng_seed(7, j->idx, 0, j->test), j->iters,
                        &ops, 0, 0, 0, 0 };
    pthread_barrier_wait(&g.bar);
    j->t0 = now();
    if (j->bound >= 0)
        bound_work((enum bound_kind)j->bound, c, j->rep);
    else
        mt_find(j->test)->run(&r);
    j->t1 = now();
    pthread_barrier_wait(&g.bar);
    return 0;
}

/* Wall time from the common start to the last thread's end. */
static double run_threads(unsigned nt, unsigned test, unsigned iters, int bound, unsigned rep)
{
    pthread_t th[MAX_THREADS];
    struct job job[MAX_THREADS];
    g.threads = nt;
    pthread_barrier_init(&g.bar, 0, nt);
    for (unsigned i = 0; i < nt; i++) {
        job[i] = (struct job){ i, test, iters, bound, rep, 0, 0 };
        pthread_create(&th[i], 0, worker, &job[i]);
    }
    for (unsigned i = 0; i < nt; i++)
        pthread_join(th[i], 0);
    pthread_barrier_destroy(&g.bar);
    double t0 = job[0].t0, t1 = job[0].t1;
    for (unsigned i = 1; i < nt; i++) {
        t0 = job[i].t0 < t0 ? job[i].t0 : t0;
        t1 = job[i].t1 > t1 ? job[i].t1 : t1;
    }
    return t1 - t0;
}

static double median(double *v, unsigned n)
{
    for (unsigned i = 1; i < n; i++)
        for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
            double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static uint64_t parse_size(const char *s)
{
    char *e;
    double v = strtod(s, &e);
    switch (*e) {
    case 'G': case 'g': v *= 1 << 30; break;
    case 'M': case 'm': v *= 1 << 20; break;
    case 'K': case 'k': v *= 1 << 10; break;
    }
    return (uint64_t)v;
}

static uint64_t mem_available(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    unsigned long long kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb * 1024;
}

int main(int argc, char **argv)
{
    uint64_t size = 1ull << 30;
    unsigned max_threads = 2, reps = 3;
    uint32_t tests = 0x7ff;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--size") && i + 1 < argc)
            size = parse_size(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            max_threads = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
            reps = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--tests") && i + 1 < argc) {
            tests = 0;
            for (char *p = argv[++i]; *p;) {
                unsigned a = (unsigned)strtoul(p, &p, 10), b = a;
                if (*p == '-')
                    b = (unsigned)strtoul(p + 1, &p, 10);
                for (unsigned t = a; t <= b && t <= MT_MAX_TEST; t++)
                    tests |= 1u << t;
                if (*p == ',')
                    p++;
                else if (*p)
                    break;
            }
        } else {
            fprintf(stderr, "usage: bench [--size SIZE] [--threads N] [--tests LIST] [--reps N]\n");
            return 2;
        }
    }
    if (max_threads < 1 || max_threads > MAX_THREADS)
        max_threads = 2;
    if (reps < 1 || reps > MAX_REPS)
        reps = 3;
    uint64_t avail = mem_available();
    if (avail && size > avail / 2) {
        size = (avail / 2) & ~((1ull << 21) - 1);
        printf("bench: memory is short, buffer cut to %llu MiB\n",
               (unsigned long long)(size >> 20));
    }
    g.size = size;
    g.buf = mmap(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1,
                 0);
    if (g.buf == MAP_FAILED) {
        perror("bench: mmap");
        return 1;
    }
    madvise(g.buf, size, MADV_HUGEPAGE);
    memset(g.buf, 0, size);
    printf("bench: buffer %llu MiB, threads 1..%u, %u repetitions (bound, then kernel)\n",
           (unsigned long long)(size >> 20), max_threads, reps);

    /* The machine is shared and its bandwidth swings from one second to
     * the next. Each repetition measures the bound and then the kernel,
     * back to back; the ratio is the median of the repetitions' ratios, and
     * GB/s the kernel's best. */
    double last5 = 0;
    for (unsigned nt = 1; nt <= max_threads; nt++) {
        for (unsigned t = 0; t <= MT_MAX_TEST; t++) {
            if (!(tests >> t & 1))
                continue;
            unsigned iters = bench_iters(t);
            uint64_t bytes = 0;
            for (unsigned i = 0; i < nt; i++) {
                struct mem_range c = chunk(i, nt);
                struct mt_run r = { &c, 1, t, 0, i, 0, iters, 0, 0, 0, 0, 0 };
                bytes += traffic(t, iters, c.len, &r);
            }
            double best_bw = 0, ratio[MAX_REPS], bound_bw[B_KINDS] = { 0 };
            g.errors = 0;
            for (unsigned rep = 0; rep < reps; rep++) {
                double bound = 0;
                for (int k = 0; k < B_KINDS; k++) {
                    double s = run_threads(nt, 0, 0, k, rep + 1);
                    double bw = bound_bytes(k, chunk(0, nt).len) * nt / s / 1e9;
                    bound_bw[k] = bw > bound_bw[k] ? bw : bound_bw[k];
                    bound = bw > bound ? bw : bound;
                }
                double bw = bytes / run_threads(nt, t, iters, -1, 0) / 1e9;
                best_bw = bw > best_bw ? bw : best_bw;
                ratio[rep] = bw / bound;
            }
            if (g.errors)
                printf("bench: test %u: %llu ERRORS on host memory\n", t,
                       (unsigned long long)g.errors);
            double r = median(ratio, reps);
            printf("bench: test %u threads %u GB/s %.2f ratio %.2f   (best bound memset %.2f"
                   " store+readsum %.2f nt-store %.2f)%s\n", t, nt, best_bw, r,
                   bound_bw[B_MEMSET], bound_bw[B_RMW], bound_bw[B_NT],
                   t == 10 ? " bit fade without sleep: excluded" :
                   t == 0 ? " address walk, latency-bound: excluded" : "");
            fflush(stdout);
            if (t == 5)
                last5 = r;
        }
    }
    if (tests >> 5 & 1)
        printf("bench: test5 ratio %.2f\n", last5);
    munmap(g.buf, size);
    return g.errors ? 1 : 0;
}
