// SPDX-License-Identifier: MIT
// The runtime a test kernel runs with: its run state, the platform
// services it may call, and the block cursor. Kernels are pure: memory
// through memio.h, everything else through mt_ops. Which tests exist is
// the catalog's business (catalog.h).
#ifndef EFI_CORE_KERNELS_RUNTIME_H
#define EFI_CORE_KERNELS_RUNTIME_H

#include <stdint.h>
#include "core/failbit.h"
#include "core/memrange.h"

struct hammer_geom;   /* core/hammer.h */

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
    /* Bit fade: the wait per pattern in ms (mt_fade_ms() in the catalog);
     * 0: none. A setting rather than a service, kept here because glue
     * fills this struct by member name. */
    uint64_t fade_ms;
    /* Caches of this CPU off (on = 0) or back on (on = 1), written back
     * either way. NULL: caches stay as they are (test 0 still syncs). */
    void (*cache)(void *ctx, int on);
    /* Monotonic time in microseconds (any CPU, same clock). NULL: no
     * retention dwell. */
    uint64_t (*now_us)(void *ctx);
    /* Retention dwell (hold_ms=): a verify sweep reads no part of memory
     * until it has been left untouched this long. 0: off. A setting. */
    uint64_t hold_ms;
    /* Row hammer (test 11): the banks and rows (settings). NULL: test 11
     * has no model (one bank; it searches same-bank pairs by timing). */
    const struct hammer_geom *hammer;
    uint64_t hammer_ms;      /* time per bank (hammer_ms=) */
    int hammer_fence;        /* mfence after each round */
    int hammer_search;       /* no interleave= given: find pairs by timing */
};

/* Bytes a kernel handles between two polls. */
#define MT_BLOCK (1ull << 20)

/* A DRAM row's cells are restored by every access to the row, so a weak
 * cell only fails when its row sits untouched longer than the cell holds
 * its charge. The dwell keeps, per slot of a run's memory, when it was last
 * touched; a verify waits until hold_ms has passed for the slots it is
 * about to read. A slot is 1/MT_DWELL_SLOTS of the run's bytes (a power of
 * two, at least a page); a slot's stamp is its latest touch, so the
 * guarantee holds for every word in it. A verify waits only for touches of
 * earlier phases (phases end at mt_sync): its own reads of a neighbouring
 * block that shares the slot are no write it has to outwait. Storage comes
 * from the platform, one per CPU, zeroed before each run. */
#define MT_DWELL_SLOTS 256

struct mt_dwell {
    uint64_t stamp[MT_DWELL_SLOTS];  /* now_us + 1 of the last touch; 0: none yet */
    uint64_t before[MT_DWELL_SLOTS]; /* the stamp before this phase's first touch */
    uint32_t phase_of[MT_DWELL_SLOTS]; /* phase of the last touch */
    uint32_t phase;                  /* counts mt_sync calls */
    uint64_t slot_bytes;             /* 0: not set up for this run yet */
    uint64_t waited_us;              /* out: time spent waiting */
    uint64_t waits;                  /* out: verifies that had to wait */
};

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
    /* Zeroed storage for the retention dwell; NULL: no dwell. */
    struct mt_dwell *dwell;
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

/* Row hammer: the aggressor pair behind the flips reported next (not a
 * failing word, not counted): `victim` is the word, a and b the aggressor
 * lines, flags FAILBIT_HAMMER_PAIR (| FAILBIT_HAMMER_SLOW). */
void mt_note_pair(struct mt_run *r, uint64_t victim, uint64_t a, uint64_t b, unsigned flags);

/* Wait through ops->sleep; returns r->aborted. */
int mt_sleep(struct mt_run *r, uint64_t ms);

/* Caches on/off through ops->cache when there is one. */
void mt_cache(struct mt_run *r, int on);

/* Poll between blocks; sets and returns r->aborted. */
int mt_poll(struct mt_run *r);

/* [lo, hi) was just read or written: stamp it for the dwell. */
void mt_dwell_touch(struct mt_run *r, uint64_t lo, uint64_t hi);

/* Before verifying [lo, hi): wait until it has been untouched for hold_ms
 * (through ops->sleep, so aborts still work). No-op without a dwell. */
void mt_dwell_wait(struct mt_run *r, uint64_t lo, uint64_t hi);

/* Walks a run's ranges in blocks of at most MT_BLOCK bytes. Zero-initialise;
 * set `verify` for a sweep that checks what an earlier sweep left. */
struct mt_cursor {
    unsigned i;
    uint64_t a;
    int started;
    int verify;         /* wait for the dwell before handing out each block */
    uint64_t plo, phi;  /* the block handed out last, stamped on the next call */
    uint64_t unit;      /* mt_next_down: its parts start on multiples of this */
};

/* Next block [*lo, *hi), ascending over r->ranges. mt_next_down: the run in
 * four parts, lowest first, each descending, so that no word is read right
 * after it was written (see MT_DOWN_PARTS in runtime.c).
 * Stamps the previous block for the dwell and polls after it; with
 * c->verify, waits for the dwell before handing the block out. Returns 0
 * when the ranges are done or the run is aborted. */
int mt_next_up(struct mt_run *r, struct mt_cursor *c, uint64_t *lo, uint64_t *hi);
int mt_next_down(struct mt_run *r, struct mt_cursor *c, uint64_t *lo, uint64_t *hi);

/* The bytes run `r` really swept after `blocks` of its blocks: its ranges
 * when it was not aborted, else what that many blocks cover, at most its
 * ranges. The per-CPU and per-test byte counts of a stopped run. */
uint64_t mt_swept(const struct mt_run *r, uint64_t blocks);

#endif
