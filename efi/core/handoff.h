// SPDX-License-Identifier: MIT
// The results of a full-coverage run, carried across a reset. After
// ExitBootServices there are no files: the run keeps its session in memory
// and stores this compact record in non-volatile UEFI variables at each
// checkpoint; the next boot decodes it and writes the files.
//
// The record is a little-endian byte string with a CRC-32; a store whose
// largest variable is smaller than the record gets it in several chunks,
// each naming its place and the record's length and CRC, so a lost, stale
// or damaged chunk is rejected instead of read as data.
#ifndef EFI_CORE_HANDOFF_H
#define EFI_CORE_HANDOFF_H

#include <stddef.h>
#include <stdint.h>
#include "core/memrange.h"
#include "core/memplan.h"
#include "core/session.h"

#define HANDOFF_MAX_TESTS (MT_MAX_TEST + 1)
#define HANDOFF_MAX_RANGES 256   /* PLAN_MAX_TEST: every tested range fits */
_Static_assert(HANDOFF_MAX_RANGES >= PLAN_MAX_TEST, "the record holds every tested range");
#define HANDOFF_MAX_CHUNKS 32
#define HANDOFF_REC_BYTES (64u << 10)   /* the encoded record fits in this */
#define HANDOFF_CHUNK_HEAD 16    /* bytes of chunk header before the payload */
#define HANDOFF_MAX_CPUS 64
/* What the record carries of the session's conclusions. Rows and summaries
 * are what errors.csv gets; cells keep their merged state (count, tests,
 * certain sightings, first and last time); the bad granules, as merged
 * ranges, are what badram.txt covers. Cells past HANDOFF_MAX_CELLS lie in a
 * summary range or a carried granule: counted, never dropped. */
#define HANDOFF_MAX_ROWS SESSION_CARRY_ROWS
#define HANDOFF_MAX_SUMS SESSION_CARRY_SUMS
#define HANDOFF_MAX_CELLS 256
#define HANDOFF_MAX_GRAN 512

struct handoff_test {
    uint8_t num;
    uint16_t runs, skipped_runs;
    uint64_t ms, bytes, error_words, dwell_ms;
};

/* A range left out, with a code the plan that made it defines. */
struct handoff_excl {
    uint64_t base, len;
    uint8_t why;
};

/* One CPU of the run: slot order (0 = the boot CPU), then the APs that
 * never checked in. */
enum handoff_cpu_state {
    HANDOFF_CPU_RAN = 1,       /* the BSP, or an AP weakbit started */
    HANDOFF_CPU_FENCED,        /* started, missed a deadline, fenced off */
    HANDOFF_CPU_MISSING,       /* listed in the MADT, never checked in */
};

struct handoff_cpu {
    uint32_t apic_id;
    uint8_t state;             /* enum handoff_cpu_state */
    uint64_t bytes, busy_ms;   /* tested by it, time in kernels */
    /* the scheduler's fence accounting (struct sched_cpu) */
    uint16_t parked, forced;   /* fenced runs after which it stopped / was stopped */
    uint64_t unretested, late; /* bytes not re-tested; reports after its deadline */
};

struct handoff {
    uint32_t seq;              /* checkpoint number, 1 = the first */
    int finished;              /* the run reached its end (else: cut short) */
    int faulted;               /* a CPU exception ended it */
    uint32_t vector;           /* the exception, when faulted */
    uint32_t fault_apic;       /* ... on the CPU with this APIC ID */
    int fault_ap;              /* ... an AP (the boot CPU stored the record) */
    uint64_t rip, cr2, fault_err;
    int user_stop;             /* Esc */
    char id[40], started[32];
    uint64_t elapsed_ms;
    uint32_t passes_done, pass;
    uint64_t seed;             /* the run seed: seed= with it replays the patterns */
    uint32_t hold_ms;          /* the retention dwell the run used */
    char temp_source[64];      /* the CPU temperature sensor the run read */
    uint64_t ram_bytes, usable_bytes, tested_bytes, footprint_bytes;
    unsigned ntests;
    struct handoff_test tests[HANDOFF_MAX_TESTS];
    unsigned ntested;
    struct mem_range tested[HANDOFF_MAX_RANGES];
    unsigned nexcl;
    struct handoff_excl excl[HANDOFF_MAX_RANGES];
    /* the variable store: checkpoints written (this one included), their
     * bytes, those skipped to keep room for the final record, failed writes */
    uint32_t nv_writes, nv_skipped, nv_failed;
    uint64_t nv_bytes, nv_free;    /* ... and what was free before the exit */
    uint32_t shrunk;           /* handoff_shrink steps this record took to fit */
    int32_t boot_next;         /* the boot option BootNext named before the exit, or -1 */
    unsigned madt_cpus;        /* enabled processors the MADT lists */
    unsigned fw_cpus;          /* processors MP services counted (0: unknown) */
    unsigned ncpus;
    struct handoff_cpu cpus[HANDOFF_MAX_CPUS];
    uint64_t cpu_refused, cpu_late, ring_waits;   /* the scheduler's tally */
    /* the session's conclusions (handoff_from_session) */
    uint64_t error_words, error_rows, rows_unlogged;
    struct fold_acct acct;     /* where every word went: rows or summaries */
    uint64_t new_cells, reseen_cells;
    uint64_t cells_total;      /* distinct cells in the run's table */
    uint64_t cells_dropped;    /* failing bits that found the table full */
    uint32_t sums_merged;      /* summaries merged into a neighbour for room */
    uint64_t granule;          /* the granule of gran[] */
    uint64_t gran_widened;     /* good bytes gran[] took in to fit */
    struct session_mce mce;    /* machine-check polling: counts and event rows */
    struct session_hammer hammer;  /* row hammer: words per phase, aggressor pairs */
    unsigned nrows, nsums, ncells, ngran;
    struct failbit rows[HANDOFF_MAX_ROWS];
    struct failsum sums[HANDOFF_MAX_SUMS];
    struct cell cells[HANDOFF_MAX_CELLS];
    struct mem_range gran[HANDOFF_MAX_GRAN];
};

/* Room handoff_from_session needs to sort the session's cells. */
struct handoff_scratch {
    struct cell *cells;        /* cap: the session's cell table's cap */
    uint64_t *gran;            /* cap as well */
    unsigned cap;
};

/* The session's conclusions into h (the rest of h stays as the caller set
 * it): accounting, tests, rows, summaries, the cells that fit (those no
 * summary covers first) and every bad granule as merged ranges (merged
 * further, the gap counted in gran_widened, when more than fit). */
void handoff_from_session(struct handoff *h, const struct session *s, const struct handoff_scratch *x);

/* Make a record smaller for a store with little room, one step a call:
 * first drop the cells a summary covers (they stay counted in cells_total
 * and their granules in gran[]), then every cell (a row's cell comes back
 * from the row), then halve the granule runs by merging the closest
 * neighbours (the gap counted in gran_widened). Rows, summaries and counts
 * stay whole. Returns 0 when there is nothing left to shrink. */
int handoff_shrink(struct handoff *h);

/* The other way, at the next boot: the session's name, counts, tests,
 * tested ranges and cells as the run left them; errors.csv's rows and
 * "# summary" and "# ecc" lines go to csv (room for HANDOFF_MAX_ROWS * 128 +
 * HANDOFF_MAX_SUMS * 200 + SESSION_MCE_EVENTS * 240 bytes). s->handed points into h: keep h while s
 * is used. */
void handoff_to_session(const struct handoff *h, struct session *s, struct sbuf *csv);

enum handoff_err {
    HANDOFF_OK = 0,
    HANDOFF_SHORT = -1,        /* truncated */
    HANDOFF_MAGIC = -2,        /* not a weakbit record */
    HANDOFF_VERSION = -3,      /* written by another format version */
    HANDOFF_CRC = -4,          /* damaged */
    HANDOFF_BAD = -5,          /* counts out of range */
    HANDOFF_CHUNKS = -6,       /* chunks missing, repeated or disagreeing */
};

/* Bytes the record of `h` takes (to size buffers). */
size_t handoff_size(const struct handoff *h);

/* Encode into buf[cap]. Returns the length, or 0 when it does not fit. */
size_t handoff_encode(const struct handoff *h, uint8_t *buf, size_t cap);

/* Decode. Returns HANDOFF_OK or an error. */
int handoff_decode(struct handoff *h, const uint8_t *buf, size_t len);

/* One chunk of a split record. */
struct handoff_chunk {
    const uint8_t *p;
    size_t len;
};

/* Split rec[len] into chunks of at most max_chunk bytes (header included),
 * written one after another into out[cap]; chunks[] points into out.
 * Returns the chunk count, or 0 when max_chunk is too small, more than
 * max chunks would be needed, or out is too small. */
unsigned handoff_split(const uint8_t *rec, size_t len, size_t max_chunk, uint8_t *out, size_t cap,
                       struct handoff_chunk *chunks, unsigned max);

/* Join chunks (any order) back into rec[cap]; *len gets the record's
 * length. Returns HANDOFF_OK or HANDOFF_CHUNKS / HANDOFF_SHORT / HANDOFF_CRC. */
int handoff_join(const struct handoff_chunk *chunks, unsigned n, uint8_t *rec, size_t cap,
                 size_t *len);

/* Read a stored record back: `read` fetches chunk `idx` into buf[cap] and
 * returns its length, 0 when it does not exist, negative on a read error.
 * Chunk 0 says how many there are; they go one after another into
 * scratch[scap] and are joined into rec[cap]. Returns the record's length,
 * 0 when there is no chunk 0, or a negative HANDOFF_* error. One loop for
 * the app's next boot (UEFI variables) and `weakbit results` (efivarfs). */
long handoff_gather(long (*read)(void *ctx, unsigned idx, uint8_t *buf, size_t cap), void *ctx, uint8_t *rec,
                    size_t cap, uint8_t *scratch, size_t scap);

/* The chunk count a chunk's header announces (0: not a chunk). */
unsigned handoff_chunk_count(const uint8_t *p, size_t len);

/* Short text for an error code. */
const char *handoff_strerror(int err);

/* CRC-32 (IEEE 802.3, as zlib). */
uint32_t handoff_crc32(const uint8_t *p, size_t n);

#endif
