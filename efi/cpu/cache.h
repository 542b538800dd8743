// SPDX-License-Identifier: MIT
// Caches off/on for this CPU (boot/cache.asm). For ops->cache of test 0.
#ifndef EFI_CACHE_H
#define EFI_CACHE_H

/* Stop caching (CR0.CD) and write back + invalidate every cache level. */
void cpu_cache_off(void);
/* Write back and turn normal caching back on. */
void cpu_cache_on(void);

/* Caches off (0) / on (1) on this CPU: the scheduler's cache hook, for
 * test 0, whose accesses must all reach DRAM. */
static inline void cpu_cache_set(int on)
{
    if (on)
        cpu_cache_on();
    else
        cpu_cache_off();
}

#endif
