// SPDX-License-Identifier: MIT
// weakbit's own identity-mapped page tables for the run after
// ExitBootServices: the firmware's live in boot-services memory, which is
// about to be tested. 2 MiB pages (4 KiB over the first 2 MiB, where the
// fixed-range MTRRs mix types); RAM write-back, the framebuffer UC-
// (write-combining where the MTRRs say so), the local APIC strong UC; MMIO keeps the MTRRs' uncached
// type, which wins over write-back.
#ifndef EFI_BARE_PAGING_H
#define EFI_BARE_PAGING_H

#include <stdint.h>

#define PAGING_MAX_TOP (512ull << 30)   /* one PDPT */

/* 4 KiB pages the tables need to map [0, top) (top rounded up to 1 GiB,
 * at least 4 GiB, at most PAGING_MAX_TOP). */
unsigned paging_pages(uint64_t top);

/* A range mapped uncached: UC- (PCD; write-combining MTRRs still apply,
 * for a framebuffer) or strong UC (PCD+PWT; the local APIC's registers). */
struct paging_uc {
    uint64_t base, len;
    int strong;
};

/* Build the tables in `mem` (paging_pages(top) pages, 4 KiB aligned) and
 * return the value for CR3. `la57`: 5-level paging is on. The 2 MiB pages
 * (4 KiB pages in the first 2 MiB) that touch uc[0..nuc) are mapped uncached. */
uint64_t paging_build(void *mem, uint64_t top, int la57, const struct paging_uc *uc, unsigned nuc);

/* Map the 2 MiB page holding `addr` (below 256 TiB) strong UC in tables
 * paging_build made, wherever it lies (device registers above `top` too),
 * taking page-table pages from spare[0..2) (zeroed, 4 KiB aligned) where
 * none exists yet. 0, or -1 when it cannot. */
int paging_map_uc(void *mem, uint64_t addr, void *spare);

#endif
