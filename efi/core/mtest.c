// SPDX-License-Identifier: MIT
#include "mtest.h"
#include "memio.h"
#include "addr_walk.h"
#include "bit_fade.h"
#include "block_move.h"
#include "modulo20.h"
#include "movinv.h"
#include "own_addr.h"
#include "rand_seq.h"

/* Numbering and names follow Memtest86+ so users can compare results.
 * What one iteration is, per test, is in each kernel's header. */
static const struct mt_test table[] = {
    { 0, "Address test, walking ones", MT_ONE_CPU, 1, addr_walk, addr_walk_sweeps },
    { 1, "Address test, own address", MT_ONE_CPU, 1, own_addr_seq, own_addr_sweeps },
    { 2, "Address test, own address + window", MT_ONE_CPU, 1, own_addr_window, own_addr_sweeps },
    { 3, "Moving inversions, 1s & 0s", MT_ALL_CPUS, 3, movinv_ones_zeros, movinv_ones_zeros_sweeps },
    { 4, "Moving inversions, 8 bit pattern", MT_ALL_CPUS, 1, movinv_8bit, movinv_8bit_sweeps },
    { 5, "Moving inversions, random pattern", MT_ALL_CPUS, 30, movinv_random, movinv_random_sweeps },
    { 6, "Moving inversions, 64 bit pattern", MT_ALL_CPUS, 32, movinv_walk64, movinv_walk64_sweeps },
    { 7, "Block move", MT_ALL_CPUS, 16, block_move, block_move_sweeps },
    { 8, "Random number sequence", MT_ALL_CPUS, 8, rand_seq, rand_seq_sweeps },
    { 9, "Modulo 20, random pattern", MT_ALL_CPUS, 2, modulo20, modulo20_sweeps },
    { 10, "Bit fade test", MT_ONE_CPU, 1, bit_fade, bit_fade_sweeps },
};

const struct mt_test *mt_find(unsigned num)
{
    for (unsigned i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].num == num)
            return &table[i];
    return 0;
}

unsigned mt_iterations(const struct mt_test *t, int quick, uint32_t pass)
{
    if (!quick || pass != 0)
        return t->iterations;
    unsigned n = t->iterations / 3;
    return n ? n : 1;
}

uint64_t mt_bytes(const struct mem_range *ranges, unsigned n)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < n; i++)
        sum += ranges[i].len;
    return sum;
}

void mt_sync(struct mt_run *r)
{
    if (r->ops->sync)
        r->ops->sync(r->ops->ctx);
    else
        memio_flush();
}

void mt_report_flagged(struct mt_run *r, uint64_t addr, uint64_t expected, uint64_t actual,
                       unsigned flags)
{
    r->errors++;
    if (r->ops->error_flagged)
        r->ops->error_flagged(r->ops->ctx, addr, expected, actual, flags);
    else if (r->ops->error)
        r->ops->error(r->ops->ctx, addr, expected, actual);
}

void mt_report(struct mt_run *r, uint64_t addr, uint64_t expected, uint64_t actual)
{
    mt_report_flagged(r, addr, expected, actual, 0);
}

int mt_sleep(struct mt_run *r, uint64_t ms)
{
    if (!r->aborted && ms && r->ops->sleep && r->ops->sleep(r->ops->ctx, ms))
        r->aborted = 1;
    return r->aborted;
}

void mt_cache(struct mt_run *r, int on)
{
    if (r->ops->cache)
        r->ops->cache(r->ops->ctx, on);
}

int mt_poll(struct mt_run *r)
{
    if (!r->aborted && r->ops->poll && r->ops->poll(r->ops->ctx))
        r->aborted = 1;
    return r->aborted;
}

int mt_next_up(struct mt_run *r, struct mt_cursor *c, uint64_t *lo, uint64_t *hi)
{
    if (c->started && mt_poll(r))
        return 0;
    if (!c->started) {
        c->started = 1;
        c->i = 0;
        c->a = r->nranges ? r->ranges[0].base : 0;
    }
    if (r->aborted)
        return 0;
    while (c->i < r->nranges) {
        uint64_t end = r->ranges[c->i].base + r->ranges[c->i].len;
        if (c->a < end) {
            *lo = c->a;
            *hi = end - c->a > MT_BLOCK ? c->a + MT_BLOCK : end;
            c->a = *hi;
            return 1;
        }
        if (++c->i < r->nranges)
            c->a = r->ranges[c->i].base;
    }
    return 0;
}

int mt_next_down(struct mt_run *r, struct mt_cursor *c, uint64_t *lo, uint64_t *hi)
{
    if (c->started && mt_poll(r))
        return 0;
    if (!c->started) {
        c->started = 1;
        if (!r->nranges)
            return 0;
        c->i = r->nranges - 1;
        c->a = r->ranges[c->i].base + r->ranges[c->i].len;
    }
    if (r->aborted)
        return 0;
    for (;;) {
        uint64_t base = r->ranges[c->i].base;
        if (c->a > base) {
            *hi = c->a;
            *lo = c->a - base > MT_BLOCK ? c->a - MT_BLOCK : base;
            c->a = *lo;
            return 1;
        }
        if (c->i == 0)
            return 0;
        c->i--;
        c->a = r->ranges[c->i].base + r->ranges[c->i].len;
    }
}
