// SPDX-License-Identifier: MIT
// What a running Linux made of memory, as text: /proc/iomem lines, the
// kernel's memmap= command-line entries, the lockdown state. Pure parsing,
// so `weakbit verify` can be tested against captured files.
#ifndef TOOLS_LINUXSIDE_LINUXMEM_H
#define TOOLS_LINUXSIDE_LINUXMEM_H

#include <stddef.h>
#include <stdint.h>

/* One /proc/iomem line: "  00100000-3ffdffff : System RAM". */
struct lmem_range {
    uint64_t start, end;     /* inclusive, as the kernel prints them */
    unsigned depth;          /* nesting: two spaces of indent per level */
    char name[48];           /* cut if longer */
};

/* 0 and *r filled, or -1 if the line is not an iomem line. */
int lmem_iomem_line(const char *s, size_t n, struct lmem_range *r);

/* What an iomem entry means for a bad cell inside it. */
enum lmem_class {
    LMEM_OTHER,              /* MMIO, kernel code ...: says nothing by itself */
    LMEM_RAM,                /* "System RAM": Linux may use it */
    LMEM_UNUSABLE,           /* "Unusable memory": GRUB badram (or firmware) */
    LMEM_RESERVED,           /* "Reserved"/"reserved": memmap=$ or firmware */
};
enum lmem_class lmem_classify(const char *name);

/* One entry of a memmap= option. The kernel's forms: SIZE@ADDR (RAM),
 * SIZE#ADDR (ACPI), SIZE$ADDR (reserved), SIZE!ADDR (persistent memory),
 * SIZE%ADDR-OLD+NEW (type change), SIZE (top of RAM), exactmap. Only `$`
 * keeps Linux away from a range. */
struct lmem_memmap {
    char kind;               /* '@' '#' '$' '!' '%', 'x' exactmap, 0 size only */
    uint64_t size, addr;
};

/* The kernel's memparse: decimal, 0x hex or 0 octal, then K M G T P E.
 * Consumes what it can from s[0..n); returns the count (0: no number). */
size_t lmem_memparse(const char *s, size_t n, uint64_t *out);

/* Every memmap= entry on a kernel command line (also lists "a,b", several
 * memmap= words, and `\$` as a shell or grub.cfg escape of `$`). Up to cap
 * entries go to out[]. Returns the number found; *bad counts items that
 * could not be read. */
unsigned lmem_memmap_scan(const char *s, size_t n, struct lmem_memmap *out, unsigned cap,
                          unsigned *bad);

/* /sys/kernel/security/lockdown: "none [integrity] confidentiality". */
enum lmem_lockdown { LMEM_LOCKDOWN_UNKNOWN, LMEM_LOCKDOWN_NONE, LMEM_LOCKDOWN_INTEGRITY,
                     LMEM_LOCKDOWN_CONFIDENTIALITY };
enum lmem_lockdown lmem_lockdown(const char *s, size_t n);

/* /proc/meminfo "HardwareCorrupted:     4 kB": the kB value, or -1. */
int64_t lmem_hwcorrupted_kb(const char *s, size_t n);

#endif
