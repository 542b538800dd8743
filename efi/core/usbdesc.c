// SPDX-License-Identifier: MIT
#include "core/usbdesc.h"

#define DT_DEVICE 1
#define DT_CONFIG 2
#define DT_INTERFACE 4
#define DT_ENDPOINT 5

int usbdesc_device(const uint8_t *d, size_t len, struct usb_device_info *out)
{
    if (len < 8 || d[0] < 8 || d[1] != DT_DEVICE)
        return -1;
    *out = (struct usb_device_info){ .dev_class = d[4], .dev_protocol = d[6], .max_packet0 = d[7] };
    if (len >= 12 && d[0] >= 12) {
        out->vendor = (uint16_t)(d[8] | d[9] << 8);
        out->product = (uint16_t)(d[10] | d[11] << 8);
    }
    return 0;
}

unsigned usbdesc_max_packet0(unsigned speed, uint8_t field)
{
    if (speed >= USB_SPEED_SUPER)
        return field == 9 ? 512 : 0;
    if (speed == USB_SPEED_LOW)
        return field == 8 ? 8 : 0;
    if (speed == USB_SPEED_HIGH)
        return field == 64 ? 64 : 0;
    return field == 8 || field == 16 || field == 32 || field == 64 ? field : 0;
}

unsigned usbdesc_default_packet0(unsigned speed)
{
    return speed >= USB_SPEED_SUPER ? 512 : speed == USB_SPEED_HIGH ? 64 : 8;
}

unsigned usbdesc_config_len(const uint8_t *d, size_t len)
{
    if (len < 9 || d[0] < 9 || d[1] != DT_CONFIG)
        return 0;
    unsigned total = d[2] | d[3] << 8;
    return total >= 9 ? total : 0;
}

int usbdesc_hub(const uint8_t *d, size_t len, struct usb_hub_info *out)
{
    if (len < 7 || d[0] < 7 || d[1] != 0x29 || !d[2])
        return -1;
    *out = (struct usb_hub_info){ .ports = d[2], .ttt = (uint8_t)(d[3] >> 5 & 3), .power_ms = 2u * d[5] };
    return 0;
}

unsigned usbdesc_hub_port_speed(uint16_t status)
{
    if ((status & 3) != 3)   /* connection, enable */
        return 0;
    return status & 1u << 9 ? USB_SPEED_LOW : status & 1u << 10 ? USB_SPEED_HIGH : USB_SPEED_FULL;
}

int usbdesc_find_kbd(const uint8_t *d, size_t len, struct usb_kbd_iface *out)
{
    unsigned total = usbdesc_config_len(d, len);
    if (!total)
        return -1;
    if (total < len)
        len = total;
    uint8_t config = d[5];
    int in_kbd = 0;   /* the descriptors since the last interface belong to a boot keyboard */
    for (size_t o = 0; o + 2 <= len;) {
        size_t l = d[o];
        if (l < 2 || o + l > len)
            return -1;
        const uint8_t *p = d + o;
        if (p[1] == DT_INTERFACE && l >= 9) {
            in_kbd = p[3] == 0 && p[5] == 3 && p[6] == 1 && p[7] == 1;
            if (in_kbd)
                *out = (struct usb_kbd_iface){ .config = config, .iface = p[2] };
        } else if (p[1] == DT_ENDPOINT && l >= 7 && in_kbd && (p[2] & 0x80) && (p[3] & 3) == 3) {
            out->ep = p[2];
            out->max_packet = (uint16_t)((p[4] | p[5] << 8) & 0x7ff);
            out->interval = p[6];
            if (out->max_packet)
                return 0;
        }
        o += l;
    }
    return -1;
}

unsigned usbdesc_xhci_interval(unsigned speed, uint8_t binterval)
{
    if (speed == USB_SPEED_FULL || speed == USB_SPEED_LOW) {
        /* bInterval in ms (frames): the largest 2^n x 125 us not above it, n 3..10. */
        unsigned n = 3, ms = binterval ? binterval : 1;
        while (n < 10 && (1u << (n + 1 - 3)) <= ms)
            n++;
        return n;
    }
    /* High and SuperSpeed: bInterval is already 2^(bInterval-1) x 125 us. */
    unsigned b = binterval < 1 ? 1 : binterval > 16 ? 16 : binterval;
    return b - 1;
}

int usbdesc_report_error(const uint8_t r[USB_REPORT])
{
    for (int i = 2; i < USB_REPORT; i++)
        if (r[i] >= 0x01 && r[i] <= 0x03)
            return 1;
    return 0;
}

static int rank(uint8_t usage)
{
    switch (usage) {
    case HID_KEY_ESC: return 4;
    case HID_KEY_S: return 3;
    case HID_KEY_P: return 2;
    default: return usage >= 0x04 ? 1 : 0;   /* Enter, arrows, any key */
    }
}

int usbdesc_report_key(const uint8_t prev[USB_REPORT], const uint8_t cur[USB_REPORT])
{
    if (usbdesc_report_error(cur))
        return 0;
    int best = 0;
    for (int i = 2; i < USB_REPORT; i++) {
        int held = 0;
        for (int j = 2; j < USB_REPORT && !held; j++)
            held = prev[j] == cur[i];
        int r = held ? 0 : rank(cur[i]);
        best = r > best ? r : best;
    }
    static const int key[] = { 0, 'k', 'p', 's', 0x1b };
    return key[best];
}
