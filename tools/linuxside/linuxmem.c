// SPDX-License-Identifier: MIT
#include "linuxside/linuxmem.h"
#include "core/fmt.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Bare hex (iomem prints no 0x) of up to 16 digits; returns digits used. */
static size_t hex_run(const char *s, size_t n, uint64_t *v)
{
    size_t i = 0;
    *v = 0;
    while (i < n && i < 17 && hexval(s[i]) >= 0)
        *v = *v << 4 | (uint64_t)hexval(s[i++]);
    return i > 16 ? 0 : i;
}

int lmem_iomem_line(const char *s, size_t n, struct lmem_range *r)
{
    while (n && (s[n - 1] == '\r' || s[n - 1] == ' '))
        n--;
    size_t i = 0;
    while (i < n && s[i] == ' ')
        i++;
    r->depth = (unsigned)(i / 2);
    size_t k = hex_run(s + i, n - i, &r->start);
    if (!k || (i += k) >= n || s[i++] != '-')
        return -1;
    if (!(k = hex_run(s + i, n - i, &r->end)) || r->end < r->start)
        return -1;
    i += k;
    if (n - i < 3 || s[i] != ' ' || s[i + 1] != ':' || s[i + 2] != ' ')
        return -1;
    i += 3;
    size_t len = n - i < sizeof r->name - 1 ? n - i : sizeof r->name - 1;
    for (size_t j = 0; j < len; j++)
        r->name[j] = s[i + j];
    r->name[len] = 0;
    return 0;
}

enum lmem_class lmem_classify(const char *name)
{
    if (str_eq(name, "System RAM"))
        return LMEM_RAM;
    if (str_eq(name, "Unusable memory"))
        return LMEM_UNUSABLE;
    if (str_eq(name, "Reserved") || str_eq(name, "reserved"))
        return LMEM_RESERVED;
    return LMEM_OTHER;
}

size_t lmem_memparse(const char *s, size_t n, uint64_t *out)
{
    size_t i = 0;
    unsigned radix = 10;
    if (n >= 3 && s[0] == '0' && (s[1] | 0x20) == 'x' && hexval(s[2]) >= 0)
        radix = 16, i = 2;
    else if (n >= 2 && s[0] == '0' && s[1] >= '0' && s[1] <= '7')
        radix = 8, i = 1;
    size_t d0 = i;
    uint64_t v = 0;
    for (; i < n; i++) {
        int d = hexval(s[i]);
        if (d < 0 || (unsigned)d >= radix)
            break;
        if (v > (UINT64_MAX - (unsigned)d) / radix)
            return 0;
        v = v * radix + (unsigned)d;
    }
    if (i == d0)
        return 0;
    static const char units[] = "kmgtpe";
    if (i < n) {
        for (unsigned u = 0; u < 6; u++) {
            if ((s[i] | 0x20) != units[u])
                continue;
            unsigned shift = 10 * (u + 1);
            if (v > UINT64_MAX >> shift)
                return 0;
            v <<= shift;
            i++;
            break;
        }
    }
    *out = v;
    return i;
}

/* One comma-separated item of a memmap= value, backslashes already gone. */
static int memmap_item(const char *s, size_t n, struct lmem_memmap *m)
{
    m->size = m->addr = 0;
    if (n == 8 && str_neq(s, "exactmap", 8)) {
        m->kind = 'x';
        return 0;
    }
    size_t k = lmem_memparse(s, n, &m->size);
    if (!k)
        return -1;
    if (k == n) {
        m->kind = 0;
        return 0;
    }
    m->kind = s[k];
    if (m->kind != '@' && m->kind != '#' && m->kind != '$' && m->kind != '!' && m->kind != '%')
        return -1;
    size_t a = lmem_memparse(s + k + 1, n - k - 1, &m->addr);
    if (!a)
        return -1;
    /* `%` goes on with -OLDTYPE+NEWTYPE; the others end here. */
    return m->kind == '%' || k + 1 + a == n ? 0 : -1;
}

unsigned lmem_memmap_scan(const char *s, size_t n, struct lmem_memmap *out, unsigned cap,
                          unsigned *bad)
{
    unsigned found = 0;
    *bad = 0;
    for (size_t i = 0; i < n;) {
        /* A word starts after blank or a quote (GRUB_CMDLINE_LINUX="..."). */
        int at_word = i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t' || s[i - 1] == '"' ||
                      s[i - 1] == '\'' || s[i - 1] == '\n';
        if (!at_word || n - i < 7 || !str_neq(s + i, "memmap=", 7)) {
            i++;
            continue;
        }
        i += 7;
        char item[96];
        size_t len = 0;
        for (;; i++) {
            char c = i < n ? s[i] : ' ';
            if (c == '\\')
                continue;
            if (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '"' || c == '\'') {
                if (len) {
                    struct lmem_memmap m;
                    if (len >= sizeof item || memmap_item(item, len, &m))
                        ++*bad;
                    else if (found < cap)
                        out[found++] = m;
                    else
                        ++*bad;
                }
                len = 0;
                if (c != ',')
                    break;
                continue;
            }
            if (len < sizeof item)
                item[len] = c;
            len++;
        }
    }
    return found;
}

enum lmem_lockdown lmem_lockdown(const char *s, size_t n)
{
    static const struct {
        const char *word;
        enum lmem_lockdown mode;
    } modes[] = { { "[none]", LMEM_LOCKDOWN_NONE },
                  { "[integrity]", LMEM_LOCKDOWN_INTEGRITY },
                  { "[confidentiality]", LMEM_LOCKDOWN_CONFIDENTIALITY } };
    for (size_t i = 0; i < n; i++)
        for (unsigned m = 0; m < 3; m++) {
            size_t l = str_len(modes[m].word);
            if (n - i >= l && str_neq(s + i, modes[m].word, l))
                return modes[m].mode;
        }
    return LMEM_LOCKDOWN_UNKNOWN;
}

int64_t lmem_hwcorrupted_kb(const char *s, size_t n)
{
    static const char key[] = "HardwareCorrupted:";
    for (size_t i = 0; i + sizeof key - 1 <= n; i++) {
        if ((i && s[i - 1] != '\n') || !str_neq(s + i, key, sizeof key - 1))
            continue;
        size_t j = i + sizeof key - 1;
        while (j < n && s[j] == ' ')
            j++;
        size_t d = j;
        while (j < n && s[j] >= '0' && s[j] <= '9')
            j++;
        uint64_t v;
        if (j == d || j - d > 18 || str_to_u64(s + d, j - d, STR_DEC, &v))
            return -1;
        return (int64_t)v;
    }
    return -1;
}
