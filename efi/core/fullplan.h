// SPDX-License-Identifier: MIT
// What a full-coverage run tests once the firmware is gone: every range the
// OS could use (conventional, boot-services and loader code and data) minus
// weakbit's own footprint, and a list of everything left out with the reason.
// Runtime services, ACPI NVS, reserved and MMIO ranges are never ours; ACPI
// reclaim memory still holds the tables the OS will read.
#ifndef EFI_CORE_FULLPLAN_H
#define EFI_CORE_FULLPLAN_H

#include <stdint.h>
#include "core/fmt.h"
#include "core/memplan.h"
#include "core/memrange.h"

/* Memory map types, as the UEFI spec numbers them. */
enum full_type {
    FULL_RESERVED = 0, FULL_LOADER_CODE, FULL_LOADER_DATA, FULL_BS_CODE, FULL_BS_DATA,
    FULL_RT_CODE, FULL_RT_DATA, FULL_CONVENTIONAL, FULL_UNUSABLE, FULL_ACPI_RECLAIM,
    FULL_ACPI_NVS, FULL_MMIO, FULL_MMIO_PORT, FULL_PAL_CODE, FULL_PERSISTENT,
};

struct full_desc {
    uint64_t base, len;
    uint32_t type;          /* enum full_type, | FULL_TYPE_RUNTIME; others are treated as reserved */
};

/* Beside the type: the descriptor has EFI_MEMORY_RUNTIME (the firmware
 * uses it at run time, whatever its type says): never tested. */
#define FULL_TYPE_RUNTIME 0x80000000u
/* ... it has EFI_MEMORY_WB: a reserved or unusable one is DRAM held back,
 * counted in the total RAM as firmware mode counts it (not a device window). */
#define FULL_TYPE_WB 0x40000000u
#define FULL_TYPE_FLAGS (FULL_TYPE_RUNTIME | FULL_TYPE_WB)

/* fullplan_build flags: leave boot-services code and data untested
 * (full_bsmem=skip, for firmware that touches them from runtime services). */
#define FULLPLAN_SKIP_BS 1u

/* Why a range of RAM is not tested. */
enum full_why {
    FULL_WHY_FOOTPRINT = 1, /* weakbit's image and its run-time block */
    FULL_WHY_LOW_1M,        /* below 1 MiB: legacy area */
    FULL_WHY_ACPI_TABLES,   /* ACPI reclaim: the tables the OS still reads */
    FULL_WHY_RUNTIME,       /* runtime services code/data: firmware keeps them */
    FULL_WHY_NVS,           /* ACPI NVS: firmware's across sleep states */
    FULL_WHY_RESERVED,      /* reserved / unusable DRAM: never ours */
    FULL_WHY_OUTSIDE,       /* outside every range= */
    FULL_WHY_OVERFLOW,      /* more pieces than the plan holds */
    FULL_WHY_BS_KEPT,       /* boot services memory left alone (full_bsmem=skip) */
};

#define FULL_MAX_EXCL 128

struct full_excl {
    uint64_t base, len;
    uint8_t why;            /* enum full_why */
};

struct full_plan {
    struct mem_plan plan;   /* test[] (the ranges), ram_total, free_total, ram_top */
    struct full_excl excl[FULL_MAX_EXCL];
    unsigned nexcl;
    uint64_t excl_lost;     /* bytes left out that excl[] had no room for */
    uint64_t usable;        /* RAM the OS could use: conventional, boot services, loader, ACPI reclaim */
    uint64_t footprint;     /* bytes of the footprint inside usable RAM */
    uint64_t tested;
};

/* Build the plan from the memory map after ExitBootServices. `foot` are
 * weakbit's own ranges (image, block); `filter` the range= entries (0: all);
 * `flags`: FULLPLAN_SKIP_BS. */
void fullplan_build(struct full_plan *fp, const struct full_desc *d, unsigned n,
                    const struct mem_range *foot, unsigned nfoot, const struct mem_range *filter,
                    unsigned nfilter, unsigned flags);

/* How far the page tables must reach: the end of the highest RAM or
 * runtime (FULL_TYPE_RUNTIME) descriptor, at least 4 GiB. Reserved, MMIO
 * and unusable ranges above that are never touched (AMD boards list a
 * reserved range near 1 TiB), so they do not count. */
uint64_t fullplan_map_top(const struct full_desc *d, unsigned n);

/* Text for a reason. */
const char *fullplan_why(unsigned why);

/* Short name of a memory map type ("boot services data"). */
const char *fullplan_type_name(uint32_t type);

/* Tested share of usable RAM minus the footprint, in hundredths of a percent. */
unsigned fullplan_share_bp(uint64_t tested, uint64_t usable, uint64_t footprint);

/* report.txt lines: "full coverage: tested X of Y MiB (Z %)", the footprint
 * with its size and why it is not tested, and every range left out. */
void fullplan_lines(struct sbuf *sb, uint64_t tested, uint64_t usable, uint64_t footprint,
                    const struct full_excl *excl, unsigned nexcl, uint64_t ram_total);

#endif
