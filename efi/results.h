// SPDX-License-Identifier: MIT
// The end of a run on the firmware: the session's report.txt and
// badram.txt onto the boot volume, the summary and the GRUB line on screen.
#ifndef EFI_RESULTS_H
#define EFI_RESULTS_H

#include "core/session.h"

/* `dimms`: the SMBIOS block for the report; `files`: the volume is
 * writable; `max_cells`: room for the sorted cell list; `all_cells`: the
 * cells of every session (known and this one), a power of two. */
void results_write(struct session *s, const char *dimms, int files, unsigned max_cells,
                   unsigned all_cells);

#endif
