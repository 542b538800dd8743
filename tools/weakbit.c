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
            "       weakbit verify [--iomem FILE] [--cmdline FILE] [--lockdown FILE] CSV|badram.txt...\n"
            "       weakbit offline [--dry-run] [--at-boot] [--hard] [--root DIR] [--sysfs DIR]\n"
            "                       [--meminfo FILE] [--bin PATH] CSV...|--state\n"
            "       weakbit import memtest86plus|linux-memtest|addresses FILE... [-o OUT.csv]\n"
            "       weakbit results [--efivars DIR] [-o DIR] [--keep]\n"
            "Reads errors.csv files written by weakbit.efi (\\weakbit\\errors.csv on the stick).\n"
            "  --granule SIZE   aligned block masked around each bad cell (default 1M; power of two >= 4K)\n"
            "  --max-pairs N    most (addr, mask) pairs in the GRUB line (default 20)\n"
            "  --ram-top ADDR   count masked good memory below this address (default: from the cells)\n"
            "  --interleave SPEC  which address bits pick channel/DIMM, as XOR masks:\n"
            "                   ch:0x40,dimm:0x20000 (repeat a name for more bits of that field)\n"
            "  apply            merge into GRUB_BADRAM in /etc/default/grub: backup, atomic, idempotent\n"
            "  timeline         SVG of distinct weak cells over time, with temperature and sessions\n"
            "  map              SVG of the cells over the physical address space, a lane per module\n"
            "  -o FILE.svg      where timeline/map write the picture (replaced atomically; - for stdout)\n"
            "  verify           is every bad cell out of Linux's hands in this boot? From /proc/iomem (root\n"
            "                   only) and /proc/cmdline: protected in \"Unusable memory\" (GRUB badram),\n"
            "                   \"Reserved\" (memmap=SIZE$ADDR) or no RAM; NOT protected in System RAM, with\n"
            "                   the likely reason (no badram in grub.cfg, memmap= missing, Secure Boot\n"
            "                   lockdown from /sys/kernel/security/lockdown). A badram.txt is checked block\n"
            "                   by block: its memmap= granules (else its GRUB pairs) must hold no System\n"
            "                   RAM. Exit 0 only if all is protected, 1 if not, 2 on bad input\n"
            "  offline          retire the 4 KiB page of every cell now through the kernel's\n"
            "                   soft_offline_page (data migrated; root, CONFIG_MEMORY_FAILURE); prints\n"
            "                   HardwareCorrupted from /proc/meminfo before and after. Refused pages are\n"
            "                   reported, not retried. Exit 0 if every page is offline, 1 if not\n"
            "    --at-boot      also record the pages in /var/lib/weakbit/offline-pages and install and\n"
            "                   enable weakbit-offline.service, which offlines them at every boot (for\n"
            "                   Secure Boot, where GRUB refuses badram); make uninstall removes both\n"
            "    --hard         hard_offline_page instead: processes using a page are killed\n"
            "    --state        the pages recorded by --at-boot instead of CSV files\n"
            "    --root DIR     prefix for the unit and state paths; --sysfs DIR, --meminfo FILE: where\n"
            "                   the kernel files are; --bin PATH: the weakbit the unit runs\n"
            "  import           bad places other testers found, as errors.csv rows: Memtest86+'s badram=,\n"
            "                   memmap= and bad-page lists (memtest86plus), dmesg of a memtest=N boot\n"
            "                   (linux-memtest), one address per line (addresses). No bits are known:\n"
            "                   one row (bit 0, test 31) per 4 KiB page, so every granule is masked;\n"
            "                   at most 256 MiB. Header first; -o writes the file atomically\n"
            "  results          the files of a full-coverage run whose next boot was not weakbit's (GRUB,\n"
            "                   Linux): reads its record from the UEFI variables (--efivars, default\n"
            "                   /sys/firmware/efi/efivars; root), writes errors.csv (appended), report.txt\n"
            "                   and badram.txt into -o DIR (default .), then deletes the variables\n"
            "                   (--keep: leave them). Exit 1 when there is no record\n");
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
                   { "timeline", cmd_timeline }, { "map", cmd_map }, { "verify", cmd_verify },
                   { "offline", cmd_offline }, { "import", cmd_import }, { "results", cmd_results } };
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
