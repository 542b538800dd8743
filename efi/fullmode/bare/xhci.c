// SPDX-License-Identifier: MIT
// The controller: PCI, the hand-over from the firmware, reset, rings,
// commands and transfers, root ports, polling. Written from the xHCI
// specification 1.2 (registers in chapter 5, data structures in chapter 6).
// The devices on it: xhcidev.c.
#include "fullmode/bare/xhci.h"
#include "fullmode/bare/xhcidev.h"
#include "fullmode/bare/bcon.h"
#include "fullmode/bare/paging.h"
#include "core/fmt.h"
#include "core/usbdesc.h"
#include "core/usbring.h"
#include "cpu/cpu.h"
#include "uefi/timer.h"

#define RING_TRBS (XHCI_PAGE / USBRING_TRB)
#define SLOTS 16                 /* MaxSlotsEn at most */
#define MAX_SCRATCH 256
#define FIXED_PAGES 6            /* DCBAA + ERST, command ring, event ring, scratchpad array, 2 page-table pages */

/* Bounds on every wait (ms). */
#define HALT_MS 100
#define RESET_MS 500
#define CMD_MS 200
#define XFER_MS 300
#define PORT_MS 200
#define SETTLE_MS 100            /* ports after the controller starts */
#define HANDOFF_MS 1000
#define BRINGUP_MS 2500          /* all controllers together */

/* Registers. */
#define CAP_HCSPARAMS1 0x04
#define CAP_HCSPARAMS2 0x08
#define CAP_HCCPARAMS1 0x10
#define CAP_DBOFF 0x14
#define CAP_RTSOFF 0x18
#define OP_USBCMD 0x00
#define OP_USBSTS 0x04
#define OP_PAGESIZE 0x08
#define OP_CRCR 0x18
#define OP_DCBAAP 0x30
#define OP_CONFIG 0x38
#define OP_PORTSC(p) (0x400 + 0x10 * ((p) - 1))
#define IR0_IMAN 0x20
#define IR0_ERSTSZ 0x28
#define IR0_ERSTBA 0x30
#define IR0_ERDP 0x38

#define CMD_RS (1u << 0)
#define CMD_HCRST (1u << 1)
#define STS_HCH (1u << 0)
#define STS_CNR (1u << 11)
#define HCC_AC64 (1u << 0)
#define HCC_CSZ (1u << 2)
#define HCC_PPC (1u << 3)
#define PORT_CCS (1u << 0)
#define PORT_PED (1u << 1)
#define PORT_PR (1u << 4)
#define PORT_PP (1u << 9)
#define PORT_PRC (1u << 21)
#define PORT_CHANGES (0x7fu << 17)   /* CSC PEC WRC OCC PRC PLC CEC: write 1 to clear */
#define PORT_KEEP (PORT_PP | 3u << 14 | 7u << 25)   /* PP, PIC, wake enables: written back as read */
#define ERDP_EHB (1ull << 3)

#define LEGSUP_BIOS (1u << 16)
#define LEGSUP_OS (1u << 24)

#define PCI_ADDR 0xcf8
#define PCI_DATA 0xcfc

static struct xhci hc[XHCI_MAX_CTL];
static unsigned nhc;
static uint64_t bringup_end;

/* --- PCI configuration space (mechanism 1) ------------------------------------ */

static uint32_t pci_read(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
    io_out32(PCI_ADDR, 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (off & 0xfc));
    return io_in32(PCI_DATA);
}

static void pci_write(unsigned bus, unsigned dev, unsigned fn, unsigned off, uint32_t v)
{
    io_out32(PCI_ADDR, 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (off & 0xfc));
    io_out32(PCI_DATA, v);
}

/* --- MMIO ------------------------------------------------------------------- */

static uint32_t rd(uintptr_t a)
{
    return *(volatile uint32_t *)a;
}

static void wr(uintptr_t a, uint32_t v)
{
    *(volatile uint32_t *)a = v;
}

/* 64-bit registers as two dwords, low first (works with and without AC64). */
static void wr64(uintptr_t a, uint64_t v)
{
    wr(a, (uint32_t)v);
    wr(a + 4, (uint32_t)(v >> 32));
}

static uint64_t now(void)
{
    return timer_ms();
}

int xhci_in_time(void)
{
    return now() < bringup_end;
}

/* Wait until (reg & mask) == want, at most ms (and never past the bring-up's end). */
static int wait_reg(uintptr_t reg, uint32_t mask, uint32_t want, unsigned ms)
{
    uint64_t end = now() + ms;
    if (bringup_end && end > bringup_end)
        end = bringup_end;
    for (;;) {
        if ((rd(reg) & mask) == want)
            return 0;
        if (now() >= end)
            return -1;
        __builtin_ia32_pause();
    }
}

void xhci_sleep(unsigned ms)
{
    uint64_t end = now() + ms;
    while (now() < end)
        __builtin_ia32_pause();
}

/* --- before the exit ---------------------------------------------------------- */

/* The extended capabilities: take the controller from the BIOS (legacy
 * support), and note which ports speak which USB major version. */
static void walk_caps(struct xhci_ctl *c, struct conout *con)
{
    uintptr_t base = (uintptr_t)c->mmio;
    uint32_t off = (rd(base + CAP_HCCPARAMS1) >> 16) << 2;
    for (int guard = 0; off && off < XHCI_MMIO_LEN - 16 && guard < 64; guard++) {
        uintptr_t x = base + off;
        uint32_t v = rd(x);
        if ((v & 0xff) == 1) {
            if (v & LEGSUP_BIOS) {
                *(volatile uint8_t *)(x + 3) = 1;   /* the OS-owned semaphore */
                uint64_t end = now() + HANDOFF_MS;
                while ((rd(x) & LEGSUP_BIOS) && now() < end)
                    __builtin_ia32_pause();
                if (rd(x) & LEGSUP_BIOS) {
                    conout_print(con, "usb: the firmware did not release xHCI %02x:%02x.%x within %u ms: taking it anyway\n",
                                 c->bus, c->dev, c->fn, HANDOFF_MS);
                    wr(x, (rd(x) & ~LEGSUP_BIOS) | LEGSUP_OS);
                }
            } else {
                *(volatile uint8_t *)(x + 3) = 1;
            }
            /* SMIs off (USB SMI, host system error, OS ownership, PCI
             * command and BAR changes); their status bits cleared. */
            uint32_t s = rd(x + 4);
            wr(x + 4, (s & ~0xe011u & 0x1fffffffu) | 0xe0000000u);
        } else if ((v & 0xff) == 2 && c->nproto < XHCI_MAX_PROTO) {
            uint32_t ports = rd(x + 8);
            c->proto[c->nproto].major = (uint8_t)(v >> 24);
            c->proto[c->nproto].first = (uint8_t)ports;
            c->proto[c->nproto].count = (uint8_t)(ports >> 8);
            c->nproto++;
        }
        uint32_t next = (v >> 8) & 0xff;
        off = next ? off + next * 4 : 0;
    }
}

static void probe(struct xhci_env *x, struct conout *con, unsigned bus, unsigned dev, unsigned fn)
{
    struct xhci_ctl *c = &x->ctl[x->n++];
    uint32_t id = pci_read(bus, dev, fn, 0);
    *c = (struct xhci_ctl){ .bus = (uint8_t)bus, .dev = (uint8_t)dev, .fn = (uint8_t)fn, .vendor = (uint16_t)id,
                            .device = (uint16_t)(id >> 16) };
    uint32_t bar = pci_read(bus, dev, fn, 0x10);
    uint64_t base = bar & ~0xfull;
    if (bar & 1)
        fmt_format(c->why, sizeof c->why, "BAR 0 is no memory BAR");
    else if (((bar >> 1) & 3) == 2)
        base |= (uint64_t)pci_read(bus, dev, fn, 0x14) << 32;
    c->mmio = base;
    if (!c->why[0] && (!base || (base + XHCI_MMIO_LEN) >> 48))
        fmt_format(c->why, sizeof c->why, "its registers at 0x%llx are outside what weakbit maps", (unsigned long long)base);
    if (!c->why[0] && !(pci_read(bus, dev, fn, 0x04) & 2))
        fmt_format(c->why, sizeof c->why, "memory decoding is off (the firmware did not set it up)");
    if (!c->why[0]) {
        uint32_t p2 = rd((uintptr_t)base + CAP_HCSPARAMS2);
        c->scratch = (p2 >> 21 & 0x1f) << 5 | p2 >> 27;
        if (c->scratch > MAX_SCRATCH)
            fmt_format(c->why, sizeof c->why, "it wants %u scratchpad buffers (at most %u here)", c->scratch, MAX_SCRATCH);
        else if (!(rd((uintptr_t)base + (rd((uintptr_t)base) & 0xff) + OP_PAGESIZE) & 1))
            fmt_format(c->why, sizeof c->why, "it has no 4 KiB page size");
    }
    if (!c->why[0]) {
        walk_caps(c, con);
        c->usable = 1;
        c->mem_len = (uint64_t)(FIXED_PAGES + c->scratch + XHCI_SETS * SET_PAGES) * XHCI_PAGE;
    }
    conout_print(con, "usb: xHCI %02x:%02x.%x at 0x%llx: %s%s\n", bus, dev, fn, (unsigned long long)base,
                 c->usable ? "taken from the firmware; reset after the exit" : "left alone: ", c->why);
}

void xhci_find(struct xhci_env *x, struct conout *con)
{
    x->n = 0;
    for (unsigned bus = 0; bus < 256; bus++)
        for (unsigned dev = 0; dev < 32; dev++)
            for (unsigned fn = 0; fn < 8; fn++) {
                uint32_t id = pci_read(bus, dev, fn, 0);
                if ((id & 0xffff) == 0xffff) {
                    if (fn == 0)
                        break;
                    continue;
                }
                if (pci_read(bus, dev, fn, 0x08) >> 8 == 0x0c0330) {
                    if (x->n < XHCI_MAX_CTL)
                        probe(x, con, bus, dev, fn);
                    else
                        conout_print(con, "usb: xHCI %02x:%02x.%x left alone: weakbit drives %u controllers at most\n",
                                     bus, dev, fn, XHCI_MAX_CTL);
                }
                if (fn == 0 && !(pci_read(bus, dev, fn, 0x0c) >> 16 & 0x80))
                    break;   /* single-function device */
            }
    if (!x->n)
        conout_print(con, "usb: no xHCI controller on PCI: PS/2 and serial keys only after the exit\n");
}

uint64_t xhci_block_bytes(const struct xhci_env *x)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < x->n; i++)
        n += x->ctl[i].usable ? x->ctl[i].mem_len : 0;
    return n;
}

void xhci_place(struct xhci_env *x, uint64_t mem)
{
    for (unsigned i = 0; i < x->n; i++)
        if (x->ctl[i].usable) {
            x->ctl[i].mem = mem;
            mem += x->ctl[i].mem_len;
        }
}

void xhci_map(struct xhci_env *x, void *tables)
{
    for (unsigned i = 0; i < x->n; i++) {
        struct xhci_ctl *c = &x->ctl[i];
        if (!c->usable || !c->mem)
            continue;
        /* The registers fit in one 2 MiB page: a BAR is aligned to its size. */
        if (paging_map_uc(tables, c->mmio, (void *)(uintptr_t)(c->mem + 4 * XHCI_PAGE))) {
            c->usable = 0;
            fmt_format(c->why, sizeof c->why, "its registers at 0x%llx could not be mapped", (unsigned long long)c->mmio);
        }
    }
}

/* --- commands and transfers ---------------------------------------------------- */

static void event_done(struct xhci *h)
{
    wr64(h->rt + IR0_ERDP, usbring_where(&h->ev) | ERDP_EHB);
}

/* The next event of `type` (for a transfer: of this slot and endpoint),
 * passing over others; -1 after ms. */
static int wait_event(struct xhci *h, unsigned type, unsigned slot, unsigned dci, unsigned ms, uint32_t ev[4])
{
    uint64_t end = now() + ms;
    if (end > bringup_end)
        end = bringup_end;
    for (;;) {
        if (usbring_pop(&h->ev, ev)) {
            event_done(h);
            if (TRB_TYPE_OF(ev[3]) != type)
                continue;
            if (type == TRB_TRANSFER_EVENT && (ev[3] >> 24 != slot || (ev[3] >> 16 & 0x1f) != dci))
                continue;
            return 0;
        }
        if (now() >= end)
            return -1;
        __builtin_ia32_pause();
    }
}

/* A command; its completion code (TRB_CC_SUCCESS ...), -1 on time-out. */
int xhci_command(struct xhci *h, uint64_t param, uint32_t control, unsigned *slot)
{
    uint32_t ev[4];
    usbring_push(&h->cmd, param, 0, control);
    wr(h->db, 0);
    if (wait_event(h, TRB_CMD_COMPLETION, 0, 0, CMD_MS, ev))
        return -1;
    if (slot)
        *slot = ev[3] >> 24;
    return (int)(ev[2] >> 24);
}

/* A control transfer on endpoint 0 with `len` bytes in or out of d->data. */
int xhci_control(struct xhci *h, struct xdev *d, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
                   uint16_t len)
{
    int in = type & 0x80;
    uint64_t setup = type | (uint32_t)req << 8 | (uint32_t)value << 16 | (uint64_t)index << 32 | (uint64_t)len << 48;
    uint32_t trt = len ? (in ? 3u : 2u) : 0u;
    usbring_push(&d->ep0, setup, 8, TRB_TYPE(TRB_SETUP) | TRB_IDT | trt << 16);
    if (len)
        usbring_push(&d->ep0, d->data, len, TRB_TYPE(TRB_DATA) | (in ? TRB_DIR_IN : 0));
    usbring_push(&d->ep0, 0, 0, TRB_TYPE(TRB_STATUS) | TRB_IOC | (len && in ? 0 : TRB_DIR_IN));
    wr(h->db + 4 * d->slot, 1);
    uint32_t ev[4];
    if (wait_event(h, TRB_TRANSFER_EVENT, d->slot, 1, XFER_MS, ev))
        return -1;
    unsigned cc = ev[2] >> 24;
    return cc == TRB_CC_SUCCESS || cc == TRB_CC_SHORT ? 0 : -(int)cc;
}

/* Queue the next report read. */
static void queue_report(struct xhci *h, struct xdev *d)
{
    usbring_push(&d->intr, d->data + XHCI_PAGE / 2, d->report_len, TRB_TYPE(TRB_NORMAL) | TRB_IOC | TRB_ISP);
    wr(h->db + 4 * d->slot, d->dci);
}

/* --- bring-up ------------------------------------------------------------------ */

static unsigned major_of(const struct xhci_ctl *c, unsigned port)
{
    for (unsigned i = 0; i < c->nproto; i++)
        if (port >= c->proto[i].first && port < (unsigned)c->proto[i].first + c->proto[i].count)
            return c->proto[i].major;
    return 0;
}

static const char *speed_name(unsigned s)
{
    static const char *const names[] = { "?", "full", "low", "high", "super", "super+" };
    return names[s < 6 ? s : 0];
}

/* The pages of set i (output context, input context, EP0 ring, interrupt ring, data). */
static void set_pages(struct xhci *h, unsigned i, struct xdev *d)
{
    uint64_t p = h->c->mem + (uint64_t)(FIXED_PAGES + h->c->scratch + i * SET_PAGES) * XHCI_PAGE;
    uint8_t *z = (uint8_t *)(uintptr_t)p;
    for (unsigned k = 0; k < SET_PAGES * XHCI_PAGE; k++)
        z[k] = 0;
    *d = (struct xdev){ .out_ctx = p };
    d->in_ctx = p + XHCI_PAGE;
    usbring_producer(&d->ep0, (void *)(uintptr_t)(p + 2 * XHCI_PAGE), p + 2 * XHCI_PAGE, RING_TRBS);
    usbring_producer(&d->intr, (void *)(uintptr_t)(p + 3 * XHCI_PAGE), p + 3 * XHCI_PAGE, RING_TRBS);
    d->data = p + 4 * XHCI_PAGE;
}

/* Intel 7- and 8-series chipsets (Panther Point, Lynx Point and its LP)
 * route their shared ports to the EHCI controllers until told otherwise
 * (chipset datasheets: XUSB2PR/XUSB2PRM, USB3_PSSEN/USB3PRM in the xHCI's
 * configuration space). 1 when ports were switched over. */
static int intel_port_switch(const struct xhci_ctl *c)
{
    static const uint16_t ids[] = { 0x1e31, 0x8c31, 0x9c31 };
    int known = 0;
    for (unsigned i = 0; i < sizeof ids / sizeof ids[0]; i++)
        known |= c->vendor == 0x8086 && c->device == ids[i];
    if (!known)
        return 0;
    pci_write(c->bus, c->dev, c->fn, 0xd8, pci_read(c->bus, c->dev, c->fn, 0xdc));   /* SuperSpeed on */
    pci_write(c->bus, c->dev, c->fn, 0xd0, pci_read(c->bus, c->dev, c->fn, 0xd4));   /* USB 2 ports here */
    return 1;
}

/* Halt, reset and start the controller with its rings. 0, or why not. */
static const char *ctl_reset(struct xhci *h)
{
    struct xhci_ctl *c = h->c;
    uint32_t cmd = pci_read(c->bus, c->dev, c->fn, 0x04);
    pci_write(c->bus, c->dev, c->fn, 0x04, (cmd & 0xffff) | 6);   /* memory space, bus master */
    h->cap = (uintptr_t)c->mmio;
    h->op = h->cap + (rd(h->cap) & 0xff);
    h->rt = h->cap + (rd(h->cap + CAP_RTSOFF) & ~0x1fu);
    h->db = h->cap + (rd(h->cap + CAP_DBOFF) & ~3u);
    uint32_t p1 = rd(h->cap + CAP_HCSPARAMS1), cc1 = rd(h->cap + CAP_HCCPARAMS1);
    if (p1 == 0xffffffffu)
        return "its registers read all ones";
    h->csz = cc1 & HCC_CSZ ? 64 : 32;
    h->ports = p1 >> 24;
    h->slots = (p1 & 0xff) < SLOTS ? p1 & 0xff : SLOTS;
    if (!(cc1 & HCC_AC64) && c->mem + c->mem_len > (1ull << 32))
        return "it reaches 32-bit addresses only and the run-time block is above 4 GiB";
    wr(h->op + OP_USBCMD, rd(h->op + OP_USBCMD) & ~CMD_RS);
    if (wait_reg(h->op + OP_USBSTS, STS_HCH, STS_HCH, HALT_MS))
        return "it did not halt within 100 ms";
    wr(h->op + OP_USBCMD, CMD_HCRST);
    xhci_sleep(1);
    if (wait_reg(h->op + OP_USBCMD, CMD_HCRST, 0, RESET_MS) || wait_reg(h->op + OP_USBSTS, STS_CNR, 0, RESET_MS))
        return "its reset did not finish within 500 ms";

    /* Pages 4 and 5 hold page tables (xhci_map): never cleared here. */
    uint64_t m = c->mem;
    uint8_t *z = (uint8_t *)(uintptr_t)m;
    for (uint64_t k = 0; k < (uint64_t)(FIXED_PAGES + c->scratch) * XHCI_PAGE; k++)
        if (k < 4 * XHCI_PAGE || k >= FIXED_PAGES * XHCI_PAGE)
            z[k] = 0;
    h->dcbaa = (uint64_t *)(uintptr_t)m;
    uint64_t *erst = (uint64_t *)(uintptr_t)(m + XHCI_PAGE / 2);
    usbring_producer(&h->cmd, (void *)(uintptr_t)(m + XHCI_PAGE), m + XHCI_PAGE, RING_TRBS);
    usbring_consumer(&h->ev, (void *)(uintptr_t)(m + 2 * XHCI_PAGE), m + 2 * XHCI_PAGE, RING_TRBS);
    if (c->scratch) {
        uint64_t *arr = (uint64_t *)(uintptr_t)(m + 3 * XHCI_PAGE);
        for (unsigned i = 0; i < c->scratch; i++)
            arr[i] = m + (uint64_t)(FIXED_PAGES + i) * XHCI_PAGE;
        h->dcbaa[0] = m + 3 * XHCI_PAGE;
    }
    erst[0] = m + 2 * XHCI_PAGE;
    erst[1] = RING_TRBS;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    wr(h->op + OP_CONFIG, (rd(h->op + OP_CONFIG) & ~0xffu) | h->slots);
    wr64(h->op + OP_DCBAAP, m);
    wr64(h->op + OP_CRCR, (m + XHCI_PAGE) | 1);   /* ring cycle state 1 */
    wr(h->rt + IR0_ERSTSZ, 1);
    wr64(h->rt + IR0_ERDP, m + 2 * XHCI_PAGE);
    wr64(h->rt + IR0_ERSTBA, (uint64_t)(uintptr_t)erst);
    wr(h->rt + IR0_IMAN, 1);                 /* clear a pending flag; interrupts stay off: polled */
    wr(h->op + OP_USBCMD, CMD_RS);
    if (wait_reg(h->op + OP_USBSTS, STS_HCH, 0, HALT_MS))
        return "it did not start within 100 ms";
    if (xhci_command(h, 0, TRB_TYPE(23), 0) != TRB_CC_SUCCESS)   /* No Op: the command ring works */
        return "it did not answer a no-op command within 200 ms";
    return 0;
}

/* Reset a USB 2 port (USB 3 ports enable themselves once the link is up);
 * 0 when it ends enabled. */
static int port_enable(struct xhci *h, unsigned port)
{
    uintptr_t r = h->op + OP_PORTSC(port);
    uint32_t sc = rd(r);
    if (sc & PORT_PED)
        return 0;
    if (major_of(h->c, port) >= 3)
        return wait_reg(r, PORT_PED, PORT_PED, PORT_MS);
    wr(r, (sc & PORT_KEEP) | PORT_PR);
    if (wait_reg(r, PORT_PRC, PORT_PRC, PORT_MS))
        return -1;
    sc = rd(r);
    wr(r, (sc & PORT_KEEP) | PORT_CHANGES);
    return sc & PORT_PED ? 0 : -1;
}

/* Enumerate the device d describes in the next free set; keeps the set
 * for a keyboard or a hub. Prints one line (`where` names the port). */
static int attach(struct xhci *h, struct xdev *d, const char *where)
{
    char note[96];
    struct xhci_ctl *c = h->c;
    int r = xhcidev_enumerate(h, d, note, sizeof note);
    char how[24] = "behind a hub";
    if (!d->route)
        fmt_format(how, sizeof how, "USB %u", major_of(c, d->port));
    bcon_printf("usb: xHCI %02x:%02x.%x %s (%s, %s speed): %s\n", c->bus, c->dev, c->fn, where, how,
                speed_name(d->speed), note);
    if (r == 1)
        d->kbd = 1;
    if (r >= 1)
        h->nsets++;
    return r;
}

/* The next free set, prepared, or NULL (said once). */
static struct xdev *next_set(struct xhci *h, const char *where)
{
    if (h->nsets == XHCI_SETS) {
        bcon_printf("usb: xHCI %02x:%02x.%x %s left alone: %u devices kept per controller at most\n", h->c->bus,
                    h->c->dev, h->c->fn, where, XHCI_SETS);
        return 0;
    }
    struct xdev *d = &h->dev[h->nsets];
    set_pages(h, h->nsets, d);
    return d;
}

/* The devices on a hub's ports (one level: a hub there is not followed). */
static unsigned hub_scan(struct xhci *h, unsigned hub_set)
{
    unsigned found = 0;
    for (unsigned p = 1; p <= h->dev[hub_set].hub_ports && now() < bringup_end; p++) {
        struct xdev *hub = &h->dev[hub_set];
        unsigned speed = xhcidev_hub_port(h, hub, p);
        if (!speed)
            continue;
        found++;
        char where[48];
        fmt_format(where, sizeof where, "port %u.%u", hub->port, p);
        struct xdev *d = next_set(h, where);
        if (!d)
            continue;
        hub = &h->dev[hub_set];
        d->port = hub->port;
        d->speed = speed;
        d->route = p;
        /* A low- or full-speed device behind a high-speed hub goes through its TT. */
        if (hub->speed == USB_SPEED_HIGH && speed != USB_SPEED_HIGH) {
            d->tt_slot = hub->slot;
            d->tt_port = p;
        }
        attach(h, d, where);
    }
    return found;
}

static void ctl_start(struct xhci *h)
{
    struct xhci_ctl *c = h->c;
    const char *why = ctl_reset(h);
    if (why) {
        bcon_alert("usb: xHCI %02x:%02x.%x given up: %s; PS/2 and serial keys only\n", c->bus, c->dev, c->fn, why);
        return;
    }
    h->alive = 1;
    unsigned settle = SETTLE_MS, powered = 0;
    /* Devices on ports taken over from EHCI connect again: give them time. */
    if (intel_port_switch(c)) {
        bcon_printf("usb: xHCI %02x:%02x.%x: the chipset's shared ports switched over from EHCI\n", c->bus, c->dev,
                    c->fn);
        settle += 200;
    }
    for (unsigned p = 1; p <= h->ports; p++)
        if (!(rd(h->op + OP_PORTSC(p)) & PORT_PP)) {
            wr(h->op + OP_PORTSC(p), PORT_PP);
            powered = 1;
        }
    xhci_sleep(settle + (powered ? 20 : 0));
    unsigned found = 0;
    for (unsigned p = 1; p <= h->ports && now() < bringup_end; p++) {
        uint32_t sc = rd(h->op + OP_PORTSC(p));
        if (!(sc & PORT_CCS))
            continue;
        found++;
        char where[48];
        fmt_format(where, sizeof where, "port %u", p);
        if (port_enable(h, p)) {
            bcon_printf("usb: xHCI %02x:%02x.%x %s (USB %u): a device that could not be enabled\n", c->bus, c->dev,
                        c->fn, where, major_of(c, p));
            continue;
        }
        struct xdev *d = next_set(h, where);
        if (!d)
            continue;
        d->port = p;
        d->speed = rd(h->op + OP_PORTSC(p)) >> 10 & 0xf;
        unsigned set = h->nsets;
        if (attach(h, d, where) == 2)
            found += hub_scan(h, set);
    }
    unsigned kbds = 0;
    for (unsigned i = 0; i < h->nsets; i++)
        kbds += h->dev[i].kbd;
    h->nkbd = kbds;
    /* The reads start once every port is done: bring-up's waits would pass
     * over a report's event and leave its keyboard without a transfer. */
    for (unsigned i = 0; i < h->nsets; i++)
        if (h->dev[i].kbd)
            queue_report(h, &h->dev[i]);
    if (now() >= bringup_end)
        bcon_alert("usb: xHCI %02x:%02x.%x: bring-up ran out of time (%u ms for all controllers); the ports after this left alone\n",
                   c->bus, c->dev, c->fn, BRINGUP_MS);
    if (!kbds)
        bcon_printf("usb: xHCI %02x:%02x.%x: no keyboard (%u device%s on %u ports); PS/2 and serial keys only here\n",
                    c->bus, c->dev, c->fn, found, found == 1 ? "" : "s", h->ports);
    else
        bcon_printf("usb: xHCI %02x:%02x.%x: %u keyboard%s polled (Esc, P, S)\n", c->bus, c->dev, c->fn, kbds,
                    kbds == 1 ? "" : "s");
}

void xhci_start(struct xhci_env *x)
{
    uint64_t t0 = now();
    bringup_end = t0 + BRINGUP_MS;
    nhc = 0;
    for (unsigned i = 0; i < x->n; i++) {
        if (!x->ctl[i].usable && x->ctl[i].mem)
            bcon_alert("usb: xHCI %02x:%02x.%x left alone: %s\n", x->ctl[i].bus, x->ctl[i].dev, x->ctl[i].fn,
                       x->ctl[i].why);
        if (!x->ctl[i].usable || !x->ctl[i].mem)
            continue;
        if (now() >= bringup_end) {
            bcon_alert("usb: xHCI %02x:%02x.%x left alone: no time left of the %u ms bring-up\n", x->ctl[i].bus,
                       x->ctl[i].dev, x->ctl[i].fn, BRINGUP_MS);
            continue;
        }
        struct xhci *h = &hc[nhc++];
        *h = (struct xhci){ .c = &x->ctl[i] };
        ctl_start(h);
    }
    unsigned kbds = 0;
    for (unsigned i = 0; i < nhc; i++)
        kbds += hc[i].alive ? hc[i].nkbd : 0;
    if (nhc)
        bcon_printf("usb: %u keyboard%s after %llu ms\n", kbds, kbds == 1 ? "" : "s",
                    (unsigned long long)(now() - t0));
}

int xhci_key(void)
{
    int key = 0;
    uint32_t ev[4];
    for (unsigned i = 0; i < nhc; i++) {
        struct xhci *h = &hc[i];
        if (!h->alive || !h->nkbd)
            continue;
        for (int n = 0; n < 16 && usbring_pop(&h->ev, ev); n++) {
            event_done(h);
            if (TRB_TYPE_OF(ev[3]) != TRB_TRANSFER_EVENT)
                continue;
            for (unsigned j = 0; j < h->nsets; j++) {
                struct xdev *d = &h->dev[j];
                if (!d->kbd || ev[3] >> 24 != d->slot || (ev[3] >> 16 & 0x1f) != d->dci)
                    continue;
                unsigned cc = ev[2] >> 24;
                if (cc != TRB_CC_SUCCESS && cc != TRB_CC_SHORT) {
                    d->kbd = 0;
                    bcon_alert("usb: the keyboard on port %u stopped (completion code %u)\n", d->port, cc);
                    continue;
                }
                uint8_t *r = (uint8_t *)(uintptr_t)(d->data + XHCI_PAGE / 2);
                /* A short report: what it did not send counts as released. */
                unsigned left = ev[2] & 0xffffff, got = left < d->report_len ? d->report_len - left : 0;
                for (unsigned b = got; b < USB_REPORT; b++)
                    r[b] = 0;
                int k = usbdesc_report_key(d->prev, r);
                if (!usbdesc_report_error(r))
                    for (int b = 0; b < USB_REPORT; b++)
                        d->prev[b] = r[b];
                key = k ? k : key;
                queue_report(h, d);
            }
        }
    }
    return key;
}
