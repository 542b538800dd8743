// SPDX-License-Identifier: MIT
// Running a test kernel on every CPU through EFI_MP_SERVICES_PROTOCOL.
// The BSP works on its own chunk while the APs run theirs; APs never call
// boot services. Every CPU's errors go to its own ring, which the BSP drains
// every few milliseconds; a full ring makes its CPU wait, never overwrites.
// A CPU that misses its deadline is fenced off: told to stop, removed from
// the barrier, its later reports ignored and counted, and its chunk re-run
// on the BSP once it has parked (or reported as not re-tested). Without the
// protocol, or with cpus=1, everything runs on the BSP and the report says so.
#ifndef EFI_MP_H
#define EFI_MP_H

#include "core/config.h"
#include "core/fmt.h"
#include "core/kernels/catalog.h"
#include "core/kernels/runtime.h"
#include "core/fold.h"
#include "core/smp.h"

/* Flag beside FAILBIT_* in error(): the word came from a ring that was full
 * (its CPU had to wait), so the consumer should shed load (fold it). */
#define MP_ERR_SHED FOLD_SHED

struct mp_hooks {
    /* An error seen by `cpu` (0 = BSP) at TSC time `tsc`. Runs on the BSP,
     * during a drain: buffer it, the drain ends with flush(). */
    void (*error)(void *ctx, unsigned cpu, uint64_t addr, uint64_t expected, uint64_t actual,
                  uint64_t tsc, unsigned flags);
    /* Write what error() buffered (one append): every FLUSH_MS of draining
     * at most, and at the end of every run. May be NULL. */
    void (*flush)(void *ctx);
    /* BSP housekeeping between blocks: status line, keys. Non-zero aborts. */
    int (*poll)(void *ctx);
    /* A one-line notice for screen and session.log (CPU dropped, fallback). */
    void (*notice)(void *ctx, const char *msg);
    void *ctx;
};

struct mp_cpu_stats {
    uint64_t bytes;     /* bytes of memory this CPU tested, summed over test runs */
    uint64_t busy_tsc;  /* time it spent in kernels */
    unsigned proc;      /* firmware processor number */
    int dropped;        /* missed its deadline at some point: fenced off */
    unsigned parked;    /* fenced runs after which it stopped (chunk re-tested) */
    uint64_t unretested;  /* bytes of its chunks not re-tested: it never stopped */
    uint64_t late;      /* errors it reported after its deadline: ignored */
};

/* Every failing word the kernels counted, and where it went. */
struct mp_tally {
    uint64_t counted;    /* words the kernels of accepted runs counted */
    uint64_t delivered;  /* words handed to hooks->error */
    uint64_t late;       /* reports of fenced CPUs after their deadline, ignored */
    uint64_t refused;    /* barrier arrivals of fenced CPUs, refused */
    uint64_t ring_waits; /* times a CPU found its ring full and waited */
};

/* Find the protocol and choose the CPUs (cfg->cpus, cfg->cpu_mode). */
void mp_init(const struct wb_config *cfg, const struct mp_hooks *hooks);

/* What MP services count (total and enabled processors), without using
 * them: full coverage cross-checks the MADT with it. 0, or -1 when absent. */
int mp_firmware_count(unsigned *total, unsigned *enabled);

/* MT_BLOCK units all CPUs have done in the current test (progress). */
uint64_t mp_blocks_done(void);

/* Time the retention dwell has cost so far, in ms: per launch the longest
 * any CPU waited (they wait side by side), the running launch included. */
uint64_t mp_dwell_ms(void);

const struct mp_tally *mp_tally(void);

/* P: hold every CPU at its next block boundary (the BSP keeps draining until
 * they are there), and let them go again. */
void mp_pause(void);
void mp_resume(void);

unsigned mp_cpus_found(void);
unsigned mp_cpus_used(void);
const char *mp_note(void);   /* why fewer CPUs are used, or NULL */
const struct mp_cpu_stats *mp_stats(unsigned slot);
/* "cpu N: bytes B time T (processor P)" per CPU and the total, for report.txt. */
void mp_report_lines(struct sbuf *sb);

/* Ranges CPU `slot` gets in parallel tests (for the report and the chunk map). */
unsigned mp_chunk(const struct mem_range *ranges, unsigned nr, unsigned slot, struct mem_range *out,
                  unsigned cap);

/* Run test `t` over the ranges as configured: parallel tests split into
 * per-CPU chunks (or CPU by CPU in sequential mode); one-CPU tests on one
 * CPU, rotating from test to test. Returns the words in error. */
uint64_t mp_run(const struct mt_test *t, const struct mem_range *ranges, unsigned nr, uint32_t pass,
                unsigned iterations, int *aborted);

#endif
