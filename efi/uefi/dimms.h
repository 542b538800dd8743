// SPDX-License-Identifier: MIT
// Memory modules from the firmware's SMBIOS tables (3.0 entry point, 2.x
// fallback), as a block of report lines. Firmware is not trusted: a table
// that cannot be used gives a one-line reason, never a crash.
#ifndef EFI_DIMMS_H
#define EFI_DIMMS_H

#include "core/fmt.h"

/* Append a "memory modules (SMBIOS x.y ...)" heading followed by indented
 * lines: a slot summary, one "dimm ..." line per Type 17 slot with its
 * mapped ranges, the array ranges, and any "SMBIOS: ..." problem. Without a
 * usable table the heading is followed by a single "  SMBIOS: why" line.
 * Needs boot services (configuration table, AllocatePool). */
void dimms_report(struct sbuf *sb);

#endif
