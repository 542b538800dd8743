// SPDX-License-Identifier: MIT
// How much a full-coverage run may write into the firmware's variable store.
// EDK II appends a new copy of a variable on every SetVariable after
// ExitBootServices and reclaims the space only at the next boot; a full store
// refuses every write after it, the final record included (and a full store
// has bricked laptops). So the run gets a budget from QueryVariableInfo before
// the exit: every checkpoint is paid for in full, 5 KiB always stay free (as
// Linux keeps), and room for the final record stays reserved. Checkpoints
// back off (15 s, then twice as long each time, up to 10 min) and stop when
// the budget would not leave that room; the final record is written whenever
// it fits what is left.
#ifndef EFI_CORE_NVBUDGET_H
#define EFI_CORE_NVBUDGET_H

#include <stdint.h>

#define NVBUDGET_KEEP_FREE (5u << 10)     /* never leave less than this free */
#define NVBUDGET_VAR_COST 128u            /* per variable: header and name in the store */
#define NVBUDGET_FIRST_GAP_MS 15000u
#define NVBUDGET_MAX_GAP_MS 600000u

struct nvbudget {
    uint64_t start_free;      /* free bytes at the start (or the debug_varstore_kib= pretence) */
    uint64_t spent;           /* bytes written so far, variable overhead included */
    uint64_t gap_ms, next_ms; /* back-off: the next checkpoint not before next_ms */
    uint32_t writes, skipped, failed;
};

/* The store had `free_bytes` free before the exit. */
void nvbudget_init(struct nvbudget *b, uint64_t free_bytes);

/* What a record of `len` bytes in `vars` variables costs in the store. */
uint64_t nvbudget_cost(uint64_t len, unsigned vars);

/* Bytes still free for this run by its own count (and by the firmware's
 * count now, `fw_free`, when it answers: UINT64_MAX when it does not). */
uint64_t nvbudget_free(const struct nvbudget *b, uint64_t fw_free);

/* May a checkpoint costing `cost` be written at `now_ms`? `final`: the last
 * record (no back-off, no reserve); otherwise `reserve` bytes must stay for
 * the final one. A refusal of a due checkpoint is counted in skipped and
 * backs off like a write. */
int nvbudget_may(struct nvbudget *b, uint64_t cost, uint64_t reserve, uint64_t fw_free, int final,
                 uint64_t now_ms);

/* Is a checkpoint due at `now_ms` (the back-off elapsed)? */
int nvbudget_due(const struct nvbudget *b, uint64_t now_ms);

/* A write of `cost` bytes was attempted at `now_ms`; ok or not, the store may
 * hold it (a failed write is counted as spent too). */
void nvbudget_wrote(struct nvbudget *b, uint64_t cost, int ok, uint64_t now_ms);

#endif
