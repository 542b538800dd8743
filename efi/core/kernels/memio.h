// SPDX-License-Identifier: MIT
// The one door to memory under test. Test kernels read and write 64-bit
// words only through these calls, so host tests can swap real RAM for a
// simulated memory with injected faults (build with -DWEAKBIT_SIM).
#ifndef EFI_CORE_KERNELS_MEMIO_H
#define EFI_CORE_KERNELS_MEMIO_H

#include <stdint.h>

/* Two consecutive words (addr, addr + 8), for loops that compute two at a
 * time in SSE2 registers. Pair accesses need a 16-byte aligned addr. */
typedef uint64_t memio_pair __attribute__((vector_size(16)));

#ifdef WEAKBIT_SIM
/* Provided by the host simulator (tests/sim). */
uint64_t memio_read(uint64_t addr);
void memio_write(uint64_t addr, uint64_t value);
void memio_write_stream(uint64_t addr, uint64_t value);
void memio_stream_fence(void);
memio_pair memio_read_pair(uint64_t addr);
void memio_write_pair(uint64_t addr, memio_pair v);
void memio_write_pair_stream(uint64_t addr, memio_pair v);
static inline void memio_prefetch(uint64_t addr)
{
    (void)addr;
}
void memio_hammer(uint64_t a, uint64_t b, uint64_t rounds, int fence);
void memio_spin(void);
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

/* A write that bypasses the caches (movnti): for fills whose data is not read
 * back soon, it saves the read-for-ownership of each line. Whole 64-byte
 * lines written this way stream at full bandwidth; finish a phase with
 * memio_stream_fence(). */
static inline void memio_write_stream(uint64_t addr, uint64_t value)
{
    __builtin_ia32_movnti64((long long *)(uintptr_t)addr, (long long)value);
}

static inline memio_pair memio_read_pair(uint64_t addr)
{
    return *(volatile const memio_pair *)(uintptr_t)addr;
}

static inline void memio_write_pair(uint64_t addr, memio_pair v)
{
    *(volatile memio_pair *)(uintptr_t)addr = v;
}

/* Streaming (movntdq) version of memio_write_pair. */
static inline void memio_write_pair_stream(uint64_t addr, memio_pair v)
{
    __builtin_ia32_movntdq((long long __attribute__((vector_size(16))) *)(uintptr_t)addr,
                           (long long __attribute__((vector_size(16))))v);
}

/* Orders streaming writes before everything after it (sfence). */
static inline void memio_stream_fence(void)
{
    __builtin_ia32_sfence();
}

/* A hint to start loading the line at addr into the caches. Streaming
 * loops ask for lines MEMIO_AHEAD bytes ahead: the hardware prefetcher alone
 * leaves much of the bandwidth unused on high-latency machines. Never
 * faults; memory outside the test ranges is only ever read into caches. */
static inline void memio_prefetch(uint64_t addr)
{
    __builtin_prefetch((const void *)(uintptr_t)addr);
}

/* One step of a busy wait (pause); the simulator lets time pass. */
static inline void memio_spin(void)
{
    __builtin_ia32_pause();
}

/* Row hammer: `rounds` times read the line at a and flush it (clflush), then
 * the same at b; with `fence`, an mfence ends each round. Flushed, every
 * read goes to DRAM and opens its row again: an activation. One asm block
 * keeps each flush right after its read (a DRAM model that cannot see the
 * flush's operand takes it for the line touched last). */
static inline void memio_hammer(uint64_t a, uint64_t b, uint64_t rounds, int fence)
{
    for (; rounds; rounds--) {
        __asm__ volatile("mov (%0), %%rax\n\tclflush (%0)\n\tmov (%1), %%rax\n\tclflush (%1)"
                         : : "r"(a), "r"(b) : "rax", "memory");
        if (fence)
            __builtin_ia32_mfence();
    }
}
#endif

/* Prefetch distance of streaming loops, bytes. */
#define MEMIO_AHEAD 4096

/* Write back and invalidate caches, so the next read comes from DRAM
 * (wbinvd in boot/cpu.asm on the target; a hook in the simulator). */
void memio_flush(void);

#endif
