// SPDX-License-Identifier: MIT
#include "core/kernels/modulo20.h"
#include "core/kernels/memio.h"
#include "core/prng.h"

#define MOD 20
#define OTHER_WRITES 2
/* Prefetch distance for lines holding a word at the offset: about
 * MEMIO_AHEAD and a multiple of 40 words (lines and offsets both repeat),
 * so the line it names holds one too. */
#define AHEAD (MEMIO_AHEAD / 320 * 320 + 320)

/* Word index of the first word at or after `a` whose index is o mod MOD. */
static uint64_t first_at(uint64_t a, unsigned o)
{
    uint64_t w = a >> 3;
    return (w + (MOD + o - w % MOD) % MOD) << 3;
}

static void write_victims(struct mt_run *r, unsigned o, uint64_t p)
{
    struct mt_cursor c = { 0 };
    uint64_t lo, hi;
    while (mt_next_up(r, &c, &lo, &hi))
        for (uint64_t a = first_at(lo, o); a < hi; a += 8 * MOD) {
            memio_prefetch(a + AHEAD);
            memio_write(a, p);
        }
}

static void check_victims(struct mt_run *r, unsigned o, uint64_t p)
{
    struct mt_cursor c = { .verify = 1 };
    uint64_t lo, hi;
    while (mt_next_up(r, &c, &lo, &hi))
        for (uint64_t a = first_at(lo, o); a < hi; a += 8 * MOD) {
            memio_prefetch(a + AHEAD);
            uint64_t v = memio_read(a);
            if (v != p)
                mt_report(r, a, p, v);
        }
}

/* q to every word of [a, end) except those at offset o. A 64-byte line holds
 * at most one such word (MOD > 8). Lines without one are streamed whole
 * first, then the others get seven cached stores each: all these writes come
 * after the checked words were written and before they are checked, so their
 * order does not change what the test sees, and keeping streaming and
 * cached stores apart avoids stalling both. */
static void write_others_span(uint64_t lo, uint64_t end, unsigned o, uint64_t q)
{
    uint64_t first = (lo + 63) & ~63ull, a;
    /* skip: index within the line of the word to leave alone (>= 8: none) */
    unsigned skip0 = (unsigned)((MOD + o - (first >> 3) % MOD) % MOD), skip = skip0;
    for (a = first; end - a >= 64 && a < end; a += 64) {
        if (skip >= 8) {
#pragma GCC unroll 8
            for (unsigned i = 0; i < 8; i++)
                memio_write_stream(a + 8 * i, q);
        }
        skip = skip >= 8 ? skip - 8 : skip + MOD - 8;
    }
    memio_stream_fence();
    for (a = lo; a < end && a < first; a += 8)
        if ((a >> 3) % MOD != o)
            memio_write(a, q);
    skip = skip0;
    for (a = first; end - a >= 64 && a < end; a += 64) {
        if (skip < 8) {
            memio_prefetch(a + AHEAD);
#pragma GCC unroll 8
            for (unsigned i = 0; i < 8; i++)
                if (i != skip)
                    memio_write(a + 8 * i, q);
        }
        skip = skip >= 8 ? skip - 8 : skip + MOD - 8;
    }
    for (; a < end; a += 8)
        if ((a >> 3) % MOD != o)
            memio_write(a, q);
}

static void write_others(struct mt_run *r, unsigned o, uint64_t q)
{
    struct mt_cursor c = { 0 };
    uint64_t lo, hi;
    while (mt_next_up(r, &c, &lo, &hi))
        write_others_span(lo, hi, o, q);
}

static void offset_pass(struct mt_run *r, unsigned o, uint64_t p)
{
    write_victims(r, o, p);
    for (unsigned k = 0; k < OTHER_WRITES && !r->aborted; k++)
        write_others(r, o, ~p);
    mt_sync(r);
    r->sweeps_done += 1 + OTHER_WRITES;
    if (!r->aborted)
        check_victims(r, o, p);
    r->sweeps_done++;
}

void modulo20(struct mt_run *r)
{
    uint64_t state = r->seed ? r->seed : 1;
    for (unsigned it = 0; it < r->iterations && !r->aborted; it++)
        for (unsigned o = 0; o < MOD && !r->aborted; o++)
            for (unsigned pol = 0; pol < 2 && !r->aborted; pol++) {
                uint64_t p = prng_next(&state);
                offset_pass(r, o, pol ? ~p : p);
            }
}

uint64_t modulo20_sweeps(unsigned iters)
{
    return 2ull * MOD * (2 + OTHER_WRITES) * iters;
}
