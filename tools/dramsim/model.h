// SPDX-License-Identifier: MIT
// The DRAM disturbance model behind the dramsim TCG plugin, apart from QEMU
// so host tests can drive it. Bank = XOR parities of address masks, row =
// address >> rowshift, one open row per bank. An access reaches DRAM only
// when its 64-byte line was flushed since it was last touched (TCG has no
// cache: the model keeps one bit per line). A DRAM access to a row other
// than its bank's open row is an activation; activations are counted per
// row in windows of `window` instructions (the plugin API has no clock).
// When a row's count reaches `threshold` (or the cell's own) within one
// window, every weak cell in the rows next to it (same bank; two rows away too with
// half_double) that holds its charged value loses it (a true cell, charged
// 1, reads 0 afterwards; an anti-cell the other way round).
#ifndef DRAMSIM_MODEL_H
#define DRAMSIM_MODEL_H

#include <stdint.h>

#define DSIM_MAX_BANK_BITS 8
#define DSIM_MAX_WEAK 16
#define DSIM_LINE 64

struct dsim_weak {
    uint64_t addr;        /* the 64-bit word's address */
    unsigned bit;         /* 0-63 */
    unsigned charged;     /* the value hammering takes away (default 1) */
    uint64_t threshold;   /* activations of a neighbour row per window (0: the model's) */
    uint64_t flips;
};

struct dsim_cfg {
    uint64_t bank_mask[DSIM_MAX_BANK_BITS];
    unsigned nbank_bits;
    unsigned rowshift;
    uint64_t threshold, window;
    struct dsim_weak weak[DSIM_MAX_WEAK];
    unsigned nweak;
    int flush;            /* 0: clflush is ignored (lines stay cached) */
    int half_double;      /* rows two away flip too */
    uint64_t ram_bytes;   /* addresses at or above are not modelled */
};

struct dsim_row {
    uint64_t epoch;       /* window the count belongs to, + 1 */
    uint32_t count;
};

struct dsim {
    struct dsim_cfg c;
    uint8_t *cached;           /* bit per line */
    struct dsim_row *rows;     /* [row << nbank_bits | bank] */
    uint64_t nrows;
    uint64_t open_row[1u << DSIM_MAX_BANK_BITS];   /* row + 1; 0: none open */
    uint64_t last_line;        /* the line the vCPU touched last, + 1 */
    /* statistics */
    uint64_t accesses, dram, activations, flushes, flips, max_count;
};

/* Parse "ADDR:BIT[:CHARGED[:THRESHOLD]][,...]" into c->weak (appends).
 * 0 or -1. */
int dsim_parse_weak(struct dsim_cfg *c, const char *s);
/* Parse "MASK[,MASK...]" into c->bank_mask. 0 or -1. */
int dsim_parse_banks(struct dsim_cfg *c, const char *s);

/* Allocates the tables; 0 or -1. */
int dsim_init(struct dsim *d, const struct dsim_cfg *c);
void dsim_free(struct dsim *d);

unsigned dsim_bank(const struct dsim *d, uint64_t pa);

/* What a flip looks like, for the caller's log. */
struct dsim_flip {
    uint64_t addr;
    unsigned bit;
    uint64_t aggressor_row, victim_row;
    unsigned bank;
};

/* One memory access at `pa` after `insns` instructions. Weak cells that
 * flip are changed in ram[] (the guest's RAM, ram_bytes long) and listed in
 * out[] (room for DSIM_MAX_WEAK). Returns the number of flips. */
unsigned dsim_access(struct dsim *d, uint64_t pa, uint64_t insns, uint8_t *ram, struct dsim_flip *out);

/* clflush/clflushopt: the line touched last leaves the cache. */
void dsim_flush(struct dsim *d);

#endif
