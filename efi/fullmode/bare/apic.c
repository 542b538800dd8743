// SPDX-License-Identifier: MIT
#include "fullmode/bare/apic.h"
#include "fullmode/bare/trap.h"
#include "cpu/cpu.h"

#define X2_ID 0x802u
#define X2_ICR 0x830u
#define REG_ID 0x20u
#define REG_ICR_LO 0x300u
#define REG_ICR_HI 0x310u
#define ICR_PENDING (1u << 12)        /* delivery status (xAPIC only) */
#define ICR_ASSERT (1u << 14)
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)
#define SPIN 1000000u

static uint64_t mmio;
static int x2;

struct apic_info apic_decode(uint64_t msr)
{
    return (struct apic_info){ msr & 0x000ffffffffff000ull, (msr & APIC_BASE_X2) != 0,
                               (msr & APIC_BASE_EN) != 0 };
}

static volatile uint32_t *reg(uint32_t off)
{
    return (volatile uint32_t *)(uintptr_t)(mmio + off);
}

int apic_init(const struct apic_info *a, int need_x2)
{
    mmio = a->base;
    x2 = a->x2apic;
    if (!x2 && need_x2) {
        uint32_t r[4];
        cpu_cpuid(1, 0, r);
        if (!(r[2] & (1u << 21)))
            return -1;
        /* xAPIC -> x2APIC: EN stays set, EXTD is added (the only legal step). */
        cpu_wrmsr(APIC_MSR_BASE, cpu_rdmsr(APIC_MSR_BASE) | APIC_BASE_X2 | APIC_BASE_EN);
        x2 = 1;
    }
    return 0;
}

int apic_x2(void)
{
    return x2;
}

uint32_t apic_id(void)
{
    return x2 ? (uint32_t)cpu_rdmsr(X2_ID) : *reg(REG_ID) >> 24;
}

static int send(uint32_t dest, uint32_t low)
{
    if (x2) {
        /* One 64-bit write sends it; x2APIC has no delivery-status bit. */
        cpu_wrmsr(X2_ICR, (uint64_t)dest << 32 | low);
        return 0;
    }
    for (unsigned i = 0; i < SPIN && *reg(REG_ICR_LO) & ICR_PENDING; i++)
        __builtin_ia32_pause();
    *reg(REG_ICR_HI) = dest << 24;
    *reg(REG_ICR_LO) = low;            /* this write sends */
    for (unsigned i = 0; i < SPIN; i++) {
        if (!(*reg(REG_ICR_LO) & ICR_PENDING))
            return 0;
        __builtin_ia32_pause();
    }
    return -1;
}

int apic_init_ipi(uint32_t dest)
{
    return send(dest, ICR_INIT | ICR_ASSERT);
}

int apic_sipi(uint32_t dest, uint8_t vector)
{
    return send(dest, ICR_STARTUP | ICR_ASSERT | vector);
}
