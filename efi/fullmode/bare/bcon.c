// SPDX-License-Identifier: MIT
#include "fullmode/bare/bcon.h"
#include "fullmode/bare/ps2.h"
#include "fullmode/bare/uart.h"
#include "fullmode/bare/xhci.h"
#include "core/fmt.h"

static int have_uart, have_fb, have_ps2;
static char route[64] = "none";

void bcon_init(uint16_t port, const struct fb_info *fb)
{
    have_uart = uart_init(port) == 0;
    have_fb = fb && fbcon_init(fb) == 0;
    have_ps2 = ps2_present();
    fmt_format(route, sizeof route, "%s%s%s", have_uart ? "serial" : "",
               have_uart && have_fb ? " and " : "", have_fb ? "framebuffer" : "");
    if (!have_uart && !have_fb)
        fmt_format(route, sizeof route, "none");
}

const char *bcon_route(void)
{
    return route;
}

static void line(int alert, const char *text)
{
    if (have_uart)
        uart_puts(text);
    if (have_fb)
        fbcon_puts(text, alert ? FBCON_ALERT : FBCON_NORMAL);
}

static void status(const char *text, int moved)
{
    if (have_fb)
        fbcon_status(text);
    if (moved && have_uart) {
        uart_puts(text);
        uart_puts("\n");
    }
}

struct conout bcon = { .line = line, .status = status, .last_key = ~0u };

int bcon_key(void)
{
    int key = 0, c;
    while ((c = uart_getc()) >= 0) {
        c = c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
        key = c == 0x1b || c == 'p' || c == 's' ? c : 'k';
    }
    if (have_ps2) {
        int k = ps2_key();
        key = k ? k : key;
    }
    int u = xhci_key();
    return u ? u : key;
}
