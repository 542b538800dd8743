// SPDX-License-Identifier: MIT
// Freestanding text formatting: a small snprintf and a growable-by-caller
// string buffer. efi/core has no libc, so every module formats through here.
#ifndef EFI_CORE_FMT_H
#define EFI_CORE_FMT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* A fixed-capacity text buffer. Appends that do not fit are cut and counted
 * in `lost`, so a full buffer is visible rather than silent. */
struct sbuf {
    char *p;
    size_t len, cap;
    size_t lost;
};

/* Initialise `sb` over `mem` (cap bytes, cap >= 1); keeps it NUL-terminated. */
void sbuf_init(struct sbuf *sb, char *mem, size_t cap);

/* Append formatted text (see fmt_vformat for the directives). */
void sbuf_printf(struct sbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Append a string as is. */
void sbuf_puts(struct sbuf *sb, const char *s);

/* snprintf subset: %s %c %d %u %x %X %% with l/ll/z, optional '0' and width,
 * and '-' for left alignment. Returns the length it would have produced. */
size_t fmt_vformat(char *buf, size_t cap, const char *fmt, va_list ap);
size_t fmt_format(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Human-readable size with binary units ("1.5 GiB", "640 KiB", "12 B"). */
void fmt_size(char *buf, size_t cap, uint64_t bytes);

/* Unsigned number in exactly s[0..n): which notations are accepted. */
enum str_base { STR_DEC_OR_HEX, STR_DEC, STR_HEX };
/* 0 on success; -1 on an empty string, a stray character or overflow.
 * Hex always has the 0x prefix. */
int str_to_u64(const char *s, size_t n, enum str_base base, uint64_t *out);

/* Small string helpers (no libc here). */
size_t str_len(const char *s);
int str_eq(const char *a, const char *b);
int str_neq(const char *a, const char *b, size_t n);

#endif
