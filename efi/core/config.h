// SPDX-License-Identifier: MIT
// weakbit.cfg and load-option parsing: `key=value` tokens, `#` comments.
// A bad token never stops a run: it is reported and the default stays.
#ifndef EFI_CORE_CONFIG_H
#define EFI_CORE_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include "core/failbit.h"
#include "core/memrange.h"
#include "core/kernels/catalog.h"

#define CONFIG_MAX_RANGES 16

enum cfg_mode { CFG_MODE_TEST, CFG_MODE_STRESS };
enum cfg_cpu_mode { CFG_CPU_PARALLEL, CFG_CPU_SEQUENTIAL, CFG_CPU_SINGLE };
enum cfg_finish { CFG_FINISH_WAIT, CFG_FINISH_SHUTDOWN, CFG_FINISH_REBOOT };
enum cfg_coverage { CFG_COVERAGE_FIRMWARE, CFG_COVERAGE_FULL };

struct wb_config {
    uint32_t tests;          /* bit n set: run test n */
    unsigned passes;         /* 0: until a key is pressed */
    enum cfg_mode mode;
    uint64_t duration_s;     /* stress mode */
    unsigned cpus;           /* 0: all */
    enum cfg_cpu_mode cpu_mode;
    struct mem_range ranges[CONFIG_MAX_RANGES]; /* physical, page aligned; none = all RAM */
    unsigned nranges;
    uint64_t granule;        /* bytes, power of two >= 4 KiB */
    char interleave[128];    /* XOR bit model, kept verbatim */
    int quick;
    enum cfg_finish on_finish;
    uint64_t reserve;        /* bytes of free RAM left to the firmware */
    unsigned max_pairs;      /* badram (addr, mask) budget */
    int tests_given;         /* tests= was set (stress mode defaults to test 5 otherwise) */
    int focus_cells;         /* focus=cells: only around cells already in errors.csv */
    uint64_t focus_margin;   /* bytes either side of each such cell */
    int temp_stub_from, temp_stub_to;  /* temp_stub=A[-B]; FAILBIT_NO_TEMP: off */
    uint64_t bitfade_ms;     /* test 10's wait per pattern (0s and 1s), when bitfade_set */
    int bitfade_set;         /* bitfade_sleep= given: used on every pass; else mt_fade_ms() */
    uint64_t ap_timeout_s;   /* an AP silent this long is dropped, its chunk re-run */
    unsigned debug_hang_cpu; /* test hook: this AP hangs mid-test (0: off) */
    uint64_t debug_hang_ms;  /* ... for this long, then resumes (debug_hang_cpu=N:8s); 0: for ever */
    enum cfg_coverage coverage; /* full: ExitBootServices, hand results to the next boot */
    unsigned debug_fault;    /* test hook: fault on purpose after ExitBootServices */
    int full_bsmem_skip;          /* full_bsmem=skip: leave boot-services memory untested */
    unsigned debug_varstore_kib;  /* test hook: pretend the variable store has this much free */
    unsigned debug_full_fail;     /* test hook: 1 reset before the first checkpoint, 2 the exit fails */
    unsigned debug_reset;         /* test hook: the reset starts at fallback N (1 cf9, 2 kbc, 3 triple) */
    unsigned debug_silent_cpu; /* test hook: this AP starts but never checks in (full coverage) */
    uint64_t hold_ms;        /* retention dwell between write and verify (0: off) */
    uint64_t seed;           /* run seed of the random patterns (0: from the TSC at start) */
    uint64_t hammer_ms;      /* test 11: time per bank */
    unsigned hammer_rowshift;  /* test 11: row = address >> this */
    int hammer_fence;        /* test 11: mfence after each round */
    int ecc_poll;            /* ecc=poll: machine-check banks polled on every CPU (0: ecc=off) */
    int usb_off;             /* usb=off: full coverage leaves the xHCI controllers alone */
};

/* One key of weakbit.cfg. */
struct config_key {
    const char *name;
    const char *def;       /* default as it would be written in weakbit.cfg; NULL: unset */
    const char *unset;     /* what "unset" means, for the docs ("all RAM"), when def is NULL */
    /* Apply a value; NULL on success, else why it is bad (the setting is untouched). */
    const char *(*set)(struct wb_config *cfg, const char *v, size_t n);
    const char *help;      /* one line, as in README's table */
};

/* The key table: every key with its default, parser and help. */
const struct config_key *config_keys(unsigned *n);

/* The key named s[0..n), or NULL. */
const struct config_key *config_find_key(const char *s, size_t n);

/* Every key at its default, from the key table (the only place defaults are
 * written): tests 0,2-10, 1 pass, test mode, all CPUs in parallel, all RAM,
 * 1 MiB granule, wait for a key at the end, 64 MiB reserve, 150 ms dwell. */
void config_defaults(struct wb_config *cfg);

/* Receives one human-readable problem per call, without a newline. */
typedef void (*config_warn_fn)(void *ctx, const char *msg);

/* Apply every key=value token in text[0..len). `src` names the source in
 * messages ("weakbit.cfg", "load options"). Returns the number of problems. */
unsigned config_parse(struct wb_config *cfg, const char *src, const char *text, size_t len,
                      config_warn_fn warn, void *ctx);

/* Parsers shared with the host CLI. Return 0 on success. */
int config_parse_size(const char *s, size_t n, uint64_t *out);     /* 4096, 4K, 1M, 2G, 0x1000 */
int config_parse_granule(const char *s, size_t n, uint64_t *out);  /* size, power of two >= 4 KiB */

/* "0,2-10" style rendering of a test mask, for the report. */
void config_tests_str(uint32_t tests, char *buf, size_t cap);

#endif
