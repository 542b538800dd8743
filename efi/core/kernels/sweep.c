// SPDX-License-Identifier: MIT
#include "core/kernels/sweep.h"
#include "core/kernels/memio.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* Two shifts and an or, kept apart so the compiler does not fuse them into
 * a rotate: an x86 rotate sets the carry and overflow flags, which an
 * emulator (QEMU's TCG) works out eagerly with a helper call per word, where
 * a shift's flags are left lazy. On hardware the three register operations
 * cost nothing next to the word's memory access. */
static ALWAYS_INLINE uint64_t rotl(uint64_t x, uint64_t n)
{
    n &= 63;
    uint64_t hi = x << n;
    __asm__("" : "+r"(hi));
    return hi | x >> ((64 - n) & 63);
}

/* `kind` is a constant wherever this is inlined, so each kind compiles to
 * its own straight loop. */
static ALWAYS_INLINE uint64_t pat_at(uint64_t p, enum sweep_kind kind, uint64_t a)
{
    return kind == SWEEP_WALK ? rotl(p, a >> 3) : kind == SWEEP_ADDR ? a + p : p;
}

/* The pattern i words after the word whose pattern is q (same line): a
 * constant step, cheaper than pat_at per word. */
static ALWAYS_INLINE uint64_t pat_next(uint64_t q, enum sweep_kind kind, unsigned i)
{
    return kind == SWEEP_WALK ? rotl(q, i) : kind == SWEEP_ADDR ? q + 8 * i : q;
}

/* An address test's wrong value may be another word's value, as written or
 * (in a phase that writes complements) inverted: then the failing word may
 * be that one (decoder) rather than this one (cell). */
static void report(struct mt_run *r, enum sweep_kind kind, uint64_t p, uint64_t a, uint64_t e,
                   uint64_t v)
{
    unsigned flags = 0;
    if (kind == SWEEP_ADDR && (mt_names_other(a, v - p) || mt_names_other(a, ~v - p)))
        flags = FAILBIT_ADDR_UNCERTAIN;
    mt_report_flagged(r, a, e, v, flags);
}

/* Cold path: the four words at a (half a 64-byte line) had at least one
 * wrong word; expected values are pattern ^ xe. Reported in the order the
 * words were visited. The hot loops compare a line in two halves of four
 * words, which stay in registers until this call: a whole line's eight
 * would be spilled to the stack on every line, eight more stores per line
 * (about half again as many accesses under an emulator's soft MMU). */
static void __attribute__((noinline, cold))
report_quad(struct mt_run *r, enum sweep_kind kind, uint64_t p, uint64_t xe, uint64_t a, int down,
            uint64_t v0, uint64_t v1, uint64_t v2, uint64_t v3)
{
    const uint64_t v[4] = { v0, v1, v2, v3 };
    for (unsigned k = 0; k < 4; k++) {
        unsigned i = down ? 3 - k : k;
        uint64_t e = pat_at(p, kind, a + 8 * i) ^ xe;
        if (v[i] != e)
            report(r, kind, p, a + 8 * i, e, v[i]);
    }
}

static ALWAYS_INLINE void fill_span(uint64_t a, uint64_t end, uint64_t p, enum sweep_kind kind)
{
    for (; a < end && (a & 63); a += 8)
        memio_write(a, pat_at(p, kind, a));
    for (; end - a >= 64; a += 64) {
        uint64_t q = pat_at(p, kind, a);
#pragma GCC unroll 8
        for (unsigned i = 0; i < 8; i++)
            memio_write_stream(a + 8 * i, pat_next(q, kind, i));
    }
    for (; a < end; a += 8)
        memio_write(a, pat_at(p, kind, a));
}

void sweep_fill(struct mt_run *r, uint64_t p, enum sweep_kind kind)
{
    struct mt_cursor c = { 0 };
    uint64_t lo, hi;
    while (mt_next_up(r, &c, &lo, &hi)) {
        if (kind == SWEEP_WALK)
            fill_span(lo, hi, p, SWEEP_WALK);
        else if (kind == SWEEP_ADDR)
            fill_span(lo, hi, p, SWEEP_ADDR);
        else
            fill_span(lo, hi, p, SWEEP_CONST);
    }
    memio_stream_fence();
}

static ALWAYS_INLINE void check_word(struct mt_run *r, enum sweep_kind kind, uint64_t p,
                                     uint64_t a, uint64_t e)
{
    uint64_t v = memio_read(a);
    if (v != e)
        report(r, kind, p, a, e, v);
}

static ALWAYS_INLINE void check_span(struct mt_run *r, uint64_t a, uint64_t end, uint64_t p,
                                     enum sweep_kind kind, uint64_t xe)
{
    for (; a < end && (a & 63); a += 8)
        check_word(r, kind, p, a, pat_at(p, kind, a) ^ xe);
    for (; end - a >= 64; a += 64) {
        uint64_t q = pat_at(p, kind, a);
        memio_prefetch(a + MEMIO_AHEAD);
#pragma GCC unroll 2
        for (unsigned h = 0; h < 8; h += 4) {
            uint64_t v0 = memio_read(a + 8 * h), v1 = memio_read(a + 8 * h + 8);
            uint64_t v2 = memio_read(a + 8 * h + 16), v3 = memio_read(a + 8 * h + 24);
            uint64_t d = (v0 ^ pat_next(q, kind, h) ^ xe) | (v1 ^ pat_next(q, kind, h + 1) ^ xe) |
                         (v2 ^ pat_next(q, kind, h + 2) ^ xe) | (v3 ^ pat_next(q, kind, h + 3) ^ xe);
            if (__builtin_expect(d != 0, 0))
                report_quad(r, kind, p, xe, a + 8 * h, 0, v0, v1, v2, v3);
        }
    }
    for (; a < end; a += 8)
        check_word(r, kind, p, a, pat_at(p, kind, a) ^ xe);
}

void sweep_check(struct mt_run *r, uint64_t p, enum sweep_kind kind, uint64_t xe)
{
    struct mt_cursor c = { .verify = 1 };
    uint64_t lo, hi;
    while (mt_next_up(r, &c, &lo, &hi)) {
        if (kind == SWEEP_WALK)
            check_span(r, lo, hi, p, SWEEP_WALK, xe);
        else if (kind == SWEEP_ADDR)
            check_span(r, lo, hi, p, SWEEP_ADDR, xe);
        else
            check_span(r, lo, hi, p, SWEEP_CONST, xe);
    }
}

static ALWAYS_INLINE void cw_word(struct mt_run *r, enum sweep_kind kind, uint64_t p, uint64_t a,
                                  uint64_t xe, uint64_t xn)
{
    uint64_t q = pat_at(p, kind, a), v = memio_read(a);
    memio_write(a, q ^ xn);
    if (v != (q ^ xe))
        report(r, kind, p, a, q ^ xe, v);
}

/* Each word is read and then written before the next one is touched, as the
 * algorithm says; only the comparison is batched per line. */
static ALWAYS_INLINE void cw_up_span(struct mt_run *r, uint64_t a, uint64_t end, uint64_t p,
                                     enum sweep_kind kind, uint64_t xe, uint64_t xn)
{
    for (; a < end && (a & 63); a += 8)
        cw_word(r, kind, p, a, xe, xn);
    for (; end - a >= 64; a += 64) {
        uint64_t q0 = pat_at(p, kind, a);
        memio_prefetch(a + MEMIO_AHEAD);
#pragma GCC unroll 2
        for (unsigned h = 0; h < 8; h += 4) {
            uint64_t b = a + 8 * h, v[4], d = 0;
#pragma GCC unroll 4
            for (unsigned i = 0; i < 4; i++) {
                uint64_t q = pat_next(q0, kind, h + i);
                v[i] = memio_read(b + 8 * i);
                memio_write(b + 8 * i, q ^ xn);
                d |= v[i] ^ q ^ xe;
            }
            if (__builtin_expect(d != 0, 0))
                report_quad(r, kind, p, xe, b, 0, v[0], v[1], v[2], v[3]);
        }
    }
    for (; a < end; a += 8)
        cw_word(r, kind, p, a, xe, xn);
}

static ALWAYS_INLINE void cw_down_span(struct mt_run *r, uint64_t lo, uint64_t a, uint64_t p,
                                       enum sweep_kind kind, uint64_t xe, uint64_t xn)
{
    while (a > lo && (a & 63)) {
        a -= 8;
        cw_word(r, kind, p, a, xe, xn);
    }
    while (a - lo >= 64) {
        a -= 64;
        uint64_t q0 = pat_at(p, kind, a);
        memio_prefetch(a - MEMIO_AHEAD);
#pragma GCC unroll 2
        for (int h = 4; h >= 0; h -= 4) {
            uint64_t b = a + 8 * (unsigned)h, v[4], d = 0;
#pragma GCC unroll 4
            for (int i = 3; i >= 0; i--) {
                uint64_t q = pat_next(q0, kind, (unsigned)(h + i));
                v[i] = memio_read(b + 8 * (unsigned)i);
                memio_write(b + 8 * (unsigned)i, q ^ xn);
                d |= v[i] ^ q ^ xe;
            }
            if (__builtin_expect(d != 0, 0))
                report_quad(r, kind, p, xe, b, 1, v[0], v[1], v[2], v[3]);
        }
    }
    while (a > lo) {
        a -= 8;
        cw_word(r, kind, p, a, xe, xn);
    }
}

void sweep_check_write_up(struct mt_run *r, uint64_t p, enum sweep_kind kind, uint64_t xe,
                          uint64_t xn)
{
    struct mt_cursor c = { .verify = 1 };
    uint64_t lo, hi;
    while (mt_next_up(r, &c, &lo, &hi)) {
        if (kind == SWEEP_WALK)
            cw_up_span(r, lo, hi, p, SWEEP_WALK, xe, xn);
        else if (kind == SWEEP_ADDR)
            cw_up_span(r, lo, hi, p, SWEEP_ADDR, xe, xn);
        else
            cw_up_span(r, lo, hi, p, SWEEP_CONST, xe, xn);
    }
}

void sweep_check_write_down(struct mt_run *r, uint64_t p, enum sweep_kind kind, uint64_t xe,
                            uint64_t xn)
{
    struct mt_cursor c = { .verify = 1 };
    uint64_t lo, hi;
    while (mt_next_down(r, &c, &lo, &hi)) {
        if (kind == SWEEP_WALK)
            cw_down_span(r, lo, hi, p, SWEEP_WALK, xe, xn);
        else if (kind == SWEEP_ADDR)
            cw_down_span(r, lo, hi, p, SWEEP_ADDR, xe, xn);
        else
            cw_down_span(r, lo, hi, p, SWEEP_CONST, xe, xn);
    }
}
