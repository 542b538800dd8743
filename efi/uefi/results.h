// SPDX-License-Identifier: MIT
// The end of a run on the firmware: the session's report.txt and
// badram.txt onto the boot volume, the summary and the GRUB line on screen.
#ifndef EFI_RESULTS_H
#define EFI_RESULTS_H

#include "core/sched.h"
#include "core/session.h"

/* `dimms`: the SMBIOS block for the report; `files`: the volume is
 * writable; `max_cells`: room for the sorted cell list; `coverage_lines`:
 * lines about the coverage mode (why full coverage fell back), or NULL. */
void results_write(struct session *s, const struct sched *q, const char *dimms, int files, unsigned max_cells,
                   const char *coverage_lines);

/* The same with the platform facts given (a run recovered from a hand-off).
 * Returns 0 when the files were written. */
int results_write_platform(struct session *s, const struct session_platform *pf, int files,
                           unsigned max_cells);

#endif
