// SPDX-License-Identifier: MIT
#include "core/prng.h"

/* splitmix64 finaliser: spreads small input differences over all bits. */
static uint64_t mix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t prng_seed(uint64_t base, uint32_t cpu, uint32_t pass, uint32_t test)
{
    uint64_t s = mix(base ^ mix(((uint64_t)cpu << 40) ^ ((uint64_t)pass << 8) ^ test));
    return s ? s : 0x2545f4914f6cdd1dull;
}
