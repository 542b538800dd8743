// SPDX-License-Identifier: MIT
#include "core/smp.h"

unsigned smp_split(const struct mem_range *in, unsigned nin, unsigned ncpu, uint64_t align,
                   struct mem_range *out, unsigned *first)
{
    uint64_t total = 0;
    for (unsigned j = 0; j < nin; j++)
        total += in[j].len;
    /* Equal shares in whole `align` units; the last CPU absorbs the rest. */
    uint64_t share = ncpu ? total / ncpu / align * align : 0;
    unsigned k = 0, i = 0;
    uint64_t pos = in && nin ? in[0].base : 0, left_in = nin ? in[0].len : 0;
    for (unsigned c = 0; c < ncpu; c++) {
        first[c] = k;
        uint64_t want = c + 1 == ncpu ? ~0ull : share;
        while (want && i < nin) {
            if (!left_in) {
                if (++i == nin)
                    break;
                pos = in[i].base;
                left_in = in[i].len;
                continue;
            }
            uint64_t take = left_in < want ? left_in : want;
            if (k && out[k - 1].base + out[k - 1].len == pos && first[c] < k)
                out[k - 1].len += take;
            else
                out[k++] = (struct mem_range){ pos, take };
            pos += take;
            left_in -= take;
            want -= take;
        }
    }
    first[ncpu] = k;
    return k;
}

static void lock(struct smp_barrier *b)
{
    while (__atomic_exchange_n(&b->lock, 1, __ATOMIC_ACQUIRE))
        __builtin_ia32_pause();
}

static void unlock(struct smp_barrier *b)
{
    __atomic_store_n(&b->lock, 0, __ATOMIC_RELEASE);
}

void smp_barrier_init(struct smp_barrier *b, uint64_t members, volatile uint32_t *abort)
{
    /* Under the lock (free between uses, zero at first): a fenced CPU that
     * never stopped may still leave the barrier of a job long gone. */
    lock(b);
    b->members = members;
    b->arrived = 0;
    b->refused = 0;
    b->abort = abort;
    __atomic_store_n(&b->gen, 0, __ATOMIC_SEQ_CST);   /* publishes the fields above */
    unlock(b);
}

/* Caller holds the lock. */
static void release_if_complete(struct smp_barrier *b)
{
    if (b->arrived && (b->arrived & b->members) == b->members) {
        b->arrived = 0;
        __atomic_store_n(&b->gen, b->gen + 1, __ATOMIC_RELEASE);
    }
}

int smp_barrier_wait(struct smp_barrier *b, unsigned id, void (*spin)(void *ctx), void *ctx)
{
    uint64_t me = 1ull << (id & 63);
    lock(b);
    if (!(b->members & me)) {
        b->refused++;
        unlock(b);
        return SMP_REFUSED;
    }
    uint32_t g = b->gen;
    b->arrived |= me;
    release_if_complete(b);
    unlock(b);
    while (__atomic_load_n(&b->gen, __ATOMIC_ACQUIRE) == g) {
        if (b->abort && __atomic_load_n(b->abort, __ATOMIC_ACQUIRE))
            return SMP_ABORTED;
        if (spin)
            spin(ctx);
        __builtin_ia32_pause();
    }
    return SMP_PASSED;
}

void smp_barrier_leave(struct smp_barrier *b, unsigned id)
{
    uint64_t me = 1ull << (id & 63);
    lock(b);
    b->members &= ~me;
    b->arrived &= ~me;
    release_if_complete(b);
    unlock(b);
}

void smp_ring_init(struct smp_ring *r)
{
    r->head = 0;
    r->tail = 0;
    r->waits = 0;
}

int smp_ring_push(struct smp_ring *r, const struct smp_err *e, int (*wait)(void *ctx), void *ctx)
{
    uint32_t h = r->head;
    if (h - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) >= SMP_RING) {
        if (!wait)
            return -1;
        __atomic_fetch_add(&r->waits, 1, __ATOMIC_RELAXED);
        while (h - __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) >= SMP_RING)
            if (wait(ctx))
                return -1;
    }
    r->e[h & (SMP_RING - 1)] = *e;
    __atomic_store_n(&r->head, h + 1, __ATOMIC_RELEASE);
    return 0;
}

int smp_ring_pop(struct smp_ring *r, struct smp_err *e)
{
    uint32_t t = r->tail;
    if (t == __atomic_load_n(&r->head, __ATOMIC_ACQUIRE))
        return 0;
    *e = r->e[t & (SMP_RING - 1)];
    __atomic_store_n(&r->tail, t + 1, __ATOMIC_RELEASE);
    return 1;
}

uint32_t smp_ring_used(const struct smp_ring *r)
{
    return __atomic_load_n(&r->head, __ATOMIC_ACQUIRE) - r->tail;
}
