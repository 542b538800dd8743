// SPDX-License-Identifier: MIT
#include "fullmode/bare/ps2.h"
#include "cpu/cpu.h"

#define DATA 0x60
#define STATUS 0x64
#define OBF 0x01        /* output buffer full */
#define AUX 0x20        /* ... with mouse data */
/* Make codes: scan code set 1 (the controller translates, the usual case)
 * and set 2 (translation off). */
static const struct { uint8_t code; char key; } keys[] = {
    { 0x01, 0x1b }, { 0x19, 'p' }, { 0x1f, 's' },   /* set 1 */
    { 0x76, 0x1b }, { 0x4d, 'p' }, { 0x1b, 's' },   /* set 2 */
};

int ps2_present(void)
{
    return io_in8(STATUS) != 0xff;
}

int ps2_key(void)
{
    int key = 0, brk = 0;
    for (int i = 0; i < 16; i++) {
        uint8_t st = io_in8(STATUS);
        if (st == 0xff || !(st & OBF))
            break;
        uint8_t b = io_in8(DATA);
        if (st & AUX)
            continue;
        if (b == 0xf0) {   /* set 2: the next byte is a release */
            brk = 1;
            continue;
        }
        if (b == 0xe0)     /* an extended key's prefix */
            continue;
        int k = brk || (b & 0x80) ? 0 : 'k';   /* set 1 releases have bit 7 set */
        for (unsigned j = 0; k && j < sizeof keys / sizeof keys[0]; j++)
            if (keys[j].code == b)
                k = keys[j].key;
        key = k ? k : key;
        brk = 0;
    }
    return key;
}
