// SPDX-License-Identifier: MIT
#include <efi.h>
#include <efilib.h>

#include "uefi/dimms.h"
#include "core/smbios.h"

/* Far above any real table (a few KiB to tens of KiB); a 3.0 entry point
 * only gives a maximum, and a corrupt one may say 4 GiB. */
#define TABLE_CAP (1u << 20)
/* Identity-mapped addresses must stay canonical (4-level paging). */
#define ADDR_LIMIT (1ull << 47)

static const EFI_GUID smbios3_guid = {
    0xf2fd1544, 0x9794, 0x4a2c, { 0x99, 0x2e, 0xe5, 0xbb, 0xcf, 0x20, 0xe3, 0x94 }
};
static const EFI_GUID smbios2_guid = {
    0xeb9d2d31, 0x2d88, 0x11d3, { 0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d }
};

static int guid_eq(const EFI_GUID *a, const EFI_GUID *b)
{
    const uint8_t *x = (const uint8_t *)a, *y = (const uint8_t *)b;
    for (unsigned i = 0; i < sizeof *a; i++)
        if (x[i] != y[i])
            return 0;
    return 1;
}

static const uint8_t *find_config_table(const EFI_GUID *g)
{
    for (UINTN i = 0; i < ST->NumberOfTableEntries; i++)
        if (guid_eq(&ST->ConfigurationTable[i].VendorGuid, g))
            return ST->ConfigurationTable[i].VendorTable;
    return NULL;
}

/* -1: no such configuration table entry; else an smbios_err. */
static int entry_point(const EFI_GUID *g, struct smbios_ep *ep)
{
    const uint8_t *p = find_config_table(g);
    if (!p)
        return -1;
    return smbios_parse_ep(ep, p, smbios_ep_size(p));
}

static const char *ep_reason(int err)
{
    return err < 0 ? "not provided" : smbios_strerror(err);
}

void dimms_report(struct sbuf *sb)
{
    struct smbios_ep ep3, ep2, *ep;
    int e3 = entry_point(&smbios3_guid, &ep3);
    int e2 = e3 == SMBIOS_OK ? -1 : entry_point(&smbios2_guid, &ep2);
    if (e3 == SMBIOS_OK) {
        ep = &ep3;
    } else if (e2 == SMBIOS_OK) {
        ep = &ep2;
    } else {
        sbuf_puts(sb, "memory modules\n");
        if (e3 < 0 && e2 < 0)
            sbuf_puts(sb, "  SMBIOS: the firmware provides no SMBIOS table\n");
        else
            sbuf_printf(sb, "  SMBIOS: 3.0 entry point: %s; 2.x entry point: %s\n", ep_reason(e3),
                        ep_reason(e2));
        return;
    }
    size_t len = ep->table_len < TABLE_CAP ? ep->table_len : TABLE_CAP;
    sbuf_printf(sb, "memory modules (SMBIOS %u.%u, table at 0x%llx, %s%u bytes)\n", ep->major,
                ep->minor, (unsigned long long)ep->table_addr, ep->is64 ? "up to " : "",
                (unsigned)ep->table_len);
    if (e3 > 0)
        sbuf_printf(sb, "  SMBIOS: 3.0 entry point ignored (%s); using the 2.x one\n",
                    smbios_strerror(e3));
    if (ep->table_addr >= ADDR_LIMIT || ep->table_addr + len > ADDR_LIMIT) {
        sbuf_puts(sb, "  SMBIOS: table address out of range; not read\n");
        return;
    }
    struct smbios_info *info = AllocatePool(sizeof *info);
    if (!info) {
        sbuf_puts(sb, "  SMBIOS: out of memory for the inventory\n");
        return;
    }
    smbios_parse_table(info, (const uint8_t *)(UINTN)ep->table_addr, len, ep->major, ep->minor);
    smbios_render(sb, info);
    if (len < ep->table_len && info->err != SMBIOS_OK)
        sbuf_printf(sb, "  SMBIOS: only the first %u bytes were read\n", TABLE_CAP);
    FreePool(info);
}
