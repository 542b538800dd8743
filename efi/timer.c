// SPDX-License-Identifier: MIT
#include "timer.h"
#include "cpu.h"
#include <efi.h>
#include <efilib.h>

static uint64_t t0, per_ms = 1;

void timer_init(void)
{
    /* 50 ms is long enough to make Stall's granularity negligible. */
    uint64_t a = cpu_rdtsc();
    BS->Stall(50000);
    uint64_t b = cpu_rdtsc();
    per_ms = (b - a) / 50;
    if (!per_ms)
        per_ms = 1;
    t0 = b;
}

uint64_t timer_ms(void)
{
    return timer_tsc_ms(cpu_rdtsc());
}

uint64_t timer_tsc_ms(uint64_t tsc)
{
    return tsc > t0 ? (tsc - t0) / per_ms : 0;
}

uint64_t timer_tsc_per_ms(void)
{
    return per_ms;
}
