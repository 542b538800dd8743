// SPDX-License-Identifier: MIT
// The person at the machine: the live status line, the keys (Esc stops,
// P pauses, S skips the current test), alerts for cells, and the beep.
#ifndef EFI_UI_H
#define EFI_UI_H

#include "core/session.h"

/* Housekeeping between blocks: keys, the stress clock, the status line.
 * Returns non-zero when the current test should end (stop or skip). */
int ui_poll(struct session *s);

/* Show a cell an error touched for the first time this session (at most
 * a few a second, the rest counted); a new cell also beeps (at most every
 * two seconds, without stopping anything). The caller logs it. */
void ui_cell(struct session *s, const struct session_cell_news *n, uint64_t expected,
             uint64_t actual);

/* Stop the speaker if its beep is over (or now, with now_anyway). */
void ui_beep_off(int now_anyway);

/* Wait for a key, dropping the ones pressed before. */
void ui_wait_key(void);

#endif
