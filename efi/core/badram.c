// SPDX-License-Identifier: MIT
#include "badram.h"

unsigned badram_granules(const struct cell *cells, unsigned n, uint64_t granule, uint64_t *out,
                         unsigned max, unsigned *lost)
{
    unsigned k = 0;
    *lost = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t g = cells[i].addr & ~(granule - 1);
        /* Insert sorted, skipping duplicates: inputs are short and mostly sorted. */
        unsigned j = k;
        while (j && out[j - 1] > g)
            j--;
        if (j && out[j - 1] == g)
            continue;
        if (k == max) {
            (*lost)++;
            continue;
        }
        for (unsigned m = k; m > j; m--)
            out[m] = out[m - 1];
        out[j] = g;
        k++;
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

static void pairs(struct sbuf *sb, const uint64_t *gran, unsigned n, uint64_t granule)
{
    for (unsigned i = 0; i < n; i++)
        sbuf_printf(sb, "%s0x%llx,0x%llx", i ? "," : "", (unsigned long long)gran[i],
                    (unsigned long long)badram_mask(granule));
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

void badram_render_form(struct sbuf *sb, enum badram_form form, const uint64_t *gran, unsigned n,
                        uint64_t granule)
{
    switch (form) {
    case BADRAM_GRUB:
        sbuf_puts(sb, "GRUB_BADRAM=\"");
        pairs(sb, gran, n, granule);
        sbuf_puts(sb, "\"\n");
        return;
    case BADRAM_GRUBCFG:
        if (!n) {
            sbuf_puts(sb, "# badram: nothing to mask\n");
            return;
        }
        sbuf_puts(sb, "badram ");
        pairs(sb, gran, n, granule);
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

void badram_render(struct sbuf *sb, const uint64_t *gran, unsigned n, uint64_t granule,
                   const char *interleave)
{
    for (int f = BADRAM_GRUB; f <= BADRAM_WINDOWS; f++)
        badram_render_form(sb, (enum badram_form)f, gran, n, granule);
    char g[32];
    size_str(g, sizeof g, granule);
    sbuf_printf(sb, "# granule: %s aligned block around each bad cell (%u block%s)\n", g, n,
                n == 1 ? "" : "s");
    sbuf_printf(sb, "# masks: 64-bit, bit 63 left free (GRUB 2.06 EFI hangs on a mask with bit 63 set)\n");
    sbuf_puts(sb, "# memmap line 1: for GRUB_CMDLINE_LINUX in /etc/default/grub; line 2: kernel command line\n");
    if (interleave && interleave[0])
        sbuf_printf(sb, "# interleave: %s (recorded; the granule already spans every channel/DIMM permutation below it)\n",
                    interleave);
    else
        sbuf_puts(sb, "# interleave: none given; assumed to stay inside the granule\n");
}
