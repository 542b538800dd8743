// SPDX-License-Identifier: MIT
#include "fullmode/bare/bcon.h"
#include "fullmode/bare/ps2.h"
#include "fullmode/bare/uart.h"
#include "core/fmt.h"

static int have_uart, have_fb, have_ps2;
static unsigned last_key = ~0u;
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

static void out(int alert, const char *fmt, va_list ap)
{
    char line[512];
    fmt_vformat(line, sizeof line, fmt, ap);
    if (have_uart)
        uart_puts(line);
    if (have_fb)
        fbcon_puts(line, alert ? FBCON_ALERT : FBCON_NORMAL);
}

void bcon_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    out(0, fmt, ap);
    va_end(ap);
}

void bcon_alert(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    out(1, fmt, ap);
    va_end(ap);
}

void bcon_status(unsigned key, const char *fmt, ...)
{
    char line[160];
    va_list ap;
    va_start(ap, fmt);
    fmt_vformat(line, sizeof line, fmt, ap);
    va_end(ap);
    if (have_fb)
        fbcon_status(line);
    if (key != last_key && have_uart) {
        uart_puts(line);
        uart_puts("\n");
    }
    last_key = key;
}

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
    return key;
}
