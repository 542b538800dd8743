// SPDX-License-Identifier: MIT
// SMBIOS memory inventory: entry points (3.0 "_SM3_" and 2.x "_SM_"/"_DMI_"),
// a bounds-checked walk of the structure table, and the memory structures
// (Type 17 devices, Type 19 array and Type 20 device mapped addresses)
// rendered as report lines. Works on plain byte buffers: the firmware's
// copy in the app, captured or fuzzed tables on the host. Never reads past
// the given length and never trusts a count or a length from the table.
#ifndef EFI_CORE_SMBIOS_H
#define EFI_CORE_SMBIOS_H

#include <stddef.h>
#include <stdint.h>

#include "core/fmt.h"

enum smbios_err {
    SMBIOS_OK = 0,
    SMBIOS_E_SHORT,         /* fewer bytes than the structure needs */
    SMBIOS_E_ANCHOR,        /* no "_SM3_" or "_SM_" anchor */
    SMBIOS_E_EP_LENGTH,     /* entry point length field out of range */
    SMBIOS_E_EP_CHECKSUM,
    SMBIOS_E_DMI_ANCHOR,    /* 2.x: "_DMI_" intermediate anchor missing */
    SMBIOS_E_DMI_CHECKSUM,
    SMBIOS_E_NO_TABLE,      /* table address or length is zero */
    SMBIOS_E_STRUCT_LENGTH, /* a structure header with length < 4 */
    SMBIOS_E_TRUNCATED,     /* a structure runs past the end of the table */
    SMBIOS_E_NO_END,        /* table ended without a Type 127 */
};

/* One line of text for an smbios_err ("entry point checksum mismatch"). */
const char *smbios_strerror(int err);

struct smbios_ep {
    int is64;               /* 1: 3.0 entry point, 0: 2.x */
    unsigned major, minor;  /* version the table structures follow */
    uint64_t table_addr;
    uint32_t table_len;     /* exact (2.x) or maximum (3.0) length */
    uint16_t count;         /* structures announced by 2.x; 0 for 3.0 */
};

/* Parse the entry point at `p` (`avail` readable bytes): anchor, length,
 * checksum(s), table address and length. Returns SMBIOS_OK or an error. */
int smbios_parse_ep(struct smbios_ep *ep, const uint8_t *p, size_t avail);

/* Bytes to offer smbios_parse_ep for the entry point at `p` (which must have
 * 0x18 readable bytes): the larger of the standard size and the length byte,
 * at most 255, so the caller reads no more firmware memory than needed. */
size_t smbios_ep_size(const uint8_t *p);

#define SMBIOS_STR_MAX 48       /* characters kept per string, NUL included */
#define SMBIOS_MAX_DEVICES 128  /* Type 17 entries kept; big servers have 96 slots */
#define SMBIOS_MAX_MAPS 128     /* Type 19 and Type 20 entries kept, each */

enum smbios_size_kind { SMBIOS_SIZE_KNOWN, SMBIOS_SIZE_EMPTY, SMBIOS_SIZE_UNKNOWN };

/* A Type 17 memory device (a slot, populated or not). */
struct smbios_dev {
    uint16_t handle, array_handle;
    enum smbios_size_kind size_kind;
    uint64_t size;                  /* bytes, when SMBIOS_SIZE_KNOWN */
    uint8_t type;                   /* memory type code (DDR4 = 0x1a ...), 0 if absent */
    uint8_t form;                   /* form factor code, 0 if absent */
    uint32_t speed, conf_speed;     /* MT/s, 0 = unknown */
    char locator[SMBIOS_STR_MAX], bank[SMBIOS_STR_MAX];
    char manufacturer[SMBIOS_STR_MAX], part[SMBIOS_STR_MAX], serial[SMBIOS_STR_MAX];
};

/* A Type 19 (owner = memory array handle) or Type 20 (owner = memory device
 * handle) mapped address range; `end` is the last byte, inclusive. */
struct smbios_map {
    uint16_t handle, owner;
    uint64_t start, end;
};

struct smbios_info {
    unsigned major, minor;          /* from the entry point, for the length minimums */
    unsigned structs;               /* structures walked */
    unsigned ndev, narray, ndevmap;
    unsigned dropped;               /* memory structures beyond the capacities above */
    unsigned malformed;             /* memory structures skipped or read partly */
    unsigned bad_strings;           /* string references outside the string set */
    int err;                        /* why the walk stopped early, or SMBIOS_OK */
    size_t err_off;                 /* table offset of that problem */
    char note[96];                  /* first malformed structure, for the report */
    struct smbios_dev dev[SMBIOS_MAX_DEVICES];
    struct smbios_map array[SMBIOS_MAX_MAPS];
    struct smbios_map devmap[SMBIOS_MAX_MAPS];
};

/* Walk the structure table `table` (`len` bytes; for 3.0 the maximum size)
 * and collect the memory structures. Stops at Type 127, at the end of the
 * buffer, or at the first structure it cannot step over; what was read
 * before stays in `info`. Returns info->err. `info` is about 40 KiB:
 * allocate it rather than putting it on a firmware stack. */
int smbios_parse_table(struct smbios_info *info, const uint8_t *table, size_t len,
                       unsigned major, unsigned minor);

/* "DDR4", "LPDDR5", ... for a Type 17 memory type code; NULL when unknown. */
const char *smbios_type_name(uint8_t type);

/* Report lines: one "dimm ..." line per slot (with its Type 20 ranges
 * indented below), "mapped ... (array)" lines, a total, and a line saying
 * why the table was only partly read, if it was. */
void smbios_render(struct sbuf *sb, const struct smbios_info *info);

#endif
