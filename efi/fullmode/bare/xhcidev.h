// SPDX-License-Identifier: MIT
// Inside the xHCI driver (efi/fullmode/bare/xhci.h is its interface): the
// controller's state, the pages of each device it keeps, the primitives
// xhci.c offers (commands, control transfers, the bring-up's clock) and
// the device side xhcidev.c adds (enumeration, one level of hubs).
#ifndef EFI_BARE_XHCIDEV_H
#define EFI_BARE_XHCIDEV_H

#include <stddef.h>
#include <stdint.h>
#include "fullmode/bare/xhci.h"
#include "core/usbdesc.h"
#include "core/usbring.h"

#define XHCI_PAGE 4096u
#define SET_PAGES 5              /* per device: output and input context, EP0 ring, interrupt ring, data */

/* A device in one of the controller's sets of pages. */
struct xdev {
    unsigned slot, port, speed, dci, report_len;
    unsigned route, tt_slot, tt_port;   /* behind a hub: its port; the TT for low/full speed */
    unsigned hub_ports, ttt;            /* a hub: its ports (0: no hub), TT think time */
    int mtt;
    uint8_t iface;
    uint64_t out_ctx, in_ctx, data;     /* data: descriptors, and the report at XHCI_PAGE / 2 */
    struct usbring ep0, intr;
    uint8_t prev[USB_REPORT];
    int kbd;                     /* polled */
};

struct xhci {
    struct xhci_ctl *c;
    uintptr_t cap, op, rt, db;
    unsigned csz, ports, slots;
    int alive;                   /* started; its keyboards are polled */
    uint64_t *dcbaa;
    struct usbring cmd, ev;
    struct xdev dev[XHCI_SETS];
    unsigned nsets, nkbd;        /* sets kept (keyboards and hubs); keyboards among them */
};

/* A command on the command ring; its completion code (TRB_CC_SUCCESS ...),
 * -1 when none came in time. *slot (when not NULL): the event's slot ID. */
int xhci_command(struct xhci *h, uint64_t param, uint32_t control, unsigned *slot);

/* A control transfer on d's endpoint 0 with `len` bytes in or out of
 * d->data. 0, -1 on time-out, else minus the completion code. */
int xhci_control(struct xhci *h, struct xdev *d, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
                 uint16_t len);

/* Wait ms milliseconds. */
void xhci_sleep(unsigned ms);

/* Is the bring-up still within its time? */
int xhci_in_time(void);

/* Address the device d describes (port, speed, route set by the caller);
 * then, when it is a boot keyboard, configure its interrupt endpoint; a
 * USB 2 hub on a root port is configured and its ports powered.
 * 1 keyboard, 2 hub, 0 something else (slot freed), -1 failed; note says
 * what it was. */
int xhcidev_enumerate(struct xhci *h, struct xdev *d, char *note, size_t cap);

/* Reset port p of hub `hub`; the speed ID of the device there, or 0. */
unsigned xhcidev_hub_port(struct xhci *h, struct xdev *hub, unsigned p);

#endif
