// SPDX-License-Identifier: MIT
// Which channel/DIMM a physical address lives on, as a user describes it:
// each selector bit is the XOR (parity) of the address bits in one mask, the
// way memory controllers hash addresses (stressapptest's channel_hash,
// MemTest86's ADDR2CHBITS). Syntax, `name:mask` pairs separated by commas;
// repeating a name adds a higher bit to that field:
//   interleave=ch:0x40,dimm:0x20000      2 channels x 2 DIMMs
//   interleave=ch:0x2040,ch:0x4080       4 channels, two hashed bits
#ifndef EFI_CORE_INTERLEAVE_H
#define EFI_CORE_INTERLEAVE_H

#include <stddef.h>
#include <stdint.h>
#include "core/cells.h"
#include "core/fmt.h"

#define IL_MAX_FIELDS 4
#define IL_MAX_BITS 6

struct il_field {
    char name[12];
    uint64_t mask[IL_MAX_BITS];   /* mask[i] gives bit i of the field */
    unsigned nbits;
};

struct il_model {
    struct il_field f[IL_MAX_FIELDS];
    unsigned nf;
};

/* Parse s[0..n). Returns 0, or -1 with nothing promised about *m. */
int il_parse(struct il_model *m, const char *s, size_t n);

/* "ch1/dimm0" for the address; "" when the model is empty. */
void il_label(const struct il_model *m, uint64_t addr, char *buf, size_t cap);

/* Highest address bit any mask uses (0 when empty). */
unsigned il_top_bit(const struct il_model *m);

/* "suspect modules": cells per module label, for report.txt and the CLI. */
void il_summary(struct sbuf *sb, const struct il_model *m, const struct cell *cells, unsigned n);

#endif
