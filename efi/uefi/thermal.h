// SPDX-License-Identifier: MIT
// CPU temperature for the stress status line and the error rows: Intel's
// digital thermal sensor (IA32_THERM_STATUS against IA32_TEMPERATURE_TARGET),
// AMD's documented northbridge/SMN temperature registers, or a stub
// (temp_stub=) for virtual machines that have no sensor.
#ifndef EFI_THERMAL_H
#define EFI_THERMAL_H

#include "core/config.h"

/* Pick the source; `duration_ms` spreads a stub ramp over the session. */
void thermal_init(const struct wb_config *cfg, uint64_t duration_ms);

/* Degrees Celsius now, or FAILBIT_NO_TEMP when there is no readable sensor. */
int thermal_read(void);

/* The same, read at most every 500 ms: one sensor read serves a burst of
 * errors. */
int thermal_read_recent(void);

/* Boot services are gone (coverage=full): the sensors are read the same
 * way, without raising the TPL. */
void thermal_after_exit(void);

/* The source for the report ("intel DTS (...)", "amd SMN (...)", "stub
 * (temp_stub=)"), or "n/a (why)". */
const char *thermal_source(void);

#endif
