// SPDX-License-Identifier: MIT
// One run of weakbit: its state and its rules. A session takes failing bits
// and turns them into errors.csv rows (up to a cap), cells (new, or re-seen
// from an earlier session on the same volume), per-test and per-CPU
// accounting, and in the end the text of report.txt and badram.txt.
//
// It never writes a file, reads a clock or touches hardware: times and
// temperatures come in as values, text goes out to the caller, which hands
// it to the firmware's file system today and to something else tomorrow.
#ifndef EFI_CORE_SESSION_H
#define EFI_CORE_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include "core/badram.h"
#include "core/cells.h"
#include "core/config.h"
#include "core/failbit.h"
#include "core/fmt.h"
#include "core/fold.h"
#include "core/mce.h"
#include "core/memplan.h"
#include "core/report.h"
#include "core/kernels/catalog.h"

/* errors.csv rows per session: a dead DIMM must not fill the stick. Failing
 * words past the cap are folded into summary records (core/fold.h): their
 * count and range are written, and the cell table covers the range. */
#define SESSION_MAX_ROWS 200000u

/* What a full-coverage run keeps for its hand-off record instead of writing
 * errors.csv: the rows (the session's row cap is lowered to this many) and
 * the summary records, as values. When the summaries fill up, a new one is
 * merged into the nearest kept one (a wider range: nothing dropped). */
#define SESSION_CARRY_ROWS 128
#define SESSION_CARRY_SUMS 96

struct session_carry {
    struct failbit rows[SESSION_CARRY_ROWS];
    unsigned nrows;
    struct failsum sums[SESSION_CARRY_SUMS];
    unsigned nsums;
    unsigned sums_merged;          /* summaries merged into a neighbour for room */
};

/* A run handed over from before a reset: its facts that the session's own
 * tables cannot hold (see core/handoff.h). */
struct session_handed {
    int on;
    uint64_t cells_total;          /* distinct cells the run's table held */
    uint64_t gran_widened;         /* good bytes the carried granules include */
    const struct mem_range *gran;  /* bad granules as merged ranges */
    unsigned ngran;
};

/* What earlier sessions left in errors.csv on this volume. */
struct session_history {
    unsigned sessions;     /* session lines seen */
    uint64_t rows;         /* error rows read */
    uint64_t summaries;    /* "# summary" records read (their ranges are in known) */
    uint64_t bad_lines;    /* malformed lines skipped (a torn last line among them) */
    int torn_repaired;     /* the file did not end in a newline: one was added */
};

/* Machine-check polling (ecc=): what the banks reported. Events with the
 * same CPU, bank, code, kind and address are one row with a count. */
#define SESSION_MCE_EVENTS 32

enum session_mce_state {
    SESSION_MCE_OFF = 0,          /* ecc=off */
    SESSION_MCE_POLL,             /* polled (banks may still be 0: no MCA) */
};

struct session_mce_event {
    uint32_t cpu, bank, count;
    uint64_t status, misc;        /* the first one's */
    uint64_t addr;                /* MCi_ADDR; with a usable address its valid bits only */
    uint64_t first_ms, last_ms;
    uint8_t why;                  /* enum mce_noaddr */
    uint8_t umc;                  /* AMD UMC bank */
};

struct session_mce {
    uint8_t state;                /* enum session_mce_state */
    unsigned banks, cpus;         /* banks polled per CPU (the most any CPU has), CPUs polling */
    int8_t cr4_mce;               /* CR4.MCE as the firmware left it: 1 set, 0 clear; 2 set by weakbit (full coverage); -1 not read */
    uint8_t ended_by_mc;          /* full coverage: an uncorrected error raised #MC and ended the run */
    uint64_t corrected, uncorrected;
    uint64_t masked;              /* events that became cells (a usable physical address) */
    uint64_t dropped;             /* events past SESSION_MCE_EVENTS distinct rows (still counted) */
    unsigned nev;
    struct session_mce_event ev[SESSION_MCE_EVENTS];
};

/* Row hammer (test 11): the aggressor pairs behind flipped words, and
 * which phase flipped them. Words flipped only in phase 1 (the highest
 * rate) make a warning; any flip in phase 2 (200K activations per 64 ms)
 * is an error. */
#define SESSION_HAMMER_PAIRS 32

struct session_hammer_pair {
    uint64_t victim;              /* the flipped word */
    uint64_t a, b;                /* aggressor lines */
    uint64_t bits;                /* bits that flipped */
    uint32_t fast, slow;          /* times flipped in phase 1 / phase 2 */
};

struct session_hammer {
    uint64_t fast_words, slow_words;   /* failing words of phase 1 / phase 2 */
    uint64_t dropped;             /* pairs past SESSION_HAMMER_PAIRS (words still counted) */
    unsigned npairs;
    int last;                     /* the pair the last note named, -1: none */
    struct session_hammer_pair pair[SESSION_HAMMER_PAIRS];
};

/* One cell that an error touched for the first time in this session. */
struct session_cell_news {
    struct failbit fb;
    int reseen;            /* 1: known from an earlier session; 0: new */
};

struct session {
    struct wb_config cfg;
    struct sbuf problems;          /* config problems, one per line */
    char problems_buf[2048];
    struct mem_plan plan;
    struct cell_table cells;       /* this session */
    struct cell_table known;       /* earlier sessions on this volume */
    struct session_history hist;
    char started[32], id[40];
    /* where the run is */
    uint32_t pass;
    const struct mt_test *test;
    uint64_t sweeps_total, test_bytes;
    int stop, user_stop, skip;
    unsigned passes_done, loops;
    uint64_t bytes_moved;          /* memory traffic of finished tests, for GB/s */
    /* cells */
    uint64_t new_cells, reseen_cells;
    struct failbit last_new;       /* valid when have_last_new */
    int have_last_new;
    /* errors */
    uint64_t error_words, error_rows, rows_unlogged;
    struct fold fold;              /* rows or summary records, and where every word went */
    struct rep_test rt[MT_MAX_TEST + 1];
    unsigned nrt;
    struct session_mce mce;        /* machine-check (ECC) reports */
    struct session_hammer hammer;  /* row hammer findings */
    struct session_carry *carry;   /* full coverage: rows and summaries kept as values */
    struct session_handed handed;  /* the next boot: what the record adds */
};

/* Defaults for everything; the cell tables live in the caller's memory
 * (powers of two). */
void session_init(struct session *s, struct cell *cell_mem, unsigned cell_cap,
                  struct cell *known_mem, unsigned known_cap);

/* Keep rows and summary records in `c` (full coverage) instead of handing
 * out their text; lowers the row cap to what `c` holds. */
void session_carry(struct session *s, struct session_carry *c);

/* Record a configuration problem for the report. */
void session_config_problem(struct session *s, const char *msg);

/* After the config is read: the rules that depend on it (stress mode runs
 * test 5 unless tests= was given). */
void session_config_done(struct session *s);

/* Name the session from the firmware clock ("YYYY-MM-DD HH:MM:SS" or
 * "unknown") and 16 bits of entropy. */
void session_start(struct session *s, const char *started, unsigned entropy);

/* What opens this session's rows in errors.csv: the header row first when
 * the file is new, then the session line. Returns the length. */
size_t session_csv_start(const struct session *s, int new_file, char *buf, size_t cap);

/* focus=cells: replace cfg.ranges with the memory around the known cells.
 * `scratch` holds cap cells. Returns the number of known cells used. */
unsigned session_focus(struct session *s, struct cell *scratch, unsigned cap);

/* A test starts: counts, and how many iterations it runs in this pass. */
unsigned session_test_begin(struct session *s, const struct mt_test *t);

/* A test that cannot run in this build: the report says so. Returns 1 the
 * first time (worth a line on screen), 0 after. */
int session_test_unavailable(struct session *s, const struct mt_test *t);

/* A test ended after `ms` with `errors` words in error; `moved` bytes of
 * traffic; aborted by S, Esc or the stress clock. */
void session_test_end(struct session *s, const struct mt_test *t, uint64_t errors, uint64_t ms,
                      uint64_t moved, int aborted);

/* Test `num`'s last run swept `bytes` (less than planned when it was
 * stopped or skipped before its first complete sweep). */
void session_test_swept(struct session *s, unsigned num, uint64_t bytes);

/* Test `num` waited `ms` for the retention dwell (report: its dwell time). */
void session_test_dwell(struct session *s, unsigned num, uint64_t ms);

/* May another pass (or stress loop) start? */
int session_more_passes(const struct session *s);

/* A pass (loop) ended. */
void session_pass_end(struct session *s);

/* One wrong word, seen by `cpu` at `time_ms` (since the start) with the
 * temperature `temp_c` (FAILBIT_NO_TEMP: none). Its errors.csv rows are
 * appended to `csv` (may be NULL; with a carry they are kept there too).
 * With FOLD_SHED in `flags`, past the row cap, or with the cell table half
 * full, the word is folded into a summary record instead (see
 * session_take_summaries). Either way, while the cell table is under half
 * full, each failing bit counts on its cell, so a cell's count and tests do
 * not depend on how its words were written down. Cells touched for the first
 * time this session go to news[] (room for 64); returns the news count. */
unsigned session_take_error(struct session *s, unsigned cpu, uint64_t addr, uint64_t expected,
                            uint64_t actual, uint64_t time_ms, unsigned flags, int temp_c,
                            struct sbuf *csv, struct session_cell_news *news);

/* A machine-check bank's report, seen by `cpu` (decoded by mce_decode;
 * not a memory error: ignored, 0). Counted as corrected or uncorrected
 * and kept as an event row. With a usable physical address it is also a
 * cell like any other (bit unknown, FAILBIT_ECC): its errors.csv row (source
 * `ecc`) goes to `csv`, the carry keeps it, and a new cell goes to *news
 * (returns 1). Without one, a "# ecc ..." comment line says why it is not
 * masked. Returns the news count (0 or 1); *ev (may be NULL) gets the
 * decoded event, all zero when it was none. */
unsigned session_take_mce(struct session *s, unsigned cpu, unsigned bank, uint64_t status, uint64_t addr,
                          uint64_t misc, int amd_umc, uint64_t time_ms, int temp_c, struct sbuf *csv,
                          struct session_cell_news *news, struct mce_event *ev);

/* The row hammer kernel's note: the words it reports next flipped while
 * a and b were hammered (flags: FAILBIT_HAMMER_SLOW for phase 2). */
void session_hammer_note(struct session *s, uint64_t victim, uint64_t a, uint64_t b, unsigned flags);

/* "row hammer ..." and a line per flipped word with its aggressors and
 * verdict, for the report; nothing when test 11 found nothing. */
void session_hammer_lines(const struct session *s, struct sbuf *sb);

/* "ECC/machine check: ..." and a line per event, for the report. */
void session_mce_lines(const struct session *s, struct sbuf *sb);

/* The caller could not store rows it was given (file full or gone). */
void session_rows_lost(struct session *s, uint64_t rows);

/* Close the open summary records: their "# summary" lines are appended to
 * `csv` (may be NULL; room for FOLD_CLOSED lines of 200 bytes), a carry keeps
 * them, and their ranges enter the cell table (cover cells, added where no
 * cell is yet); each cover cell new to the table also goes to new_cell (may
 * be NULL). Returns the records; *words gets the words they hold. */
unsigned session_take_summaries(struct session *s, struct sbuf *csv, uint64_t *words,
                                void (*new_cell)(void *ctx, const struct failbit *fb), void *ctx);

/* A write of `csv` failed: `row_words` words in `rows` rows and `nsum`
 * records holding `sum_words` words were not stored. */
void session_write_failed(struct session *s, uint64_t row_words, uint64_t rows, unsigned nsum,
                          uint64_t sum_words);

/* The session.log line for a cell event (no timestamp, no newline). */
void session_news_line(const struct session *s, const struct session_cell_news *n, char *buf,
                       size_t cap);

/* Lines for report.txt and the screen: session id, history, new and re-seen
 * cells. Call before session_badram (it looks cells up by hash). */
void session_lines(const struct session *s, const char *temp_source, struct sbuf *sb);

/* Platform facts the report needs; the session fills in the rest. */
struct session_platform {
    const char *firmware, *serial_route, *temp_source;
    const char *tsc_note;          /* TSC invariant or not, or NULL */
    uint64_t counted;              /* failing words the kernels counted (accepted runs) */
    uint64_t late;                 /* reports of fenced CPUs after their deadline, ignored */
    unsigned cpus_used, cpus_found;
    const char *cpu_note, *cpu_lines, *dimm_lines;
    uint64_t total_ms;
    const char *files_note;        /* NULL when results were saved */
    const char *coverage;          /* "firmware" or "full" */
    const char *coverage_lines;    /* see report_in; may be NULL */
};

/* Buffers for the end of a run: the sorted cells and the badram cover. */
struct session_out {
    struct cell *sorted;           /* cap_cells */
    unsigned cap_cells;
    uint64_t *gran;                /* cap_gran */
    struct cover_pair *pairs;      /* cap_gran */
    unsigned cap_gran;
    struct badram_set set;
    /* Every cell this volume has seen (history and this session), for the
     * badram line to paste: a power-of-two table and its own cover. */
    struct cell *all_mem;          /* cap_all; NULL: this session only */
    struct cell *all_sorted;       /* cap_all */
    unsigned cap_all;
    uint64_t *all_gran;            /* cap_gran */
    struct cover_pair *all_pairs;  /* cap_gran */
    struct badram_set all;
    unsigned sessions;             /* sessions on this volume, this one included */
    struct il_model il;
    struct report_in in;
    char lines[16384];             /* session_lines, for the report */
    char ecc[4096];                /* session_mce_lines */
    char hammer[6144];             /* session_hammer_lines */
};

/* Build the cell list and the badram cover, and the report input. Call
 * once, after the last test. */
void session_finish(struct session *s, const struct session_platform *pf, struct session_out *o);

/* badram.txt, report.txt and the on-screen summary, from session_finish. */
void session_badram_text(const struct session_out *o, struct sbuf *sb);
void session_report_text(const struct session_out *o, struct sbuf *sb);
void session_summary_text(const struct session_out *o, struct sbuf *sb);

#endif
