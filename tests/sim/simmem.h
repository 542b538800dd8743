// SPDX-License-Identifier: MIT
// Simulated physical memory for host tests: a buffer placed at any physical
// base (above 4 GiB too) with injected faults. It implements memio.h when the
// core is built with -DWEAKBIT_SIM, and block_move_words() (core/kernels/movsq.h)
// word by word through it. Time is counted in memory accesses (ticks): one
// access is 1 ns of simulated time, so a 2 MiB sweep takes about 0.26 ms.
#ifndef TESTS_SIM_SIMMEM_H
#define TESTS_SIM_SIMMEM_H

#include <stdint.h>

#define SIM_TICKS_PER_MS 1000000ull
/* Bytes of a simulated DRAM row: any access in it restores all its cells. */
#define SIM_ROW 8192

enum sim_fault_kind {
    SIM_STUCK,     /* bit always reads `value` */
    SIM_LEAK,      /* bit at `value` (charged) for more than `hold` ticks
                    * without a write to its word reverts */
    SIM_TF,        /* transition fault: a write cannot move the bit away from
                    * `value` (value 0: 0->1 fails, value 1: 1->0 fails) */
    SIM_CF_INV,    /* coupling, inversion: when bit `aggr_bit` of word `aggr`
                    * makes the transition to `rise`, the victim bit flips */
    SIM_CF_IDEM,   /* coupling, idempotent: that transition forces the victim
                    * bit to `value` */
    SIM_ALIAS,     /* address decoder: accesses to `addr` reach the word at
                    * `aggr` instead (the two share a cell; addr's is lost) */
    SIM_ADDR_LINE, /* address decoder: physical address bit `bit` is stuck at
                    * `value` for every access */
    SIM_WEAK,      /* intermittent: each read that finds the bit at `value`
                    * (charged) loses the charge with probability 1/`hold`
                    * (seeded, reproducible) */
    SIM_RETENTION, /* bit at `value` (charged) reverts when its row (SIM_ROW
                    * bytes) goes more than `hold` ticks without any access;
                    * the next access finds it so and restores it as lost */
};

struct sim_fault {
    enum sim_fault_kind kind;
    uint64_t addr;      /* word address (the victim's) */
    unsigned bit;
    unsigned value;
    uint64_t hold;
    uint64_t aggr;      /* coupling: aggressor word; alias: the word reached */
    unsigned aggr_bit;  /* coupling: aggressor bit */
    unsigned rise;      /* coupling: 1 = triggered by 0->1, 0 = by 1->0 */
};

/* Fresh memory of `len` bytes at physical `base`, filled with `fill`. */
void sim_init(uint64_t base, uint64_t len, uint64_t fill);
void sim_free(void);
void sim_add_fault(struct sim_fault f);

/* Accesses outside [base, base+len) or unaligned: counted, never performed. */
uint64_t sim_bad_accesses(void);
uint64_t sim_flushes(void);
uint64_t sim_ticks(void);
/* Reads that found a SIM_WEAK bit charged (each a chance to fail). */
uint64_t sim_weak_reads(void);

/* The shortest time (ticks) between a word's last write and a read of it,
 * over all reads since sim_init; 0 when no written word was read. */
uint64_t sim_min_read_gap(void);

/* Restart the simulator's own random draws (SIM_WEAK) from `seed`;
 * sim_init() starts them from a fixed seed. */
void sim_seed(uint64_t seed);

/* Let `ticks` pass without touching memory (a sleeping bit fade test). */
void sim_advance(uint64_t ticks);

/* Raw view without faults or ticks (test set-up and inspection). */
uint64_t sim_peek(uint64_t addr);

/* What the kernels did to one word (sim_watch): moves are block_move_words
 * copies; a fill is a write not preceded by a read of the word since its
 * last write. */
struct sim_watch_counts {
    uint64_t reads;           /* not counting moves */
    uint64_t writes;          /* not counting moves */
    uint64_t moves;           /* copies into the word */
    uint64_t fills, fills_one, fills_zero;   /* ... of which a single 1 / single 0 bit */
    uint64_t values;          /* distinct values written (not counting moves) */
};

/* Count accesses to the word at `addr` from now on (sim_init clears it). */
void sim_watch(uint64_t addr);
struct sim_watch_counts sim_watched(void);

#endif
