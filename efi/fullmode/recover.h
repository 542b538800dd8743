// SPDX-License-Identifier: MIT
// The boot after a full-coverage run: find its record in the UEFI variables,
// write errors.csv rows, report.txt and badram.txt as if the run had had
// files, delete the variables. A record that does not say "finished" comes
// from a run that was cut (power loss, hang, exception): the report says so.
#ifndef EFI_RECOVER_H
#define EFI_RECOVER_H

#include "core/session.h"

/* Is there a record? Loads the newest valid one (of the two sets). Damaged
 * records are reported and deleted. */
int recover_pending(void);

/* Turn it into files on the volume (files: writable) and the summary on
 * screen; `dimms` is this boot's SMBIOS text. Deletes the variables once
 * the files are written. */
void recover_results(struct session *s, const char *dimms, int files, unsigned max_cells);

#endif
