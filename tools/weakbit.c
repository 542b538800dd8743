// SPDX-License-Identifier: MIT
// Host CLI: the same cell table and badram rendering as the UEFI app, run
// over errors.csv files gathered from one or many sessions.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/badram.h"
#include "core/cells.h"
#include "core/config.h"
#include "core/errcsv.h"
#include "core/fmt.h"

#define MAX_CELLS (1u << 20)
#define MAX_GRAN (1u << 16)

static const char *prog = "weakbit";

static void usage(FILE *f)
{
    fprintf(f,
            "usage: weakbit badram [--granule SIZE] [--interleave SPEC] [--format grub|grubcfg|memmap|windows] CSV...\n"
            "       weakbit cells CSV...\n"
            "       weakbit SUBCOMMAND --help\n"
            "Reads errors.csv files written by weakbit.efi (\\weakbit\\errors.csv on the stick).\n");
}

static int fail(const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: ", prog);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return 2;
}

/* Load every row of every file into the table. A torn last line (no
 * newline, does not parse) is skipped with a warning; any other bad line is
 * an error, because silently dropping a cell would unprotect it. */
static int load(struct cell_table *t, char **files, int n)
{
    for (int i = 0; i < n; i++) {
        FILE *f = fopen(files[i], "rb");
        if (!f) {
            fprintf(stderr, "%s: cannot read %s: %s\n", prog, files[i], strerror(errno));
            return 2;
        }
        char line[512];
        unsigned lineno = 0;
        while (fgets(line, sizeof line, f)) {
            lineno++;
            size_t len = strlen(line);
            int complete = len && line[len - 1] == '\n';
            if (!complete && len == sizeof line - 1) {
                fprintf(stderr, "%s: %s:%u: line too long\n", prog, files[i], lineno);
                fclose(f);
                return 2;
            }
            if (complete)
                len--;
            struct err_row row;
            enum errcsv_kind k = errcsv_parse(line, len, &row);
            if (k == ERRCSV_SKIP)
                continue;
            if (k == ERRCSV_BAD) {
                if (!complete && feof(f)) {
                    fprintf(stderr, "%s: warning: %s:%u: torn last line skipped\n", prog, files[i], lineno);
                    continue;
                }
                fprintf(stderr, "%s: %s:%u: not an errors.csv row\n", prog, files[i], lineno);
                fclose(f);
                return 2;
            }
            if (cells_add(t, &row) < 0) {
                fprintf(stderr, "%s: more than %u distinct cells\n", prog, MAX_CELLS * 3 / 4);
                fclose(f);
                return 2;
            }
        }
        fclose(f);
    }
    return 0;
}

static int want_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return 1;
    return 0;
}

static int cmd_badram(int argc, char **argv)
{
    uint64_t granule = 1 << 20;
    const char *interleave = "", *format = NULL;
    int i = 0;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i += 2) {
        if (i + 1 >= argc)
            return fail("option %s needs a value", argv[i]);
        const char *v = argv[i + 1];
        if (!strcmp(argv[i], "--granule")) {
            if (config_parse_granule(v, strlen(v), &granule))
                return fail("bad granule '%s': a power of two from 4K to 1T, like 1M", v);
        } else if (!strcmp(argv[i], "--interleave")) {
            interleave = v;
        } else if (!strcmp(argv[i], "--format")) {
            format = v;
        } else {
            return fail("unknown option %s", argv[i]);
        }
    }
    static const char *const names[] = { "grub", "grubcfg", "memmap", "windows" };
    static const enum badram_form forms[] = { BADRAM_GRUB, BADRAM_GRUBCFG, BADRAM_MEMMAP, BADRAM_WINDOWS };
    int form = -1;
    if (format) {
        for (int k = 0; k < 4; k++)
            if (!strcmp(format, names[k]))
                form = k;
        if (form < 0)
            return fail("unknown format '%s': grub, grubcfg, memmap or windows", format);
    }
    if (i == argc)
        return fail("%s", "no CSV file given");

    struct cell_table t;
    struct cell *mem = calloc(MAX_CELLS, sizeof *mem);
    uint64_t *gran = calloc(MAX_GRAN, sizeof *gran);
    size_t cap = 64u << 20;
    char *out = malloc(cap);
    if (!mem || !gran || !out)
        return fail("%s", "out of memory");
    cells_init(&t, mem, MAX_CELLS);
    int rc = load(&t, argv + i, argc - i);
    if (!rc) {
        unsigned n = cells_sort(&t), lost;
        unsigned ng = badram_granules(t.slot, n, granule, gran, MAX_GRAN, &lost);
        struct sbuf sb;
        sbuf_init(&sb, out, cap);
        if (form < 0)
            badram_render(&sb, gran, ng, granule, interleave);
        else
            badram_render_form(&sb, forms[form], gran, ng, granule);
        if (lost || sb.lost)
            rc = fail("%s", "too many bad granules to render");
        else
            fputs(out, stdout);
    }
    free(out);
    free(gran);
    free(mem);
    return rc;
}

static int cmd_cells(int argc, char **argv)
{
    if (!argc)
        return fail("%s", "no CSV file given");
    if (argv[0][0] == '-')
        return fail("unknown option %s", argv[0]);
    struct cell_table t;
    struct cell *mem = calloc(MAX_CELLS, sizeof *mem);
    if (!mem)
        return fail("%s", "out of memory");
    cells_init(&t, mem, MAX_CELLS);
    int rc = load(&t, argv, argc);
    if (!rc) {
        unsigned n = cells_sort(&t);
        printf("phys_addr           bit  count  first_s     last_s      tests\n");
        for (unsigned k = 0; k < n; k++) {
            const struct cell *c = &t.slot[k];
            char tests[64] = "";
            for (unsigned b = 0; b < 32; b++)
                if (c->tests >> b & 1)
                    snprintf(tests + strlen(tests), sizeof tests - strlen(tests), "%s%u",
                             tests[0] ? "," : "", b);
            printf("0x%016llx  %3u  %5u  %10.3f  %10.3f  %s\n", (unsigned long long)c->addr, c->bit,
                   c->count, c->first_ms / 1000.0, c->last_ms / 1000.0, tests);
        }
        printf("%u cell%s\n", n, n == 1 ? "" : "s");
    }
    free(mem);
    return rc;
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
    if (!strcmp(cmd, "badram") || !strcmp(cmd, "cells")) {
        if (want_help(argc - 2, argv + 2)) {
            usage(stdout);
            return 0;
        }
        return cmd[0] == 'b' ? cmd_badram(argc - 2, argv + 2) : cmd_cells(argc - 2, argv + 2);
    }
    if (!strcmp(cmd, "apply") || !strcmp(cmd, "timeline") || !strcmp(cmd, "map"))
        return fail("'%s' is not available in this version", cmd);
    usage(stderr);
    return fail("unknown subcommand '%s'", cmd);
}
