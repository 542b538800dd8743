// SPDX-License-Identifier: MIT
#include "dramsim/model.h"
#include <stdlib.h>
#include <string.h>

int dsim_parse_weak(struct dsim_cfg *c, const char *s)
{
    while (*s) {
        char *end;
        if (c->nweak >= DSIM_MAX_WEAK)
            return -1;
        uint64_t a = strtoull(s, &end, 0);
        if (end == s || *end != ':' || (a & 7))
            return -1;
        s = end + 1;
        unsigned long bit = strtoul(s, &end, 0), charged = 1;
        uint64_t thr = 0;
        if (end == s || bit > 63)
            return -1;
        if (*end == ':') {
            s = end + 1;
            charged = strtoul(s, &end, 0);
            if (end == s || charged > 1)
                return -1;
        }
        if (*end == ':') {
            s = end + 1;
            thr = strtoull(s, &end, 0);
            if (end == s || !thr)
                return -1;
        }
        if (*end && *end != ',')
            return -1;
        c->weak[c->nweak++] = (struct dsim_weak){ .addr = a, .bit = (unsigned)bit, .charged = (unsigned)charged,
                                                  .threshold = thr };
        s = *end ? end + 1 : end;
    }
    return c->nweak ? 0 : -1;
}

int dsim_parse_banks(struct dsim_cfg *c, const char *s)
{
    while (*s) {
        char *end;
        if (c->nbank_bits >= DSIM_MAX_BANK_BITS)
            return -1;
        uint64_t m = strtoull(s, &end, 0);
        if (end == s || !m || (*end && *end != ','))
            return -1;
        c->bank_mask[c->nbank_bits++] = m;
        s = *end ? end + 1 : end;
    }
    return 0;
}

int dsim_init(struct dsim *d, const struct dsim_cfg *c)
{
    memset(d, 0, sizeof *d);
    d->c = *c;
    if (!c->ram_bytes || c->rowshift < 6 || c->rowshift > 40 || !c->window || !c->threshold)
        return -1;
    d->nrows = (c->ram_bytes >> c->rowshift) + 1;
    d->cached = calloc(c->ram_bytes / DSIM_LINE / 8 + 1, 1);
    d->rows = calloc(d->nrows << c->nbank_bits, sizeof *d->rows);
    if (!d->cached || !d->rows) {
        dsim_free(d);
        return -1;
    }
    return 0;
}

void dsim_free(struct dsim *d)
{
    free(d->cached);
    free(d->rows);
    d->cached = 0;
    d->rows = 0;
}

unsigned dsim_bank(const struct dsim *d, uint64_t pa)
{
    unsigned b = 0;
    for (unsigned i = 0; i < d->c.nbank_bits; i++)
        b |= (unsigned)__builtin_parityll(pa & d->c.bank_mask[i]) << i;
    return b;
}

/* Row `row` of bank `bank` was activated for the count-th time in this
 * window: the weak cells next to it whose threshold that is lose their
 * charge. */
static unsigned disturb(struct dsim *d, uint64_t row, unsigned bank, uint32_t count, uint8_t *ram,
                        struct dsim_flip *out)
{
    unsigned n = 0;
    for (unsigned i = 0; i < d->c.nweak; i++) {
        struct dsim_weak *w = &d->c.weak[i];
        if (count != (w->threshold ? w->threshold : d->c.threshold))
            continue;
        uint64_t vr = w->addr >> d->c.rowshift;
        uint64_t dist = vr > row ? vr - row : row - vr;
        if (dsim_bank(d, w->addr) != bank || !dist || dist > (d->c.half_double ? 2u : 1u))
            continue;
        if (w->addr + 8 > d->c.ram_bytes)
            continue;
        volatile uint8_t *byte = &ram[w->addr + w->bit / 8];
        uint8_t m = (uint8_t)(1u << (w->bit % 8));
        if (!(*byte & m) != !w->charged)
            continue;   /* already discharged */
        *byte ^= m;
        w->flips++;
        d->flips++;
        out[n++] = (struct dsim_flip){ w->addr, w->bit, row, vr, bank };
    }
    return n;
}

unsigned dsim_access(struct dsim *d, uint64_t pa, uint64_t insns, uint8_t *ram, struct dsim_flip *out)
{
    if (pa >= d->c.ram_bytes)
        return 0;
    d->accesses++;
    uint64_t line = pa / DSIM_LINE;
    d->last_line = line + 1;
    uint8_t bit = (uint8_t)(1u << (line & 7));
    if (d->cached[line >> 3] & bit)
        return 0;   /* a cache hit never reaches DRAM */
    d->cached[line >> 3] |= bit;
    d->dram++;
    unsigned bank = dsim_bank(d, pa);
    uint64_t row = pa >> d->c.rowshift;
    if (d->open_row[bank] == row + 1)
        return 0;   /* row buffer hit */
    d->open_row[bank] = row + 1;
    d->activations++;
    struct dsim_row *r = &d->rows[row << d->c.nbank_bits | bank];
    uint64_t epoch = insns / d->c.window + 1;
    if (r->epoch != epoch) {
        r->epoch = epoch;
        r->count = 0;
    }
    r->count++;
    if (r->count > d->max_count)
        d->max_count = r->count;
    return disturb(d, row, bank, r->count, ram, out);
}

void dsim_flush(struct dsim *d)
{
    d->flushes++;
    if (!d->c.flush || !d->last_line)
        return;
    uint64_t line = d->last_line - 1;
    d->cached[line >> 3] &= (uint8_t)~(1u << (line & 7));
}
