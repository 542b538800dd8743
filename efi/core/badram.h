// SPDX-License-Identifier: MIT
// From weak cells to the lines a user pastes: GRUB_BADRAM, grub.cfg
// badram, kernel memmap= and Windows bcdedit. For now one (addr, mask) pair
// per bad granule; masks are full 64-bit with bit 63 left free (GRUB 2.06's
// EFI badram search overflows and hangs on a mask with bit 63 set).
#ifndef EFI_CORE_BADRAM_H
#define EFI_CORE_BADRAM_H

#include <stdint.h>
#include "cells.h"
#include "fmt.h"

#define BADRAM_MASK_BITS 0x7fffffffffffffffull

/* Sorted, unique bases of the granules holding the cells. Returns the count;
 * more than `max` granules are cut and counted in *lost. */
unsigned badram_granules(const struct cell *cells, unsigned n, uint64_t granule, uint64_t *out,
                         unsigned max, unsigned *lost);

/* The mask a pair uses for one granule. */
static inline uint64_t badram_mask(uint64_t granule)
{
    return BADRAM_MASK_BITS & ~(granule - 1);
}

/* Every form, one per line (see ARCHITECTURE: badram.txt), then `#` comments
 * on the granule and interleave assumptions. */
void badram_render(struct sbuf *sb, const uint64_t *gran, unsigned n, uint64_t granule,
                   const char *interleave);

enum badram_form { BADRAM_GRUB, BADRAM_GRUBCFG, BADRAM_MEMMAP, BADRAM_MEMMAP_PLAIN, BADRAM_WINDOWS };

/* Only one form (the CLI's --format). */
void badram_render_form(struct sbuf *sb, enum badram_form form, const uint64_t *gran, unsigned n,
                        uint64_t granule);

#endif
