// SPDX-License-Identifier: MIT
// Elapsed time from the TSC, calibrated against the firmware's Stall().
#ifndef EFI_TIMER_H
#define EFI_TIMER_H

#include <stdint.h>

/* Calibrate and mark t=0. */
void timer_init(void);
/* Milliseconds since timer_init(). */
uint64_t timer_ms(void);
/* Microseconds since timer_init(); callable on any CPU. */
uint64_t timer_us(void);
/* Milliseconds since timer_init() at an earlier TSC reading (any CPU: the
 * TSC is invariant and synchronised on the machines we target; the report
 * says when it is not, see timer_tsc_note). */
uint64_t timer_tsc_ms(uint64_t tsc);

/* "invariant (...)" or "NOT invariant (...)", for the report. */
const char *timer_tsc_note(void);

/* TSC ticks per millisecond found by calibration. */
uint64_t timer_tsc_per_ms(void);

#endif
