// SPDX-License-Identifier: MIT
// Which RAM to test: from the firmware memory map to the ranges the app
// will allocate, and a list of what is left out and why.
#ifndef EFI_CORE_MEMPLAN_H
#define EFI_CORE_MEMPLAN_H

#include <stdint.h>
#include "mtest.h"

enum mp_kind {
    MP_FREE,    /* conventional memory: can be allocated and tested */
    MP_IN_USE,  /* RAM held by firmware or this app (boot/runtime services, loader, ACPI) */
    MP_NOT_RAM, /* reserved, MMIO, unusable, persistent */
};

struct mp_desc {
    uint64_t base, len;
    enum mp_kind kind;
};

enum mp_reason {
    MP_LOW_1M,    /* below 1 MiB: legacy area, not tested */
    MP_OUTSIDE,   /* outside every range= */
    MP_RESERVE,   /* left free for the firmware (reserve=) */
    MP_REFUSED,   /* AllocatePages refused it (filled in by the caller) */
    MP_OVERFLOW,  /* more ranges than the plan can hold */
};

struct mp_excl {
    uint64_t base, len;
    enum mp_reason reason;
};

#define MP_MAX_TEST 256
#define MP_MAX_EXCL 256

struct mp_plan {
    struct mem_range test[MP_MAX_TEST];   /* ascending, disjoint, page aligned */
    unsigned ntest;
    struct mp_excl excl[MP_MAX_EXCL];
    unsigned nexcl;
    uint64_t ram_total;     /* MP_FREE + MP_IN_USE */
    uint64_t free_total;    /* MP_FREE */
    uint64_t ram_top;       /* end of the highest RAM descriptor */
    uint64_t excl_lost;     /* bytes excluded but not listed (excl[] full) */
};

/* Build the plan from `n` descriptors (any order, may touch). `filter` are the
 * range= entries (nfilter 0: all RAM); `reserve` bytes of free RAM are left,
 * taken from the top of memory below 4 GiB first, where firmware allocates. */
void memplan_build(struct mp_plan *plan, const struct mp_desc *desc, unsigned n,
                   const struct mem_range *filter, unsigned nfilter, uint64_t reserve);

/* Add an exclusion (used by the caller for refused allocations). */
void memplan_exclude(struct mp_plan *plan, uint64_t base, uint64_t len, enum mp_reason why);

/* Short text for a reason. */
const char *memplan_reason(enum mp_reason why);

/* Bytes in plan->test. */
uint64_t memplan_test_bytes(const struct mp_plan *plan);

#endif
