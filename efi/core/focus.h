// SPDX-License-Identifier: MIT
// focus=cells: the memory around cells already on record, so a stress loop
// over a heated module comes round every few seconds instead of minutes.
#ifndef EFI_CORE_FOCUS_H
#define EFI_CORE_FOCUS_H

#include "core/cells.h"
#include "core/memrange.h"

/* Ranges covering [addr - margin, addr + margin] of every sorted cell,
 * widened to whole granules, kept at or above 1 MiB, merged where they
 * touch. More than `cap` ranges: the closest neighbours are joined (testing
 * a little more, never less). Returns the number of ranges. */
unsigned focus_ranges(const struct cell *cells, unsigned n, uint64_t margin, uint64_t granule,
                      struct mem_range *out, unsigned cap);

#endif
