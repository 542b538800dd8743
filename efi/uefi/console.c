// SPDX-License-Identifier: MIT
#include "uefi/console.h"
#include "core/fmt.h"
#include <efilib.h>

static EFI_SERIAL_IO_PROTOCOL *serial;
static const char *route = "none";
static int status_shown;      /* a status line is on screen, cursor at its start */

/* Does the firmware's ConOut variable name a UART? Then it mirrors for us. */
static int conout_has_uart(void)
{
    UINTN size = 0;
    EFI_GUID g = EFI_GLOBAL_VARIABLE;
    EFI_STATUS st = RT->GetVariable(L"ConOut", &g, NULL, &size, NULL);
    if (st != EFI_BUFFER_TOO_SMALL || size < 4 || size > 65536)
        return 0;
    UINT8 *buf = AllocatePool(size);
    if (!buf)
        return 0;
    int found = 0;
    if (RT->GetVariable(L"ConOut", &g, NULL, &size, buf) == EFI_SUCCESS) {
        UINTN off = 0;
        while (off + 4 <= size) {
            UINT8 type = buf[off], sub = buf[off + 1];
            UINT16 len = (UINT16)(buf[off + 2] | buf[off + 3] << 8);
            if (type == MESSAGING_DEVICE_PATH && sub == MSG_UART_DP)
                found = 1;
            if (len < 4)
                break;
            off += len;   /* instances are separated by end nodes; keep walking */
        }
    }
    FreePool(buf);
    return found;
}

void con_init(void)
{
    ST->ConOut->EnableCursor(ST->ConOut, FALSE);
    if (conout_has_uart()) {
        route = "firmware console";
        return;
    }
    EFI_GUID sg = SERIAL_IO_PROTOCOL;
    if (BS->LocateProtocol(&sg, NULL, (void **)&serial) == EFI_SUCCESS && serial)
        route = "serial I/O";
    else
        serial = NULL;
}

const char *con_serial_route(void)
{
    return route;
}

static void put_screen(const char *s)
{
    CHAR16 w[256];
    UINTN n = 0;
    for (; *s; s++) {
        if (*s == '\n')
            w[n++] = L'\r';
        w[n++] = (CHAR16)(unsigned char)*s;
        if (n >= 250) {
            w[n] = 0;
            ST->ConOut->OutputString(ST->ConOut, w);
            n = 0;
        }
    }
    w[n] = 0;
    if (n)
        ST->ConOut->OutputString(ST->ConOut, w);
}

static void put_serial(const char *s)
{
    if (!serial)
        return;
    char b[600];
    UINTN n = 0;
    for (; *s && n < sizeof b - 2; s++) {
        if (*s == '\n')
            b[n++] = '\r';
        b[n++] = *s;
    }
    serial->Write(serial, &n, b);
}

/* Leave the status line before normal output so it is not overwritten. */
static void end_status(void)
{
    if (status_shown) {
        put_screen("\n");
        status_shown = 0;
    }
}

static void line(int alert, const char *text)
{
    end_status();
    if (alert)
        ST->ConOut->SetAttribute(ST->ConOut, EFI_WHITE | EFI_BACKGROUND_RED);
    put_screen(text);
    if (alert)
        ST->ConOut->SetAttribute(ST->ConOut, EFI_LIGHTGRAY | EFI_BACKGROUND_BLACK);
    put_serial(text);
}

static void status(const char *text, int moved)
{
    if (route[0] == 'f') {
        /* The firmware copies the screen to serial: in-place rewrites would
         * flood the log, so print whole lines, and only when the key moves. */
        char whole[164];
        fmt_format(whole, sizeof whole, "%s\n", text);
        if (moved)
            line(0, whole);
        return;
    }
    /* Pad so a shorter line fully covers the previous one. */
    char pad[160];
    size_t n = fmt_format(pad, sizeof pad, "%s", text);
    while (n < 79)
        pad[n++] = ' ';
    pad[n] = 0;
    put_screen("\r");
    ST->ConOut->SetAttribute(ST->ConOut, EFI_YELLOW | EFI_BACKGROUND_BLACK);
    put_screen(pad);
    ST->ConOut->SetAttribute(ST->ConOut, EFI_LIGHTGRAY | EFI_BACKGROUND_BLACK);
    status_shown = 1;
    if (moved) {
        put_serial(pad);
        put_serial("\n");
    }
}

struct conout con_fw = { .line = line, .status = status, .last_key = ~0u };
