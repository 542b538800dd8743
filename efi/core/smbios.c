// SPDX-License-Identifier: MIT
// Field offsets follow the DMTF SMBIOS Reference Specification (DSP0134):
// 5.2.1/5.2.2 for the entry points, 6.1 for the structure layout, 7.18
// (Type 17), 7.20 (Type 19) and 7.21 (Type 20).
#include "core/smbios.h"

#define T_MEM_DEVICE 17
#define T_ARRAY_MAP 19
#define T_DEVICE_MAP 20
#define T_END 127

#define EP3_LEN 0x18
#define EP2_LEN 0x1f

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static int has_anchor(const uint8_t *p, const char *a)
{
    for (; *a; a++, p++)
        if (*p != (uint8_t)*a)
            return 0;
    return 1;
}

static uint8_t sum8(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

const char *smbios_strerror(int err)
{
    switch (err) {
    case SMBIOS_OK: return "ok";
    case SMBIOS_E_SHORT: return "entry point shorter than its length field";
    case SMBIOS_E_ANCHOR: return "no _SM3_ or _SM_ anchor at the entry point";
    case SMBIOS_E_EP_LENGTH: return "entry point length field out of range";
    case SMBIOS_E_EP_CHECKSUM: return "entry point checksum mismatch";
    case SMBIOS_E_DMI_ANCHOR: return "no _DMI_ anchor in the 2.x entry point";
    case SMBIOS_E_DMI_CHECKSUM: return "_DMI_ checksum mismatch in the 2.x entry point";
    case SMBIOS_E_NO_TABLE: return "structure table address or length is zero";
    case SMBIOS_E_STRUCT_LENGTH: return "structure with a length below 4";
    case SMBIOS_E_TRUNCATED: return "structure runs past the end of the table";
    case SMBIOS_E_NO_END: return "table ends without an end-of-table structure";
    default: return "unknown error";
    }
}

size_t smbios_ep_size(const uint8_t *p)
{
    if (has_anchor(p, "_SM3_"))
        return p[6] > EP3_LEN ? p[6] : EP3_LEN;
    if (has_anchor(p, "_SM_"))
        return p[5] > EP2_LEN ? p[5] : EP2_LEN;
    return EP3_LEN;
}

int smbios_parse_ep(struct smbios_ep *ep, const uint8_t *p, size_t avail)
{
    *ep = (struct smbios_ep){ 0 };
    if (avail >= 5 && has_anchor(p, "_SM3_")) {
        if (avail < EP3_LEN)
            return SMBIOS_E_SHORT;
        size_t n = p[6];
        if (n < EP3_LEN)
            return SMBIOS_E_EP_LENGTH;
        if (n > avail)
            return SMBIOS_E_SHORT;
        if (sum8(p, n))
            return SMBIOS_E_EP_CHECKSUM;
        ep->is64 = 1;
        ep->major = p[7];
        ep->minor = p[8];
        ep->table_len = le32(p + 0x0c);
        ep->table_addr = le64(p + 0x10);
    } else if (avail >= 4 && has_anchor(p, "_SM_")) {
        if (avail < EP2_LEN)
            return SMBIOS_E_SHORT;
        /* 0x1e: SMBIOS 2.1 itself printed the wrong length, firmware copied it. */
        size_t n = p[5];
        if (n != EP2_LEN && n != 0x1e)
            return SMBIOS_E_EP_LENGTH;
        if (sum8(p, n))
            return SMBIOS_E_EP_CHECKSUM;
        if (!has_anchor(p + 0x10, "_DMI_"))
            return SMBIOS_E_DMI_ANCHOR;
        if (sum8(p + 0x10, 0x0f))
            return SMBIOS_E_DMI_CHECKSUM;
        ep->major = p[6];
        ep->minor = p[7];
        ep->table_len = le16(p + 0x16);
        ep->table_addr = le32(p + 0x18);
        ep->count = le16(p + 0x1c);
    } else {
        return avail < 5 ? SMBIOS_E_SHORT : SMBIOS_E_ANCHOR;
    }
    if (!ep->table_len || !ep->table_addr)
        return SMBIOS_E_NO_TABLE;
    return SMBIOS_OK;
}

/* One structure: its formatted area and its string set (up to, not
 * including, the set's final NUL; or up to the buffer end when cut off). */
struct view {
    const uint8_t *f;
    size_t flen;
    const uint8_t *s;
    size_t slen;
    size_t off;       /* table offset, for notes */
};

static int f8(const struct view *v, size_t at, uint8_t *out)
{
    if (at + 1 > v->flen)
        return 0;
    *out = v->f[at];
    return 1;
}

static int f16(const struct view *v, size_t at, uint16_t *out)
{
    if (at + 2 > v->flen)
        return 0;
    *out = le16(v->f + at);
    return 1;
}

static int f32(const struct view *v, size_t at, uint32_t *out)
{
    if (at + 4 > v->flen)
        return 0;
    *out = le32(v->f + at);
    return 1;
}

static int f64(const struct view *v, size_t at, uint64_t *out)
{
    if (at + 8 > v->flen)
        return 0;
    *out = le64(v->f + at);
    return 1;
}

/* Copy a table string into `out`: printable ASCII only, no leading or
 * trailing blanks, cut to the buffer. */
static void copy_clean(char *out, const uint8_t *p, size_t n)
{
    size_t k = 0;
    while (n && *p == ' ')
        p++, n--;
    for (size_t i = 0; i < n && k < SMBIOS_STR_MAX - 1; i++)
        out[k++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
    while (k && out[k - 1] == ' ')
        k--;
    out[k] = 0;
}

/* The string a formatted-area byte at `at` refers to (1-based; 0 = none).
 * An index past the set or an unterminated string gives "" and is counted. */
static void get_str(struct smbios_info *info, const struct view *v, size_t at, char *out)
{
    uint8_t idx;
    out[0] = 0;
    if (!f8(v, at, &idx) || !idx)
        return;
    const uint8_t *p = v->s, *e = v->s + v->slen;
    for (unsigned k = 1; p < e; k++) {
        const uint8_t *z = p;
        while (z < e && *z)
            z++;
        if (z == e || z == p)
            break;   /* cut off, or the empty string that ends the set */
        if (k == idx) {
            copy_clean(out, p, (size_t)(z - p));
            return;
        }
        p = z + 1;
    }
    info->bad_strings++;
}

/* Version-dependent minimum lengths: what the spec version in the entry
 * point says the structure carries. Shorter means a firmware bug; the
 * fields that are there are still used. */
struct min_len {
    unsigned ver;     /* major << 8 | minor */
    uint8_t len;
};

static const struct min_len dev_min[] = {
    { 0x0303, 0x5c }, { 0x0302, 0x54 }, { 0x0208, 0x28 }, { 0x0207, 0x22 },
    { 0x0206, 0x1c }, { 0x0203, 0x1b }, { 0, 0x15 },
};
static const struct min_len array_map_min[] = { { 0x0207, 0x1f }, { 0, 0x0f } };
static const struct min_len dev_map_min[] = { { 0x0207, 0x23 }, { 0, 0x13 } };

static uint8_t min_for(const struct min_len *t, unsigned ver)
{
    while (t->ver > ver)
        t++;
    return t->len;
}

/* Count a malformed memory structure; describe the first one. */
static void note_malformed(struct smbios_info *info, const struct view *v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void note_malformed(struct smbios_info *info, const struct view *v, const char *fmt, ...)
{
    if (info->malformed++)
        return;
    size_t n = fmt_format(info->note, sizeof info->note, "type %u at offset 0x%llx: ", v->f[0],
                          (unsigned long long)v->off);
    if (n >= sizeof info->note)
        return;
    va_list ap;
    va_start(ap, fmt);
    fmt_vformat(info->note + n, sizeof info->note - n, fmt, ap);
    va_end(ap);
}

/* Below the 2.1 minimum the structure is skipped; below the minimum of the
 * table's version it is read as far as it goes. Returns 0 to skip. */
static int check_len(struct smbios_info *info, const struct view *v, const struct min_len *t)
{
    unsigned ver = info->major << 8 | info->minor;
    uint8_t base = min_for(t, 0), want = min_for(t, ver);
    if (v->flen < base) {
        note_malformed(info, v, "length 0x%x < 0x%x", (unsigned)v->flen, base);
        return 0;
    }
    if (v->flen < want)
        note_malformed(info, v, "length 0x%x < 0x%x for SMBIOS %u.%u", (unsigned)v->flen, want,
                       info->major, info->minor);
    return 1;
}

/* A speed word, or the 3.3 extended dword when the word says 0xffff. */
static uint32_t speed_of(const struct view *v, size_t at, size_t ext_at)
{
    uint16_t s;
    uint32_t x;
    if (!f16(v, at, &s))
        return 0;
    if (s != 0xffff)
        return s;
    return f32(v, ext_at, &x) ? x & 0x7fffffffu : 0;
}

static void take_device(struct smbios_info *info, const struct view *v)
{
    if (!check_len(info, v, dev_min))
        return;
    if (info->ndev == SMBIOS_MAX_DEVICES) {
        info->dropped++;
        return;
    }
    struct smbios_dev *d = &info->dev[info->ndev++];
    d->handle = le16(v->f + 2);
    d->array_handle = le16(v->f + 4);
    uint16_t sz = le16(v->f + 0x0c);
    uint32_t ext;
    d->size_kind = SMBIOS_SIZE_KNOWN;
    d->size = 0;
    if (sz == 0) {
        d->size_kind = SMBIOS_SIZE_EMPTY;
    } else if (sz == 0xffff) {
        d->size_kind = SMBIOS_SIZE_UNKNOWN;
    } else if (sz == 0x7fff && f32(v, 0x1c, &ext)) {
        d->size = (uint64_t)(ext & 0x7fffffffu) << 20;   /* MB in bits 30:0 */
    } else if (sz & 0x8000) {
        d->size = (uint64_t)(sz & 0x7fff) << 10;          /* granularity bit: KB */
    } else {
        d->size = (uint64_t)sz << 20;
    }
    if (d->size_kind == SMBIOS_SIZE_KNOWN && !d->size)
        d->size_kind = SMBIOS_SIZE_UNKNOWN;
    d->form = v->f[0x0e];
    d->type = v->f[0x12];
    d->speed = speed_of(v, 0x15, 0x54);
    d->conf_speed = speed_of(v, 0x20, 0x58);
    get_str(info, v, 0x10, d->locator);
    get_str(info, v, 0x11, d->bank);
    get_str(info, v, 0x17, d->manufacturer);
    get_str(info, v, 0x18, d->serial);
    get_str(info, v, 0x1a, d->part);
}

/* Types 19 and 20 share the address layout: KB dwords at 4 and 8, the
 * owner handle at 0x0c, byte-address qwords at `ext` when the dword start
 * is 0xffffffff. */
static void take_map(struct smbios_info *info, const struct view *v, const struct min_len *t,
                     size_t ext, struct smbios_map *list, unsigned *n)
{
    if (!check_len(info, v, t))
        return;
    uint32_t s32 = le32(v->f + 4), e32 = le32(v->f + 8);
    uint64_t start, end;
    if (s32 == 0xffffffffu) {
        if (!f64(v, ext, &start) || !f64(v, ext + 8, &end)) {
            note_malformed(info, v, "extended address needs length 0x%x, has 0x%x",
                           (unsigned)(ext + 16), (unsigned)v->flen);
            return;
        }
    } else {
        start = (uint64_t)s32 << 10;
        end = ((uint64_t)e32 << 10) | 0x3ff;
    }
    if (end < start) {
        note_malformed(info, v, "end 0x%llx below start 0x%llx", (unsigned long long)end,
                       (unsigned long long)start);
        return;
    }
    if (*n == SMBIOS_MAX_MAPS) {
        info->dropped++;
        return;
    }
    list[*n] = (struct smbios_map){ le16(v->f + 2), le16(v->f + 0x0c), start, end };
    (*n)++;
}

int smbios_parse_table(struct smbios_info *info, const uint8_t *t, size_t len, unsigned major,
                       unsigned minor)
{
    info->major = major;
    info->minor = minor;
    info->structs = info->ndev = info->narray = info->ndevmap = 0;
    info->dropped = info->malformed = info->bad_strings = 0;
    info->err = SMBIOS_OK;
    info->err_off = 0;
    info->note[0] = 0;
    size_t off = 0;
    /* Every step moves at least 6 bytes (header + double NUL): no loops. */
    while (off < len) {
        if (len - off < 4 || t[off + 1] > len - off) {
            info->err = SMBIOS_E_TRUNCATED;
            break;
        }
        if (t[off + 1] < 4) {
            info->err = SMBIOS_E_STRUCT_LENGTH;
            break;
        }
        size_t str = off + t[off + 1], end = str;
        while (end + 1 < len && (t[end] || t[end + 1]))
            end++;
        int cut = end + 1 >= len;
        /* The set runs to the first NUL of the double NUL (the last
         * string's terminator); a cut-off set is still looked into, up to
         * the buffer end, so a truncated table keeps what it has. */
        struct view v = { t + off, t[off + 1], t + str, (cut ? len : end + 1) - str, off };
        info->structs++;
        switch (t[off]) {
        case T_MEM_DEVICE:
            take_device(info, &v);
            break;
        case T_ARRAY_MAP:
            take_map(info, &v, array_map_min, 0x0f, info->array, &info->narray);
            break;
        case T_DEVICE_MAP:
            take_map(info, &v, dev_map_min, 0x13, info->devmap, &info->ndevmap);
            break;
        }
        if (cut) {
            info->err = SMBIOS_E_TRUNCATED;
            break;
        }
        if (t[off] == T_END)
            return info->err;
        off = end + 2;
    }
    if (info->err == SMBIOS_OK)
        info->err = SMBIOS_E_NO_END;
    info->err_off = off;
    return info->err;
}

static const char *const type_names[] = {
    [0x01] = "other", [0x02] = "unknown", [0x03] = "DRAM", [0x04] = "EDRAM",
    [0x05] = "VRAM", [0x06] = "SRAM", [0x07] = "RAM", [0x08] = "ROM",
    [0x09] = "flash", [0x0a] = "EEPROM", [0x0b] = "FEPROM", [0x0c] = "EPROM",
    [0x0d] = "CDRAM", [0x0e] = "3DRAM", [0x0f] = "SDRAM", [0x10] = "SGRAM",
    [0x11] = "RDRAM", [0x12] = "DDR", [0x13] = "DDR2", [0x14] = "DDR2 FB-DIMM",
    [0x18] = "DDR3", [0x19] = "FBD2", [0x1a] = "DDR4", [0x1b] = "LPDDR",
    [0x1c] = "LPDDR2", [0x1d] = "LPDDR3", [0x1e] = "LPDDR4",
    [0x1f] = "logical non-volatile device", [0x20] = "HBM", [0x21] = "HBM2",
    [0x22] = "DDR5", [0x23] = "LPDDR5", [0x24] = "HBM3",
};

const char *smbios_type_name(uint8_t type)
{
    return type < sizeof type_names / sizeof type_names[0] ? type_names[type] : NULL;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int same_nocase(const char *a, const char *b)
{
    while (*a && lower(*a) == lower(*b))
        a++, b++;
    return lower(*a) == lower(*b);
}

/* Firmware fills unknown strings with words rather than leaving them out. */
static int placeholder(const char *s)
{
    static const char *const words[] = {
        "", "Not Specified", "Unknown", "None", "N/A", "NO DIMM", "Undefined",
        "To Be Filled By O.E.M.", "Default string", "Default_String",
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (same_nocase(s, words[i]))
            return 1;
    while (*s == '0')
        s++;
    return !*s;   /* "00000000" serials */
}

static void render_device(struct sbuf *sb, const struct smbios_info *info,
                          const struct smbios_dev *d)
{
    if (d->locator[0])
        sbuf_printf(sb, "  dimm %s", d->locator);
    else
        sbuf_printf(sb, "  dimm (handle 0x%04x)", d->handle);
    if (d->bank[0] && !placeholder(d->bank))
        sbuf_printf(sb, " (%s)", d->bank);
    if (d->size_kind == SMBIOS_SIZE_EMPTY) {
        sbuf_puts(sb, ": no module\n");
        return;
    }
    char sz[32] = "size unknown";
    if (d->size_kind == SMBIOS_SIZE_KNOWN)
        fmt_size(sz, sizeof sz, d->size);
    sbuf_printf(sb, ": %s", sz);
    const char *tn = smbios_type_name(d->type);
    if (tn && d->type != 0x02)
        sbuf_printf(sb, " %s", tn);
    else if (d->type > 0x02)
        sbuf_printf(sb, " type 0x%02x", d->type);
    if (d->speed)
        sbuf_printf(sb, " %u MT/s", d->speed);
    if (d->conf_speed && d->conf_speed != d->speed)
        sbuf_printf(sb, d->speed ? " (configured %u)" : " configured %u MT/s", d->conf_speed);
    if (!placeholder(d->manufacturer))
        sbuf_printf(sb, " %s", d->manufacturer);
    if (!placeholder(d->part))
        sbuf_printf(sb, " %s", d->part);
    if (!placeholder(d->serial))
        sbuf_printf(sb, " serial %s", d->serial);
    sbuf_puts(sb, "\n");
    for (unsigned i = 0; i < info->ndevmap; i++)
        if (info->devmap[i].owner == d->handle)
            sbuf_printf(sb, "    mapped 0x%llx-0x%llx\n", (unsigned long long)info->devmap[i].start,
                        (unsigned long long)info->devmap[i].end);
}

void smbios_render(struct sbuf *sb, const struct smbios_info *info)
{
    unsigned slots = 0, filled = 0, unknown = 0;
    uint64_t total = 0;
    for (unsigned i = 0; i < info->ndev; i++) {
        const struct smbios_dev *d = &info->dev[i];
        slots++;
        filled += d->size_kind != SMBIOS_SIZE_EMPTY;
        unknown += d->size_kind == SMBIOS_SIZE_UNKNOWN;
        total += d->size_kind == SMBIOS_SIZE_KNOWN ? d->size : 0;
    }
    if (slots) {
        char sz[32];
        fmt_size(sz, sizeof sz, total);
        sbuf_printf(sb, "  %u of %u slot%s populated, %s%s\n", filled, slots, slots == 1 ? "" : "s",
                    sz, unknown ? " plus modules of unknown size" : "");
    } else {
        sbuf_puts(sb, "  no memory devices (Type 17) in the table\n");
    }
    for (unsigned i = 0; i < info->ndev; i++)
        render_device(sb, info, &info->dev[i]);
    /* Device ranges whose Type 17 is missing are still worth a line. */
    for (unsigned i = 0; i < info->ndevmap; i++) {
        const struct smbios_map *m = &info->devmap[i];
        unsigned k = 0;
        while (k < info->ndev && info->dev[k].handle != m->owner)
            k++;
        if (k == info->ndev)
            sbuf_printf(sb, "  mapped 0x%llx-0x%llx (device handle 0x%04x, not listed)\n",
                        (unsigned long long)m->start, (unsigned long long)m->end, m->owner);
    }
    for (unsigned i = 0; i < info->narray; i++)
        sbuf_printf(sb, "  mapped 0x%llx-0x%llx (array)\n", (unsigned long long)info->array[i].start,
                    (unsigned long long)info->array[i].end);
    if (info->err != SMBIOS_OK)
        sbuf_printf(sb, "  SMBIOS: read %u structure%s, then stopped at offset 0x%llx: %s\n",
                    info->structs, info->structs == 1 ? "" : "s",
                    (unsigned long long)info->err_off, smbios_strerror(info->err));
    if (info->malformed)
        sbuf_printf(sb, "  SMBIOS: %u malformed memory structure%s (first: %s)\n", info->malformed,
                    info->malformed == 1 ? "" : "s", info->note);
    if (info->bad_strings)
        sbuf_printf(sb, "  SMBIOS: %u string reference%s outside the string set\n",
                    info->bad_strings, info->bad_strings == 1 ? "" : "s");
    if (info->dropped)
        sbuf_printf(sb, "  SMBIOS: %u more memory structure%s not listed (over %u)\n", info->dropped,
                    info->dropped == 1 ? "" : "s", SMBIOS_MAX_DEVICES);
}
