// SPDX-License-Identifier: MIT
// The hand-off record in non-volatile UEFI variables under weakbit's own
// vendor GUID, through the runtime services (physical mode: weakbit never
// calls SetVirtualAddressMap), and the warm reset. The only file in
// efi/fullmode/bare/ that includes <efi.h>; the next boot reads the same variables.
//
// Checkpoints alternate between two sets of variables (WeakbitA00.., B00..):
// a power cut while one set is written leaves the other whole.
#ifndef EFI_BARE_RTVAR_H
#define EFI_BARE_RTVAR_H

#include <stddef.h>
#include <stdint.h>

/* Store the record rec[len] as set `set` (0 or 1), split into chunks of at
 * most max_chunk bytes; `scratch` holds len + 32 * 16 bytes. Returns the
 * chunk count, or -1 (split impossible, or SetVariable refused). */
int rtvar_store(unsigned set, const uint8_t *rec, size_t len, size_t max_chunk, uint8_t *scratch,
                size_t scratch_cap);

/* Read set `set` back and join it into rec[cap]. Returns the record's
 * length, 0 when the set does not exist, or a negative HANDOFF_* error. */
long rtvar_load(unsigned set, uint8_t *rec, size_t cap, uint8_t *scratch, size_t scratch_cap);

/* Delete every variable of both sets. Returns how many existed. */
unsigned rtvar_delete_all(void);

/* The store's limits (QueryVariableInfo for non-volatile, runtime-access
 * variables). 0 on success. */
int rtvar_limits(uint64_t *max_storage, uint64_t *remaining, uint64_t *max_var);

/* Free bytes in the store now (QueryVariableInfo at run time), or
 * UINT64_MAX when the firmware does not say. */
uint64_t rtvar_free(void);

/* Make the next boot start the boot option this one came from (BootNext =
 * BootCurrent), so the results are written whatever the boot order says.
 * Returns the option number, or -1 when the firmware names none. */
int rtvar_boot_next_here(void);

/* The boot option this boot came from (BootCurrent), or -1. */
int rtvar_boot_current(void);

/* The note a full-coverage attempt leaves before ExitBootServices, so that
 * the next boot knows an attempt that left no record behind (a reset or a
 * hang before its first checkpoint, or an exit that failed) and tests in
 * firmware mode instead of trying again in a loop. */
enum rtvar_attempt {
    RTVAR_ATTEMPT_STARTED = 1,      /* about to leave the firmware */
    RTVAR_ATTEMPT_EXIT_FAILED = 2,  /* ExitBootServices failed; `why` says how */
};
int rtvar_attempt_set(unsigned reason, const char *id, const char *why);
/* 1 and the note when there is one, else 0. */
int rtvar_attempt_get(unsigned *reason, char *id, size_t id_cap, char *why, size_t why_cap);
void rtvar_attempt_clear(void);

/* ResetSystem, warm (the run goes on to the next boot). Firmware whose
 * ResetSystem returns is not trusted further: the chipset's reset control
 * register (0xCF9), the keyboard controller's reset line, then a triple
 * fault. `from` (debug_reset=) starts at a later step: 1 = 0xCF9, 2 = the
 * keyboard controller, 3 = the triple fault. */
void rtvar_reset_from(unsigned from);
void rtvar_reset_warm(void) __attribute__((noreturn));

#endif
