// SPDX-License-Identifier: MIT
// `weakbit timeline`: distinct weak cells over time, one axis for every
// session in the files, with CPU temperature and session starts.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "svg.h"

#define MAX_MARKERS 10000    /* markers; the step line still counts every cell */

static const char *const palette[] = { "#1c4e80", "#2b8a3e", "#862e9c", "#c2255c",
                                       "#0b7285", "#5c940d", "#845ef7" };
#define NPAL (sizeof palette / sizeof palette[0])
#define OTHER_COLOR "#868e96"
#define TEMP_COLOR "#e8590c"

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

static int label_cmp(const void *a, const void *b)
{
    return svg_natural_cmp(*(const svg_label_t *)a, *(const svg_label_t *)b);
}

static int label_find(svg_label_t *labels, unsigned n, const char *l)
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
static void tl_temps(struct svg_out *o, const struct tl_plot *p, const struct tl_row *rows, size_t n,
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
                svg_printf(o, "%.1f,%.1f ", cx, y);
                px = cx, py = y;
            }
            col = -1;
        }
        if (!r)
            break;
        if (r->session != ses) {
            if (open)
                svg_printf(o, "\"/>\n");
            svg_printf(o, "<polyline class=\"temp\" fill=\"none\" stroke=\"" TEMP_COLOR "\" "
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
        svg_printf(o, "\"/>\n");
    /* Readings exist only where errors were logged: show them as dots
     * while they are few enough to tell apart. */
    if (npoints > 300)
        return;
    for (size_t i = 0; i < n; i++)
        if (rows[i].temp_c != FAILBIT_NO_TEMP)
            svg_printf(o, "<circle class=\"temp-point\" cx=\"%.1f\" cy=\"%.1f\" r=\"2\" "
                          "fill=\"" TEMP_COLOR "\"/>\n", tl_x(p, rows[i].abs_ms), tl_ty(p, rows[i].temp_c));
}

static void tl_axes(struct svg_out *o, const struct tl_plot *p, int has_temp, const char *time_title,
                    enum tfmt f, uint64_t tstep_s)
{
    /* Horizontal grid and the count axis. */
    unsigned ystep = (unsigned)nice_step(p->ymax, 6);
    for (unsigned v = 0; v <= p->ymax; v += ystep) {
        double y = tl_y(p, v);
        svg_line(o, p->left, y, p->right, y, "stroke=\"#e9ecef\"");
        svg_printf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#343a40\">%u</text>\n",
                   p->left - 6, y + 4, v);
    }
    /* Vertical grid and time ticks. */
    for (uint64_t s = 0; s * 1000 <= p->span_ms; s += tstep_s) {
        double x = tl_x(p, p->t0_ms + s * 1000);
        char b[32];
        tick_time(b, sizeof b, s, f);
        svg_line(o, x, p->top, x, p->bottom, "stroke=\"#e9ecef\"");
        svg_line(o, x, p->bottom, x, p->bottom + 4, "stroke=\"#343a40\"");
        svg_label(o, x, p->bottom + 17, "text-anchor=\"middle\" fill=\"#343a40\"", b);
    }
    svg_printf(o, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                  "fill=\"none\" stroke=\"#343a40\"/>\n",
               p->left, p->top, p->right - p->left, p->bottom - p->top);
    svg_label(o, (p->left + p->right) / 2, p->bottom + 36,
              "text-anchor=\"middle\" font-size=\"12\" fill=\"#212529\"", time_title);
    svg_printf(o, "<text x=\"18\" y=\"%.1f\" transform=\"rotate(-90 18 %.1f)\" text-anchor=\"middle\" "
                  "font-size=\"12\" fill=\"#1c4e80\">distinct weak cells</text>\n",
               (p->top + p->bottom) / 2, (p->top + p->bottom) / 2);
    if (!has_temp)
        return;
    int tstep = (int)nice_step((uint64_t)(p->thi - p->tlo), 6);
    for (int v = p->tlo; v <= p->thi; v += tstep) {
        double y = tl_ty(p, v);
        svg_line(o, p->right, y, p->right + 4, y, "stroke=\"" TEMP_COLOR "\"");
        svg_printf(o, "<text x=\"%.1f\" y=\"%.1f\" fill=\"" TEMP_COLOR "\">%d</text>\n", p->right + 7,
                   y + 4, v);
    }
    double mx = p->right + 48, my = (p->top + p->bottom) / 2;
    svg_printf(o, "<text x=\"%.1f\" y=\"%.1f\" transform=\"rotate(90 %.1f %.1f)\" text-anchor=\"middle\" "
                  "font-size=\"12\" fill=\"" TEMP_COLOR "\">CPU temperature (\u00b0C)</text>\n",
               mx, my, mx, my);
}

/* Session starts: dashed lines, the ids above the plot in two rows so
 * neighbours do not print over each other (a crowded id keeps its tooltip). */
static void tl_sessions(struct svg_out *o, const struct tl_plot *p, const struct tl_session *ses,
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
        svg_printf(o, "<line class=\"session\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                      "stroke=\"#868e96\" stroke-width=\"1.2\" stroke-dasharray=\"5,4\"><title>",
                   x, p->top - 22, x, p->bottom);
        svg_text(o, tip);
        svg_printf(o, "</title></line>\n");
        char label[48];
        snprintf(label, sizeof label, "%s", s->id[0] ? s->id : "(no session line)");
        if (strlen(label) > 18)
            memcpy(label + 15, "...", 4);
        /* Right of the line, or left of it near the right edge. */
        double w = (double)strlen(label) * SVG_CHAR_W;
        double tx = x + 3 + w > 955 ? x - 3 - w : x + 3;
        for (int r = 0; r < 2; r++)
            if (tx >= row_end[r]) {
                svg_label(o, tx, p->top - 26 + 12 * r, "class=\"session-label\" fill=\"#495057\"", label);
                row_end[r] = tx + w + 8;
                break;
            }
    }
}

/* The module colours as legend items (o NULL: just measure). */
static void legend_modules(struct svg_legend *lg, svg_label_t *mods, unsigned n, int more)
{
    for (unsigned m = 0; m < n; m++)
        svg_legend_item(lg, 'c', palette[m], mods[m]);
    if (more)
        svg_legend_item(lg, 'c', OTHER_COLOR, "other modules");
}

static int tl_render(struct svg_out *o, struct tl_data *d, const struct svg_opts *opt)
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

    svg_label_t mods[NPAL + 1];
    unsigned nmods = 0;
    int more_mods = 0;
    if (opt->interleave) {
        for (size_t c = 0; c < ncells; c++) {
            svg_label_t l;
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
    struct svg_legend probe = { NULL, 64, 940, 64, 0 };
    legend_modules(&probe, mods, nmods, more_mods);
    int height = 540 + (nmods ? 20 + (int)probe.y : 0) + (opt->interleave ? 4 : 0);
    struct tl_plot p = { .right = has_temp ? 880 : 930, .top = 96, .bottom = 452,
                         .t0_ms = t0, .span_ms = axis_s * 1000 };
    p.ymax = (unsigned)(ncells + (ncells >= 20 ? ncells / 20 : 1));
    uint64_t ystep = nice_step(p.ymax, 6);
    p.ymax = (unsigned)((p.ymax + ystep - 1) / ystep * ystep);
    /* Room for the widest count label beside the axis title. */
    char widest[16];
    p.left = 36 + snprintf(widest, sizeof widest, "%u", p.ymax) * SVG_CHAR_W;
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
    svg_label(o, 20, 48, "class=\"subtitle\" font-size=\"12\" fill=\"#495057\"", sub);

    char ttitle[96];
    snprintf(ttitle, sizeof ttitle, "%s (%s)",
             clocked ? "time since the first session started" : "time, sessions placed end to end",
             f == T_MMSS ? "mm:ss" : f == T_HHMM ? "hh:mm" : "days hh:mm");
    tl_axes(o, &p, has_temp, ttitle, f, tstep);
    tl_sessions(o, &p, d->ses, order, d->nses);
    if (has_temp)
        tl_temps(o, &p, d->rows, d->nrows, ntemps);

    /* The cumulative count as a step line, then a marker per new cell. */
    svg_printf(o, "<path class=\"cells-line\" fill=\"none\" stroke=\"#1c4e80\" stroke-width=\"2\" "
                  "d=\"M%.1f,%.1f", p.left, p.bottom);
    for (size_t c = 0; c < ncells; c++)
        svg_printf(o, " H%.1f V%.1f", tl_x(&p, d->rows[firsts[c]].abs_ms), tl_y(&p, (double)c + 1));
    svg_printf(o, " H%.1f\"/>\n", tl_x(&p, t_end));
    for (size_t c = 0; c < ncells && c < MAX_MARKERS; c++) {
        const struct tl_row *r = &d->rows[firsts[c]];
        const struct tl_session *s = &d->ses[r->session];
        svg_label_t mod = "";
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
        svg_printf(o, "<circle class=\"cell\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" stroke=\"#ffffff\" "
                      "stroke-width=\"1\"><title>",
                   tl_x(&p, r->abs_ms), tl_y(&p, (double)c + 1), color);
        svg_text(o, tip);
        svg_printf(o, "</title></circle>\n");
    }

    struct svg_legend lg = { o, 64, 940, 64, 512 };
    svg_legend_item(&lg, 'l', "#1c4e80", "distinct weak cells so far");
    if (!nmods)
        svg_legend_item(&lg, 'c', palette[0], "first time a cell failed");
    if (has_temp)
        svg_legend_item(&lg, 'l', TEMP_COLOR, "CPU temperature at each error");
    svg_legend_item(&lg, 'd', "#868e96", "session start");
    if (nmods) {
        lg.x = lg.x0, lg.y += 20;
        legend_modules(&lg, mods, nmods, more_mods);
    }
    svg_finish(o, &lg, opt->interleave);
    free(order);
    free(firsts);
    return 0;
}

/* The rows and sessions of the files, drawn. */
static int tl_draw(struct svg_out *o, const struct svg_opts *opt)
{
    struct tl_data d = { .file_index = -1, .cur = -1 };
    int rc = cli_read_csv(opt->files, opt->nfiles, tl_line, &d);
    if (!rc)
        rc = tl_render(o, &d, opt);
    free(d.rows);
    free(d.ses);
    return rc;
}

int cmd_timeline(int argc, char **argv)
{
    return svg_command(argc, argv, 0, tl_draw);
}
