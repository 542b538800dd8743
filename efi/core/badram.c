// SPDX-License-Identifier: MIT
#include "core/badram.h"
#include "core/interleave.h"

unsigned badram_granules(const struct cell *cells, unsigned n, uint64_t granule, uint64_t *out,
                         unsigned max, unsigned *lost)
{
    unsigned k = 0;
    *lost = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t g = cells[i].addr & ~(granule - 1);
        if (!cells[i].certain)
            continue;   /* only address tests saw it: the failing cell may be elsewhere */
        if (k && out[k - 1] == g)
            continue;
        if (k == max) {
            (*lost)++;
            continue;
        }
        out[k++] = g;
    }
    return k;
}


/* "1M", "64K", "2G" or plain bytes. */
static void size_str(char *buf, size_t cap, uint64_t v)
{
    static const char unit[] = "KMGT";
    int u = -1;
    while (v >= 1024 && v % 1024 == 0 && u < 3)
        v /= 1024, u++;
    if (u < 0)
        fmt_format(buf, cap, "%llu", (unsigned long long)v);
    else
        fmt_format(buf, cap, "%llu%c", (unsigned long long)v, unit[u]);
}

static void pairs(struct sbuf *sb, const struct badram_set *set)
{
    for (unsigned i = 0; i < set->npairs; i++)
        sbuf_printf(sb, "%s0x%llx,0x%llx", i ? "," : "",
                    (unsigned long long)(set->pairs[i].addr & set->pairs[i].mask),
                    (unsigned long long)set->pairs[i].mask);
}

/* memmap=SIZE$ADDR per contiguous run of granules. */
static void memmap(struct sbuf *sb, const uint64_t *gran, unsigned n, uint64_t granule,
                   const char *dollar)
{
    sbuf_puts(sb, "memmap=");
    for (unsigned i = 0; i < n;) {
        unsigned j = i + 1;
        while (j < n && gran[j] == gran[j - 1] + granule)
            j++;
        char sz[32];
        size_str(sz, sizeof sz, (uint64_t)(j - i) * granule);
        sbuf_printf(sb, "%s%s%s0x%llx", i ? "," : "", sz, dollar, (unsigned long long)gran[i]);
        i = j;
    }
}

static void windows(struct sbuf *sb, const uint64_t *gran, unsigned n, uint64_t granule)
{
    /* bcdedit takes 4 KiB page frame numbers. */
    sbuf_puts(sb, "bcdedit /set {badmemory} badmemorylist");
    for (unsigned i = 0; i < n; i++)
        for (uint64_t p = gran[i]; p < gran[i] + granule; p += 4096)
            sbuf_printf(sb, " 0x%llx", (unsigned long long)(p >> 12));
    sbuf_puts(sb, "\nbcdedit /set badmemoryaccess no");
}

void badram_render_form(struct sbuf *sb, enum badram_form form, const struct badram_set *set)
{
    const uint64_t *gran = set->gran;
    unsigned n = set->ngran;
    uint64_t granule = set->granule;
    switch (form) {
    case BADRAM_GRUB:
        sbuf_puts(sb, "GRUB_BADRAM=\"");
        pairs(sb, set);
        sbuf_puts(sb, "\"\n");
        return;
    case BADRAM_GRUBCFG:
        if (!set->npairs) {
            sbuf_puts(sb, "# badram: nothing to mask\n");
            return;
        }
        sbuf_puts(sb, "badram ");
        pairs(sb, set);
        sbuf_puts(sb, "\n");
        return;
    case BADRAM_MEMMAP:
    case BADRAM_MEMMAP_PLAIN:
        if (!n) {
            sbuf_puts(sb, "# memmap: nothing to mask\n");
            return;
        }
        /* In /etc/default/grub "\\\$" survives the shell and grub.cfg quoting as "$". */
        memmap(sb, gran, n, granule, form == BADRAM_MEMMAP ? "\\\\\\$" : "$");
        sbuf_puts(sb, "\n");
        return;
    case BADRAM_WINDOWS:
        if (!n) {
            sbuf_puts(sb, "# bcdedit: nothing to mask\n");
            return;
        }
        windows(sb, gran, n, granule);
        sbuf_puts(sb, "\n");
        return;
    }
}

void badram_render(struct sbuf *sb, const struct badram_set *set)
{
    for (int f = BADRAM_GRUB; f <= BADRAM_WINDOWS; f++)
        badram_render_form(sb, (enum badram_form)f, set);
    const struct cover_stats *st = &set->stats;
    char g[32], x[32], lim[32];
    size_str(g, sizeof g, set->granule);
    size_str(x, sizeof x, st->extra_bytes);
    size_str(lim, sizeof lim, st->limit);
    sbuf_printf(sb, "# granule: %s aligned block around each bad cell (%u block%s)\n", g, set->ngran,
                set->ngran == 1 ? "" : "s");
    sbuf_printf(sb, "# pairs: %u (budget %u; %u before budget merges); extra good memory masked: %s (%llu bytes, counted below %s)\n",
                set->npairs, st->budget, st->exact_pairs, x, (unsigned long long)st->extra_bytes, lim);
    if (st->budget_exceeded)
        sbuf_puts(sb, "# budget exceeded: merging further would mask the first MiB\n");
    if (set->gran_lost)
        sbuf_printf(sb, "# WARNING: %u more bad granules did not fit; see errors.csv\n", set->gran_lost);
    if (set->unconfirmed)
        sbuf_printf(sb, "# %u cell%s seen only by address tests (addr_uncertain) not masked: "
                        "a possible address-decoder fault, which BadRAM cannot fix\n",
                    set->unconfirmed, set->unconfirmed == 1 ? "" : "s");
    sbuf_puts(sb, "# masks: 64-bit, bit 63 left free (GRUB 2.06 EFI hangs on a mask with bit 63 set)\n");
    sbuf_puts(sb, "# memmap: first line for GRUB_CMDLINE_LINUX in /etc/default/grub, second for a kernel command line\n");
    struct il_model il;
    if (set->interleave[0] && !il_parse(&il, set->interleave, str_len(set->interleave))) {
        unsigned top = il_top_bit(&il);
        sbuf_printf(sb, "# interleave: %s (highest selector bit %u)\n", set->interleave, top);
        if ((1ull << top) >= set->granule)
            sbuf_printf(sb, "# WARNING: the granule does not span every channel/DIMM permutation; "
                            "use granule >= %llu bytes\n", (unsigned long long)(2ull << top));
        else
            sbuf_puts(sb, "# the granule spans every channel/DIMM permutation of that model\n");
    } else if (set->interleave[0])
        sbuf_printf(sb, "# interleave: '%s' could not be parsed; ignored\n", set->interleave);
    else
        sbuf_puts(sb, "# interleave: none given; assumed to repeat within the granule (1M is safe for common 2-4 DIMM layouts)\n");
}

void badram_render_cumulative(struct sbuf *sb, const struct badram_set *all,
                              const struct badram_set *session, unsigned sessions)
{
    badram_render(sb, all);
    sbuf_printf(sb, "# the lines above cover every cell recorded on this volume (%u session%s, "
                    "%u bad granule%s): paste the GRUB_BADRAM line above\n",
                sessions, sessions == 1 ? "" : "s", all->ngran, all->ngran == 1 ? "" : "s");
    sbuf_printf(sb, "# this session only (%u bad granule%s): ", session->ngran,
                session->ngran == 1 ? "" : "s");
    badram_render_form(sb, BADRAM_GRUB, session);
}

static int hexval(const char *s, size_t n, uint64_t *out)
{
    return str_to_u64(s, n, STR_HEX, out);
}

int badram_parse_line(const char *s, size_t n, struct cover_pair *pairs, unsigned cap)
{
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        n--;
    while (n && *s == ' ')
        s++, n--;
    if (n >= 13 && str_neq(s, "GRUB_BADRAM=", 12)) {
        s += 12, n -= 12;
        if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0])
            s++, n -= 2;
        else if (n && (s[0] == '"' || s[0] == '\''))
            return -1;
    } else if (n >= 7 && str_neq(s, "badram ", 7)) {
        s += 7, n -= 7;
    }
    unsigned k = 0;
    uint64_t v[2];
    unsigned half = 0;
    size_t i = 0;
    if (!n)
        return 0;
    while (i <= n) {
        size_t j = i;
        while (j < n && s[j] != ',')
            j++;
        if (hexval(s + i, j - i, &v[half]))
            return -1;
        if (half) {
            if (k == cap)
                return -1;
            pairs[k++] = (struct cover_pair){ v[0], v[1] };
        }
        half ^= 1;
        i = j + 1;
    }
    return half ? -1 : (int)k;
}

static int has(const uint64_t *a, unsigned n, uint64_t g)
{
    unsigned lo = 0, hi = n;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (a[mid] < g)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && a[lo] == g;
}

/* Granules of req->extra joined to the sorted gran[0..n): sorted, unique. */
static unsigned add_extra(const struct badram_req *req, unsigned n, unsigned *lost)
{
    uint64_t g = req->granule, *a = req->gran;
    unsigned n0 = n;
    for (unsigned r = 0; r < req->nextra; r++) {
        const struct mem_range *e = &req->extra[r];
        for (uint64_t b = e->base & ~(g - 1); e->len && b < e->base + e->len; b += g) {
            if (has(a, n0, b) || (n > n0 && a[n - 1] == b))
                continue;
            if (n == req->cap) {
                (*lost)++;
                continue;
            }
            a[n++] = b;
        }
    }
    /* Shell sort, then drop repeats (ranges may overlap). */
    for (unsigned gap = n / 2; gap; gap /= 2)
        for (unsigned i = gap; i < n; i++) {
            uint64_t x = a[i];
            unsigned j = i;
            for (; j >= gap && a[j - gap] > x; j -= gap)
                a[j] = a[j - gap];
            a[j] = x;
        }
    unsigned k = 0;
    for (unsigned i = 0; i < n; i++)
        if (!k || a[k - 1] != a[i])
            a[k++] = a[i];
    return k;
}

int badram_from_cells(struct badram_set *set, const struct cell *cells, unsigned n,
                      const struct badram_req *req, struct sbuf *sb, int form)
{
    *set = (struct badram_set){ .granule = req->granule, .gran = req->gran, .pairs = req->pairs,
                                .interleave = req->interleave ? req->interleave : "" };
    set->ngran = badram_granules(cells, n, req->granule, req->gran, req->cap, &set->gran_lost);
    if (req->nextra)
        set->ngran = add_extra(req, set->ngran, &set->gran_lost);
    for (unsigned i = 0; i < n; i++)
        set->unconfirmed += !cells[i].certain;
    set->npairs = cover_build(req->gran, set->ngran, req->granule, req->max_pairs, req->limit,
                              req->pairs, &set->stats);
    if (sb && form == BADRAM_ALL)
        badram_render(sb, set);
    else if (sb)
        badram_render_form(sb, (enum badram_form)form, set);
    return set->gran_lost || (sb && sb->lost) ? -1 : 0;
}
