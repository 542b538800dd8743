// SPDX-License-Identifier: MIT
// The person at the machine in firmware mode: the keys as the run loop
// (core/runloop.c) reads them, alerts for cells, and the beep.
#ifndef EFI_UI_H
#define EFI_UI_H

#include "core/session.h"

/* The last key since the last call: Esc 0x1b, 'p', 's', any other 'k'; 0 none. */
int ui_key(void);

/* A short wait (10 ms) that keeps the beep timed, for the pause. */
void ui_idle(void);

/* Between blocks: the beep ends on time. */
void ui_tick(void *ctx);

/* A new cell was shown: a beep (at most every two seconds, started here
 * and stopped by ui_tick, so it never stops anything). */
void ui_bell(void *ctx);

/* Stop the speaker if its beep is over (or now, with now_anyway). */
void ui_beep_off(int now_anyway);

/* Wait for a key, dropping the ones pressed before. */
void ui_wait_key(void);

#endif
