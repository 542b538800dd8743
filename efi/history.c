// SPDX-License-Identifier: MIT
#include "history.h"
#include "fileio.h"
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

void history_load(struct cell_table *known, struct session_history *h)
{
    *h = (struct session_history){ 0 };
    h->torn_repaired = repair_tail(L"errors.csv");
    repair_tail(L"session.log");
    char *buf = AllocatePool(CHUNK + 512);
    if (!buf)
        return;
    unsigned long long off = 0;
    size_t have = 0;   /* bytes of an unfinished line carried over */
    for (;;) {
        long n = fio_read_at(L"errors.csv", off, buf + have, CHUNK);
        if (n <= 0)
            break;
        off += (unsigned long long)n;
        size_t end = have + (size_t)n, start = 0;
        for (size_t i = 0; i < end; i++) {
            if (buf[i] != '\n')
                continue;
            struct failbit row;
            struct err_session s;
            switch (errcsv_parse_session(buf + start, i - start, &row, &s)) {
            case ERRCSV_ROW:
                h->rows++;
                cells_add(known, &row);
                break;
            case ERRCSV_SESSION:
                h->sessions++;
                break;
            case ERRCSV_BAD:
                h->bad_lines++;
                break;
            case ERRCSV_SKIP:
                /* A summary record: its range is as bad as a row's cell. */
                h->summaries += fold_cover_line(known, buf + start, i - start);
                break;
            }
            start = i + 1;
        }
        /* Keep the unfinished tail; a line longer than 512 bytes is not a row. */
        have = end - start;
        if (have > 512) {
            h->bad_lines++;
            have = 0;
        }
        for (size_t k = 0; k < have; k++)
            buf[k] = buf[start + k];
    }
    FreePool(buf);
}
