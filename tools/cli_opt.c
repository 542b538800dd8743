// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli_opt.h"
#include "core/config.h"
#include "core/interleave.h"

int cli_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("weakbit: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 2;
}

/* Check v for the option's type and store it. Returns 0 or 2 (reason printed). */
static int set_value(const struct cli_opt *o, const char *v)
{
    uint64_t u;
    struct il_model il;
    switch (o->type) {
    case CLI_OPT_FLAG:
        *(int *)o->dst = 1;
        return 0;
    case CLI_OPT_ONCE:
        if (*(const char **)o->dst)
            return cli_fail("%s given twice", o->name);
        *(const char **)o->dst = v;
        return 0;
    case CLI_OPT_STRING:
        *(const char **)o->dst = v;
        return 0;
    case CLI_OPT_GRANULE:
        if (config_parse_granule(v, strlen(v), o->dst))
            return cli_fail("bad granule '%s': a power of two from 4K to 1T, like 1M", v);
        return 0;
    case CLI_OPT_MAX_PAIRS:
        if (config_parse_size(v, strlen(v), &u) || u < 1 || u > 4096)
            return cli_fail("bad %s '%s': 1 to 4096", o->name, v);
        *(unsigned *)o->dst = (unsigned)u;
        return 0;
    case CLI_OPT_ADDR:
        if (config_parse_size(v, strlen(v), &u) || u == 0 || u > (1ull << 63))
            return cli_fail("bad %s '%s': an address like 0x800000000 or 32G", o->name, v);
        *(uint64_t *)o->dst = u;
        return 0;
    case CLI_OPT_INTERLEAVE:
        if (il_parse(&il, v, strlen(v)))
            return cli_fail("bad %s '%s': name:0xMASK pairs like ch:0x40,dimm:0x20000", o->name, v);
        *(const char **)o->dst = v;
        return 0;
    }
    return cli_fail("option %s: no parser", o->name);
}

int cli_opt_one(const struct cli_opt *opts, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    const struct cli_opt *o = opts;
    while (o->name && strcmp(a, o->name) && !(o->alias && !strcmp(a, o->alias)))
        o++;
    if (!o->name)
        return 0;
    if (o->type == CLI_OPT_FLAG)
        return set_value(o, NULL) ? 2 : 1;
    if (*i + 1 >= argc)
        return cli_fail("option %s needs a value", a);
    return set_value(o, argv[++*i]) ? 2 : 1;
}

int cli_opt_parse(const struct cli_opt *opts, int argc, char **argv, int *nfiles)
{
    int opts_on = 1;
    *nfiles = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!opts_on || a[0] != '-' || !a[1]) {
            argv[(*nfiles)++] = argv[i];   /* never ahead of i: in place is safe */
            continue;
        }
        if (!strcmp(a, "--")) {
            opts_on = 0;
            continue;
        }
        int r = cli_opt_one(opts, argc, argv, &i);
        if (r == 2)
            return 2;
        if (!r)
            return cli_fail("unknown option %s (see weakbit --help)", a);
    }
    return 0;
}

int cli_opt_wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return 1;
    return 0;
}

struct cli_badram_opts cli_badram_defaults(void)
{
    struct wb_config cfg;
    config_defaults(&cfg);
    return (struct cli_badram_opts){ cfg.granule, cfg.max_pairs, 0, "" };
}

int cli_badram_opt(struct cli_badram_opts *o, int argc, char **argv, int *i)
{
    const struct cli_opt opts[] = { CLI_BADRAM_OPTS(o), CLI_OPT_END };
    return cli_opt_one(opts, argc, argv, i);
}
