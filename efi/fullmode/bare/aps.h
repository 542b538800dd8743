// SPDX-License-Identifier: MIT
// Starting the other CPUs after ExitBootServices, without the firmware:
// the trampoline (boot/trampoline.asm) in a page below 1 MiB reserved
// before the exit, then INIT, 10 ms, start-up IPI, 200 us, a second one,
// 200 us (Intel SDM Vol. 3, "MP initialization"), timed by the TSC. Each
// AP checks in; one that does not within the timeout is left out, sent an
// INIT so it cannot wake later, and named. The rest run sched_ap_loop
// until aps_park, which parks them with INIT before the hand-off and reset.
#ifndef EFI_BARE_APS_H
#define EFI_BARE_APS_H

#include <stddef.h>
#include <stdint.h>
#include "fullmode/bare/apic.h"
#include "core/sched.h"

#define APS_MAX (SMP_MAX_CPUS - 1)
#define APS_STACK_BYTES (64u << 10)
#define APS_FAULT_ADDR 0x7ff000000000ull   /* canonical, never mapped (debug_fault=) */
#define APS_CHECKIN_MS 3000

/* Gathered before the exit (efi/fullmode/full.c). */
struct aps_plan {
    uint64_t page;                 /* trampoline page below 1 MiB; 0: none */
    struct apic_info apic;
    uint32_t bsp_id;
    unsigned n;                    /* APs to start, in MADT order */
    uint32_t id[APS_MAX];
    uint64_t stack_top[APS_MAX];
    int need_x2;                   /* an APIC ID above 254 */
    unsigned silent;               /* debug_silent_cpu=: that AP (1 = first) never checks in */
    unsigned fault;                /* debug_fault=2: the first AP faults once released */
    uint64_t tsc_per_ms;
};

/* What the start gave. Slot 0 is the BSP. */
struct aps_result {
    unsigned started;              /* APs that checked in */
    uint32_t slot_id[SMP_MAX_CPUS];/* APIC ID per slot */
    unsigned nmissing;
    uint32_t missing[APS_MAX];     /* APIC IDs that did not check in */
    uint32_t alive, stray;         /* trampoline counters, for diagnosis */
};

/* Start the APs of `p` on page tables `cr3` (5-level when la57). Returns 0
 * (r filled; some may be missing), or -1 with the reason in why. */
int aps_start(struct aps_plan *p, uint64_t cr3, int la57, struct aps_result *r, char *why, size_t cap);

/* Hand the started APs to the scheduler (after sched_init with
 * 1 + r->started CPUs): they enter sched_ap_loop. */
void aps_release(struct sched *s, const struct aps_result *r);

/* Fence slot `slot` for good: INIT. */
void aps_fence(unsigned slot);

/* Leave the scheduler and park every started AP (INIT). Returns how many
 * did not leave the scheduler in time (they get the INIT anyway). */
unsigned aps_park(struct sched *s);

#endif
