// SPDX-License-Identifier: MIT
#include "core/fmt.h"

size_t str_len(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int str_to_u64(const char *s, size_t n, enum str_base base, uint64_t *out)
{
    unsigned radix = 10;
    int prefixed = n > 2 && s[0] == '0' && (s[1] | 0x20) == 'x';
    if (prefixed && base != STR_DEC)
        radix = 16, s += 2, n -= 2;
    else if (base == STR_HEX)
        return -1;
    if (!n)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (radix == 16 && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (unsigned)((c | 0x20) - 'a' + 10);
        else
            return -1;
        if (v > (UINT64_MAX - d) / radix)
            return -1;
        v = v * radix + d;
    }
    *out = v;
    return 0;
}

int str_eq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

int str_neq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i])
            return 0;
        if (!a[i])
            return 1;
    }
    return 1;
}

struct out {
    char *buf;
    size_t cap, pos;
};

static void out_c(struct out *o, char c)
{
    if (o->pos + 1 < o->cap)
        o->buf[o->pos] = c;
    o->pos++;
}

static void out_field(struct out *o, const char *s, size_t n, int width, int left, char pad)
{
    int fill = width > (int)n ? width - (int)n : 0;
    if (!left)
        while (fill-- > 0)
            out_c(o, pad);
    for (size_t i = 0; i < n; i++)
        out_c(o, s[i]);
    if (left)
        while (fill-- > 0)
            out_c(o, ' ');
}

size_t fmt_vformat(char *buf, size_t cap, const char *fmt, va_list ap)
{
    struct out o = { buf, cap, 0 };
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            out_c(&o, *f);
            continue;
        }
        f++;
        int left = 0, width = 0, lng = 0;
        char pad = ' ';
        if (*f == '-')
            left = 1, f++;
        if (*f == '0')
            pad = '0', f++;
        while (*f >= '0' && *f <= '9')
            width = width * 10 + (*f++ - '0');
        while (*f == 'l' || *f == 'z')
            lng++, f++;
        char tmp[24];
        size_t n = 0;
        switch (*f) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            out_field(&o, s, str_len(s), width, left, ' ');
            continue;
        }
        case 'c':
            tmp[0] = (char)va_arg(ap, int);
            out_field(&o, tmp, 1, width, left, ' ');
            continue;
        case 'd': case 'u': case 'x': case 'X': {
            uint64_t v;
            int neg = 0;
            if (*f == 'd') {
                int64_t sv = lng ? va_arg(ap, long long) : va_arg(ap, int);
                neg = sv < 0;
                v = neg ? (uint64_t)0 - (uint64_t)sv : (uint64_t)sv;
            } else {
                v = lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned int);
            }
            unsigned base = (*f == 'x' || *f == 'X') ? 16 : 10;
            const char *digits = *f == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
            char rev[24];
            size_t r = 0;
            do {
                rev[r++] = digits[v % base];
                v /= base;
            } while (v);
            if (neg && pad == '0') {
                out_c(&o, '-');
                width = width > 0 ? width - 1 : 0;
            } else if (neg) {
                tmp[n++] = '-';
            }
            while (r)
                tmp[n++] = rev[--r];
            out_field(&o, tmp, n, width, left, pad);
            continue;
        }
        case '%':
            out_c(&o, '%');
            continue;
        case '\0':
            f--;
            continue;
        default:
            out_c(&o, '%');
            out_c(&o, *f);
            continue;
        }
    }
    if (cap)
        buf[o.pos < cap ? o.pos : cap - 1] = '\0';
    return o.pos;
}

size_t fmt_format(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = fmt_vformat(buf, cap, fmt, ap);
    va_end(ap);
    return n;
}

void sbuf_init(struct sbuf *sb, char *mem, size_t cap)
{
    sb->p = mem;
    sb->cap = cap;
    sb->len = 0;
    sb->lost = 0;
    mem[0] = '\0';
}

void sbuf_printf(struct sbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = sb->cap - sb->len;
    size_t n = fmt_vformat(sb->p + sb->len, room, fmt, ap);
    va_end(ap);
    if (n < room) {
        sb->len += n;
    } else {
        /* Cut at capacity; keep what fitted and count the rest. */
        sb->lost += n - (room - 1);
        sb->len = sb->cap - 1;
    }
}

void sbuf_puts(struct sbuf *sb, const char *s)
{
    sbuf_printf(sb, "%s", s);
}

void fmt_size(char *buf, size_t cap, uint64_t bytes)
{
    static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    unsigned u = 0;
    uint64_t whole = bytes, scale = 1;
    while (whole >= 1024 && u < 4) {
        whole /= 1024;
        scale *= 1024;
        u++;
    }
    if (u == 0 || bytes % scale == 0) {
        fmt_format(buf, cap, "%llu %s", (unsigned long long)whole, unit[u]);
        return;
    }
    /* One decimal, truncated: a report should not round memory up. */
    uint64_t tenth = (bytes % scale) * 10 / scale;
    fmt_format(buf, cap, "%llu.%llu %s", (unsigned long long)whole,
               (unsigned long long)tenth, unit[u]);
}
