// SPDX-License-Identifier: MIT
// The BadRAM minimiser: the fewest (addr, mask) pairs that cover every bad
// granule. GRUB masks an address A iff (A & mask) == (addr & mask), so a
// pair is a "cube": fixed bits where the mask is 1, free bits where it is 0.
#ifndef EFI_CORE_COVER_H
#define EFI_CORE_COVER_H

#include <stdint.h>

struct cover_pair {
    uint64_t addr, mask;
};

struct cover_stats {
    uint64_t limit;          /* bytes below this are counted (power of two) */
    uint64_t bad_bytes;      /* the bad granules themselves */
    uint64_t covered_bytes;  /* what the pairs mask below limit */
    uint64_t extra_bytes;    /* covered - bad: good memory given up */
    unsigned exact_pairs;    /* pairs after exact merges, before the budget */
    unsigned budget;
    int budget_exceeded;     /* more pairs than budget: merging further would mask low memory */
};

/* Lowest address no pair may reach unless a bad granule is there: the
 * first MiB holds real-mode and firmware structures Linux needs. */
#define COVER_LOW_LIMIT (1ull << 20)

/* Cover `n` sorted, unique granule bases (each `granule` bytes, a power of
 * two >= 4 KiB). First exact merges (granules differing in one address bit
 * become one pair, repeatedly), then, while there are more than max_pairs,
 * the merge that adds the fewest bytes below `limit`. out[] needs room for
 * n pairs; they come back in address order. Masks keep bit 63 free and the
 * low 10 bits clear. Returns the number of pairs. */
unsigned cover_build(const uint64_t *gran, unsigned n, uint64_t granule, unsigned max_pairs,
                     uint64_t limit, struct cover_pair *out, struct cover_stats *st);

/* The same from arbitrary cubes already in p[0..n) (e.g. an existing
 * GRUB_BADRAM line plus new granules): masks are normalised (bit 63 and the
 * low 10 bits freed, which only ever widens a pair), cubes inside others
 * dropped, then merged as above. The result covers at least what the input
 * covered. Returns the number of pairs. */
unsigned cover_merge(struct cover_pair *p, unsigned n, unsigned max_pairs, uint64_t limit,
                     struct cover_stats *st);

/* Bytes below `limit` (a power of two <= 2^63) masked by the union of pairs. */
uint64_t cover_bytes(const struct cover_pair *p, unsigned n, uint64_t limit);

/* Smallest power of two >= x (at least 4 GiB, at most 2^63). */
uint64_t cover_limit(uint64_t x);

#endif
