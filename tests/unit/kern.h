// SPDX-License-Identifier: MIT
// Shared harness for the kernel tests: runs one test from the table against
// the simulated memory and keeps every error record with its flags.
#ifndef TESTS_UNIT_KERN_H
#define TESTS_UNIT_KERN_H

#include "core/kernels/catalog.h"
#include "sim/simmem.h"
#include "core/kernels/runtime.h"

#define KERN_MAX_REC 8192

struct kern_rec {
    uint64_t addr, expected, actual;
    unsigned flags;
};

struct kern_seen {
    struct kern_rec rec[KERN_MAX_REC];
    unsigned n;             /* records kept */
    uint64_t total;         /* records reported */
    unsigned polls, syncs, sleeps, cache_off, cache_on;
    unsigned stop_after;    /* abort at this poll (0: never) */
    int stop_on_error;      /* abort at the first poll after an error */
    uint64_t slept_ms;
};

/* Simulated ticks per millisecond of sleep and of the clock (1 ns a tick). */
#define KERN_TICKS_PER_MS SIM_TICKS_PER_MS

struct kern_opts {
    uint32_t pass, cpu;
    unsigned iters;         /* 0: the table's full count */
    uint64_t fade_ms;
    uint64_t seed_base;
    int no_sleep, with_sync, with_cache;
    uint64_t hold_ms;       /* retention dwell on the simulated clock (0: off) */
    const struct hammer_geom *hammer;   /* test 11's banks and rows (NULL: none) */
    uint64_t hammer_ms;     /* test 11's time per bank */
    int hammer_search;      /* test 11 without a model: pairs by timing */
};

/* Run test `num` over the ranges; records go to *s (cleared first except
 * stop_after and stop_on_error). Returns the run's out fields through *out when not NULL
 * (its dwell, waits included, stays valid until the next run). */
void kern_run(unsigned num, struct kern_seen *s, const struct mem_range *rg, unsigned nrg,
              const struct kern_opts *o, struct mt_run *out);

/* Only records at (addr, bit), at least one. */
int kern_only_cell(const struct kern_seen *s, uint64_t addr, unsigned bit);

/* Some record has this address and bit. */
int kern_has_cell(const struct kern_seen *s, uint64_t addr, unsigned bit);

#endif
