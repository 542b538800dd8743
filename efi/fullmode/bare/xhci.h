// SPDX-License-Identifier: MIT
// USB keyboards after ExitBootServices: a small polled xHCI driver. Before
// the exit, xhci_find() lists the xHCI controllers on PCI (segment 0,
// configuration ports 0xCF8/0xCFC) and takes each from the firmware's SMM
// (USB legacy support capability: OS-owned semaphore, SMIs off). After the
// exit, xhci_start() resets them, enumerates their root ports (USB 2 and USB
// 3) and the ports of a USB 2 hub on a root port, finds HID boot keyboards,
// switches them to the boot protocol and keeps one interrupt IN transfer
// queued; xhci_key() polls the event rings without blocking. Rings, contexts,
// scratchpads and report buffers live in the run-time block (never tested).
// Every wait is bounded; a controller that does not answer is left with one
// line on the console. Not supported: a hub behind a hub, controllers on
// other PCI segments, more than XHCI_MAX_CTL controllers or XHCI_SETS devices
// kept per controller.
#ifndef EFI_BARE_XHCI_H
#define EFI_BARE_XHCI_H

#include <stdint.h>
#include "core/conout.h"

#define XHCI_MAX_CTL 4
#define XHCI_SETS 8              /* devices a controller keeps (keyboards, hubs) */
#define XHCI_MMIO_LEN 0x10000ull /* mapped uncached from the BAR */
#define XHCI_MAX_PROTO 8

struct xhci_ctl {
    uint8_t bus, dev, fn;
    uint16_t vendor, device;
    int usable;                  /* 0: left alone (why[] says why) */
    uint64_t mmio;               /* BAR 0 */
    unsigned scratch;            /* scratchpad buffers it wants */
    uint64_t mem, mem_len;       /* its part of the run-time block */
    struct { uint8_t major, first, count; } proto[XHCI_MAX_PROTO];   /* supported protocols */
    unsigned nproto;
    char why[80];
};

struct xhci_env {
    unsigned n;
    struct xhci_ctl ctl[XHCI_MAX_CTL];
};

/* Before the exit: find the controllers and take them from the firmware,
 * saying so on `con`. */
void xhci_find(struct xhci_env *x, struct conout *con);

/* Bytes of the run-time block the usable controllers need (page multiple). */
uint64_t xhci_block_bytes(const struct xhci_env *x);

/* Give them their part of the block at `mem` (4 KiB aligned, zeroed,
 * identity mapped after the exit). */
void xhci_place(struct xhci_env *x, uint64_t mem);

/* Map the usable controllers' registers uncached into weakbit's page
 * tables (paging.c), with page-table pages from their block parts; a
 * controller that cannot be mapped is dropped. Before xhci_start. */
void xhci_map(struct xhci_env *x, void *tables);

/* After the exit, on the boot CPU, with weakbit's page tables (the BARs
 * mapped uncached): bring the controllers up and find the keyboards.
 * Prints one line per controller on the console. */
void xhci_start(struct xhci_env *x);

/* The last of Esc 0x1b, 'p', 's' (other keys 'k') newly pressed on a USB
 * keyboard since the last call, or 0. Never blocks. */
int xhci_key(void);

#endif
