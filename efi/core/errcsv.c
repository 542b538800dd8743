// SPDX-License-Identifier: MIT
#include "core/errcsv.h"
#include "core/fmt.h"

size_t errcsv_format(char *buf, size_t cap, const struct failbit *r)
{
    char temp[16] = "";
    if (r->temp_c != FAILBIT_NO_TEMP)
        fmt_format(temp, sizeof temp, "%d", r->temp_c);
    return fmt_format(buf, cap, "%llu.%03llu,%u,%u,%u,0x%llx,%u,0x%016llx,0x%016llx,%s,%u,%s\n",
                      (unsigned long long)(r->time_ms / 1000),
                      (unsigned long long)(r->time_ms % 1000), r->pass, r->test, r->cpu,
                      (unsigned long long)r->addr, r->bit, (unsigned long long)r->expected,
                      (unsigned long long)r->actual, temp, r->flags & FAILBIT_ADDR_UNCERTAIN,
                      r->flags & FAILBIT_ECC ? "ecc" : r->flags & FAILBIT_HAMMER ? "hammer" : "test");
}

size_t errcsv_ecc_line(char *buf, size_t cap, uint64_t time_ms, unsigned cpu, unsigned bank, uint64_t status,
                       uint64_t addr, uint64_t misc, const char *why)
{
    return fmt_format(buf, cap, "# ecc %llu.%03llu cpu %u bank %u status 0x%016llx addr 0x%llx misc 0x%llx %s, "
                      "not masked: %s\n", (unsigned long long)(time_ms / 1000), (unsigned long long)(time_ms % 1000),
                      cpu, bank, (unsigned long long)status, (unsigned long long)addr, (unsigned long long)misc,
                      status >> 61 & 1 ? "uncorrected" : "corrected", why);
}

size_t errcsv_session_line(char *buf, size_t cap, const char *id, const char *start)
{
    return fmt_format(buf, cap, "# session %s start %s\n", id, start);
}

static int digits(const char *s, unsigned n, unsigned *v)
{
    *v = 0;
    for (unsigned i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        *v = *v * 10 + (unsigned)(s[i] - '0');
    }
    return 0;
}

uint64_t errcsv_clock_s(const char *s, size_t n)
{
    unsigned y, mo, d, h, mi, se;
    if (n != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':' ||
        digits(s, 4, &y) || digits(s + 5, 2, &mo) || digits(s + 8, 2, &d) ||
        digits(s + 11, 2, &h) || digits(s + 14, 2, &mi) || digits(s + 17, 2, &se) || y < 2000 ||
        mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return 0;
    /* Days before each month; leap days counted separately. */
    static const unsigned before[] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
    uint64_t days = (uint64_t)(y - 2000) * 365 + (y - 2000 + 3) / 4 - (y - 2000 + 99) / 100 +
                    (y - 2000 + 399) / 400 + before[mo - 1] + d - 1;
    if (mo > 2 && ((y % 4 == 0 && y % 100) || y % 400 == 0))
        days++;
    return ((days * 24 + h) * 60 + mi) * 60 + se;
}

/* Field parsers: s[0..n) must be consumed completely. */
static int num(const char *s, size_t n, int hex_ok, uint64_t *out)
{
    return n > 20 ? -1 : str_to_u64(s, n, hex_ok ? STR_DEC_OR_HEX : STR_DEC, out);
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

enum errcsv_kind errcsv_parse(const char *line, size_t n, struct failbit *row)
{
    return errcsv_parse_session(line, n, row, 0);
}

/* "# session ID start YYYY-MM-DD HH:MM:SS", maybe followed by words such as
 * "full coverage" */
static int parse_session(const char *l, size_t n, struct err_session *s)
{
    if (n < 10 || !str_neq(l, "# session ", 10))
        return -1;
    size_t i = 10, id0 = i;
    while (i < n && l[i] != ' ')
        i++;
    size_t idn = i - id0;
    if (!idn || idn >= sizeof s->id || n - i < 7 + 19 || (n - i > 7 + 19 && l[i + 7 + 19] != ' ') ||
        !str_neq(l + i, " start ", 7))
        return -1;
    for (size_t k = 0; k < idn; k++)
        s->id[k] = l[id0 + k];
    s->id[idn] = 0;
    for (size_t k = 0; k < 19; k++)
        s->start[k] = l[i + 7 + k];
    s->start[19] = 0;
    s->start_s = errcsv_clock_s(s->start, 19);
    return 0;
}

enum errcsv_kind errcsv_parse_session(const char *line, size_t n, struct failbit *row,
                                      struct err_session *s)
{
    while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
        n--;
    if (n && line[0] == '#')
        return s && !parse_session(line, n, s) ? ERRCSV_SESSION : ERRCSV_SKIP;
    if (!n)
        return ERRCSV_SKIP;
    if (n >= 6 && str_neq(line, "time_s", 6))
        return ERRCSV_SKIP;
    const char *f[12];
    size_t fl[12];
    unsigned nf = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || line[i] == ',') {
            if (nf == 12)
                return ERRCSV_BAD;
            f[nf] = line + start;
            fl[nf++] = i - start;
            start = i + 1;
        }
    }
    /* 8 required columns, then optionally temp_c (may be empty), addr_uncertain and source. */
    if (nf < 8 || nf > 11)
        return ERRCSV_BAD;
    row->flags = 0;
    if (nf >= 10) {
        if (fl[9] != 1 || (f[9][0] != '0' && f[9][0] != '1'))
            return ERRCSV_BAD;
        row->flags = f[9][0] == '1' ? FAILBIT_ADDR_UNCERTAIN : 0;
    }
    if (nf == 11) {
        if (fl[10] == 3 && str_neq(f[10], "ecc", 3))
            row->flags |= FAILBIT_ECC;
        else if (fl[10] == 6 && str_neq(f[10], "hammer", 6))
            row->flags |= FAILBIT_HAMMER;
        else if (fl[10] != 4 || !str_neq(f[10], "test", 4))
            return ERRCSV_BAD;
    }
    row->temp_c = FAILBIT_NO_TEMP;
    if (nf >= 9 && fl[8]) {
        int neg = f[8][0] == '-';
        uint64_t t;
        if (num(f[8] + neg, fl[8] - (size_t)neg, 0, &t) || t > 300)
            return ERRCSV_BAD;
        row->temp_c = neg ? -(int)t : (int)t;
    }
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

size_t errcsv_summary_line(char *buf, size_t cap, const struct failsum *s)
{
    return fmt_format(buf, cap,
                      "# summary %llu.%03llu-%llu.%03llu pass %u test %u cpu %u words %llu bits 0x%016llx "
                      "range 0x%llx-0x%llx uncertain %u\n",
                      (unsigned long long)(s->first_ms / 1000), (unsigned long long)(s->first_ms % 1000),
                      (unsigned long long)(s->last_ms / 1000), (unsigned long long)(s->last_ms % 1000),
                      s->pass, s->test, s->cpu, (unsigned long long)s->words,
                      (unsigned long long)s->bits, (unsigned long long)s->lo, (unsigned long long)s->hi,
                      s->flags & FAILBIT_ADDR_UNCERTAIN ? 1u : 0u);
}

/* Next space-separated word of l[*i..n). */
static int word(const char *l, size_t n, size_t *i, const char **w, size_t *wn)
{
    while (*i < n && l[*i] == ' ')
        (*i)++;
    size_t s = *i;
    while (*i < n && l[*i] != ' ')
        (*i)++;
    *w = l + s;
    *wn = *i - s;
    return *wn ? 0 : -1;
}

/* "LABEL VALUE" with VALUE a number. */
static int labelled(const char *l, size_t n, size_t *i, const char *label, int hex_ok, uint64_t *v)
{
    const char *w;
    size_t wn, ln = str_len(label);
    if (word(l, n, i, &w, &wn) || wn != ln || !str_neq(w, label, ln) || word(l, n, i, &w, &wn))
        return -1;
    return num(w, wn, hex_ok, v);
}

/* "A-B": two fields split at the dash. */
static int pair(const char *w, size_t wn, const char **b, size_t *an, size_t *bn)
{
    size_t d = 0;
    while (d < wn && w[d] != '-')
        d++;
    if (d == 0 || d + 1 >= wn)
        return -1;
    *an = d;
    *b = w + d + 1;
    *bn = wn - d - 1;
    return 0;
}

int errcsv_parse_summary(const char *l, size_t n, struct failsum *s)
{
    while (n && (l[n - 1] == '\r' || l[n - 1] == ' '))
        n--;
    if (n < 10 || !str_neq(l, "# summary ", 10))
        return -1;
    size_t i = 10, an, bn;
    const char *w, *b;
    size_t wn;
    uint64_t pass, test, cpu, words, bits, unc;
    if (word(l, n, &i, &w, &wn) || pair(w, wn, &b, &an, &bn) || seconds(w, an, &s->first_ms) ||
        seconds(b, bn, &s->last_ms) || labelled(l, n, &i, "pass", 0, &pass) ||
        labelled(l, n, &i, "test", 0, &test) || labelled(l, n, &i, "cpu", 0, &cpu) ||
        labelled(l, n, &i, "words", 0, &words) || labelled(l, n, &i, "bits", 1, &bits))
        return -1;
    const char *r;
    size_t rn;
    if (word(l, n, &i, &w, &wn) || wn != 5 || !str_neq(w, "range", 5) || word(l, n, &i, &r, &rn) ||
        pair(r, rn, &b, &an, &bn) || num(r, an, 1, &s->lo) || num(b, bn, 1, &s->hi) ||
        labelled(l, n, &i, "uncertain", 0, &unc) || i != n)
        return -1;
    if (pass > UINT32_MAX || test > 63 || cpu > UINT32_MAX || !words || !bits || unc > 1 ||
        s->hi < s->lo || (s->lo & 7) || (s->hi & 7) || s->last_ms < s->first_ms)
        return -1;
    s->pass = (uint32_t)pass;
    s->test = (uint32_t)test;
    s->cpu = (uint32_t)cpu;
    s->words = words;
    s->bits = bits;
    s->flags = unc ? FAILBIT_ADDR_UNCERTAIN : 0;
    return 0;
}

/* ---- reading a whole file ------------------------------------------------ */

void errcsv_reader_init(struct errcsv_reader *r, errcsv_line_fn fn, void *ctx)
{
    r->fn = fn;
    r->ctx = ctx;
    r->have = 0;
    r->too_long = 0;
    r->lineno = 0;
    r->status = 0;
    r->held = 0;
}

/* The bad line held back, now that the line after it is known. */
static void reader_release(struct errcsv_reader *r, int torn)
{
    r->held = 0;
    r->bad_line.torn = torn;
    r->status = r->fn(r->ctx, &r->bad_line);
}

/* One whole line (without its newline) to the callback. */
static void reader_line(struct errcsv_reader *r, const char *s, size_t n, int last)
{
    struct failbit row;
    struct err_session ses;
    struct errcsv_line l = { .lineno = ++r->lineno };
    l.too_long = r->too_long || n > ERRCSV_LINE_MAX;
    struct failsum sum;
    l.kind = l.too_long ? ERRCSV_BAD : errcsv_parse_session(s, n, &row, &ses);
    if (l.kind == ERRCSV_SKIP && !errcsv_parse_summary(s, n, &sum))
        l.kind = ERRCSV_SUMMARY;
    l.torn = last && l.kind == ERRCSV_BAD ? ERRCSV_TORN_END : 0;
    l.row = l.kind == ERRCSV_ROW ? &row : 0;
    l.session = l.kind == ERRCSV_SESSION ? &ses : 0;
    l.summary = l.kind == ERRCSV_SUMMARY ? &sum : 0;
    r->have = 0;
    r->too_long = 0;
    /* A boot that finds the file torn ends the line and writes its session
     * line next: a bad line right before a session line is that tear. */
    if (r->held)
        reader_release(r, l.kind == ERRCSV_SESSION ? ERRCSV_TORN_CLOSED : 0);
    if (r->status || l.kind == ERRCSV_SKIP)
        return;
    if (l.kind == ERRCSV_BAD && !last) {
        r->held = 1;
        r->bad_line = l;
        return;
    }
    r->status = r->fn(r->ctx, &l);
}

/* Carry the start of a line over to the next chunk; past the limit only
 * remember that it was too long. */
static void reader_keep(struct errcsv_reader *r, const char *s, size_t n)
{
    if (r->too_long || n > sizeof r->part - r->have) {
        r->too_long = 1;
        return;
    }
    for (size_t i = 0; i < n; i++)
        r->part[r->have + i] = s[i];
    r->have += n;
}

int errcsv_reader_feed(struct errcsv_reader *r, const char *p, size_t n)
{
    while (n && !r->status) {
        size_t i = 0;
        while (i < n && p[i] != '\n')
            i++;
        if (i == n) {
            reader_keep(r, p, n);
            break;
        }
        if (!r->have && !r->too_long) {
            reader_line(r, p, i, 0);   /* whole in this chunk: no copy */
        } else {
            reader_keep(r, p, i);
            reader_line(r, r->part, r->have, 0);
        }
        p += i + 1;
        n -= i + 1;
    }
    return r->status;
}

int errcsv_reader_finish(struct errcsv_reader *r)
{
    if (!r->status && (r->have || r->too_long))
        reader_line(r, r->part, r->have, 1);
    if (!r->status && r->held)
        reader_release(r, 0);
    return r->status;
}
