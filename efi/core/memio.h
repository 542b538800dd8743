// SPDX-License-Identifier: MIT
// The one door to memory under test. Test kernels read and write 64-bit
// words only through these calls, so host tests can swap real RAM for a
// simulated memory with injected faults (build with -DWEAKBIT_SIM).
#ifndef EFI_CORE_MEMIO_H
#define EFI_CORE_MEMIO_H

#include <stdint.h>

#ifdef WEAKBIT_SIM
/* Provided by the host simulator (tests/sim). */
uint64_t memio_read(uint64_t addr);
void memio_write(uint64_t addr, uint64_t value);
#else
/* UEFI runs identity-mapped, so a physical address is a pointer. */
static inline uint64_t memio_read(uint64_t addr)
{
    return *(volatile const uint64_t *)(uintptr_t)addr;
}

static inline void memio_write(uint64_t addr, uint64_t value)
{
    *(volatile uint64_t *)(uintptr_t)addr = value;
}
#endif

/* Write back and invalidate caches, so the next read comes from DRAM
 * (wbinvd in boot/cpu.asm on the target; a hook in the simulator). */
void memio_flush(void);

#endif
