// SPDX-License-Identifier: MIT
// Text drawn into the GOP framebuffer with a bitmap font, once the firmware
// (and its ConOut) is gone. The screen scrolls; one status line sits at the
// bottom.
#ifndef EFI_BARE_FBCON_H
#define EFI_BARE_FBCON_H

#include <stdint.h>

/* The framebuffer as GOP described it before the exit. */
struct fb_info {
    uint64_t base, size;
    uint32_t width, height, stride;   /* pixels; stride = pixels per scan line */
    int bgr;                          /* 1: blue in the low byte (GOP's BGRX), 0: RGBX */
};

enum fbcon_color { FBCON_NORMAL, FBCON_ALERT };

/* 0 when the framebuffer is usable (32 bits per pixel, big enough). */
int fbcon_init(const struct fb_info *fb);
void fbcon_puts(const char *s, enum fbcon_color c);
void fbcon_status(const char *s);

#endif
