// SPDX-License-Identifier: MIT
#include "core/kernels/bit_fade.h"
#include "core/kernels/sweep.h"

static void fade(struct mt_run *r, uint64_t p)
{
    sweep_fill(r, p, SWEEP_CONST);
    mt_sync(r);
    r->sweeps_done++;
    if (mt_sleep(r, r->ops->fade_ms))
        return;
    sweep_check(r, p, SWEEP_CONST, 0);
    r->sweeps_done++;
}

void bit_fade(struct mt_run *r)
{
    for (unsigned it = 0; it < r->iterations && !r->aborted; it++) {
        fade(r, 0);
        if (!r->aborted)
            fade(r, ~0ull);
    }
}

uint64_t bit_fade_sweeps(unsigned iters)
{
    return 4ull * iters;
}
