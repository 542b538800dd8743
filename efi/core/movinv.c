// SPDX-License-Identifier: MIT
#include "movinv.h"
#include "memio.h"
#include "prng.h"

static void fill_up(struct mt_run *r, uint64_t p)
{
    for (unsigned i = 0; i < r->nranges && !r->aborted; i++) {
        uint64_t a = r->ranges[i].base, end = a + r->ranges[i].len;
        while (a < end) {
            uint64_t stop = end - a > MT_BLOCK ? a + MT_BLOCK : end;
            for (; a < stop; a += 8)
                memio_write(a, p);
            if (mt_poll(r))
                return;
        }
    }
}

static void check_write_up(struct mt_run *r, uint64_t expect, uint64_t next)
{
    for (unsigned i = 0; i < r->nranges && !r->aborted; i++) {
        uint64_t a = r->ranges[i].base, end = a + r->ranges[i].len;
        while (a < end) {
            uint64_t stop = end - a > MT_BLOCK ? a + MT_BLOCK : end;
            for (; a < stop; a += 8) {
                uint64_t v = memio_read(a);
                if (v != expect)
                    mt_report(r, a, expect, v);
                memio_write(a, next);
            }
            if (mt_poll(r))
                return;
        }
    }
}

static void check_write_down(struct mt_run *r, uint64_t expect, uint64_t next)
{
    for (unsigned i = r->nranges; i-- > 0 && !r->aborted;) {
        uint64_t base = r->ranges[i].base, a = base + r->ranges[i].len;
        while (a > base) {
            uint64_t stop = a - base > MT_BLOCK ? a - MT_BLOCK : base;
            while (a > stop) {
                a -= 8;
                uint64_t v = memio_read(a);
                if (v != expect)
                    mt_report(r, a, expect, v);
                memio_write(a, next);
            }
            if (mt_poll(r))
                return;
        }
    }
}

void movinv_pattern(struct mt_run *r, uint64_t p)
{
    fill_up(r, p);
    mt_sync(r);
    r->sweeps_done++;
    if (r->aborted)
        return;
    check_write_up(r, p, ~p);
    mt_sync(r);
    r->sweeps_done++;
    if (r->aborted)
        return;
    check_write_down(r, ~p, p);
    mt_sync(r);
    r->sweeps_done++;
}

void movinv_ones_zeros(struct mt_run *r)
{
    for (unsigned it = 0; it < r->iterations && !r->aborted; it++) {
        movinv_pattern(r, 0);
        if (!r->aborted)
            movinv_pattern(r, ~0ull);
    }
}

uint64_t movinv_ones_zeros_sweeps(unsigned iters)
{
    return 6ull * iters;
}

void movinv_random(struct mt_run *r)
{
    uint64_t state = r->seed ? r->seed : 1;
    for (unsigned it = 0; it < r->iterations && !r->aborted; it++)
        movinv_pattern(r, prng_next(&state));
}

uint64_t movinv_random_sweeps(unsigned iters)
{
    return 3ull * iters;
}
