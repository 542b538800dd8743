// SPDX-License-Identifier: MIT
// libFuzzer target: any bytes, read as an SMBIOS structure table (under a
// 3.3 and a 2.1 version), and as an entry point whose table address is an
// offset into the same input, are parsed and rendered without a crash, an
// overread, or a result outside the documented bounds.
#include <stdint.h>
#include "core/smbios.h"

static struct smbios_info info;
static char text[1 << 16];

static int clean(const char *s)
{
    for (unsigned i = 0; i < SMBIOS_STR_MAX; i++) {
        if (!s[i])
            return 1;
        if (s[i] < 0x20 || s[i] > 0x7e)
            return 0;
    }
    return 0;
}

static void check_table(const uint8_t *t, size_t n, unsigned major, unsigned minor)
{
    int err = smbios_parse_table(&info, t, n, major, minor);
    if (err != info.err || info.err_off > n || info.ndev > SMBIOS_MAX_DEVICES ||
        info.narray > SMBIOS_MAX_MAPS || info.ndevmap > SMBIOS_MAX_MAPS ||
        info.structs > n / 6 + 1)
        __builtin_trap();
    for (unsigned i = 0; i < info.ndev; i++) {
        const struct smbios_dev *d = &info.dev[i];
        if (!clean(d->locator) || !clean(d->bank) || !clean(d->manufacturer) || !clean(d->part) ||
            !clean(d->serial))
            __builtin_trap();
    }
    for (unsigned i = 0; i < info.narray; i++)
        if (info.array[i].start > info.array[i].end)
            __builtin_trap();
    for (unsigned i = 0; i < info.ndevmap; i++)
        if (info.devmap[i].start > info.devmap[i].end)
            __builtin_trap();
    struct sbuf sb;
    sbuf_init(&sb, text, sizeof text);
    smbios_render(&sb, &info);
    if (sb.len >= sizeof text || text[sb.len])
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_table(data, size, 3, 3);
    check_table(data, size, 2, 1);
    struct smbios_ep ep;
    if (size >= 0x18 && smbios_ep_size(data) <= size &&
        smbios_parse_ep(&ep, data, smbios_ep_size(data)) == SMBIOS_OK && ep.table_addr < size) {
        size_t n = size - ep.table_addr;
        check_table(data + ep.table_addr, ep.table_len < n ? ep.table_len : n, ep.major, ep.minor);
    }
    /* Any length offered must be refused or parsed, never overread. */
    for (size_t n = 0; n <= size && n <= 0x20; n++)
        smbios_parse_ep(&ep, data, n);
    return 0;
}
