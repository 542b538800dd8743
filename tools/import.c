// SPDX-License-Identifier: MIT
// `weakbit import FORMAT FILE... [-o OUT.csv]`: bad places other testers
// found, as errors.csv rows that badram, cells, apply and verify read like
// weakbit's own. The sources give addresses, ranges or (addr, mask)
// patterns but no bits, so every 4 KiB page they touch gets one row (bit 0
// of one word in it): any granule weakbit masks (4K and up) then covers the
// whole source range, with weakbit's own masks (bit 63 free), whatever the
// source's masks were.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "cli.h"
#include "core/errcsv.h"
#include "linuxside/import.h"
#include "textfile.h"

#define LINE_ITEMS 4096

struct addrs {
    uint64_t *v;
    unsigned n;
};

static void add_addr(void *ctx, uint64_t a)
{
    struct addrs *s = ctx;
    s->v[s->n++] = a;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Read one file into s; its summary line goes to note. */
static int import_file(enum import_format fmt, const char *fmt_name, const char *path, struct addrs *s,
                       struct import_item *items, char *note, size_t cap)
{
    struct textfile t;
    if (textfile_read(path, &t))
        return cli_fail("cannot read %s: %s", path, strerror(errno));
    struct import_parser p;
    import_init(&p, fmt);
    size_t pos = 0, len;
    const char *l;
    unsigned lineno = 0, entries = 0, pages = 0, bit63 = 0;
    int rc = 0;
    while (!rc && textfile_line(&t, &pos, &l, &len)) {
        lineno++;
        unsigned n = 0;
        if (import_line(&p, l, len, items, LINE_ITEMS, &n)) {
            rc = cli_fail("%s:%u: %s", path, lineno, p.err);
            break;
        }
        for (unsigned k = 0; k < n && !rc; k++) {
            int64_t got = import_pages(&items[k], IMPORT_MAX_PAGES - s->n, add_addr, s);
            if (got < 0)
                rc = cli_fail("%s:%u: more than %u pages (256 MiB) in all: refused (a misread list, or a "
                              "module that is bad as a whole: take it out)", path, lineno, IMPORT_MAX_PAGES);
            else if (!got && items[k].kind == IMPORT_PATTERN)
                rc = cli_fail("%s:%u: badram pair 0x%llx,0x%llx matches no physical address", path, lineno,
                              (unsigned long long)items[k].a, (unsigned long long)items[k].b);
            pages += (unsigned)(got > 0 ? got : 0);
            bit63 += items[k].kind == IMPORT_PATTERN && items[k].b >> 63;
        }
        entries += n;
    }
    if (!rc && import_finish(&p))
        rc = cli_fail("%s:%u: %s", path, lineno, p.err);
    free(t.buf);
    if (!rc)
        snprintf(note, cap, "# imported by weakbit import %s from %s: %u entr%s, %u page%s%s\n", fmt_name, path,
                 entries, entries == 1 ? "y" : "ies", pages, pages == 1 ? "" : "s",
                 bit63 ? "; the source's masks set bit 63 (GRUB 2.06 EFI hangs on those): "
                         "use the line `weakbit badram` makes from these rows" : "");
    return rc;
}

static int write_out(const char *path, const char *data, size_t len)
{
    if (!path || !strcmp(path, "-"))
        return fwrite(data, 1, len, stdout) == len ? 0 : cli_fail("cannot write to stdout");
    if (atomic_write(path, data, len, 0644))
        return cli_fail("cannot write %s: %s", path, strerror(errno));
    return 0;
}

int cmd_import(int argc, char **argv)
{
    if (argc < 1)
        return cli_fail("give a format (memtest86plus, linux-memtest or addresses) and files");
    int fmt = import_format_from(argv[0]);
    if (fmt < 0)
        return cli_fail("unknown import format '%s': memtest86plus, linux-memtest or addresses", argv[0]);
    const char *out = NULL;
    const struct cli_opt opts[] = { { "-o", "--output", CLI_OPT_ONCE, &out }, CLI_OPT_END };
    char **files = argv + 1;
    int nfiles;
    if (cli_opt_parse(opts, argc - 1, files, &nfiles))
        return 2;
    if (!nfiles)
        return cli_fail("give the files to import");
    struct addrs s = { calloc(IMPORT_MAX_PAGES, sizeof *s.v), 0 };
    struct import_item *items = calloc(LINE_ITEMS, sizeof *items);
    size_t cap = (size_t)IMPORT_MAX_PAGES * 96 + (size_t)nfiles * 4096 + 256, len = 0;
    char *text = malloc(cap);
    int rc = 0;
    if (!s.v || !items || !text)
        rc = cli_fail("out of memory");
    if (!rc)
        len += (size_t)snprintf(text, cap, "%s", ERRCSV_HEADER);
    for (int k = 0; !rc && k < nfiles; k++) {
        char note[4096 + 512];
        rc = import_file((enum import_format)fmt, argv[0], files[k], &s, items, note, sizeof note);
        if (!rc)
            len += (size_t)snprintf(text + len, cap - len, "%s", note);
    }
    if (!rc) {
        /* One row per page, merged over every file. */
        qsort(s.v, s.n, sizeof *s.v, cmp_u64);
        unsigned rows = 0;
        for (unsigned k = 0; k < s.n; k++) {
            if (k && s.v[k] == s.v[k - 1])
                continue;
            struct failbit r = { .test = IMPORT_TEST, .addr = s.v[k], .bit = 0, .expected = 0,
                                 .actual = 1, .temp_c = FAILBIT_NO_TEMP };
            len += errcsv_format(text + len, cap - len, &r);
            rows++;
        }
        if (!rows)
            fprintf(stderr, "weakbit: warning: no bad memory named in the input\n");
        rc = write_out(out, text, len);
    }
    free(text);
    free(items);
    free(s.v);
    return rc;
}
