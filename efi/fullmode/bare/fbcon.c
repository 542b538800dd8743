// SPDX-License-Identifier: MIT
#include "fullmode/bare/fbcon.h"

#define CW 8
#define CH 16

extern const uint8_t fbcon_font[95][16];   /* generated at build time (tools/psf2c) */

static struct fb_info fb;
static unsigned cols, rows, col, row;      /* the last row holds the status line */
static int ready;

static uint32_t rgb(uint8_t r, uint8_t g, uint8_t b)
{
    return fb.bgr ? (uint32_t)r << 16 | (uint32_t)g << 8 | b : (uint32_t)b << 16 | (uint32_t)g << 8 | r;
}

static volatile uint32_t *px(unsigned x, unsigned y)
{
    return (volatile uint32_t *)(uintptr_t)(fb.base + 4ull * ((uint64_t)y * fb.stride + x));
}

int fbcon_init(const struct fb_info *f)
{
    ready = 0;
    if (!f || !f->base || f->width < 320 || f->height < 200 || f->stride < f->width ||
        4ull * f->stride * f->height > f->size)
        return -1;
    fb = *f;
    cols = fb.width / CW;
    rows = fb.height / CH;
    col = row = 0;
    for (unsigned y = 0; y < fb.height; y++)
        for (unsigned x = 0; x < fb.width; x++)
            *px(x, y) = 0;
    ready = 1;
    return 0;
}

static void glyph(unsigned cx, unsigned cy, char c, uint32_t fg, uint32_t bg)
{
    const uint8_t *g = c >= 0x20 && c < 0x7f ? fbcon_font[c - 0x20] : fbcon_font[0];
    for (unsigned y = 0; y < CH; y++)
        for (unsigned x = 0; x < CW; x++)
            *px(cx * CW + x, cy * CH + y) = g[y] >> (7 - x) & 1 ? fg : bg;
}

/* Text rows 0 .. rows-2 scroll; the framebuffer is uncached, so the copy is
 * slow but rare (one per line). */
static void scroll(void)
{
    unsigned h = (rows - 2) * CH;
    for (unsigned y = 0; y < h; y++)
        for (unsigned x = 0; x < cols * CW; x++)
            *px(x, y) = *px(x, y + CH);
    for (unsigned y = h; y < h + CH; y++)
        for (unsigned x = 0; x < cols * CW; x++)
            *px(x, y) = 0;
}

static void newline(void)
{
    col = 0;
    if (row + 1 < rows - 1)
        row++;
    else
        scroll();
}

void fbcon_puts(const char *s, enum fbcon_color c)
{
    if (!ready)
        return;
    uint32_t fg = c == FBCON_ALERT ? rgb(255, 255, 255) : rgb(192, 192, 192);
    uint32_t bg = c == FBCON_ALERT ? rgb(160, 0, 0) : 0;
    for (; *s; s++) {
        if (*s == '\n') {
            newline();
            continue;
        }
        if (col == cols)
            newline();
        glyph(col++, row, *s, fg, bg);
    }
}

void fbcon_status(const char *s)
{
    if (!ready)
        return;
    unsigned i = 0;
    for (; s[i] && i < cols; i++)
        glyph(i, rows - 1, s[i], rgb(255, 255, 0), 0);
    for (; i < cols; i++)
        glyph(i, rows - 1, ' ', 0, 0);
}
