// SPDX-License-Identifier: MIT
#include "fullmode/bare/run.h"
#include "fullmode/bare/aps.h"
#include "fullmode/bare/bcon.h"
#include "fullmode/bare/trap.h"
#include "fullmode/bare/paging.h"
#include "fullmode/bare/rtvar.h"
#include "fullmode/bare/xhci.h"
#include "cpu/cache.h"
#include "cpu/cpu.h"
#include "cpu/mca.h"
#include "uefi/thermal.h"
#include "uefi/timer.h"
#include "core/errsink.h"
#include "core/runloop.h"
#include "core/kernels/runtime.h"

#define FAULT_ADDR 0x7ff000000000ull   /* canonical, never mapped by paging.c */
#define UC_RANGES 64             /* MMIO and reserved ranges the page tables map uncached */

static struct bare_env *E;
static struct session *S;
static struct sched *Q;
static struct aps_result cpus;
static uint32_t seq;

/* Every CPU's errors arrive at the one error sink, on the BSP (the APs'
 * through their rings): the same session rules as firmware mode; rows and
 * summaries stay in the carry for the record instead of going to a file. */
static struct errsink K;
static const struct errsink_ops sink_ops = { .con = &bcon, .now_ms = timer_ms,
                                             .tsc_ms = timer_tsc_ms, .temperature = thermal_read_recent,
                                             .more_where = "the report at the next boot lists them" };

/* --- the hand-off record ---------------------------------------------------- */

static void fill_record(int finished, const struct bare_fault *f)
{
    struct handoff *h = E->rec;
    const struct full_plan *fp = E->plan;
    *h = (struct handoff){ 0 };
    h->seq = seq + 1;
    h->finished = finished;
    if (f) {
        h->faulted = 1;
        h->vector = f->vector;
        h->rip = f->rip;
        h->cr2 = f->cr2;
        h->fault_err = f->error;
        h->fault_apic = f->apic_id;
        h->fault_ap = !f->bsp;
    }
    h->elapsed_ms = timer_ms();
    fmt_format(h->temp_source, sizeof h->temp_source, "%s", thermal_source());
    h->boot_next = E->boot_next;
    h->ram_bytes = fp->plan.ram_total;
    h->usable_bytes = fp->usable;
    h->tested_bytes = fp->tested;
    h->footprint_bytes = fp->footprint;
    for (unsigned i = 0; i < fp->plan.ntest && h->ntested < HANDOFF_MAX_RANGES; i++)
        h->tested[h->ntested++] = fp->plan.test[i];
    for (unsigned i = 0; i < fp->nexcl && h->nexcl < HANDOFF_MAX_RANGES; i++)
        h->excl[h->nexcl++] = (struct handoff_excl){ fp->excl[i].base, fp->excl[i].len, fp->excl[i].why };
    h->madt_cpus = E->madt_cpus;
    h->fw_cpus = E->fw_cpus;
    for (unsigned i = 0; i < Q->ncpus && h->ncpus < HANDOFF_MAX_CPUS; i++) {
        const struct sched_cpu *c = &Q->cpu[i];
        h->cpus[h->ncpus++] = (struct handoff_cpu){ c->id, c->fenced ? HANDOFF_CPU_FENCED : HANDOFF_CPU_RAN,
                                                    c->bytes, c->busy_tsc / timer_tsc_per_ms(), c->parked,
                                                    c->forced, c->unretested, c->late };
    }
    h->cpu_refused = Q->tally.refused;
    h->cpu_late = Q->tally.late;
    h->ring_waits = Q->tally.ring_waits;
    for (unsigned i = 0; i < cpus.nmissing && h->ncpus < HANDOFF_MAX_CPUS; i++)
        h->cpus[h->ncpus++] = (struct handoff_cpu){ .apic_id = cpus.missing[i], .state = HANDOFF_CPU_MISSING };
    if (S->cfg.ecc_poll)
        mca_report(&S->mce);
    /* Summaries still open belong in this checkpoint. */
    errsink_flush(&K);
    handoff_from_session(h, S, &E->scratch);
}

/* What the record costs in the store: its chunks, each with its header and
 * the variable's own overhead. */
static uint64_t record_cost(const struct handoff *h)
{
    size_t size = handoff_size(h), room = E->max_chunk - HANDOFF_CHUNK_HEAD;
    unsigned vars = (unsigned)((size + room - 1) / room);
    return nvbudget_cost(size + (uint64_t)vars * HANDOFF_CHUNK_HEAD, vars);
}

/* Store the session when the variable store's budget allows (the last
 * record whenever it fits); says so on the consoles. 0 when stored. */
static int checkpoint(int finished, const struct bare_fault *f)
{
    int last = finished || f;
    uint64_t now = timer_ms();
    fill_record(finished, f);
    struct handoff *h = E->rec;
    uint64_t fw_free = rtvar_free(), cost = record_cost(h);
    /* The last record shrinks until it fits what is left (cells a summary
     * covers first, then every cell, then granules merged). */
    while (last && cost + NVBUDGET_KEEP_FREE > nvbudget_free(&E->nv, fw_free) && handoff_shrink(h))
        cost = record_cost(h);
    uint32_t skipped = E->nv.skipped;
    /* Room kept for the last record: as much as this one takes. */
    if (!nvbudget_may(&E->nv, cost, cost, fw_free, last, now)) {
        if (E->nv.skipped != skipped && (E->nv.skipped & (E->nv.skipped - 1)) == 0)
            bcon_printf("checkpoint skipped: the UEFI variable store must keep room for the final record "
                        "(%u skipped so far)\n", E->nv.skipped);
        return -1;
    }
    seq++;
    /* The record counts its own write, as if it succeeds. */
    h->nv_writes = E->nv.writes + 1;
    h->nv_skipped = E->nv.skipped;
    h->nv_failed = E->nv.failed;
    h->nv_bytes = E->nv.spent + cost;
    h->nv_free = E->nv.start_free;
    size_t len = handoff_encode(h, E->rec_buf, E->rec_cap);
    int n = len ? rtvar_store(seq & 1, E->rec_buf, len, E->max_chunk, E->chunk_buf, E->chunk_cap) : -1;
    nvbudget_wrote(&E->nv, cost, n >= 0, now);
    K.dirty = 0;
    if (n < 0) {
        bcon_alert("checkpoint %u: could not store the results in UEFI variables\n", seq);
        return -1;
    }
    bcon_printf("checkpoint %u stored: %u cell%s, %u row%s, %u summar%s, %u granule range%s, %llu bytes in %d variable%s%s\n",
                seq, h->ncells, h->ncells == 1 ? "" : "s", h->nrows, h->nrows == 1 ? "" : "s",
                h->nsums, h->nsums == 1 ? "y" : "ies", h->ngran, h->ngran == 1 ? "" : "s",
                (unsigned long long)len, n, n == 1 ? "" : "s", finished ? " (final)" : "");
    if (h->shrunk)
        bcon_printf("  (made smaller to fit the variable store: %u step%s)\n", h->shrunk, h->shrunk == 1 ? "" : "s");
    return 0;
}

/* The slot of the CPU with this APIC ID (0 when not found). */
static unsigned slot_of_apic(uint32_t apic)
{
    for (unsigned i = 0; Q && i < Q->ncpus; i++)
        if (Q->cpu[i].id == apic)
            return i;
    return 0;
}

/* A machine check ended the run: its memory errors become the session's
 * events (and cells) through the one error sink, then the checkpoint. */
static void take_machine_check(const struct bare_fault *f)
{
    unsigned slot = slot_of_apic(f->apic_id);
    bcon_alert("\nMACHINE CHECK on %s (APIC ID %u): MCG_STATUS 0x%llx, %u memory error%s in its banks\n",
               f->bsp ? "the boot CPU" : "an AP", f->apic_id, (unsigned long long)f->mcg_status, f->nmce,
               f->nmce == 1 ? "" : "s");
    for (unsigned i = 0; i < f->nmce; i++) {
        const struct mce_event *e = &f->mce[i];
        bcon_alert("  bank %u status 0x%016llx addr 0x%llx misc 0x%llx\n", e->bank, (unsigned long long)e->status,
                   (unsigned long long)e->addr, (unsigned long long)e->misc);
        errsink_error(&K, slot, e->addr, e->status, e->misc, cpu_rdtsc(), sched_mce_flags(e));
    }
    S->mce.ended_by_mc = 1;
}

static void on_fault(const struct bare_fault *f)
{
    if (f->vector == 18)
        take_machine_check(f);
    bcon_alert("\nEXCEPTION: vector %u (%s) on %s (APIC ID %u) at RIP 0x%llx, CR2 0x%llx, error 0x%llx, RSP 0x%llx\n",
               f->vector, bare_vector_name(f->vector), f->bsp ? "the boot CPU" : "an AP", f->apic_id,
               (unsigned long long)f->rip, (unsigned long long)f->cr2, (unsigned long long)f->error,
               (unsigned long long)f->rsp);
    checkpoint(0, f);
    bcon_printf("resetting; the next boot writes what was found so far\n");
    rtvar_reset_warm();
}

/* --- the hooks the kernels call ------------------------------------------- */

/* The platform's part of the BSP's housekeeping, between blocks: an AP's
 * exception ends the run here, on the boot CPU, the only one that may call
 * the firmware; due checkpoints are stored. */
static void tick(void *ctx)
{
    (void)ctx;
    struct bare_fault af;
    if (bare_ap_fault(&af))
        on_fault(&af);
    if (K.dirty && nvbudget_due(&E->nv, timer_ms()))
        checkpoint(0, 0);
}

static void idle(void)
{
    for (int i = 0; i < 1000; i++)
        __builtin_ia32_pause();
}

static void on_notice(void *ctx, const char *msg)
{
    (void)ctx;
    bcon_alert("%s\n", msg);
}

static void on_fence(void *ctx, unsigned slot)
{
    (void)ctx;
    aps_fence(slot);
}

static struct runloop R;
static const struct platform full = { .con = &bcon,
                                      .key = bcon_key, .now_ms = timer_ms, .temperature = thermal_read,
                                      .temp_source = thermal_source,
                                      .tick = tick, .idle = idle, .tag = "  full coverage",
                                      .esc_note = " (at the next boot)" };
static struct sched_hooks hooks = { .error = errsink_error, .flush = errsink_flush, .poll = runloop_poll,
                                          .notice = on_notice, .fence = on_fence, .tsc = cpu_rdtsc,
                                          .cache = cpu_cache_set, .ctx = &R, .sink = &K };

/* --- the run -------------------------------------------------------------- */

/* Start the APs with our own trampoline; the run goes on with whoever checked in. */
static void start_cpus(uint64_t cr3)
{
    char why[128];
    struct aps_plan *p = E->aps;
    if (p->n && aps_start(p, cr3, E->la57, &cpus, why, sizeof why)) {
        bcon_alert("cpus: the APs were not started (%s): the boot CPU only\n", why);
        cpus = (struct aps_result){ .slot_id = { p->bsp_id } };
    }
    /* ecc=poll: the same bank polling as firmware mode; CR4.MCE is ours (trap.c). */
    hooks.mce_poll = S->cfg.ecc_poll ? mca_poll : NULL;
    if (S->cfg.ecc_poll) {
        S->mce.cr4_mce = 2;
        bcon_printf("ecc: polling machine-check banks on every CPU; CR4.MCE set, #MC logs and ends the run\n");
    }
    sched_init(Q, 1 + cpus.started, &S->cfg, timer_tsc_per_ms(), &hooks);
    Q->id_name = "APIC ID";
    for (unsigned i = 0; i < Q->ncpus; i++)
        Q->cpu[i].id = cpus.slot_id[i];
    aps_release(Q, &cpus);
    bcon_printf("cpus: %u started by weakbit (boot CPU + %u AP%s) of %u the MADT lists%s%s\n",
                1 + cpus.started, cpus.started, cpus.started == 1 ? "" : "s", E->madt_cpus,
                E->cpu_note[0] ? " - " : "", E->cpu_note);
    for (unsigned i = 0; i < cpus.nmissing; i++)
        bcon_alert("cpus: APIC ID %u did not check in within %u ms: left out (INIT sent)\n", cpus.missing[i],
                   APS_CHECKIN_MS);
    if (cpus.stray)
        bcon_alert("cpus: %u AP%s found no entry for its APIC ID and halted\n", cpus.stray,
                   cpus.stray == 1 ? "" : "s");
}

static void show_plan(void)
{
    const struct full_plan *fp = E->plan;
    char sz[32];
    fmt_size(sz, sizeof sz, fp->tested);
    bcon_printf("memory: testing %s in %u range%s (full coverage)\n", sz, fp->plan.ntest,
                fp->plan.ntest == 1 ? "" : "s");
    for (unsigned i = 0; i < fp->plan.ntest; i++)
        bcon_printf("  range 0x%llx-0x%llx\n", (unsigned long long)fp->plan.test[i].base,
                    (unsigned long long)(fp->plan.test[i].base + fp->plan.test[i].len));
    unsigned bp = fullplan_share_bp(fp->tested, fp->usable, fp->footprint);
    fmt_size(sz, sizeof sz, fp->footprint);
    bcon_printf("coverage: tested %llu of %llu MiB the OS could use (%u.%02u %%); footprint %s\n",
                (unsigned long long)(fp->tested >> 20), (unsigned long long)(fp->usable >> 20), bp / 100,
                bp % 100, sz);
    for (unsigned i = 0; i < E->nmap; i++)
        bcon_printf("  map 0x%llx-0x%llx %s\n", (unsigned long long)E->map[i].base,
                    (unsigned long long)(E->map[i].base + E->map[i].len), fullplan_type_name(E->map[i].type));
}

/* What the page tables map uncached: the framebuffer (UC-, the MTRRs may
 * make it write-combining), the local APIC (strong UC), every MMIO range of
 * the map (strong UC) and every reserved one (UC-): nothing of weakbit's
 * touches them, and no write-back mapping should invite the CPU to. */
static unsigned uncached_ranges(struct paging_uc *uc)
{
    unsigned n = 0;
    uc[n++] = (struct paging_uc){ E->have_fb ? E->fb.base : 0, E->have_fb ? E->fb.size : 0, 0 };
    uc[n++] = (struct paging_uc){ E->aps->apic.x2apic ? 0 : E->aps->apic.base, 4096, 1 };
    for (unsigned i = 0; i < E->nmap && n < 2 + UC_RANGES; i++) {
        uint32_t t = E->map[i].type & ~FULL_TYPE_FLAGS;
        if (t != FULL_MMIO && t != FULL_MMIO_PORT && t != FULL_RESERVED)
            continue;
        int strong = t != FULL_RESERVED;
        struct paging_uc *l = &uc[n - 1];
        if (n > 2 && l->strong == strong && l->base + l->len == E->map[i].base)
            l->len += E->map[i].len;
        else
            uc[n++] = (struct paging_uc){ E->map[i].base, E->map[i].len, strong };
    }
    return n;
}

void bare_main(void *arg)
{
    E = arg;
    S = E->s;
    session_carry(S, E->carry);
    errsink_init(&K, S, NULL, 0, &sink_ops);
    thermal_after_exit();
    rtvar_reset_from(E->debug_reset);
    bare_cpu_init(on_fault, rtvar_reset_warm);
    Q = E->sched;
    static struct paging_uc uc[2 + UC_RANGES];
    unsigned nuc = uncached_ranges(uc);
    uint64_t cr3 = paging_build(E->page_tables, E->map_top, E->la57, uc, nuc);
    xhci_map(E->usb, E->page_tables);
    bare_write_cr3(cr3);
    bcon_init(E->uart_port, E->have_fb ? &E->fb : 0);
    bcon_printf("full coverage: boot services are gone; own GDT, IDT and page tables (CR3 0x%llx); console: %s\n",
                (unsigned long long)cr3, bcon_route());
    xhci_start(E->usb);

    struct mem_range foot[2] = { { E->image_base, E->image_len }, { E->block_base, E->block_len } };
    fullplan_build(E->plan, E->map, E->nmap, foot, 2, S->cfg.ranges, S->cfg.nranges,
                   S->cfg.full_bsmem_skip ? FULLPLAN_SKIP_BS : 0);
    S->plan = E->plan->plan;
    S->test_bytes = memplan_test_bytes(&S->plan);
    show_plan();
    start_cpus(cr3);
    runloop_init(&R, S, Q, &full);
    runloop_show_chunks(&R);
    if (E->debug_full_fail == 1) {
        bcon_printf("debug_full_fail=reset: resetting before the first checkpoint\n");
        rtvar_reset_warm();
    }
    checkpoint(0, 0);

    if (E->debug_fault == 1) {
        bcon_printf("debug_fault=1: touching unmapped address 0x%llx on purpose\n",
                    (unsigned long long)FAULT_ADDR);
        *(volatile uint64_t *)(uintptr_t)FAULT_ADDR = 1;
    }

    runloop_run(&R);
    unsigned late = aps_park(Q);
    if (late)
        bcon_alert("cpus: %u AP%s did not leave the scheduler; parked with INIT anyway\n", late,
                   late == 1 ? "" : "s");
    checkpoint(1, 0);
    bcon_printf("run complete: %llu error%s, %u cell%s; resetting: the next boot writes errors.csv, "
                "report.txt and badram.txt\n",
                (unsigned long long)S->error_words, S->error_words == 1 ? "" : "s", S->cells.n,
                S->cells.n == 1 ? "" : "s");
    rtvar_reset_warm();
}
