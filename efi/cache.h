// SPDX-License-Identifier: MIT
// Caches off/on for this CPU (boot/cache.asm). For ops->cache of test 0.
#ifndef EFI_CACHE_H
#define EFI_CACHE_H

/* Stop caching (CR0.CD) and write back + invalidate every cache level. */
void cpu_cache_off(void);
/* Write back and turn normal caching back on. */
void cpu_cache_on(void);

#endif
