// SPDX-License-Identifier: MIT
#include "core/kernels/rand_seq.h"
#include "core/kernels/memio.h"
#include "core/prng.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))
#define LANES 8

/* Generator k lives in element k % 2 of s[k / 2]: SSE2 steps two at once,
 * with the same numbers as prng_next() on each. */
struct stream {
    memio_pair s[LANES / 2];
};

static void stream_seed(struct stream *st, uint64_t seed)
{
    uint64_t x = seed ? seed : 1;
    for (unsigned i = 0; i < LANES / 2; i++) {
        uint64_t a = prng_next(&x);
        st->s[i] = (memio_pair){ a, prng_next(&x) };
    }
}

static ALWAYS_INLINE memio_pair step(memio_pair *s)
{
    memio_pair x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* CHECK_NEXT checks like CHECK and writes the next iteration's stream in
 * its place: the next write pass, done while the line is at hand. */
enum phase { WRITE, CHECK_FLIP, CHECK, CHECK_NEXT };

/* Cold path: the pair of words at a had a wrong one. The hot loop checks
 * pair by pair with the values in registers (vector arguments travel in
 * them): gathering a group of eight for one check spilled them all to the
 * stack on every group. */
static void __attribute__((noinline, cold))
report_pair(struct mt_run *r, uint64_t a, memio_pair e, memio_pair v)
{
    for (unsigned k = 0; k < 2; k++)
        if (v[k] != e[k])
            mt_report(r, a + 8 * k, e[k], v[k]);
}

/* Groups of eight words from the span's start, one word per generator; the
 * last group of a range that is not whole uses the first generators only.
 * The replay walks the same blocks, so it draws the same numbers. */
static ALWAYS_INLINE void span(struct mt_run *r, struct stream *st, struct stream *nx, uint64_t a,
                               uint64_t end, enum phase ph)
{
    struct stream s = *st, n = *nx;
    if (a & 15) {
        /* Never for page-aligned ranges; word by word, same numbers. */
        for (; end - a >= 8 * LANES; a += 8 * LANES)
            for (unsigned i = 0; i < LANES / 2; i++) {
                memio_pair x = step(&s.s[i]), y = { 0, 0 };
                if (ph == CHECK_NEXT)
                    y = step(&n.s[i]);
                for (unsigned k = 0; k < 2; k++) {
                    uint64_t w = a + 16 * i + 8 * k, e = ph == CHECK_FLIP ? x[k] : ~x[k], v;
                    if (ph == WRITE) {
                        memio_write(w, x[k]);
                        continue;
                    }
                    v = memio_read(w);
                    if (ph == CHECK_FLIP)
                        memio_write(w, ~x[k]);
                    if (ph == CHECK_NEXT)
                        memio_write(w, y[k]);
                    if (v != e)
                        mt_report(r, w, e, v);
                }
            }
    }
    /* The generators in locals indexed only by constants once unrolled, so
     * they stay in registers (s and n are also indexed by variables). */
    memio_pair ls[LANES / 2], ln[LANES / 2];
    for (unsigned i = 0; i < LANES / 2; i++)
        ls[i] = s.s[i], ln[i] = n.s[i];
    for (; end - a >= 8 * LANES; a += 8 * LANES) {
        if (ph == WRITE) {
#pragma GCC unroll 4
            for (unsigned i = 0; i < LANES / 2; i++)
                memio_write_pair_stream(a + 16 * i, step(&ls[i]));
            continue;
        }
        memio_prefetch(a + MEMIO_AHEAD);
#pragma GCC unroll 4
        for (unsigned i = 0; i < LANES / 2; i++) {
            memio_pair x = step(&ls[i]), e = ph == CHECK_FLIP ? x : ~x;
            memio_pair v = memio_read_pair(a + 16 * i);
            if (ph == CHECK_FLIP)
                memio_write_pair(a + 16 * i, ~x);
            if (ph == CHECK_NEXT)
                memio_write_pair(a + 16 * i, step(&ln[i]));
            memio_pair d = v ^ e;
            if (__builtin_expect((d[0] | d[1]) != 0, 0))
                report_pair(r, a + 16 * i, e, v);
        }
    }
    for (unsigned i = 0; i < LANES / 2; i++)
        s.s[i] = ls[i], n.s[i] = ln[i];
    memio_pair tail = { 0, 0 }, tail_next = { 0, 0 };
    for (unsigned i = 0; a < end; a += 8, i++) {
        if (i % 2 == 0) {
            tail = step(&s.s[i / 2]);
            if (ph == CHECK_NEXT)
                tail_next = step(&n.s[i / 2]);
        }
        uint64_t x = tail[i % 2];
        if (ph == WRITE) {
            memio_write(a, x);
            continue;
        }
        uint64_t e = ph == CHECK_FLIP ? x : ~x, v = memio_read(a);
        if (ph == CHECK_FLIP)
            memio_write(a, ~x);
        if (ph == CHECK_NEXT)
            memio_write(a, tail_next[i % 2]);
        if (v != e)
            mt_report(r, a, e, v);
    }
    *st = s;
    *nx = n;
}

static void phase(struct mt_run *r, uint64_t seed, uint64_t next_seed, enum phase ph)
{
    struct stream st, nx;
    stream_seed(&st, seed);
    stream_seed(&nx, next_seed);
    struct mt_cursor c = { .verify = ph != WRITE };
    uint64_t lo, hi;
    while (mt_next_up(r, &c, &lo, &hi)) {
        if (ph == WRITE)
            span(r, &st, &nx, lo, hi, WRITE);
        else if (ph == CHECK_FLIP)
            span(r, &st, &nx, lo, hi, CHECK_FLIP);
        else if (ph == CHECK_NEXT)
            span(r, &st, &nx, lo, hi, CHECK_NEXT);
        else
            span(r, &st, &nx, lo, hi, CHECK);
    }
    if (ph == WRITE)
        memio_stream_fence();
    mt_sync(r);
    r->sweeps_done++;
}

void rand_seq(struct mt_run *r)
{
    uint64_t state = r->seed ? r->seed : 1;
    uint64_t seed = prng_next(&state);
    if (r->iterations && !r->aborted)
        phase(r, seed, 0, WRITE);
    for (unsigned it = 0; it < r->iterations && !r->aborted; it++) {
        uint64_t next = prng_next(&state);
        phase(r, seed, 0, CHECK_FLIP);
        if (!r->aborted)
            phase(r, seed, next, it + 1 < r->iterations ? CHECK_NEXT : CHECK);
        seed = next;
    }
}

uint64_t rand_seq_sweeps(unsigned iters)
{
    return iters ? 2ull * iters + 1 : 0;
}
