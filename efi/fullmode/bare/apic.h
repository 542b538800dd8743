// SPDX-License-Identifier: MIT
// The boot CPU's local APIC after ExitBootServices, for the start-up and
// parking IPIs only (interrupts stay off). x2APIC through MSRs when the
// firmware enabled it or an APIC ID does not fit 8 bits; otherwise xAPIC
// MMIO at the base IA32_APIC_BASE names, which the bare page tables map
// strong uncacheable (Intel SDM Vol. 3, "Advanced Programmable Interrupt
// Controller": ICR, IA32_APIC_BASE).
#ifndef EFI_BARE_APIC_H
#define EFI_BARE_APIC_H

#include <stdint.h>

#define APIC_MSR_BASE 0x1bu           /* IA32_APIC_BASE */
#define APIC_BASE_BSP (1ull << 8)
#define APIC_BASE_X2 (1ull << 10)
#define APIC_BASE_EN (1ull << 11)

/* What IA32_APIC_BASE said, read before the exit. */
struct apic_info {
    uint64_t base;                    /* physical MMIO base (xAPIC) */
    int x2apic;                       /* x2APIC mode on */
    int enabled;                      /* globally enabled */
};

/* Decode an IA32_APIC_BASE value. */
struct apic_info apic_decode(uint64_t msr);

/* Use this APIC; `x2`: MSR access (turned on here when it was off and
 * `need_x2`: an ID above 254). Returns 0, or -1 when x2APIC is needed
 * but the CPU lacks it. */
int apic_init(const struct apic_info *a, int need_x2);

/* This CPU's APIC ID. */
uint32_t apic_id(void);

/* INIT to `dest` (assert; P6 and later need no de-assert). 0, or -1 when
 * the xAPIC never reported the IPI sent. */
int apic_init_ipi(uint32_t dest);

/* Start-up IPI to `dest` with vector `page_number`. */
int apic_sipi(uint32_t dest, uint8_t vector);

/* Is x2APIC mode in use? */
int apic_x2(void);

#endif
