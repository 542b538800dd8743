// SPDX-License-Identifier: MIT
#include "fullmode/bare/uart.h"
#include "cpu/cpu.h"

#define THR 0
#define FCR 2
#define LSR 5
#define SCR 7
#define LSR_DATA 0x01
#define LSR_THRE 0x20
#define SPIN 100000     /* polls before a byte is dropped: a stuck UART must not stall the test */

static uint16_t base;

int uart_init(uint16_t port)
{
    base = 0;
    if (!port)
        return -1;
    io_out8(port + SCR, 0x5a);
    if (io_in8(port + SCR) != 0x5a)
        return -1;
    io_out8(port + SCR, 0xa5);
    if (io_in8(port + SCR) != 0xa5)
        return -1;
    io_out8(port + FCR, 0x07);   /* FIFOs on and cleared */
    base = port;
    return 0;
}

static void put(char c)
{
    for (unsigned i = 0; i < SPIN; i++)
        if (io_in8(base + LSR) & LSR_THRE) {
            io_out8(base + THR, (uint8_t)c);
            return;
        }
}

void uart_puts(const char *s)
{
    if (!base)
        return;
    for (; *s; s++) {
        if (*s == '\n')
            put('\r');
        put(*s);
    }
}

int uart_getc(void)
{
    if (!base || !(io_in8(base + LSR) & LSR_DATA))
        return -1;
    return io_in8(base + THR);
}
