// SPDX-License-Identifier: MIT
#include "core/kernels/block_move.h"
#include "core/kernels/movsq.h"
#include "core/kernels/memio.h"

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

/* Cold path: of the four words at a (pattern words j...), one is wrong.
 * The hot loop checks four at a time with the values in registers; eight
 * gathered for one call were spilled to the stack on every group. */
static void __attribute__((noinline, cold))
report_quad(struct mt_run *r, uint64_t a, uint64_t j, unsigned s, uint64_t v0, uint64_t v1,
            uint64_t v2, uint64_t v3)
{
    const uint64_t v[4] = { v0, v1, v2, v3 };
    for (unsigned i = 0; i < 4; i++)
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
        uint64_t q = gq(j, s), qf = gq(jf, s2);
        memio_prefetch(a + MEMIO_AHEAD);
        for (unsigned h = 0; h < 8; h += 4) {
            uint64_t v[4], d = 0;
#pragma GCC unroll 4
            for (unsigned i = 0; i < 4; i++) {
                v[i] = memio_read(a + 8 * (h + i));
                if (refill)
                    memio_write(a + 8 * (h + i), gpat(qf, oddf, h + i));
                d |= v[i] ^ gpat(q, odd, h + i);
            }
            if (__builtin_expect(d != 0, 0))
                report_quad(r, a + 8 * h, j + h, s, v[0], v[1], v[2], v[3]);
        }
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

/* Memtest86+ moves data within chunks of up to 1 GiB; so do we, per range. */
#define SEG_MAX (1ull << 30)
/* Rounds of moves between two exact checks (Memtest86+ checks once, after
 * all of them, and only that neighbouring words agree). Every round: a bad
 * word is then reported where it went bad, before the next round copies
 * its value half a segment away. It doubles the test's traffic (a check and
 * refill per round against two moves), and it is worth it: in the fault
 * matrix, checking once at the end finds a stuck bit, a failing transition
 * and a leaky cell only at the addresses their values were copied to, loses
 * four coupling faults, and reads an intermittent cell charged 41 times
 * instead of 119 (a 1-in-64 cell caught 48 % of the time instead of 85 %);
 * every 2 or 3 rounds loses some of each. */
#define CHECK_EVERY 1
/* Words handled between two polls. */
#define PIECE (MT_BLOCK / 8)

static void fill_run(struct mt_run *r, uint64_t a, uint64_t n, uint64_t j, unsigned s)
{
    while (n && !r->aborted) {
        uint64_t m = n > PIECE ? PIECE : n;
        fill_seg(a, m, j, s);
        mt_dwell_touch(r, a, a + 8 * m);
        mt_poll(r);
        a += 8 * m, n -= m, j += m;
    }
}

/* n words from src to dst, ascending, a piece at a time. */
static void move_run(struct mt_run *r, uint64_t dst, uint64_t src, uint64_t n)
{
    while (n && !r->aborted) {
        uint64_t m = n > PIECE ? PIECE : n;
        block_move_words(dst, src, m);
        mt_dwell_touch(r, src, src + 8 * m);
        mt_dwell_touch(r, dst, dst + 8 * m);
        mt_poll(r);
        dst += 8 * m, src += 8 * m, n -= m;
    }
}

static void check_run(struct mt_run *r, uint64_t a, uint64_t n, uint64_t j, unsigned s, int refill,
                      uint64_t jf, unsigned s2)
{
    while (n && !r->aborted) {
        uint64_t m = n > PIECE ? PIECE : n;
        mt_dwell_wait(r, a, a + 8 * m);
        if (r->aborted)
            break;
        check_seg(r, a, m, j, s, refill, jf, s2);
        mt_dwell_touch(r, a, a + 8 * m);
        mt_poll(r);
        a += 8 * m, n -= m, j += m, jf += m;
    }
}

enum phase { FILL, MOVE_UP, MOVE_BACK, CHECK, CHECK_REFILL };

/* Rotation of round `it` in a segment with halves of h words: odd and even
 * in turn, so every word also lands where the other polarity was. */
static uint64_t rot_of(unsigned it, uint64_t h)
{
    return h ? (it + 1) % h : 0;
}

/* One phase on the segment of n words at lo: halves of h words, the last
 * word of an odd segment stays put. Each round copies the lower half over
 * the upper one, then the upper one back over the lower one rotated by a
 * few words. After the rounds first..last since the last fill, the lower
 * half holds the filled lower half rotated by the sum K of their rotations
 * and the upper half the same rotated by K minus the last one: every word's
 * value is known exactly. */
static void seg_phase(struct mt_run *r, uint64_t lo, uint64_t n, enum phase ph, unsigned first,
                      unsigned last, unsigned grp)
{
    uint64_t h = n / 2, up = lo + 8 * h, k = rot_of(last, h), kl = 0, ku;
    unsigned s = (grp * 7 + r->pass) & 63, s2 = ((grp + 1) * 7 + r->pass) & 63;
    int refill = ph == CHECK_REFILL;
    switch (ph) {
    case FILL:
        fill_run(r, lo, n, 0, s);
        break;
    case MOVE_UP:
        move_run(r, up, lo, h);
        break;
    case MOVE_BACK:
        move_run(r, lo, up + 8 * k, h - k);
        move_run(r, lo + 8 * (h - k), up, k);
        break;
    case CHECK:
    case CHECK_REFILL:
        for (unsigned it = first; h && it <= last; it++)
            kl = (kl + rot_of(it, h)) % h;
        ku = h ? (kl + h - k) % h : 0;
        check_run(r, lo, h - kl, kl, s, refill, 0, s2);
        check_run(r, lo + 8 * (h - kl), kl, 0, s, refill, h - kl, s2);
        check_run(r, up, h - ku, ku, s, refill, h, s2);
        check_run(r, up + 8 * (h - ku), ku, 0, s, refill, 2 * h - ku, s2);
        check_run(r, up + 8 * h, n - 2 * h, 2 * h, s, refill, 2 * h, s2);
        break;
    }
}

static void phase(struct mt_run *r, enum phase ph, unsigned first, unsigned last, unsigned grp)
{
    for (unsigned i = 0; i < r->nranges && !r->aborted; i++) {
        uint64_t a = r->ranges[i].base, end = a + r->ranges[i].len;
        while (a < end && !r->aborted) {
            uint64_t len = end - a > SEG_MAX ? SEG_MAX : end - a;
            seg_phase(r, a, len / 8, ph, first, last, grp);
            a += len;
        }
    }
    memio_stream_fence();
    mt_sync(r);
    r->sweeps_done += ph != MOVE_UP;   /* a round is one pass over memory */
}

void block_move(struct mt_run *r)
{
    unsigned n = r->iterations, first = 0, grp = 0;
    if (n && !r->aborted)
        phase(r, FILL, 0, 0, 0);
    for (unsigned it = 0; it < n && !r->aborted; it++) {
        phase(r, MOVE_UP, first, it, grp);
        if (!r->aborted)
            phase(r, MOVE_BACK, first, it, grp);
        int end = it + 1 == n;
        if (!r->aborted && (end || it + 1 - first == CHECK_EVERY)) {
            phase(r, end ? CHECK : CHECK_REFILL, first, it, grp);
            first = it + 1;
            grp++;
        }
    }
}

uint64_t block_move_sweeps(unsigned iters)
{
    return iters ? 1ull + iters + (iters + CHECK_EVERY - 1) / CHECK_EVERY : 0;
}
