// SPDX-License-Identifier: MIT
// errors.csv files into the CLI: every subcommand reads them through here,
// and here through the app's own reader (core/errcsv.h).
#ifndef TOOLS_CLI_CSV_H
#define TOOLS_CLI_CSV_H

#include "core/cells.h"
#include "core/errcsv.h"

#define CLI_MAX_CELLS (1u << 20)

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

/* The cells of errors.csv files: a table of CLI_MAX_CELLS slots and a
 * sorted copy, both on the heap. */
struct cli_cells {
    struct cell_table t;
    struct cell *sorted;    /* addr/bit order */
    unsigned n;
};

/* Load files into c (cli_load_csv, then cells_sorted_copy). Returns 0 or 2;
 * call cli_cells_free either way. */
int cli_cells_load(struct cli_cells *c, char **files, int n);

/* Free what cli_cells_load allocated. */
void cli_cells_free(struct cli_cells *c);

#endif
