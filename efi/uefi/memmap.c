// SPDX-License-Identifier: MIT
#include "uefi/memmap.h"
#include <efi.h>
#include <efilib.h>

#define PIECE (2ull << 20)

/* This app's image, from the LoadedImage protocol: loader code/data inside
 * it is ours, the rest belongs to whoever loaded us (GRUB, a shell). */
static uint64_t img_base, img_end;

void mm_set_image(void *image)
{
    EFI_LOADED_IMAGE *li = NULL;
    if (BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&li) != EFI_SUCCESS || !li)
        return;
    img_base = (uint64_t)(uintptr_t)li->ImageBase & ~4095ull;
    img_end = ((uint64_t)(uintptr_t)li->ImageBase + li->ImageSize + 4095) & ~4095ull;
}

static enum plan_kind kind_of(const EFI_MEMORY_DESCRIPTOR *d)
{
    switch (d->Type) {
    case EfiConventionalMemory:
        return PLAN_FREE;
    case EfiLoaderCode:
    case EfiLoaderData:
        return PLAN_LOADER;
    case EfiBootServicesCode:
    case EfiBootServicesData:
    case EfiRuntimeServicesCode:
    case EfiRuntimeServicesData:
    case EfiACPIReclaimMemory:
    case EfiACPIMemoryNVS:
    case EfiPalCode:
        return PLAN_FIRMWARE;
    case EfiReservedMemoryType:
    case EfiUnusableMemory:
        /* Write-back cacheable: DRAM held back (SMRAM, a firmware buffer,
         * cells marked bad), not a device window. */
        return d->Attribute & EFI_MEMORY_WB ? PLAN_RESERVED : PLAN_NOT_RAM;
    default:
        return PLAN_NOT_RAM;
    }
}

static struct plan_desc *desc;
static unsigned desc_cap;

static void add_desc(unsigned *k, uint64_t base, uint64_t end, enum plan_kind kind)
{
    if (end > base && *k < desc_cap)
        desc[(*k)++] = (struct plan_desc){ base, end - base, kind };
}

/* The whole map, however long: no descriptor is cut off. Loader memory is
 * split at this app's image so the report can tell the two owners apart. */
static int read_map(unsigned *n)
{
    UINTN size = 0, key, dsize;
    UINT32 ver;
    EFI_STATUS st = BS->GetMemoryMap(&size, NULL, &key, &dsize, &ver);
    if (st != EFI_BUFFER_TOO_SMALL)
        return -1;
    size += 8 * dsize;   /* our own pool allocations may add entries */
    UINT8 *buf = AllocatePool(size);
    unsigned cap = (unsigned)(size / dsize) * 3;
    if (desc && desc_cap < cap) {
        FreePool(desc);
        desc = NULL;
    }
    if (!desc) {
        desc = AllocatePool(cap * sizeof *desc);
        desc_cap = desc ? cap : 0;
    }
    if (!buf || !desc) {
        if (buf)
            FreePool(buf);
        return -1;
    }
    st = BS->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)buf, &key, &dsize, &ver);
    if (st != EFI_SUCCESS) {
        FreePool(buf);
        return -1;
    }
    unsigned k = 0;
    for (UINTN off = 0; off + dsize <= size; off += dsize) {
        EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)(buf + off);
        uint64_t b = d->PhysicalStart, e = b + d->NumberOfPages * 4096ull;
        enum plan_kind kind = kind_of(d);
        if (kind != PLAN_LOADER || e <= img_base || b >= img_end) {
            add_desc(&k, b, e, kind);
            continue;
        }
        uint64_t ib = img_base > b ? img_base : b, ie = img_end < e ? img_end : e;
        add_desc(&k, b, ib, PLAN_LOADER);
        add_desc(&k, ib, ie, PLAN_APP);
        add_desc(&k, ie, e, PLAN_LOADER);
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
            if (ngot < PLAN_MAX_TEST) {
                got[ngot++] = r;
            } else {   /* cannot track it: give it back, and say so */
                BS->FreePages(r.base, r.len / 4096);
                memplan_exclude(plan, r.base, r.len, PLAN_OVERFLOW);
            }
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
                else {
                    BS->FreePages(a, (end - a) / 4096);  /* cannot track it: give it back */
                    memplan_exclude(plan, a, end - a, PLAN_OVERFLOW);
                }
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
