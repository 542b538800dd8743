// SPDX-License-Identifier: MIT
// USB descriptors and HID boot-protocol keyboard reports, as bytes: which
// interface of a device is a boot keyboard and its interrupt IN endpoint,
// the xHCI interval for it, and the key a report newly presses.
// Freestanding; efi/fullmode/bare/xhci.c reads the bytes from the device.
#ifndef EFI_CORE_USBDESC_H
#define EFI_CORE_USBDESC_H

#include <stddef.h>
#include <stdint.h>

/* xHCI port speed IDs (the default Protocol Speed ID mapping). */
#define USB_SPEED_FULL 1
#define USB_SPEED_LOW 2
#define USB_SPEED_HIGH 3
#define USB_SPEED_SUPER 4

struct usb_device_info {
    uint8_t dev_class;       /* 9: a hub */
    uint8_t dev_protocol;    /* a high-speed hub: 2 with one TT per port */
    uint8_t max_packet0;     /* endpoint 0's packet size (USB 3: 2^n) */
    uint16_t vendor, product;
};

/* The first 8 bytes of a device descriptor are enough. 0, or -1 when it is none. */
int usbdesc_device(const uint8_t *d, size_t len, struct usb_device_info *out);

/* Endpoint 0's packet size in bytes from a device descriptor's field at
 * this speed (USB 3 gives an exponent); 0 when the value cannot be. */
unsigned usbdesc_max_packet0(unsigned speed, uint8_t field);

/* Endpoint 0's packet size to start with, before the descriptor is read. */
unsigned usbdesc_default_packet0(unsigned speed);

/* wTotalLength of a configuration descriptor's first 9 bytes, or 0. */
unsigned usbdesc_config_len(const uint8_t *d, size_t len);

struct usb_kbd_iface {
    uint8_t config;          /* bConfigurationValue */
    uint8_t iface;           /* bInterfaceNumber */
    uint8_t ep;              /* interrupt IN endpoint address (0x8n) */
    uint8_t interval;        /* its bInterval */
    uint16_t max_packet;
};

/* The first HID boot-protocol keyboard interface (class 3, subclass 1,
 * protocol 1, alternate setting 0) of a whole configuration descriptor,
 * with its interrupt IN endpoint. 0 found; -1 none, or the bytes are not a
 * well-formed configuration. */
int usbdesc_find_kbd(const uint8_t *d, size_t len, struct usb_kbd_iface *out);

/* The Interval field of an xHCI endpoint context (periods of 2^n x 125 us)
 * for an interrupt endpoint's bInterval at this speed. */
unsigned usbdesc_xhci_interval(unsigned speed, uint8_t binterval);

struct usb_hub_info {
    uint8_t ports;
    uint8_t ttt;             /* TT think time, 0-3 (8-32 FS bit times) */
    unsigned power_ms;       /* from port power on to power good */
};

/* A USB 2 hub descriptor (class request GET_DESCRIPTOR 0x29). 0, or -1. */
int usbdesc_hub(const uint8_t *d, size_t len, struct usb_hub_info *out);

/* The xHCI speed ID of a USB 2 hub port from its wPortStatus (connected
 * and enabled), or 0 when it is not both. */
unsigned usbdesc_hub_port_speed(uint16_t status);

/* HID usage IDs of the keys weakbit names. */
#define HID_KEY_P 0x13
#define HID_KEY_S 0x16
#define HID_KEY_ENTER 0x28
#define HID_KEY_ESC 0x29
#define HID_KEY_RIGHT 0x4f
#define HID_KEY_UP 0x52

#define USB_REPORT 8         /* a boot keyboard report: modifiers, reserved, 6 keys */

/* The key an 8-byte boot report `cur` newly presses compared with `prev`
 * (a key in both is held, not pressed again): Esc 0x1b, 'p', 's', Enter
 * and the arrows and any other key 'k', 0 none; Esc wins over S over P
 * over the rest. A rollover error report (usage 0x01-0x03 in the key slots)
 * presses nothing; the caller keeps the previous report then. */
int usbdesc_report_key(const uint8_t prev[USB_REPORT], const uint8_t cur[USB_REPORT]);

/* Is this report a rollover/error report (see above)? */
int usbdesc_report_error(const uint8_t r[USB_REPORT]);

#endif
