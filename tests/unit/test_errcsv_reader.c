// SPDX-License-Identifier: MIT
// The errors.csv reader: the same lines whatever the chunk sizes, torn last
// lines, over-long lines, and a callback that stops it.
#include "check.h"
#include "core/errcsv.h"
#include <string.h>

/* What the callback saw, one letter and a number per line. */
struct seen {
    char log[4096];
    size_t len;
    unsigned calls, stop_at;
};

static int record(void *ctx, const struct errcsv_line *l)
{
    struct seen *s = ctx;
    char kind = l->kind == ERRCSV_ROW ? 'R' : l->kind == ERRCSV_SESSION ? 'S' : 'B';
    char what[80] = "";
    if (l->kind == ERRCSV_ROW)
        snprintf(what, sizeof what, "%llx", (unsigned long long)l->row->addr);
    else if (l->kind == ERRCSV_SESSION)
        snprintf(what, sizeof what, "%s@%s", l->session->id, l->session->start);
    s->len += (size_t)snprintf(s->log + s->len, sizeof s->log - s->len, "%u%c%s%s:%s ", l->lineno, kind,
                               l->torn == ERRCSV_TORN_END ? "t" : l->torn == ERRCSV_TORN_CLOSED ? "c" : l->torn ? "?" : "", l->too_long ? "l" : "", what);
    return ++s->calls == s->stop_at ? 7 : 0;
}

/* Feed text in pieces of at most `piece` bytes, cut after `first` bytes first. */
static int read_text(struct seen *s, const char *text, size_t n, size_t first, size_t piece)
{
    struct errcsv_reader r;
    memset(s, 0, sizeof *s);
    errcsv_reader_init(&r, record, s);
    int rc = errcsv_reader_feed(&r, text, first);
    for (size_t at = first; !rc && at < n; at += piece)
        rc = errcsv_reader_feed(&r, text + at, n - at < piece ? n - at : piece);
    return rc ? rc : errcsv_reader_finish(&r);
}

static const char sample[] =
    ERRCSV_HEADER
    "# session 7f3a01 start 2024-05-01 12:00:00\n"
    "12.500,0,5,0,0x36a7abcd8,3,0x0000000000000000,0x0000000000000008,45\n"
    "\n"
    "# a comment\n"
    "40.000,0,5,1,0x460e00000,63,0x0,0x8000000000000000,52\r\n"
    "not,a,row\n"
    "1.0,0,5,0\n"      /* torn, then closed by the next boot, which wrote: */
    "# session 7f3a02 start 2024-05-01 12:10:00\n"
    "3.5,0,5,0,0x4";
static const char sample_log[] =
    "2S:7f3a01@2024-05-01 12:00:00 3R:36a7abcd8 6R:460e00000 7B: 8Bc: 9S:7f3a02@2024-05-01 12:10:00 10Bt: ";

TEST(errcsv_reader_every_chunk_boundary)
{
    struct seen s;
    size_t n = sizeof sample - 1;
    CHECK_EQ_U64(read_text(&s, sample, n, n, 1), 0);
    CHECK_STR(s.log, sample_log);
    for (size_t cut = 0; cut <= n; cut++) {
        read_text(&s, sample, n, cut, n);
        if (strcmp(s.log, sample_log))
            fprintf(stderr, "  cut at %zu: %s\n", cut, s.log);
        CHECK(!strcmp(s.log, sample_log));
    }
    for (size_t piece = 1; piece < 8; piece++) {
        read_text(&s, sample, n, 0, piece);
        CHECK_STR(s.log, sample_log);
    }
}

TEST(errcsv_reader_torn_last_line)
{
    struct seen s;
    const char *ok = "1.0,0,5,0,0x1000,1,0x0,0x2";   /* whole row, only the newline is missing */
    read_text(&s, ok, strlen(ok), 3, 5);
    CHECK_STR(s.log, "1R:1000 ");
    const char *torn = "1.0,0,5,0,0x1000,1,0x0,0x2\n1.0,0,5,0";
    read_text(&s, torn, strlen(torn), 30, 1);
    CHECK_STR(s.log, "1R:1000 2Bt: ");
    const char *header_only = "time_s,pa";   /* a torn header is nothing to report */
    read_text(&s, header_only, strlen(header_only), 2, 2);
    CHECK_STR(s.log, "");
    read_text(&s, "", 0, 0, 1);
    CHECK_STR(s.log, "");
}

TEST(errcsv_reader_closed_tear)
{
    struct seen s;
    /* Only a session line right after it marks a bad line as a tear. */
    const char *closed = "1.0,0,5\n# session b start 2024-05-01 12:10:00\n";
    read_text(&s, closed, strlen(closed), 7, 3);
    CHECK_STR(s.log, "1Bc: 2S:b@2024-05-01 12:10:00 ");
    const char *gap = "1.0,0,5\n\n# session b start 2024-05-01 12:10:00\n";
    read_text(&s, gap, strlen(gap), 8, 1);
    CHECK_STR(s.log, "1B: 3S:b@2024-05-01 12:10:00 ");
    const char *row_next = "1.0,0,5\n1,0,5,0,0x8,1,0x0,0x2\n";
    read_text(&s, row_next, strlen(row_next), 0, 4);
    CHECK_STR(s.log, "1B: 2R:8 ");
    const char *at_end = "1,0,5,0,0x8,1,0x0,0x2\n1.0,0,5\n";   /* complete, so not torn */
    read_text(&s, at_end, strlen(at_end), 0, 64);
    CHECK_STR(s.log, "1R:8 2B: ");
    /* A callback that stops at the held line stops the reader there. */
    memset(&s, 0, sizeof s);
    s.stop_at = 1;
    struct errcsv_reader r;
    errcsv_reader_init(&r, record, &s);
    CHECK_EQ_U64(errcsv_reader_feed(&r, closed, strlen(closed)), 7);
    CHECK_EQ_U64(errcsv_reader_finish(&r), 7);
    CHECK_STR(s.log, "1Bc: ");
}

TEST(errcsv_reader_long_line)
{
    static char text[4 * ERRCSV_LINE_MAX];
    struct seen s;
    /* A comment of exactly ERRCSV_LINE_MAX bytes is a line; one more is too long. */
    size_t n = 0;
    for (unsigned len = ERRCSV_LINE_MAX; len <= ERRCSV_LINE_MAX + 1; len++) {
        text[n] = '#';
        memset(text + n + 1, 'x', len - 1);
        n += len;
        text[n++] = '\n';
    }
    n += (size_t)snprintf(text + n, sizeof text - n, "1,0,5,0,0x8,1,0x0,0x2\n");
    for (size_t piece = 1; piece < 700; piece += 97) {
        read_text(&s, text, n, 0, piece);
        CHECK_STR(s.log, "2Bl: 3R:8 ");
    }
    /* The same over-long line at the end, without a newline: torn and too long. */
    n = ERRCSV_LINE_MAX + 40;
    memset(text, 'x', n);
    read_text(&s, text, n, n / 2, n);
    CHECK_STR(s.log, "1Btl: ");
}

TEST(errcsv_reader_callback_stops_it)
{
    struct seen s;
    memset(&s, 0, sizeof s);
    s.stop_at = 2;
    struct errcsv_reader r;
    errcsv_reader_init(&r, record, &s);
    const char *two = "1,0,5,0,0x8,1,0x0,0x2\n1,0,5,0,0x10,1,0x0,0x2\n1,0,5,0,0x18,1,0x0,0x2\n";
    CHECK_EQ_U64(errcsv_reader_feed(&r, two, strlen(two)), 7);
    CHECK_EQ_U64(errcsv_reader_feed(&r, two, strlen(two)), 7);
    CHECK_EQ_U64(errcsv_reader_finish(&r), 7);
    CHECK_STR(s.log, "1R:8 2R:10 ");
}
