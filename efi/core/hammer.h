// SPDX-License-Identifier: MIT
// Row hammer geometry: which addresses share a DRAM bank, which row an
// address is in, and the aggressor pairs for a victim row. Banks come from
// the interleave model (interleave=: every selector bit of every field, so
// channel, DIMM, rank and bank alike; each the XOR parity of an address
// mask, as memory controllers hash them), rows are address >> rowshift.
// Without a model, same-bank pairs are found by timing instead: two rows
// of one bank evict each other from the bank's row buffer, so alternating
// accesses to them take longer than to rows of different banks. Pure
// functions: the kernel (kernels/hammer.c) and the host tests share them.
#ifndef EFI_CORE_HAMMER_H
#define EFI_CORE_HAMMER_H

#include <stdint.h>
#include "core/interleave.h"
#include "core/memrange.h"

#define HAMMER_MAX_BANK_BITS (IL_MAX_FIELDS * IL_MAX_BITS)
#define HAMMER_LINE 64
#define HAMMER_DEFAULT_ROWSHIFT 17   /* 128 KiB of addresses per row index */
#define HAMMER_FAR_ROWS 16           /* single-sided: the second aggressor's distance */

struct hammer_geom {
    uint64_t mask[HAMMER_MAX_BANK_BITS];
    unsigned nbits;
    unsigned rowshift;
};

/* Bank bits from every selector of `m` (NULL or empty: one bank). */
void hammer_geom_init(struct hammer_geom *g, const struct il_model *m, unsigned rowshift);

unsigned hammer_bank(const struct hammer_geom *g, uint64_t addr);

static inline uint64_t hammer_row(const struct hammer_geom *g, uint64_t addr)
{
    return addr >> g->rowshift;
}

/* An address in row `row` and bank `bank`, as close to `col` (an address
 * whose column bits are kept where the bank allows) as the model lets:
 * line bits below rowshift are flipped until the bank matches. 0 with *out
 * set, or -1 when no column of that row is in that bank. */
int hammer_in_row(const struct hammer_geom *g, uint64_t row, unsigned bank, uint64_t col, uint64_t *out);

enum hammer_kind { HAMMER_DOUBLE, HAMMER_SINGLE };

/* Two aggressor addresses for the victim row holding `victim`, in its bank:
 * double-sided, rows r-1 and r+1; single-sided, row r-1 (r+1 when r-1 is not
 * available) and a row HAMMER_FAR_ROWS further away, which only serves to
 * close the near one's row again. Both lines must lie in `ranges` (memory
 * the test owns). 0 with *a, *b set, or -1. */
int hammer_pair(const struct hammer_geom *g, enum hammer_kind kind, uint64_t victim,
                const struct mem_range *ranges, unsigned nranges, uint64_t *a, uint64_t *b);

/* Is [addr, addr + len) inside one of the ranges? */
int hammer_owned(const struct mem_range *ranges, unsigned nranges, uint64_t addr, uint64_t len);

/* Timing search (no model): `probe(ctx, x, y)` returns the time of a burst
 * of alternating uncached accesses to x and y. Among `ncand` candidate
 * addresses, those whose time against `base` is clearly above the fastest
 * (conflicts: same bank, other row) are written to out[] (cap). Returns how
 * many: the caller hammers `base` with them as single-sided pairs. */
unsigned hammer_find_conflicts(uint64_t (*probe)(void *ctx, uint64_t x, uint64_t y), void *ctx, uint64_t base,
                               const uint64_t *cand, unsigned ncand, uint64_t *out, unsigned cap);

#endif
