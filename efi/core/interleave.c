// SPDX-License-Identifier: MIT
#include "core/interleave.h"
#include "core/fmt.h"

static int parity(uint64_t x)
{
    x ^= x >> 32;
    x ^= x >> 16;
    x ^= x >> 8;
    x ^= x >> 4;
    x ^= x >> 2;
    x ^= x >> 1;
    return (int)(x & 1);
}

static int is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

int il_parse(struct il_model *m, const char *s, size_t n)
{
    *m = (struct il_model){ 0 };
    size_t i = 0;
    if (!n)
        return -1;
    while (i < n) {
        size_t colon = i;
        while (colon < n && is_name_char(s[colon]))
            colon++;
        size_t nl = colon - i;
        if (!nl || nl >= sizeof m->f[0].name || colon == n || s[colon] != ':')
            return -1;
        size_t j = colon + 1, e = j;
        while (e < n && s[e] != ',')
            e++;
        uint64_t v;
        if (str_to_u64(s + j, e - j, STR_HEX, &v) || !v || v >> 63)
            return -1;
        j = e;
        struct il_field *f = 0;
        for (unsigned k = 0; k < m->nf; k++)
            if (str_len(m->f[k].name) == nl && str_neq(m->f[k].name, s + i, nl))
                f = &m->f[k];
        if (!f) {
            if (m->nf == IL_MAX_FIELDS)
                return -1;
            f = &m->f[m->nf++];
            for (size_t c = 0; c < nl; c++)
                f->name[c] = s[i + c];
            f->name[nl] = 0;
        }
        if (f->nbits == IL_MAX_BITS)
            return -1;
        f->mask[f->nbits++] = v;
        if (j < n && j + 1 == n)
            return -1;   /* trailing comma */
        i = j + 1;
    }
    return 0;
}

void il_label(const struct il_model *m, uint64_t addr, char *buf, size_t cap)
{
    struct sbuf sb;
    sbuf_init(&sb, buf, cap);
    for (unsigned k = 0; k < m->nf; k++) {
        unsigned v = 0;
        for (unsigned b = 0; b < m->f[k].nbits; b++)
            v |= (unsigned)parity(addr & m->f[k].mask[b]) << b;
        sbuf_printf(&sb, "%s%s%u", k ? "/" : "", m->f[k].name, v);
    }
}

unsigned il_top_bit(const struct il_model *m)
{
    unsigned top = 0;
    for (unsigned k = 0; k < m->nf; k++)
        for (unsigned b = 0; b < m->f[k].nbits; b++)
            for (unsigned bit = 0; bit < 64; bit++)
                if (m->f[k].mask[b] >> bit & 1 && bit > top)
                    top = bit;
    return top;
}

void il_summary(struct sbuf *sb, const struct il_model *m, const struct cell *cells, unsigned n)
{
    /* Distinct labels with their cell counts; few modules, so a small list. */
    char label[16][48];
    unsigned count[16], nl = 0, other = 0;
    for (unsigned i = 0; i < n; i++) {
        char l[48];
        il_label(m, cells[i].addr, l, sizeof l);
        unsigned k = 0;
        while (k < nl && !str_eq(label[k], l))
            k++;
        if (k == nl) {
            if (nl == 16) {
                other++;
                continue;
            }
            fmt_format(label[nl], sizeof label[nl], "%s", l);
            count[nl++] = 0;
        }
        count[k]++;
    }
    sbuf_puts(sb, "\nsuspect modules (interleave model)\n");
    for (unsigned k = 0; k < nl; k++)
        sbuf_printf(sb, "  %-20s %u cell%s\n", label[k], count[k], count[k] == 1 ? "" : "s");
    if (other)
        sbuf_printf(sb, "  (%u cells on further modules)\n", other);
}
