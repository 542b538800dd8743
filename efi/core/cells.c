// SPDX-License-Identifier: MIT
#include "core/cells.h"

void cells_init(struct cell_table *t, struct cell *mem, unsigned cap)
{
    t->slot = mem;
    t->cap = cap;
    t->n = 0;
    t->dropped = 0;
    for (unsigned i = 0; i < cap; i++)
        mem[i].used = 0;
}

static unsigned hash(uint64_t addr, unsigned bit)
{
    uint64_t h = (addr >> 3) * 0x9e3779b97f4a7c15ull ^ (uint64_t)bit * 0xc2b2ae3d27d4eb4full;
    return (unsigned)(h >> 32);
}

/* The tests bit a record sets: its test's, or the ECC mark. */
static uint32_t test_bit(const struct failbit *row)
{
    return 1u << (row->flags & FAILBIT_ECC ? CELLS_ECC_TEST : row->test & 31);
}

int cells_add(struct cell_table *t, const struct failbit *row)
{
    unsigned mask = t->cap - 1;
    for (unsigned i = hash(row->addr, row->bit) & mask, probes = 0; probes < t->cap;
         i = (i + 1) & mask, probes++) {
        struct cell *c = &t->slot[i];
        if (c->used && c->addr == row->addr && c->bit == row->bit) {
            c->count++;
            if (row->time_ms < c->first_ms)
                c->first_ms = row->time_ms;
            if (row->time_ms > c->last_ms)
                c->last_ms = row->time_ms;
            c->tests |= test_bit(row);
            c->certain += !(row->flags & FAILBIT_ADDR_UNCERTAIN);
            return 0;
        }
        if (!c->used) {
            /* Keep a quarter free so probes stay short. */
            if (t->n >= t->cap - t->cap / 4)
                break;
            *c = (struct cell){ .addr = row->addr, .first_ms = row->time_ms,
                                .last_ms = row->time_ms, .count = 1,
                                .certain = !(row->flags & FAILBIT_ADDR_UNCERTAIN),
                                .tests = test_bit(row), .bit = (uint8_t)row->bit,
                                .used = 1 };
            t->n++;
            return 1;
        }
    }
    t->dropped++;
    return -1;
}

const struct cell *cells_find(const struct cell_table *t, uint64_t addr, unsigned bit)
{
    if (!t->slot || !t->cap)
        return 0;
    unsigned mask = t->cap - 1;
    for (unsigned i = hash(addr, bit) & mask, probes = 0; probes < t->cap; i = (i + 1) & mask, probes++) {
        const struct cell *c = &t->slot[i];
        if (!c->used)
            return 0;
        if (c->addr == addr && c->bit == bit)
            return c;
    }
    return 0;
}

static int before(const struct cell *a, const struct cell *b)
{
    return a->addr < b->addr || (a->addr == b->addr && a->bit < b->bit);
}

unsigned cells_sorted_copy(const struct cell_table *t, struct cell *out, unsigned cap)
{
    unsigned k = 0;
    for (unsigned i = 0; i < t->cap && k < cap; i++)
        if (t->slot[i].used)
            out[k++] = t->slot[i];
    /* Shell sort: no recursion, no allocation. */
    for (unsigned gap = k / 2; gap; gap /= 2)
        for (unsigned i = gap; i < k; i++) {
            struct cell x = out[i];
            unsigned j = i;
            while (j >= gap && before(&x, &out[j - gap])) {
                out[j] = out[j - gap];
                j -= gap;
            }
            out[j] = x;
        }
    return k;
}

unsigned cells_merge(struct cell_table *dst, const struct cell_table *src)
{
    unsigned lost = 0;
    for (unsigned i = 0; i < src->cap; i++) {
        const struct cell *c = &src->slot[i];
        if (!c->used)
            continue;
        struct failbit r = { .addr = c->addr, .bit = c->bit, .time_ms = c->first_ms,
                             .flags = c->certain ? 0 : FAILBIT_ADDR_UNCERTAIN };
        for (unsigned t = 0; t < 32; t++)
            if (c->tests >> t & 1) {
                r.test = t;
                break;
            }
        if (cells_add(dst, &r) < 0) {
            lost++;
            continue;
        }
        /* Now fold in the rest of its history. */
        struct cell *d = (struct cell *)cells_find(dst, c->addr, c->bit);
        d->count += c->count - 1;
        d->certain += c->certain - (c->certain ? 1 : 0);
        d->tests |= c->tests;
        d->first_ms = c->first_ms < d->first_ms ? c->first_ms : d->first_ms;
        d->last_ms = c->last_ms > d->last_ms ? c->last_ms : d->last_ms;
    }
    return lost;
}
