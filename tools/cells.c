// SPDX-License-Identifier: MIT
// `weakbit cells`: the table of weak cells in errors.csv files, with their
// counts, and with an interleave model the module each one is on.
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/interleave.h"

int cmd_cells(int argc, char **argv)
{
    const char *spec = NULL;
    const struct cli_opt opts[] = {
        { "--interleave", NULL, CLI_OPT_INTERLEAVE, &spec },
        CLI_OPT_END,
    };
    int nfiles;
    if (cli_opt_parse(opts, argc, argv, &nfiles))
        return 2;
    struct il_model il = { 0 };
    if (spec)
        il_parse(&il, spec, strlen(spec));   /* checked by the parser */
    if (!nfiles)
        return cli_fail("no CSV file given");
    struct cli_cells c;
    int rc = cli_cells_load(&c, argv, nfiles);
    if (!rc) {
        unsigned n = c.n;
        printf("phys_addr           bit  count  first_s     last_s      tests%s\n", il.nf ? "      module" : "");
        for (unsigned k = 0; k < n; k++) {
            const struct cell *cl = &c.sorted[k];
            char tests[64] = "";
            for (unsigned b = 0; b < 32; b++)
                if (cl->tests >> b & 1 && b != CELLS_ECC_TEST)
                    snprintf(tests + strlen(tests), sizeof tests - strlen(tests), "%s%u",
                             tests[0] ? "," : "", b);
            /* Rows with source ecc: a machine-check bank named the word, not the bit. */
            if (cl->tests >> CELLS_ECC_TEST & 1)
                snprintf(tests + strlen(tests), sizeof tests - strlen(tests), "%secc", tests[0] ? "," : "");
            char mod[48] = "", bit[8];
            if (il.nf)
                il_label(&il, cl->addr, mod, sizeof mod);
            if (cl->tests == 1u << CELLS_ECC_TEST)
                snprintf(bit, sizeof bit, "?");
            else
                snprintf(bit, sizeof bit, "%u", cl->bit);
            printf("0x%016llx  %3s  %5u  %10.3f  %10.3f  %-10s %s\n", (unsigned long long)cl->addr,
                   bit, cl->count, cl->first_ms / 1000.0, cl->last_ms / 1000.0, tests, mod);
        }
        printf("%u cell%s\n", n, n == 1 ? "" : "s");
        if (il.nf && n) {
            static char buf[8192];
            struct sbuf sb;
            sbuf_init(&sb, buf, sizeof buf);
            il_summary(&sb, &il, c.sorted, n);
            fputs(buf, stdout);
        }
    }
    cli_cells_free(&c);
    return rc;
}
