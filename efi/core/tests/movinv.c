// SPDX-License-Identifier: MIT
#include "core/tests/movinv.h"
#include "core/prng.h"
#include "core/tests/sweep.h"

static void sequence(struct mt_run *r, uint64_t p, enum sweep_kind kind)
{
    sweep_fill(r, p, kind);
    mt_sync(r);
    r->sweeps_done++;
    if (r->aborted)
        return;
    sweep_check_write_up(r, p, kind, 0, ~0ull);
    mt_sync(r);
    r->sweeps_done++;
    if (r->aborted)
        return;
    sweep_check_write_down(r, p, kind, ~0ull, 0);
    mt_sync(r);
    r->sweeps_done++;
}

void movinv_pattern(struct mt_run *r, uint64_t p)
{
    sequence(r, p, SWEEP_CONST);
}

void movinv_ones_zeros(struct mt_run *r)
{
    for (unsigned it = 0; it < r->iterations && !r->aborted; it++) {
        sequence(r, 0, SWEEP_CONST);
        if (!r->aborted)
            sequence(r, ~0ull, SWEEP_CONST);
    }
}

uint64_t movinv_ones_zeros_sweeps(unsigned iters)
{
    return 6ull * iters;
}

void movinv_8bit(struct mt_run *r)
{
    for (unsigned it = 0; it < r->iterations && !r->aborted; it++)
        for (unsigned b = 0; b < 8 && !r->aborted; b++) {
            uint64_t p = 0x0101010101010101ull << b;
            sequence(r, p, SWEEP_CONST);
            if (!r->aborted)
                sequence(r, ~p, SWEEP_CONST);
        }
}

uint64_t movinv_8bit_sweeps(unsigned iters)
{
    return 48ull * iters;
}

void movinv_random(struct mt_run *r)
{
    uint64_t state = r->seed ? r->seed : 1;
    for (unsigned it = 0; it < r->iterations && !r->aborted; it++)
        sequence(r, prng_next(&state), SWEEP_CONST);
}

uint64_t movinv_random_sweeps(unsigned iters)
{
    return 3ull * iters;
}

void movinv_walk64(struct mt_run *r)
{
    for (unsigned it = 0; it < r->iterations && !r->aborted; it++)
        sequence(r, 1ull << ((2 * it + (r->pass & 1)) & 63), SWEEP_WALK);
}

uint64_t movinv_walk64_sweeps(unsigned iters)
{
    return 3ull * iters;
}
