// SPDX-License-Identifier: MIT
// What a boot after a full-coverage run says of it, from its hand-off
// record alone: the coverage lines, the per-CPU lines and the platform
// facts the session's report needs. Pure, so the app's next boot and
// `weakbit results` on Linux write the same report from the same record.
#ifndef EFI_CORE_RECOVERY_H
#define EFI_CORE_RECOVERY_H

#include "core/handoff.h"
#include "core/session.h"

struct recovery_text {
    char coverage[16384];
    char cpu_lines[HANDOFF_MAX_CPUS * 112 + 128];
    char cpu_note[160];
};

/* Fill t from h and point pf at it: counted, CPUs, temperature source, total
 * time, coverage. The caller sets firmware, serial_route, dimm_lines and
 * files_note. */
void recovery_platform(const struct handoff *h, struct recovery_text *t, struct session_platform *pf);

/* "finished", "cut short" or "ended by an exception". */
const char *recovery_state(const struct handoff *h);

/* Short name of an x86 exception vector ("page fault"). */
const char *recovery_vector_name(uint32_t v);

#endif
