// SPDX-License-Identifier: MIT
// `weakbit verify`: after the reboot, is every bad cell really out of Linux's
// hands? A cell is protected when /proc/iomem puts it in "Unusable memory"
// (GRUB's badram) or "Reserved" (a memmap=SIZE$ADDR entry, or firmware), or
// in no RAM at all; it is NOT protected inside "System RAM". For a cell that
// is not, the likely cause is named from the command line, the lockdown
// state and whether any badram took effect at all.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "linuxside/import.h"
#include "linuxside/linuxmem.h"
#include "textfile.h"

#define MAX_RANGES 8192
#define MAX_MEMMAP 1024
#define MAX_BLOCKS 4096
#define MAX_CHECK_PAGES (1u << 22)   /* 16 GiB of pages per badram pair */

struct verify {
    struct lmem_range *r;
    unsigned nr;
    struct lmem_memmap mm[MAX_MEMMAP];
    unsigned nmm, nreserve;          /* all entries, the `$` ones */
    enum lmem_lockdown lock;
    int any_unusable;
    uint64_t top;                    /* end of the highest RAM-like range */
    const char *cmdline_path;
    unsigned checked, protected_n;
};

/* The innermost RAM, Unusable or Reserved entry holding addr, or NULL. */
static const struct lmem_range *holder(const struct verify *v, uint64_t addr)
{
    const struct lmem_range *best = NULL;
    for (unsigned i = 0; i < v->nr; i++) {
        const struct lmem_range *r = &v->r[i];
        if (addr < r->start || addr > r->end || lmem_classify(r->name) == LMEM_OTHER)
            continue;
        if (!best || r->depth > best->depth)
            best = r;
    }
    return best;
}

static const struct lmem_memmap *memmap_for(const struct verify *v, uint64_t addr)
{
    for (unsigned i = 0; i < v->nmm; i++) {
        const struct lmem_memmap *m = &v->mm[i];
        if (m->kind == '$' && addr >= m->addr && addr - m->addr < m->size)
            return m;
    }
    return NULL;
}

static void size_str(uint64_t s, char *buf, size_t cap)
{
    static const char *const units[] = { "", "K", "M", "G", "T" };
    unsigned u = 0;
    while (u < 4 && s && !(s & 1023))
        s >>= 10, u++;
    snprintf(buf, cap, "%llu%s", (unsigned long long)s, units[u]);
}

/* Print why addr (inside System RAM) is not protected. */
static void reason(const struct verify *v, uint64_t addr)
{
    const struct lmem_memmap *m = memmap_for(v, addr);
    char sz[32];
    if (m) {
        size_str(m->size, sz, sizeof sz);
        printf("; memmap=%s$0x%llx is on the kernel command line but the kernel kept this as System RAM"
               " (was it given twice, or overridden by a later memmap=?)", sz, (unsigned long long)m->addr);
        return;
    }
    if (v->lock == LMEM_LOCKDOWN_INTEGRITY || v->lock == LMEM_LOCKDOWN_CONFIDENTIALITY) {
        printf("; Secure Boot lockdown is on (%s): GRUB refuses badram, so put the line from "
               "`weakbit badram --format memmap` into GRUB_CMDLINE_LINUX, run update-grub and reboot",
               v->lock == LMEM_LOCKDOWN_INTEGRITY ? "integrity" : "confidentiality");
        return;
    }
    if (v->nreserve && v->any_unusable) {
        printf("; neither GRUB's badram line nor the %u memmap=$ entr%s on the kernel command line cover this "
               "cell: run `weakbit apply` with this errors.csv (or add it to memmap=), update-grub and reboot",
               v->nreserve, v->nreserve == 1 ? "y" : "ies");
        return;
    }
    if (v->nreserve) {
        printf("; the kernel command line (%s) has %u memmap=$ entr%s but none for this cell: add it "
               "(`weakbit badram --format memmap`), run update-grub and reboot",
               v->cmdline_path, v->nreserve, v->nreserve == 1 ? "y" : "ies");
        return;
    }
    if (v->any_unusable) {
        printf("; GRUB's badram line does not cover this cell: run `weakbit apply` with this errors.csv, "
               "then update-grub and reboot");
        return;
    }
    printf("; no badram line took effect in this boot and the kernel command line has no memmap=$ entry: "
           "check `grep badram /boot/grub/grub.cfg` (nothing: GRUB_BADRAM is missing from /etc/default/grub, "
           "or update-grub was not run since), then reboot");
}

/* Print what protects addr; 1 if protected, 0 if not. */
static int verdict(struct verify *v, uint64_t addr)
{
    const struct lmem_range *h = holder(v, addr);
    enum lmem_class c = h ? lmem_classify(h->name) : LMEM_OTHER;
    v->checked++;
    if (!h) {
        printf("protected: no RAM at this address in this boot\n");
    } else if (c == LMEM_UNUSABLE) {
        printf("protected: Unusable memory %llx-%llx (GRUB badram)\n", (unsigned long long)h->start,
               (unsigned long long)h->end);
    } else if (c == LMEM_RESERVED) {
        const struct lmem_memmap *m = memmap_for(v, addr);
        char sz[32];
        printf("protected: Reserved %llx-%llx", (unsigned long long)h->start, (unsigned long long)h->end);
        if (m) {
            size_str(m->size, sz, sizeof sz);
            printf(" (memmap=%s$0x%llx)\n", sz, (unsigned long long)m->addr);
        } else {
            printf(" (firmware, or a memmap= not on this command line)\n");
        }
    } else {
        printf("NOT protected: in System RAM %llx-%llx", (unsigned long long)h->start,
               (unsigned long long)h->end);
        reason(v, addr);
        printf("\n");
        return 0;
    }
    v->protected_n++;
    return 1;
}

/* --- badram.txt: check each bad block page by page ---------------------------- */
struct block_walk {
    struct verify *v;
    uint64_t bad_page;     /* first unprotected page, or ~0 */
};

static void walk_page(void *ctx, uint64_t addr)
{
    struct block_walk *w = ctx;
    if (w->bad_page != ~0ull || addr >= w->v->top)
        return;
    const struct lmem_range *h = holder(w->v, addr);
    if (h && lmem_classify(h->name) == LMEM_RAM)
        w->bad_page = addr & ~0xfffull;
}

static int check_item(struct verify *v, const struct import_item *it)
{
    if (it->kind == IMPORT_RANGE)
        printf("block 0x%llx-0x%llx: ", (unsigned long long)it->a, (unsigned long long)(it->b - 1));
    else
        printf("pair 0x%llx,0x%llx: ", (unsigned long long)it->a, (unsigned long long)it->b);
    struct block_walk w = { v, ~0ull };
    if (import_pages(it, MAX_CHECK_PAGES, walk_page, &w) < 0) {
        v->checked++;
        printf("NOT checked: covers more than 16 GiB (a mask with free high bits repeats the block "
               "all over memory)\n");
        return 0;
    }
    if (w.bad_page == ~0ull) {
        /* Name what holds the block's first address for the record. */
        uint64_t first = it->kind == IMPORT_RANGE ? it->a : it->a & it->b & 0x7fffffffffffffffull;
        return verdict(v, first);
    }
    return verdict(v, w.bad_page);
}

/* Is this file a badram.txt (rather than an errors.csv)? */
static int is_badram_txt(const struct textfile *t)
{
    size_t pos = 0, n;
    const char *l;
    while (textfile_line(t, &pos, &l, &n)) {
        while (n && (*l == ' ' || *l == '\t'))
            l++, n--;
        if ((n >= 12 && !strncmp(l, "GRUB_BADRAM=", 12)) || (n >= 7 && !strncmp(l, "badram ", 7)) ||
            (n >= 7 && !strncmp(l, "memmap=", 7)))
            return 1;
    }
    return 0;
}

static int cmp_item(const void *a, const void *b)
{
    const struct import_item *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return x->b < y->b ? -1 : x->b > y->b;
}

/* The bad blocks a badram.txt names: its memmap= entries (exactly the bad
 * granules) when present, else its GRUB pairs. */
static int badram_blocks(const char *path, const struct textfile *t, struct import_item *out,
                         unsigned *n)
{
    size_t pos = 0, len;
    const char *l;
    unsigned lineno = 0, from_memmap = 0;
    struct import_item pairs[MAX_BLOCKS];
    unsigned np = 0;
    while (textfile_line(t, &pos, &l, &len)) {
        lineno++;
        while (len && (*l == ' ' || *l == '\t'))
            l++, len--;
        if (len >= 7 && !strncmp(l, "memmap=", 7)) {
            struct lmem_memmap mm[MAX_BLOCKS];
            unsigned bad, k = lmem_memmap_scan(l, len, mm, MAX_BLOCKS, &bad);
            if (bad)
                return cli_fail("%s:%u: memmap= line is not a list of SIZE$ADDR entries", path, lineno);
            for (unsigned i = 0; i < k; i++) {
                if (mm[i].kind != '$' || !mm[i].size)
                    return cli_fail("%s:%u: memmap= entry is not SIZE$ADDR", path, lineno);
                if (*n >= MAX_BLOCKS)
                    return cli_fail("%s: more than %u blocks", path, MAX_BLOCKS);
                out[(*n)++] = (struct import_item){ IMPORT_RANGE, mm[i].addr, mm[i].addr + mm[i].size };
                from_memmap++;
            }
        } else if ((len >= 12 && !strncmp(l, "GRUB_BADRAM=", 12)) || (len >= 7 && !strncmp(l, "badram ", 7))) {
            struct cover_pair cp[MAX_BLOCKS];
            int k = badram_parse_line(l, len, cp, MAX_BLOCKS);
            if (k < 0)
                return cli_fail("%s:%u: not a list of hex address,mask pairs", path, lineno);
            for (int i = 0; i < k && np < MAX_BLOCKS; i++)
                pairs[np++] = (struct import_item){ IMPORT_PATTERN, cp[i].addr, cp[i].mask };
        }
    }
    if (!from_memmap)
        for (unsigned i = 0; i < np && *n < MAX_BLOCKS; i++)
            out[(*n)++] = pairs[i];
    return 0;
}

static int load_iomem(struct verify *v, const char *path)
{
    struct textfile t;
    if (textfile_read(path, &t))
        return cli_fail("cannot read %s: %s", path, strerror(errno));
    size_t pos = 0, n;
    const char *l;
    unsigned lineno = 0, zero = 0;
    int rc = 0;
    while (!rc && textfile_line(&t, &pos, &l, &n)) {
        lineno++;
        if (!n)
            continue;
        if (v->nr == MAX_RANGES)
            rc = cli_fail("%s: more than %u ranges", path, MAX_RANGES);
        else if (lmem_iomem_line(l, n, &v->r[v->nr]))
            rc = cli_fail("%s:%u: not an iomem line (START-END : NAME)", path, lineno);
        else
            zero += v->r[v->nr].start == 0 && v->r[v->nr].end == 0, v->nr++;
    }
    free(t.buf);
    if (rc)
        return rc;
    if (!v->nr)
        return cli_fail("%s holds no ranges", path);
    if (zero == v->nr)
        return cli_fail("%s shows every address as 0: the kernel hides them from non-root users; run as root (sudo)",
                        path);
    for (unsigned i = 0; i < v->nr; i++) {
        enum lmem_class c = lmem_classify(v->r[i].name);
        v->any_unusable |= c == LMEM_UNUSABLE;
        if (c == LMEM_RAM || c == LMEM_UNUSABLE || c == LMEM_RESERVED)
            if (v->r[i].end + 1 > v->top)
                v->top = v->r[i].end + 1;
    }
    return 0;
}

int cmd_verify(int argc, char **argv)
{
    const char *iomem = "/proc/iomem", *cmdline = "/proc/cmdline";
    const char *lockdown = "/sys/kernel/security/lockdown";
    const struct cli_opt opts[] = {
        { "--iomem", NULL, CLI_OPT_STRING, &iomem },
        { "--cmdline", NULL, CLI_OPT_STRING, &cmdline },
        { "--lockdown", NULL, CLI_OPT_STRING, &lockdown },
        CLI_OPT_END,
    };
    int nfiles;
    if (cli_opt_parse(opts, argc, argv, &nfiles))
        return 2;
    if (!nfiles)
        return cli_fail("give errors.csv or badram.txt files to check");

    static struct verify v;
    v.r = calloc(MAX_RANGES, sizeof *v.r);
    struct cell *mem = calloc(CLI_MAX_CELLS, sizeof *mem);
    struct import_item *blocks = calloc(MAX_BLOCKS, sizeof *blocks);
    if (!v.r || !mem || !blocks)
        return cli_fail("out of memory");
    v.cmdline_path = cmdline;
    int rc = load_iomem(&v, iomem);
    struct textfile t;
    if (!rc) {
        if (textfile_read(cmdline, &t)) {
            rc = cli_fail("cannot read %s: %s", cmdline, strerror(errno));
        } else {
            unsigned bad;
            v.nmm = lmem_memmap_scan(t.buf, t.len, v.mm, MAX_MEMMAP, &bad);
            if (bad)
                fprintf(stderr, "weakbit: warning: %s: %u memmap= item%s not understood (ignored)\n", cmdline,
                        bad, bad == 1 ? "" : "s");
            for (unsigned k = 0; k < v.nmm; k++)
                v.nreserve += v.mm[k].kind == '$';
            free(t.buf);
        }
    }
    if (!rc && !textfile_read(lockdown, &t)) {
        v.lock = lmem_lockdown(t.buf, t.len);
        free(t.buf);
    }

    /* Inputs: errors.csv cells and badram.txt blocks. */
    struct cell_table tab;
    cells_init(&tab, mem, CLI_MAX_CELLS);
    unsigned nblocks = 0;
    for (int k = 0; !rc && k < nfiles; k++) {
        if (textfile_read(argv[k], &t)) {
            rc = cli_fail("cannot read %s: %s", argv[k], strerror(errno));
            break;
        }
        if (is_badram_txt(&t))
            rc = badram_blocks(argv[k], &t, blocks, &nblocks);
        else
            rc = cli_load_csv(&tab, argv + k, 1);
        free(t.buf);
    }
    struct cell *sorted = rc ? NULL : malloc((tab.n + 1) * sizeof *sorted);
    if (!rc && !sorted)
        rc = cli_fail("out of memory");
    if (!rc) {
        unsigned n = cells_sorted_copy(&tab, sorted, tab.n), unprotected = 0, skipped = 0;
        for (unsigned k = 0; k < n; k++) {
            const struct cell *c = &sorted[k];
            printf("0x%016llx bit %2u: ", (unsigned long long)c->addr, c->bit);
            if (!c->certain) {
                printf("skipped: only address tests saw it (addr_uncertain), so badram does not mask it either\n");
                skipped++;
                continue;
            }
            unprotected += !verdict(&v, c->addr);
        }
        qsort(blocks, nblocks, sizeof *blocks, cmp_item);
        for (unsigned k = 0; k < nblocks; k++) {
            if (k && !cmp_item(&blocks[k], &blocks[k - 1]))
                continue;
            unprotected += !check_item(&v, &blocks[k]);
        }
        if (!v.checked && !skipped)
            printf("weakbit: no bad cells or blocks in the input: nothing to check\n");
        else
            printf("weakbit: %u of %u %s protected%s\n", v.protected_n, v.checked,
                   nblocks && !n ? "blocks" : n && !nblocks ? "cells" : "cells and blocks",
                   skipped ? " (uncertain cells skipped)" : "");
        rc = unprotected ? 1 : 0;
    }
    free(sorted);
    free(blocks);
    free(mem);
    free(v.r);
    return rc;
}
