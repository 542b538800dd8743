// SPDX-License-Identifier: MIT
// Which memory tests exist: numbers and names as Memtest86+ shows them, the
// CPU mode, the iteration counts, and the kernel that runs each. How a kernel
// runs is the runtime's business (runtime.h).
#ifndef EFI_CORE_TESTS_CATALOG_H
#define EFI_CORE_TESTS_CATALOG_H

#include <stdint.h>

struct mt_run;   /* core/tests/runtime.h: what a kernel runs with */

enum mt_cpu_mode { MT_ONE_CPU, MT_ALL_CPUS };

struct mt_test {
    unsigned num;
    const char *name;
    enum mt_cpu_mode mode;
    unsigned iterations;                /* full count; quick first pass uses a third */
    void (*run)(struct mt_run *r);      /* NULL: not available in this build */
    uint64_t (*sweeps)(unsigned iters); /* passes over memory a run makes, for progress */
};

#define MT_MAX_TEST 10

/* The test with number `num`, or NULL when it does not exist. */
const struct mt_test *mt_find(unsigned num);

/* Iterations for this pass: a third (at least 1) on a quick first pass. */
unsigned mt_iterations(const struct mt_test *t, int quick, uint32_t pass);

#endif
