// SPDX-License-Identifier: MIT
// Multi-CPU building blocks that need no firmware: splitting memory into
// per-CPU chunks, a barrier that can be aborted and can fence a member off,
// and one error ring per CPU that the BSP drains. APs never call the firmware,
// so everything they share with the BSP lives here, on plain atomics.
#ifndef EFI_CORE_SMP_H
#define EFI_CORE_SMP_H

#include <stdint.h>
#include "core/memrange.h"

#define SMP_MAX_CPUS 64

/* Split `in` (ascending, page aligned) into `ncpu` consecutive chunks that
 * cover every byte exactly once, cut at multiples of `align` bytes; the
 * last CPU takes the remainder. CPU c gets out[first[c] .. first[c+1]).
 * `out` needs room for nin + ncpu ranges. Returns the number of ranges. */
unsigned smp_split(const struct mem_range *in, unsigned nin, unsigned ncpu, uint64_t align,
                   struct mem_range *out, unsigned *first);

/* A barrier whose members are named (slot numbers, bit per slot). A member
 * that is fenced off (it missed its deadline) is removed with leave(); if it
 * arrives later, the arrival is refused and counted, so a late CPU can never
 * complete a generation the others are still waiting for. */
struct smp_barrier {
    volatile uint32_t lock;
    volatile uint32_t gen;       /* generation: bumps when all members arrived */
    volatile uint64_t members;   /* bit s: slot s takes part */
    volatile uint64_t arrived;   /* members arrived in this generation */
    volatile uint64_t refused;   /* arrivals of non-members, ignored */
    volatile uint32_t *abort;    /* non-zero releases every waiter at once */
};

void smp_barrier_init(struct smp_barrier *b, uint64_t members, volatile uint32_t *abort);

enum { SMP_PASSED, SMP_ABORTED, SMP_REFUSED };

/* Member `id` waits until every member arrived. `spin` runs while waiting
 * (the BSP drains error rings there, APs beat their heart); may be NULL.
 * Returns SMP_PASSED, SMP_ABORTED (the abort flag released the wait), or
 * SMP_REFUSED at once when `id` is not (or no longer) a member. */
int smp_barrier_wait(struct smp_barrier *b, unsigned id, void (*spin)(void *ctx), void *ctx);

/* Member `id` leaves for good (finished, or fenced off); waiters are
 * released if everybody left is already there. */
void smp_barrier_leave(struct smp_barrier *b, unsigned id);

/* One error as a CPU saw it. */
struct smp_err {
    uint64_t addr, expected, actual, tsc;
    unsigned flags;   /* FAILBIT_* */
};

#define SMP_RING 256   /* power of two */

/* Single producer (its CPU), single consumer (the BSP). A full ring is never
 * overwritten: the producer waits for the consumer. */
struct smp_ring {
    struct smp_err e[SMP_RING];
    volatile uint32_t head;     /* next slot the producer writes */
    volatile uint32_t tail;     /* next slot the consumer reads */
    volatile uint64_t waits;    /* pushes that found the ring full and waited */
};

void smp_ring_init(struct smp_ring *r);

/* Queue *e. While the ring is full, call wait(ctx) and retry; a non-zero
 * return gives up (the CPU was told to stop) and returns -1 with *e not
 * queued, for the caller to count. wait NULL: -1 at once when full. */
int smp_ring_push(struct smp_ring *r, const struct smp_err *e, int (*wait)(void *ctx), void *ctx);

/* 1 with *e filled, or 0 when empty. */
int smp_ring_pop(struct smp_ring *r, struct smp_err *e);

/* Entries waiting (consumer side). */
uint32_t smp_ring_used(const struct smp_ring *r);

/* Entries queued so far (producer's count); with smp_ring_pop_index, tells
 * entries queued before a moment from those queued after it. */
static inline uint32_t smp_ring_head(const struct smp_ring *r)
{
    return __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
}

/* The running index the next pop returns. */
static inline uint32_t smp_ring_tail(const struct smp_ring *r)
{
    return r->tail;
}

#endif
