// SPDX-License-Identifier: MIT
#include "bare/run.h"
#include "bare/aps.h"
#include "bare/bcon.h"
#include "bare/trap.h"
#include "bare/paging.h"
#include "bare/rtvar.h"
#include "cache.h"
#include "cpu.h"
#include "thermal.h"
#include "timer.h"
#include "core/kernels/runtime.h"

#define STATUS_MS 1000
#define KEY_MS 100
#define FAULT_ADDR 0x7ff000000000ull   /* canonical, never mapped by paging.c */
#define SUM_MS 100               /* open summary records are closed this often, as firmware mode's flush */
#define SHOW_CELLS 64            /* new cells announced one by one; then only counted */
#define UC_RANGES 64             /* MMIO and reserved ranges the page tables map uncached */

static void take_summaries(void);

static struct bare_env *E;
static struct session *S;
static struct sched *Q;
static struct aps_result cpus;
static uint64_t last_status_ms, last_key_ms, last_sum_ms;
static unsigned shown;           /* new cells announced one by one */
static int dirty;
static uint32_t seq;

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
    for (unsigned i = 0; i < Q->ncpus && h->ncpus < HANDOFF_MAX_CPUS; i++)
        h->cpus[h->ncpus++] = (struct handoff_cpu){ cpus.slot_id[i],
                                                    Q->cpu[i].fenced ? HANDOFF_CPU_FENCED : HANDOFF_CPU_RAN,
                                                    Q->cpu[i].bytes, Q->cpu[i].busy_tsc / timer_tsc_per_ms() };
    for (unsigned i = 0; i < cpus.nmissing && h->ncpus < HANDOFF_MAX_CPUS; i++)
        h->cpus[h->ncpus++] = (struct handoff_cpu){ cpus.missing[i], HANDOFF_CPU_MISSING, 0, 0 };
    /* Summaries still open belong in this checkpoint. */
    take_summaries();
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
    dirty = 0;
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

static void on_fault(const struct bare_fault *f)
{
    bcon_alert("\nEXCEPTION: vector %u (%s) on %s (APIC ID %u) at RIP 0x%llx, CR2 0x%llx, error 0x%llx, RSP 0x%llx\n",
               f->vector, bare_vector_name(f->vector), f->bsp ? "the boot CPU" : "an AP", f->apic_id,
               (unsigned long long)f->rip, (unsigned long long)f->cr2, (unsigned long long)f->error,
               (unsigned long long)f->rsp);
    checkpoint(0, f);
    bcon_printf("resetting; the next boot writes what was found so far\n");
    rtvar_reset_warm();
}

/* --- the hooks the kernels call ------------------------------------------- */

/* Close the open summary records into the carry; their cover cells enter
 * the cell table. */
static void take_summaries(void)
{
    uint64_t words;
    if (session_take_summaries(S, NULL, &words, NULL, NULL))
        dirty = 1;
    last_sum_ms = timer_ms();
}

/* Every CPU's errors arrive here, on the BSP (the APs' through their rings):
 * the same session rules as firmware mode; rows and summaries stay in the
 * carry for the record instead of going to a file. */
static void on_error(void *ctx, unsigned cpu, uint64_t addr, uint64_t expected, uint64_t actual, uint64_t tsc,
                     unsigned flags)
{
    (void)ctx;
    struct session_cell_news news[64];
    unsigned n = session_take_error(S, cpu, addr, expected, actual, timer_tsc_ms(tsc), flags,
                                    thermal_read_recent(), NULL, news);
    if (fold_pending(&S->fold))
        take_summaries();
    for (unsigned i = 0; i < n; i++) {
        const struct failbit *fb = &news[i].fb;
        if (++shown > SHOW_CELLS)
            continue;   /* a dead region: the status line counts them */
        if (news[i].reseen)
            bcon_printf("re-seen cell 0x%llx bit %u (known from an earlier session; test %u)\n",
                        (unsigned long long)fb->addr, fb->bit, fb->test);
        else
            bcon_alert("NEW WEAK CELL 0x%llx bit %u (test %u, pass %u, cpu %u, read 0x%016llx, expected 0x%016llx)\n",
                       (unsigned long long)fb->addr, fb->bit, fb->test, fb->pass + 1, cpu,
                       (unsigned long long)actual, (unsigned long long)expected);
        if (shown == SHOW_CELLS)
            bcon_alert("more new cells: not shown one by one (the status line counts them)\n");
    }
    if (n)
        dirty = 1;
}

static void status(uint64_t now)
{
    uint64_t total = S->test_bytes / MT_BLOCK * S->sweeps_total;
    unsigned pct = total ? (unsigned)(sched_blocks_done(Q) * 100 / total) : 0;
    if (pct > 99)
        pct = 99;
    /* The sensor as the stress timeline needs it: on the status line. */
    char temp[16] = "";
    int t = thermal_read();
    if (t != FAILBIT_NO_TEMP)
        fmt_format(temp, sizeof temp, "  %d C", t);
    bcon_status(S->pass * 100000 + (S->test ? S->test->num : 0) * 1000 + pct / 10 * 10,
                "pass %u test %u %3u%%  %llus  errors %llu  cells %u%s  full coverage  [Esc stop, P pause, S skip]",
                S->pass + 1, S->test ? S->test->num : 0, pct, (unsigned long long)(now / 1000),
                (unsigned long long)S->error_words, S->cells.n, temp);
}

static void stop_by_user(void)
{
    if (S->stop)
        return;
    S->stop = S->user_stop = 1;
    bcon_printf("\nEsc: stopping; the report is still written (at the next boot)\n");
}

/* Blocks each CPU has done in this test, for the pause lines. */
static void block_counts(char *buf, size_t cap)
{
    struct sbuf sb;
    sbuf_init(&sb, buf, cap);
    for (unsigned i = 0; i < Q->ncpus; i++)
        sbuf_printf(&sb, "%s%llu", i ? " " : "", (unsigned long long)Q->blocks[i]);
}

/* P: every AP holds at its next block, the BSP here, until a key. The block
 * counts on both lines show that nobody moved meanwhile. */
static void pause_run(void)
{
    unsigned held = sched_pause(Q, 1);
    uint64_t t0 = timer_ms();
    while (held + 1 < sched_live(Q) && timer_ms() - t0 < 2000)
        held = sched_pause(Q, 1);
    char blocks[160];
    block_counts(blocks, sizeof blocks);
    bcon_printf("\nP: paused - press any key to continue (%u of %u CPU%s holding; blocks per CPU: %s)\n",
                held + 1, sched_live(Q), sched_live(Q) == 1 ? "" : "s", blocks);
    bcon_status(~0u, "paused - press any key to continue (Esc stops)");
    int k;
    while (!(k = bcon_key()))
        for (int i = 0; i < 1000; i++)
            __builtin_ia32_pause();
    block_counts(blocks, sizeof blocks);
    bcon_printf("continuing after %llu ms paused (blocks per CPU: %s)\n", (unsigned long long)(timer_ms() - t0),
                blocks);
    sched_pause(Q, 0);
    if (k == 0x1b)
        stop_by_user();
}

/* Keys, the stress clock, the status line and due checkpoints; an AP's
 * exception ends the run here, on the boot CPU, the only one that may call
 * the firmware. */
static void housekeeping(void)
{
    struct bare_fault af;
    if (bare_ap_fault(&af))
        on_fault(&af);
    uint64_t now = timer_ms();
    if (now - last_key_ms >= KEY_MS) {
        last_key_ms = now;
        int k = bcon_key();
        if (k == 0x1b) {
            stop_by_user();
        } else if (k == 's' && !S->stop && !S->skip && S->test) {
            S->skip = 1;
            bcon_printf("\nS: skipping test %u\n", S->test->num);
        } else if (k == 'p' && !S->stop) {
            pause_run();
            now = timer_ms();
        }
    }
    if (S->cfg.mode == CFG_MODE_STRESS && !S->stop && now >= S->cfg.duration_s * 1000)
        S->stop = 1;
    if (now - last_status_ms >= STATUS_MS) {
        last_status_ms = now;
        status(now);
    }
    if (now - last_sum_ms >= SUM_MS)
        take_summaries();
    if (dirty && nvbudget_due(&E->nv, now))
        checkpoint(0, 0);
}

/* The BSP's housekeeping, called between its blocks and while it waits
 * for the APs. */
static int on_poll(void *ctx)
{
    (void)ctx;
    housekeeping();
    return S->stop || S->skip;
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

static void on_cache(int on)
{
    if (on)
        cpu_cache_on();
    else
        cpu_cache_off();
}

static const struct sched_hooks hooks = { .error = on_error, .poll = on_poll, .notice = on_notice,
                                          .fence = on_fence, .tsc = cpu_rdtsc, .cache = on_cache };

/* --- the run -------------------------------------------------------------- */

/* Bytes every CPU has swept so far, summed. */
static uint64_t swept_bytes(void)
{
    uint64_t b = 0;
    for (unsigned i = 0; i < Q->ncpus; i++)
        b += Q->cpu[i].bytes;
    return b;
}

/* Words counted by CPUs told to stop that found their ring full. */
static uint64_t lost_words(void)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < Q->ncpus; i++)
        n += __atomic_load_n(&Q->lost[i], __ATOMIC_RELAXED);
    return n;
}

static void run_test(const struct mt_test *t)
{
    if (!t->run) {
        if (session_test_unavailable(S, t))
            bcon_printf("test %u (%s): not available in this version, skipped\n", t->num, t->name);
        return;
    }
    unsigned iters = session_test_begin(S, t), p = S->pass + 1;
    bcon_printf("pass %u test %u: %s (%u iteration%s)\n", p, t->num, t->name, iters, iters == 1 ? "" : "s");
    uint64_t t0 = timer_ms(), d0 = sched_dwell_ms(Q), b0 = swept_bytes(), l0 = lost_words();
    int aborted = 0;
    uint64_t errors = sched_run(Q, t, S->plan.test, S->plan.ntest, S->pass, iters, &aborted);
    uint64_t ms = timer_ms() - t0;
    session_test_end(S, t, errors, ms, sched_blocks_done(Q) * MT_BLOCK, aborted);
    session_test_swept(S, t->num, swept_bytes() - b0);
    session_test_dwell(S, t->num, sched_dwell_ms(Q) - d0);
    if (lost_words() != l0)
        bcon_alert("test %u: %llu failing word%s counted by CPUs told to stop could not be queued: counted, "
                   "not recorded (the report's accounting shows them lost)\n", t->num,
                   (unsigned long long)(lost_words() - l0), lost_words() - l0 == 1 ? "" : "s");
    const char *how = !aborted ? "done" : S->skip ? "skipped by user" : "stopped";
    bcon_printf("pass %u test %u: %s, %llu error%s, %llu.%01llu s\n", p, t->num, how,
                (unsigned long long)errors, errors == 1 ? "" : "s", (unsigned long long)(ms / 1000),
                (unsigned long long)(ms % 1000 / 100));
}

/* Start the APs with our own trampoline; the run goes on with whoever checked in. */
static void start_cpus(uint64_t cr3)
{
    char why[128];
    struct aps_plan *p = E->aps;
    if (p->n && aps_start(p, cr3, E->la57, &cpus, why, sizeof why)) {
        bcon_alert("cpus: the APs were not started (%s): the boot CPU only\n", why);
        cpus = (struct aps_result){ .slot_id = { p->bsp_id } };
    }
    sched_init(Q, 1 + cpus.started, &S->cfg, timer_tsc_per_ms(), &hooks);
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

/* The chunk map, so a log shows which CPU tests which memory. */
static void show_chunks(void)
{
    for (unsigned c = 0; c < Q->ncpus; c++) {
        struct mem_range ch[8];
        unsigned n = sched_chunk(Q, S->plan.test, S->plan.ntest, c, ch, 8);
        for (unsigned i = 0; i < n; i++)
            bcon_printf("  cpu %u chunk 0x%llx-0x%llx (APIC ID %u)\n", c, (unsigned long long)ch[i].base,
                        (unsigned long long)(ch[i].base + ch[i].len), cpus.slot_id[c]);
    }
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
        uint32_t t = E->map[i].type & ~FULL_TYPE_RUNTIME;
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
    thermal_after_exit();
    rtvar_reset_from(E->debug_reset);
    bare_cpu_init(on_fault, rtvar_reset_warm);
    Q = E->sched;
    static struct paging_uc uc[2 + UC_RANGES];
    unsigned nuc = uncached_ranges(uc);
    uint64_t cr3 = paging_build(E->page_tables, E->map_top, E->la57, uc, nuc);
    bare_write_cr3(cr3);
    bcon_init(E->uart_port, E->have_fb ? &E->fb : 0);
    bcon_printf("full coverage: boot services are gone; own GDT, IDT and page tables (CR3 0x%llx); console: %s\n",
                (unsigned long long)cr3, bcon_route());

    struct mem_range foot[2] = { { E->image_base, E->image_len }, { E->block_base, E->block_len } };
    fullplan_build(E->plan, E->map, E->nmap, foot, 2, S->cfg.ranges, S->cfg.nranges,
                   S->cfg.full_bsmem_skip ? FULLPLAN_SKIP_BS : 0);
    S->plan = E->plan->plan;
    S->test_bytes = memplan_test_bytes(&S->plan);
    show_plan();
    start_cpus(cr3);
    show_chunks();
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

    while (S->test_bytes && session_more_passes(S)) {
        for (unsigned n = 0; n <= MT_MAX_TEST && !S->stop; n++)
            if (S->cfg.tests >> n & 1)
                run_test(mt_find(n));
        session_pass_end(S);
    }
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
