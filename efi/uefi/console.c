// SPDX-License-Identifier: MIT
#include "uefi/console.h"
#include "core/fmt.h"
#include <efilib.h>

static EFI_SERIAL_IO_PROTOCOL *serial;
static const char *route = "none";
static int status_shown;      /* a status line is on screen, cursor at its start */
static unsigned last_key = ~0u;

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

static void emit(UINTN attr, const char *fmt, va_list ap)
{
    char line[512];
    fmt_vformat(line, sizeof line, fmt, ap);
    end_status();
    if (attr)
        ST->ConOut->SetAttribute(ST->ConOut, attr);
    put_screen(line);
    if (attr)
        ST->ConOut->SetAttribute(ST->ConOut, EFI_LIGHTGRAY | EFI_BACKGROUND_BLACK);
    put_serial(line);
}

void con_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(0, fmt, ap);
    va_end(ap);
}

void con_alert(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(EFI_WHITE | EFI_BACKGROUND_RED, fmt, ap);
    va_end(ap);
}

void con_status(unsigned serial_key, const char *fmt, ...)
{
    char line[160];
    va_list ap;
    va_start(ap, fmt);
    fmt_vformat(line, sizeof line, fmt, ap);
    va_end(ap);
    int changed = serial_key != last_key;
    last_key = serial_key;
    if (serial_key == ~0u || route[0] == 'f') {
        /* The firmware copies the screen to serial: in-place rewrites would
         * flood the log, so print whole lines, and only when the key moves. */
        if (changed)
            con_printf("%s\n", line);
        return;
    }
    /* Pad so a shorter line fully covers the previous one. */
    size_t n = str_len(line);
    while (n < 79)
        line[n++] = ' ';
    line[n] = 0;
    put_screen("\r");
    ST->ConOut->SetAttribute(ST->ConOut, EFI_YELLOW | EFI_BACKGROUND_BLACK);
    put_screen(line);
    ST->ConOut->SetAttribute(ST->ConOut, EFI_LIGHTGRAY | EFI_BACKGROUND_BLACK);
    status_shown = 1;
    if (changed) {
        put_serial(line);
        put_serial("\n");
    }
}
