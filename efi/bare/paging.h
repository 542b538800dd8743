// SPDX-License-Identifier: MIT
// weakbit's own identity-mapped page tables for the run after
// ExitBootServices: the firmware's live in boot-services memory, which is
// about to be tested. 2 MiB pages; RAM write-back, the framebuffer UC-
// (write-combining where the MTRRs say so); MMIO keeps the MTRRs' uncached
// type, which wins over write-back.
#ifndef EFI_BARE_PAGING_H
#define EFI_BARE_PAGING_H

#include <stdint.h>

#define PAGING_MAX_TOP (512ull << 30)   /* one PDPT */

/* 4 KiB pages the tables need to map [0, top) (top rounded up to 1 GiB,
 * at least 4 GiB, at most PAGING_MAX_TOP). */
unsigned paging_pages(uint64_t top);

/* Build the tables in `mem` (paging_pages(top) pages, 4 KiB aligned) and
 * return the value for CR3. `la57`: 5-level paging is on. The range
 * [uc_base, uc_base + uc_len) is mapped UC-. */
uint64_t paging_build(void *mem, uint64_t top, int la57, uint64_t uc_base, uint64_t uc_len);

#endif
