// SPDX-License-Identifier: MIT
// Host CLI: the same cell table, minimiser and badram rendering as the UEFI
// app, run over errors.csv files gathered from one or many sessions.
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/config.h"
#include "core/errcsv.h"
#include "core/fold.h"
#include "core/fmt.h"
#include "core/interleave.h"

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
            "                   at most 256 MiB. Header first; -o writes the file atomically\n");
}

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

int cli_read_csv(char **files, int n, cli_csv_fn fn, void *ctx)
{
    for (int i = 0; i < n; i++) {
        FILE *f = fopen(files[i], "rb");
        if (!f)
            return cli_fail("cannot read %s: %s", files[i], strerror(errno));
        char line[512];
        unsigned lineno = 0;
        int rc = 0;
        while (!rc && fgets(line, sizeof line, f)) {
            lineno++;
            size_t len = strlen(line);
            int complete = len && line[len - 1] == '\n';
            if (!complete && len == sizeof line - 1) {
                rc = cli_fail("%s:%u: line too long", files[i], lineno);
                break;
            }
            if (complete)
                len--;
            struct failbit row;
            struct err_session ses;
            enum errcsv_kind k = errcsv_parse_session(line, len, &row, &ses);
            struct failsum sum;
            if (k == ERRCSV_SKIP && !errcsv_parse_summary(line, len, &sum)) {
                /* A summary record: its range reaches every command as cells. */
                uint64_t cur = 0;
                while (!rc && fold_cover_next(&sum, &cur, &row)) {
                    struct cli_csv_line l = { files[i], i, lineno, ERRCSV_ROW, &row, NULL };
                    rc = fn(ctx, &l);
                }
                continue;
            }
            if (k == ERRCSV_SKIP)
                continue;
            if (k == ERRCSV_BAD) {
                /* A power cut can tear the last line; anything else is damage. */
                if (!complete && feof(f)) {
                    fprintf(stderr, "weakbit: warning: %s:%u: torn last line skipped\n", files[i], lineno);
                    continue;
                }
                rc = cli_fail("%s:%u: not an errors.csv row", files[i], lineno);
                break;
            }
            struct cli_csv_line l = { files[i], i, lineno, k, k == ERRCSV_ROW ? &row : NULL,
                                      k == ERRCSV_SESSION ? &ses : NULL };
            rc = fn(ctx, &l);
        }
        fclose(f);
        if (rc)
            return rc;
    }
    return 0;
}

static int add_cell(void *ctx, const struct cli_csv_line *l)
{
    if (l->kind == ERRCSV_ROW && cells_add(ctx, l->row) < 0)
        return cli_fail("more than %u distinct cells", CLI_MAX_CELLS * 3 / 4);
    return 0;
}

int cli_load_csv(struct cell_table *t, char **files, int n)
{
    return cli_read_csv(files, n, add_cell, t);
}

int cli_badram_opt(struct cli_badram_opts *o, int argc, char **argv, int *i)
{
    const char *opt = argv[*i];
    if (strcmp(opt, "--granule") && strcmp(opt, "--max-pairs") && strcmp(opt, "--ram-top") &&
        strcmp(opt, "--interleave"))
        return 0;
    if (*i + 1 >= argc) {
        cli_fail("option %s needs a value", opt);
        return 2;
    }
    const char *v = argv[++*i];
    uint64_t u;
    if (!strcmp(opt, "--granule")) {
        if (config_parse_granule(v, strlen(v), &o->granule)) {
            cli_fail("bad granule '%s': a power of two from 4K to 1T, like 1M", v);
            return 2;
        }
    } else if (!strcmp(opt, "--max-pairs")) {
        if (config_parse_size(v, strlen(v), &u) || u < 1 || u > 4096) {
            cli_fail("bad --max-pairs '%s': 1 to 4096", v);
            return 2;
        }
        o->max_pairs = (unsigned)u;
    } else if (!strcmp(opt, "--ram-top")) {
        if (config_parse_size(v, strlen(v), &u) || u == 0 || u > (1ull << 63)) {
            cli_fail("bad --ram-top '%s': an address like 0x800000000 or 32G", v);
            return 2;
        }
        o->ram_top = u;
    } else {
        o->interleave = v;
    }
    return 1;
}

static int cmd_badram(int argc, char **argv)
{
    struct cli_badram_opts o = { 1 << 20, BADRAM_MAX_PAIRS, 0, "" };
    const char *format = NULL;
    struct il_model il;
    int i = 0;
    for (; i < argc && argv[i][0] == '-'; i++) {
        int r = cli_badram_opt(&o, argc, argv, &i);
        if (r == 2)
            return 2;
        if (r == 1)
            continue;
        if (!strcmp(argv[i], "--format") && i + 1 < argc)
            format = argv[++i];
        else
            return cli_fail("unknown option %s (see weakbit --help)", argv[i]);
    }
    static const char *const names[] = { "grub", "grubcfg", "memmap", "windows" };
    static const enum badram_form forms[] = { BADRAM_GRUB, BADRAM_GRUBCFG, BADRAM_MEMMAP, BADRAM_WINDOWS };
    int form = -1;
    if (format) {
        for (int k = 0; k < 4; k++)
            if (!strcmp(format, names[k]))
                form = k;
        if (form < 0)
            return cli_fail("unknown format '%s': grub, grubcfg, memmap or windows", format);
    }
    if (o.interleave[0] && il_parse(&il, o.interleave, strlen(o.interleave)))
        return cli_fail("bad --interleave '%s': name:0xMASK pairs like ch:0x40,dimm:0x20000", o.interleave);
    if (i == argc)
        return cli_fail("no CSV file given");

    struct cell_table t;
    struct cell *mem = calloc(CLI_MAX_CELLS, sizeof *mem);
    uint64_t *gran = calloc(CLI_MAX_GRAN, sizeof *gran);
    struct cover_pair *pairs = calloc(CLI_MAX_GRAN, sizeof *pairs);
    size_t cap = 64u << 20;
    char *out = malloc(cap);
    if (!mem || !gran || !pairs || !out)
        return cli_fail("out of memory");
    cells_init(&t, mem, CLI_MAX_CELLS);
    int rc = cli_load_csv(&t, argv + i, argc - i);
    if (!rc) {
        unsigned n = cells_sort(&t);
        struct badram_set set = { .interleave = o.interleave };
        badram_build(&set, t.slot, n, o.granule, o.max_pairs, o.ram_top ? cover_limit(o.ram_top) : 0,
                     gran, pairs, CLI_MAX_GRAN);
        struct sbuf sb;
        sbuf_init(&sb, out, cap);
        if (form < 0)
            badram_render(&sb, &set);
        else
            badram_render_form(&sb, forms[form], &set);
        if (set.gran_lost || sb.lost)
            rc = cli_fail("too many bad granules to render");
        else
            fputs(out, stdout);
    }
    free(out);
    free(pairs);
    free(gran);
    free(mem);
    return rc;
}

static int cmd_cells(int argc, char **argv)
{
    struct il_model il = { 0 };
    if (argc >= 2 && !strcmp(argv[0], "--interleave")) {
        if (il_parse(&il, argv[1], strlen(argv[1])))
            return cli_fail("bad --interleave '%s': name:0xMASK pairs like ch:0x40,dimm:0x20000", argv[1]);
        argc -= 2, argv += 2;
    }
    if (!argc)
        return cli_fail("no CSV file given");
    if (argv[0][0] == '-')
        return cli_fail("unknown option %s", argv[0]);
    struct cell_table t;
    struct cell *mem = calloc(CLI_MAX_CELLS, sizeof *mem);
    if (!mem)
        return cli_fail("out of memory");
    cells_init(&t, mem, CLI_MAX_CELLS);
    int rc = cli_load_csv(&t, argv, argc);
    if (!rc) {
        unsigned n = cells_sort(&t);
        printf("phys_addr           bit  count  first_s     last_s      tests%s\n", il.nf ? "      module" : "");
        for (unsigned k = 0; k < n; k++) {
            const struct cell *c = &t.slot[k];
            char tests[64] = "";
            for (unsigned b = 0; b < 32; b++)
                if (c->tests >> b & 1)
                    snprintf(tests + strlen(tests), sizeof tests - strlen(tests), "%s%u",
                             tests[0] ? "," : "", b);
            char mod[48] = "";
            if (il.nf)
                il_label(&il, c->addr, mod, sizeof mod);
            printf("0x%016llx  %3u  %5u  %10.3f  %10.3f  %-10s %s\n", (unsigned long long)c->addr,
                   c->bit, c->count, c->first_ms / 1000.0, c->last_ms / 1000.0, tests, mod);
        }
        printf("%u cell%s\n", n, n == 1 ? "" : "s");
        if (il.nf && n) {
            static char buf[8192];
            struct sbuf sb;
            sbuf_init(&sb, buf, sizeof buf);
            il_summary(&sb, &il, t.slot, n);
            fputs(buf, stdout);
        }
    }
    free(mem);
    return rc;
}

static int want_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return 1;
    return 0;
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
                   { "offline", cmd_offline }, { "import", cmd_import } };
    for (unsigned i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        if (strcmp(cmd, cmds[i].name))
            continue;
        if (want_help(argc - 2, argv + 2)) {
            usage(stdout);
            return 0;
        }
        return cmds[i].fn(argc - 2, argv + 2);
    }
    usage(stderr);
    return cli_fail("unknown subcommand '%s'", cmd);
}
