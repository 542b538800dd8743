// SPDX-License-Identifier: MIT
// libFuzzer target: errors.csv files go through the reader the app and the
// CLI use. Lines must parse or be refused, never crash; a parsed row must
// format back to a line that parses to the same row; and the lines handed
// on must not depend on where the file was cut into chunks.
#include <stdint.h>
#include <string.h>
#include "core/errcsv.h"

struct tally {
    uint64_t sum;       /* order-sensitive digest of what was handed on */
    unsigned lines;
};

static int check_line(void *ctx, const struct errcsv_line *l)
{
    struct tally *t = ctx;
    uint64_t v = (uint64_t)l->lineno << 8 | (uint64_t)l->kind << 4 | (uint64_t)l->torn << 1 | (uint64_t)l->too_long;
    if (l->kind == ERRCSV_ROW) {
        const struct failbit *r = l->row;
        char line[256];
        size_t n = errcsv_format(line, sizeof line, r);
        struct failbit back;
        if (n >= sizeof line || errcsv_parse(line, n - 1, &back) != ERRCSV_ROW ||
            back.addr != r->addr || back.bit != r->bit || back.time_ms != r->time_ms ||
            back.expected != r->expected || back.actual != r->actual || back.temp_c != r->temp_c ||
            back.flags != r->flags)
            __builtin_trap();
        v ^= r->addr * 31 + r->bit;
    } else if (l->kind == ERRCSV_SESSION) {
        v ^= l->session->start_s;
    }
    t->sum = t->sum * 0x100000001b3ull ^ v;
    t->lines++;
    return 0;
}

static struct tally read_chunks(const char *s, size_t size, size_t piece)
{
    struct tally t = { 0, 0 };
    struct errcsv_reader r;
    errcsv_reader_init(&r, check_line, &t);
    for (size_t at = 0; at < size; at += piece)
        errcsv_reader_feed(&r, s + at, size - at < piece ? size - at : piece);
    errcsv_reader_finish(&r);
    return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct tally whole = read_chunks(s, size, size ? size : 1);
    struct tally cut = read_chunks(s, size, 1 + (size ? data[0] % 61 : 0));
    if (whole.sum != cut.sum || whole.lines != cut.lines)
        __builtin_trap();
    return 0;
}
