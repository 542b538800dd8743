// SPDX-License-Identifier: MIT
// errors.csv rows: one per failing bit, written as errors are found and
// read back by the host CLI (possibly from many sessions).
#ifndef EFI_CORE_ERRCSV_H
#define EFI_CORE_ERRCSV_H

#include <stddef.h>
#include <stdint.h>

#define ERRCSV_HEADER "time_s,pass,test,cpu,phys_addr,bit,expected,actual\n"

struct err_row {
    uint64_t time_ms;     /* since the session started */
    uint32_t pass, test, cpu;
    uint64_t addr;        /* physical address of the 64-bit word */
    unsigned bit;         /* 0-63 */
    uint64_t expected, actual;  /* the whole words */
};

/* One CSV line with newline; returns its length (truncated if cap is short). */
size_t errcsv_format(char *buf, size_t cap, const struct err_row *row);

/* Rows for every bit that differs between expected and actual, in bit
 * order. Returns the number of rows (0-64) written to rows[]. */
unsigned errcsv_split(uint64_t addr, uint64_t expected, uint64_t actual, struct err_row *rows);

enum errcsv_kind { ERRCSV_ROW, ERRCSV_SKIP, ERRCSV_BAD };

/* Parse one line (without its newline). SKIP: blank, header, or `#` comment.
 * BAD: anything malformed (wrong column count, bad number, bit > 63). */
enum errcsv_kind errcsv_parse(const char *line, size_t n, struct err_row *row);

#endif
