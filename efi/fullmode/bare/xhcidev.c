// SPDX-License-Identifier: MIT
// Written from the USB 2.0 specification (chapter 9: standard requests;
// chapter 11: hubs), the HID 1.11 class specification (boot protocol) and
// the xHCI specification 1.2 (4.3: device initialisation; 6.2: contexts).
#include "fullmode/bare/xhcidev.h"
#include "core/fmt.h"
#include "core/usbdesc.h"
#include "uefi/timer.h"

#define HUB_RESET_MS 200

static int get_descriptor(struct xhci *h, struct xdev *d, unsigned type, uint16_t len)
{
    return xhci_control(h, d, 0x80, 6, (uint16_t)(type << 8), 0, len);
}

/* The slot context of d for an input context, up to DCI last. */
static uint32_t *slot_ctx(struct xhci *h, struct xdev *d, uint32_t add, unsigned last)
{
    uint32_t *sl = usbctx_input((void *)(uintptr_t)d->in_ctx, h->csz, add);
    usbctx_slot(sl, d->speed, d->port, last);
    usbctx_slot_route(sl, d->route, d->tt_slot, d->tt_port);
    if (d->hub_ports)
        usbctx_slot_hub(sl, d->hub_ports, d->mtt, d->ttt);
    return sl;
}

static void disable_slot(struct xhci *h, struct xdev *d)
{
    xhci_command(h, 0, TRB_TYPE(TRB_DISABLE_SLOT) | d->slot << 24, 0);
    h->dcbaa[d->slot] = 0;
}

/* A USB 2 hub on a root port: configured, known to the controller as a
 * hub, its ports powered. 0, or what failed. */
static const char *hub_setup(struct xhci *h, struct xdev *d, const struct usb_device_info *info)
{
    const uint8_t *buf = (const uint8_t *)(uintptr_t)d->data;
    struct usb_hub_info hub;
    if (get_descriptor(h, d, 2, 9) || !usbdesc_config_len(buf, 9))
        return "configuration descriptor";
    if (xhci_control(h, d, 0x00, 9, buf[5], 0, 0))
        return "set configuration";
    if (xhci_control(h, d, 0xa0, 6, 0x29 << 8, 0, 9) || usbdesc_hub(buf, 9, &hub))
        return "hub descriptor";
    d->hub_ports = hub.ports < 15 ? hub.ports : 15;   /* a route string holds ports 1-15 */
    d->mtt = info->dev_protocol == 2;
    d->ttt = hub.ttt;
    slot_ctx(h, d, 1, 1);
    if (xhci_command(h, d->in_ctx, TRB_TYPE(TRB_CONFIGURE_EP) | d->slot << 24, 0) != TRB_CC_SUCCESS)
        return "configure the hub's slot";
    for (unsigned p = 1; p <= d->hub_ports; p++)
        if (xhci_control(h, d, 0x23, 3, 8, (uint16_t)p, 0))   /* SET_FEATURE(PORT_POWER) */
            return "port power";
    unsigned ms = hub.power_ms < 100 ? 100 : hub.power_ms > 500 ? 500 : hub.power_ms;
    xhci_sleep(ms);
    return 0;
}

unsigned xhcidev_hub_port(struct xhci *h, struct xdev *hub, unsigned p)
{
    const uint8_t *st = (const uint8_t *)(uintptr_t)hub->data;
    if (xhci_control(h, hub, 0xa3, 0, 0, (uint16_t)p, 4) || !(st[0] & 1))
        return 0;
    if (xhci_control(h, hub, 0x23, 3, 4, (uint16_t)p, 0))   /* SET_FEATURE(PORT_RESET) */
        return 0;
    uint64_t end = timer_ms() + HUB_RESET_MS;
    unsigned speed = 0;
    while (timer_ms() < end && xhci_in_time()) {
        xhci_sleep(10);
        if (xhci_control(h, hub, 0xa3, 0, 0, (uint16_t)p, 4))
            return 0;
        if (st[2] & 0x10) {                                  /* C_PORT_RESET */
            speed = usbdesc_hub_port_speed((uint16_t)(st[0] | st[1] << 8));
            break;
        }
    }
    xhci_control(h, hub, 0x23, 1, 20, (uint16_t)p, 0);       /* CLEAR_FEATURE(C_PORT_RESET) */
    xhci_control(h, hub, 0x23, 1, 16, (uint16_t)p, 0);       /* CLEAR_FEATURE(C_PORT_CONNECTION) */
    xhci_sleep(10);                                          /* reset recovery */
    return speed;
}

int xhcidev_enumerate(struct xhci *h, struct xdev *d, char *note, size_t cap)
{
    unsigned slot = 0;
    int cc = xhci_command(h, 0, TRB_TYPE(TRB_ENABLE_SLOT), &slot);
    if (cc != TRB_CC_SUCCESS || !slot || slot > h->slots) {
        fmt_format(note, cap, "no device slot (completion %d)", cc);
        return -1;
    }
    d->slot = slot;
    h->dcbaa[slot] = d->out_ctx;
    unsigned mps0 = usbdesc_default_packet0(d->speed);
    void *in = (void *)(uintptr_t)d->in_ctx;
    slot_ctx(h, d, 3, 1);
    usbctx_ep(usbctx_input_ep(in, h->csz, 1), USBCTX_EP_CONTROL, mps0, 0, d->ep0.phys, 8);
    const char *what = "address device";
    cc = xhci_command(h, d->in_ctx, TRB_TYPE(TRB_ADDRESS_DEVICE) | slot << 24, 0);
    struct usb_device_info info;
    const uint8_t *buf = (const uint8_t *)(uintptr_t)d->data;
    if (cc != TRB_CC_SUCCESS)
        goto fail;
    what = "device descriptor";
    if (get_descriptor(h, d, 1, 8) || usbdesc_device(buf, 8, &info))
        goto fail;
    unsigned mps = usbdesc_max_packet0(d->speed, info.max_packet0);
    if (mps && mps != mps0) {
        /* Full speed: endpoint 0's real packet size, through Evaluate Context. */
        usbctx_input(in, h->csz, 2);
        usbctx_ep(usbctx_input_ep(in, h->csz, 1), USBCTX_EP_CONTROL, mps, 0, d->ep0.phys, 8);
        what = "evaluate context";
        if (xhci_command(h, d->in_ctx, TRB_TYPE(TRB_EVALUATE_CTX) | slot << 24, 0) != TRB_CC_SUCCESS)
            goto fail;
    }
    if (info.dev_class == 9) {
        if (d->route) {
            fmt_format(note, cap, "a hub behind a hub (not supported)");
            goto other;
        }
        if (d->speed >= USB_SPEED_SUPER) {
            fmt_format(note, cap, "a USB 3 hub (keyboards appear on its USB 2 half)");
            goto other;
        }
        what = hub_setup(h, d, &info);
        if (what)
            goto fail;
        fmt_format(note, cap, "a hub with %u ports", d->hub_ports);
        return 2;
    }
    what = "configuration descriptor";
    if (get_descriptor(h, d, 2, 9))
        goto fail;
    unsigned total = usbdesc_config_len(buf, 9);
    if (!total)
        goto fail;
    if (total > XHCI_PAGE / 2)
        total = XHCI_PAGE / 2;
    if (get_descriptor(h, d, 2, (uint16_t)total))
        goto fail;
    struct usb_kbd_iface k;
    if (usbdesc_find_kbd(buf, total, &k)) {
        fmt_format(note, cap, "no boot keyboard (device class %u)", info.dev_class);
        goto other;
    }
    d->dci = usbctx_dci(k.ep);
    d->iface = k.iface;
    d->report_len = k.max_packet < 64 ? k.max_packet : 64;
    slot_ctx(h, d, 1u | 1u << d->dci, d->dci);
    usbctx_ep(usbctx_input_ep(in, h->csz, d->dci), USBCTX_EP_INTR_IN, k.max_packet,
              usbdesc_xhci_interval(d->speed, k.interval), d->intr.phys, 8);
    what = "configure endpoint";
    if (xhci_command(h, d->in_ctx, TRB_TYPE(TRB_CONFIGURE_EP) | slot << 24, 0) != TRB_CC_SUCCESS)
        goto fail;
    what = "set configuration";
    if (xhci_control(h, d, 0x00, 9, k.config, 0, 0))
        goto fail;
    what = "set boot protocol";
    if (xhci_control(h, d, 0x21, 0x0b, 0, k.iface, 0))
        goto fail;
    /* Reports only when a key changes; a keyboard may refuse (its EP0 then
     * halts, which nothing here needs any more). */
    xhci_control(h, d, 0x21, 0x0a, 0, k.iface, 0);
    fmt_format(note, cap, "boot keyboard (interface %u, endpoint 0x%x, %u-byte reports)", k.iface, k.ep,
               d->report_len);
    return 1;
fail:
    fmt_format(note, cap, "%s failed%s", what, xhci_in_time() ? "" : " (out of time)");
    disable_slot(h, d);
    return -1;
other:
    disable_slot(h, d);
    return 0;
}
