// SPDX-License-Identifier: MIT
#include "linuxside/import.h"
#include "core/fmt.h"
#include "linuxside/linuxmem.h"

#define PHYS_LIMIT (1ull << 52)   /* x86-64 physical addresses stop here */

int import_format_from(const char *name)
{
    if (str_eq(name, "memtest86plus"))
        return IMPORT_MEMTEST86PLUS;
    if (str_eq(name, "linux-memtest"))
        return IMPORT_LINUX_MEMTEST;
    if (str_eq(name, "addresses"))
        return IMPORT_ADDRESSES;
    return -1;
}

void import_init(struct import_parser *p, enum import_format fmt)
{
    *p = (struct import_parser){ .fmt = fmt };
}

static int blank(char c)
{
    return c == ' ' || c == '\t';
}

static int fail(struct import_parser *p, const char *why)
{
    p->err = why;
    return -1;
}

static int put(struct import_parser *p, struct import_item *out, unsigned cap, unsigned *nout,
               enum import_kind kind, uint64_t a, uint64_t b)
{
    if (*nout >= cap)
        return fail(p, "too many entries on one line");
    out[(*nout)++] = (struct import_item){ kind, a, b };
    return 0;
}

/* One list entry of Memtest86+'s badram=, memmap= or bad-page lists. */
static int mt_token(struct import_parser *p, const char *t, size_t n, struct import_item *out,
                    unsigned cap, unsigned *nout)
{
    uint64_t v, w;
    if (p->list == 'b') {
        if (str_to_u64(t, n, STR_HEX, &v))
            return fail(p, "badram list: expected a 0x hex address or mask");
        if (!p->have_addr) {
            p->have_addr = 1;
            p->addr = v;
            return 0;
        }
        p->have_addr = 0;
        return put(p, out, cap, nout, IMPORT_PATTERN, p->addr, v);
    }
    if (p->list == 'm') {
        char buf[64];
        size_t k = 0;
        for (size_t i = 0; i < n; i++)    /* `\$` as typed for a shell or grub.cfg */
            if (t[i] != '\\' && k < sizeof buf)
                buf[k++] = t[i];
        size_t s = lmem_memparse(buf, k, &v);
        if (!s || s >= k || buf[s] != '$')
            return fail(p, "memmap list: expected SIZE$ADDR like 4K$0x1234000");
        if (lmem_memparse(buf + s + 1, k - s - 1, &w) != k - s - 1)
            return fail(p, "memmap list: bad address after $");
        if (!v || w >= PHYS_LIMIT || v > PHYS_LIMIT - w)
            return fail(p, "memmap list: empty range or beyond physical memory");
        return put(p, out, cap, nout, IMPORT_RANGE, w, w + v);
    }
    /* Page frame numbers: 0xPFN, or 0xFIRST..0xLAST (also 0xFIRST-0xLAST). */
    size_t dash = 0, dl = 0;
    for (size_t i = 0; i < n && !dl; i++) {
        if (i + 1 < n && t[i] == '.' && t[i + 1] == '.')
            dash = i, dl = 2;
        else if (t[i] == '-')
            dash = i, dl = 1;
    }
    if (!dl)
        dash = n;
    if (str_to_u64(t, dash, STR_HEX, &v))
        return fail(p, "bad-page list: expected 0x page numbers or ranges 0xA..0xB");
    w = v;
    if (dl && str_to_u64(t + dash + dl, n - dash - dl, STR_HEX, &w))
        return fail(p, "bad-page list: expected 0x page numbers or ranges 0xA..0xB");
    if (w < v || w >= PHYS_LIMIT >> 12)
        return fail(p, "bad-page list: range ends before it starts, or beyond physical memory");
    return put(p, out, cap, nout, IMPORT_RANGE, v << 12, (w + 1) << 12);
}

static int mt_line(struct import_parser *p, const char *s, size_t n, struct import_item *out,
                   unsigned cap, unsigned *nout)
{
    size_t i = 0;
    if (n >= 7 && (str_neq(s, "badram=", 7) || str_neq(s, "memmap=", 7))) {
        if (p->have_addr)
            return fail(p, "badram list ended with an address without its mask");
        p->list = s[0] == 'b' ? 'b' : 'm';
        i = 7;
    } else if (!p->list) {
        p->list = 'p';
    }
    int trailing_comma = s[n - 1] == ',';
    while (i < n) {
        while (i < n && (blank(s[i]) || s[i] == ','))
            i++;
        size_t t = i;
        while (i < n && !blank(s[i]) && s[i] != ',')
            i++;
        if (i > t && mt_token(p, s + t, i - t, out, cap, nout))
            return -1;
        /* Two commas in a row: an entry is missing. */
        size_t j = i;
        while (j < n && blank(s[j]))
            j++;
        if (j < n && s[j] == ',') {
            size_t k = j + 1;
            while (k < n && blank(s[k]))
                k++;
            if (k < n && s[k] == ',')
                return fail(p, "empty entry between two commas");
        }
    }
    if (!trailing_comma) {
        if (p->have_addr)
            return fail(p, "badram list ended with an address without its mask");
        p->list = 0;
    }
    return 0;
}

/* %pa prints 0x and 16 digits; old kernels printed bare hex. */
static int hex_token(const char *s, size_t n, uint64_t *v)
{
    if (n > 2 && s[0] == '0' && (s[1] | 0x20) == 'x')
        return str_to_u64(s, n, STR_HEX, v);
    char hex[18] = "0x";
    if (!n || n > 16)
        return -1;
    for (size_t j = 0; j < n; j++)
        hex[2 + j] = s[j];
    return str_to_u64(hex, n + 2, STR_HEX, v);
}

/* "  0000000000000000 bad mem addr 0x0000000018000000 - 0x0000000018000008 reserved" */
static int memtest_line(struct import_parser *p, const char *s, size_t n, struct import_item *out,
                        unsigned cap, unsigned *nout)
{
    static const char key[] = "bad mem addr ";
    size_t at = 0, kl = sizeof key - 1;
    for (size_t i = 0; !at && i + kl <= n; i++)
        if (str_neq(s + i, key, kl))
            at = i + kl;
    if (!at)
        return 0;    /* any other kernel message */
    uint64_t v[2];
    size_t i = at;
    for (int k = 0; k < 2; k++) {
        if (k) {
            if (n - i < 3 || !str_neq(s + i, " - ", 3))
                return fail(p, "bad mem addr line: expected START - END");
            i += 3;
        }
        size_t t = i;
        while (i < n && !blank(s[i]))
            i++;
        if (hex_token(s + t, i - t, &v[k]))
            return fail(p, "bad mem addr line: expected hex addresses");
    }
    if (n - i < 9 || !str_neq(s + i, " reserved", 9))
        return fail(p, "bad mem addr line: expected 'reserved' after the range");
    if (v[1] <= v[0] || v[1] > PHYS_LIMIT)
        return fail(p, "bad mem addr line: range ends before it starts, or beyond physical memory");
    return put(p, out, cap, nout, IMPORT_RANGE, v[0], v[1]);
}

static int addr_line(struct import_parser *p, const char *s, size_t n, struct import_item *out,
                     unsigned cap, unsigned *nout)
{
    size_t e = 0;
    while (e < n && !blank(s[e]))
        e++;
    size_t c = e;
    while (c < n && blank(s[c]))
        c++;
    if (c < n && s[c] != '#')
        return fail(p, "expected one address per line (a # comment may follow)");
    uint64_t a;
    if (str_to_u64(s, e, STR_DEC_OR_HEX, &a) || a >= PHYS_LIMIT)
        return fail(p, "not a physical address (0x hex or decimal, below 2^52)");
    a &= ~7ull;
    return put(p, out, cap, nout, IMPORT_RANGE, a, a + 8);
}

int import_line(struct import_parser *p, const char *s, size_t n, struct import_item *out,
                unsigned cap, unsigned *nout)
{
    p->err = 0;
    while (n && (s[n - 1] == '\r' || blank(s[n - 1])))
        n--;
    while (n && blank(s[0]))
        s++, n--;
    if (!n || s[0] == '#')
        return 0;
    switch (p->fmt) {
    case IMPORT_MEMTEST86PLUS:
        return mt_line(p, s, n, out, cap, nout);
    case IMPORT_LINUX_MEMTEST:
        return memtest_line(p, s, n, out, cap, nout);
    default:
        return addr_line(p, s, n, out, cap, nout);
    }
}

int import_finish(struct import_parser *p)
{
    p->err = 0;
    if (p->have_addr)
        return fail(p, "badram list ended with an address without its mask");
    if (p->list)
        return fail(p, "list ends with a comma but no line follows");
    return 0;
}

int64_t import_pages(const struct import_item *it, uint64_t max_pages,
                     void (*fn)(void *ctx, uint64_t addr), void *ctx)
{
    if (it->kind == IMPORT_RANGE) {
        uint64_t a = it->a, b = it->b < PHYS_LIMIT ? it->b : PHYS_LIMIT;
        if (b <= a)
            return 0;
        uint64_t first = a >> 12, last = (b - 1) >> 12;
        if (last - first + 1 > max_pages)
            return -1;
        fn(ctx, a & ~7ull);
        for (uint64_t pg = first + 1; pg <= last; pg++)
            fn(ctx, pg << 12);
        return (int64_t)(last - first + 1);
    }
    uint64_t m = it->b & (PHYS_LIMIT - 1);
    if (it->a & it->b & ~(PHYS_LIMIT - 1))
        return 0;    /* fixed bits above physical memory: matches no RAM */
    uint64_t fixed = it->a & m;
    uint64_t freebits = ~m & (PHYS_LIMIT - 1) & ~0xfffull;
    unsigned nfree = (unsigned)__builtin_popcountll(freebits);
    if (nfree >= 63 || (1ull << nfree) > max_pages)
        return -1;
    uint64_t base = fixed & ~0xfffull, low = fixed & 0xff8ull, s = 0;
    do {
        fn(ctx, base | s | low);
        s = (s - freebits) & freebits;    /* next subset of the free bits, ascending */
    } while (s);
    return (int64_t)(1ull << nfree);
}
