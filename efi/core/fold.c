// SPDX-License-Identifier: MIT
#include "core/fold.h"

#define COVER_STEP 4096u
#define COVER_MAX 4096u

void fold_init(struct fold *f, uint64_t row_cap)
{
    *f = (struct fold){ .row_cap = row_cap };
}

/* No __builtin_popcountll: freestanding builds have no libgcc helper for it. */
static unsigned popcount(uint64_t v)
{
    unsigned n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

static void close_open(struct fold *f, unsigned cpu)
{
    if (!f->is_open[cpu])
        return;
    /* The closed list is sized for a drain's worth; when it is full the last
     * record absorbs this one (a wider range, nothing dropped). */
    if (f->nclosed == FOLD_CLOSED) {
        struct failsum *l = &f->closed[FOLD_CLOSED - 1], *o = &f->open[cpu];
        l->lo = o->lo < l->lo ? o->lo : l->lo;
        l->hi = o->hi > l->hi ? o->hi : l->hi;
        l->bits |= o->bits;
        l->words += o->words;
        l->flags |= o->flags;
        l->last_ms = o->last_ms > l->last_ms ? o->last_ms : l->last_ms;
    } else {
        f->closed[f->nclosed++] = f->open[cpu];
    }
    f->is_open[cpu] = 0;
}

int fold_word(struct fold *f, unsigned cpu, uint32_t pass, uint32_t test, uint64_t ms,
              uint64_t addr, uint64_t expected, uint64_t actual, unsigned flags, int shed)
{
    uint64_t bits = expected ^ actual;
    f->acct.words++;
    if (!shed && f->acct.rows + popcount(bits) <= f->row_cap)
        return 1;
    cpu %= FOLD_CPUS;
    struct failsum *o = &f->open[cpu];
    if (f->is_open[cpu] && (o->pass != pass || o->test != test || addr + FOLD_GAP < o->lo ||
                            addr > o->hi + FOLD_GAP))
        close_open(f, cpu);
    if (!f->is_open[cpu]) {
        *o = (struct failsum){ .first_ms = ms, .last_ms = ms, .pass = pass, .test = test,
                               .cpu = cpu, .lo = addr, .hi = addr };
        f->is_open[cpu] = 1;
    }
    o->lo = addr < o->lo ? addr : o->lo;
    o->hi = addr > o->hi ? addr : o->hi;
    o->last_ms = ms > o->last_ms ? ms : o->last_ms;
    o->first_ms = ms < o->first_ms ? ms : o->first_ms;
    o->bits |= bits;
    o->words++;
    o->flags |= flags & FAILBIT_ADDR_UNCERTAIN;
    f->acct.summarised++;
    return 0;
}

void fold_rows_written(struct fold *f, unsigned rows, int ok)
{
    if (ok) {
        f->acct.row_words++;
        f->acct.rows += rows;
    } else {
        f->acct.unwritten++;
    }
}

void fold_rows_lost(struct fold *f, uint64_t words, uint64_t rows)
{
    f->acct.row_words -= words;
    f->acct.rows -= rows;
    f->acct.unwritten += words;
}

int fold_pending(const struct fold *f)
{
    return f->nclosed > FOLD_CLOSED / 2;
}

unsigned fold_take_closed(struct fold *f, const struct failsum **out)
{
    for (unsigned c = 0; c < FOLD_CPUS; c++)
        close_open(f, c);
    unsigned n = f->nclosed;
    f->acct.summaries += n;
    f->nclosed = 0;
    *out = f->closed;
    return n;
}

void fold_summaries_lost(struct fold *f, unsigned n, uint64_t words)
{
    f->acct.summaries -= n;
    f->acct.summarised -= words;
    f->acct.unwritten += words;
}

uint64_t fold_lost(const struct fold_acct *a, uint64_t counted)
{
    uint64_t kept = a->row_words + a->summarised;
    return counted > kept ? counted - kept : 0;
}

int fold_cover_next(const struct failsum *s, uint64_t *cursor, struct failbit *row)
{
    uint64_t span = s->hi - s->lo, step = COVER_STEP;
    while (span / step > COVER_MAX)
        step <<= 1;
    /* *cursor: 0 = lo not yet given; else the next address + 1 (hi + 2: done). */
    uint64_t a;
    if (*cursor == 0)
        a = s->lo;
    else if (*cursor - 1 > s->hi)
        return 0;
    else
        a = *cursor - 1;
    uint64_t next = (a & ~(step - 1)) + step;
    *cursor = a == s->hi ? s->hi + 2 : (next > s->hi ? s->hi : next) + 1;
    unsigned bit = s->bits ? (unsigned)__builtin_ctzll(s->bits) : 0;
    *row = (struct failbit){ .time_ms = s->first_ms, .pass = s->pass, .test = s->test,
                             .cpu = s->cpu, .addr = a & ~7ull, .bit = bit,
                             .expected = 0, .actual = s->bits, .temp_c = FAILBIT_NO_TEMP,
                             .flags = s->flags };
    return 1;
}
