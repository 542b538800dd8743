// SPDX-License-Identifier: MIT
// The PS/2 keyboard controller, polled, for Esc, P and S after ExitBootServices.
// A USB-only keyboard is not seen here (the firmware's USB stack is gone):
// use the serial console, or passes= and on_finish= so no key is needed.
#ifndef EFI_BARE_PS2_H
#define EFI_BARE_PS2_H

/* Is there a controller (status port not floating)? */
int ps2_present(void);

/* The last of Esc (0x1b), 'p' and 's' pressed since the last call, or 0.
 * Any other key gives 'k'; key releases are dropped. */
int ps2_key(void);

#endif
