// SPDX-License-Identifier: MIT
// The console after ExitBootServices: every line to the polled UART and as
// text into the GOP framebuffer; keys from the UART and the PS/2 controller.
#ifndef EFI_BARE_BCON_H
#define EFI_BARE_BCON_H

#include <stdint.h>
#include "fullmode/bare/fbcon.h"
#include "core/conout.h"

/* Outputs: a 16550 at `port` (0: none) and a framebuffer (NULL: none). */
void bcon_init(uint16_t port, const struct fb_info *fb);

/* Which outputs work, for the report ("serial 0x3f8 and framebuffer"). */
const char *bcon_route(void);

/* The UART and the framebuffer behind the one console front. */
extern struct conout bcon;

#define bcon_printf(...) conout_print(&bcon, __VA_ARGS__)
/* Highlighted on the framebuffer, same text on serial. */
#define bcon_alert(...) conout_alert(&bcon, __VA_ARGS__)
/* A status line: rewritten in place on the framebuffer; on serial only
 * when the key changes, so logs stay readable. */
#define bcon_status(...) conout_status(&bcon, __VA_ARGS__)

/* The last of Esc (0x1b), 'p' and 's' from serial or PS/2 since the last
 * call (either case on serial), or 0; any other key gives 'k'. */
int bcon_key(void);

#endif
