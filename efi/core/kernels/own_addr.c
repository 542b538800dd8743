// SPDX-License-Identifier: MIT
#include "core/kernels/own_addr.h"
#include "core/prng.h"
#include "core/kernels/sweep.h"

static void own_addr(struct mt_run *r, uint64_t w)
{
    sweep_fill(r, w, SWEEP_ADDR);
    mt_sync(r);
    r->sweeps_done++;
    if (r->aborted)
        return;
    sweep_check_write_up(r, w, SWEEP_ADDR, 0, ~0ull);
    mt_sync(r);
    r->sweeps_done++;
    if (r->aborted)
        return;
    sweep_check(r, w, SWEEP_ADDR, ~0ull);
    r->sweeps_done++;
}

void own_addr_seq(struct mt_run *r)
{
    for (unsigned it = 0; it < r->iterations && !r->aborted; it++)
        own_addr(r, 0);
}

void own_addr_window(struct mt_run *r)
{
    uint64_t state = r->seed ? r->seed : 1;
    for (unsigned it = 0; it < r->iterations && !r->aborted; it++)
        own_addr(r, prng_next(&state) & ~7ull);   /* keeps values word-aligned */
}

uint64_t own_addr_sweeps(unsigned iters)
{
    return 3ull * iters;
}
