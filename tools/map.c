// SPDX-License-Identifier: MIT
// `weakbit map`: the weak cells over the physical address space, a lane per
// module of the interleave model, and the granules badram masks.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/fmt.h"
#include "svg.h"

#define MAP_ALL_MODULES 16   /* models with at most this many modules get a lane for each */
#define MAP_MAX_LANES 32

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
    svg_label_t label;
    uint32_t key;
    int other;                   /* the lane for modules without their own */
    unsigned cells;
};

static int lane_cmp(const void *a, const void *b)
{
    const struct lane *x = a, *y = b;
    if (x->other != y->other)
        return x->other - y->other;
    return svg_natural_cmp(x->label, y->label);
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
static unsigned map_lanes(const struct svg_opts *opt, const struct cell *cells, unsigned n,
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

static int map_render(struct svg_out *o, const struct cell *cells, unsigned n, const struct svg_opts *opt)
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
    svg_label(o, 20, 48, "class=\"subtitle\" font-size=\"12\" fill=\"#495057\"", sub);

    for (unsigned l = 0; l < nl; l++) {
        double y = ptop + l * lane_h;
        svg_printf(o, "<rect class=\"lane\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                      "fill=\"%s\" stroke=\"#ced4da\"/>\n",
                   left, y, pw, lane_h, l % 2 ? "#eef0f2" : "#f8f9fa");
        svg_label(o, left - 10, y + lane_h / 2 - 2,
                  "class=\"lane-label\" text-anchor=\"end\" font-size=\"12\" font-weight=\"bold\" "
                  "fill=\"#212529\"", lanes[l].label);
        char cnt[32];
        snprintf(cnt, sizeof cnt, "%u cell%s", lanes[l].cells, lanes[l].cells == 1 ? "" : "s");
        svg_label(o, left - 10, y + lane_h / 2 + 12, "text-anchor=\"end\" fill=\"#495057\"", cnt);
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
        svg_printf(o, "<rect class=\"granule\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" "
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
        svg_line(o, x, ptop, x, pbottom, "stroke=\"#ced4da\" stroke-dasharray=\"2,3\"");
        svg_line(o, x, pbottom, x, pbottom + 4, "stroke=\"#343a40\"");
        svg_label(o, x, pbottom + 17, "text-anchor=\"middle\" fill=\"#343a40\"", b);
    }
    svg_printf(o, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
                  "stroke=\"#343a40\"/>\n", left, ptop, pw, pbottom - ptop);
    svg_label(o, (left + right) / 2, pbottom + 36, "text-anchor=\"middle\" font-size=\"12\" fill=\"#212529\"",
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
        svg_printf(o, "<circle class=\"cell\" cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"#1c4e80\" "
                      "stroke=\"#ffffff\" stroke-width=\"1\"><title>",
                   x, y, m->cells > 1 ? "4.5" : "3.5");
        svg_text(o, tip);
        svg_printf(o, "</title></circle>\n");
    }

    /* Legend from the left edge: a wide label column must not push it off. */
    struct svg_legend lg = { o, 20, 940, 20, pbottom + 62 };
    svg_legend_item(&lg, 'c', "#1c4e80", "weak cell (height in lane: bit 0 top, 63 bottom)");
    char gl[64];
    snprintf(gl, sizeof gl, "%s granule masked by badram", gran);
    svg_legend_item(&lg, 'r', "#fa5252", gl);
    svg_finish(o, &lg, opt->interleave);
    free(marks);
    free(lanes);
    return 0;
}

/* The cells of the files, drawn. */
static int map_draw(struct svg_out *o, const struct svg_opts *opt)
{
    struct cli_cells c;
    int rc = cli_cells_load(&c, opt->files, opt->nfiles);
    if (!rc)
        rc = map_render(o, c.sorted, c.n, opt);
    cli_cells_free(&c);
    return rc;
}

int cmd_map(int argc, char **argv)
{
    return svg_command(argc, argv, 1, map_draw);
}
