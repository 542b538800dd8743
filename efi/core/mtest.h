// SPDX-License-Identifier: MIT
// The memory test table and the state one test kernel runs with.
// Kernels are pure: memory through memio.h, everything else through mt_ops.
#ifndef EFI_CORE_MTEST_H
#define EFI_CORE_MTEST_H

#include <stdint.h>

struct mem_range {
    uint64_t base, len;
};

/* Error flag: the word at `addr` read back wrong, but the test cannot tell
 * whether that cell failed or another one did: an address test read a value
 * that names a different word (address decoder or a cell; no way to know),
 * or block move found bad data that may have been corrupted at its source
 * before a move. The address is still exactly where the bad value was read. */
#define MT_ERR_ADDR_UNCERTAIN 1u

/* Platform services a kernel may call. Members may be NULL unless noted. */
struct mt_ops {
    /* A word read back wrong: its physical address, what was written, what
     * came back. Used when error_flagged is NULL. */
    void (*error)(void *ctx, uint64_t addr, uint64_t expected, uint64_t actual);
    /* Called after each block (MT_BLOCK bytes); non-zero aborts the test. */
    int (*poll)(void *ctx);
    /* Between a write phase and its verify phase: all CPUs meet and caches
     * are written back. NULL: just write back this CPU's caches. */
    void (*sync)(void *ctx);
    void *ctx;
    /* Like error, with MT_ERR_* flags; takes precedence over error. */
    void (*error_flagged)(void *ctx, uint64_t addr, uint64_t expected, uint64_t actual,
                          unsigned flags);
    /* Wait `ms` milliseconds without touching test memory, polling for an
     * abort; non-zero = abort. NULL: no wait (bit fade then checks at once). */
    int (*sleep)(void *ctx, uint64_t ms);
    /* Bit fade: the wait per pattern in ms (normally MT_FADE_DEFAULT_MS);
     * 0: none. A setting rather than a service, kept here because glue
     * fills this struct by member name. */
    uint64_t fade_ms;
    /* Caches of this CPU off (on = 0) or back on (on = 1), written back
     * either way. NULL: caches stay as they are (test 0 still syncs). */
    void (*cache)(void *ctx, int on);
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

/* Memtest86+'s bit fade: about 90 minutes of waiting in all, two patterns. */
#define MT_FADE_DEFAULT_MS (45ull * 60 * 1000)

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

/* Report a wrong word: counts it and calls ops->error_flagged (flags 0) or
 * ops->error. */
void mt_report(struct mt_run *r, uint64_t addr, uint64_t expected, uint64_t actual);

/* mt_report with MT_ERR_* flags. */
void mt_report_flagged(struct mt_run *r, uint64_t addr, uint64_t expected, uint64_t actual,
                       unsigned flags);

/* Does `value` name a word address other than `addr` (8-aligned, different)?
 * The address tests flag such errors MT_ERR_ADDR_UNCERTAIN. */
static inline int mt_names_other(uint64_t addr, uint64_t value)
{
    return (value & 7) == 0 && value != addr;
}

/* Wait through ops->sleep; returns r->aborted. */
int mt_sleep(struct mt_run *r, uint64_t ms);

/* Caches on/off through ops->cache when there is one. */
void mt_cache(struct mt_run *r, int on);

/* Poll between blocks; sets and returns r->aborted. */
int mt_poll(struct mt_run *r);

/* Walks a run's ranges in blocks of at most MT_BLOCK bytes. Zero-initialise. */
struct mt_cursor {
    unsigned i;
    uint64_t a;
    int started;
};

/* Next block [*lo, *hi), ascending over r->ranges (mt_next_down: descending).
 * Polls after every block it handed out; returns 0 when the ranges are done
 * or the run is aborted. */
int mt_next_up(struct mt_run *r, struct mt_cursor *c, uint64_t *lo, uint64_t *hi);
int mt_next_down(struct mt_run *r, struct mt_cursor *c, uint64_t *lo, uint64_t *hi);

/* Total bytes in `n` ranges. */
uint64_t mt_bytes(const struct mem_range *ranges, unsigned n);

#endif
