// SPDX-License-Identifier: MIT
// The runtime a test kernel runs with: its run state, the platform
// services it may call, and the block cursor. Kernels are pure: memory
// through memio.h, everything else through mt_ops. Which tests exist is
// the catalog's business (catalog.h).
#ifndef EFI_CORE_TESTS_RUNTIME_H
#define EFI_CORE_TESTS_RUNTIME_H

#include <stdint.h>
#include "core/failbit.h"
#include "core/memrange.h"

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
    /* Like error, with FAILBIT_* flags; takes precedence over error. */
    void (*error_flagged)(void *ctx, uint64_t addr, uint64_t expected, uint64_t actual,
                          unsigned flags);
    /* Wait `ms` milliseconds without touching test memory, polling for an
     * abort; non-zero = abort. NULL: no wait (bit fade then checks at once). */
    int (*sleep)(void *ctx, uint64_t ms);
    /* Bit fade: the wait per pattern in ms (bitfade_sleep=);
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

/* End of a phase: ops->sync, or a cache write-back when there is none. */
void mt_sync(struct mt_run *r);

/* Report a wrong word: counts it and calls ops->error_flagged (flags 0) or
 * ops->error. */
void mt_report(struct mt_run *r, uint64_t addr, uint64_t expected, uint64_t actual);

/* mt_report with FAILBIT_* flags. */
void mt_report_flagged(struct mt_run *r, uint64_t addr, uint64_t expected, uint64_t actual,
                       unsigned flags);

/* Does `value` name a word address other than `addr` (8-aligned, different)?
 * The address tests flag such errors FAILBIT_ADDR_UNCERTAIN. */
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

#endif
