// SPDX-License-Identifier: MIT
// What earlier sessions left on the stick: the cells already recorded in
// \weakbit\errors.csv (so only truly new cells raise the alarm, and
// focus=cells knows where to look), and the repair of a line a power cut tore.
#ifndef EFI_HISTORY_H
#define EFI_HISTORY_H

#include "core/cells.h"

struct history {
    unsigned sessions;     /* session lines seen */
    uint64_t rows;         /* error rows read */
    uint64_t summaries;    /* "# summary" records read (their ranges are in known) */
    uint64_t bad_lines;    /* malformed lines skipped (a torn last line among them) */
    int torn_repaired;     /* the file did not end in a newline: one was added */
};

/* Read the known cells into `known`; fix a torn end of errors.csv and
 * session.log so new lines start clean. */
void history_load(struct cell_table *known, struct history *h);

#endif
