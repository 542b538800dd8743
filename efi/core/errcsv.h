// SPDX-License-Identifier: MIT
// errors.csv, the file format of failing bits: one row per bit, written as
// errors are found and read back by the app and the host CLI (many sessions).
// addr_uncertain = 1 is FAILBIT_ADDR_UNCERTAIN; an empty temp_c is FAILBIT_NO_TEMP;
// source is `test` (a test kernel read it back wrong) or `ecc` (FAILBIT_ECC:
// a machine-check bank reported it; bit unknown, written as 0). Files
// without the source column (older versions) read as `test`.
#ifndef EFI_CORE_ERRCSV_H
#define EFI_CORE_ERRCSV_H

#include <stddef.h>
#include <stdint.h>
#include "core/failbit.h"

#define ERRCSV_HEADER "time_s,pass,test,cpu,phys_addr,bit,expected,actual,temp_c,addr_uncertain,source\n"
/* "# session ID start YYYY-MM-DD HH:MM:SS": written once per boot, before
 * that session's rows, so rows from many sessions can be told apart. */
struct err_session {
    char id[40];
    char start[20];       /* wall clock, as the firmware clock said */
    uint64_t start_s;     /* the same in seconds since 2000-01-01 (0: unknown) */
};

/* One CSV line with newline; returns its length (truncated if cap is short). */
size_t errcsv_format(char *buf, size_t cap, const struct failbit *row);

/* ERRCSV_SUMMARY: only from the reader below, for a "# summary" line. */
enum errcsv_kind { ERRCSV_ROW, ERRCSV_SKIP, ERRCSV_BAD, ERRCSV_SESSION, ERRCSV_SUMMARY };

/* Parse one line (without its newline). SKIP: blank, header, or `#` comment.
 * BAD: anything malformed (wrong column count, bad number, bit > 63).
 * SESSION (only when `s` is given): a session line, filled into *s. */
enum errcsv_kind errcsv_parse(const char *line, size_t n, struct failbit *row);
enum errcsv_kind errcsv_parse_session(const char *line, size_t n, struct failbit *row,
                                      struct err_session *s);

/* Many failing words folded into one record (past the row cap, or when a
 * CPU's error ring had to shed load), as a comment line older readers skip:
 * "# summary T0-T1 pass P test T cpu C words N bits 0x… range 0xLO-0xHI uncertain U".
 * Times are seconds with milliseconds, as in time_s; the range is inclusive
 * (first and last failing word). Returns the length with newline. */
size_t errcsv_summary_line(char *buf, size_t cap, const struct failsum *s);

/* Parse a summary line (without newline): 0 and *s filled, or -1. */
int errcsv_parse_summary(const char *line, size_t n, struct failsum *s);

/* A machine-check memory error that is not a cell (no usable address), as
 * a comment line readers skip: "# ecc T cpu C bank B status 0x… addr 0x…
 * misc 0x… corrected|uncorrected, not masked: WHY". */
size_t errcsv_ecc_line(char *buf, size_t cap, uint64_t time_ms, unsigned cpu, unsigned bank, uint64_t status,
                       uint64_t addr, uint64_t misc, const char *why);

/* The session line for errors.csv (with newline). */
size_t errcsv_session_line(char *buf, size_t cap, const char *id, const char *start);

/* Seconds since 2000-01-01 00:00:00 for "YYYY-MM-DD HH:MM:SS", or 0 if malformed. */
uint64_t errcsv_clock_s(const char *s, size_t n);

/* ---- reading a whole file: bytes in, lines out -------------------------- */

/* Longest line the reader takes, in bytes before the newline (a CR
 * included); a longer one is bad. Real rows are under 200. */
#define ERRCSV_LINE_MAX 510

#define ERRCSV_TORN_END 1      /* the last line, with no newline */
#define ERRCSV_TORN_CLOSED 2   /* the next boot closed it: its session line follows */

/* One line as the reader hands it on. Blank, header and comment lines are
 * not handed on, except "# summary" records. */
struct errcsv_line {
    unsigned lineno;                    /* 1-based */
    enum errcsv_kind kind;              /* ERRCSV_ROW, ERRCSV_SESSION, ERRCSV_SUMMARY or ERRCSV_BAD */
    int too_long;                       /* BAD: over ERRCSV_LINE_MAX */
    int torn;                           /* BAD: a power cut tore it; ERRCSV_TORN_* */
    const struct failbit *row;          /* ROW only */
    const struct err_session *session;  /* SESSION only */
    const struct failsum *summary;      /* SUMMARY only: folded words, see errcsv_parse_summary */
};

/* Returns 0 to go on; anything else stops the reader and is returned by
 * errcsv_reader_feed/finish from then on. */
typedef int (*errcsv_line_fn)(void *ctx, const struct errcsv_line *l);

struct errcsv_reader {
    errcsv_line_fn fn;
    void *ctx;
    char part[ERRCSV_LINE_MAX];   /* a line split across chunks, so far */
    size_t have;
    int too_long;                 /* the current line outgrew part[] */
    unsigned lineno;
    int status;                   /* fn's non-zero answer */
    int held;                     /* bad_line waits for the line after it */
    struct errcsv_line bad_line;
};

/* Start reading one file; fn gets every row, session line and bad line.
 * A bad line is torn when it is the last one and has no newline, or when
 * the next boot closed it: a session line follows it directly. */
void errcsv_reader_init(struct errcsv_reader *r, errcsv_line_fn fn, void *ctx);

/* The next n bytes of the file, cut anywhere (lines may span calls; CRLF
 * is fine). Returns 0, or the status fn stopped with. */
int errcsv_reader_feed(struct errcsv_reader *r, const char *p, size_t n);

/* End of file: a last line without a newline is handed on too (torn when
 * it does not parse). Returns 0, or the status fn stopped with. */
int errcsv_reader_finish(struct errcsv_reader *r);

#endif
