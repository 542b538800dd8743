// SPDX-License-Identifier: MIT
// SMBIOS parser: captured QEMU tables, a built laptop table, every
// truncation, malformed structures, seeded byte flips, entry points.
#include "check.h"
#include "core/smbios.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Captured from QEMU 7.2 + OVMF (q35): `-m 2G` (2.8 entry point), and
 * `-m 3G -machine smbios-entry-point-type=64 -smbios type=17,loc_pfx=
 * ChannelA-DIMM,bank=BANK 0,manufacturer=Samsung,serial=12345678,asset=A1,
 * part=M471A1K43DB1-CWE,speed=3200` (3.0 entry point). */
static const uint8_t qemu28_ep[31] = {
    0x5f, 0x53, 0x4d, 0x5f, 0x2e, 0x1f, 0x02, 0x08, 0x4b, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x5f, 0x44, 0x4d, 0x49, 0x5f, 0xf7, 0x7f, 0x01,
    0x00, 0xf0, 0x51, 0x7f, 0x09, 0x00, 0x28,
};
static const uint8_t qemu28_table[383] = {
    0x01, 0x1b, 0x00, 0x01, 0x01, 0x02, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x06, 0x00, 0x00, 0x51, 0x45, 0x4d, 0x55, 0x00, 0x53, 0x74, 0x61, 0x6e,
    0x64, 0x61, 0x72, 0x64, 0x20, 0x50, 0x43, 0x20, 0x28, 0x51, 0x33, 0x35,
    0x20, 0x2b, 0x20, 0x49, 0x43, 0x48, 0x39, 0x2c, 0x20, 0x32, 0x30, 0x30,
    0x39, 0x29, 0x00, 0x70, 0x63, 0x2d, 0x71, 0x33, 0x35, 0x2d, 0x37, 0x2e,
    0x32, 0x00, 0x00, 0x03, 0x16, 0x00, 0x03, 0x01, 0x01, 0x02, 0x00, 0x00,
    0x03, 0x03, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x51, 0x45, 0x4d, 0x55, 0x00, 0x70, 0x63, 0x2d, 0x71, 0x33, 0x35,
    0x2d, 0x37, 0x2e, 0x32, 0x00, 0x00, 0x04, 0x2a, 0x00, 0x04, 0x01, 0x03,
    0x01, 0x02, 0xb1, 0x0f, 0x06, 0x00, 0xfd, 0xfb, 0x8b, 0x07, 0x03, 0x00,
    0x00, 0x00, 0xd0, 0x07, 0xd0, 0x07, 0x41, 0x01, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x01, 0x01, 0x02, 0x00, 0x01, 0x00,
    0x43, 0x50, 0x55, 0x20, 0x30, 0x00, 0x51, 0x45, 0x4d, 0x55, 0x00, 0x70,
    0x63, 0x2d, 0x71, 0x33, 0x35, 0x2d, 0x37, 0x2e, 0x32, 0x00, 0x00, 0x10,
    0x17, 0x00, 0x10, 0x01, 0x03, 0x06, 0x00, 0x00, 0x20, 0x00, 0xfe, 0xff,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x11, 0x28, 0x00, 0x11, 0x00, 0x10, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x00, 0x08, 0x09, 0x00, 0x01, 0x00, 0x07, 0x02, 0x00, 0x00, 0x00, 0x02,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x44, 0x49, 0x4d, 0x4d, 0x20, 0x30, 0x00, 0x51,
    0x45, 0x4d, 0x55, 0x00, 0x00, 0x13, 0x1f, 0x00, 0x13, 0x00, 0x00, 0x00,
    0x00, 0xff, 0xff, 0x1f, 0x00, 0x00, 0x10, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x20, 0x0b, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x1a, 0x00, 0x00, 0x01, 0x02, 0x00, 0xe8, 0x03,
    0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1c, 0x00,
    0x00, 0xff, 0xff, 0x00, 0x00, 0x45, 0x46, 0x49, 0x20, 0x44, 0x65, 0x76,
    0x65, 0x6c, 0x6f, 0x70, 0x6d, 0x65, 0x6e, 0x74, 0x20, 0x4b, 0x69, 0x74,
    0x20, 0x49, 0x49, 0x20, 0x2f, 0x20, 0x4f, 0x56, 0x4d, 0x46, 0x00, 0x30,
    0x2e, 0x30, 0x2e, 0x30, 0x00, 0x30, 0x32, 0x2f, 0x30, 0x36, 0x2f, 0x32,
    0x30, 0x31, 0x35, 0x00, 0x00, 0x7f, 0x04, 0xff, 0xfe, 0x00, 0x00,
};
static const uint8_t qemu30_ep[24] = {
    0x5f, 0x53, 0x4d, 0x33, 0x5f, 0xdc, 0x18, 0x03, 0x00, 0x00, 0x01, 0x00,
    0xd6, 0x01, 0x00, 0x00, 0x00, 0xd0, 0x51, 0x7f, 0x00, 0x00, 0x00, 0x00,
};
static const uint8_t qemu30_table[470] = {
    0x01, 0x1b, 0x00, 0x01, 0x01, 0x02, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x06, 0x00, 0x00, 0x51, 0x45, 0x4d, 0x55, 0x00, 0x53, 0x74, 0x61, 0x6e,
    0x64, 0x61, 0x72, 0x64, 0x20, 0x50, 0x43, 0x20, 0x28, 0x51, 0x33, 0x35,
    0x20, 0x2b, 0x20, 0x49, 0x43, 0x48, 0x39, 0x2c, 0x20, 0x32, 0x30, 0x30,
    0x39, 0x29, 0x00, 0x70, 0x63, 0x2d, 0x71, 0x33, 0x35, 0x2d, 0x37, 0x2e,
    0x32, 0x00, 0x00, 0x03, 0x16, 0x00, 0x03, 0x01, 0x01, 0x02, 0x00, 0x00,
    0x03, 0x03, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x51, 0x45, 0x4d, 0x55, 0x00, 0x70, 0x63, 0x2d, 0x71, 0x33, 0x35,
    0x2d, 0x37, 0x2e, 0x32, 0x00, 0x00, 0x04, 0x30, 0x00, 0x04, 0x01, 0x03,
    0x01, 0x02, 0xb1, 0x0f, 0x06, 0x00, 0xfd, 0xfb, 0x8b, 0x07, 0x03, 0x00,
    0x00, 0x00, 0xd0, 0x07, 0xd0, 0x07, 0x41, 0x01, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x01, 0x01, 0x02, 0x00, 0x01, 0x00,
    0x01, 0x00, 0x01, 0x00, 0x01, 0x00, 0x43, 0x50, 0x55, 0x20, 0x30, 0x00,
    0x51, 0x45, 0x4d, 0x55, 0x00, 0x70, 0x63, 0x2d, 0x71, 0x33, 0x35, 0x2d,
    0x37, 0x2e, 0x32, 0x00, 0x00, 0x10, 0x17, 0x00, 0x10, 0x01, 0x03, 0x06,
    0x00, 0x00, 0x30, 0x00, 0xfe, 0xff, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11, 0x28, 0x00, 0x11, 0x00, 0x10,
    0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x0c, 0x09, 0x00, 0x01, 0x02,
    0x07, 0x02, 0x00, 0x80, 0x0c, 0x03, 0x04, 0x05, 0x06, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x80, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x43, 0x68,
    0x61, 0x6e, 0x6e, 0x65, 0x6c, 0x41, 0x2d, 0x44, 0x49, 0x4d, 0x4d, 0x20,
    0x30, 0x00, 0x42, 0x41, 0x4e, 0x4b, 0x20, 0x30, 0x00, 0x53, 0x61, 0x6d,
    0x73, 0x75, 0x6e, 0x67, 0x00, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
    0x38, 0x00, 0x41, 0x31, 0x00, 0x4d, 0x34, 0x37, 0x31, 0x41, 0x31, 0x4b,
    0x34, 0x33, 0x44, 0x42, 0x31, 0x2d, 0x43, 0x57, 0x45, 0x00, 0x00, 0x13,
    0x1f, 0x00, 0x13, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x1f, 0x00, 0x00,
    0x10, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x13, 0x1f, 0x01, 0x13,
    0x00, 0x00, 0x40, 0x00, 0xff, 0xff, 0x4f, 0x00, 0x00, 0x10, 0x01, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x0b, 0x00, 0x20, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1a, 0x00, 0x00, 0x01, 0x02,
    0x00, 0xe8, 0x03, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x1c, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x45, 0x46, 0x49, 0x20,
    0x44, 0x65, 0x76, 0x65, 0x6c, 0x6f, 0x70, 0x6d, 0x65, 0x6e, 0x74, 0x20,
    0x4b, 0x69, 0x74, 0x20, 0x49, 0x49, 0x20, 0x2f, 0x20, 0x4f, 0x56, 0x4d,
    0x46, 0x00, 0x30, 0x2e, 0x30, 0x2e, 0x30, 0x00, 0x30, 0x32, 0x2f, 0x30,
    0x36, 0x2f, 0x32, 0x30, 0x31, 0x35, 0x00, 0x00, 0x7f, 0x04, 0xff, 0xfe,
    0x00, 0x00,
};

/* --- a small table builder ------------------------------------------------ */

struct tbl {
    uint8_t b[32768];
    size_t n;
};

static uint8_t *s_begin(struct tbl *t, uint8_t type, uint8_t len, uint16_t handle)
{
    uint8_t *p = t->b + t->n;
    memset(p, 0, len);
    p[0] = type;
    p[1] = len;
    p[2] = (uint8_t)handle;
    p[3] = (uint8_t)(handle >> 8);
    t->n += len;
    return p;
}

/* The string set: each string and its NUL, then the closing NUL. */
static void s_strings(struct tbl *t, ...)
{
    va_list ap;
    va_start(ap, t);
    int any = 0;
    for (const char *s; (s = va_arg(ap, const char *));) {
        size_t k = strlen(s) + 1;
        CHECK(k > 1);   /* an empty string would end the set early */
        memcpy(t->b + t->n, s, k);
        t->n += k;
        any = 1;
    }
    va_end(ap);
    t->b[t->n++] = 0;
    if (!any)
        t->b[t->n++] = 0;
}

static void w16(uint8_t *p, size_t at, uint16_t v)
{
    p[at] = (uint8_t)v;
    p[at + 1] = (uint8_t)(v >> 8);
}

static void w32(uint8_t *p, size_t at, uint32_t v)
{
    w16(p, at, (uint16_t)v);
    w16(p, at + 2, (uint16_t)(v >> 16));
}

static void w64(uint8_t *p, size_t at, uint64_t v)
{
    w32(p, at, (uint32_t)v);
    w32(p, at + 4, (uint32_t)(v >> 32));
}

static void end_of_table(struct tbl *t)
{
    s_begin(t, 127, 4, 0xfeff);
    s_strings(t, NULL);
}

/* A Type 17 in the 3.3 layout (0x5c bytes); strings 1-6 are locator, bank,
 * manufacturer, serial, asset tag, part number. */
static uint8_t *dev33(struct tbl *t, uint16_t handle, uint16_t size, uint32_t ext_size, uint8_t type,
                      uint16_t speed, uint16_t conf)
{
    uint8_t *p = s_begin(t, 17, 0x5c, handle);
    w16(p, 0x04, 0x0010);            /* physical memory array */
    w16(p, 0x06, 0xfffe);            /* no error information */
    w16(p, 0x08, 64);
    w16(p, 0x0a, 64);
    w16(p, 0x0c, size);
    p[0x0e] = 0x0d;                  /* SODIMM */
    p[0x10] = 1;
    p[0x11] = 2;
    p[0x12] = type;
    w16(p, 0x13, 0x0080);            /* synchronous */
    w16(p, 0x15, speed);
    p[0x17] = 3;
    p[0x18] = 4;
    p[0x19] = 5;
    p[0x1a] = 6;
    p[0x1b] = 1;                     /* rank 1 */
    w32(p, 0x1c, ext_size);
    w16(p, 0x20, conf);
    w16(p, 0x22, 1200);
    w16(p, 0x24, 1200);
    w16(p, 0x26, 1200);
    p[0x28] = 0x03;                  /* DRAM */
    w16(p, 0x29, 0x0004);
    return p;
}

/* Only the locator string: the other string fields say "none" (0). */
static void locator_only(uint8_t *p)
{
    p[0x11] = p[0x17] = p[0x18] = p[0x19] = p[0x1a] = 0;
}

static void map19(struct tbl *t, uint16_t handle, uint32_t start_kb, uint32_t end_kb)
{
    uint8_t *p = s_begin(t, 19, 0x1f, handle);
    w32(p, 0x04, start_kb);
    w32(p, 0x08, end_kb);
    w16(p, 0x0c, 0x0010);
    p[0x0e] = 2;
    s_strings(t, NULL);
}

static void map20(struct tbl *t, uint16_t handle, uint16_t dev, uint32_t start_kb, uint32_t end_kb)
{
    uint8_t *p = s_begin(t, 20, 0x23, handle);
    w32(p, 0x04, start_kb);
    w32(p, 0x08, end_kb);
    w16(p, 0x0c, dev);
    w16(p, 0x0e, 0x0030);
    p[0x10] = 0xff;
    p[0x11] = 1;
    p[0x12] = 2;
    s_strings(t, NULL);
}

/* A laptop like many: SMBIOS 3.3, one array, two SODIMMs and one empty slot. */
static void build_laptop(struct tbl *t)
{
    t->n = 0;
    uint8_t *p = s_begin(t, 0, 0x1a, 0x0000);   /* BIOS information, to be skipped */
    p[4] = 1;
    p[5] = 2;
    p[8] = 3;
    s_strings(t, "LENOVO", "N2HET71W (1.54 )", "03/14/2023", NULL);
    p = s_begin(t, 16, 0x17, 0x0010);
    p[4] = 0x03;                     /* system board */
    p[5] = 0x03;                     /* system memory */
    p[6] = 0x03;                     /* no ECC */
    w32(p, 0x07, 0x80000000u);       /* see extended capacity */
    w16(p, 0x0b, 0xfffe);
    w16(p, 0x0d, 3);
    w64(p, 0x0f, 64ull << 30);
    s_strings(t, NULL);
    dev33(t, 0x0011, 8192, 0, 0x1a, 3200, 2933);
    s_strings(t, "ChannelA-DIMM0", "BANK 0", "Samsung", "12345678", "9876543210",
              "M471A1K43DB1-CWE    ", NULL);
    dev33(t, 0x0012, 0x7fff, 16384, 0x1a, 3200, 3200);
    s_strings(t, "ChannelB-DIMM0", "BANK 2", "Micron Technology", "2A3B4C5D", "Not Specified",
              "MTA16ATF2G64HZ-3G2J1", NULL);
    dev33(t, 0x0013, 0, 0, 0x02, 0, 0);
    s_strings(t, "ChannelB-DIMM1", "BANK 3", "Not Specified", "Not Specified", "Not Specified",
              "Not Specified", NULL);
    map19(t, 0x0030, 0, 0x17fffff);
    map20(t, 0x0040, 0x0011, 0, 0x7fffff);
    map20(t, 0x0041, 0x0012, 0x800000, 0x17fffff);
    end_of_table(t);
}

static const char laptop_text[] =
    "  2 of 3 slots populated, 24 GiB\n"
    "  dimm ChannelA-DIMM0 (BANK 0): 8 GiB DDR4 3200 MT/s (configured 2933) Samsung "
    "M471A1K43DB1-CWE serial 12345678\n"
    "    mapped 0x0-0x1ffffffff\n"
    "  dimm ChannelB-DIMM0 (BANK 2): 16 GiB DDR4 3200 MT/s Micron Technology "
    "MTA16ATF2G64HZ-3G2J1 serial 2A3B4C5D\n"
    "    mapped 0x200000000-0x5ffffffff\n"
    "  dimm ChannelB-DIMM1 (BANK 3): no module\n"
    "  mapped 0x0-0x5ffffffff (array)\n";

static struct smbios_info info;
static char text[65536];

static const char *render(const uint8_t *t, size_t n, unsigned major, unsigned minor)
{
    struct sbuf sb;
    sbuf_init(&sb, text, sizeof text);
    smbios_parse_table(&info, t, n, major, minor);
    smbios_render(&sb, &info);
    return text;
}

static struct tbl tb;

static const uint8_t *find(const uint8_t *h, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(h + i, needle, k))
            return h + i;
    return NULL;
}

/* --- tests ------------------------------------------------------------------ */

TEST(smbios_laptop_table_renders)
{
    build_laptop(&tb);
    CHECK_STR(render(tb.b, tb.n, 3, 3), laptop_text);
    CHECK_EQ_U64(info.err, SMBIOS_OK);
    CHECK_EQ_U64(info.structs, 9);
}

TEST(smbios_laptop_table_fields)
{
    build_laptop(&tb);
    CHECK_EQ_U64(smbios_parse_table(&info, tb.b, tb.n, 3, 3), SMBIOS_OK);
    CHECK_EQ_U64(info.ndev, 3);
    CHECK_EQ_U64(info.narray, 1);
    CHECK_EQ_U64(info.ndevmap, 2);
    CHECK_EQ_U64(info.malformed + info.bad_strings + info.dropped, 0);
    const struct smbios_dev *a = &info.dev[0], *b = &info.dev[1], *c = &info.dev[2];
    CHECK_EQ_U64(a->handle, 0x11);
    CHECK_EQ_U64(a->array_handle, 0x10);
    CHECK_EQ_U64(a->size, 8ull << 30);
    CHECK_EQ_U64(a->type, 0x1a);
    CHECK_EQ_U64(a->form, 0x0d);
    CHECK_EQ_U64(a->speed, 3200);
    CHECK_EQ_U64(a->conf_speed, 2933);
    CHECK_STR(a->part, "M471A1K43DB1-CWE");   /* trailing blanks trimmed */
    CHECK_STR(a->serial, "12345678");
    CHECK_STR(b->manufacturer, "Micron Technology");
    CHECK_EQ_U64(b->size, 16ull << 30);       /* 0x7fff: extended size in MB */
    CHECK(c->size_kind == SMBIOS_SIZE_EMPTY);
    CHECK_STR(c->bank, "BANK 3");
    CHECK_EQ_U64(info.array[0].start, 0);
    CHECK_EQ_U64(info.array[0].end, (24ull << 30) - 1);
    CHECK_EQ_U64(info.devmap[1].owner, 0x12);
    CHECK_EQ_U64(info.devmap[1].start, 8ull << 30);
}

TEST(smbios_qemu_28_captured)
{
    struct smbios_ep ep;
    CHECK_EQ_U64(smbios_parse_ep(&ep, qemu28_ep, sizeof qemu28_ep), SMBIOS_OK);
    CHECK_EQ_U64(smbios_ep_size(qemu28_ep), 0x1f);
    CHECK(!ep.is64);
    CHECK_EQ_U64(ep.major, 2);
    CHECK_EQ_U64(ep.minor, 8);
    CHECK_EQ_U64(ep.table_len, sizeof qemu28_table);
    CHECK_EQ_U64(ep.table_addr, 0x7f51f000);
    CHECK_EQ_U64(ep.count, 9);
    CHECK_STR(render(qemu28_table, sizeof qemu28_table, ep.major, ep.minor),
              "  1 of 1 slot populated, 2 GiB\n"
              "  dimm DIMM 0: 2 GiB RAM QEMU\n"
              "  mapped 0x0-0x7fffffff (array)\n");
    CHECK_EQ_U64(info.structs, ep.count);
    CHECK_EQ_U64(info.dev[0].handle, 0x1100);
}

TEST(smbios_qemu_30_captured)
{
    struct smbios_ep ep;
    CHECK_EQ_U64(smbios_ep_size(qemu30_ep), 0x18);
    CHECK_EQ_U64(smbios_parse_ep(&ep, qemu30_ep, sizeof qemu30_ep), SMBIOS_OK);
    CHECK(ep.is64);
    CHECK_EQ_U64(ep.major, 3);
    CHECK_EQ_U64(ep.minor, 0);
    CHECK_EQ_U64(ep.table_len, sizeof qemu30_table);
    CHECK_EQ_U64(ep.table_addr, 0x7f51d000);
    CHECK_STR(render(qemu30_table, sizeof qemu30_table, ep.major, ep.minor),
              "  1 of 1 slot populated, 3 GiB\n"
              "  dimm ChannelA-DIMM 0 (BANK 0): 3 GiB RAM 3200 MT/s Samsung M471A1K43DB1-CWE "
              "serial 12345678\n"
              "  mapped 0x0-0x7fffffff (array)\n"
              "  mapped 0x100000000-0x13fffffff (array)\n");
    CHECK_EQ_U64(info.malformed, 0);
    /* The same table under a 3.3 entry point: its 2.8-sized Type 17 is noted. */
    CHECK(strstr(render(qemu30_table, sizeof qemu30_table, 3, 3),
                 "  SMBIOS: 1 malformed memory structure (first: type 17 at offset 0xd2: "
                 "length 0x28 < 0x5c for SMBIOS 3.3)\n"));
    CHECK_EQ_U64(info.ndev, 1);
}

static void fix_sum(uint8_t *p, size_t n, size_t at)
{
    uint8_t s = 0;
    p[at] = 0;
    for (size_t i = 0; i < n; i++)
        s = (uint8_t)(s + p[i]);
    p[at] = (uint8_t)-s;
}

TEST(smbios_entry_point_checks)
{
    struct smbios_ep ep;
    uint8_t e3[0x18], e2[0x1f];
    memcpy(e3, qemu30_ep, sizeof e3);
    memcpy(e2, qemu28_ep, sizeof e2);
    /* Any single flipped byte breaks a checksum (or the anchor). */
    for (size_t i = 0; i < sizeof e3; i++) {
        e3[i] ^= 0x40;
        CHECK(smbios_parse_ep(&ep, e3, sizeof e3) != SMBIOS_OK);
        e3[i] ^= 0x40;
    }
    e3[0x10] ^= 1;
    CHECK_EQ_U64(smbios_parse_ep(&ep, e3, sizeof e3), SMBIOS_E_EP_CHECKSUM);
    e3[0x10] ^= 1;
    for (size_t i = 0; i < sizeof e2; i++) {
        e2[i] ^= 0x40;
        CHECK(smbios_parse_ep(&ep, e2, sizeof e2) != SMBIOS_OK);
        e2[i] ^= 0x40;
    }
    /* Inner _DMI_ checksum: fix the outer one so only the inner fails. */
    e2[0x16] ^= 1;
    fix_sum(e2, 0x1f, 4);
    CHECK_EQ_U64(smbios_parse_ep(&ep, e2, sizeof e2), SMBIOS_E_DMI_CHECKSUM);
    memcpy(e2, qemu28_ep, sizeof e2);
    e2[0x10] = 'X';
    fix_sum(e2, 0x1f, 4);
    CHECK_EQ_U64(smbios_parse_ep(&ep, e2, sizeof e2), SMBIOS_E_DMI_ANCHOR);
    /* Length byte 0x1e (the 2.1 erratum) is accepted, 0x10 is not. */
    memcpy(e2, qemu28_ep, sizeof e2);
    e2[5] = 0x1e;
    fix_sum(e2, 0x1e, 4);
    CHECK_EQ_U64(smbios_parse_ep(&ep, e2, sizeof e2), SMBIOS_OK);
    e2[5] = 0x10;
    fix_sum(e2, 0x10, 4);
    CHECK_EQ_U64(smbios_parse_ep(&ep, e2, sizeof e2), SMBIOS_E_EP_LENGTH);
    /* 3.0: length below 0x18, longer than what the caller has, zero table. */
    memcpy(e3, qemu30_ep, sizeof e3);
    e3[6] = 0x10;
    CHECK_EQ_U64(smbios_parse_ep(&ep, e3, sizeof e3), SMBIOS_E_EP_LENGTH);
    e3[6] = 0x20;
    CHECK_EQ_U64(smbios_parse_ep(&ep, e3, sizeof e3), SMBIOS_E_SHORT);
    CHECK_EQ_U64(smbios_ep_size(e3), 0x20);
    e3[6] = 0x18;
    w64(e3, 0x10, 0);
    fix_sum(e3, 0x18, 5);
    CHECK_EQ_U64(smbios_parse_ep(&ep, e3, sizeof e3), SMBIOS_E_NO_TABLE);
    CHECK_EQ_U64(smbios_parse_ep(&ep, qemu30_ep, 0x17), SMBIOS_E_SHORT);
    CHECK_EQ_U64(smbios_parse_ep(&ep, qemu30_ep, 3), SMBIOS_E_SHORT);
    CHECK_EQ_U64(smbios_parse_ep(&ep, qemu28_table, sizeof qemu28_table), SMBIOS_E_ANCHOR);
    CHECK_STR(smbios_strerror(SMBIOS_E_EP_CHECKSUM), "entry point checksum mismatch");
}

/* Every prefix: an error (no end-of-table), never more data than the full
 * table, and a module's line appears once its strings are complete. */
static void check_prefixes(const uint8_t *full, size_t n, unsigned major, unsigned minor)
{
    static char want[65536];
    static struct smbios_info all;
    render(full, n, major, minor);
    strcpy(want, text);
    all = info;
    CHECK_EQ_U64(all.err, SMBIOS_OK);
    unsigned last_ndev = 0, grew = 0;
    for (size_t k = 0; k < n; k++) {
        uint8_t *copy = malloc(k ? k : 1);   /* exact size: ASan sees any overread */
        memcpy(copy, full, k);
        render(copy, k, major, minor);
        free(copy);
        CHECK(info.err != SMBIOS_OK);
        CHECK(info.err_off <= k);
        CHECK(info.ndev <= all.ndev && info.narray <= all.narray && info.ndevmap <= all.ndevmap);
        CHECK(info.ndev >= last_ndev);
        CHECK(strstr(text, "  SMBIOS: read ") != NULL);
        for (unsigned i = 0; i < info.ndev; i++)
            CHECK(info.dev[i].handle == all.dev[i].handle);
        grew += info.ndev > last_ndev;
        last_ndev = info.ndev;
    }
    CHECK_EQ_U64(grew, all.ndev);
}

TEST(smbios_truncated_at_every_length)
{
    build_laptop(&tb);
    check_prefixes(tb.b, tb.n, 3, 3);
    check_prefixes(qemu28_table, sizeof qemu28_table, 2, 8);
    check_prefixes(qemu30_table, sizeof qemu30_table, 3, 0);
    /* Cut inside the part number: the device is kept, the cut string is not. */
    build_laptop(&tb);
    const uint8_t *m = find(tb.b, tb.n, "M471A1K4");
    CHECK(m != NULL);
    render(tb.b, (size_t)(m - tb.b) + 8, 3, 3);
    CHECK_EQ_U64(info.err, SMBIOS_E_TRUNCATED);
    CHECK_EQ_U64(info.ndev, 1);
    CHECK_STR(info.dev[0].serial, "12345678");
    CHECK_STR(info.dev[0].part, "");
    CHECK_EQ_U64(info.bad_strings, 1);
}

TEST(smbios_malformed_structures)
{
    /* A zero-length structure after a good device: the device stays. */
    tb.n = 0;
    dev33(&tb, 0x11, 4096, 0, 0x22, 4800, 4800);
    s_strings(&tb, "DIMM_A1", "P0 CHANNEL A", "SK Hynix", "0", "A", "HMCG78AEBUA081N", NULL);
    size_t bad_at = tb.n;
    s_begin(&tb, 17, 0x5c, 0x12)[1] = 0;
    s_strings(&tb, NULL);
    end_of_table(&tb);
    render(tb.b, tb.n, 3, 3);
    CHECK_EQ_U64(info.err, SMBIOS_E_STRUCT_LENGTH);
    CHECK_EQ_U64(info.err_off, bad_at);
    CHECK_EQ_U64(info.ndev, 1);
    CHECK(strstr(text, "  dimm DIMM_A1 (P0 CHANNEL A): 4 GiB DDR5 4800 MT/s SK Hynix HMCG78AEBUA081N\n"));
    CHECK(strstr(text, "structure with a length below 4"));

    /* String index beyond the set, and a set with no strings at all. */
    tb.n = 0;
    uint8_t *p = dev33(&tb, 0x21, 2048, 0, 0x1e, 4266, 4266);
    p[0x10] = 9;
    s_strings(&tb, "one", "two", NULL);
    p = dev33(&tb, 0x22, 2048, 0, 0x1e, 4266, 4266);
    s_strings(&tb, NULL);
    end_of_table(&tb);
    render(tb.b, tb.n, 3, 3);
    CHECK_EQ_U64(info.err, SMBIOS_OK);
    CHECK_EQ_U64(info.ndev, 2);
    CHECK_STR(info.dev[0].bank, "two");
    CHECK_EQ_U64(info.bad_strings, 4 + 5);   /* 9, 3, 4, 6 past "two"; all five in the empty set */
    CHECK(strstr(text, "  dimm (handle 0x0021) (two): 2 GiB LPDDR4 4266 MT/s\n"));
    CHECK(strstr(text, "string references outside the string set"));

    /* Below the 2.1 minimum: skipped. Below its version's minimum: read partly. */
    tb.n = 0;
    s_begin(&tb, 17, 0x10, 0x31);
    s_strings(&tb, NULL);
    p = s_begin(&tb, 17, 0x1b, 0x32);
    w16(p, 0x0c, 1024);
    p[0x10] = 1;
    p[0x12] = 0x18;
    w16(p, 0x15, 1600);
    s_strings(&tb, "DIMM0", NULL);
    end_of_table(&tb);
    render(tb.b, tb.n, 3, 3);
    CHECK_EQ_U64(info.ndev, 1);
    CHECK_EQ_U64(info.malformed, 2);
    CHECK_STR(info.note, "type 17 at offset 0x0: length 0x10 < 0x15");
    CHECK(strstr(text, "  dimm DIMM0: 1 GiB DDR3 1600 MT/s\n"));
    CHECK_EQ_U64(info.dev[0].conf_speed, 0);   /* field beyond its length */
    render(tb.b, tb.n, 2, 3);
    CHECK_EQ_U64(info.malformed, 1);            /* 0x1b is right for 2.3 */

    /* Type 19 with end below start; Type 20 too short for its extended fields. */
    tb.n = 0;
    map19(&tb, 0x40, 0x1000, 0x10);
    p = s_begin(&tb, 20, 0x13, 0x41);
    w32(p, 4, 0xffffffffu);
    w32(p, 8, 0xffffffffu);
    s_strings(&tb, NULL);
    end_of_table(&tb);
    render(tb.b, tb.n, 2, 6);
    CHECK_EQ_U64(info.narray + info.ndevmap, 0);
    CHECK_EQ_U64(info.malformed, 2);
    CHECK_STR(info.note, "type 19 at offset 0x0: end 0x43ff below start 0x400000");
    CHECK(strstr(text, "  no memory devices (Type 17) in the table\n"));

    /* Formatted length past the buffer end; a string set never closed. */
    tb.n = 0;
    dev33(&tb, 0x51, 1024, 0, 0x1a, 0, 0);
    render(tb.b, 0x40, 3, 3);
    CHECK_EQ_U64(info.err, SMBIOS_E_TRUNCATED);
    CHECK_EQ_U64(info.ndev, 0);
    memcpy(tb.b + tb.n, "DIMM", 4);
    render(tb.b, tb.n + 4, 3, 3);
    CHECK_EQ_U64(info.err, SMBIOS_E_TRUNCATED);
    CHECK_EQ_U64(info.ndev, 1);
    CHECK_STR(info.dev[0].locator, "");
    /* No Type 127 at all. */
    tb.n = 0;
    map19(&tb, 0x40, 0, 0x3ff);
    render(tb.b, tb.n, 3, 3);
    CHECK_EQ_U64(info.err, SMBIOS_E_NO_END);
    CHECK_EQ_U64(info.narray, 1);
    CHECK(strstr(text, "table ends without an end-of-table structure"));
}

TEST(smbios_size_encodings)
{
    static const struct { uint16_t size; uint32_t ext; uint8_t len; int kind; uint64_t bytes; } c[] = {
        { 0x8000 | 512, 0, 0x5c, SMBIOS_SIZE_KNOWN, 512 << 10 },     /* KB granularity */
        { 0x7fff, 65536, 0x5c, SMBIOS_SIZE_KNOWN, 64ull << 30 },     /* extended size */
        { 0x7fff, 65536, 0x1b, SMBIOS_SIZE_KNOWN, 32767ull << 20 },  /* no extended field */
        { 0x7fff, 0, 0x5c, SMBIOS_SIZE_UNKNOWN, 0 },
        { 0xffff, 0, 0x5c, SMBIOS_SIZE_UNKNOWN, 0 },
        { 0x0000, 0, 0x5c, SMBIOS_SIZE_EMPTY, 0 },
        { 0x8000, 0, 0x5c, SMBIOS_SIZE_UNKNOWN, 0 },
        { 32, 0, 0x15, SMBIOS_SIZE_KNOWN, 32 << 20 },
    };
    for (unsigned i = 0; i < sizeof c / sizeof c[0]; i++) {
        tb.n = 0;
        uint8_t *p = dev33(&tb, 0x11, c[i].size, c[i].ext, 0x1a, 2400, 2400);
        p[1] = c[i].len;
        tb.n = c[i].len;
        s_strings(&tb, "X", NULL);
        end_of_table(&tb);
        smbios_parse_table(&info, tb.b, tb.n, 2, 1);
        CHECK_EQ_U64(info.ndev, 1);
        CHECK_EQ_U64(info.dev[0].size_kind, c[i].kind);
        CHECK_EQ_U64(info.dev[0].size, c[i].bytes);
    }
    render(tb.b, tb.n, 2, 1);
    CHECK(strstr(text, "  dimm X: 32 MiB DDR4\n"));   /* 2.1 layout: no speed field */
}

TEST(smbios_extended_speed_and_addresses)
{
    tb.n = 0;
    uint8_t *p = dev33(&tb, 0x11, 0x7fff, 49152, 0x23, 0xffff, 0xffff);
    w32(p, 0x54, 0x80000000u | 8533);   /* bit 31 is reserved */
    w32(p, 0x58, 7500);
    s_strings(&tb, "CAMM", "Not Specified", "Kingston", "AB12CD34", "A", "KVR64A", NULL);
    p = s_begin(&tb, 19, 0x1f, 0x30);
    w32(p, 4, 0xffffffffu);
    w32(p, 8, 0xffffffffu);
    w64(p, 0x0f, 0x40000000000ull);
    w64(p, 0x17, 0x7ffffffffffull);
    s_strings(&tb, NULL);
    p = s_begin(&tb, 20, 0x23, 0x31);
    w32(p, 4, 0xffffffffu);
    w32(p, 8, 0xffffffffu);
    w16(p, 0x0c, 0x11);
    w64(p, 0x13, 0x40000000000ull);
    w64(p, 0x1b, 0x40bffffffffull);
    s_strings(&tb, NULL);
    end_of_table(&tb);
    CHECK_STR(render(tb.b, tb.n, 3, 3),
              "  1 of 1 slot populated, 48 GiB\n"
              "  dimm CAMM: 48 GiB LPDDR5 8533 MT/s (configured 7500) Kingston KVR64A serial AB12CD34\n"
              "    mapped 0x40000000000-0x40bffffffff\n"
              "  mapped 0x40000000000-0x7ffffffffff (array)\n");
    /* 0xffff without the 3.3 fields: unknown, not 65535. */
    p = tb.b;
    p[1] = 0x28;
    tb.n = 0x28;
    s_strings(&tb, "X", NULL);
    end_of_table(&tb);
    render(tb.b, tb.n, 2, 8);
    CHECK_EQ_U64(info.dev[0].speed, 0);
    CHECK_EQ_U64(info.dev[0].conf_speed, 0);
    CHECK(strstr(text, "  dimm X: 48 GiB LPDDR5\n"));
}

TEST(smbios_memory_type_names)
{
    CHECK_STR(smbios_type_name(0x18), "DDR3");
    CHECK_STR(smbios_type_name(0x1a), "DDR4");
    CHECK_STR(smbios_type_name(0x1e), "LPDDR4");
    CHECK_STR(smbios_type_name(0x22), "DDR5");
    CHECK_STR(smbios_type_name(0x23), "LPDDR5");
    CHECK_STR(smbios_type_name(0x07), "RAM");
    CHECK(smbios_type_name(0x16) == NULL);
    CHECK(smbios_type_name(0x00) == NULL);
    CHECK(smbios_type_name(0xff) == NULL);
    tb.n = 0;
    locator_only(dev33(&tb, 0x11, 1024, 0, 0x40, 0, 0));
    s_strings(&tb, "S0", NULL);
    end_of_table(&tb);
    CHECK(strstr(render(tb.b, tb.n, 3, 3), "  dimm S0: 1 GiB type 0x40\n"));
}

TEST(smbios_type20_link_any_order)
{
    tb.n = 0;
    map20(&tb, 0x40, 0x12, 0x400000, 0x7fffff);   /* before its Type 17 */
    map20(&tb, 0x41, 0x99, 0, 0x3fffff);          /* a device that is not listed */
    locator_only(dev33(&tb, 0x12, 4096, 0, 0x1a, 2666, 2666));
    s_strings(&tb, "DIMM 1", NULL);
    map20(&tb, 0x42, 0x12, 0x1000000, 0x13fffff); /* a second range for it */
    end_of_table(&tb);
    CHECK_STR(render(tb.b, tb.n, 3, 3),
              "  1 of 1 slot populated, 4 GiB\n"
              "  dimm DIMM 1: 4 GiB DDR4 2666 MT/s\n"
              "    mapped 0x100000000-0x1ffffffff\n"
              "    mapped 0x400000000-0x4ffffffff\n"
              "  mapped 0x0-0xffffffff (device handle 0x0099, not listed)\n");
}

TEST(smbios_many_devices_capped)
{
    tb.n = 0;
    for (unsigned i = 0; i < SMBIOS_MAX_DEVICES + 72; i++) {
        locator_only(dev33(&tb, (uint16_t)(0x100 + i), 0, 0, 0x1a, 0, 0));
        s_strings(&tb, "S", NULL);
    }
    end_of_table(&tb);
    CHECK(tb.n < sizeof tb.b);
    render(tb.b, tb.n, 3, 3);
    CHECK_EQ_U64(info.err, SMBIOS_OK);
    CHECK_EQ_U64(info.ndev, SMBIOS_MAX_DEVICES);
    CHECK_EQ_U64(info.dropped, 72);
    CHECK(strstr(text, "  0 of 128 slots populated, 0 B\n"));
    CHECK(strstr(text, "  SMBIOS: 72 more memory structures not listed (over 128)\n"));
}

TEST(smbios_placeholders_and_odd_strings)
{
    tb.n = 0;
    dev33(&tb, 0x11, 8192, 0, 0x1a, 3200, 3200);
    s_strings(&tb, "  DIMM\x01\xff B ", "Not Specified", "To Be Filled By O.E.M.", "00000000",
              "A", "unknown", NULL);
    end_of_table(&tb);
    CHECK(strstr(render(tb.b, tb.n, 3, 3), "  dimm DIMM?? B: 8 GiB DDR4 3200 MT/s\n"));
    CHECK_EQ_U64(info.err, SMBIOS_OK);
    CHECK_EQ_U64(info.structs, 2);
    CHECK_EQ_U64(info.bad_strings, 0);
    /* A long string is cut to the buffer. */
    static char longs[300];
    memset(longs, 'x', sizeof longs - 1);
    tb.n = 0;
    dev33(&tb, 0x11, 8192, 0, 0x1a, 3200, 3200);
    s_strings(&tb, longs, NULL);
    end_of_table(&tb);
    render(tb.b, tb.n, 3, 3);
    CHECK_EQ_U64(strlen(info.dev[0].locator), SMBIOS_STR_MAX - 1);
}

TEST(smbios_render_into_small_buffer)
{
    build_laptop(&tb);
    smbios_parse_table(&info, tb.b, tb.n, 3, 3);
    char small[80];
    struct sbuf sb;
    sbuf_init(&sb, small, sizeof small);
    smbios_render(&sb, &info);
    CHECK(sb.len == sizeof small - 1);
    CHECK(sb.lost > 0);
    CHECK(strncmp(small, laptop_text, sizeof small - 1) == 0);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int printable(const char *s)
{
    size_t n = 0;
    for (; n < SMBIOS_STR_MAX && s[n]; n++)
        if (s[n] < 0x20 || s[n] > 0x7e)
            return 0;
    return n < SMBIOS_STR_MAX;
}

/* Seeded random byte flips over the laptop table: never a crash (ASan and
 * UBSan watch), bounded counts, clean strings, and text that ends. */
TEST(smbios_random_byte_flips)
{
    static struct tbl base;
    build_laptop(&base);
    unsigned full = 0, stopped = 0;
    for (unsigned iter = 0; iter < 20000; iter++) {
        size_t n = base.n;
        uint8_t *copy = malloc(n);
        memcpy(copy, base.b, n);
        unsigned flips = 1 + (unsigned)(next() % 8);
        for (unsigned f = 0; f < flips; f++)
            copy[next() % n] = (uint8_t)next();
        render(copy, n, 3, (unsigned)(next() % 4));
        free(copy);
        CHECK(info.ndev <= SMBIOS_MAX_DEVICES && info.narray <= SMBIOS_MAX_MAPS &&
              info.ndevmap <= SMBIOS_MAX_MAPS);
        CHECK(info.structs <= n / 6 + 1);
        CHECK(info.err_off <= n);
        CHECK(strlen(text) < sizeof text);
        for (unsigned i = 0; i < info.ndev; i++) {
            const struct smbios_dev *d = &info.dev[i];
            CHECK(printable(d->locator) && printable(d->bank) && printable(d->manufacturer) &&
                  printable(d->part) && printable(d->serial));
        }
        for (unsigned i = 0; i < info.narray; i++)
            CHECK(info.array[i].start <= info.array[i].end);
        full += info.err == SMBIOS_OK && info.ndev == 3;
        stopped += info.err != SMBIOS_OK;
        if (check_failed)
            break;
    }
    /* The flips must have hit both harmless and structural bytes. */
    CHECK(full > 1000);
    CHECK(stopped > 1000);
}
