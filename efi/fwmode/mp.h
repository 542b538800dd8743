// SPDX-License-Identifier: MIT
// Firmware mode's launcher: EFI_MP_SERVICES_PROTOCOL starts every chosen AP
// once, in the scheduler's AP loop (core/sched.c), for the whole run; the
// scheduler does the rest, as in full coverage. APs never call boot
// services. Without the protocol, or with cpus=1, everything runs on the
// BSP and the report says so.
#ifndef EFI_MP_H
#define EFI_MP_H

#include "core/config.h"
#include "core/sched.h"

/* Find the protocol and choose the CPUs (cfg->cpus, cfg->cpu_mode). */
void mp_init(const struct wb_config *cfg);

/* What MP services count (total and enabled processors), without using
 * them: full coverage cross-checks the MADT with it. 0, or -1 when absent. */
int mp_firmware_count(unsigned *total, unsigned *enabled);

unsigned mp_cpus_found(void);
unsigned mp_cpus_used(void);   /* slots chosen by mp_init; q->ncpus after mp_start */
const char *mp_note(void);     /* why fewer CPUs are used, or NULL */

/* Name the slots of `q` (sched_init'ed with mp_cpus_used() CPUs) by their
 * processor numbers and start the APs in sched_ap_loop. When the firmware
 * refuses, q runs on the BSP alone and mp_note says why. */
void mp_start(struct sched *q);

/* The end of the run: the APs leave the loop and the firmware is given a
 * moment to see them done. */
void mp_stop(struct sched *q);

#endif
