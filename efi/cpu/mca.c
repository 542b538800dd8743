// SPDX-License-Identifier: MIT
#include "cpu/mca.h"
#include "cpu/cpu.h"
#include "core/smp.h"

#define CR4_MCE (1u << 6)

/* Each slot's CPU, probed on its first poll (by that CPU: banks are per CPU). */
static struct mce_cpu cpus[SMP_MAX_CPUS];
static volatile uint32_t probed[SMP_MAX_CPUS];

static uint64_t rd(void *ctx, uint32_t msr)
{
    (void)ctx;
    return cpu_rdmsr(msr);
}

static void wr(void *ctx, uint32_t msr, uint64_t v)
{
    (void)ctx;
    cpu_wrmsr(msr, v);
}

static const struct mce_msr io = { rd, wr, 0 };

/* AMD's RAS capabilities (CPUID 0x80000007 EBX), 0 elsewhere. */
static uint32_t amd_ras_ebx(void)
{
    uint32_t r[4];
    cpu_cpuid(0, 0, r);
    int amd = r[1] == 0x68747541u && r[3] == 0x69746e65u && r[2] == 0x444d4163u;   /* "AuthenticAMD" */
    int hygon = r[1] == 0x6f677948u && r[3] == 0x6e65476eu && r[2] == 0x656e6975u; /* "HygonGenuine" */
    if (!amd && !hygon)
        return 0;
    cpu_cpuid(0x80000000u, 0, r);
    if (r[0] < 0x80000007u)
        return 0;
    cpu_cpuid(0x80000007u, 0, r);
    return r[1];
}

static void probe(unsigned slot)
{
    uint32_t r[4];
    cpu_cpuid(1, 0, r);
    mce_probe(&cpus[slot], r[3], amd_ras_ebx(), &io);
    __atomic_store_n(&probed[slot], 1, __ATOMIC_RELEASE);
}

unsigned mca_poll(unsigned slot, struct mce_event *out, unsigned cap)
{
    if (slot >= SMP_MAX_CPUS)
        return 0;
    if (!__atomic_load_n(&probed[slot], __ATOMIC_ACQUIRE))
        probe(slot);
    return mce_poll(&cpus[slot], &io, out, cap);
}

unsigned mca_poll_now(struct mce_event *out, unsigned cap)
{
    uint32_t r[4];
    struct mce_cpu c;
    cpu_cpuid(1, 0, r);
    mce_probe(&c, r[3], amd_ras_ebx(), &io);
    return mce_poll(&c, &io, out, cap);
}

int mca_has_banks(void)
{
    uint32_t r[4];
    cpu_cpuid(1, 0, r);
    return (r[3] & MCE_CPUID1_EDX_MCE) && (r[3] & MCE_CPUID1_EDX_MCA);
}

void mca_report(struct session_mce *m)
{
    m->state = SESSION_MCE_POLL;
    m->banks = m->cpus = 0;
    for (unsigned i = 0; i < SMP_MAX_CPUS; i++) {
        if (!__atomic_load_n(&probed[i], __ATOMIC_ACQUIRE))
            continue;
        m->cpus += cpus[i].banks != 0;
        if (cpus[i].banks > m->banks)
            m->banks = cpus[i].banks;
    }
}

int mca_cr4_mce(void)
{
    return (cpu_read_cr4() & CR4_MCE) != 0;
}
