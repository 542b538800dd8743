// SPDX-License-Identifier: MIT
// A 16550 UART on an I/O port, polled: the serial console once the
// firmware is gone. Keeps the line settings the firmware left.
#ifndef EFI_BARE_UART_H
#define EFI_BARE_UART_H

#include <stdint.h>

/* Use the UART at `port` (0: none). Returns 0 when its scratch register
 * answers like a 16550's, -1 otherwise (then nothing is sent). */
int uart_init(uint16_t port);

/* Send text; '\n' goes out as "\r\n". Gives up on a byte the UART does
 * not take within about a millisecond of polls. */
void uart_puts(const char *s);

/* A received byte, or -1. */
int uart_getc(void);

#endif
