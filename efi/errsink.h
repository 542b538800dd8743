// SPDX-License-Identifier: MIT
// The error path of a firmware-mode run: every failing word the CPUs report
// goes through the session into errors.csv rows and summary records,
// written in one append per drain, and only then are new cells shown.
#ifndef EFI_ERRSINK_H
#define EFI_ERRSINK_H

#include <stdint.h>
#include "core/session.h"

/* Errors go to `s`; `files`: errors.csv can be written. */
void errsink_init(struct session *s, int files);

/* One wrong word (mp_hooks.error); ctx is unused. */
void errsink_error(void *ctx, unsigned cpu, uint64_t addr, uint64_t expected, uint64_t actual,
                   uint64_t tsc, unsigned flags);

/* Write what gathered, then show the new cells (mp_hooks.flush). */
void errsink_flush(void *ctx);

#endif
