// SPDX-License-Identifier: MIT
// Load shedding without loss: which failing words become errors.csv rows
// and which are folded into summary records (struct failsum), and the
// accounting that shows every word the kernels counted went somewhere.
// A badly failing module is when a user needs every record, and also when
// one row per bit would stall the testers and fill the stick.
#ifndef EFI_CORE_FOLD_H
#define EFI_CORE_FOLD_H

#include <stddef.h>
#include <stdint.h>
#include "core/failbit.h"

/* A folded word joins its CPU's open summary when it lies this close to the
 * summary's range (same pass and test); farther away a new one opens, so a
 * summary never spans much good memory between two faults. */
#define FOLD_GAP (64u << 10)

/* Flag beside FAILBIT_* on a failing word: it came from a CPU's error ring
 * that was full (the CPU had to wait), so fold it. */
#define FOLD_SHED 0x100u
#define FOLD_CPUS 64      /* open summaries: one per CPU slot */
#define FOLD_CLOSED 256   /* closed summaries waiting to be written */

struct fold_acct {
    uint64_t words;        /* failing words offered */
    uint64_t row_words;    /* ... written as rows */
    uint64_t rows;         /* rows (one per failing bit) */
    uint64_t summarised;   /* ... folded into summary records */
    uint64_t summaries;    /* summary records */
    uint64_t unwritten;    /* ... whose write to errors.csv failed */
};

struct fold {
    uint64_t row_cap;      /* rows per session; past it every word folds */
    struct failsum open[FOLD_CPUS];
    uint8_t is_open[FOLD_CPUS];
    struct failsum closed[FOLD_CLOSED];
    unsigned nclosed;
    struct fold_acct acct;
};

void fold_init(struct fold *f, uint64_t row_cap);

/* One failing word from `cpu`. Returns 1: write it as rows (the caller
 * writes failbit_split's records and counts them with fold_rows_written);
 * 0: folded (`shed` asked for it, or the row cap is reached). Folding may
 * close the CPU's open summary into the closed list; call fold_take_closed
 * when fold_pending() says it is filling up, and always before writing. */
int fold_word(struct fold *f, unsigned cpu, uint32_t pass, uint32_t test, uint64_t ms,
              uint64_t addr, uint64_t expected, uint64_t actual, unsigned flags, int shed);

/* The caller wrote `rows` rows for a word fold_word() gave it (ok = 0: the
 * write failed and the word counts as unwritten). */
void fold_rows_written(struct fold *f, unsigned rows, int ok);

/* A write of rows fold_rows_written() had counted failed: `words` words in
 * `rows` rows move to unwritten. */
void fold_rows_lost(struct fold *f, uint64_t words, uint64_t rows);

/* Closed summaries are waiting and the list is more than half full. */
int fold_pending(const struct fold *f);

/* Close every open summary (end of a drain: a summary never waits long
 * unwritten) and hand out the closed list: returns the count, records in
 * *out (valid until the next fold call). */
unsigned fold_take_closed(struct fold *f, const struct failsum **out);

/* The caller could not write `n` taken summaries holding `words` words. */
void fold_summaries_lost(struct fold *f, unsigned n, uint64_t words);

/* Words neither written nor summarised: counted - row_words - summarised. */
uint64_t fold_lost(const struct fold_acct *a, uint64_t counted);

/* Representative failing bits for a summary, so the cell table (and with it
 * badram.txt) covers its whole range: one record at lo, one every `step`
 * bytes and one at hi. Call with *cursor = 0; returns 0 when done. The step
 * is 4 KiB (the finest granule) and doubles for huge ranges, keeping the
 * count near 4096. */
int fold_cover_next(const struct failsum *s, uint64_t *cursor, struct failbit *row);


#endif
