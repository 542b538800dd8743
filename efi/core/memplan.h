// SPDX-License-Identifier: MIT
// Which RAM to test: from the firmware memory map to the ranges the app
// will allocate, and a list of what is left out and why.
#ifndef EFI_CORE_MEMPLAN_H
#define EFI_CORE_MEMPLAN_H

#include <stdint.h>
#include "core/memrange.h"

enum plan_kind {
    PLAN_FREE,    /* conventional memory: can be allocated and tested */
    PLAN_IN_USE,  /* RAM held by firmware or this app (boot/runtime services, loader, ACPI) */
    PLAN_NOT_RAM, /* reserved, MMIO, unusable, persistent */
};

struct plan_desc {
    uint64_t base, len;
    enum plan_kind kind;
};

enum plan_reason {
    PLAN_LOW_1M,    /* below 1 MiB: legacy area, not tested */
    PLAN_OUTSIDE,   /* outside every range= */
    PLAN_RESERVE,   /* left free for the firmware (reserve=) */
    PLAN_REFUSED,   /* AllocatePages refused it (filled in by the caller) */
    PLAN_OVERFLOW,  /* more ranges than the plan can hold */
};

struct plan_excl {
    uint64_t base, len;
    enum plan_reason reason;
};

#define PLAN_MAX_TEST 256
#define PLAN_MAX_EXCL 256

struct mem_plan {
    struct mem_range test[PLAN_MAX_TEST];   /* ascending, disjoint, page aligned */
    unsigned ntest;
    struct plan_excl excl[PLAN_MAX_EXCL];
    unsigned nexcl;
    uint64_t ram_total;     /* PLAN_FREE + PLAN_IN_USE */
    uint64_t free_total;    /* PLAN_FREE */
    uint64_t ram_top;       /* end of the highest RAM descriptor */
    uint64_t excl_lost;     /* bytes excluded but not listed (excl[] full) */
};

/* Build the plan from `n` descriptors (any order, may touch). `filter` are the
 * range= entries (nfilter 0: all RAM); `reserve` bytes of free RAM are left,
 * taken from the top of memory below 4 GiB first, where firmware allocates. */
void memplan_build(struct mem_plan *plan, const struct plan_desc *desc, unsigned n,
                   const struct mem_range *filter, unsigned nfilter, uint64_t reserve);

/* Add an exclusion (used by the caller for refused allocations). */
void memplan_exclude(struct mem_plan *plan, uint64_t base, uint64_t len, enum plan_reason why);

/* Short text for a reason. */
const char *memplan_reason(enum plan_reason why);

/* Bytes in plan->test. */
uint64_t memplan_test_bytes(const struct mem_plan *plan);

#endif
