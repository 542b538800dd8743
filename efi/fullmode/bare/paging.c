// SPDX-License-Identifier: MIT
#include "fullmode/bare/paging.h"

#define GIB (1ull << 30)
#define P 0x1ull
#define RW 0x2ull
#define PWT 0x08ull
#define PCD 0x10ull
#define PS 0x80ull

static uint64_t gib_count(uint64_t top)
{
    if (top < 4 * GIB)
        top = 4 * GIB;
    if (top > PAGING_MAX_TOP)
        top = PAGING_MAX_TOP;
    return (top + GIB - 1) / GIB;
}

unsigned paging_pages(uint64_t top)
{
    return (unsigned)gib_count(top) + 4;   /* PDs, PDPT, PML4, PML5, the first 2 MiB's PT */
}

/* The cache bits of a page [a, a + size) that touches an uncached range. */
static uint64_t uc_bits(const struct paging_uc *uc, unsigned nuc, uint64_t a, uint64_t size)
{
    uint64_t e = 0;
    for (unsigned u = 0; u < nuc; u++)
        if (uc[u].len && a < uc[u].base + uc[u].len && a + size > uc[u].base)
            e |= PCD | (uc[u].strong ? PWT : 0);
    return e;
}

uint64_t paging_build(void *mem, uint64_t top, int la57, const struct paging_uc *uc, unsigned nuc)
{
    uint64_t n = gib_count(top);
    uint64_t *pml5 = mem, *pml4 = pml5 + 512, *pdpt = pml4 + 512, *pd = pdpt + 512, *pt = pd + 512 * n;
    for (uint64_t i = 0; i < 4 * 512 + n * 512; i++)
        pml5[i] = 0;
    pml5[0] = (uint64_t)(uintptr_t)pml4 | P | RW;
    pml4[0] = (uint64_t)(uintptr_t)pdpt | P | RW;
    for (uint64_t g = 0; g < n; g++) {
        pdpt[g] = (uint64_t)(uintptr_t)(pd + 512 * g) | P | RW;
        for (uint64_t k = 0; k < 512; k++) {
            uint64_t a = g * GIB + (k << 21);
            pd[512 * g + k] = a | P | RW | PS | uc_bits(uc, nuc, a, 1ull << 21);
        }
    }
    /* The first 2 MiB in 4 KiB pages: the fixed-range MTRRs give its pieces
     * different types (legacy video, option ROMs), and one large page over
     * mixed types is undefined behaviour. */
    for (uint64_t k = 0; k < 512; k++)
        pt[k] = k << 12 | P | RW | uc_bits(uc, nuc, k << 12, 4096);
    pd[0] = (uint64_t)(uintptr_t)pt | P | RW;
    return (uint64_t)(uintptr_t)(la57 ? pml5 : pml4);
}

/* The table an entry points to, made from the next spare page when absent. */
static uint64_t *next_table(uint64_t *e, uint8_t **spare, uint8_t *end)
{
    if (!(*e & P)) {
        if (*spare >= end)
            return 0;
        *e = (uint64_t)(uintptr_t)*spare | P | RW;
        *spare += 4096;
    }
    return (uint64_t *)(uintptr_t)(*e & 0x000ffffffffff000ull);
}

int paging_map_uc(void *mem, uint64_t addr, void *spare)
{
    if (addr >> 48)
        return -1;
    uint8_t *s = spare, *end = s + 2 * 4096;
    uint64_t *pml4 = (uint64_t *)mem + 512;
    uint64_t *pdpt = next_table(&pml4[addr >> 39 & 511], &s, end);
    if (!pdpt)
        return -1;
    if (pdpt[addr >> 30 & 511] & PS)
        return -1;
    uint64_t *pd = next_table(&pdpt[addr >> 30 & 511], &s, end);
    uint64_t *e = pd ? &pd[addr >> 21 & 511] : 0;
    if (!e || (*e & P && !(*e & PS)))
        return -1;   /* a 4 KiB table (the first 2 MiB): never device registers */
    *e = (addr & ~((1ull << 21) - 1)) | P | RW | PS | PCD | PWT;
    return 0;
}
