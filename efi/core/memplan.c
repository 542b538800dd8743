// SPDX-License-Identifier: MIT
#include "core/memplan.h"

#define LOW_LIMIT (1ull << 20)
#define FOUR_G (1ull << 32)

const char *memplan_reason(enum plan_reason why)
{
    switch (why) {
    case PLAN_LOW_1M: return "below 1 MiB (legacy area)";
    case PLAN_OUTSIDE: return "outside range=";
    case PLAN_RESERVE: return "reserve left to firmware";
    case PLAN_REFUSED: return "firmware refused the allocation";
    case PLAN_OVERFLOW: return "limit: more than 256 tested ranges (PLAN_MAX_TEST)";
    case PLAN_BY_FIRMWARE: return "firmware (boot/runtime services, ACPI)";
    case PLAN_BY_LOADER: return "the loader that started weakbit (loader code/data)";
    case PLAN_BY_APP: return "this app (its image)";
    case PLAN_BY_RESERVED: return "reserved DRAM (reserved or unusable)";
    case PLAN_PARTIAL: return "part of a page";
    case PLAN_REASONS: break;
    }
    return "?";
}

void memplan_exclude(struct mem_plan *plan, uint64_t base, uint64_t len, enum plan_reason why)
{
    if (!len)
        return;
    plan->by_reason[why] += len;
    /* Kept in address order so the report reads top to bottom; a region
     * that continues its neighbour with the same reason joins it. */
    unsigned i = 0;
    while (i < plan->nexcl && plan->excl[i].base < base)
        i++;
    struct plan_excl *prev = i ? &plan->excl[i - 1] : 0;
    if (prev && prev->reason == why && prev->base + prev->len == base) {
        prev->len += len;
        if (i < plan->nexcl && plan->excl[i].reason == why && base + len == plan->excl[i].base) {
            prev->len += plan->excl[i].len;
            for (unsigned k = i; k + 1 < plan->nexcl; k++)
                plan->excl[k] = plan->excl[k + 1];
            plan->nexcl--;
        }
        return;
    }
    if (i < plan->nexcl && plan->excl[i].reason == why && base + len == plan->excl[i].base) {
        plan->excl[i].base = base;
        plan->excl[i].len += len;
        return;
    }
    if (plan->nexcl == PLAN_MAX_EXCL) {
        plan->excl_lost += len;
        plan->excl_unlisted++;
        return;
    }
    for (unsigned k = plan->nexcl++; k > i; k--)
        plan->excl[k] = plan->excl[k - 1];
    plan->excl[i] = (struct plan_excl){ base, len, why };
}

uint64_t memplan_accounted(const struct mem_plan *plan)
{
    uint64_t sum = memplan_test_bytes(plan);
    for (unsigned r = 0; r < PLAN_REASONS; r++)
        sum += plan->by_reason[r];
    return sum;
}

static void add_test(struct mem_plan *plan, uint64_t base, uint64_t end)
{
    if (end <= base)
        return;
    if (plan->ntest && plan->test[plan->ntest - 1].base + plan->test[plan->ntest - 1].len == base) {
        plan->test[plan->ntest - 1].len += end - base;
        return;
    }
    if (plan->ntest == PLAN_MAX_TEST) {
        memplan_exclude(plan, base, end - base, PLAN_OVERFLOW);
        return;
    }
    plan->test[plan->ntest++] = (struct mem_range){ base, end - base };
}

static void test_piece(void *ctx, uint64_t lo, uint64_t hi)
{
    add_test(ctx, lo, hi);
}

static void outside_piece(void *ctx, uint64_t lo, uint64_t hi)
{
    memplan_exclude(ctx, lo, hi - lo, PLAN_OUTSIDE);
}

/* Clip [base,end) to the filters, excluding the parts outside them. */
static void add_filtered(struct mem_plan *plan, uint64_t base, uint64_t end,
                         const struct mem_range *f, unsigned nf)
{
    mem_range_clip(base, end, f, nf, test_piece, outside_piece, plan);
}

/* Take `want` bytes off the top of test ranges whose end is <= limit,
 * highest first. Returns what is still wanted. */
static uint64_t carve_reserve(struct mem_plan *plan, uint64_t want, uint64_t limit)
{
    for (unsigned i = plan->ntest; i-- > 0 && want;) {
        struct mem_range *r = &plan->test[i];
        if (r->base + r->len > limit || !r->len)
            continue;
        uint64_t take = r->len < want ? r->len : want;
        r->len -= take;
        memplan_exclude(plan, r->base + r->len, take, PLAN_RESERVE);
        want -= take;
    }
    return want;
}

void memplan_build(struct mem_plan *plan, const struct plan_desc *desc, unsigned n,
                   const struct mem_range *filter, unsigned nfilter, uint64_t reserve)
{
    struct mem_range f[16];
    unsigned nf = nfilter < 16 ? nfilter : 16;
    for (unsigned i = 0; i < nf; i++)
        f[i] = filter[i];
    mem_range_sort(f, nf);

    *plan = (struct mem_plan){ 0 };
    struct mem_range freeb[PLAN_MAX_TEST];
    unsigned nfree = 0;
    static const enum plan_reason owner[] = {
        [PLAN_FIRMWARE] = PLAN_BY_FIRMWARE, [PLAN_LOADER] = PLAN_BY_LOADER,
        [PLAN_APP] = PLAN_BY_APP, [PLAN_RESERVED] = PLAN_BY_RESERVED,
    };
    for (unsigned i = 0; i < n; i++) {
        if (desc[i].kind == PLAN_NOT_RAM || !desc[i].len)
            continue;
        plan->ram_total += desc[i].len;
        if (desc[i].kind != PLAN_RESERVED && desc[i].base + desc[i].len > plan->ram_top)
            plan->ram_top = desc[i].base + desc[i].len;
        if (desc[i].kind != PLAN_FREE) {
            memplan_exclude(plan, desc[i].base, desc[i].len, owner[desc[i].kind]);
            continue;
        }
        plan->free_total += desc[i].len;
        if (nfree == PLAN_MAX_TEST) {
            memplan_exclude(plan, desc[i].base, desc[i].len, PLAN_OVERFLOW);
            continue;
        }
        freeb[nfree++] = (struct mem_range){ desc[i].base, desc[i].len };
    }
    mem_range_sort(freeb, nfree);

    for (unsigned i = 0; i < nfree; i++) {
        /* UEFI descriptors are whole pages; odd slivers (host tests) are
         * left out as too small, so the sums still add up. */
        uint64_t base = (freeb[i].base + 4095) & ~4095ull;
        uint64_t end = (freeb[i].base + freeb[i].len) & ~4095ull;
        if (end <= base) {
            memplan_exclude(plan, freeb[i].base, freeb[i].len, PLAN_PARTIAL);
            continue;
        }
        memplan_exclude(plan, freeb[i].base, base - freeb[i].base, PLAN_PARTIAL);
        memplan_exclude(plan, end, freeb[i].base + freeb[i].len - end, PLAN_PARTIAL);
        if (base < LOW_LIMIT) {
            uint64_t cut = end < LOW_LIMIT ? end : LOW_LIMIT;
            memplan_exclude(plan, base, cut - base, PLAN_LOW_1M);
            base = cut;
        }
        add_filtered(plan, base, end, f, nf);
    }

    /* Free RAM the plan leaves alone already serves the firmware; only the
     * shortfall comes out of the plan, below 4 GiB first, then anywhere. */
    uint64_t untouched = plan->free_total - memplan_test_bytes(plan);
    uint64_t want = reserve > untouched ? reserve - untouched : 0;
    want = carve_reserve(plan, want, FOUR_G);
    carve_reserve(plan, want, UINT64_MAX);

    /* Drop ranges the reserve emptied. */
    unsigned k = 0;
    for (unsigned i = 0; i < plan->ntest; i++)
        if (plan->test[i].len)
            plan->test[k++] = plan->test[i];
    plan->ntest = k;
}

uint64_t memplan_test_bytes(const struct mem_plan *plan)
{
    return mem_range_total(plan->test, plan->ntest);
}
