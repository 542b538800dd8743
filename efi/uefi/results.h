// SPDX-License-Identifier: MIT
// The end of a run on the firmware: the session's report.txt and
// badram.txt onto the boot volume, the summary and the GRUB line on screen.
#ifndef EFI_RESULTS_H
#define EFI_RESULTS_H

#include "core/session.h"

/* Write report.txt and badram.txt for the session with the platform facts
 * `pf` (the run's own, or a run recovered from a hand-off); `files`: the
 * volume is writable; `max_cells`: room for the sorted cell list. Returns 0
 * when the files were written. */
int results_write_platform(struct session *s, const struct session_platform *pf, int files,
                           unsigned max_cells);

#endif
