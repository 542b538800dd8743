// SPDX-License-Identifier: MIT
#include "uefi/timer.h"
#include "cpu/cpu.h"
#include <efi.h>
#include <efilib.h>

static uint64_t t0, per_ms = 1;
static int invariant;

/* CPUID 80000007h EDX[8]: the TSC ticks at one rate in every P-, C- and
 * T-state, so it measures time. */
static int tsc_invariant(void)
{
    uint32_t r[4];
    cpu_cpuid(0x80000000u, 0, r);
    if (r[0] < 0x80000007u)
        return 0;
    cpu_cpuid(0x80000007u, 0, r);
    return r[3] >> 8 & 1;
}

const char *timer_tsc_note(void)
{
    return invariant ? "invariant (CPUID 80000007h EDX[8])"
                     : "NOT invariant (CPUID 80000007h EDX[8] = 0): times and rates may drift "
                       "with power states, and between CPUs";
}

void timer_init(void)
{
    /* Stall() can only run long (an interrupt, a busy host), never short:
     * the fastest of several 20 ms trials is the closest to the truth. */
    invariant = tsc_invariant();
    uint64_t best = ~0ull, b = 0;
    for (int i = 0; i < 5; i++) {
        uint64_t a = cpu_rdtsc();
        BS->Stall(20000);
        b = cpu_rdtsc();
        if (b - a < best)
            best = b - a;
    }
    per_ms = best / 20;
    if (!per_ms)
        per_ms = 1;
    t0 = b;
}

uint64_t timer_ms(void)
{
    return timer_tsc_ms(cpu_rdtsc());
}

uint64_t timer_us(void)
{
    uint64_t tsc = cpu_rdtsc();
    return tsc > t0 ? (tsc - t0) * 1000 / per_ms : 0;
}

uint64_t timer_tsc_ms(uint64_t tsc)
{
    return tsc > t0 ? (tsc - t0) / per_ms : 0;
}

uint64_t timer_tsc_per_ms(void)
{
    return per_ms;
}
