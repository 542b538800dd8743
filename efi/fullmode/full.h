// SPDX-License-Identifier: MIT
// coverage=full, the firmware's side: with boot services still there,
// gather everything the run needs after ExitBootServices (consoles, TSC,
// variable store limits, ACPI MADT, the cell tables) into one block of
// pages, then exit and hand over to efi/fullmode/bare/. Anything missing: say why
// and stay in firmware mode.
#ifndef EFI_FULL_H
#define EFI_FULL_H

#include <efi.h>
#include <stddef.h>
#include "core/madt.h"
#include "core/session.h"

/* Prepare. 0: ready for full_run; else why[] says why firmware mode stays. */
int full_prepare(EFI_HANDLE image, struct session *s, char *why, size_t cap);

/* ExitBootServices (retried with a fresh map key) and the run after it;
 * never returns: when the exit fails it leaves a note and resets, and the
 * next boot tests in firmware mode (after a failed exit only allocation
 * services may be called). */
void full_run(EFI_HANDLE image, char *why, size_t cap) __attribute__((noreturn));

/* The processors the MADT lists (err set when there was none). */
const struct madt_info *full_madt(void);

#endif
