// SPDX-License-Identifier: MIT
#include "core/kernels/movinv.h"
#include "core/prng.h"
#include "core/kernels/sweep.h"

/* Moving inversions from Memtest86+'s description: fill p ascending, then
 * n times check p / write ~p ascending and check ~p / write p descending. */
static void movinv(struct mt_run *r, uint64_t p, enum sweep_kind kind, unsigned n)
{
    sweep_fill(r, p, kind);
    mt_sync(r);
    r->sweeps_done++;
    for (unsigned i = 0; i < n && !r->aborted; i++) {
        sweep_check_write_up(r, p, kind, 0, ~0ull);
        mt_sync(r);
        r->sweeps_done++;
        if (r->aborted)
            return;
        sweep_check_write_down(r, p, kind, ~0ull, 0);
        mt_sync(r);
        r->sweeps_done++;
    }
}

void movinv_pattern(struct mt_run *r, uint64_t p)
{
    movinv(r, p, SWEEP_CONST, 1);
}

void movinv_ones_zeros(struct mt_run *r)
{
    movinv(r, 0, SWEEP_CONST, r->iterations);
    if (!r->aborted)
        movinv(r, ~0ull, SWEEP_CONST, r->iterations);
}

uint64_t movinv_ones_zeros_sweeps(unsigned iters)
{
    return 2 * (1 + 2ull * iters);
}

void movinv_8bit(struct mt_run *r)
{
    for (unsigned b = 0; b < 8 && !r->aborted; b++) {
        uint64_t p = 0x0101010101010101ull << b;
        movinv(r, p, SWEEP_CONST, r->iterations);
        if (!r->aborted)
            movinv(r, ~p, SWEEP_CONST, r->iterations);
    }
}

uint64_t movinv_8bit_sweeps(unsigned iters)
{
    return 16 * (1 + 2ull * iters);
}

uint64_t movinv_random_next(uint64_t *state)
{
    return prng_next(state);
}

void movinv_random(struct mt_run *r)
{
    uint64_t state = r->seed ? r->seed : 1;
    for (unsigned it = 0; it < r->iterations && !r->aborted; it++)
        movinv(r, movinv_random_next(&state), SWEEP_CONST, MOVINV_RANDOM_ROUNDS);
}

uint64_t movinv_random_sweeps(unsigned iters)
{
    return (1 + 2ull * MOVINV_RANDOM_ROUNDS) * iters;
}

void movinv_walk64(struct mt_run *r)
{
    for (unsigned o = 0; o < 64 && !r->aborted; o++)
        for (unsigned zero = 0; zero < 2 && !r->aborted; zero++) {
            uint64_t p = 1ull << o;
            movinv(r, zero ? ~p : p, SWEEP_WALK, r->iterations);
        }
}

uint64_t movinv_walk64_sweeps(unsigned iters)
{
    return 128 * (1 + 2ull * iters);
}
