// SPDX-License-Identifier: MIT
// The USB keyboard driver's pure parts on byte fixtures: TRB rings (cycle
// bits, the link TRB, wrapping), input contexts, descriptors, boot reports.
#include "check.h"
#include "core/usbdesc.h"
#include "core/usbring.h"
#include <stdlib.h>
#include <string.h>

/* A boot keyboard as QEMU's usb-kbd describes itself: configuration,
 * interface 0 (3/1/1), HID descriptor, interrupt IN endpoint 1, 8 bytes, 10 ms. */
static const uint8_t kbd_config[] = {
    0x09, 0x02, 0x22, 0x00, 0x01, 0x01, 0x00, 0xa0, 0x32,
    0x09, 0x04, 0x00, 0x00, 0x01, 0x03, 0x01, 0x01, 0x00,
    0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x3f, 0x00,
    0x07, 0x05, 0x81, 0x03, 0x08, 0x00, 0x0a,
};

/* A receiver with a mouse first, a keyboard's alternate setting 1 (not
 * used), then the keyboard on interface 2 with an OUT endpoint before its
 * IN one; configuration value 2. */
static const uint8_t combo_config[] = {
    0x09, 0x02, 0x49, 0x00, 0x02, 0x02, 0x00, 0xa0, 0x32,
    0x09, 0x04, 0x00, 0x00, 0x01, 0x03, 0x01, 0x02, 0x00,    /* mouse */
    0x07, 0x05, 0x81, 0x03, 0x04, 0x00, 0x01,
    0x09, 0x04, 0x01, 0x01, 0x01, 0x03, 0x01, 0x01, 0x00,    /* alternate setting 1 */
    0x07, 0x05, 0x85, 0x03, 0x08, 0x00, 0x01,
    0x09, 0x04, 0x02, 0x00, 0x02, 0x03, 0x01, 0x01, 0x00,    /* the keyboard */
    0x09, 0x21, 0x11, 0x01, 0x00, 0x01, 0x22, 0x3f, 0x00,
    0x07, 0x05, 0x02, 0x03, 0x08, 0x00, 0x04,                /* OUT: not it */
    0x07, 0x05, 0x83, 0x03, 0x40, 0x00, 0x04,
};

TEST(usb_finds_the_boot_keyboard)
{
    struct usb_kbd_iface k;
    CHECK_EQ_U64(usbdesc_config_len(kbd_config, sizeof kbd_config), sizeof kbd_config);
    CHECK_EQ_U64(usbdesc_find_kbd(kbd_config, sizeof kbd_config, &k), 0);
    CHECK(k.config == 1 && k.iface == 0 && k.ep == 0x81 && k.max_packet == 8 && k.interval == 10);
    CHECK_EQ_U64(sizeof combo_config, 0x49);
    CHECK_EQ_U64(usbdesc_find_kbd(combo_config, sizeof combo_config, &k), 0);
    CHECK(k.config == 2 && k.iface == 2 && k.ep == 0x83 && k.max_packet == 64 && k.interval == 4);
}

TEST(usb_descriptors_that_are_no_keyboard)
{
    struct usb_kbd_iface k;
    uint8_t b[sizeof kbd_config];
    memcpy(b, kbd_config, sizeof b);
    b[16] = 2;                                   /* protocol 2: a mouse */
    CHECK(usbdesc_find_kbd(b, sizeof b, &k) < 0);
    memcpy(b, kbd_config, sizeof b);
    b[15] = 0;                                   /* subclass 0: report protocol only */
    CHECK(usbdesc_find_kbd(b, sizeof b, &k) < 0);
    memcpy(b, kbd_config, sizeof b);
    b[29] = 0x01;                                /* the endpoint is OUT */
    CHECK(usbdesc_find_kbd(b, sizeof b, &k) < 0);
    memcpy(b, kbd_config, sizeof b);
    b[18] = 0;                                   /* bLength 0: would loop */
    CHECK(usbdesc_find_kbd(b, sizeof b, &k) < 0);
    memcpy(b, kbd_config, sizeof b);
    b[27] = 0x20;                                /* the endpoint runs past the end */
    CHECK(usbdesc_find_kbd(b, sizeof b, &k) < 0);
    CHECK(usbdesc_find_kbd(kbd_config, 20, &k) < 0);   /* cut short */
    CHECK(usbdesc_find_kbd(kbd_config, 8, &k) < 0);
    b[1] = 1;                                    /* a device descriptor */
    CHECK_EQ_U64(usbdesc_config_len(b, sizeof b), 0);
}

TEST(usb_device_descriptor_and_packet_sizes)
{
    static const uint8_t dev[18] = { 0x12, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x08, 0x27, 0x06, 0x01, 0x00 };
    struct usb_device_info d;
    CHECK_EQ_U64(usbdesc_device(dev, 8, &d), 0);
    CHECK(d.max_packet0 == 8 && d.dev_class == 0);
    CHECK_EQ_U64(usbdesc_device(dev, sizeof dev, &d), 0);
    CHECK(d.vendor == 0x0627 && d.product == 0x0001);
    CHECK(usbdesc_device(dev, 7, &d) < 0);
    CHECK(usbdesc_device(kbd_config, sizeof kbd_config, &d) < 0);
    CHECK_EQ_U64(usbdesc_max_packet0(USB_SPEED_FULL, 8), 8);
    CHECK_EQ_U64(usbdesc_max_packet0(USB_SPEED_FULL, 64), 64);
    CHECK_EQ_U64(usbdesc_max_packet0(USB_SPEED_FULL, 12), 0);
    CHECK_EQ_U64(usbdesc_max_packet0(USB_SPEED_HIGH, 64), 64);
    CHECK_EQ_U64(usbdesc_max_packet0(USB_SPEED_SUPER, 9), 512);
    CHECK_EQ_U64(usbdesc_max_packet0(USB_SPEED_LOW, 64), 0);
    CHECK_EQ_U64(usbdesc_default_packet0(USB_SPEED_LOW), 8);
    CHECK_EQ_U64(usbdesc_default_packet0(USB_SPEED_HIGH), 64);
    CHECK_EQ_U64(usbdesc_default_packet0(USB_SPEED_SUPER), 512);
}

TEST(usb_hub_descriptor_and_port_status)
{
    /* A 4-port high-speed hub: TT think time 2 (bits 6:5 of wHubCharacteristics), 100 ms to power good. */
    static const uint8_t hub[] = { 0x09, 0x29, 0x04, 0x49, 0x00, 0x32, 0x64, 0x00, 0xff };
    struct usb_hub_info h;
    CHECK_EQ_U64(usbdesc_hub(hub, sizeof hub, &h), 0);
    CHECK(h.ports == 4 && h.ttt == 2 && h.power_ms == 100);
    CHECK(usbdesc_hub(hub, 6, &h) < 0);
    CHECK(usbdesc_hub(kbd_config, sizeof kbd_config, &h) < 0);
    CHECK_EQ_U64(usbdesc_hub_port_speed(0x0103), USB_SPEED_FULL);   /* connected, enabled, powered */
    CHECK_EQ_U64(usbdesc_hub_port_speed(0x0303), USB_SPEED_LOW);
    CHECK_EQ_U64(usbdesc_hub_port_speed(0x0503), USB_SPEED_HIGH);
    CHECK_EQ_U64(usbdesc_hub_port_speed(0x0101), 0);               /* not enabled */
    CHECK_EQ_U64(usbdesc_hub_port_speed(0x0100), 0);
}

TEST(usb_interrupt_intervals)
{
    CHECK_EQ_U64(usbdesc_xhci_interval(USB_SPEED_FULL, 1), 3);     /* 1 ms */
    CHECK_EQ_U64(usbdesc_xhci_interval(USB_SPEED_FULL, 10), 6);    /* 8 ms */
    CHECK_EQ_U64(usbdesc_xhci_interval(USB_SPEED_LOW, 255), 10);   /* 128 ms */
    CHECK_EQ_U64(usbdesc_xhci_interval(USB_SPEED_FULL, 0), 3);
    CHECK_EQ_U64(usbdesc_xhci_interval(USB_SPEED_HIGH, 4), 3);     /* 2^3 x 125 us */
    CHECK_EQ_U64(usbdesc_xhci_interval(USB_SPEED_SUPER, 20), 15);
}

TEST(usb_report_keys)
{
    uint8_t none[8] = { 0 }, esc[8] = { 0, 0, HID_KEY_ESC }, p[8] = { 0, 0, HID_KEY_P },
            s_and_p[8] = { 0, 0, HID_KEY_P, HID_KEY_S }, enter[8] = { 0, 0, HID_KEY_ENTER },
            up[8] = { 0, 0, HID_KEY_UP }, shift[8] = { 0x02 }, rollover[8] = { 0, 0, 1, 1, 1, 1, 1, 1 },
            s_first[8] = { 0, 0, HID_KEY_S, 0 }, esc_p[8] = { 0, 0, HID_KEY_P, HID_KEY_ESC };
    CHECK_EQ_U64(usbdesc_report_key(none, esc), 0x1b);
    CHECK_EQ_U64(usbdesc_report_key(none, p), 'p');
    CHECK_EQ_U64(usbdesc_report_key(p, p), 0);                 /* held */
    CHECK_EQ_U64(usbdesc_report_key(p, none), 0);              /* released */
    CHECK_EQ_U64(usbdesc_report_key(p, s_and_p), 's');         /* only the new one */
    CHECK_EQ_U64(usbdesc_report_key(s_first, s_and_p), 'p');   /* order in the report does not matter */
    CHECK_EQ_U64(usbdesc_report_key(none, esc_p), 0x1b);       /* Esc wins */
    CHECK_EQ_U64(usbdesc_report_key(none, enter), 'k');
    CHECK_EQ_U64(usbdesc_report_key(none, up), 'k');
    CHECK_EQ_U64(usbdesc_report_key(none, shift), 0);          /* a modifier alone */
    CHECK_EQ_U64(usbdesc_report_key(p, rollover), 0);
    CHECK(usbdesc_report_error(rollover) && !usbdesc_report_error(s_and_p));
}

/* The controller's side of a producer ring: the TRB at index i as it
 * would read it, when its cycle bit says it is new. */
static int ring_has(const uint32_t *mem, unsigned i, uint32_t cycle, uint32_t param)
{
    return (mem[i * 4 + 3] & 1) == cycle && mem[i * 4] == param;
}

TEST(usb_producer_ring_wraps_through_its_link)
{
    static uint32_t mem[4 * 4];
    memset(mem, 0xee, sizeof mem);
    struct usbring r;
    usbring_producer(&r, mem, 0x10000, 4);
    CHECK(mem[12] == 0x10000 && mem[13] == 0 && TRB_TYPE_OF(mem[15]) == TRB_LINK && (mem[15] & TRB_TC));
    CHECK_EQ_U64(mem[15] & TRB_CYCLE, 0);       /* not the controller's yet */
    CHECK_EQ_U64(mem[3], 0);                     /* zeroed: nothing new */
    CHECK_EQ_U64(usbring_push(&r, 0xa, 8, TRB_TYPE(TRB_NORMAL) | TRB_IOC), 0x10000);
    CHECK(ring_has(mem, 0, 1, 0xa) && mem[2] == 8 && TRB_TYPE_OF(mem[3]) == TRB_NORMAL && (mem[3] & TRB_IOC));
    CHECK_EQ_U64(usbring_push(&r, 0xb, 0, TRB_TYPE(TRB_NORMAL)), 0x10010);
    CHECK_EQ_U64(mem[15] & TRB_CYCLE, 0);
    CHECK_EQ_U64(usbring_push(&r, 0xc, 0, TRB_TYPE(TRB_NORMAL) | TRB_CYCLE), 0x10020);
    /* The third fills the lap: the link is handed over with cycle 1. */
    CHECK_EQ_U64(mem[15] & TRB_CYCLE, 1);
    CHECK_EQ_U64(usbring_where(&r), 0x10000);
    /* The next lap writes cycle 0, whatever the caller passed. */
    CHECK_EQ_U64(usbring_push(&r, 0xd, 0, TRB_TYPE(TRB_NORMAL) | TRB_CYCLE), 0x10000);
    CHECK(ring_has(mem, 0, 0, 0xd) && ring_has(mem, 1, 1, 0xb));
    CHECK_EQ_U64(usbring_push(&r, 0x100000000ull | 0xe, 0, TRB_TYPE(TRB_NORMAL)), 0x10010);
    CHECK(ring_has(mem, 1, 0, 0xe) && mem[5] == 1);
    usbring_push(&r, 0xf, 0, TRB_TYPE(TRB_NORMAL));
    CHECK_EQ_U64(mem[15] & TRB_CYCLE, 0);       /* second lap: handed over with cycle 0 */
    CHECK_EQ_U64(usbring_push(&r, 0x11, 0, 0), 0x10000);
    CHECK(ring_has(mem, 0, 1, 0x11));
}

TEST(usb_event_ring_follows_the_cycle_bit)
{
    static uint32_t mem[3 * 4];
    struct usbring r;
    uint32_t ev[4];
    usbring_consumer(&r, mem, 0x20000, 3);
    CHECK_EQ_U64(usbring_pop(&r, ev), 0);
    for (unsigned i = 0; i < 3; i++) {           /* the controller's first lap: cycle 1 */
        mem[i * 4] = 100 + i;
        mem[i * 4 + 3] = TRB_TYPE(TRB_TRANSFER_EVENT) | 1;
    }
    for (unsigned i = 0; i < 3; i++) {
        CHECK_EQ_U64(usbring_pop(&r, ev), 1);
        CHECK(ev[0] == 100 + i && TRB_TYPE_OF(ev[3]) == TRB_TRANSFER_EVENT);
    }
    CHECK_EQ_U64(usbring_where(&r), 0x20000);
    CHECK_EQ_U64(usbring_pop(&r, ev), 0);        /* old lap's events are not new */
    mem[0] = 200;
    mem[3] = TRB_TYPE(TRB_CMD_COMPLETION);       /* second lap: cycle 0 */
    CHECK_EQ_U64(usbring_pop(&r, ev), 1);
    CHECK(ev[0] == 200 && TRB_TYPE_OF(ev[3]) == TRB_CMD_COMPLETION);
    CHECK_EQ_U64(usbring_pop(&r, ev), 0);
    CHECK_EQ_U64(usbring_where(&r), 0x20010);
}

TEST(usb_input_context_layout)
{
    static uint32_t in[33 * 64 / 4];
    memset(in, 0xff, sizeof in);
    uint32_t *slot = usbctx_input(in, 64, 1 | 1 << 3);
    CHECK(in[0] == 0 && in[1] == 9 && slot == in + 16);
    CHECK_EQ_U64(usbctx_dci(0x81), 3);
    CHECK_EQ_U64(usbctx_dci(0x02), 4);
    CHECK_EQ_U64(usbctx_dci(0x00), 1);
    usbctx_slot(slot, USB_SPEED_FULL, 2, 3);
    CHECK_EQ_U64(slot[0], 3u << 27 | 1u << 20);
    CHECK_EQ_U64(slot[1], 2u << 16);
    uint32_t *ep = usbctx_input_ep(in, 64, 3);
    CHECK(ep == in + 4 * 16);
    usbctx_ep(ep, USBCTX_EP_INTR_IN, 8, 6, 0x123456780ull, 8);
    CHECK_EQ_U64(ep[0], 6u << 16);
    CHECK_EQ_U64(ep[1], 8u << 16 | 7u << 3 | 3u << 1);
    CHECK_EQ_U64(ep[2], 0x23456781u);
    CHECK_EQ_U64(ep[3], 1);
    CHECK_EQ_U64(ep[4], 8u << 16 | 8);
    usbctx_slot_route(slot, 3, 7, 3);            /* behind port 3 of the hub in slot 7 */
    CHECK_EQ_U64(slot[0], 3u << 27 | 1u << 20 | 3);
    CHECK_EQ_U64(slot[2], 7u | 3u << 8);
    usbctx_slot_hub(slot, 4, 1, 2);
    CHECK_EQ_U64(slot[0], 3u << 27 | 1u << 26 | 1u << 25 | 1u << 20 | 3);
    CHECK_EQ_U64(slot[1], 4u << 24 | 2u << 16);
    CHECK_EQ_U64(slot[2], 2u << 16 | 7u | 3u << 8);
    uint32_t *ep0 = usbctx_input_ep(usbctx_input(in, 32, 3) - 8, 32, 1);
    CHECK(ep0 == in + 16);
    usbctx_ep(ep0, USBCTX_EP_CONTROL, 64, 0, 0x1000, 8);
    CHECK(ep0[1] == (64u << 16 | 4u << 3 | 3u << 1) && ep0[4] == 8);
}

/* Descriptors come from the device: any bytes, any length. Each parser on
 * a tight heap copy (ASan sees a read past it) of a fixture with random
 * bytes changed; what it finds must lie inside what it was given. */
TEST(usb_descriptors_with_random_bytes)
{
    uint64_t x = 0x9e3779b97f4a7c15ull;
    unsigned found = 0;
    for (unsigned iter = 0; iter < 20000; iter++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        const uint8_t *src = iter & 1 ? combo_config : kbd_config;
        size_t full = iter & 1 ? sizeof combo_config : sizeof kbd_config;
        size_t n = (x >> 8) % (full + 1);
        uint8_t *b = malloc(n ? n : 1);
        memcpy(b, src, n);
        for (unsigned f = 0; n && f < 1 + (x >> 40) % 4; f++)
            b[(x >> (8 * f)) % n] = (uint8_t)(x >> (16 + 8 * f));
        struct usb_kbd_iface k;
        struct usb_device_info d;
        struct usb_hub_info h;
        if (usbdesc_find_kbd(b, n, &k) == 0) {
            found++;
            CHECK((k.ep & 0x80) && k.max_packet > 0 && k.max_packet <= 0x7ff);
        }
        CHECK(usbdesc_config_len(b, n) <= 0xffff);
        usbdesc_device(b, n, &d);
        if (usbdesc_hub(b, n, &h) == 0)
            CHECK(h.ports > 0 && h.ttt <= 3);
        free(b);
        if (check_failed)
            break;
    }
    CHECK(found > 0);   /* some copies stay keyboards */
}
