// SPDX-License-Identifier: MIT
// `weakbit timeline` and `weakbit map`: SVG pictures of errors.csv files.
// Plain SVG 1.1 with presentation attributes only (no CSS, scripts, fonts
// or links), so browsers, rsvg and image viewers all draw the same thing.
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "core/config.h"
#include "core/interleave.h"

#define FONT "font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\""
#define CHAR_W 6.6           /* rough advance of an 11 px sans character */
#define MAX_MARKERS 10000    /* timeline markers; the step line still counts every cell */
#define MAP_ALL_MODULES 16   /* models with at most this many modules get a lane for each */
#define MAP_MAX_LANES 32

static const char *const palette[] = { "#1c4e80", "#2b8a3e", "#862e9c", "#c2255c",
                                       "#0b7285", "#5c940d", "#845ef7" };
#define NPAL (sizeof palette / sizeof palette[0])
#define OTHER_COLOR "#868e96"
#define TEMP_COLOR "#e8590c"

/* ---- output text ---------------------------------------------------------- */

struct out {
    char *p;
    size_t len, cap;
    int oom;
};

static void out_printf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out_printf(struct out *o, const char *fmt, ...)
{
    while (!o->oom) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(o->p ? o->p + o->len : NULL, o->p ? o->cap - o->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            o->oom = 1;
        } else if (o->p && o->len + (size_t)n < o->cap) {
            o->len += (size_t)n;
            return;
        } else {
            size_t cap = o->cap ? o->cap : 1 << 16;
            while (cap <= o->len + (size_t)n)
                cap *= 2;
            char *p = realloc(o->p, cap);
            if (!p)
                o->oom = 1;
            else
                o->p = p, o->cap = cap;
        }
    }
}

/* Length of the well-formed UTF-8 sequence at s (2-4), or 0. The second
 * byte's range rules out overlong forms, surrogates and code points past
 * U+10FFFF, which XML parsers reject. */
static int utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    int n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    unsigned lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
    unsigned hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
    if (!n || s[1] < lo || s[1] > hi)
        return 0;
    for (int i = 2; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if (c == 0xef && s[1] == 0xbf && s[2] >= 0xbe)
        return 0;   /* U+FFFE, U+FFFF: not XML characters */
    return n;
}

/* XML character data. Control bytes and broken UTF-8 become '?': session
 * ids and file names come from disk and must not make the file invalid. */
static void out_text(struct out *o, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        int n;
        if (c == '&')
            out_printf(o, "&amp;");
        else if (c == '<')
            out_printf(o, "&lt;");
        else if (c == '>')
            out_printf(o, "&gt;");
        else if (c == '"')
            out_printf(o, "&quot;");
        else if (c == '\n' || (c >= 0x20 && c < 0x7f))
            out_printf(o, "%c", c);
        else if (c >= 0x80 && (n = utf8_len((const unsigned char *)s)) > 0)
            out_printf(o, "%.*s", n, s), s += n - 1;
        else
            out_printf(o, "?");
    }
}

/* <text x y attrs>escaped</text> */
static void out_label(struct out *o, double x, double y, const char *attrs, const char *s)
{
    out_printf(o, "<text x=\"%.1f\" y=\"%.1f\" %s>", x, y, attrs);
    out_text(o, s);
    out_printf(o, "</text>\n");
}

static void out_line(struct out *o, double x1, double y1, double x2, double y2, const char *attrs)
{
    out_printf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" %s/>\n", x1, y1, x2, y2, attrs);
}

static void svg_open(struct out *o, int w, int h, const char *title)
{
    out_printf(o,
               "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\" " FONT " font-size=\"11\">\n<title>",
               w, h, w, h);
    out_text(o, title);
    out_printf(o, "</title>\n<rect class=\"background\" x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" "
                  "fill=\"#ffffff\"/>\n", w, h);
    out_label(o, 20, 28, "font-size=\"17\" font-weight=\"bold\" fill=\"#212529\"", title);
}

/* The "nothing to draw" picture: still a valid SVG, so scripts can always open it. */
static void svg_empty(struct out *o, const char *title, int nfiles)
{
    svg_open(o, 960, 240, title);
    char msg[96];
    snprintf(msg, sizeof msg, "no weak cells in %d file%s", nfiles, nfiles == 1 ? "" : "s");
    out_printf(o, "<text class=\"empty\" x=\"480\" y=\"140\" text-anchor=\"middle\" font-size=\"20\" "
                  "fill=\"#495057\">");
    out_text(o, msg);
    out_printf(o, "</text>\n</svg>\n");
}

/* Temp file in the same directory, then rename: a reader never sees half a file. */
static int write_atomic(const char *path, const struct out *o)
{
    if (o->oom)
        return cli_fail("out of memory");
    if (!strcmp(path, "-")) {
        if (fwrite(o->p, 1, o->len, stdout) != o->len || fflush(stdout))
            return cli_fail("cannot write to stdout: %s", strerror(errno));
        return 0;
    }
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp)
        return cli_fail("out of memory");
    snprintf(tmp, n, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return cli_fail("cannot write %s: %s", path, strerror(e));
    }
    mode_t um = umask(0);
    umask(um);
    int err = fchmod(fd, 0666 & ~um) ? errno : 0;
    for (size_t done = 0; !err && done < o->len;) {
        ssize_t w = write(fd, o->p + done, o->len - done);
        if (w < 0 && errno != EINTR)
            err = errno;
        else if (w > 0)
            done += (size_t)w;
    }
    if (!err && fsync(fd))
        err = errno;
    if (close(fd) && !err)
        err = errno;
    if (!err && rename(tmp, path))
        err = errno;
    if (err)
        unlink(tmp);
    free(tmp);
    return err ? cli_fail("cannot write %s: %s", path, strerror(err)) : 0;
}

/* ---- shared helpers ----------------------------------------------------- */

struct pic_opts {
    const char *out;
    const char *interleave;      /* NULL: no model */
    struct il_model il;
    uint64_t granule;
    char **files;
    int nfiles;
};

static int pic_parse(struct pic_opts *o, int argc, char **argv, int granule_ok)
{
    *o = (struct pic_opts){ .granule = 1 << 20 };
    o->files = calloc((size_t)argc + 1, sizeof *o->files);
    if (!o->files)
        return cli_fail("out of memory");
    int opts = 1;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!opts || a[0] != '-' || !a[1]) {
            o->files[o->nfiles++] = argv[i];
            continue;
        }
        if (!strcmp(a, "--")) {
            opts = 0;
            continue;
        }
        int known = !strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--interleave") ||
                    (granule_ok && !strcmp(a, "--granule"));
        if (!known)
            return cli_fail("unknown option %s (see weakbit --help)", a);
        if (i + 1 >= argc)
            return cli_fail("option %s needs a value", a);
        const char *v = argv[++i];
        if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            o->out = v;
        } else if (!strcmp(a, "--interleave")) {
            if (il_parse(&o->il, v, strlen(v)))
                return cli_fail("bad --interleave '%s': name:0xMASK pairs like ch:0x40,dimm:0x20000", v);
            o->interleave = v;
        } else if (config_parse_granule(v, strlen(v), &o->granule)) {
            return cli_fail("bad granule '%s': a power of two from 4K to 1T, like 1M", v);
        }
    }
    if (!o->out)
        return cli_fail("no output file: add -o FILE.svg");
    if (!o->nfiles)
        return cli_fail("no CSV file given");
    return 0;
}

/* Smallest 1, 2 or 5 times a power of ten that cuts span into at most max steps. */
static uint64_t nice_step(uint64_t span, unsigned max)
{
    for (uint64_t mag = 1;; mag *= 10)
        for (unsigned k = 0; k < 3; k++) {
            uint64_t step = mag * (k == 0 ? 1 : k == 1 ? 2 : 5);
            if ((span + step - 1) / step <= max)
                return step;
        }
}

static long floor_div(long a, long b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* Compare labels with digit runs as numbers, so ch2 comes before ch10. */
static int natural_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
            unsigned long x = strtoul(a, (char **)&a, 10), y = strtoul(b, (char **)&b, 10);
            if (x != y)
                return x < y ? -1 : 1;
        } else if (*a != *b) {
            return (unsigned char)*a - (unsigned char)*b;
        } else {
            a++, b++;
        }
    }
    return (unsigned char)*a - (unsigned char)*b;
}

typedef char label_t[64];

static int label_cmp(const void *a, const void *b)
{
    return natural_cmp(*(const label_t *)a, *(const label_t *)b);
}

static int label_find(label_t *labels, unsigned n, const char *l)
{
    for (unsigned i = 0; i < n; i++)
        if (!strcmp(labels[i], l))
            return (int)i;
    return -1;
}

/* Firmware clock seconds since 2000-01-01 as "YYYY-MM-DD HH:MM:SS". The
 * clock has no zone, so it is formatted as UTC to get the same digits back. */
static void wall_clock(char *buf, size_t cap, uint64_t s2000)
{
    time_t t = (time_t)(s2000 + 946684800ull);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm))
        snprintf(buf, cap, "?");
}

/* Axis tick: mm:ss, hh:mm or "Nd hh:mm", chosen once per axis. */
enum tfmt { T_MMSS, T_HHMM, T_DAYS };

static void tick_time(char *buf, size_t cap, uint64_t s, enum tfmt f)
{
    if (f == T_MMSS)
        snprintf(buf, cap, "%02u:%02u", (unsigned)(s / 60), (unsigned)(s % 60));
    else if (f == T_HHMM)
        snprintf(buf, cap, "%02u:%02u", (unsigned)(s / 3600), (unsigned)(s / 60 % 60));
    else
        snprintf(buf, cap, "%ud %02u:%02u", (unsigned)(s / 86400), (unsigned)(s / 3600 % 24),
                 (unsigned)(s / 60 % 60));
}

/* Tooltip time: h:mm:ss.t since the first session started. */
static void rel_time(char *buf, size_t cap, uint64_t ms)
{
    uint64_t s = ms / 1000;
    snprintf(buf, cap, "+%llu:%02u:%02u.%u", (unsigned long long)(s / 3600), (unsigned)(s / 60 % 60),
             (unsigned)(s % 60), (unsigned)(ms % 1000 / 100));
}

/* ---- timeline ------------------------------------------------------------- */

struct tl_session {
    char id[40];                 /* "": rows before any session line */
    char start[20];
    uint64_t start_s;            /* 0: unknown */
    int file_index;              /* unnamed sessions: their file; named: -1 */
    uint64_t last_ms;            /* latest time_s of its rows */
    uint64_t abs_ms;             /* its start on the time axis */
    unsigned rows;
};

struct tl_row {
    uint64_t abs_ms;
    uint64_t time_ms;
    uint64_t addr;
    uint32_t seq;                /* read order, so equal times keep it */
    uint32_t session;
    int16_t temp_c;
    uint8_t bit;
};

struct tl_data {
    struct tl_session *ses;
    unsigned nses, capses;
    struct tl_row *rows;
    size_t nrows, caprows;
    int file_index;
    int cur;                     /* session the next row belongs to; -1: none yet */
    unsigned skip;               /* rows of cur already read from another file */
};

static int tl_new_session(struct tl_data *d)
{
    if (d->nses == d->capses) {
        unsigned cap = d->capses ? d->capses * 2 : 16;
        struct tl_session *p = realloc(d->ses, cap * sizeof *p);
        if (!p)
            return -1;
        d->ses = p, d->capses = cap;
    }
    d->ses[d->nses] = (struct tl_session){ .file_index = -1 };
    return (int)d->nses++;
}

static int tl_line(void *ctx, const struct cli_csv_line *l)
{
    struct tl_data *d = ctx;
    if (l->file_index != d->file_index)
        d->file_index = l->file_index, d->cur = -1, d->skip = 0;
    if (l->kind == ERRCSV_SESSION) {
        /* The same session in two files is one session: the files are
         * copies of one append-only errors.csv taken at different times,
         * so the rows already read are a prefix of these (or the reverse). */
        d->skip = 0;
        for (unsigned k = 0; k < d->nses; k++)
            if (d->ses[k].file_index < 0 && !strcmp(d->ses[k].id, l->session->id) &&
                !strcmp(d->ses[k].start, l->session->start)) {
                d->cur = (int)k;
                d->skip = d->ses[k].rows;
                return 0;
            }
        int k = tl_new_session(d);
        if (k < 0)
            return cli_fail("out of memory");
        struct tl_session *s = &d->ses[k];
        memcpy(s->id, l->session->id, sizeof s->id);
        memcpy(s->start, l->session->start, sizeof s->start);
        s->start_s = l->session->start_s;
        d->cur = k;
        return 0;
    }
    if (d->skip) {
        d->skip--;
        return 0;
    }
    if (d->cur < 0) {
        if ((d->cur = tl_new_session(d)) < 0)
            return cli_fail("out of memory");
        d->ses[d->cur].file_index = l->file_index;
    }
    if (d->nrows == d->caprows) {
        size_t cap = d->caprows ? d->caprows * 2 : 4096;
        struct tl_row *p = cap < UINT32_MAX ? realloc(d->rows, cap * sizeof *p) : NULL;
        if (!p)
            return cli_fail("out of memory at %zu rows", d->nrows);
        d->rows = p, d->caprows = cap;
    }
    const struct failbit *r = l->row;
    struct tl_session *s = &d->ses[d->cur];
    d->rows[d->nrows] = (struct tl_row){ .time_ms = r->time_ms, .addr = r->addr,
                                         .seq = (uint32_t)d->nrows, .session = (uint32_t)d->cur,
                                         .temp_c = (int16_t)r->temp_c, .bit = (uint8_t)r->bit };
    d->nrows++;
    s->rows++;
    if (r->time_ms > s->last_ms)
        s->last_ms = r->time_ms;
    return 0;
}

static int row_cmp(const void *a, const void *b)
{
    const struct tl_row *x = a, *y = b;
    if (x->abs_ms != y->abs_ms)
        return x->abs_ms < y->abs_ms ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Plot geometry shared by the timeline's drawing helpers. */
struct tl_plot {
    double left, right, top, bottom;
    uint64_t t0_ms, span_ms;     /* time axis: t0 .. t0 + span */
    unsigned ymax;
    int tlo, thi;                /* temperature axis, when there is one */
};

static double tl_x(const struct tl_plot *p, uint64_t abs_ms)
{
    return p->left + (double)(abs_ms - p->t0_ms) / (double)p->span_ms * (p->right - p->left);
}

static double tl_y(const struct tl_plot *p, double count)
{
    return p->bottom - count / p->ymax * (p->bottom - p->top);
}

static double tl_ty(const struct tl_plot *p, int temp)
{
    return p->bottom - (double)(temp - p->tlo) / (p->thi - p->tlo) * (p->bottom - p->top);
}

/* Temperature lines, one per session (no line across the gap between
 * boots). Rows are many; each pixel column keeps its first, lowest,
 * highest and last reading, which draws the same picture. */
static void tl_temps(struct out *o, const struct tl_plot *p, const struct tl_row *rows, size_t n,
                     size_t npoints)
{
    uint32_t ses = UINT32_MAX;
    long col = -1;
    int first = 0, lo = 0, hi = 0, last = 0, open = 0;
    double cx = 0;
    double px = -1, py = -1;
    for (size_t i = 0; i <= n; i++) {
        const struct tl_row *r = i < n ? &rows[i] : NULL;
        if (r && r->temp_c == FAILBIT_NO_TEMP)
            continue;
        double x = r ? tl_x(p, r->abs_ms) : 0;
        int flush = !r || r->session != ses || (long)x != col;
        if (flush && col >= 0) {
            int v[4] = { first, lo, hi, last };
            for (int k = 0; k < 4; k++) {
                double y = tl_ty(p, v[k]);
                if (cx == px && y == py)
                    continue;
                out_printf(o, "%.1f,%.1f ", cx, y);
                px = cx, py = y;
            }
            col = -1;
        }
        if (!r)
            break;
        if (r->session != ses) {
            if (open)
                out_printf(o, "\"/>\n");
            out_printf(o, "<polyline class=\"temp\" fill=\"none\" stroke=\"" TEMP_COLOR "\" "
                          "stroke-width=\"1.5\" stroke-linejoin=\"round\" points=\"");
            open = 1, ses = r->session, px = py = -1;
        }
        if (col < 0) {
            col = (long)x, cx = x;
            first = lo = hi = r->temp_c;
        }
        lo = r->temp_c < lo ? r->temp_c : lo;
        hi = r->temp_c > hi ? r->temp_c : hi;
        last = r->temp_c;
    }
    if (open)
        out_printf(o, "\"/>\n");
    /* Readings exist only where errors were logged: show them as dots
     * while they are few enough to tell apart. */
    if (npoints > 300)
        return;
    for (size_t i = 0; i < n; i++)
        if (rows[i].temp_c != FAILBIT_NO_TEMP)
            out_printf(o, "<circle class=\"temp-point\" cx=\"%.1f\" cy=\"%.1f\" r=\"2\" "
                          "fill=\"" TEMP_COLOR "\"/>\n", tl_x(p, rows[i].abs_ms), tl_ty(p, rows[i].temp_c));
}

static void tl_axes(struct out *o, const struct tl_plot *p, int has_temp, const char *time_title,
                    enum tfmt f, uint64_t tstep_s)
{
    /* Horizontal grid and the count axis. */
    unsigned ystep = (unsigned)nice_step(p->ymax, 6);
    for (unsigned v = 0; v <= p->ymax; v += ystep) {
        double y = tl_y(p, v);
        out_line(o, p->left, y, p->right, y, "stroke=\"#e9ecef\"");
        out_printf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#343a40\">%u</text>\n",
                   p->left - 6, y + 4, v);
    }
    /* Vertical grid and time ticks. */
    for (uint64_t s = 0; s * 1000 <= p->span_ms; s += tstep_s) {
        double x = tl_x(p, p->t0_ms + s * 1000);
        char b[32];
        tick_time(b, sizeof b, s, f);
        out_line(o, x, p->top, x, p->bottom, "stroke=\"#e9ecef\"");
        out_line(o, x, p->bottom, x, p->bottom + 4, "stroke=\"#343a40\"");
        out_label(o, x, p->bottom + 17, "text-anchor=\"middle\" fill=\"#343a40\"", b);
    }
    out_printf(o, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                  "fill=\"none\" stroke=\"#343a40\"/>\n",
               p->left, p->top, p->right - p->left, p->bottom - p->top);
    out_label(o, (p->left + p->right) / 2, p->bottom + 36,
              "text-anchor=\"middle\" font-size=\"12\" fill=\"#212529\"", time_title);
    out_printf(o, "<text x=\"18\" y=\"%.1f\" transform=\"rotate(-90 18 %.1f)\" text-anchor=\"middle\" "
                  "font-size=\"12\" fill=\"#1c4e80\">distinct weak cells</text>\n",
               (p->top + p->bottom) / 2, (p->top + p->bottom) / 2);
    if (!has_temp)
        return;
    int tstep = (int)nice_step((uint64_t)(p->thi - p->tlo), 6);
    for (int v = p->tlo; v <= p->thi; v += tstep) {
        double y = tl_ty(p, v);
        out_line(o, p->right, y, p->right + 4, y, "stroke=\"" TEMP_COLOR "\"");
        out_printf(o, "<text x=\"%.1f\" y=\"%.1f\" fill=\"" TEMP_COLOR "\">%d</text>\n", p->right + 7,
                   y + 4, v);
    }
    double mx = p->right + 48, my = (p->top + p->bottom) / 2;
    out_printf(o, "<text x=\"%.1f\" y=\"%.1f\" transform=\"rotate(90 %.1f %.1f)\" text-anchor=\"middle\" "
                  "font-size=\"12\" fill=\"" TEMP_COLOR "\">CPU temperature (\u00b0C)</text>\n",
               mx, my, mx, my);
}

/* Session starts: dashed lines, the ids above the plot in two rows so
 * neighbours do not print over each other (a crowded id keeps its tooltip). */
static void tl_sessions(struct out *o, const struct tl_plot *p, const struct tl_session *ses,
                        const unsigned *order, unsigned n)
{
    double row_end[2] = { -1e9, -1e9 };
    for (unsigned i = 0; i < n; i++) {
        const struct tl_session *s = &ses[order[i]];
        double x = tl_x(p, s->abs_ms);
        char when[48];
        if (s->start_s)
            snprintf(when, sizeof when, "started %s", s->start);
        else if (s->start[0])
            snprintf(when, sizeof when, "clock unknown (%s)", s->start);
        else
            snprintf(when, sizeof when, "start time unknown");
        char tip[160];
        snprintf(tip, sizeof tip, "session %s\n%s\n%u error row%s", s->id[0] ? s->id : "(no session line)",
                 when, s->rows, s->rows == 1 ? "" : "s");
        out_printf(o, "<line class=\"session\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                      "stroke=\"#868e96\" stroke-width=\"1.2\" stroke-dasharray=\"5,4\"><title>",
                   x, p->top - 22, x, p->bottom);
        out_text(o, tip);
        out_printf(o, "</title></line>\n");
        char label[48];
        snprintf(label, sizeof label, "%s", s->id[0] ? s->id : "(no session line)");
        if (strlen(label) > 18)
            memcpy(label + 15, "...", 4);
        /* Right of the line, or left of it near the right edge. */
        double w = (double)strlen(label) * CHAR_W;
        double tx = x + 3 + w > 955 ? x - 3 - w : x + 3;
        for (int r = 0; r < 2; r++)
            if (tx >= row_end[r]) {
                out_label(o, tx, p->top - 26 + 12 * r, "class=\"session-label\" fill=\"#495057\"", label);
                row_end[r] = tx + w + 8;
                break;
            }
    }
}

struct legend {
    struct out *o;               /* NULL: only measure */
    double x0, right;            /* rows start at x0 and wrap before right */
    double x, y;
};

/* kind: 'l' line, 'd' dashed line, 'c' circle, 'r' shaded box */
static void legend_item(struct legend *lg, char kind, const char *color, const char *text)
{
    double w = 24 + (double)strlen(text) * CHAR_W;
    if (lg->x > lg->x0 && lg->x + w > lg->right)
        lg->x = lg->x0, lg->y += 20;
    struct out *o = lg->o;
    if (!o) {
    } else if (kind == 'c') {
        out_printf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" stroke=\"#ffffff\"/>\n",
                   lg->x + 9, lg->y - 4, color);
    } else if (kind == 'r') {
        out_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"18\" height=\"10\" fill=\"%s\" "
                      "fill-opacity=\"0.45\"/>\n", lg->x, lg->y - 9, color);
    } else {
        char attrs[96];
        snprintf(attrs, sizeof attrs, "stroke=\"%s\" stroke-width=\"2\"%s", color,
                 kind == 'd' ? " stroke-dasharray=\"5,4\"" : "");
        out_line(o, lg->x, lg->y - 4, lg->x + 18, lg->y - 4, attrs);
    }
    if (o)
        out_label(o, lg->x + 24, lg->y, "fill=\"#343a40\"", text);
    lg->x += w + 22;
}

/* The module colours as legend items (o NULL: just measure). */
static void legend_modules(struct legend *lg, label_t *mods, unsigned n, int more)
{
    for (unsigned m = 0; m < n; m++)
        legend_item(lg, 'c', palette[m], mods[m]);
    if (more)
        legend_item(lg, 'c', OTHER_COLOR, "other modules");
}


/* The legend's last line (the interleave model, when given) and the end tag. */
static void finish_svg(struct out *o, const struct legend *lg, const char *interleave)
{
    if (interleave) {
        out_printf(o, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#495057\">modules: ", lg->x0, lg->y + 20);
        out_text(o, interleave);
        out_printf(o, "</text>\n");
    }
    out_printf(o, "</svg>\n");
}
static int tl_render(struct out *o, struct tl_data *d, const struct pic_opts *opt)
{
    /* Place the sessions on one time axis: their own clocks when every
     * session has one, else end to end in file order with a small gap. */
    int clocked = 1;
    for (unsigned k = 0; k < d->nses; k++)
        clocked &= d->ses[k].start_s != 0;
    uint64_t t0 = UINT64_MAX;
    if (clocked) {
        for (unsigned k = 0; k < d->nses; k++) {
            d->ses[k].abs_ms = d->ses[k].start_s * 1000;
            t0 = d->ses[k].abs_ms < t0 ? d->ses[k].abs_ms : t0;
        }
    } else {
        uint64_t total = 0, at = 0;
        for (unsigned k = 0; k < d->nses; k++)
            total += d->ses[k].last_ms;
        uint64_t gap = total / 50 > 1000 ? total / 50 : 1000;
        for (unsigned k = 0; k < d->nses; k++) {
            d->ses[k].abs_ms = at;
            at += d->ses[k].last_ms + gap;
        }
        t0 = 0;
    }
    for (size_t i = 0; i < d->nrows; i++)
        d->rows[i].abs_ms = d->ses[d->rows[i].session].abs_ms + d->rows[i].time_ms;
    if (d->nrows)
        qsort(d->rows, d->nrows, sizeof *d->rows, row_cmp);

    /* First appearance of every cell, over all sessions. */
    struct cell_table t;
    struct cell *mem = calloc(CLI_MAX_CELLS, sizeof *mem);
    size_t *firsts = malloc((d->nrows ? d->nrows : 1) * sizeof *firsts);
    if (!mem || !firsts) {
        free(mem);
        free(firsts);
        return cli_fail("out of memory");
    }
    cells_init(&t, mem, CLI_MAX_CELLS);
    size_t ncells = 0, ntemps = 0;
    int tmin = 1000, tmax = -1000;
    uint64_t t_end = t0;
    for (size_t i = 0; i < d->nrows; i++) {
        const struct tl_row *r = &d->rows[i];
        struct failbit er = { .time_ms = r->abs_ms, .addr = r->addr, .bit = r->bit };
        int k = cells_add(&t, &er);
        if (k < 0) {
            free(mem);
            free(firsts);
            return cli_fail("more than %u distinct cells", CLI_MAX_CELLS * 3 / 4);
        }
        if (k)
            firsts[ncells++] = i;
        if (r->temp_c != FAILBIT_NO_TEMP) {
            ntemps++;
            tmin = r->temp_c < tmin ? r->temp_c : tmin;
            tmax = r->temp_c > tmax ? r->temp_c : tmax;
        }
        t_end = r->abs_ms > t_end ? r->abs_ms : t_end;
    }
    free(mem);
    const char *title = "weakbit timeline: distinct weak cells over time";
    if (!ncells) {
        free(firsts);
        svg_empty(o, title, opt->nfiles);
        return 0;
    }
    for (unsigned k = 0; k < d->nses; k++)
        t_end = d->ses[k].abs_ms > t_end ? d->ses[k].abs_ms : t_end;

    /* Time axis: a round step, at most 8 of them, a little room on the right. */
    static const uint64_t steps[] = { 1,    2,    5,     10,    15,    30,    60,     120,   300,
                                      600,  900,  1800,  3600,  7200,  10800, 21600,  43200, 86400,
                                      172800, 432000, 864000, 1728000, 4320000, 8640000 };
    uint64_t span_s = (t_end - t0 + 999) / 1000;
    uint64_t need = span_s + span_s / 40 + 1;
    need = need < 10 ? 10 : need;
    uint64_t tstep = 0;
    for (unsigned k = 0; k < sizeof steps / sizeof steps[0] && !tstep; k++)
        if ((need + steps[k] - 1) / steps[k] <= 8)
            tstep = steps[k];
    if (!tstep)
        tstep = nice_step(need, 8);
    uint64_t axis_s = (need + tstep - 1) / tstep * tstep;
    enum tfmt f = axis_s <= 3600 && tstep < 3600 ? T_MMSS : axis_s < 100 * 3600 ? T_HHMM : T_DAYS;

    label_t mods[NPAL + 1];
    unsigned nmods = 0;
    int more_mods = 0;
    if (opt->interleave) {
        for (size_t c = 0; c < ncells; c++) {
            label_t l;
            il_label(&opt->il, d->rows[firsts[c]].addr, l, sizeof l);
            if (label_find(mods, nmods, l) >= 0)
                continue;
            if (nmods < NPAL)
                snprintf(mods[nmods++], sizeof mods[0], "%s", l);
            else
                more_mods = 1;
        }
        qsort(mods, nmods, sizeof mods[0], label_cmp);
    }

    int has_temp = ntemps > 0;
    struct legend probe = { NULL, 64, 940, 64, 0 };
    legend_modules(&probe, mods, nmods, more_mods);
    int height = 540 + (nmods ? 20 + (int)probe.y : 0) + (opt->interleave ? 4 : 0);
    struct tl_plot p = { .right = has_temp ? 880 : 930, .top = 96, .bottom = 452,
                         .t0_ms = t0, .span_ms = axis_s * 1000 };
    p.ymax = (unsigned)(ncells + (ncells >= 20 ? ncells / 20 : 1));
    uint64_t ystep = nice_step(p.ymax, 6);
    p.ymax = (unsigned)((p.ymax + ystep - 1) / ystep * ystep);
    /* Room for the widest count label beside the axis title. */
    char widest[16];
    p.left = 36 + snprintf(widest, sizeof widest, "%u", p.ymax) * CHAR_W;
    p.left = p.left < 64 ? 64 : p.left;
    if (has_temp) {
        int lo = tmin - 2, hi = tmax + 2;
        int ts = (int)nice_step((uint64_t)(hi - lo), 5);
        p.tlo = (int)floor_div(lo, ts) * ts;
        p.thi = (int)(floor_div(hi + ts - 1, ts) * ts);
    }

    svg_open(o, 960, height, title);
    char sub[320], when[40] = "";
    unsigned *order = malloc((d->nses ? d->nses : 1) * sizeof *order);
    if (!order) {
        free(firsts);
        return cli_fail("out of memory");
    }
    for (unsigned k = 0; k < d->nses; k++)
        order[k] = k;
    /* Few sessions: insertion sort by position keeps file order on ties. */
    for (unsigned a = 1; a < d->nses; a++)
        for (unsigned b = a; b && d->ses[order[b - 1]].abs_ms > d->ses[order[b]].abs_ms; b--) {
            unsigned x = order[b];
            order[b] = order[b - 1], order[b - 1] = x;
        }
    if (clocked)
        wall_clock(when, sizeof when, t0 / 1000);
    snprintf(sub, sizeof sub, "%zu distinct cell%s from %zu error row%s in %u session%s \u00b7 %s%s%s",
             ncells, ncells == 1 ? "" : "s", d->nrows, d->nrows == 1 ? "" : "s", d->nses,
             d->nses == 1 ? "" : "s", clocked ? "first session started " : "",
             clocked ? when : "session clocks unknown: sessions laid end to end in file order",
             ncells > MAX_MARKERS ? " \u00b7 markers for the first 10000 cells" : "");
    out_label(o, 20, 48, "class=\"subtitle\" font-size=\"12\" fill=\"#495057\"", sub);

    char ttitle[96];
    snprintf(ttitle, sizeof ttitle, "%s (%s)",
             clocked ? "time since the first session started" : "time, sessions placed end to end",
             f == T_MMSS ? "mm:ss" : f == T_HHMM ? "hh:mm" : "days hh:mm");
    tl_axes(o, &p, has_temp, ttitle, f, tstep);
    tl_sessions(o, &p, d->ses, order, d->nses);
    if (has_temp)
        tl_temps(o, &p, d->rows, d->nrows, ntemps);

    /* The cumulative count as a step line, then a marker per new cell. */
    out_printf(o, "<path class=\"cells-line\" fill=\"none\" stroke=\"#1c4e80\" stroke-width=\"2\" "
                  "d=\"M%.1f,%.1f", p.left, p.bottom);
    for (size_t c = 0; c < ncells; c++)
        out_printf(o, " H%.1f V%.1f", tl_x(&p, d->rows[firsts[c]].abs_ms), tl_y(&p, (double)c + 1));
    out_printf(o, " H%.1f\"/>\n", tl_x(&p, t_end));
    for (size_t c = 0; c < ncells && c < MAX_MARKERS; c++) {
        const struct tl_row *r = &d->rows[firsts[c]];
        const struct tl_session *s = &d->ses[r->session];
        label_t mod = "";
        const char *color = palette[0];
        if (opt->interleave) {
            il_label(&opt->il, r->addr, mod, sizeof mod);
            int m = label_find(mods, nmods, mod);
            color = m >= 0 ? palette[m] : OTHER_COLOR;
        }
        char rel[32], wall[40] = "", temp[24], tip[320];
        rel_time(rel, sizeof rel, r->abs_ms - t0);
        if (clocked)
            wall_clock(wall, sizeof wall, r->abs_ms / 1000);
        if (r->temp_c != FAILBIT_NO_TEMP)
            snprintf(temp, sizeof temp, "%d \u00b0C", r->temp_c);
        else
            snprintf(temp, sizeof temp, "temperature n/a");
        snprintf(tip, sizeof tip, "0x%llx bit %u%s%s%s\nfirst seen %s%s%s, session %s\n%s",
                 (unsigned long long)r->addr, r->bit, mod[0] ? " (" : "", mod, mod[0] ? ")" : "", rel,
                 wall[0] ? " = " : "", wall, s->id[0] ? s->id : "(no session line)", temp);
        out_printf(o, "<circle class=\"cell\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" stroke=\"#ffffff\" "
                      "stroke-width=\"1\"><title>",
                   tl_x(&p, r->abs_ms), tl_y(&p, (double)c + 1), color);
        out_text(o, tip);
        out_printf(o, "</title></circle>\n");
    }

    struct legend lg = { o, 64, 940, 64, 512 };
    legend_item(&lg, 'l', "#1c4e80", "distinct weak cells so far");
    if (!nmods)
        legend_item(&lg, 'c', palette[0], "first time a cell failed");
    if (has_temp)
        legend_item(&lg, 'l', TEMP_COLOR, "CPU temperature at each error");
    legend_item(&lg, 'd', "#868e96", "session start");
    if (nmods) {
        lg.x = lg.x0, lg.y += 20;
        legend_modules(&lg, mods, nmods, more_mods);
    }
    finish_svg(o, &lg, opt->interleave);
    free(order);
    free(firsts);
    return 0;
}

int cmd_timeline(int argc, char **argv)
{
    struct pic_opts opt;
    struct tl_data d = { .file_index = -1, .cur = -1 };
    struct out o = { 0 };
    int rc = pic_parse(&opt, argc, argv, 0);
    if (!rc)
        rc = cli_read_csv(opt.files, opt.nfiles, tl_line, &d);
    if (!rc)
        rc = tl_render(&o, &d, &opt);
    if (!rc)
        rc = write_atomic(opt.out, &o);
    free(o.p);
    free(d.rows);
    free(d.ses);
    free(opt.files);
    return rc;
}

/* ---- map ------------------------------------------------------------------ */

/* The module an address is on, as one number: the model's selector bits
 * (each the parity of address & mask) side by side. Equal numbers mean
 * equal il_label() labels, and numbers are cheap to count and compare. */
static uint32_t module_key(const struct il_model *m, uint64_t addr)
{
    uint32_t key = 0;
    unsigned shift = 0;
    for (unsigned k = 0; k < m->nf; k++)
        for (unsigned b = 0; b < m->f[k].nbits; b++)
            key |= (uint32_t)__builtin_parityll(addr & m->f[k].mask[b]) << shift++;
    return key;
}

/* An address on every module the model can tell apart. The key is linear
 * over XOR, so flipping each address bit in turn, starting from address 0,
 * reaches them all. Returns the count, or 0 when there are more than max. */
static unsigned all_modules(const struct il_model *m, uint64_t *rep, unsigned max)
{
    uint32_t key[MAP_ALL_MODULES];
    unsigned n = 1;
    rep[0] = 0;
    key[0] = module_key(m, 0);
    for (unsigned b = 0; b < 64; b++)
        for (unsigned i = 0, had = n; i < had; i++) {
            uint64_t a = rep[i] ^ 1ull << b;
            uint32_t k = module_key(m, a);
            unsigned j = 0;
            while (j < n && key[j] != k)
                j++;
            if (j < n)
                continue;
            if (n == max)
                return 0;
            rep[n] = a, key[n++] = k;
        }
    return n;
}

struct lane {
    label_t label;
    uint32_t key;
    int other;                   /* the lane for modules without their own */
    unsigned cells;
};

static int lane_cmp(const void *a, const void *b)
{
    const struct lane *x = a, *y = b;
    if (x->other != y->other)
        return x->other - y->other;
    return natural_cmp(x->label, y->label);
}

struct keyed {
    uint32_t key;
    unsigned count;
    uint64_t addr;
};

static int keyed_by_key(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key;
}

static int keyed_by_count(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    return x->count > y->count ? -1 : x->count < y->count;
}

/* Lanes for the map, sorted by label: every module of a small model, else
 * the modules that have cells (the busiest, plus one lane for the rest when
 * there are too many). Returns the count, 0 when out of memory. */
static unsigned map_lanes(const struct pic_opts *opt, const struct cell *cells, unsigned n,
                          struct lane *lanes)
{
    unsigned nl = 0;
    if (!opt->interleave) {
        snprintf(lanes[0].label, sizeof lanes[0].label, "all memory");
        return 1;
    }
    uint64_t rep[MAP_ALL_MODULES];
    unsigned nm = all_modules(&opt->il, rep, MAP_ALL_MODULES);
    for (unsigned i = 0; i < nm; i++) {
        lanes[nl].key = module_key(&opt->il, rep[i]);
        il_label(&opt->il, rep[i], lanes[nl++].label, sizeof lanes[0].label);
    }
    if (!nm) {
        struct keyed *kc = malloc(n * sizeof *kc);
        if (!kc)
            return 0;
        for (unsigned i = 0; i < n; i++)
            kc[i] = (struct keyed){ module_key(&opt->il, cells[i].addr), 1, cells[i].addr };
        qsort(kc, n, sizeof *kc, keyed_by_key);
        unsigned nk = 0;
        for (unsigned i = 0; i < n; i++)
            if (nk && kc[nk - 1].key == kc[i].key)
                kc[nk - 1].count++;
            else
                kc[nk++] = kc[i];
        if (nk > MAP_MAX_LANES) {
            qsort(kc, nk, sizeof *kc, keyed_by_count);
            nk = MAP_MAX_LANES - 1;
            lanes[nk].other = 1;
            snprintf(lanes[nk].label, sizeof lanes[0].label, "other modules");
            nl = 1;
        }
        for (unsigned i = 0; i < nk; i++) {
            lanes[i].key = kc[i].key;
            il_label(&opt->il, kc[i].addr, lanes[i].label, sizeof lanes[0].label);
        }
        nl += nk;
        free(kc);
    }
    qsort(lanes, nl, sizeof *lanes, lane_cmp);
    return nl;
}

struct mark {
    uint64_t lo, hi;             /* first and last address merged into it */
    uint64_t errors;
    unsigned cells;
    int lane, xq;                /* xq: x in half pixels */
    unsigned bit;
};

static int mark_cmp(const void *a, const void *b)
{
    const struct mark *x = a, *y = b;
    if (x->lane != y->lane)
        return x->lane - y->lane;
    if (x->bit != y->bit)
        return x->bit < y->bit ? -1 : 1;
    if (x->xq != y->xq)
        return x->xq - y->xq;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void gib_label(char *buf, size_t cap, double bytes, double unit, const char *name)
{
    snprintf(buf, cap, "%g %s", bytes / unit, name);
}

static int map_render(struct out *o, const struct cell *cells, unsigned n, const struct pic_opts *opt)
{
    const char *title = "weakbit map: weak cells over the physical address space";
    if (!n) {
        svg_empty(o, title, opt->nfiles);
        return 0;
    }
    struct lane *lanes = calloc(MAP_MAX_LANES, sizeof *lanes);
    struct mark *marks = calloc(n, sizeof *marks);
    unsigned nl = lanes && marks ? map_lanes(opt, cells, n, lanes) : 0;
    if (!nl) {
        free(lanes);
        free(marks);
        return cli_fail("out of memory");
    }

    uint64_t maxaddr = 0, errors = 0;
    for (unsigned i = 0; i < n; i++) {
        maxaddr = cells[i].addr > maxaddr ? cells[i].addr : maxaddr;
        errors += cells[i].count;
    }
    double top = 1073741824.0;
    for (unsigned tb = 30; tb < 64 && maxaddr >> tb; tb++)
        top *= 2;

    /* Room on the left for the longest lane label (bold 12 px). */
    size_t longest = 0;
    for (unsigned l = 0; l < nl; l++)
        longest = strlen(lanes[l].label) > longest ? strlen(lanes[l].label) : longest;
    double left = 24 + (double)longest * 8.2;
    left = left < 150 ? 150 : left > 480 ? 480 : left;
    const double right = 930, ptop = 70, lane_h = nl > 8 ? 40 : 56;
    double pw = right - left;
    for (unsigned i = 0; i < n; i++) {
        /* The shared lane sorts last, so it is the fallback. */
        unsigned lane = 0;
        if (opt->interleave) {
            uint32_t key = module_key(&opt->il, cells[i].addr);
            while (lane + 1 < nl && (lanes[lane].other || lanes[lane].key != key))
                lane++;
        }
        lanes[lane].cells++;
        double x = (double)cells[i].addr / top * pw;
        marks[i] = (struct mark){ cells[i].addr, cells[i].addr, cells[i].count, 1, (int)lane,
                                  (int)(x * 2 + 0.5), cells[i].bit };
    }
    /* Cells that would land on the same spot become one mark. */
    qsort(marks, n, sizeof *marks, mark_cmp);
    unsigned nm = 0;
    for (unsigned i = 0; i < n; i++) {
        struct mark *m = &marks[i];
        if (nm && marks[nm - 1].lane == m->lane && marks[nm - 1].bit == m->bit && marks[nm - 1].xq == m->xq) {
            struct mark *p = &marks[nm - 1];
            p->lo = m->lo < p->lo ? m->lo : p->lo;
            p->hi = m->hi > p->hi ? m->hi : p->hi;
            p->errors += m->errors;
            p->cells++;
        } else {
            marks[nm++] = *m;
        }
    }

    double pbottom = ptop + nl * lane_h;
    int height = (int)pbottom + 82 + (opt->interleave ? 20 : 0);
    svg_open(o, 960, height, title);

    double unit = top >= 8.0 * 1099511627776.0 ? 1099511627776.0 : 1073741824.0;
    const char *uname = unit > 1073741824.0 ? "TiB" : "GiB";
    char gran[32], topl[32], sub[320];
    fmt_size(gran, sizeof gran, opt->granule);
    gib_label(topl, sizeof topl, top, unit, uname);

    /* Granules badram masks, as runs of adjacent ones (cells are sorted). */
    uint64_t g = opt->granule;
    unsigned ngran = 0, nruns = 0;
    uint64_t *runs = malloc(2 * (size_t)n * sizeof *runs);
    if (!runs) {
        free(marks);
        free(lanes);
        return cli_fail("out of memory");
    }
    for (unsigned i = 0; i < n;) {
        uint64_t lo = cells[i].addr & ~(g - 1), hi = lo + g;
        ngran++;
        for (i++; i < n; i++) {
            uint64_t gi = cells[i].addr & ~(g - 1);
            if (gi == hi)
                hi += g, ngran++;
            else if (gi > hi)
                break;
        }
        runs[2 * nruns] = lo;
        runs[2 * nruns++ + 1] = hi;
    }

    snprintf(sub, sizeof sub,
             "%u cell%s, %llu error%s \u00b7 address axis 0 to %s \u00b7 shaded: %u masked granule%s of %s",
             n, n == 1 ? "" : "s", (unsigned long long)errors, errors == 1 ? "" : "s", topl, ngran,
             ngran == 1 ? "" : "s", gran);
    out_label(o, 20, 48, "class=\"subtitle\" font-size=\"12\" fill=\"#495057\"", sub);

    for (unsigned l = 0; l < nl; l++) {
        double y = ptop + l * lane_h;
        out_printf(o, "<rect class=\"lane\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                      "fill=\"%s\" stroke=\"#ced4da\"/>\n",
                   left, y, pw, lane_h, l % 2 ? "#eef0f2" : "#f8f9fa");
        out_label(o, left - 10, y + lane_h / 2 - 2,
                  "class=\"lane-label\" text-anchor=\"end\" font-size=\"12\" font-weight=\"bold\" "
                  "fill=\"#212529\"", lanes[l].label);
        char cnt[32];
        snprintf(cnt, sizeof cnt, "%u cell%s", lanes[l].cells, lanes[l].cells == 1 ? "" : "s");
        out_label(o, left - 10, y + lane_h / 2 + 12, "text-anchor=\"end\" fill=\"#495057\"", cnt);
    }
    /* Shaded across every lane: masking goes by address, so it takes
     * memory from all modules alike. A granule is far below a pixel here,
     * so each shade is at least 1.5 px wide and shades that would touch
     * become one. */
    for (unsigned r = 0; r < nruns;) {
        uint64_t lo = runs[2 * r], hi = runs[2 * r + 1], count = (hi - lo) / g;
        double x0 = left + (double)lo / top * pw, x1 = left + (double)hi / top * pw;
        if (x1 - x0 < 1.5)
            x0 = (x0 + x1) / 2 - 0.75, x1 = x0 + 1.5;
        for (r++; r < nruns && left + (double)runs[2 * r] / top * pw < x1 + 0.5; r++) {
            hi = runs[2 * r + 1], count += (runs[2 * r + 1] - runs[2 * r]) / g;
            double e = left + (double)hi / top * pw;
            x1 = e > x1 ? e : x1;
        }
        out_printf(o, "<rect class=\"granule\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" "
                      "fill=\"#fa5252\" fill-opacity=\"0.45\"><title>masked: %llu granule%s of %s in "
                      "0x%llx-0x%llx</title></rect>\n",
                   x0, ptop, x1 - x0, pbottom - ptop, (unsigned long long)count, count == 1 ? "" : "s", gran,
                   (unsigned long long)lo, (unsigned long long)(hi - 1));
    }
    free(runs);

    /* Address ticks: eighths of the power-of-two range. */
    for (unsigned k = 0; k <= 8; k++) {
        double x = left + pw * k / 8;
        char b[32];
        gib_label(b, sizeof b, top * k / 8, unit, uname);
        out_line(o, x, ptop, x, pbottom, "stroke=\"#ced4da\" stroke-dasharray=\"2,3\"");
        out_line(o, x, pbottom, x, pbottom + 4, "stroke=\"#343a40\"");
        out_label(o, x, pbottom + 17, "text-anchor=\"middle\" fill=\"#343a40\"", b);
    }
    out_printf(o, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
                  "stroke=\"#343a40\"/>\n", left, ptop, pw, pbottom - ptop);
    out_label(o, (left + right) / 2, pbottom + 36, "text-anchor=\"middle\" font-size=\"12\" fill=\"#212529\"",
              "physical address");

    for (unsigned i = 0; i < nm; i++) {
        const struct mark *m = &marks[i];
        double x = left + m->xq / 2.0;
        double y = ptop + m->lane * lane_h + 9 + (lane_h - 18) * m->bit / 63.0;
        char tip[200];
        if (m->cells == 1)
            snprintf(tip, sizeof tip, "0x%llx bit %u\n%llu error%s%s%s", (unsigned long long)m->lo, m->bit,
                     (unsigned long long)m->errors, m->errors == 1 ? "" : "s", opt->interleave ? "\n" : "",
                     opt->interleave ? lanes[m->lane].label : "");
        else
            snprintf(tip, sizeof tip, "%u cells at 0x%llx-0x%llx bit %u\n%llu errors%s%s", m->cells,
                     (unsigned long long)m->lo, (unsigned long long)m->hi, m->bit,
                     (unsigned long long)m->errors, opt->interleave ? "\n" : "",
                     opt->interleave ? lanes[m->lane].label : "");
        out_printf(o, "<circle class=\"cell\" cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"#1c4e80\" "
                      "stroke=\"#ffffff\" stroke-width=\"1\"><title>",
                   x, y, m->cells > 1 ? "4.5" : "3.5");
        out_text(o, tip);
        out_printf(o, "</title></circle>\n");
    }

    /* Legend from the left edge: a wide label column must not push it off. */
    struct legend lg = { o, 20, 940, 20, pbottom + 62 };
    legend_item(&lg, 'c', "#1c4e80", "weak cell (height in lane: bit 0 top, 63 bottom)");
    char gl[64];
    snprintf(gl, sizeof gl, "%s granule masked by badram", gran);
    legend_item(&lg, 'r', "#fa5252", gl);
    finish_svg(o, &lg, opt->interleave);
    free(marks);
    free(lanes);
    return 0;
}

int cmd_map(int argc, char **argv)
{
    struct pic_opts opt;
    struct out o = { 0 };
    struct cell *mem = NULL;
    int rc = pic_parse(&opt, argc, argv, 1);
    if (!rc && !(mem = calloc(CLI_MAX_CELLS, sizeof *mem)))
        rc = cli_fail("out of memory");
    if (!rc) {
        struct cell_table t;
        cells_init(&t, mem, CLI_MAX_CELLS);
        rc = cli_load_csv(&t, opt.files, opt.nfiles);
        if (!rc)
            rc = map_render(&o, t.slot, cells_sort(&t), &opt);
    }
    if (!rc)
        rc = write_atomic(opt.out, &o);
    free(o.p);
    free(mem);
    free(opt.files);
    return rc;
}
