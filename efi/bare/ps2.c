// SPDX-License-Identifier: MIT
#include "bare/ps2.h"
#include "cpu.h"

#define DATA 0x60
#define STATUS 0x64
#define OBF 0x01        /* output buffer full */
#define AUX 0x20        /* ... with mouse data */
#define ESC_SET1 0x01   /* controller translation on (the usual case) */
#define ESC_SET2 0x76   /* translation off */

int ps2_present(void)
{
    return io_in8(STATUS) != 0xff;
}

int ps2_esc(void)
{
    int esc = 0;
    for (int i = 0; i < 16; i++) {
        uint8_t st = io_in8(STATUS);
        if (st == 0xff || !(st & OBF))
            break;
        uint8_t b = io_in8(DATA);
        if (!(st & AUX) && (b == ESC_SET1 || b == ESC_SET2))
            esc = 1;
    }
    return esc;
}
