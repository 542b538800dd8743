// SPDX-License-Identifier: MIT
// The xHCI data structures in memory, without the controller: TRB rings
// (a producer ring ending in a Link TRB that toggles the cycle bit, for
// commands and transfers; a consumer ring for events) and the slot and
// endpoint contexts of an input context. Freestanding: the unit tests
// drive it on byte arrays; efi/fullmode/bare/xhci.c on the controller's.
#ifndef EFI_CORE_USBRING_H
#define EFI_CORE_USBRING_H

#include <stddef.h>
#include <stdint.h>

/* TRB types (xHCI 1.2, table 6-91). */
#define TRB_NORMAL 1
#define TRB_SETUP 2
#define TRB_DATA 3
#define TRB_STATUS 4
#define TRB_LINK 6
#define TRB_ENABLE_SLOT 9
#define TRB_DISABLE_SLOT 10
#define TRB_ADDRESS_DEVICE 11
#define TRB_CONFIGURE_EP 12
#define TRB_EVALUATE_CTX 13
#define TRB_TRANSFER_EVENT 32
#define TRB_CMD_COMPLETION 33
#define TRB_PORT_STATUS 34

/* Control-word bits. */
#define TRB_CYCLE (1u << 0)
#define TRB_TC (1u << 1)     /* Link: toggle cycle */
#define TRB_ISP (1u << 2)    /* interrupt on short packet */
#define TRB_IOC (1u << 5)    /* interrupt on completion */
#define TRB_IDT (1u << 6)    /* immediate data (setup stage) */
#define TRB_DIR_IN (1u << 16)
#define TRB_TYPE(t) ((uint32_t)(t) << 10)
#define TRB_TYPE_OF(ctl) (((ctl) >> 10) & 0x3f)

/* Completion codes. */
#define TRB_CC_SUCCESS 1
#define TRB_CC_SHORT 13

#define USBRING_TRB 16       /* bytes per TRB */

struct usbring {
    volatile uint32_t *trb;  /* n TRBs of 4 dwords */
    uint64_t phys;           /* the controller's address of trb[0] */
    unsigned n, idx;
    uint32_t cycle;          /* producer: the bit to write; consumer: the bit that means "new" */
};

/* A command or transfer ring in mem (n TRBs, n >= 2, zeroed here): the
 * last TRB links back to the first and toggles the cycle bit. */
void usbring_producer(struct usbring *r, void *mem, uint64_t phys, unsigned n);

/* Queue one TRB (control without the cycle bit, which goes in last) and
 * return its address, as transfer and completion events name it. */
uint64_t usbring_push(struct usbring *r, uint64_t param, uint32_t status, uint32_t control);

/* An event ring segment in mem (n TRBs, zeroed here). */
void usbring_consumer(struct usbring *r, void *mem, uint64_t phys, unsigned n);

/* The next event into ev[4] and 1, or 0 when the controller wrote none. */
int usbring_pop(struct usbring *r, uint32_t ev[4]);

/* The address of the next TRB to read (consumer) or write (producer). */
uint64_t usbring_where(const struct usbring *r);

/* --- contexts (xHCI 6.2): csz is 32 or 64 bytes (HCCPARAMS1.CSZ) ---------- */

/* Device context index of endpoint address ep (0x81: IN 1 -> 3). */
unsigned usbctx_dci(uint8_t ep);

/* A zeroed input context in `in` (33 contexts of csz bytes) that adds the
 * contexts in `add` (bit 0 slot, bit n DCI n); returns its slot context. */
uint32_t *usbctx_input(void *in, unsigned csz, uint32_t add);

/* The endpoint context of DCI dci inside input context `in`. */
uint32_t *usbctx_input_ep(void *in, unsigned csz, unsigned dci);

/* Slot context: root port `port` (1-based), xHCI speed ID, last valid DCI. */
void usbctx_slot(uint32_t *slot, unsigned speed, unsigned port, unsigned last_dci);

/* A device behind a hub: its route string (one 4-bit hub port per tier)
 * and, for a low- or full-speed device behind a high-speed hub, the hub's
 * slot and port (its transaction translator). */
void usbctx_slot_route(uint32_t *slot, unsigned route, unsigned tt_slot, unsigned tt_port);

/* A hub's slot: its port count, multiple TTs, TT think time (0-3). */
void usbctx_slot_hub(uint32_t *slot, unsigned nports, int mtt, unsigned ttt);

/* Endpoint types (EP Type field). */
#define USBCTX_EP_CONTROL 4
#define USBCTX_EP_INTR_IN 7

/* Endpoint context: type, max packet size, interval exponent, the
 * transfer ring (DCS set: it starts with cycle 1), average TRB length. */
void usbctx_ep(uint32_t *ep, unsigned type, unsigned mps, unsigned interval, uint64_t ring, unsigned avg);

#endif
