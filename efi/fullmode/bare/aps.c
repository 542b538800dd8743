// SPDX-License-Identifier: MIT
#include "fullmode/bare/aps.h"
#include "fullmode/bare/trap.h"
#include "cpu/cpu.h"
#include "core/fmt.h"
#include "core/tramp.h"

#define INIT_WAIT_US 10000
#define SIPI_WAIT_US 200
#define LA57 (1ull << 12)

enum { WAITING, CHECKED_IN, LEFT_OUT };

extern const uint8_t tramp_start[], tramp_end[];

/* Shared with the APs; the image is never tested, so they may live here. */
static struct aps_plan *P;
static struct sched *volatile S;
static volatile uint32_t state[APS_MAX];
static volatile uint32_t slot_of[APS_MAX];     /* 0 until released */
static uint32_t idx_of_slot[SMP_MAX_CPUS];
static unsigned nslots;

static void wait_us(uint64_t us)
{
    uint64_t end = cpu_rdtsc() + us * P->tsc_per_ms / 1000;
    while (cpu_rdtsc() < end)
        __builtin_ia32_pause();
}

/* Where each AP arrives from the trampoline, on its own stack. */
static void __attribute__((noreturn, used)) ap_entry(unsigned idx)
{
    bare_cpu_load(idx + 1);
    if (idx >= APS_MAX || idx + 1 == P->silent)
        bare_halt();   /* debug_silent_cpu=: alive, but never says so */
    uint32_t expect = WAITING;
    if (!__atomic_compare_exchange_n(&state[idx], &expect, CHECKED_IN, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        bare_halt();   /* too late: the BSP left it out */
    uint32_t slot;
    while (!(slot = __atomic_load_n(&slot_of[idx], __ATOMIC_ACQUIRE)))
        __builtin_ia32_pause();
    if (P->fault && slot == 1)
        *(volatile uint64_t *)(uintptr_t)APS_FAULT_ADDR = 1;   /* debug_fault=2: the first AP faults */
    sched_ap_loop(S, slot);
    bare_halt();
}

int aps_start(struct aps_plan *p, uint64_t cr3, int la57, struct aps_result *r, char *why, size_t cap)
{
    P = p;
    *r = (struct aps_result){ .slot_id = { p->bsp_id } };
    if (!p->n)
        return 0;
    if (!p->page) {
        fmt_format(why, cap, "no start-up page below 1 MiB could be reserved");
        return -1;
    }
    if (apic_init(&p->apic, p->need_x2)) {
        fmt_format(why, cap, "an APIC ID needs x2APIC, which this CPU lacks");
        return -1;
    }
    for (unsigned i = 0; i < p->n; i++)
        state[i] = WAITING, slot_of[i] = 0;
    struct tramp_params tp = { .cr3 = cr3, .cr4_bits = la57 ? LA57 : 0, .entry = (uint64_t)(uintptr_t)ap_entry,
                               .stacks = (uint64_t)(uintptr_t)p->stack_top, .ids = (uint64_t)(uintptr_t)p->id,
                               .ncpus = p->n, .x2apic_ids = apic_x2() };
    uint8_t *page = (uint8_t *)(uintptr_t)p->page;
    int err = tramp_install(page, p->page, tramp_start, (size_t)(tramp_end - tramp_start), &tp);
    if (err) {
        fmt_format(why, cap, "trampoline: %s", tramp_strerror(err));
        return -1;
    }
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    /* All INITs, one wait, then both start-up IPIs to all: the SDM's
     * broadcast sequence, addressed to each AP the MADT lists. */
    for (unsigned i = 0; i < p->n; i++)
        apic_init_ipi(p->id[i]);
    wait_us(INIT_WAIT_US);
    for (int round = 0; round < 2; round++) {
        for (unsigned i = 0; i < p->n; i++)
            apic_sipi(p->id[i], tramp_vector(p->page));
        wait_us(SIPI_WAIT_US);
    }
    uint64_t end = cpu_rdtsc() + APS_CHECKIN_MS * p->tsc_per_ms;
    for (;;) {
        unsigned in = 0;
        for (unsigned i = 0; i < p->n; i++)
            in += __atomic_load_n(&state[i], __ATOMIC_ACQUIRE) == CHECKED_IN;
        if (in == p->n || cpu_rdtsc() >= end)
            break;
        __builtin_ia32_pause();
    }
    /* Close the door: each AP is in, or out for good. */
    nslots = 1;
    for (unsigned i = 0; i < p->n; i++) {
        uint32_t expect = WAITING;
        if (__atomic_compare_exchange_n(&state[i], &expect, LEFT_OUT, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            apic_init_ipi(p->id[i]);   /* whatever it is doing, it stops */
            r->missing[r->nmissing++] = p->id[i];
            continue;
        }
        idx_of_slot[nslots] = i;
        r->slot_id[nslots++] = p->id[i];
    }
    r->started = nslots - 1;
    volatile struct tramp_data *d = tramp_data_of(page);
    r->alive = d->alive;
    r->stray = d->stray;
    return 0;
}

void aps_release(struct sched *s, const struct aps_result *r)
{
    S = s;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    for (unsigned k = 1; k <= r->started; k++)
        __atomic_store_n(&slot_of[idx_of_slot[k]], k, __ATOMIC_RELEASE);
}

void aps_fence(unsigned slot)
{
    if (slot && slot < nslots)
        apic_init_ipi(P->id[idx_of_slot[slot]]);
}

unsigned aps_park(struct sched *s)
{
    if (nslots <= 1)
        return 0;
    unsigned late = sched_stop(s, 1000);
    for (unsigned k = 1; k < nslots; k++)
        apic_init_ipi(P->id[idx_of_slot[k]]);
    return late;
}
