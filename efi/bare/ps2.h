// SPDX-License-Identifier: MIT
// The PS/2 keyboard controller, polled, for Esc after ExitBootServices.
// A USB-only keyboard is not seen here (the firmware's USB stack is gone):
// use the serial console, or passes= and on_finish= so no key is needed.
#ifndef EFI_BARE_PS2_H
#define EFI_BARE_PS2_H

/* Is there a controller (status port not floating)? */
int ps2_present(void);

/* Esc pressed since the last call: 1, else 0. Other keys are dropped. */
int ps2_esc(void);

#endif
