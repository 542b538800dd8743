// SPDX-License-Identifier: MIT
// Which memory tests exist: numbers and names as Memtest86+ shows them, the
// CPU mode, the iteration counts, the kernel that runs each, and the work
// one full Memtest86+ pass of the same number does (a unit test holds every
// kernel to at least that, tests/unit/test_work.c). How a kernel runs is
// the runtime's business (runtime.h).
#ifndef EFI_CORE_KERNELS_CATALOG_H
#define EFI_CORE_KERNELS_CATALOG_H

#include <stdint.h>

struct mt_run;   /* core/kernels/runtime.h: what a kernel runs with */

/* Bit fade's wait per pattern, as Memtest86+: 240 s, 80 s on a quick first
 * pass (two patterns: 8 minutes in all, 160 s quick). */
#define MT_FADE_DEFAULT_MS (240ull * 1000)
#define MT_FADE_QUICK_MS (80ull * 1000)

enum mt_cpu_mode { MT_ONE_CPU, MT_ALL_CPUS };

/* What one pass does to every word of the memory under test. */
struct mt_work {
    uint32_t checks;     /* reads that compare the word with what it must hold */
    uint32_t values;     /* distinct values written to it (not counting moves) */
    uint32_t moves;      /* block moves that rewrite it */
    uint32_t walk_fills; /* test 6: patterns filled with a walking one, and as
                          * many with a walking zero */
};

struct mt_test {
    unsigned num;
    const char *name;
    enum mt_cpu_mode mode;
    unsigned iterations;                /* full count; quick first pass uses a third */
    void (*run)(struct mt_run *r);      /* NULL: not available in this build */
    uint64_t (*sweeps)(unsigned iters); /* passes over memory a run makes, for progress */
    /* One Memtest86+ 6.x pass of this test: full, and quick (its first
     * pass, a third of the iterations), and in words. */
    struct mt_work mt86, mt86_quick;
    const char *mt86_work;
};

#define MT_MAX_TEST 11
/* Row hammer: not a Memtest86+ test, off unless tests= names it. */
#define MT_HAMMER_TEST 11

/* The test with number `num`, or NULL when it does not exist. */
const struct mt_test *mt_find(unsigned num);

/* Iterations for this pass: a third (at least 1) on a quick first pass. */
unsigned mt_iterations(const struct mt_test *t, int quick, uint32_t pass);

/* Bit fade's wait per pattern on this pass: `set_ms` when bitfade_sleep=
 * was given (`set`), on every pass, quick or not; else Memtest86+'s. */
uint64_t mt_fade_ms(int set, uint64_t set_ms, int quick, uint32_t pass);

#endif
