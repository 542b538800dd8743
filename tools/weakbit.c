// SPDX-License-Identifier: MIT
// Host CLI: the same cell table, minimiser and badram rendering as the UEFI
// app, run over errors.csv files gathered from one or many sessions. This
// file is the dispatcher and the usage; each subcommand has its own file.
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: weakbit badram [--granule SIZE] [--max-pairs N] [--ram-top ADDR] [--interleave SPEC]\n"
            "                      [--format grub|grubcfg|memmap|windows] CSV...\n"
            "       weakbit cells [--interleave SPEC] CSV...\n"
            "       weakbit apply [--grub-default PATH] [--dry-run] [--granule SIZE] [--max-pairs N]\n"
            "                     CSV...|--line LINE\n"
            "       weakbit timeline [--interleave SPEC] CSV... -o FILE.svg\n"
            "       weakbit map [--interleave SPEC] [--granule SIZE] CSV... -o FILE.svg\n"
            "Reads errors.csv files written by weakbit.efi (\\weakbit\\errors.csv on the stick).\n"
            "  --granule SIZE   aligned block masked around each bad cell (default 1M; power of two >= 4K)\n"
            "  --max-pairs N    most (addr, mask) pairs in the GRUB line (default 20)\n"
            "  --ram-top ADDR   count masked good memory below this address (default: from the cells)\n"
            "  --interleave SPEC  which address bits pick channel/DIMM, as XOR masks:\n"
            "                   ch:0x40,dimm:0x20000 (repeat a name for more bits of that field)\n"
            "  apply            merge into GRUB_BADRAM in /etc/default/grub: backup, atomic, idempotent\n"
            "  timeline         SVG of distinct weak cells over time, with temperature and sessions\n"
            "  map              SVG of the cells over the physical address space, a lane per module\n"
            "  -o FILE.svg      where timeline/map write the picture (replaced atomically; - for stdout)\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = { { "badram", cmd_badram }, { "cells", cmd_cells }, { "apply", cmd_apply },
                   { "timeline", cmd_timeline }, { "map", cmd_map } };
    for (unsigned i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        if (strcmp(cmd, cmds[i].name))
            continue;
        if (cli_opt_wants_help(argc - 2, argv + 2)) {
            usage(stdout);
            return 0;
        }
        return cmds[i].fn(argc - 2, argv + 2);
    }
    usage(stderr);
    return cli_fail("unknown subcommand '%s'", cmd);
}
