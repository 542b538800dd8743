// SPDX-License-Identifier: MIT
// Where the configuration comes from: \weakbit\weakbit.cfg on the boot
// volume, then the image's load options (`key=value …`, as a GRUB menu
// entry or the UEFI shell passes them). Problems go on screen and into
// the session for the report; the run always goes on.
#ifndef EFI_CFGLOAD_H
#define EFI_CFGLOAD_H

#include <efi.h>
#include "core/session.h"

/* Apply weakbit.cfg, then the load options, onto s->cfg. */
void cfgload_read(EFI_HANDLE image, struct session *s);

#endif
