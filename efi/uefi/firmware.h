// SPDX-License-Identifier: MIT
// Facts about the firmware for the report: its wall clock and its name.
#ifndef EFI_FIRMWARE_H
#define EFI_FIRMWARE_H

#include <stddef.h>

/* "YYYY-MM-DD HH:MM:SS" from the firmware clock, or "unknown". */
void fw_wall_clock(char *buf, size_t cap);

/* "VENDOR rev 0xN, UEFI M.m". */
void fw_describe(char *buf, size_t cap);

#endif
