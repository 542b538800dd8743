// SPDX-License-Identifier: MIT
// What earlier sessions left on the stick: the cells already recorded in
// \weakbit\errors.csv (so only truly new cells raise the alarm, and
// focus=cells knows where to look), and the repair of a line a power cut tore.
#ifndef EFI_HISTORY_H
#define EFI_HISTORY_H

#include "core/cells.h"
#include "core/session.h"

/* Read the known cells into `known`; fix a torn end of errors.csv and
 * session.log so new lines start clean. */
void history_load(struct cell_table *known, struct session_history *h);

#endif
