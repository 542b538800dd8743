// SPDX-License-Identifier: MIT
#include "core/fullplan.h"

#define LOW_LIMIT (1ull << 20)
#define MAX_DESC 1024

const char *fullplan_why(unsigned why)
{
    switch (why) {
    case FULL_WHY_FOOTPRINT: return "this app: its image and run-time block (code, stacks, page tables, tables)";
    case FULL_WHY_LOW_1M: return "below 1 MiB (legacy area)";
    case FULL_WHY_ACPI_TABLES: return "ACPI reclaim: holds the ACPI tables the OS reads";
    case FULL_WHY_RUNTIME: return "firmware runtime services: never ours";
    case FULL_WHY_NVS: return "ACPI NVS: firmware's, never ours";
    case FULL_WHY_RESERVED: return "reserved, unusable or persistent: never ours";
    case FULL_WHY_OUTSIDE: return "outside range=";
    case FULL_WHY_OVERFLOW: return "too many fragments";
    case FULL_WHY_BS_KEPT: return "boot services memory left untested (full_bsmem=skip)";
    }
    return "?";
}

const char *fullplan_type_name(uint32_t type)
{
    static const char *const names[] = {
        "reserved", "loader code", "loader data", "boot services code", "boot services data",
        "runtime code", "runtime data", "conventional", "unusable", "ACPI reclaim", "ACPI NVS",
        "MMIO", "MMIO port space", "PAL code", "persistent",
    };
    type &= ~FULL_TYPE_FLAGS;
    return type < sizeof names / sizeof names[0] ? names[type] : "other";
}

static void excl(struct full_plan *fp, uint64_t base, uint64_t end, unsigned why)
{
    if (end <= base)
        return;
    struct full_excl *last = fp->nexcl ? &fp->excl[fp->nexcl - 1] : 0;
    if (last && last->why == why && last->base + last->len == base) {
        last->len += end - base;
        return;
    }
    if (fp->nexcl == FULL_MAX_EXCL) {
        fp->excl_lost += end - base;
        return;
    }
    fp->excl[fp->nexcl++] = (struct full_excl){ base, end - base, (uint8_t)why };
}

static void add_test(struct full_plan *fp, uint64_t base, uint64_t end)
{
    struct mem_plan *p = &fp->plan;
    if (end <= base)
        return;
    fp->tested += end - base;
    if (p->ntest && p->test[p->ntest - 1].base + p->test[p->ntest - 1].len == base) {
        p->test[p->ntest - 1].len += end - base;
        return;
    }
    if (p->ntest == PLAN_MAX_TEST) {
        fp->tested -= end - base;
        excl(fp, base, end, FULL_WHY_OVERFLOW);
        return;
    }
    p->test[p->ntest++] = (struct mem_range){ base, end - base };
}

static void test_piece(void *ctx, uint64_t lo, uint64_t hi)
{
    add_test(ctx, lo, hi);
}

static void outside_piece(void *ctx, uint64_t lo, uint64_t hi)
{
    excl(ctx, lo, hi, FULL_WHY_OUTSIDE);
}

/* [base,end) within the range= filters goes to the test list, the rest out. */
static void add_filtered(struct full_plan *fp, uint64_t base, uint64_t end,
                         const struct mem_range *f, unsigned nf)
{
    mem_range_clip(base, end, f, nf, test_piece, outside_piece, fp);
}

/* Usable RAM [base,end): the footprint and the low 1 MiB come out first. */
static void add_usable(struct full_plan *fp, uint64_t base, uint64_t end, const struct mem_range *foot,
                       unsigned nfoot, const struct mem_range *f, unsigned nf)
{
    uint64_t cur = base;
    while (cur < end) {
        /* The nearest footprint range that ends after cur. */
        uint64_t fb = end, fe = end;
        for (unsigned i = 0; i < nfoot; i++) {
            uint64_t b = foot[i].base & ~4095ull, e = (foot[i].base + foot[i].len + 4095) & ~4095ull;
            if (e > cur && b < fb && b < end) {
                fb = b;
                fe = e;
            }
        }
        if (fb < cur)
            fb = cur;
        if (fe > end)
            fe = end;
        uint64_t lo = cur;
        if (lo < LOW_LIMIT) {
            uint64_t cut = fb < LOW_LIMIT ? fb : LOW_LIMIT;
            excl(fp, lo, cut, FULL_WHY_LOW_1M);
            lo = cut > lo ? cut : lo;
        }
        add_filtered(fp, lo, fb > lo ? fb : lo, f, nf);
        if (fe > fb) {
            fp->footprint += fe - fb;
            excl(fp, fb, fe, FULL_WHY_FOOTPRINT);
        }
        cur = fe > cur ? fe : end;
    }
}

static int usable_type(uint32_t t)
{
    return t == FULL_CONVENTIONAL || t == FULL_BS_CODE || t == FULL_BS_DATA || t == FULL_LOADER_CODE ||
           t == FULL_LOADER_DATA;
}

static void sort_desc(struct full_desc *d, unsigned n)
{
    for (unsigned i = 1; i < n; i++) {
        struct full_desc x = d[i];
        unsigned j = i;
        while (j && d[j - 1].base > x.base) {
            d[j] = d[j - 1];
            j--;
        }
        d[j] = x;
    }
}

void fullplan_build(struct full_plan *fp, const struct full_desc *desc, unsigned n,
                    const struct mem_range *foot, unsigned nfoot, const struct mem_range *filter,
                    unsigned nfilter, unsigned flags)
{
    static struct full_desc d[MAX_DESC];
    struct mem_range f[16];
    unsigned nf = nfilter < 16 ? nfilter : 16;
    for (unsigned i = 0; i < nf; i++)
        f[i] = filter[i];
    mem_range_sort(f, nf);
    if (n > MAX_DESC)
        n = MAX_DESC;
    for (unsigned i = 0; i < n; i++)
        d[i] = desc[i];
    sort_desc(d, n);

    *fp = (struct full_plan){ 0 };
    for (unsigned i = 0; i < n; i++) {
        uint32_t t = d[i].type & ~FULL_TYPE_FLAGS;
        /* Memory the firmware keeps for run time is its, whatever the type. */
        if ((d[i].type & FULL_TYPE_RUNTIME) && usable_type(t))
            t = FULL_RT_DATA;
        /* Whole pages only; a map that overlaps itself is clipped to what is new. */
        uint64_t base = (d[i].base + 4095) & ~4095ull, end = (d[i].base + d[i].len) & ~4095ull;
        uint64_t seen = fp->plan.ram_top;
        if (i && seen > base && usable_type(t))
            base = seen;
        if (end <= base)
            continue;
        int held = (t == FULL_RESERVED || t == FULL_UNUSABLE) && (d[i].type & FULL_TYPE_WB);
        int ram = usable_type(t) || t == FULL_ACPI_RECLAIM || t == FULL_RT_CODE || t == FULL_RT_DATA ||
                  t == FULL_ACPI_NVS || t == FULL_PAL_CODE || held;
        if (ram) {
            fp->plan.ram_total += end - base;
            if (!held && end > fp->plan.ram_top)
                fp->plan.ram_top = end;
        }
        if (usable_type(t) || t == FULL_ACPI_RECLAIM)
            fp->usable += end - base;
        if (usable_type(t) && (flags & FULLPLAN_SKIP_BS) && (t == FULL_BS_CODE || t == FULL_BS_DATA))
            excl(fp, base, end, FULL_WHY_BS_KEPT);
        else if (usable_type(t))
            add_usable(fp, base, end, foot, nfoot, f, nf);
        else if (t == FULL_ACPI_RECLAIM)
            excl(fp, base, end, FULL_WHY_ACPI_TABLES);
        else if (t == FULL_RT_CODE || t == FULL_RT_DATA || t == FULL_PAL_CODE)
            excl(fp, base, end, FULL_WHY_RUNTIME);
        else if (t == FULL_ACPI_NVS)
            excl(fp, base, end, FULL_WHY_NVS);
        else if (held)
            excl(fp, base, end, FULL_WHY_RESERVED);
    }
    fp->plan.free_total = fp->usable;
}

uint64_t fullplan_map_top(const struct full_desc *d, unsigned n)
{
    uint64_t top = 4ull << 30;
    for (unsigned i = 0; i < n; i++) {
        uint32_t t = d[i].type & ~FULL_TYPE_FLAGS;
        int ram = t != FULL_RESERVED && t != FULL_MMIO && t != FULL_MMIO_PORT && t != FULL_UNUSABLE &&
                  t <= FULL_PERSISTENT;
        uint64_t end = d[i].base + d[i].len;
        if ((ram || (d[i].type & FULL_TYPE_RUNTIME)) && end > top)
            top = end;
    }
    return top;
}

unsigned fullplan_share_bp(uint64_t tested, uint64_t usable, uint64_t footprint)
{
    uint64_t den = usable > footprint ? usable - footprint : 0;
    if (!den)
        return 0;
    /* Scale down first so huge machines cannot overflow. */
    while (den > (1ull << 40)) {
        den >>= 10;
        tested >>= 10;
    }
    return (unsigned)(tested * 10000 / den);
}

void fullplan_lines(struct sbuf *sb, uint64_t tested, uint64_t usable, uint64_t footprint,
                    const struct full_excl *ex, unsigned nexcl, uint64_t ram_total)
{
    unsigned bp = fullplan_share_bp(tested, usable, footprint);
    sbuf_printf(sb, "coverage: full (after ExitBootServices): tested %llu of %llu MiB the OS could use "
                    "minus this app's footprint (%u.%02u %%)\n",
                (unsigned long long)(tested >> 20),
                (unsigned long long)((usable - (footprint < usable ? footprint : usable)) >> 20), bp / 100,
                bp % 100);
    char sz[32];
    fmt_size(sz, sizeof sz, footprint);
    sbuf_printf(sb, "  footprint: %s not tested: this app's image and the block that holds its stacks, "
                    "page tables, GDT/IDT, cell tables and hand-off buffers must stay put while it runs\n",
                sz);
    sbuf_puts(sb, "  RAM left out:\n");
    uint64_t left = 0;
    for (unsigned i = 0; i < nexcl; i++) {
        fmt_size(sz, sizeof sz, ex[i].len);
        sbuf_printf(sb, "    0x%012llx-0x%012llx %10s  %s\n", (unsigned long long)ex[i].base,
                    (unsigned long long)(ex[i].base + ex[i].len), sz, fullplan_why(ex[i].why));
        left += ex[i].len;
    }
    sbuf_printf(sb, "  tested %llu + left out %llu = %llu bytes of total RAM %llu\n", (unsigned long long)tested,
                (unsigned long long)left, (unsigned long long)(tested + left), (unsigned long long)ram_total);
    if (tested + left != ram_total)
        sbuf_printf(sb, "    unaccounted: %lld bytes (a bug: please report it)\n",
                    (long long)(ram_total - tested - left));
}
