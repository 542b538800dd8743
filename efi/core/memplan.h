// SPDX-License-Identifier: MIT
// Which RAM to test: from the firmware memory map to the ranges the app
// will allocate, and a list of what is left out and why.
#ifndef EFI_CORE_MEMPLAN_H
#define EFI_CORE_MEMPLAN_H

#include <stdint.h>
#include "core/memrange.h"

enum plan_kind {
    PLAN_FREE,     /* conventional memory: can be allocated and tested */
    PLAN_FIRMWARE, /* RAM the firmware holds: boot/runtime services code and data, ACPI */
    PLAN_LOADER,   /* loader code/data that is not this app's image: whoever started
                    * weakbit (GRUB's heap and modules, a shell) */
    PLAN_APP,      /* this app's own image */
    PLAN_RESERVED, /* DRAM the firmware reserved or marked unusable */
    PLAN_NOT_RAM,  /* MMIO, persistent memory, anything that is not DRAM */
};

struct plan_desc {
    uint64_t base, len;
    enum plan_kind kind;
};

/* Why RAM is not tested: its owner, or the rule that left it out. */
enum plan_reason {
    PLAN_LOW_1M,    /* free, below 1 MiB: legacy area, not tested */
    PLAN_OUTSIDE,   /* free, outside every range= */
    PLAN_RESERVE,   /* free, left for the firmware (reserve=) */
    PLAN_REFUSED,   /* free, but AllocatePages refused it (filled in by the caller) */
    PLAN_OVERFLOW,  /* free, but past PLAN_MAX_TEST ranges (a limit, named in the report) */
    PLAN_BY_FIRMWARE, /* in use by the firmware */
    PLAN_BY_LOADER, /* in use by the loader that started weakbit */
    PLAN_BY_APP,    /* this app's image */
    PLAN_BY_RESERVED, /* reserved or unusable DRAM */
    PLAN_PARTIAL,   /* free, but not a whole page (never in a UEFI map) */
    PLAN_REASONS
};

struct plan_excl {
    uint64_t base, len;
    enum plan_reason reason;
};

#define PLAN_MAX_TEST 256
#define PLAN_MAX_EXCL 512

struct mem_plan {
    struct mem_range test[PLAN_MAX_TEST];   /* ascending, disjoint, page aligned */
    unsigned ntest;
    struct plan_excl excl[PLAN_MAX_EXCL];
    unsigned nexcl;
    uint64_t ram_total;     /* every kind but PLAN_NOT_RAM */
    uint64_t free_total;    /* PLAN_FREE */
    uint64_t ram_top;       /* end of the highest RAM descriptor */
    uint64_t excl_lost;     /* bytes excluded but not listed (excl[] full) */
    unsigned excl_unlisted; /* regions not listed (excl[] full) */
    /* Bytes left out per reason, listed or not: with the tested bytes they
     * add up to ram_total. */
    uint64_t by_reason[PLAN_REASONS];
};

/* Build the plan from `n` descriptors (any order, may touch). `filter` are the
 * range= entries (nfilter 0: all RAM); `reserve` bytes of free RAM are left,
 * taken from the top of memory below 4 GiB first, where firmware allocates. */
void memplan_build(struct mem_plan *plan, const struct plan_desc *desc, unsigned n,
                   const struct mem_range *filter, unsigned nfilter, uint64_t reserve);

/* Add an exclusion (used by the caller for refused allocations). */
void memplan_exclude(struct mem_plan *plan, uint64_t base, uint64_t len, enum plan_reason why);

/* Tested bytes plus every reason's bytes: equals ram_total when nothing is
 * unaccounted (the report says so when it is not). */
uint64_t memplan_accounted(const struct mem_plan *plan);

/* Short text for a reason. */
const char *memplan_reason(enum plan_reason why);

/* Bytes in plan->test. */
uint64_t memplan_test_bytes(const struct mem_plan *plan);

#endif
