// SPDX-License-Identifier: MIT
#include "core/tests/runtime.h"
#include "core/tests/memio.h"

void mt_sync(struct mt_run *r)
{
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

int mt_next_up(struct mt_run *r, struct mt_cursor *c, uint64_t *lo, uint64_t *hi)
{
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
            return 1;
        }
        if (++c->i < r->nranges)
            c->a = r->ranges[c->i].base;
    }
    return 0;
}

int mt_next_down(struct mt_run *r, struct mt_cursor *c, uint64_t *lo, uint64_t *hi)
{
    if (c->started && mt_poll(r))
        return 0;
    if (!c->started) {
        c->started = 1;
        if (!r->nranges)
            return 0;
        c->i = r->nranges - 1;
        c->a = r->ranges[c->i].base + r->ranges[c->i].len;
    }
    if (r->aborted)
        return 0;
    for (;;) {
        uint64_t base = r->ranges[c->i].base;
        if (c->a > base) {
            *hi = c->a;
            *lo = c->a - base > MT_BLOCK ? c->a - MT_BLOCK : base;
            c->a = *lo;
            return 1;
        }
        if (c->i == 0)
            return 0;
        c->i--;
        c->a = r->ranges[c->i].base + r->ranges[c->i].len;
    }
}
