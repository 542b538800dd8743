// SPDX-License-Identifier: MIT
// Screen output mirrored line by line to the serial port. When the firmware
// already routes ConOut to a UART (OVMF, many servers) the mirror stays off,
// so a serial log never shows a line twice.
#ifndef EFI_CONSOLE_H
#define EFI_CONSOLE_H

#include <efi.h>

void con_init(void);

/* printf-style (see efi/core/fmt.h); '\n' ends a line on both outputs. */
void con_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Highlighted line (errors, alerts). */
void con_alert(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One status line rewritten in place on screen; on serial only every call
 * that changes `serial_key` is printed, so logs stay readable. */
void con_status(unsigned serial_key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Where the mirror goes, for the report: "firmware console", "serial I/O", "none". */
const char *con_serial_route(void);

#endif
