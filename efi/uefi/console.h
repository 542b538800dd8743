// SPDX-License-Identifier: MIT
// Screen output mirrored line by line to the serial port. When the firmware
// already routes ConOut to a UART (OVMF, many servers) the mirror stays off,
// so a serial log never shows a line twice.
#ifndef EFI_CONSOLE_H
#define EFI_CONSOLE_H

#include <efi.h>
#include "core/conout.h"

void con_init(void);

/* The firmware's console behind the one console front (core/conout.h). */
extern struct conout con_fw;

/* printf-style (see efi/core/fmt.h); '\n' ends a line on both outputs. */
#define con_printf(...) conout_print(&con_fw, __VA_ARGS__)
/* Highlighted line (errors, alerts). */
#define con_alert(...) conout_alert(&con_fw, __VA_ARGS__)
/* One status line rewritten in place on screen; on serial only every call
 * that changes the key is printed, so logs stay readable. */
#define con_status(...) conout_status(&con_fw, __VA_ARGS__)

/* Where the mirror goes, for the report: "firmware console", "serial I/O", "none". */
const char *con_serial_route(void);

#endif
