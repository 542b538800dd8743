// SPDX-License-Identifier: MIT
// Multi-CPU building blocks that need no firmware: splitting memory into
// per-CPU chunks, a barrier that can be aborted and can lose a member, and
// one error ring per CPU that the BSP drains. APs never call the firmware,
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

/* A barrier for a changing number of members. */
struct smp_barrier {
    volatile uint32_t lock;
    volatile uint32_t count;    /* arrived in this generation */
    volatile uint32_t members;
    volatile uint32_t gen;
    volatile uint32_t *abort;   /* non-zero releases every waiter at once */
};

void smp_barrier_init(struct smp_barrier *b, uint32_t members, volatile uint32_t *abort);

/* Wait until all members arrived. `spin` runs while waiting (the BSP drains
 * error rings there, APs beat their heart); may be NULL. Returns 0, or 1
 * when the abort flag released the wait. */
int smp_barrier_wait(struct smp_barrier *b, void (*spin)(void *ctx), void *ctx);

/* A member leaves for good (a CPU declared hung); waiters are released if
 * everybody left is already there. */
void smp_barrier_leave(struct smp_barrier *b);

/* One error as an AP saw it. */
struct smp_err {
    uint64_t addr, expected, actual, tsc;
    unsigned flags;   /* FAILBIT_* */
};

#define SMP_RING 256   /* power of two */

/* Single producer (its CPU), single consumer (the BSP). */
struct smp_ring {
    struct smp_err e[SMP_RING];
    volatile uint32_t head;     /* next slot the producer writes */
    volatile uint32_t tail;     /* next slot the consumer reads */
    volatile uint64_t dropped;  /* pushes that found the ring full */
};

void smp_ring_init(struct smp_ring *r);
/* 0, or -1 when full (counted in dropped, never silent). */
int smp_ring_push(struct smp_ring *r, const struct smp_err *e);
/* 1 with *e filled, or 0 when empty. */
int smp_ring_pop(struct smp_ring *r, struct smp_err *e);

#endif
