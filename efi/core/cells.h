// SPDX-License-Identifier: MIT
// The weak-cell table: one entry per (word address, bit), however often it
// failed. Storage comes from the caller (a fixed array), so it works the
// same in the UEFI app and on the host.
#ifndef EFI_CORE_CELLS_H
#define EFI_CORE_CELLS_H

#include <stdint.h>
#include "core/failbit.h"

/* The tests bit a machine-check (ECC) report sets instead of a test's:
 * the cell's bit is not known. */
#define CELLS_ECC_TEST 15

struct cell {
    uint64_t addr;           /* physical address of the 64-bit word */
    uint64_t first_ms, last_ms;
    uint32_t count;
    uint32_t certain;        /* records whose address is exact (not addr_uncertain) */
    uint32_t tests;          /* bit n: seen by test n; CELLS_ECC_TEST: reported by a machine-check bank */
    uint8_t bit;
    uint8_t used;
};

struct cell_table {
    struct cell *slot;
    unsigned cap;            /* power of two */
    unsigned n;
    uint64_t dropped;        /* rows that found the table full */
};

/* cap must be a power of two; mem holds cap cells. */
void cells_init(struct cell_table *t, struct cell *mem, unsigned cap);

/* Record one failing bit. Returns 1 for a new cell, 0 for a known one,
 * -1 when the table is full (counted in t->dropped). */
int cells_add(struct cell_table *t, const struct failbit *row);

/* The cell (addr, bit), or NULL. */
const struct cell *cells_find(const struct cell_table *t, uint64_t addr, unsigned bit);

/* Add every cell of `src` (unsorted) to `dst`, counts and all. Returns the
 * cells that did not fit (also counted in dst->dropped). */
unsigned cells_merge(struct cell_table *dst, const struct cell_table *src);

/* The table's cells copied into out[] in addr/bit order; the table stays
 * as it is (hashed: lookups and inserts go on working). Copies at most cap
 * cells (give cap >= t->n for all) and returns how many it copied. */
unsigned cells_sorted_copy(const struct cell_table *t, struct cell *out, unsigned cap);

#endif
