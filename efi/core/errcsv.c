// SPDX-License-Identifier: MIT
#include "errcsv.h"
#include "fmt.h"

size_t errcsv_format(char *buf, size_t cap, const struct err_row *r)
{
    return fmt_format(buf, cap, "%llu.%03llu,%u,%u,%u,0x%llx,%u,0x%016llx,0x%016llx\n",
                      (unsigned long long)(r->time_ms / 1000),
                      (unsigned long long)(r->time_ms % 1000), r->pass, r->test, r->cpu,
                      (unsigned long long)r->addr, r->bit, (unsigned long long)r->expected,
                      (unsigned long long)r->actual);
}

unsigned errcsv_split(uint64_t addr, uint64_t expected, uint64_t actual, struct err_row *rows)
{
    uint64_t diff = expected ^ actual;
    unsigned n = 0;
    for (unsigned b = 0; b < 64; b++)
        if (diff >> b & 1)
            rows[n++] = (struct err_row){ .addr = addr, .bit = b, .expected = expected,
                                          .actual = actual };
    return n;
}

/* Field parsers: s[0..n) must be consumed completely. */
static int num(const char *s, size_t n, int hex_ok, uint64_t *out)
{
    uint64_t v = 0;
    unsigned base = 10;
    if (hex_ok && n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        base = 16, s += 2, n -= 2;
    if (!n || n > 20)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (base == 16 && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (unsigned)((c | 0x20) - 'a' + 10);
        else
            return -1;
        if (v > (UINT64_MAX - d) / base)
            return -1;
        v = v * base + d;
    }
    *out = v;
    return 0;
}

/* "12.345" or "12" seconds -> milliseconds. */
static int seconds(const char *s, size_t n, uint64_t *ms)
{
    size_t dot = 0;
    while (dot < n && s[dot] != '.')
        dot++;
    uint64_t whole, frac = 0;
    if (num(s, dot, 0, &whole) || whole > UINT64_MAX / 1000)
        return -1;
    if (dot < n) {
        size_t fn = n - dot - 1;
        if (fn == 0 || fn > 9 || num(s + dot + 1, fn, 0, &frac))
            return -1;
        while (fn > 3)
            frac /= 10, fn--;
        while (fn < 3)
            frac *= 10, fn++;
    }
    *ms = whole * 1000 + frac;
    return 0;
}

enum errcsv_kind errcsv_parse(const char *line, size_t n, struct err_row *row)
{
    while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
        n--;
    if (!n || line[0] == '#')
        return ERRCSV_SKIP;
    if (n >= 6 && str_neq(line, "time_s", 6))
        return ERRCSV_SKIP;
    const char *f[10];
    size_t fl[10];
    unsigned nf = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || line[i] == ',') {
            if (nf == 10)
                return ERRCSV_BAD;
            f[nf] = line + start;
            fl[nf++] = i - start;
            start = i + 1;
        }
    }
    /* 8 required columns, optionally temp_c (ignored here). */
    if (nf != 8 && nf != 9)
        return ERRCSV_BAD;
    uint64_t v[8];
    if (seconds(f[0], fl[0], &row->time_ms))
        return ERRCSV_BAD;
    for (unsigned i = 1; i < 8; i++)
        if (num(f[i], fl[i], i >= 4, &v[i]))
            return ERRCSV_BAD;
    if (v[1] > UINT32_MAX || v[2] > 63 || v[3] > UINT32_MAX || v[5] > 63)
        return ERRCSV_BAD;
    row->pass = (uint32_t)v[1];
    row->test = (uint32_t)v[2];
    row->cpu = (uint32_t)v[3];
    row->addr = v[4];
    row->bit = (unsigned)v[5];
    row->expected = v[6];
    row->actual = v[7];
    if (row->addr & 7)
        return ERRCSV_BAD;
    return ERRCSV_ROW;
}
