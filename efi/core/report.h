// SPDX-License-Identifier: MIT
// report.txt: what was tested, what was left out and why, per-test timing,
// and the weak-cell table. Pure formatting over plain structs.
#ifndef EFI_CORE_REPORT_H
#define EFI_CORE_REPORT_H

#include "core/badram.h"
#include "core/cells.h"
#include "core/config.h"
#include "core/fmt.h"
#include "core/interleave.h"
#include "core/memplan.h"
#include "core/sched.h"

struct rep_test {
    unsigned num;
    unsigned runs;            /* passes in which it ran */
    uint64_t ms;              /* total time */
    uint64_t bytes;           /* bytes covered per run */
    uint64_t error_words;
    unsigned skipped_runs;    /* runs the user skipped (S) */
    uint64_t dwell_ms;        /* time spent waiting for the retention dwell */
    const char *skipped;      /* reason, or NULL */
};

struct report_in {
    const char *started;      /* firmware wall clock at start */
    const char *firmware;     /* vendor and revision */
    const char *serial_route;
    unsigned cpus_used, cpus_found;
    const char *cpu_note;     /* why fewer CPUs, or NULL */
    const char *cpu_lines;    /* "cpu N: bytes B time T" lines, or NULL */
    const char *session_lines; /* session id, history, new/re-seen cells, or NULL */
    const char *dimm_lines;   /* "memory modules ..." block (SMBIOS), or NULL */
    const struct mem_plan *plan;
    const struct wb_config *cfg;
    const char *config_problems;  /* one per line, or "" */
    const struct rep_test *tests;
    unsigned ntests;
    uint64_t total_ms;
    unsigned passes_done;
    int stopped_by_user;
    uint64_t error_words, error_rows, rows_unlogged;
    /* Where every failing word went: counted by the kernels, written as
     * rows, folded into summary records, or lost (must be 0). */
    uint64_t counted, written, summarised, summaries, lost;
    uint64_t swept;           /* bytes the tests really swept (at most the plan) */
    uint64_t late;            /* reports of fenced CPUs after their deadline, ignored */
    /* A full-coverage run handed over from before a reset: the distinct
     * cells its table held beyond those listed here (they lie in summary
     * ranges, which badram.txt covers), and the good bytes its carried bad
     * granules were widened by to fit the record. */
    int handed_over;
    uint64_t cells_beyond, gran_widened;
    const struct cell *cells;
    unsigned ncells;
    uint64_t cells_dropped;
    const char *files_note;   /* NULL when results were saved */
    const struct badram_set *badram;  /* NULL: not computed */
    const struct il_model *il;        /* NULL or empty: no interleave= given */
    const char *coverage;             /* "firmware" or "full", named in the result line; NULL: not named */
    const char *coverage_lines;       /* the mode's own lines (what full coverage left out, a fallback), or NULL */
    const char *ecc_lines;            /* "ECC/machine check: ..." and its events, or NULL */
    uint64_t ecc_events;              /* memory errors the machine-check banks reported (a FAIL) */
    const char *hammer_lines;         /* "row hammer ..." and its pairs, or NULL/"" */
    /* Row hammer words flipped only at the highest rate (test 11's phase 1):
     * when they are all the errors, the result is a WARNING, not a FAIL. */
    uint64_t hammer_fast_words;
};

void report_render(struct sbuf *sb, const struct report_in *in);

/* The run seed and the first `n` test-5 patterns it gives on pass 1, cpu 0,
 * as one line (seed= with this value replays them). */
void report_seed_line(struct sbuf *sb, uint64_t seed, unsigned n);

/* The few lines shown on screen and printed by `make demo`. */
void report_summary(struct sbuf *sb, const struct report_in *in);

/* One CPU's report line (and its fence line when it was fenced), the same
 * in both modes; `role` ("boot CPU", NULL) follows the id. */
void report_cpu_line(struct sbuf *sb, unsigned slot, const struct sched_cpu *c, uint64_t busy_ms,
                    const char *id_name, const char *role);

/* The total line and the tally's line about fenced CPUs, when there is one. */
void report_cpu_total(struct sbuf *sb, uint64_t bytes, uint64_t busy_ms, const struct sched_tally *y);

#endif
