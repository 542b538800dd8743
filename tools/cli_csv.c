// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_csv.h"
#include "cli_opt.h"
#include "core/fold.h"

/* One file being read: where we are, and whom to tell. */
struct csv_file {
    const char *name;
    int index;
    cli_csv_fn fn;
    void *ctx;
};

static int csv_line(void *ctx, const struct errcsv_line *l)
{
    struct csv_file *f = ctx;
    if (l->too_long)
        return cli_fail("%s:%u: line too long", f->name, l->lineno);
    if (l->torn) {
        /* A power cut can tear a line; anything else is damage. */
        fprintf(stderr, "weakbit: warning: %s:%u: %s skipped\n", f->name, l->lineno,
                l->torn == ERRCSV_TORN_END ? "torn last line" : "line torn by a power cut (closed at the next boot)");
        return 0;
    }
    if (l->kind == ERRCSV_BAD)
        return cli_fail("%s:%u: not an errors.csv row", f->name, l->lineno);
    if (l->kind == ERRCSV_SUMMARY) {
        /* Folded words: every command sees their range as cells. */
        uint64_t cur = 0;
        struct failbit row;
        int rc = 0;
        while (!rc && fold_cover_next(l->summary, &cur, &row)) {
            struct cli_csv_line out = { f->name, f->index, l->lineno, ERRCSV_ROW, &row, NULL };
            rc = f->fn(f->ctx, &out);
        }
        return rc;
    }
    if (l->kind != ERRCSV_ROW && l->kind != ERRCSV_SESSION)
        return 0;
    struct cli_csv_line out = { f->name, f->index, l->lineno, l->kind, l->row, l->session };
    return f->fn(f->ctx, &out);
}

int cli_read_csv(char **files, int n, cli_csv_fn fn, void *ctx)
{
    static char buf[1 << 16];
    for (int i = 0; i < n; i++) {
        FILE *fp = fopen(files[i], "rb");
        if (!fp)
            return cli_fail("cannot read %s: %s", files[i], strerror(errno));
        struct csv_file f = { files[i], i, fn, ctx };
        struct errcsv_reader r;
        errcsv_reader_init(&r, csv_line, &f);
        int rc = 0;
        size_t got;
        while (!rc && (got = fread(buf, 1, sizeof buf, fp)) > 0)
            rc = errcsv_reader_feed(&r, buf, got);
        if (!rc && ferror(fp))
            rc = cli_fail("cannot read %s: %s", files[i], strerror(errno));
        if (!rc)
            rc = errcsv_reader_finish(&r);
        fclose(fp);
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

int cli_cells_load(struct cli_cells *c, char **files, int n)
{
    *c = (struct cli_cells){ 0 };
    struct cell *mem = calloc(CLI_MAX_CELLS, sizeof *mem);
    if (!mem)
        return cli_fail("out of memory");
    cells_init(&c->t, mem, CLI_MAX_CELLS);
    int rc = cli_load_csv(&c->t, files, n);
    if (rc)
        return rc;
    if (!(c->sorted = malloc((c->t.n + 1) * sizeof *c->sorted)))
        return cli_fail("out of memory");
    c->n = cells_sorted_copy(&c->t, c->sorted, c->t.n);
    return 0;
}

void cli_cells_free(struct cli_cells *c)
{
    free(c->t.slot);
    free(c->sorted);
    *c = (struct cli_cells){ 0 };
}
