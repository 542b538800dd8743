// SPDX-License-Identifier: MIT
// The data block of the AP start-up trampoline (boot/trampoline.asm) as C
// sees it, and the step that installs the trampoline in its low page. The
// offsets come from the assembled trampoline itself (build/gen/
// tramp_layout.h, generated from its symbols); tramp.c checks the struct
// below against them with _Static_assert, so moving a field in the asm
// without following here fails the build.
#ifndef EFI_CORE_TRAMP_H
#define EFI_CORE_TRAMP_H

#include <stddef.h>
#include <stdint.h>

/* Starting at the asm's tramp_gdt. */
struct __attribute__((packed)) tramp_data {
    uint64_t gdt[4];
    uint16_t gdt_limit;
    uint32_t gdt_base;         /* linear address of gdt[] */
    uint8_t pad0[2];
    uint32_t pm_off;           /* far pointer to the 32-bit part */
    uint16_t pm_sel;
    uint8_t pad1[2];
    uint32_t lm_off;           /* far pointer to the 64-bit part */
    uint16_t lm_sel;
    uint8_t pad2[2];
    uint64_t cr3;              /* below 4 GiB: loaded in protected mode */
    uint64_t cr4;              /* bits to set besides PAE/OSFXSR/OSXMMEXCPT */
    uint64_t entry;            /* void entry(unsigned index), System V */
    uint64_t stacks;           /* uint64_t stack_top[ncpus] */
    uint64_t ids;              /* uint32_t apic_id[ncpus] */
    uint32_t ncpus;
    uint32_t id_leaf;          /* 1: x2APIC ID from CPUID 0BH; 0: CPUID 1 EBX[31:24] */
    uint32_t alive;            /* APs that reached long mode */
    uint32_t stray;            /* APs that did not find their APIC ID */
};

/* What the APs get. */
struct tramp_params {
    uint64_t cr3, cr4_bits, entry, stacks, ids;
    uint32_t ncpus;
    int x2apic_ids;            /* read IDs through CPUID 0BH */
};

enum tramp_err {
    TRAMP_OK = 0,
    TRAMP_PAGE = -1,           /* page not 4 KiB aligned or not below 1 MiB */
    TRAMP_SIZE = -2,           /* the code does not fit in a page */
    TRAMP_CR3 = -3,            /* page tables at or above 4 GiB */
    TRAMP_BLOB = -4,           /* the blob does not start like the trampoline */
};

/* Copy blob[len] (tramp_start .. tramp_end) to dst, the page's contents as
 * seen from here, and fill its data block for physical page `page`.
 * Returns TRAMP_OK or an error; dst is untouched on error. */
int tramp_install(uint8_t *dst, uint64_t page, const uint8_t *blob, size_t len,
                  const struct tramp_params *p);

/* The data block inside an installed page. */
volatile struct tramp_data *tramp_data_of(uint8_t *page);

/* The SIPI vector for a page (its page number). */
static inline uint8_t tramp_vector(uint64_t page)
{
    return (uint8_t)(page >> 12);
}

const char *tramp_strerror(int err);

#endif
