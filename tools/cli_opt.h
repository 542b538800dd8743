// SPDX-License-Identifier: MIT
// The CLI's options: one table-driven parser for every subcommand, the
// checks of shared values (granule, pair budget, addresses, interleave
// models), and the one-line reason bad input gets.
#ifndef TOOLS_CLI_OPT_H
#define TOOLS_CLI_OPT_H

#include <stdint.h>

/* One-line reason on stderr ("weakbit: ..."); returns exit status 2. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

enum cli_opt_type {
    CLI_OPT_FLAG,        /* int *: set to 1; takes no value */
    CLI_OPT_STRING,      /* const char **: the value as given */
    CLI_OPT_GRANULE,     /* uint64_t *: a power of two from 4K to 1T */
    CLI_OPT_MAX_PAIRS,   /* unsigned *: 1 to 4096 */
    CLI_OPT_ADDR,        /* uint64_t *: a non-zero address like 0x800000000 or 32G */
    CLI_OPT_INTERLEAVE,  /* const char **: an interleave model il_parse accepts */
    CLI_OPT_ONCE,        /* const char **: like STRING, but refused when given twice */
};

/* One row of a subcommand's option table; a row with name NULL ends it. */
struct cli_opt {
    const char *name;    /* "--granule" */
    const char *alias;   /* another spelling ("-o"), or NULL */
    enum cli_opt_type type;
    void *dst;
};
#define CLI_OPT_END { NULL, NULL, CLI_OPT_FLAG, NULL }

/* Parse argv: options anywhere until "--", everything else ("-" too) a
 * file, moved to the front of argv in order, *nfiles of them. Returns 0,
 * or 2 with a one-line reason printed (unknown option, missing or bad
 * value). --help is the dispatcher's (cli_opt_wants_help). */
int cli_opt_parse(const struct cli_opt *opts, int argc, char **argv, int *nfiles);

/* Consume argv[*i] (and its value) if it is one of opts. Returns 1 if
 * consumed, 0 if not one of them, 2 on a bad value (reason printed). */
int cli_opt_one(const struct cli_opt *opts, int argc, char **argv, int *i);

/* Is --help or -h among the arguments? */
int cli_opt_wants_help(int argc, char **argv);

/* Options shared by badram and apply. */
struct cli_badram_opts {
    uint64_t granule;
    unsigned max_pairs;
    uint64_t ram_top;       /* 0: derive from the cells */
    const char *interleave;
};

/* granule= and max_pairs= at their weakbit.cfg defaults (the config key
 * table), all RAM, no interleave model. */
struct cli_badram_opts cli_badram_defaults(void);

/* The rows for struct cli_badram_opts *o, to put in a subcommand's table. */
#define CLI_BADRAM_OPTS(o)                                          \
    { "--granule", NULL, CLI_OPT_GRANULE, &(o)->granule },          \
    { "--max-pairs", NULL, CLI_OPT_MAX_PAIRS, &(o)->max_pairs },    \
    { "--ram-top", NULL, CLI_OPT_ADDR, &(o)->ram_top },             \
    { "--interleave", NULL, CLI_OPT_INTERLEAVE, &(o)->interleave }

/* Try to consume argv[*i] (and its value) as a shared option. Returns 1 if
 * consumed, 0 if not one of them, 2 on a bad value (reason printed). */
int cli_badram_opt(struct cli_badram_opts *o, int argc, char **argv, int *i);

#endif
