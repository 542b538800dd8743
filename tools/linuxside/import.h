// SPDX-License-Identifier: MIT
// Bad memory as other testers report it, read line by line:
//   memtest86plus  Memtest86+'s BadRAM list "badram=ADDR,MASK,..." (the
//                  screen wraps it onto indented lines after a trailing
//                  comma), its memmap list "memmap=SIZE$ADDR,...", and its
//                  bad-page list of page frame numbers ("0x1ff9a8" or
//                  ranges "0x20..0x2a", inclusive), commas or blanks between
//   linux-memtest  the kernel's early memtest (memtest=N): dmesg lines
//                  "  PATTERN bad mem addr 0xSTART - 0xEND reserved", END
//                  exclusive; every other dmesg line is skipped
//   addresses      one physical address per line (0x hex or decimal)
// All three: `#` comments and blank lines are skipped. These tools give
// addresses and ranges, never bits, so each bad place becomes errors.csv
// rows (bit 0 of a word, test IMPORT_TEST) that `weakbit badram` masks.
#ifndef TOOLS_LINUXSIDE_IMPORT_H
#define TOOLS_LINUXSIDE_IMPORT_H

#include <stddef.h>
#include <stdint.h>

/* errors.csv test column of imported rows: no weakbit test found them. */
#define IMPORT_TEST 31u
/* Most 4 KiB pages one import may name (256 MiB): more is no list of bad
 * cells but a misread or a dead module. */
#define IMPORT_MAX_PAGES 65536u

enum import_format { IMPORT_MEMTEST86PLUS, IMPORT_LINUX_MEMTEST, IMPORT_ADDRESSES };

enum import_kind {
    IMPORT_RANGE,            /* bytes [a, b) */
    IMPORT_PATTERN,          /* A is bad iff (A & b) == (a & b), as GRUB reads it */
};

struct import_item {
    enum import_kind kind;
    uint64_t a, b;
};

struct import_parser {
    enum import_format fmt;
    char list;               /* list continued on the next line: 'b' 'm' 'p', 0 none */
    int have_addr;           /* badram: an address waits for its mask */
    uint64_t addr;
    const char *err;         /* why the last line was refused */
};

/* Name ("memtest86plus" ...) to format; -1 if unknown. */
int import_format_from(const char *name);

void import_init(struct import_parser *p, enum import_format fmt);

/* Read one line (without newline); items go to out[*nout..cap). Returns 0,
 * or -1 with p->err set (malformed, or more than cap items on the line). */
int import_line(struct import_parser *p, const char *s, size_t n, struct import_item *out,
                unsigned cap, unsigned *nout);

/* End of one file: -1 with p->err set if a list was cut off. */
int import_finish(struct import_parser *p);

/* Call fn with one 8-byte aligned address in every 4 KiB page the item
 * touches (below 2^52, the x86-64 physical limit), ascending. Returns the
 * page count, or -1 (fn not called) if that is more than max_pages. */
int64_t import_pages(const struct import_item *it, uint64_t max_pages,
                     void (*fn)(void *ctx, uint64_t addr), void *ctx);

#endif
