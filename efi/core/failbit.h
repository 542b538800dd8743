// SPDX-License-Identifier: MIT
// A failing bit: what a test kernel saw, one record per bit that read back
// wrong. The cell table, the session and errors.csv all speak this type;
// errors.csv is only one way to write it down.
#ifndef EFI_CORE_FAILBIT_H
#define EFI_CORE_FAILBIT_H

#include <stddef.h>
#include <stdint.h>

/* The address is exact where the bad value was read, but the test cannot
 * tell whether that cell failed or another one did: an address test read a
 * value that names a different word (address decoder or cell: no way to
 * know), or block move found data that may have gone bad at its source. */
#define FAILBIT_ADDR_UNCERTAIN 1u

/* Not a test's finding: the memory controller corrected (or could not
 * correct) an error there and logged it in a machine-check bank (source
 * `ecc` in errors.csv). The address is physical and exact to the bank's
 * granularity; which bit failed is not known (`bit` is 0). */
#define FAILBIT_ECC 2u

/* Row hammer (test 11, source `hammer` in errors.csv): the word's bits
 * flipped while its neighbour rows were hammered; with HAMMER_SLOW, at the
 * realistic rate (at most 200K activations per aggressor per 64 ms, the
 * second phase), else only at the highest rate (a warning, not an error). */
#define FAILBIT_HAMMER 4u
#define FAILBIT_HAMMER_SLOW 8u
/* Not a failing word: a note from the row hammer kernel naming the
 * aggressor pair (expected, actual = the two aggressor addresses) behind
 * the flips of the word it reports next. */
#define FAILBIT_HAMMER_PAIR 16u

/* No temperature sensor, or no reading. */
#define FAILBIT_NO_TEMP (-1000)

struct failbit {
    uint64_t time_ms;     /* since the session started */
    uint32_t pass, test, cpu;
    uint64_t addr;        /* physical address of the 64-bit word */
    unsigned bit;         /* 0-63 */
    uint64_t expected, actual;  /* the whole words */
    int temp_c;           /* CPU package temperature, or FAILBIT_NO_TEMP */
    unsigned flags;       /* FAILBIT_ADDR_UNCERTAIN, FAILBIT_ECC, FAILBIT_HAMMER(_SLOW) */
};

/* Many failing words folded into one record, when a CPU's error ring or the
 * errors.csv row cap must shed load: the count and the place are kept, the
 * per-word detail is not. Every word in [lo, hi] may hold any of `bits`;
 * the badram line covers the whole span. */
struct failsum {
    uint64_t first_ms, last_ms;   /* since the session started */
    uint32_t pass, test, cpu;
    uint64_t lo, hi;              /* first and last failing word address, inclusive */
    uint64_t bits;                /* OR of every failing bit */
    uint64_t words;               /* failing words folded in */
    unsigned flags;               /* FAILBIT_ADDR_UNCERTAIN if any was */
};

/* Records for every bit that differs between expected and actual, in bit
 * order, with addr/expected/actual filled and the rest zero (temp_c:
 * FAILBIT_NO_TEMP). Returns the number of records (0-64) written to out[]. */
unsigned failbit_split(uint64_t addr, uint64_t expected, uint64_t actual, struct failbit *out);

/* A temperature as the screen and the logs show it: "45 C", or "n/a" for
 * FAILBIT_NO_TEMP. */
void failbit_temp_text(int temp_c, char *buf, size_t cap);

#endif
