// SPDX-License-Identifier: MIT
// `weakbit badram`: the app's badram.txt, from errors.csv files of one or
// many sessions, with the same cell table, minimiser and rendering.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_badram(int argc, char **argv)
{
    struct cli_badram_opts o = cli_badram_defaults();
    const char *format = NULL;
    const struct cli_opt opts[] = {
        CLI_BADRAM_OPTS(&o),
        { "--format", NULL, CLI_OPT_STRING, &format },
        CLI_OPT_END,
    };
    int nfiles;
    if (cli_opt_parse(opts, argc, argv, &nfiles))
        return 2;
    static const char *const names[] = { "grub", "grubcfg", "memmap", "windows" };
    static const enum badram_form forms[] = { BADRAM_GRUB, BADRAM_GRUBCFG, BADRAM_MEMMAP, BADRAM_WINDOWS };
    int form = BADRAM_ALL;
    if (format) {
        for (int k = 0; k < 4; k++)
            if (!strcmp(format, names[k]))
                form = (int)forms[k];
        if (form == BADRAM_ALL)
            return cli_fail("unknown format '%s': grub, grubcfg, memmap or windows", format);
    }
    if (!nfiles)
        return cli_fail("no CSV file given");

    struct cli_cells c = { 0 };
    uint64_t *gran = calloc(CLI_MAX_GRAN, sizeof *gran);
    struct cover_pair *pairs = calloc(CLI_MAX_GRAN, sizeof *pairs);
    size_t cap = 64u << 20;
    char *out = malloc(cap);
    int rc = gran && pairs && out ? cli_cells_load(&c, argv, nfiles) : cli_fail("out of memory");
    if (!rc) {
        struct badram_req req = { o.granule, o.max_pairs, o.ram_top ? cover_limit(o.ram_top) : 0,
                                  o.interleave, gran, pairs, CLI_MAX_GRAN, NULL, 0 };
        struct badram_set set;
        struct sbuf sb;
        sbuf_init(&sb, out, cap);
        if (badram_from_cells(&set, c.sorted, c.n, &req, &sb, form))
            rc = cli_fail("too many bad granules to render");
        else
            fputs(out, stdout);
    }
    cli_cells_free(&c);
    free(out);
    free(pairs);
    free(gran);
    return rc;
}
