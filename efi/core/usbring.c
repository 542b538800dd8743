// SPDX-License-Identifier: MIT
#include "core/usbring.h"

/* Stores to ring memory become visible in program order on x86; the
 * compiler must not move them across the cycle bit or the doorbell. */
#define ORDER() __atomic_thread_fence(__ATOMIC_SEQ_CST)

static void zero(volatile uint32_t *p, size_t dwords)
{
    for (size_t i = 0; i < dwords; i++)
        p[i] = 0;
}

void usbring_producer(struct usbring *r, void *mem, uint64_t phys, unsigned n)
{
    *r = (struct usbring){ mem, phys, n, 0, 1 };
    zero(r->trb, (size_t)n * 4);
    volatile uint32_t *l = r->trb + (size_t)(n - 1) * 4;
    l[0] = (uint32_t)phys;
    l[1] = (uint32_t)(phys >> 32);
    l[3] = TRB_TYPE(TRB_LINK) | TRB_TC;   /* cycle 0: not the controller's until we wrap */
}

uint64_t usbring_push(struct usbring *r, uint64_t param, uint32_t status, uint32_t control)
{
    volatile uint32_t *t = r->trb + (size_t)r->idx * 4;
    uint64_t at = r->phys + (uint64_t)r->idx * USBRING_TRB;
    t[0] = (uint32_t)param;
    t[1] = (uint32_t)(param >> 32);
    t[2] = status;
    ORDER();
    t[3] = (control & ~TRB_CYCLE) | r->cycle;
    ORDER();
    if (++r->idx == r->n - 1) {
        /* Hand the link over with this lap's cycle bit, then start the next lap. */
        volatile uint32_t *l = r->trb + (size_t)r->idx * 4;
        l[3] = (l[3] & ~TRB_CYCLE) | r->cycle;
        ORDER();
        r->cycle ^= 1;
        r->idx = 0;
    }
    return at;
}

void usbring_consumer(struct usbring *r, void *mem, uint64_t phys, unsigned n)
{
    *r = (struct usbring){ mem, phys, n, 0, 1 };
    zero(r->trb, (size_t)n * 4);
}

int usbring_pop(struct usbring *r, uint32_t ev[4])
{
    volatile uint32_t *t = r->trb + (size_t)r->idx * 4;
    uint32_t ctl = t[3];
    if ((ctl & TRB_CYCLE) != r->cycle)
        return 0;
    ORDER();
    ev[0] = t[0];
    ev[1] = t[1];
    ev[2] = t[2];
    ev[3] = ctl;
    if (++r->idx == r->n) {
        r->idx = 0;
        r->cycle ^= 1;
    }
    return 1;
}

uint64_t usbring_where(const struct usbring *r)
{
    return r->phys + (uint64_t)r->idx * USBRING_TRB;
}

/* --- contexts -------------------------------------------------------------- */

unsigned usbctx_dci(uint8_t ep)
{
    unsigned num = ep & 0x0f;
    return num ? num * 2 + (ep & 0x80 ? 1 : 0) : 1;
}

uint32_t *usbctx_input(void *in, unsigned csz, uint32_t add)
{
    uint32_t *p = in;
    for (size_t i = 0; i < 33u * csz / 4; i++)
        p[i] = 0;
    p[1] = add;                      /* input control context: drop flags 0, add flags */
    return p + csz / 4;
}

uint32_t *usbctx_input_ep(void *in, unsigned csz, unsigned dci)
{
    return (uint32_t *)in + (size_t)(dci + 1) * csz / 4;
}

void usbctx_slot(uint32_t *slot, unsigned speed, unsigned port, unsigned last_dci)
{
    slot[0] = (uint32_t)(last_dci & 0x1f) << 27 | (uint32_t)(speed & 0xf) << 20;   /* route string 0: a root port */
    slot[1] = (uint32_t)(port & 0xff) << 16;
}

void usbctx_slot_route(uint32_t *slot, unsigned route, unsigned tt_slot, unsigned tt_port)
{
    slot[0] = (slot[0] & ~0xfffffu) | (route & 0xfffff);
    slot[2] = (slot[2] & ~0xffffu) | (tt_slot & 0xff) | (tt_port & 0xff) << 8;
}

void usbctx_slot_hub(uint32_t *slot, unsigned nports, int mtt, unsigned ttt)
{
    slot[0] |= 1u << 26 | (mtt ? 1u << 25 : 0);
    slot[1] = (slot[1] & 0x00ffffffu) | (nports & 0xff) << 24;
    slot[2] = (slot[2] & ~(3u << 16)) | (ttt & 3) << 16;
}

void usbctx_ep(uint32_t *ep, unsigned type, unsigned mps, unsigned interval, uint64_t ring, unsigned avg)
{
    ep[0] = (uint32_t)(interval & 0xff) << 16;
    ep[1] = (uint32_t)(mps & 0xffff) << 16 | (uint32_t)(type & 7) << 3 | 3u << 1;   /* CErr 3: retry */
    ep[2] = (uint32_t)(ring & ~0xfull) | 1;   /* DCS: the ring starts with cycle 1 */
    ep[3] = (uint32_t)(ring >> 32);
    /* Max ESIT payload: one packet per interval for an interrupt endpoint. */
    ep[4] = (type == USBCTX_EP_CONTROL ? 0 : (uint32_t)(mps & 0xffff) << 16) | (avg & 0xffff);
}
