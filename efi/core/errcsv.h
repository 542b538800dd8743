// SPDX-License-Identifier: MIT
// errors.csv rows: one per failing bit, written as errors are found and
// read back by the host CLI (possibly from many sessions).
#ifndef EFI_CORE_ERRCSV_H
#define EFI_CORE_ERRCSV_H

#include <stddef.h>
#include <stdint.h>

#define ERRCSV_HEADER "time_s,pass,test,cpu,phys_addr,bit,expected,actual,temp_c,addr_uncertain\n"
/* addr_uncertain = 1: an address test or block move cannot tell whether this
 * word or another one failed (same value as MT_ERR_ADDR_UNCERTAIN). */
#define ERRCSV_ADDR_UNCERTAIN 1u
#define ERRCSV_NO_TEMP (-1000)  /* temp_c left empty: no sensor */

struct err_row {
    uint64_t time_ms;     /* since the session started */
    uint32_t pass, test, cpu;
    uint64_t addr;        /* physical address of the 64-bit word */
    unsigned bit;         /* 0-63 */
    uint64_t expected, actual;  /* the whole words */
    int temp_c;           /* CPU package temperature, or ERRCSV_NO_TEMP */
    unsigned flags;       /* ERRCSV_ADDR_UNCERTAIN */
};

/* "# session ID start YYYY-MM-DD HH:MM:SS": written once per boot, before
 * that session's rows, so rows from many sessions can be told apart. */
struct err_session {
    char id[40];
    char start[20];       /* wall clock, as the firmware clock said */
    uint64_t start_s;     /* the same in seconds since 2000-01-01 (0: unknown) */
};

/* One CSV line with newline; returns its length (truncated if cap is short). */
size_t errcsv_format(char *buf, size_t cap, const struct err_row *row);

/* Rows for every bit that differs between expected and actual, in bit
 * order. Returns the number of rows (0-64) written to rows[]. */
unsigned errcsv_split(uint64_t addr, uint64_t expected, uint64_t actual, struct err_row *rows);

enum errcsv_kind { ERRCSV_ROW, ERRCSV_SKIP, ERRCSV_BAD, ERRCSV_SESSION };

/* Parse one line (without its newline). SKIP: blank, header, or `#` comment.
 * BAD: anything malformed (wrong column count, bad number, bit > 63).
 * SESSION (only when `s` is given): a session line, filled into *s. */
enum errcsv_kind errcsv_parse(const char *line, size_t n, struct err_row *row);
enum errcsv_kind errcsv_parse_session(const char *line, size_t n, struct err_row *row,
                                      struct err_session *s);

/* The session line for errors.csv (with newline). */
size_t errcsv_session_line(char *buf, size_t cap, const char *id, const char *start);

/* Seconds since 2000-01-01 00:00:00 for "YYYY-MM-DD HH:MM:SS", or 0 if malformed. */
uint64_t errcsv_clock_s(const char *s, size_t n);

#endif
