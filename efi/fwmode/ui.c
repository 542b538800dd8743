// SPDX-License-Identifier: MIT
#include "fwmode/ui.h"
#include "cpu/cpu.h"
#include "uefi/timer.h"
#include <efi.h>
#include <efilib.h>

#define BEEP_GAP_MS 2000
#define BEEP_MS 150

static uint64_t last_beep_ms, beep_off_ms;

/* PC speaker through PIT channel 2, ~1 kHz. Started here and stopped from
 * ui_tick BEEP_MS later: a beep never stalls the drain of the error rings.
 * Harmless where there is no speaker: nothing listens on these ports. */
static void beep_start(uint64_t now)
{
    unsigned div = 1193182 / 1000;
    io_out8(0x43, 0xb6);
    io_out8(0x42, (uint8_t)div);
    io_out8(0x42, (uint8_t)(div >> 8));
    io_out8(0x61, io_in8(0x61) | 3);
    beep_off_ms = (now ? now : 1) + BEEP_MS;
}

void ui_beep_off(int now_anyway)
{
    if (beep_off_ms && (now_anyway || timer_ms() >= beep_off_ms)) {
        io_out8(0x61, io_in8(0x61) & ~3);
        beep_off_ms = 0;
    }
}

void ui_bell(void *ctx)
{
    (void)ctx;
    uint64_t now = timer_ms();
    if (now - last_beep_ms >= BEEP_GAP_MS || !last_beep_ms) {
        last_beep_ms = now ? now : 1;
        beep_start(now);
    }
}

/* The last key since the last call, as the run loop wants it: Esc 0x1b,
 * 'p', 's' (either case), any other 'k'; 0 for none. */
int ui_key(void)
{
    EFI_INPUT_KEY key;
    int k = 0;
    while (ST->ConIn->ReadKeyStroke(ST->ConIn, &key) == EFI_SUCCESS) {
        CHAR16 c = key.UnicodeChar >= L'A' && key.UnicodeChar <= L'Z' ? key.UnicodeChar - L'A' + L'a'
                                                                          : key.UnicodeChar;
        k = key.ScanCode == SCAN_ESC ? 0x1b : c == L'p' || c == L's' ? (int)c : 'k';
    }
    return k;
}

void ui_idle(void)
{
    ui_beep_off(0);
    BS->Stall(10000);
}

void ui_tick(void *ctx)
{
    (void)ctx;
    ui_beep_off(0);
}

void ui_wait_key(void)
{
    EFI_INPUT_KEY key;
    while (ST->ConIn->ReadKeyStroke(ST->ConIn, &key) == EFI_SUCCESS)
        ;   /* drop keys pressed during the run */
    UINTN idx;
    BS->WaitForEvent(1, &ST->ConIn->WaitForKey, &idx);
}
