// SPDX-License-Identifier: MIT
// Shared pieces of the host CLI's subcommands.
#ifndef TOOLS_CLI_H
#define TOOLS_CLI_H

#include "core/badram.h"
#include "core/cells.h"
#include "core/errcsv.h"

#define CLI_MAX_CELLS (1u << 20)
#define CLI_MAX_GRAN (1u << 16)

/* One-line reason on stderr ("weakbit: ..."); returns exit status 2. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One row or session line of an errors.csv file, as cli_read_csv hands it
 * to its callback. */
struct cli_csv_line {
    const char *file;
    int file_index;                     /* position in the files given */
    unsigned lineno;
    enum errcsv_kind kind;              /* ERRCSV_ROW or ERRCSV_SESSION */
    const struct failbit *row;          /* ERRCSV_ROW only */
    const struct err_session *session;  /* ERRCSV_SESSION only */
};

/* Returns 0 to go on, or an exit status (reason printed) that stops the read. */
typedef int (*cli_csv_fn)(void *ctx, const struct cli_csv_line *l);

/* Read errors.csv files in order, calling fn for every row and session line
 * (torn last lines skipped with a warning; anything else malformed is an
 * error). Returns 0, 2, or the callback's status. */
int cli_read_csv(char **files, int n, cli_csv_fn fn, void *ctx);

/* Read errors.csv files into the table (torn last lines skipped with a
 * warning; anything else malformed is an error). Returns 0 or 2. */
int cli_load_csv(struct cell_table *t, char **files, int n);

/* Options shared by badram and apply. */
struct cli_badram_opts {
    uint64_t granule;
    unsigned max_pairs;
    uint64_t ram_top;       /* 0: derive from the cells */
    const char *interleave;
};

/* Try to consume argv[*i] (and its value) as a shared option. Returns 1 if
 * consumed, 0 if not one of them, 2 on a bad value (reason printed). */
int cli_badram_opt(struct cli_badram_opts *o, int argc, char **argv, int *i);

int cmd_apply(int argc, char **argv);
int cmd_timeline(int argc, char **argv);
int cmd_map(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_offline(int argc, char **argv);
int cmd_import(int argc, char **argv);

#endif
