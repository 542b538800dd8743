// SPDX-License-Identifier: MIT
#include "kern.h"
#include "sim/simmem.h"
#include "core/kernels/memio.h"
#include "core/prng.h"
#include <string.h>

static void on_error(void *ctx, uint64_t addr, uint64_t expected, uint64_t actual, unsigned flags)
{
    struct kern_seen *s = ctx;
    s->total++;
    if (s->n < KERN_MAX_REC)
        s->rec[s->n++] = (struct kern_rec){ addr, expected, actual, flags };
}

static int on_poll(void *ctx)
{
    struct kern_seen *s = ctx;
    return (s->stop_after && ++s->polls >= s->stop_after) || (s->stop_on_error && s->total);
}

static int on_poll_count(void *ctx)
{
    struct kern_seen *s = ctx;
    s->polls++;
    return s->stop_on_error && s->total;
}

static void on_sync(void *ctx)
{
    struct kern_seen *s = ctx;
    s->syncs++;
    memio_flush();
}

static int on_sleep(void *ctx, uint64_t ms)
{
    struct kern_seen *s = ctx;
    s->sleeps++;
    s->slept_ms += ms;
    sim_advance(ms * KERN_TICKS_PER_MS);
    return 0;
}

static uint64_t on_now_us(void *ctx)
{
    (void)ctx;
    return sim_ticks() / (KERN_TICKS_PER_MS / 1000);
}

static void on_cache(void *ctx, int on)
{
    struct kern_seen *s = ctx;
    if (on)
        s->cache_on++;
    else
        s->cache_off++;
}

void kern_run(unsigned num, struct kern_seen *s, const struct mem_range *rg, unsigned nrg,
              const struct kern_opts *o, struct mt_run *out)
{
    unsigned stop = s->stop_after;
    int stop_err = s->stop_on_error;
    memset(s, 0, sizeof *s);
    s->stop_after = stop;
    s->stop_on_error = stop_err;
    const struct mt_test *t = mt_find(num);
    static struct mt_ops ops;
    ops = (struct mt_ops){
        .error_flagged = on_error,
        .poll = stop ? on_poll : on_poll_count,
        .sync = o->with_sync ? on_sync : 0,
        .ctx = s,
        .sleep = o->no_sleep ? 0 : on_sleep,
        .fade_ms = o->fade_ms,
        .cache = o->with_cache ? on_cache : 0,
        .now_us = on_now_us,
        .hold_ms = o->hold_ms,
        .hammer = o->hammer,
        .hammer_ms = o->hammer_ms,
        .hammer_search = o->hammer_search,
    };
    static struct mt_dwell dwell;
    dwell = (struct mt_dwell){ 0 };
    struct mt_run r = { rg, nrg, num, o->pass, o->cpu,
                        prng_seed(o->seed_base ? o->seed_base : 42, o->cpu, o->pass, num),
                        o->iters ? o->iters : t->iterations, &ops, 0, 0, 0, &dwell };
    t->run(&r);
    if (out)
        *out = r;
}

int kern_has_cell(const struct kern_seen *s, uint64_t addr, unsigned bit)
{
    for (unsigned i = 0; i < s->n; i++)
        if (s->rec[i].addr == addr && ((s->rec[i].expected ^ s->rec[i].actual) >> bit & 1))
            return 1;
    return 0;
}

int kern_only_cell(const struct kern_seen *s, uint64_t addr, unsigned bit)
{
    if (!s->n)
        return 0;
    for (unsigned i = 0; i < s->n; i++)
        if (s->rec[i].addr != addr || (s->rec[i].expected ^ s->rec[i].actual) != 1ull << bit)
            return 0;
    return 1;
}
