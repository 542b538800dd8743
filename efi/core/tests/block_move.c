// SPDX-License-Identifier: MIT
#include "core/tests/block_move.h"
#include "core/tests/movsq.h"
#include "core/tests/memio.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* Pattern of word j of a block: a one shifting every two words, odd words
 * inverted. */
static uint64_t pat(uint64_t j, unsigned s)
{
    uint64_t q = 1ull << (((j >> 1) + s) & 63);
    return j & 1 ? ~q : q;
}

static ALWAYS_INLINE uint64_t rotl(uint64_t x, unsigned n)
{
    return x << n | x >> ((64 - n) & 63);
}

/* Word i of a group of words starting at word j, from q = pat(j & ~1, s)
 * and odd = j & 1: rotations by constants only (no shift by a variable
 * count per word), once the loop is specialised for `odd`. */
static ALWAYS_INLINE uint64_t gpat(uint64_t q, unsigned odd, unsigned i)
{
    unsigned k = i + odd;
    uint64_t x = rotl(q, k / 2);
    return k & 1 ? ~x : x;
}

static ALWAYS_INLINE uint64_t gq(uint64_t j, unsigned s)
{
    return 1ull << (((j >> 1) + s) & 63);
}

/* Words [a, a + 8n) get pat(j, s), pat(j + 1, s), ... */
static ALWAYS_INLINE void fill_seg_p(uint64_t a, uint64_t n, uint64_t j, unsigned s, unsigned odd)
{
    for (; n >= 8; a += 64, n -= 8, j += 8) {
        uint64_t q = gq(j, s);
#pragma GCC unroll 8
        for (unsigned i = 0; i < 8; i++)
            memio_write_stream(a + 8 * i, gpat(q, odd, i));
    }
    for (; n; a += 8, n--)
        memio_write(a, pat(j++, s));
}

static void fill_seg(uint64_t a, uint64_t n, uint64_t j, unsigned s)
{
    if (j & 1)
        fill_seg_p(a, n, j, s, 1);
    else
        fill_seg_p(a, n, j, s, 0);
}

static void __attribute__((noinline, cold))
report_group(struct mt_run *r, uint64_t a, uint64_t j, unsigned s, const uint64_t *v)
{
    for (unsigned i = 0; i < 8; i++)
        if (v[i] != pat(j + i, s))
            mt_report_flagged(r, a + 8 * i, pat(j + i, s), v[i], FAILBIT_ADDR_UNCERTAIN);
}

/* Words [a, a + 8n) must hold pat(j, s), pat(j + 1, s), ... With `refill`,
 * each word gets pat(jf, s2), pat(jf + 1, s2), ... right after it is read:
 * the next iteration's fill, done while the line is at hand. */
static ALWAYS_INLINE void check_seg_p(struct mt_run *r, uint64_t a, uint64_t n, uint64_t j,
                                      unsigned s, int refill, uint64_t jf, unsigned s2,
                                      unsigned odd, unsigned oddf)
{
    for (; n >= 8; a += 64, n -= 8, j += 8, jf += 8) {
        uint64_t v[8], d = 0, q = gq(j, s), qf = gq(jf, s2);
        memio_prefetch(a + MEMIO_AHEAD);
#pragma GCC unroll 8
        for (unsigned i = 0; i < 8; i++) {
            v[i] = memio_read(a + 8 * i);
            if (refill)
                memio_write(a + 8 * i, gpat(qf, oddf, i));
            d |= v[i] ^ gpat(q, odd, i);
        }
        if (__builtin_expect(d != 0, 0))
            report_group(r, a, j, s, v);
    }
    for (; n; a += 8, n--, j++, jf++) {
        uint64_t v = memio_read(a);
        if (refill)
            memio_write(a, pat(jf, s2));
        if (v != pat(j, s))
            mt_report_flagged(r, a, pat(j, s), v, FAILBIT_ADDR_UNCERTAIN);
    }
}

static void check_seg(struct mt_run *r, uint64_t a, uint64_t n, uint64_t j, unsigned s,
                      int refill, uint64_t jf, unsigned s2)
{
    unsigned odd = j & 1, oddf = jf & 1;
    if (!refill)
        check_seg_p(r, a, n, j, s, 0, 0, 0, odd, 0);
    else if (odd == oddf)
        check_seg_p(r, a, n, j, s, 1, jf, s2, odd, odd);
    else
        check_seg_p(r, a, n, j, s, 1, jf, s2, odd, !odd);
}

enum phase { FILL, MOVE_UP, MOVE_BACK, CHECK, CHECK_REFILL };

/* One phase on block [lo, hi): n words, halves of h, the last word of an
 * odd block stays put. The lower half ends up rotated by k words; an odd k
 * puts every word where the other polarity was. */
static void block_phase(struct mt_run *r, uint64_t lo, uint64_t hi, enum phase ph, unsigned it)
{
    uint64_t n = (hi - lo) / 8, h = n / 2, up = lo + 8 * h;
    uint64_t k = h ? (it + 1) % h : 0;
    unsigned s = (it * 7 + r->pass) & 63, s2 = ((it + 1) * 7 + r->pass) & 63;
    int refill = ph == CHECK_REFILL;
    switch (ph) {
    case FILL:
        fill_seg(lo, n, 0, s);
        break;
    case MOVE_UP:
        block_move_words(up, lo, h);
        break;
    case MOVE_BACK:
        block_move_words(lo, up + 8 * k, h - k);
        block_move_words(lo + 8 * (h - k), up, k);
        break;
    case CHECK:
    case CHECK_REFILL:
        check_seg(r, lo, h - k, k, s, refill, 0, s2);
        check_seg(r, lo + 8 * (h - k), k, 0, s, refill, h - k, s2);
        check_seg(r, up, h, 0, s, refill, h, s2);
        check_seg(r, up + 8 * h, n - 2 * h, 2 * h, s, refill, 2 * h, s2);
        break;
    }
}

static void phase(struct mt_run *r, enum phase ph, unsigned it)
{
    struct mt_cursor c = { 0 };
    uint64_t lo, hi;
    while (mt_next_up(r, &c, &lo, &hi))
        block_phase(r, lo, hi, ph, it);
    memio_stream_fence();
    mt_sync(r);
    r->sweeps_done++;
}

void block_move(struct mt_run *r)
{
    if (r->iterations && !r->aborted)
        phase(r, FILL, 0);
    for (unsigned it = 0; it < r->iterations && !r->aborted; it++) {
        phase(r, MOVE_UP, it);
        if (!r->aborted)
            phase(r, MOVE_BACK, it);
        if (!r->aborted)
            phase(r, it + 1 < r->iterations ? CHECK_REFILL : CHECK, it);
    }
}

uint64_t block_move_sweeps(unsigned iters)
{
    return iters ? 3ull * iters + 1 : 0;
}
