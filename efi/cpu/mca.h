// SPDX-License-Identifier: MIT
// This machine's machine-check banks, polled the same way in both modes:
// each CPU probes its own banks (CPUID, IA32_MCG_CAP, MCA_IPID on AMD's
// scalable MCA) the first time it polls, then reads and clears them through
// core/mce.c. No firmware call: safe on APs and after ExitBootServices.
#ifndef EFI_MCA_H
#define EFI_MCA_H

#include "core/mce.h"
#include "core/session.h"

/* The scheduler's mce_poll hook: this CPU's banks, as slot `slot`. */
unsigned mca_poll(unsigned slot, struct mce_event *out, unsigned cap);

/* After the run: banks polled (the most any CPU had) and the CPUs that
 * polled, into the session's ECC facts (state SESSION_MCE_POLL). */
void mca_report(struct session_mce *m);

/* In a machine-check handler: probe this CPU afresh and take its banks'
 * memory errors (cleared). */
unsigned mca_poll_now(struct mce_event *out, unsigned cap);

/* Does this CPU have the machine-check architecture (MCG_* MSRs)? */
int mca_has_banks(void);

/* CR4.MCE on this CPU: 1 set, 0 clear. */
int mca_cr4_mce(void);

#endif
