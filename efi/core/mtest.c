// SPDX-License-Identifier: MIT
#include "mtest.h"
#include "memio.h"
#include "movinv.h"

/* Numbering and names follow Memtest86+ so users can compare results.
 * Tests without a kernel yet are listed so `tests=` can name them and the
 * report can say they were skipped. */
static const struct mt_test table[] = {
    { 0, "Address test, walking ones", MT_ONE_CPU, 1, 0, 0 },
    { 1, "Address test, own address", MT_ONE_CPU, 1, 0, 0 },
    { 2, "Address test, own address + window", MT_ALL_CPUS, 1, 0, 0 },
    { 3, "Moving inversions, 1s & 0s", MT_ALL_CPUS, 3, movinv_ones_zeros, movinv_ones_zeros_sweeps },
    { 4, "Moving inversions, 8 bit pattern", MT_ALL_CPUS, 1, 0, 0 },
    { 5, "Moving inversions, random pattern", MT_ALL_CPUS, 30, movinv_random, movinv_random_sweeps },
    { 6, "Moving inversions, 64 bit pattern", MT_ALL_CPUS, 1, 0, 0 },
    { 7, "Block move", MT_ALL_CPUS, 1, 0, 0 },
    { 8, "Random number sequence", MT_ALL_CPUS, 1, 0, 0 },
    { 9, "Modulo 20, random pattern", MT_ALL_CPUS, 1, 0, 0 },
    { 10, "Bit fade test", MT_ONE_CPU, 1, 0, 0 },
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

void mt_report(struct mt_run *r, uint64_t addr, uint64_t expected, uint64_t actual)
{
    r->errors++;
    r->ops->error(r->ops->ctx, addr, expected, actual);
}

int mt_poll(struct mt_run *r)
{
    if (!r->aborted && r->ops->poll && r->ops->poll(r->ops->ctx))
        r->aborted = 1;
    return r->aborted;
}
