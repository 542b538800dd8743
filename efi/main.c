// SPDX-License-Identifier: MIT
// weakbit.efi: the lifecycle of a run. Load the configuration, plan the
// memory, run the tests, write the results, finish. The rules of a run live
// in core/session.c; this file only wires them to the firmware.
#include <efi.h>
#include <efilib.h>

#include "uefi/cfgload.h"
#include "uefi/console.h"
#include "cpu/cpu.h"
#include "uefi/dimms.h"
#include "uefi/fileio.h"
#include "uefi/firmware.h"
#include "fullmode/full.h"
#include "uefi/history.h"
#include "uefi/memmap.h"
#include "fwmode/mp.h"
#include "fullmode/recover.h"
#include "uefi/results.h"
#include "uefi/sessionlog.h"
#include "uefi/thermal.h"
#include "uefi/timer.h"
#include "fwmode/ui.h"
#include "cpu/cache.h"
#include "cpu/mca.h"
#include "fullmode/bare/rtvar.h"
#include "core/errsink.h"
#include "core/runloop.h"
#include "core/session.h"

#define VERSION "0.1"
#define CELL_SLOTS 8192          /* power of two; 6144 distinct cells fit */
#define KNOWN_SLOTS 16384        /* cells from earlier sessions */

static struct session s;
static int seed_given;   /* seed= was set; else the TSC at start gave it */
static int files;                /* the boot volume is writable */
static struct sched *Q;
static struct runloop R;

static void on_notice(void *ctx, const char *msg)
{
    (void)ctx;
    con_alert("%s\n", msg);
    slog_event("%s", msg);
}

/* errors.csv's session line; a full-coverage run gets its own at the next boot. */
static void csv_session_header(void)
{
    char head[256];
    if (files)
        fio_append(L"errors.csv", head, session_csv_start(&s, fio_size(L"errors.csv") <= 0, head, sizeof head));
}

static void start_session(int csv_header)
{
    char started[32];
    fw_wall_clock(started, sizeof started);
    session_start(&s, started, (unsigned)(cpu_rdtsc() >> 4));
    if (files)
        history_load(&s.known, &s.hist);
    if (csv_header)
        csv_session_header();
    slog_event("session %s start %s, weakbit %s", s.id, s.started, VERSION);
    slog_event("seed 0x%llx (%s); hold_ms %llu", (unsigned long long)s.cfg.seed,
               seed_given ? "seed=" : "from the TSC", (unsigned long long)s.cfg.hold_ms);
    con_printf("session %s; earlier sessions on this volume: %u with %u known cell%s\n", s.id,
               s.hist.sessions, s.known.n, s.known.n == 1 ? "" : "s");
    if (s.hist.torn_repaired) {
        con_alert("errors.csv ended mid-line (power cut?): line closed, it is skipped when read\n");
        slog_event("errors.csv had a torn last line; closed it");
    }
}

/* focus=cells: test only the granules around cells already on record. */
static void focus_on_known_cells(void)
{
    struct cell *scratch = AllocatePool(KNOWN_SLOTS * sizeof *scratch);
    unsigned n = scratch ? session_focus(&s, scratch, KNOWN_SLOTS) : 0;
    if (scratch)
        FreePool(scratch);
    if (!n) {
        con_printf("focus=cells: %s; testing %s\n", scratch ? "no cells recorded yet" : "out of memory",
                   s.cfg.nranges ? "the range= list" : "all memory");
        return;
    }
    con_printf("focus=cells: %u known cell%s, +-%llu MiB each: %u range%s\n", n, n == 1 ? "" : "s",
               (unsigned long long)(s.cfg.focus_margin >> 20), s.cfg.nranges,
               s.cfg.nranges == 1 ? "" : "s");
    slog_event("focus on %u known cells: %u ranges", n, s.cfg.nranges);
}

static void plan_memory(void)
{
    if (mm_take(&s.plan, s.cfg.ranges, s.cfg.nranges, s.cfg.reserve)) {
        con_alert("cannot read the firmware memory map\n");
        slog_event("memory map unreadable; nothing tested");
    }
    s.test_bytes = memplan_test_bytes(&s.plan);
    char sz[32];
    fmt_size(sz, sizeof sz, s.test_bytes);
    con_printf("memory: testing %s in %u range%s (reserve %llu MiB left to firmware)\n", sz,
               s.plan.ntest, s.plan.ntest == 1 ? "" : "s", (unsigned long long)(s.cfg.reserve >> 20));
    for (unsigned i = 0; i < s.plan.ntest; i++)
        con_printf("  range 0x%llx-0x%llx\n", (unsigned long long)s.plan.test[i].base,
                   (unsigned long long)(s.plan.test[i].base + s.plan.test[i].len));
    slog_event("testing %llu bytes in %u ranges", (unsigned long long)s.test_bytes, s.plan.ntest);
}

static const struct platform fw = { .con = &con_fw,
                                    .event = slog_event, .key = ui_key, .now_ms = timer_ms,
                                    .temperature = thermal_read, .temp_source = thermal_source, .tick = ui_tick, .idle = ui_idle,
                                    .tag = "", .esc_note = "" };
/* errors.csv: one append per flush; non-zero when it failed. */
static int write_rows(void *ctx, const char *buf, size_t len)
{
    (void)ctx;
    return !files || fio_append(L"errors.csv", buf, len);
}

static void log_flushed(void *ctx)
{
    (void)ctx;
    slog_flush();
}

static struct errsink K;
static char rows[512u << 10];
static const struct errsink_ops sink_ops = { .write = write_rows, .con = &con_fw,
                                             .log = slog_queue, .flushed = log_flushed, .bell = ui_bell,
                                             .now_ms = timer_ms, .tsc_ms = timer_tsc_ms,
                                             .temperature = thermal_read_recent,
                                             .more_where = "see errors.csv and session.log" };
static struct sched_hooks hooks = { .error = errsink_error, .flush = errsink_flush, .poll = runloop_poll,
                                    .notice = on_notice, .tsc = cpu_rdtsc, .cache = cpu_cache_set, .ctx = &R,
                                    .sink = &K };

/* The one scheduler on the CPUs MP services start; 0 when it has no memory. */
static int start_cpus(void)
{
    errsink_init(&K, &s, rows, sizeof rows, &sink_ops);
    mp_init(&s.cfg);
    Q = AllocateZeroPool(sizeof *Q);   /* about 700 KiB: not in the .efi file */
    if (!Q) {
        con_alert("out of memory for the scheduler: nothing tested\n");
        slog_event("out of memory for the scheduler");
        return 0;
    }
    /* ecc=poll: every CPU polls its machine-check banks between blocks. The
     * firmware keeps CR4.MCE as it set it: an uncorrected error is its to handle. */
    hooks.mce_poll = s.cfg.ecc_poll ? mca_poll : NULL;
    if (s.cfg.ecc_poll) {
        s.mce.cr4_mce = (int8_t)mca_cr4_mce();
        con_printf("ecc: polling machine-check banks on every CPU; CR4.MCE %s by the firmware\n",
                   s.mce.cr4_mce ? "set" : "clear");
        slog_event("ecc=poll; CR4.MCE %s", s.mce.cr4_mce ? "set" : "clear");
    }
    sched_init(Q, mp_cpus_used(), &s.cfg, timer_tsc_per_ms(), &hooks);
    mp_start(Q);
    con_printf("cpus: %u found, %u used%s%s\n", mp_cpus_found(), Q->ncpus, mp_note() ? " - " : "",
               mp_note() ? mp_note() : "");
    slog_event("cpus: %u found, %u used", mp_cpus_found(), Q->ncpus);
    runloop_init(&R, &s, Q, &fw);
    runloop_show_chunks(&R);
    return 1;
}

static void run(void)
{
    runloop_run(&R);
    mp_stop(Q);
    if (s.cfg.ecc_poll)
        mca_report(&s.mce);
}

/* Firmware mode's facts for the report, then the files. `coverage_lines`:
 * why full coverage fell back, or NULL. */
static void write_results(const char *dimms, const char *coverage_lines)
{
    static char fw[128], cpus[SMP_MAX_CPUS * 96 + 128];
    fw_describe(fw, sizeof fw);
    struct sbuf cs;
    sbuf_init(&cs, cpus, sizeof cpus);
    sched_report_lines(Q, &cs);
    struct session_platform pf = {
        .firmware = fw, .serial_route = con_serial_route(), .temp_source = thermal_source(),
        .tsc_note = timer_tsc_note(), .counted = Q->tally.counted, .late = Q->tally.late,
        .cpus_used = Q->ncpus, .cpus_found = mp_cpus_found(), .cpu_note = mp_note(),
        .cpu_lines = cpus, .dimm_lines = dimms, .total_ms = timer_ms(),
        .files_note = files ? NULL : "the boot volume was not writable: nothing was saved",
        .coverage = "firmware", .coverage_lines = coverage_lines,
    };
    results_write_platform(&s, &pf, files, CELL_SLOTS);
}

static void finish(void)
{
    switch (s.cfg.on_finish) {
    case CFG_FINISH_SHUTDOWN:
        con_printf("on_finish=shutdown: powering off\n");
        RT->ResetSystem(EfiResetShutdown, EFI_SUCCESS, 0, NULL);
        break;
    case CFG_FINISH_REBOOT:
        con_printf("on_finish=reboot: restarting\n");
        RT->ResetSystem(EfiResetCold, EFI_SUCCESS, 0, NULL);
        break;
    case CFG_FINISH_WAIT:
        con_printf("Press any key to return to the firmware.\n");
        ui_wait_key();
        break;
    }
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
    InitializeLib(image, systab);
    mm_set_image(image);
    BS->SetWatchdogTimer(0, 0, 0, NULL);   /* a full test runs for hours */
    con_init();
    ST->ConOut->SetAttribute(ST->ConOut, EFI_LIGHTGRAY | EFI_BACKGROUND_BLACK);
    con_printf("weakbit %s memory tester\n", VERSION);
    timer_init();

    /* Before mm_take: the SMBIOS parse needs pool memory. */
    static char dimms[16384];
    struct sbuf ds;
    sbuf_init(&ds, dimms, sizeof dimms);
    dimms_report(&ds);
    con_printf("%s", dimms);

    struct cell *cell_mem = AllocatePool(CELL_SLOTS * sizeof *cell_mem);
    struct cell *known_mem = AllocatePool(KNOWN_SLOTS * sizeof *known_mem);
    if (!cell_mem || !known_mem) {
        con_alert("out of memory for the cell tables\n");
        return EFI_OUT_OF_RESOURCES;
    }
    session_init(&s, cell_mem, CELL_SLOTS, known_mem, KNOWN_SLOTS);
    files = fio_init(image) == 0;
    if (!files)
        con_alert("cannot open \\weakbit on the boot volume: results will only be shown on screen\n");
    cfgload_read(image, &s);
    session_config_done(&s);
    seed_given = s.cfg.seed != 0;
    if (!seed_given)
        s.cfg.seed = cpu_rdtsc() | 1;   /* patterns differ from boot to boot, as in Memtest86+ */

    /* Before the exit in full coverage: the sensor is read in both modes. */
    thermal_init(&s.cfg, s.cfg.mode == CFG_MODE_STRESS ? s.cfg.duration_s * 1000 : 0);

    /* The boot after a full-coverage run: its results, then on_finish. */
    unsigned tried;
    char tried_id[40], tried_why[160];
    int attempt = rtvar_attempt_get(&tried, tried_id, sizeof tried_id, tried_why, sizeof tried_why);
    if (recover_pending()) {
        rtvar_attempt_clear();
        recover_results(&s, dimms, files, CELL_SLOTS);
        finish();
        return EFI_SUCCESS;
    }
    static char fallback[320];
    char why[256];
    int full = s.cfg.coverage == CFG_COVERAGE_FULL;
    if (attempt) {
        /* The last full-coverage attempt left no record: not again, or a
         * machine that resets at the exit would loop for ever. */
        rtvar_attempt_clear();
        if (tried == RTVAR_ATTEMPT_EXIT_FAILED)
            fmt_format(why, sizeof why, "the last full-coverage attempt (session %s): %s", tried_id, tried_why);
        else
            fmt_format(why, sizeof why, "the last full-coverage attempt (session %s) stopped before its first "
                       "checkpoint (a reset, hang or power cut right after ExitBootServices)", tried_id);
        full = 0;
    }
    start_session(!full);
    if (s.cfg.focus_cells)
        focus_on_known_cells();
    if (attempt) {
        con_alert("%s: testing in firmware mode this time\n", why);
        slog_event("firmware mode: %s", why);
        fmt_format(fallback, sizeof fallback, "coverage: firmware (%s)\n", why);
    }
    if (full) {
        slog_event("coverage=full: preparing to leave the firmware");
        if (!full_prepare(image, &s, why, sizeof why))
            full_run(image, why, sizeof why);   /* never returns */
        con_alert("coverage=full not possible: %s; testing in firmware mode\n", why);
        slog_event("coverage=full fell back to firmware mode: %s", why);
        fmt_format(fallback, sizeof fallback, "coverage: firmware (coverage=full fell back: %s)\n", why);
        csv_session_header();
    }
    plan_memory();
    if (!start_cpus())
        return EFI_OUT_OF_RESOURCES;
    run();
    ui_beep_off(1);
    mm_release(&s.plan);
    write_results(dimms, fallback[0] ? fallback : NULL);
    slog_event("session end: %llu errors, %u cells", (unsigned long long)s.error_words, s.cells.n);
    finish();
    return EFI_SUCCESS;
}
