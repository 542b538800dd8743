// SPDX-License-Identifier: MIT
// The SVG writer behind `weakbit timeline` and `weakbit map`: a growing
// text buffer, escaped labels, lines, the page head, the legend and the
// footer, and what both picture subcommands share: options, the atomic
// write of the file and the run from arguments to file (svg_command).
// Plain SVG 1.1 with presentation attributes only (no CSS, scripts, fonts
// or links), so browsers, rsvg and image viewers all draw the same thing.
#ifndef TOOLS_SVG_H
#define TOOLS_SVG_H

#include <stddef.h>
#include <stdint.h>
#include "core/interleave.h"

#define SVG_CHAR_W 6.6       /* rough advance of an 11 px sans character */

/* The picture as it is written; oom when memory ran out (checked by svg_write). */
struct svg_out {
    char *p;
    size_t len, cap;
    int oom;
};

/* Append printf-formatted text. */
void svg_printf(struct svg_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append XML character data: markup escaped, control bytes and broken UTF-8 as '?'. */
void svg_text(struct svg_out *o, const char *s);

/* <text x y attrs>escaped s</text> */
void svg_label(struct svg_out *o, double x, double y, const char *attrs, const char *s);

/* <line x1 y1 x2 y2 attrs/> */
void svg_line(struct svg_out *o, double x1, double y1, double x2, double y2, const char *attrs);

/* The XML head, the root element w x h, a white background and the title. */
void svg_open(struct svg_out *o, int w, int h, const char *title);

/* The whole "nothing to draw" picture: still a valid SVG. */
void svg_empty(struct svg_out *o, const char *title, int nfiles);

/* A legend laid out in rows; with o NULL it only measures. */
struct svg_legend {
    struct svg_out *o;           /* NULL: only measure */
    double x0, right;            /* rows start at x0 and wrap before right */
    double x, y;
};

/* One legend entry. kind: 'l' line, 'd' dashed line, 'c' circle, 'r' shaded box. */
void svg_legend_item(struct svg_legend *lg, char kind, const char *color, const char *text);

/* The footer: the interleave model under the legend, when given, and the end tag. */
void svg_finish(struct svg_out *o, const struct svg_legend *lg, const char *interleave);

/* Compare labels with digit runs as numbers, so ch2 comes before ch10. */
int svg_natural_cmp(const char *a, const char *b);

typedef char svg_label_t[64];

/* What timeline and map are asked for on the command line. */
struct svg_opts {
    const char *out;
    const char *interleave;      /* NULL: no model */
    struct il_model il;
    uint64_t granule;
    char **files;
    int nfiles;
};

/* Parse -o/--output, --interleave and (granule_ok) --granule among the
 * files. Returns 0, or 2 with a one-line reason printed. */
int svg_opts_parse(struct svg_opts *o, int argc, char **argv, int granule_ok);

/* Write the picture to path, replaced atomically ("-": stdout). Returns 0
 * or 2 (reason printed). */
int svg_write(const struct svg_out *o, const char *path);

/* Draws the picture of opt->files into o; returns 0 or an exit status (reason printed). */
typedef int (*svg_draw_fn)(struct svg_out *o, const struct svg_opts *opt);

/* A picture subcommand: svg_opts_parse, draw, svg_write. Returns the exit status. */
int svg_command(int argc, char **argv, int granule_ok, svg_draw_fn draw);

#endif
