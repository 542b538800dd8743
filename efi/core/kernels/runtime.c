// SPDX-License-Identifier: MIT
#include "core/kernels/runtime.h"
#include "core/kernels/memio.h"

void mt_sync(struct mt_run *r)
{
    if (r->dwell)
        r->dwell->phase++;
    if (r->ops->sync)
        r->ops->sync(r->ops->ctx);
    else
        memio_flush();
}

void mt_report_flagged(struct mt_run *r, uint64_t addr, uint64_t expected, uint64_t actual,
                       unsigned flags)
{
    r->errors++;
    if (r->ops->error_flagged)
        r->ops->error_flagged(r->ops->ctx, addr, expected, actual, flags);
    else if (r->ops->error)
        r->ops->error(r->ops->ctx, addr, expected, actual);
}

void mt_note_pair(struct mt_run *r, uint64_t victim, uint64_t a, uint64_t b, unsigned flags)
{
    if (r->ops->error_flagged)
        r->ops->error_flagged(r->ops->ctx, victim, a, b, flags | FAILBIT_HAMMER_PAIR);
}

void mt_report(struct mt_run *r, uint64_t addr, uint64_t expected, uint64_t actual)
{
    mt_report_flagged(r, addr, expected, actual, 0);
}

int mt_sleep(struct mt_run *r, uint64_t ms)
{
    if (!r->aborted && ms && r->ops->sleep && r->ops->sleep(r->ops->ctx, ms))
        r->aborted = 1;
    return r->aborted;
}

void mt_cache(struct mt_run *r, int on)
{
    if (r->ops->cache)
        r->ops->cache(r->ops->ctx, on);
}

int mt_poll(struct mt_run *r)
{
    if (!r->aborted && r->ops->poll && r->ops->poll(r->ops->ctx))
        r->aborted = 1;
    return r->aborted;
}

static int dwell_on(const struct mt_run *r)
{
    return r->dwell && r->ops->now_us && r->ops->hold_ms && r->ops->sleep;
}

/* The smallest power of two from `least` up that splits `total` bytes into
 * at most MT_DWELL_SLOTS pieces: the dwell's slot size (least a page), and
 * the grain a descending sweep's parts start on (least MT_BLOCK). */
static uint64_t slot_size(uint64_t total, uint64_t least)
{
    uint64_t size = least;
    while (size < total / MT_DWELL_SLOTS + 1)
        size <<= 1;
    return size;
}

/* Slot of address a, by its offset within the run's ranges; slots are set
 * up on first use, so the platform only has to hand over zeroed storage. */
static unsigned slot_of(const struct mt_run *r, uint64_t a)
{
    struct mt_dwell *d = r->dwell;
    if (!d->slot_bytes)
        d->slot_bytes = slot_size(mem_range_total(r->ranges, r->nranges), 4096);
    uint64_t off = 0;
    for (unsigned i = 0; i < r->nranges; i++) {
        const struct mem_range *m = &r->ranges[i];
        if (a - m->base < m->len) {
            off += a - m->base;
            break;
        }
        off += m->len;
    }
    uint64_t s = off / d->slot_bytes;
    return s < MT_DWELL_SLOTS ? (unsigned)s : MT_DWELL_SLOTS - 1;
}

void mt_dwell_touch(struct mt_run *r, uint64_t lo, uint64_t hi)
{
    if (!dwell_on(r) || lo >= hi)
        return;
    struct mt_dwell *d = r->dwell;
    uint64_t now = r->ops->now_us(r->ops->ctx) + 1;
    for (unsigned s = slot_of(r, lo), e = slot_of(r, hi - 8); s <= e; s++) {
        if (d->phase_of[s] != d->phase || !d->stamp[s]) {
            d->before[s] = d->stamp[s];
            d->phase_of[s] = d->phase;
        }
        d->stamp[s] = now;
    }
}

void mt_dwell_wait(struct mt_run *r, uint64_t lo, uint64_t hi)
{
    if (!dwell_on(r) || lo >= hi || r->aborted)
        return;
    struct mt_dwell *d = r->dwell;
    uint64_t last = 0;
    for (unsigned s = slot_of(r, lo), e = slot_of(r, hi - 8); s <= e; s++) {
        uint64_t t = d->phase_of[s] == d->phase ? d->before[s] : d->stamp[s];
        last = t > last ? t : last;
    }
    if (!last)
        return;   /* not touched in this run: nothing to wait for */
    /* The stamp is one past the clock read after the touch: reaching
     * stamp + hold means at least hold_ms have passed since. */
    uint64_t until = last + r->ops->hold_ms * 1000, t0 = r->ops->now_us(r->ops->ctx), now = t0;
    if (now >= until)
        return;
    r->dwell->waits++;
    while (now < until && !mt_sleep(r, (until - now + 999) / 1000))
        now = r->ops->now_us(r->ops->ctx);
    r->dwell->waited_us += now - t0;
}

/* The block handed out last is done: stamp it for the dwell. */
static void cursor_done(struct mt_run *r, struct mt_cursor *c)
{
    if (c->phi)
        mt_dwell_touch(r, c->plo, c->phi);
    c->phi = 0;
}

static int cursor_give(struct mt_run *r, struct mt_cursor *c, uint64_t lo, uint64_t hi)
{
    if (c->verify)
        mt_dwell_wait(r, lo, hi);
    c->plo = lo;
    c->phi = hi;
    return !r->aborted;
}

int mt_next_up(struct mt_run *r, struct mt_cursor *c, uint64_t *lo, uint64_t *hi)
{
    cursor_done(r, c);
    if (c->started && mt_poll(r))
        return 0;
    if (!c->started) {
        c->started = 1;
        c->i = 0;
        c->a = r->nranges ? r->ranges[0].base : 0;
    }
    if (r->aborted)
        return 0;
    while (c->i < r->nranges) {
        uint64_t end = r->ranges[c->i].base + r->ranges[c->i].len;
        if (c->a < end) {
            *lo = c->a;
            *hi = end - c->a > MT_BLOCK ? c->a + MT_BLOCK : end;
            c->a = *hi;
            return cursor_give(r, c, *lo, *hi);
        }
        if (++c->i < r->nranges)
            c->a = r->ranges[c->i].base;
    }
    return 0;
}

/* Byte offset `off` within the run's ranges as an address, with the range
 * holding it (off < total). */
static uint64_t addr_at(const struct mt_run *r, uint64_t off, unsigned *ri)
{
    unsigned i = 0;
    while (i + 1 < r->nranges && off >= r->ranges[i].len)
        off -= r->ranges[i++].len;
    *ri = i;
    return r->ranges[i].base + off;
}

/* A descending sweep takes the run in MT_DOWN_PARTS parts, lowest first,
 * each from its top down. An ascending sweep ends at the top, so a plain
 * descending one would read first what was written last and wait a whole
 * hold_ms at every turn; this way each part rests while the others are
 * swept (3/4 of a sweep), and a run whose sweep outlasts hold_ms by a third
 * waits for nothing. Parts start on a slot of the dwell (a whole MT_BLOCK at
 * least), so no slot spans two; a small run has fewer parts (a run under
 * two such units, one). */
#define MT_DOWN_PARTS 4

/* Offset where part j starts (j = MT_DOWN_PARTS: the end). */
static uint64_t part_lo(uint64_t total, uint64_t unit, unsigned j)
{
    return j >= MT_DOWN_PARTS ? total : total / MT_DOWN_PARTS * j / unit * unit;
}

int mt_next_down(struct mt_run *r, struct mt_cursor *c, uint64_t *lo, uint64_t *hi)
{
    cursor_done(r, c);
    if (c->started && mt_poll(r))
        return 0;
    uint64_t total = mem_range_total(r->ranges, r->nranges);
    if (!c->started) {
        c->started = 1;
        if (!r->nranges)
            return 0;
        /* c->i: the part being swept; c->a: the offset still to sweep down from. */
        c->unit = slot_size(total, MT_BLOCK);
        c->i = 0;
        c->a = part_lo(total, c->unit, 1);
    }
    if (r->aborted)
        return 0;
    uint64_t floor = part_lo(total, c->unit, c->i);
    while (c->a == floor) {
        if (++c->i >= MT_DOWN_PARTS)
            return 0;
        c->a = part_lo(total, c->unit, c->i + 1);
        floor = part_lo(total, c->unit, c->i);
    }
    unsigned ri;
    uint64_t top = addr_at(r, c->a - 8, &ri) + 8;
    uint64_t n = top - r->ranges[ri].base;   /* bytes below top in this range */
    if (n > c->a - floor)
        n = c->a - floor;
    if (n > MT_BLOCK)
        n = MT_BLOCK;
    *hi = top;
    *lo = top - n;
    c->a -= n;
    return cursor_give(r, c, *lo, *hi);
}

uint64_t mt_swept(const struct mt_run *r, uint64_t blocks)
{
    /* Blocks come in sweep order, each at most MT_BLOCK bytes: by the time
     * the first sweep is done they add up to the ranges. */
    uint64_t planned = mem_range_total(r->ranges, r->nranges);
    if (!r->aborted)
        return planned;
    return blocks * MT_BLOCK < planned ? blocks * MT_BLOCK : planned;
}
