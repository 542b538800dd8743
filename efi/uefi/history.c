// SPDX-License-Identifier: MIT
#include "uefi/history.h"
#include "uefi/fileio.h"
#include "core/errcsv.h"
#include "core/fold.h"
#include <efilib.h>

#define CHUNK 65536

/* A file whose last byte is not a newline lost power mid-line: end that
 * line so the parsers see one bad line instead of two glued together. */
static int repair_tail(const CHAR16 *name)
{
    long long size = fio_size(name);
    char last;
    if (size <= 0 || fio_read_at(name, (unsigned long long)size - 1, &last, 1) != 1 || last == '\n')
        return 0;
    return fio_append(name, "\n", 1) == 0;
}

/* Known cells, sessions and damage, as the reader hands the lines on. */
struct history_read {
    struct cell_table *known;
    struct session_history *h;
};

static int history_line(void *ctx, const struct errcsv_line *l)
{
    struct history_read *hr = ctx;
    if (l->kind == ERRCSV_ROW) {
        hr->h->rows++;
        cells_add(hr->known, l->row);
    } else if (l->kind == ERRCSV_SESSION) {
        hr->h->sessions++;
    } else if (l->kind == ERRCSV_SUMMARY) {
        /* Folded words: their range is as bad as a row's cell. */
        hr->h->summaries++;
        uint64_t cur = 0;
        struct failbit r;
        while (fold_cover_next(l->summary, &cur, &r))
            cells_add(hr->known, &r);
    } else if (l->kind == ERRCSV_BAD) {
        hr->h->bad_lines++;
    }
    return 0;
}

void history_load(struct cell_table *known, struct session_history *h)
{
    *h = (struct session_history){ 0 };
    h->torn_repaired = repair_tail(L"errors.csv");
    repair_tail(L"session.log");
    char *buf = AllocatePool(CHUNK);
    if (!buf)
        return;
    struct history_read hr = { known, h };
    struct errcsv_reader r;
    errcsv_reader_init(&r, history_line, &hr);
    unsigned long long off = 0;
    for (;;) {
        long n = fio_read_at(L"errors.csv", off, buf, CHUNK);
        if (n <= 0)
            break;
        off += (unsigned long long)n;
        errcsv_reader_feed(&r, buf, (size_t)n);
    }
    errcsv_reader_finish(&r);
    FreePool(buf);
}
