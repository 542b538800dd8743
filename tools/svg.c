// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "cli_opt.h"
#include "svg.h"

#define FONT "font-family=\"DejaVu Sans, Verdana, Arial, sans-serif\""

/* ---- output text ---------------------------------------------------------- */

void svg_printf(struct svg_out *o, const char *fmt, ...)
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
void svg_text(struct svg_out *o, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        int n;
        if (c == '&')
            svg_printf(o, "&amp;");
        else if (c == '<')
            svg_printf(o, "&lt;");
        else if (c == '>')
            svg_printf(o, "&gt;");
        else if (c == '"')
            svg_printf(o, "&quot;");
        else if (c == '\n' || (c >= 0x20 && c < 0x7f))
            svg_printf(o, "%c", c);
        else if (c >= 0x80 && (n = utf8_len((const unsigned char *)s)) > 0)
            svg_printf(o, "%.*s", n, s), s += n - 1;
        else
            svg_printf(o, "?");
    }
}

/* <text x y attrs>escaped</text> */
void svg_label(struct svg_out *o, double x, double y, const char *attrs, const char *s)
{
    svg_printf(o, "<text x=\"%.1f\" y=\"%.1f\" %s>", x, y, attrs);
    svg_text(o, s);
    svg_printf(o, "</text>\n");
}

void svg_line(struct svg_out *o, double x1, double y1, double x2, double y2, const char *attrs)
{
    svg_printf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" %s/>\n", x1, y1, x2, y2, attrs);
}

void svg_open(struct svg_out *o, int w, int h, const char *title)
{
    svg_printf(o,
               "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\" " FONT " font-size=\"11\">\n<title>",
               w, h, w, h);
    svg_text(o, title);
    svg_printf(o, "</title>\n<rect class=\"background\" x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" "
                  "fill=\"#ffffff\"/>\n", w, h);
    svg_label(o, 20, 28, "font-size=\"17\" font-weight=\"bold\" fill=\"#212529\"", title);
}

/* The "nothing to draw" picture: still a valid SVG, so scripts can always open it. */
void svg_empty(struct svg_out *o, const char *title, int nfiles)
{
    svg_open(o, 960, 240, title);
    char msg[96];
    snprintf(msg, sizeof msg, "no weak cells in %d file%s", nfiles, nfiles == 1 ? "" : "s");
    svg_printf(o, "<text class=\"empty\" x=\"480\" y=\"140\" text-anchor=\"middle\" font-size=\"20\" "
                  "fill=\"#495057\">");
    svg_text(o, msg);
    svg_printf(o, "</text>\n</svg>\n");
}

/* ---- legend, footer, labels ------------------------------------------------ */

void svg_legend_item(struct svg_legend *lg, char kind, const char *color, const char *text)
{
    double w = 24 + (double)strlen(text) * SVG_CHAR_W;
    if (lg->x > lg->x0 && lg->x + w > lg->right)
        lg->x = lg->x0, lg->y += 20;
    struct svg_out *o = lg->o;
    if (!o) {
    } else if (kind == 'c') {
        svg_printf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" stroke=\"#ffffff\"/>\n",
                   lg->x + 9, lg->y - 4, color);
    } else if (kind == 'r') {
        svg_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"18\" height=\"10\" fill=\"%s\" "
                      "fill-opacity=\"0.45\"/>\n", lg->x, lg->y - 9, color);
    } else {
        char attrs[96];
        snprintf(attrs, sizeof attrs, "stroke=\"%s\" stroke-width=\"2\"%s", color,
                 kind == 'd' ? " stroke-dasharray=\"5,4\"" : "");
        svg_line(o, lg->x, lg->y - 4, lg->x + 18, lg->y - 4, attrs);
    }
    if (o)
        svg_label(o, lg->x + 24, lg->y, "fill=\"#343a40\"", text);
    lg->x += w + 22;
}

/* The legend's last line (the interleave model, when given) and the end tag. */
void svg_finish(struct svg_out *o, const struct svg_legend *lg, const char *interleave)
{
    if (interleave) {
        svg_printf(o, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#495057\">modules: ", lg->x0, lg->y + 20);
        svg_text(o, interleave);
        svg_printf(o, "</text>\n");
    }
    svg_printf(o, "</svg>\n");
}

/* Compare labels with digit runs as numbers, so ch2 comes before ch10. */
int svg_natural_cmp(const char *a, const char *b)
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

/* ---- options and the file ------------------------------------------------ */

int svg_opts_parse(struct svg_opts *o, int argc, char **argv, int granule_ok)
{
    *o = (struct svg_opts){ .granule = cli_badram_defaults().granule, .files = argv };
    const struct cli_opt opts[] = {
        { "--output", "-o", CLI_OPT_STRING, &o->out },
        { "--interleave", NULL, CLI_OPT_INTERLEAVE, &o->interleave },
        /* last, so that timeline ends its table here */
        { granule_ok ? "--granule" : NULL, NULL, CLI_OPT_GRANULE, &o->granule },
        CLI_OPT_END,
    };
    if (cli_opt_parse(opts, argc, argv, &o->nfiles))
        return 2;
    if (o->interleave)
        il_parse(&o->il, o->interleave, strlen(o->interleave));   /* checked by the parser */
    if (!o->out)
        return cli_fail("no output file: add -o FILE.svg");
    if (!o->nfiles)
        return cli_fail("no CSV file given");
    return 0;
}

int svg_write(const struct svg_out *o, const char *path)
{
    if (o->oom)
        return cli_fail("out of memory");
    if (!strcmp(path, "-")) {
        if (fwrite(o->p, 1, o->len, stdout) != o->len || fflush(stdout))
            return cli_fail("cannot write to stdout: %s", strerror(errno));
        return 0;
    }
    if (atomic_write(path, o->p, o->len, atomic_new_file_mode()))
        return cli_fail("cannot write %s: %s", path, strerror(errno));
    return 0;
}

int svg_command(int argc, char **argv, int granule_ok, svg_draw_fn draw)
{
    struct svg_opts opt;
    struct svg_out o = { 0 };
    int rc = svg_opts_parse(&opt, argc, argv, granule_ok);
    if (!rc)
        rc = draw(&o, &opt);
    if (!rc)
        rc = svg_write(&o, opt.out);
    free(o.p);
    return rc;
}
