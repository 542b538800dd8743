// SPDX-License-Identifier: MIT
#include "uefi/firmware.h"
#include "core/fmt.h"
#include <efi.h>
#include <efilib.h>

void fw_wall_clock(char *buf, size_t cap)
{
    EFI_TIME tm;
    if (RT->GetTime(&tm, NULL) != EFI_SUCCESS) {
        fmt_format(buf, cap, "unknown");
        return;
    }
    fmt_format(buf, cap, "%04u-%02u-%02u %02u:%02u:%02u", tm.Year, tm.Month, tm.Day, tm.Hour,
               tm.Minute, tm.Second);
}

void fw_describe(char *buf, size_t cap)
{
    char vendor[64];
    size_t k = 0;
    for (const CHAR16 *w = ST->FirmwareVendor; w && *w && k + 1 < sizeof vendor; w++)
        vendor[k++] = *w >= 0x20 && *w < 0x7f ? (char)*w : '?';
    vendor[k] = 0;
    fmt_format(buf, cap, "%s rev 0x%x, UEFI %u.%u", vendor, ST->FirmwareRevision,
               ST->Hdr.Revision >> 16, (ST->Hdr.Revision & 0xffff) / 10);
}
