// SPDX-License-Identifier: MIT
// Running a test kernel on every CPU when weakbit owns the APs itself
// (coverage=full, after ExitBootServices). The APs wait in sched_ap_loop
// for a job; the BSP splits the memory into per-CPU chunks (smp_split),
// tests its own chunk, drains the per-CPU error rings, watches every AP's
// heartbeat, fences an AP that went silent and tests its chunk again
// itself. One-CPU tests rotate over the CPUs still in the run. Platform
// services come in through sched_hooks: nothing here touches hardware.
#ifndef EFI_CORE_SCHED_H
#define EFI_CORE_SCHED_H

#include <stdint.h>
#include "core/config.h"
#include "core/fmt.h"
#include "core/smp.h"
#include "core/kernels/catalog.h"
#include "core/kernels/runtime.h"

struct sched_hooks {
    /* An error CPU `cpu` (0 = BSP) saw at TSC `tsc`; runs on the BSP. */
    void (*error)(void *ctx, unsigned cpu, uint64_t addr, uint64_t expected, uint64_t actual,
                  uint64_t tsc, unsigned flags);
    /* BSP housekeeping between blocks and while waiting; non-zero aborts. */
    int (*poll)(void *ctx);
    /* A one-line notice (a CPU fenced). */
    void (*notice)(void *ctx, const char *msg);
    /* Stop CPU `slot` for good (an INIT IPI); may be NULL. */
    void (*fence)(void *ctx, unsigned slot);
    uint64_t (*tsc)(void);
    /* This CPU's caches off (0) / on (1), for test 0; may be NULL. */
    void (*cache)(int on);
    void *ctx;
};

struct sched_cpu {
    uint64_t bytes;      /* bytes tested, summed over test runs */
    uint64_t busy_tsc;   /* time spent in kernels */
    uint64_t last_tsc;   /* the last kernel run's time */
    int fenced;          /* went silent: fenced off, its chunks re-tested */
};

struct sched_who {
    struct sched *s;
    unsigned slot;
};

#define SCHED_MAX_RANGES (2 * SMP_MAX_CPUS + 16 + 256)

/* Shared between the BSP and the APs: plain memory and atomics only. */
struct sched {
    unsigned ncpus;                       /* slots: 0 = BSP, 1.. = APs */
    enum cfg_cpu_mode mode;
    uint64_t fade_ms, silence_tsc, tsc_per_ms;
    unsigned hang_slot;                   /* debug_hang_cpu= */
    unsigned rotate;
    const struct sched_hooks *hk;
    struct sched_cpu cpu[SMP_MAX_CPUS];
    struct sched_who who[SMP_MAX_CPUS];
    struct mt_ops ops[SMP_MAX_CPUS];
    struct mt_run run[SMP_MAX_CPUS];
    struct mem_range ranges[SCHED_MAX_RANGES];
    unsigned first[SMP_MAX_CPUS + 1];
    void (*kernel)(struct mt_run *);
    volatile uint32_t gen;                /* job number; an AP acts when it changes */
    volatile uint32_t quit;
    volatile uint32_t job_gen[SMP_MAX_CPUS];   /* == gen: the slot is in this job */
    volatile uint32_t done[SMP_MAX_CPUS];      /* == gen: the slot finished it */
    volatile uint32_t dead[SMP_MAX_CPUS];
    volatile uint32_t parked[SMP_MAX_CPUS];
    volatile uint32_t abort;
    volatile uint32_t pause;              /* P: the APs hold at their next block */
    volatile uint32_t paused[SMP_MAX_CPUS];
    volatile uint64_t heartbeat[SMP_MAX_CPUS];
    volatile uint64_t blocks[SMP_MAX_CPUS];
    volatile uint64_t t0[SMP_MAX_CPUS], t1[SMP_MAX_CPUS];
    volatile uint64_t lost[SMP_MAX_CPUS];        /* errors a CPU told to stop could not queue */
    uint64_t last_beat[SMP_MAX_CPUS], last_beat_tsc[SMP_MAX_CPUS];
    uint32_t active[SMP_MAX_CPUS];
    struct smp_barrier barrier;
    struct smp_ring ring[SMP_MAX_CPUS];
    /* The retention dwell and the patterns (hold_ms=, seed=, bitfade_sleep=). */
    uint64_t hold_ms, seed, fade_set_ms, dwell_us;
    int fade_set, quick;
    struct mt_dwell dwell[SMP_MAX_CPUS];
};

/* `ncpus` CPUs take part (1 .. SMP_MAX_CPUS); cfg: cpu_mode, bitfade,
 * ap_timeout, debug_hang_cpu, hold_ms, seed (the run seed, already drawn). */
void sched_init(struct sched *s, unsigned ncpus, const struct wb_config *cfg, uint64_t tsc_per_ms,
                const struct sched_hooks *hk);

/* What AP `slot` runs once it checked in; returns after sched_stop. */
void sched_ap_loop(struct sched *s, unsigned slot);

/* Run test `t` over the ranges: parallel tests in per-CPU chunks (one CPU
 * after the other with cpu_mode=sequential), one-CPU tests on one CPU,
 * rotating. Returns the words in error; *aborted when stopped. */
uint64_t sched_run(struct sched *s, const struct mt_test *t, const struct mem_range *ranges, unsigned nr,
                   uint32_t pass, unsigned iterations, int *aborted);

/* The ranges CPU `slot` gets in parallel tests now (0 when it is out). */
unsigned sched_chunk(struct sched *s, const struct mem_range *ranges, unsigned nr, unsigned slot,
                     struct mem_range *out, unsigned cap);

/* MT_BLOCK units every CPU did in the current test (progress). */
uint64_t sched_blocks_done(const struct sched *s);

/* Time the retention dwell cost so far, in ms (per launch the longest any
 * CPU waited: they wait side by side). */
uint64_t sched_dwell_ms(const struct sched *s);

/* P: every AP holds at its next block boundary, heart beating, until
 * sched_pause(s, 0); the BSP holds by staying in its poll hook meanwhile.
 * Returns how many APs hold already or have nothing to do in this test. */
unsigned sched_pause(struct sched *s, int on);

/* CPUs not fenced off. */
unsigned sched_live(const struct sched *s);

/* Tell the APs to leave sched_ap_loop; waits up to `wait_ms` for them.
 * Returns how many did not answer. */
unsigned sched_stop(struct sched *s, uint64_t wait_ms);

#endif
