// SPDX-License-Identifier: MIT
// Simulated physical memory for host tests: a buffer placed at any physical
// base (above 4 GiB too) with injected faults. It implements memio.h when the
// core is built with -DWEAKBIT_SIM. Time is counted in memory accesses.
#ifndef TESTS_SIM_SIMMEM_H
#define TESTS_SIM_SIMMEM_H

#include <stdint.h>

enum sim_fault_kind {
    SIM_STUCK,   /* bit always reads `value` */
    SIM_LEAK,    /* bit at `value` (charged) for more than `hold` accesses reverts */
};

struct sim_fault {
    enum sim_fault_kind kind;
    uint64_t addr;      /* word address */
    unsigned bit;
    unsigned value;
    uint64_t hold;
};

/* Fresh memory of `len` bytes at physical `base`, filled with `fill`. */
void sim_init(uint64_t base, uint64_t len, uint64_t fill);
void sim_free(void);
void sim_add_fault(struct sim_fault f);

/* Accesses outside [base, base+len) or unaligned: counted, never performed. */
uint64_t sim_bad_accesses(void);
uint64_t sim_flushes(void);
uint64_t sim_ticks(void);

/* Raw view without faults or ticks (test set-up and inspection). */
uint64_t sim_peek(uint64_t addr);

#endif
