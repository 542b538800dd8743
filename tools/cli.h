// SPDX-License-Identifier: MIT
// Shared pieces of the host CLI's subcommands.
#ifndef TOOLS_CLI_H
#define TOOLS_CLI_H

#include "core/badram.h"
#include "core/cells.h"

#define CLI_MAX_CELLS (1u << 20)
#define CLI_MAX_GRAN (1u << 16)

/* One-line reason on stderr ("weakbit: ..."); returns exit status 2. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

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

#endif
