// SPDX-License-Identifier: MIT
#include "memmap.h"
#include <efi.h>
#include <efilib.h>

#define PIECE (2ull << 20)

static enum plan_kind kind_of(UINT32 type)
{
    switch (type) {
    case EfiConventionalMemory:
        return PLAN_FREE;
    case EfiLoaderCode:
    case EfiLoaderData:
    case EfiBootServicesCode:
    case EfiBootServicesData:
    case EfiRuntimeServicesCode:
    case EfiRuntimeServicesData:
    case EfiACPIReclaimMemory:
    case EfiACPIMemoryNVS:
        return PLAN_IN_USE;
    default:
        return PLAN_NOT_RAM;
    }
}

static struct plan_desc desc[512];

static int read_map(unsigned *n)
{
    UINTN size = 0, key, dsize;
    UINT32 ver;
    EFI_STATUS st = BS->GetMemoryMap(&size, NULL, &key, &dsize, &ver);
    if (st != EFI_BUFFER_TOO_SMALL)
        return -1;
    size += 4 * dsize;   /* our own pool allocation may add entries */
    UINT8 *buf = AllocatePool(size);
    if (!buf)
        return -1;
    st = BS->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)buf, &key, &dsize, &ver);
    if (st != EFI_SUCCESS) {
        FreePool(buf);
        return -1;
    }
    unsigned k = 0;
    for (UINTN off = 0; off + dsize <= size && k < 512; off += dsize) {
        EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)(buf + off);
        desc[k++] = (struct plan_desc){ d->PhysicalStart, d->NumberOfPages * 4096ull, kind_of(d->Type) };
    }
    FreePool(buf);
    *n = k;
    return 0;
}

static int take(uint64_t base, uint64_t len)
{
    EFI_PHYSICAL_ADDRESS a = base;
    return BS->AllocatePages(AllocateAddress, EfiLoaderData, len / 4096, &a) == EFI_SUCCESS ? 0 : -1;
}

int mm_take(struct mem_plan *plan, const struct mem_range *filter, unsigned nfilter, uint64_t reserve)
{
    unsigned n;
    if (read_map(&n))
        return -1;
    memplan_build(plan, desc, n, filter, nfilter, reserve);

    /* Allocate whole ranges; if one is refused, try it in 2 MiB pieces so
     * one busy page does not cost the whole range. */
    static struct mem_range got[PLAN_MAX_TEST];
    unsigned ngot = 0;
    for (unsigned i = 0; i < plan->ntest; i++) {
        struct mem_range r = plan->test[i];
        if (!take(r.base, r.len)) {
            if (ngot < PLAN_MAX_TEST)
                got[ngot++] = r;
            continue;
        }
        for (uint64_t a = r.base; a < r.base + r.len;) {
            uint64_t end = (a + PIECE) & ~(PIECE - 1);
            if (end > r.base + r.len)
                end = r.base + r.len;
            if (!take(a, end - a)) {
                if (ngot && got[ngot - 1].base + got[ngot - 1].len == a)
                    got[ngot - 1].len += end - a;
                else if (ngot < PLAN_MAX_TEST)
                    got[ngot++] = (struct mem_range){ a, end - a };
                else
                    BS->FreePages(a, (end - a) / 4096);  /* cannot track it: give it back */
            } else {
                memplan_exclude(plan, a, end - a, PLAN_REFUSED);
            }
            a = end;
        }
    }
    for (unsigned i = 0; i < ngot; i++)
        plan->test[i] = got[i];
    plan->ntest = ngot;
    return 0;
}

void mm_release(const struct mem_plan *plan)
{
    for (unsigned i = 0; i < plan->ntest; i++)
        BS->FreePages(plan->test[i].base, plan->test[i].len / 4096);
}
