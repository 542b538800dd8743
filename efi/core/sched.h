// SPDX-License-Identifier: MIT
// The one scheduler: running a test kernel on every CPU, in both modes.
// The APs wait in sched_ap_loop for a job (started there by MP services in
// firmware mode, by weakbit's own trampoline in full coverage); the BSP
// splits the memory into per-CPU chunks (smp_split), tests its own chunk,
// drains the per-CPU error rings, watches every AP's heartbeat and holds
// them at P. An AP that goes silent is fenced off: told to stop, out of
// the barrier, its later reports counted as late and not used. Its chunk is
// tested again on the BSP once it has stopped (or was stopped by the
// platform's fence hook); one that never stops leaves its chunk reported as
// not re-tested and is out for the rest of the run. A fenced CPU that did
// stop takes part again from the next test. One-CPU tests rotate over the
// CPUs in the run. Platform services come in through sched_hooks: nothing
// here touches hardware.
#ifndef EFI_CORE_SCHED_H
#define EFI_CORE_SCHED_H

#include <stdint.h>
#include "core/config.h"
#include "core/fmt.h"
#include "core/fold.h"
#include "core/hammer.h"
#include "core/mce.h"
#include "core/smp.h"
#include "core/kernels/catalog.h"
#include "core/kernels/runtime.h"

/* Flag beside FAILBIT_* in error(): the word came from a ring that was full
 * (its CPU had to wait), so the consumer should shed load (fold it). */
#define SCHED_ERR_SHED FOLD_SHED
/* Flags of a machine-check event in error(): addr = MCi_ADDR, expected =
 * MCi_STATUS, actual = MCi_MISC, the bank in bits 31:24; UMC: the bank is
 * an AMD memory controller's (by MCA_IPID). Not a failing word: never in
 * the word counts. */
#define SCHED_ERR_MCE 0x10000u
#define SCHED_ERR_MCE_UMC 0x20000u
#define SCHED_ERR_MCE_BANK(flags) ((flags) >> 24 & 0xffu)
#define SCHED_MCE_PER_POLL 4        /* events taken from the banks per poll; the rest wait */

/* The error() flags that carry machine-check event `e`. */
static inline unsigned sched_mce_flags(const struct mce_event *e)
{
    return SCHED_ERR_MCE | (e->amd_umc ? SCHED_ERR_MCE_UMC : 0) | (e->bank & 0xffu) << 24;
}

#define SCHED_DRAIN_MS 2            /* the BSP drains at least this often while it finds errors */
#define SCHED_FLUSH_MS 100          /* ... and has the consumer flush at most this often */
#define SCHED_PAUSE_WAIT_MS 3000    /* P: longest wait for the CPUs to reach a block boundary */
#define SCHED_PARK_GRACE_MIN_MS 10000 /* a fenced CPU gets this long (or 4 x ap_timeout) to stop */

struct sched_hooks {
    /* An error CPU `cpu` (0 = BSP) saw at TSC `tsc`; runs on the BSP.
     * error and flush get `sink` (core/errsink.c), the others `ctx`. */
    void (*error)(void *ctx, unsigned cpu, uint64_t addr, uint64_t expected, uint64_t actual,
                  uint64_t tsc, unsigned flags);
    /* Write what error() buffered: every SCHED_FLUSH_MS of errors at most,
     * and at the end of every launch. May be NULL. */
    void (*flush)(void *ctx);
    /* BSP housekeeping between blocks and while waiting; non-zero aborts. */
    int (*poll)(void *ctx);
    /* A one-line notice (a CPU fenced, a chunk re-tested). */
    void (*notice)(void *ctx, const char *msg);
    /* Stop CPU `slot` for good (an INIT IPI), when it did not stop by
     * itself within the grace; NULL where the platform cannot. */
    void (*fence)(void *ctx, unsigned slot);
    uint64_t (*tsc)(void);
    /* This CPU's caches off (0) / on (1), for test 0; may be NULL. */
    void (*cache)(int on);
    /* Poll this CPU's machine-check banks (it runs slot `slot`): memory
     * errors into out[] (cap), their banks cleared. Called on every CPU
     * between blocks and after each kernel; NULL: no polling (ecc=off). */
    unsigned (*mce_poll)(unsigned slot, struct mce_event *out, unsigned cap);
    void *ctx, *sink;
};

struct sched_cpu {
    uint64_t bytes;      /* bytes tested, summed over test runs */
    uint64_t busy_tsc;   /* time spent in kernels */
    uint64_t last_tsc;   /* the last kernel run's time */
    unsigned id;         /* the platform's name for it (processor number, APIC ID) */
    int fenced;          /* missed its deadline at some point */
    int out;             /* out for the rest of the run (never stopped, or stopped by force) */
    unsigned parked;     /* fenced runs after which it stopped (chunk re-tested) */
    unsigned forced;     /* ... after which the fence hook stopped it (chunk re-tested) */
    uint64_t unretested; /* bytes of its chunks not re-tested: it never stopped */
    uint64_t late;       /* errors it reported after its deadline: not used */
};

/* Every failing word the kernels counted, and where it went. */
struct sched_tally {
    uint64_t counted;    /* words of accepted runs, and what fenced CPUs delivered in time */
    uint64_t delivered;  /* words handed to hooks->error */
    uint64_t late;       /* reports of fenced CPUs after their deadline, not used */
    uint64_t refused;    /* barrier arrivals of fenced CPUs, refused */
    uint64_t ring_waits; /* times a CPU found its ring full and waited */
};

struct sched_who {
    struct sched *s;
    unsigned slot;
};

#define SCHED_MAX_RANGES (2 * SMP_MAX_CPUS + 16 + 256)

/* Shared between the BSP and the APs: plain memory and atomics only. */
struct sched {
    unsigned ncpus;                       /* slots: 0 = BSP, 1.. = APs */
    const char *id_name;                  /* what cpu[].id is: "processor", "APIC ID" */
    enum cfg_cpu_mode mode;
    uint64_t fade_ms, silence_tsc, park_grace_tsc, tsc_per_ms;
    unsigned hang_slot;                   /* debug_hang_cpu= */
    uint64_t hang_tsc;                    /* ... for this long (0: for ever) */
    unsigned rotate;
    const struct sched_hooks *hk;
    struct sched_cpu cpu[SMP_MAX_CPUS];
    struct sched_tally tally;
    struct sched_who who[SMP_MAX_CPUS];
    struct mt_ops ops[SMP_MAX_CPUS];
    struct mt_run run[SMP_MAX_CPUS];
    struct mt_run job[SMP_MAX_CPUS];      /* each run as prepared: the BSP's copy */
    struct mem_range ranges[SCHED_MAX_RANGES];
    void (*kernel)(struct mt_run *);
    volatile uint32_t gen;                /* job number; an AP acts when it changes */
    volatile uint32_t quit;
    volatile uint32_t job_gen[SMP_MAX_CPUS];   /* == gen: the slot is in this job */
    volatile uint32_t done[SMP_MAX_CPUS];      /* == gen: the slot left this job's kernel */
    volatile uint32_t dead[SMP_MAX_CPUS];      /* fenced off in this job: stop at once */
    volatile uint32_t left[SMP_MAX_CPUS];      /* left sched_ap_loop (sched_stop) */
    volatile uint32_t hung[SMP_MAX_CPUS];      /* the timed debug hang happened */
    volatile uint32_t abort;
    volatile uint32_t pause;              /* P: the APs hold at their next block */
    volatile uint32_t paused[SMP_MAX_CPUS];
    volatile uint32_t at_barrier[SMP_MAX_CPUS];  /* waiting at a barrier: touches no memory */
    volatile uint64_t heartbeat[SMP_MAX_CPUS];
    volatile uint64_t blocks[SMP_MAX_CPUS];
    volatile uint64_t t0[SMP_MAX_CPUS], t1[SMP_MAX_CPUS];
    volatile uint64_t late[SMP_MAX_CPUS];      /* reports given up after the fence */
    uint64_t last_beat[SMP_MAX_CPUS], last_beat_tsc[SMP_MAX_CPUS], fenced_tsc[SMP_MAX_CPUS];
    uint32_t late_from[SMP_MAX_CPUS];     /* ring index from which reports are late */
    uint64_t delivered[SMP_MAX_CPUS];     /* words of the current job handed on */
    uint64_t last_drain_tsc, last_flush_tsc;
    int unflushed;
    uint32_t active[SMP_MAX_CPUS];
    struct smp_barrier barrier;
    struct smp_ring ring[SMP_MAX_CPUS];
    /* The retention dwell and the patterns (hold_ms=, seed=, bitfade_sleep=). */
    uint64_t hold_ms, seed, fade_set_ms, dwell_us;
    int fade_set, quick;
    struct mt_dwell dwell[SMP_MAX_CPUS];
    /* Row hammer (test 11): banks and rows from interleave= and
     * hammer_rowshift=; without interleave= pairs are searched by timing. */
    struct hammer_geom hammer;
    uint64_t hammer_ms;
    int hammer_search, hammer_fence;
};

/* `ncpus` CPUs take part (1 .. SMP_MAX_CPUS); cfg: cpu_mode, bitfade,
 * ap_timeout, debug_hang_cpu, hold_ms, seed (the run seed, already drawn),
 * interleave, hammer_ms, hammer_rowshift, hammer_fence.
 * cpu[].id and id_name are the caller's to fill. */
void sched_init(struct sched *s, unsigned ncpus, const struct wb_config *cfg, uint64_t tsc_per_ms,
                const struct sched_hooks *hk);

/* What AP `slot` runs once it is started; returns after sched_stop. */
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

/* Bytes every CPU has swept so far, summed. */
uint64_t sched_swept(const struct sched *s);

/* Time the retention dwell cost so far, in ms: per launch the longest any
 * CPU waited (they wait side by side), the running launch included. */
uint64_t sched_dwell_ms(const struct sched *s);

/* P (on): every AP holds at its next block boundary, heart beating; the
 * BSP drains meanwhile and waits up to SCHED_PAUSE_WAIT_MS for them. Off:
 * they go on, every deadline restarted (a pause is not silence). Returns
 * how many APs hold, wait at a barrier or have nothing to do. */
unsigned sched_pause(struct sched *s, int on);

/* CPUs still in the run. */
unsigned sched_live(const struct sched *s);

/* "cpu N: bytes B time T (<id_name> I)" per CPU, the total and the fence
 * accounting, for report.txt. */
void sched_report_lines(const struct sched *s, struct sbuf *sb);

/* Tell the APs to leave sched_ap_loop; waits up to `wait_ms` for them.
 * Returns how many did not answer. */
unsigned sched_stop(struct sched *s, uint64_t wait_ms);

#endif
