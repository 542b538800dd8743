// SPDX-License-Identifier: MIT
// xorshift64 (shifts 13, 7, 17): cheap, full period over non-zero states,
// and a CPU can replay its own stream to verify what it wrote.
#ifndef EFI_CORE_PRNG_H
#define EFI_CORE_PRNG_H

#include <stdint.h>

/* Next state/output; state must be non-zero. */
static inline uint64_t prng_next(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

/* A non-zero seed that differs for every (base, cpu, pass, test). */
uint64_t prng_seed(uint64_t base, uint32_t cpu, uint32_t pass, uint32_t test);

#endif
