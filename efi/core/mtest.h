// SPDX-License-Identifier: MIT
// The memory test table and the state one test kernel runs with.
// Kernels are pure: memory through memio.h, everything else through mt_ops.
#ifndef EFI_CORE_MTEST_H
#define EFI_CORE_MTEST_H

#include <stdint.h>

struct mem_range {
    uint64_t base, len;
};

/* Platform services a kernel may call. */
struct mt_ops {
    /* A word read back wrong: its physical address, what was written, what came back. */
    void (*error)(void *ctx, uint64_t addr, uint64_t expected, uint64_t actual);
    /* Called after each block (MT_BLOCK bytes); non-zero aborts the test. */
    int (*poll)(void *ctx);
    /* Between a write phase and its verify phase: all CPUs meet and caches
     * are written back. NULL: just write back this CPU's caches. */
    void (*sync)(void *ctx);
    void *ctx;
};

/* Bytes a kernel handles between two polls. */
#define MT_BLOCK (1ull << 20)

/* One run of one test on one CPU over its ranges (ascending, disjoint, 8-byte aligned). */
struct mt_run {
    const struct mem_range *ranges;
    unsigned nranges;
    uint32_t test, pass, cpu;
    uint64_t seed;          /* per CPU and pass: see prng_seed() */
    unsigned iterations;
    const struct mt_ops *ops;
    /* Out: */
    uint64_t errors;        /* words read back wrong */
    uint64_t sweeps_done;   /* full passes over the ranges (progress) */
    int aborted;
};

enum mt_cpu_mode { MT_ONE_CPU, MT_ALL_CPUS };

struct mt_test {
    unsigned num;
    const char *name;
    enum mt_cpu_mode mode;
    unsigned iterations;                /* full count; quick first pass uses a third */
    void (*run)(struct mt_run *r);      /* NULL: not available in this build */
    uint64_t (*sweeps)(unsigned iters); /* passes over memory a run makes, for progress */
};

#define MT_MAX_TEST 10

/* The test with number `num`, or NULL when it does not exist. */
const struct mt_test *mt_find(unsigned num);

/* Iterations for this pass: a third (at least 1) on a quick first pass. */
unsigned mt_iterations(const struct mt_test *t, int quick, uint32_t pass);

/* End of a phase: ops->sync, or a cache write-back when there is none. */
void mt_sync(struct mt_run *r);

/* Report a wrong word: counts it and calls ops->error. */
void mt_report(struct mt_run *r, uint64_t addr, uint64_t expected, uint64_t actual);

/* Poll between blocks; sets and returns r->aborted. */
int mt_poll(struct mt_run *r);

/* Total bytes in `n` ranges. */
uint64_t mt_bytes(const struct mem_range *ranges, unsigned n);

#endif
