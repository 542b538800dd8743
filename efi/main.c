// SPDX-License-Identifier: MIT
// weakbit.efi entry: configuration, memory, the test loop, and the files.
#include <efi.h>
#include <efilib.h>

#include "console.h"
#include "cpu.h"
#include "dimms.h"
#include "fileio.h"
#include "history.h"
#include "memmap.h"
#include "mp.h"
#include "thermal.h"
#include "timer.h"
#include "core/badram.h"
#include "core/cells.h"
#include "core/config.h"
#include "core/errcsv.h"
#include "core/fmt.h"
#include "core/focus.h"
#include "core/fold.h"
#include "core/interleave.h"
#include "core/tests/catalog.h"
#include "core/report.h"

#define VERSION "0.1"
#define CELL_SLOTS 8192          /* power of two; 6144 distinct cells fit */
#define MAX_ROWS_LOGGED 200000   /* errors.csv rows per session: a dead DIMM must not fill the stick */
#define MAX_GRANULES 4096
#define KNOWN_SLOTS 16384        /* cells from earlier sessions */
#define STATUS_MS 1000
#define KEY_MS 200
#define BEEP_GAP_MS 2000
#define BEEP_MS 150
#define TEMP_MS 500              /* one sensor read serves every error in this window */
#define OUT_CAP (512u << 10)     /* errors.csv bytes gathered per drain */
#define ALERTS 32                /* new-cell alerts gathered per drain */
#define ALERTS_PER_S 8           /* shown per second: the screen must not slow the drain */

/* All run state in one place, passed explicitly. */
struct app {
    struct wb_config cfg;
    struct sbuf problems;
    char problems_buf[2048];
    struct mem_plan plan;
    struct cell_table cells;   /* this session */
    struct cell_table known;   /* earlier sessions on this stick */
    struct history hist;
    char started[32], session[40];
    /* current position */
    uint32_t pass;
    const struct mt_test *test;
    uint64_t sweeps_total, test_bytes;
    uint64_t last_status_ms, last_key_ms, last_beep_ms;
    int stop;               /* Esc, or the stress duration ran out */
    int user_stop;
    int skip;               /* S: abandon the current test only */
    /* stress mode */
    unsigned loops;
    uint64_t bytes_moved;   /* memory traffic of finished tests, for GB/s */
    uint64_t new_cells, reseen_cells;
    uint64_t last_cell_addr, last_cell_ms;
    unsigned last_cell_bit;
    int have_last_cell;
    /* totals */
    uint64_t error_words, error_rows, rows_unlogged;
    struct fold fold;           /* rows or summary records, and the accounting */
    uint64_t pending_words, pending_rows;   /* in out_buf, not yet written */
    uint64_t beep_off_ms;       /* speaker on until then (0: off) */
    int temp_now;
    uint64_t temp_ms;
    struct rep_test rt[MT_MAX_TEST + 1];
    unsigned nrt;
};

static struct app app;

/* One timestamped session.log line into line[cap]; returns its length. */
static size_t log_vline(char *line, size_t cap, const char *fmt, va_list ap)
{
    uint64_t ms = timer_ms();
    size_t n = fmt_format(line, cap, "[%6llu.%03llu] ", (unsigned long long)(ms / 1000),
                          (unsigned long long)(ms % 1000));
    n += fmt_vformat(line + n, cap - n - 1, fmt, ap);
    if (n > cap - 2)
        n = cap - 2;
    line[n++] = '\n';
    line[n] = 0;
    return n;
}

static void log_event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_event(const char *fmt, ...)
{
    char line[400];
    va_list ap;
    va_start(ap, fmt);
    size_t n = log_vline(line, sizeof line, fmt, ap);
    va_end(ap);
    fio_append(L"session.log", line, n);
}

/* Events of one drain (new cells), appended to session.log in one write. */
static char logq[64 << 10];
static size_t logq_len;
static uint64_t logq_more;

static void log_queue(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_queue(const char *fmt, ...)
{
    if (logq_len + 400 > sizeof logq) {
        logq_more++;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    logq_len += log_vline(logq + logq_len, 400, fmt, ap);
    va_end(ap);
}

static void log_flush(void)
{
    if (logq_len)
        fio_append(L"session.log", logq, logq_len);
    if (logq_more)
        log_event("%llu more events of this drain not logged one by one (see errors.csv)",
                  (unsigned long long)logq_more);
    logq_len = 0;
    logq_more = 0;
}

static void config_warn(void *ctx, const char *msg)
{
    struct app *a = ctx;
    con_alert("config: %s\n", msg);
    sbuf_printf(&a->problems, "  %s\n", msg);
}

/* Load options are UTF-16; take them only when they are plain printable text. */
static void parse_load_options(EFI_HANDLE image)
{
    EFI_LOADED_IMAGE *li = NULL;
    if (BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&li) != EFI_SUCCESS || !li ||
        !li->LoadOptions || li->LoadOptionsSize < 2)
        return;
    static char text[1024];
    const CHAR16 *w = li->LoadOptions;
    UINTN n = li->LoadOptionsSize / 2, k = 0;
    for (UINTN i = 0; i < n && w[i]; i++) {
        if (w[i] < 0x20 || w[i] > 0x7e || k + 1 >= sizeof text)
            return;   /* binary boot-option data, not a command line */
        text[k++] = (char)w[i];
    }
    text[k] = 0;
    /* A shell passes the program name first: skip a first word without '='. */
    UINTN s = 0;
    while (s < k && text[s] == ' ')
        s++;
    UINTN e = s;
    int has_eq = 0;
    while (e < k && text[e] != ' ')
        has_eq |= text[e++] == '=';
    if (!has_eq)
        s = e;
    if (s < k)
        config_parse(&app.cfg, "load options", text + s, k - s, config_warn, &app);
}

static void read_config(EFI_HANDLE image)
{
    static char text[16384];
    config_defaults(&app.cfg);
    sbuf_init(&app.problems, app.problems_buf, sizeof app.problems_buf);
    long n = fio_read(L"weakbit.cfg", text, sizeof text);
    if (n >= 0) {
        con_printf("config: \\weakbit\\weakbit.cfg (%ld bytes)\n", n);
        config_parse(&app.cfg, "weakbit.cfg", text, (size_t)n, config_warn, &app);
    } else {
        con_printf("config: no \\weakbit\\weakbit.cfg, using defaults\n");
    }
    parse_load_options(image);
}

/* PC speaker through PIT channel 2, ~1 kHz. Started here and stopped from
 * the poll BEEP_MS later: a beep never stalls the drain. Harmless where
 * there is no speaker: nothing listens on these ports. */
static void beep_start(struct app *a, uint64_t now)
{
    unsigned div = 1193182 / 1000;
    io_out8(0x43, 0xb6);
    io_out8(0x42, (uint8_t)div);
    io_out8(0x42, (uint8_t)(div >> 8));
    io_out8(0x61, io_in8(0x61) | 3);
    a->beep_off_ms = now + BEEP_MS;
}

static void beep_poll(struct app *a, uint64_t now, int force)
{
    if (a->beep_off_ms && (now >= a->beep_off_ms || force)) {
        io_out8(0x61, io_in8(0x61) & ~3);
        a->beep_off_ms = 0;
    }
}

/* What one drain gathers: errors.csv text and the alerts to show after it
 * is written (a crash a moment later must not lose what the screen showed). */
static char out_buf[OUT_CAP];
static size_t out_len;
static struct alert {
    uint64_t addr, expected, actual, ms;
    unsigned bit, cpu;
    int temp, reseen;
} alerts[ALERTS];
static unsigned nalerts, alerts_more;

static void temp_text(char *t, size_t cap, int temp)
{
    fmt_format(t, cap, "n/a");
    if (temp != FAILBIT_NO_TEMP)
        fmt_format(t, cap, "%d C", temp);
}

static void on_flush(void *ctx);

static void on_error(void *ctx, unsigned cpu, uint64_t addr, uint64_t expected, uint64_t actual,
                     uint64_t tsc, unsigned flags)
{
    struct app *a = ctx;
    uint64_t now = timer_tsc_ms(tsc);
    uint64_t ms = timer_ms();
    if (!a->temp_ms || ms - a->temp_ms >= TEMP_MS) {
        a->temp_now = thermal_read();
        a->temp_ms = ms ? ms : 1;
    }
    a->error_words++;
    /* Shed load when a ring had to make its CPU wait, and before the cell
     * table fills: a summary keeps place and count, and badram covers it. */
    int shed = (flags & MP_ERR_SHED) || a->cells.n >= a->cells.cap / 2;
    if (!fold_word(&a->fold, cpu, a->pass, a->test->num, now, addr, expected, actual,
                   flags & FAILBIT_ADDR_UNCERTAIN, shed)) {
        if (fold_pending(&a->fold))
            on_flush(a);
        return;
    }
    struct failbit rows[64];
    unsigned n = failbit_split(addr, expected, actual, rows);
    if (out_len + n * 100 > OUT_CAP)
        on_flush(a);
    for (unsigned i = 0; i < n; i++) {
        rows[i].time_ms = now;
        rows[i].pass = a->pass;
        rows[i].test = a->test->num;
        rows[i].cpu = cpu;
        rows[i].temp_c = a->temp_now;
        rows[i].flags = flags & FAILBIT_ADDR_UNCERTAIN;
        out_len += errcsv_format(out_buf + out_len, OUT_CAP - out_len, &rows[i]);
    }
    fold_rows_written(&a->fold, n, 1);
    a->pending_words++;
    a->pending_rows += n;
    a->error_rows += n;
    for (unsigned i = 0; i < n; i++) {
        if (cells_add(&a->cells, &rows[i]) != 1)
            continue;
        int reseen = cells_find(&a->known, rows[i].addr, rows[i].bit) != NULL;
        if (reseen) {
            a->reseen_cells++;
        } else {
            a->new_cells++;
            a->have_last_cell = 1;
            a->last_cell_addr = addr;
            a->last_cell_bit = rows[i].bit;
            a->last_cell_ms = now;
        }
        if (nalerts < ALERTS)
            alerts[nalerts++] = (struct alert){ addr, expected, actual, now, rows[i].bit, cpu,
                                                a->temp_now, reseen };
        else
            alerts_more++;
        /* Every cell is in session.log, shown on screen or not. */
        log_queue("%s cell 0x%llx bit %u test %u pass %u cpu %u", reseen ? "re-seen" : "new",
                  (unsigned long long)addr, rows[i].bit, a->test->num, a->pass + 1, cpu);
    }
}

/* One append, one flush: the rows and summaries gathered. A failed write
 * moves what it held from written to unwritten, so the report still adds up. */
static void write_out(struct app *a, unsigned nsum, uint64_t sum_words)
{
    if (out_len && fio_append(L"errors.csv", out_buf, out_len)) {
        fold_rows_lost(&a->fold, a->pending_words, a->pending_rows);
        fold_summaries_lost(&a->fold, nsum, sum_words);
        a->rows_unlogged += a->pending_rows;
    }
    out_len = 0;
    a->pending_words = a->pending_rows = 0;
}

/* End of a drain: the summaries closed so far and every row gathered, in one
 * append with one flush; then the alerts. */
static void on_flush(void *ctx)
{
    struct app *a = ctx;
    static int told;
    const struct failsum *sum;
    unsigned nsum = fold_take_closed(&a->fold, &sum), inbuf = 0;
    uint64_t sum_words = 0;
    for (unsigned i = 0; i < nsum; i++) {
        if (out_len + 200 > OUT_CAP) {
            write_out(a, inbuf, sum_words);
            inbuf = 0;
            sum_words = 0;
        }
        out_len += errcsv_summary_line(out_buf + out_len, OUT_CAP - out_len, &sum[i]);
        inbuf++;
        sum_words += sum[i].words;
        uint64_t cur = 0;
        struct failbit r;
        while (fold_cover_next(&sum[i], &cur, &r))
            cells_add(&a->cells, &r);
        log_queue("summary: cpu %u test %u pass %u: %llu failing words in 0x%llx-0x%llx, bits 0x%llx",
                  sum[i].cpu, sum[i].test, sum[i].pass + 1, (unsigned long long)sum[i].words,
                  (unsigned long long)sum[i].lo, (unsigned long long)sum[i].hi,
                  (unsigned long long)sum[i].bits);
    }
    write_out(a, inbuf, sum_words);
    log_flush();   /* both files hold it before the screen shows it */
    if (nsum && !told) {
        told = 1;
        con_alert("errors come too fast for one row per bit: folding them into summary records "
                  "(errors.csv \"# summary\" lines; badram covers their ranges)\n");
    }
    uint64_t now = timer_ms();
    static uint64_t window_ms;
    static unsigned shown;
    if (now - window_ms >= 1000) {
        if (alerts_more)
            con_alert("... and %u more new or re-seen cells (see errors.csv)\n", alerts_more);
        window_ms = now;
        shown = 0;
        alerts_more = 0;
    }
    for (unsigned i = 0; i < nalerts; i++) {
        const struct alert *e = &alerts[i];
        if (shown >= ALERTS_PER_S) {
            alerts_more++;
            continue;
        }
        shown++;
        char t[16];
        temp_text(t, sizeof t, e->temp);
        if (e->reseen) {
            con_printf("re-seen cell 0x%llx bit %u (known from an earlier session; test %u, cpu %u, %s)\n",
                       (unsigned long long)e->addr, e->bit, a->test->num, e->cpu, t);
            continue;
        }
        con_alert("NEW WEAK CELL 0x%llx bit %u (test %u, pass %u, cpu %u, %s, read 0x%016llx, expected 0x%016llx)\n",
                  (unsigned long long)e->addr, e->bit, a->test->num, a->pass + 1, e->cpu, t,
                  (unsigned long long)e->actual, (unsigned long long)e->expected);
        if (now - a->last_beep_ms >= BEEP_GAP_MS || !a->last_beep_ms) {
            a->last_beep_ms = now ? now : 1;
            beep_start(a, now);
        }
    }
    nalerts = 0;
}

static void show_stress_status(struct app *a, uint64_t now)
{
    uint64_t moved = a->bytes_moved + mp_blocks_done() * MT_BLOCK;
    uint64_t mbps = now ? moved / 1000 * 1000 / now / 1000 : 0;   /* MB/s */
    char temp[16] = "n/a", last[80] = "none yet";
    int t = thermal_read();
    if (t != FAILBIT_NO_TEMP)
        fmt_format(temp, sizeof temp, "%d C", t);
    if (a->have_last_cell)
        fmt_format(last, sizeof last, "0x%llx bit %u at %llus", (unsigned long long)a->last_cell_addr,
                   a->last_cell_bit, (unsigned long long)(a->last_cell_ms / 1000));
    /* Key = elapsed seconds: a serial line every second. */
    con_status((unsigned)(now / 1000),
               "stress %llus/%llus loop %u  %llu.%02llu GB/s  errors %llu  cells %u (new %llu)  last %s  temp %s",
               (unsigned long long)(now / 1000), (unsigned long long)a->cfg.duration_s, a->loops + 1,
               (unsigned long long)(mbps / 1000), (unsigned long long)(mbps % 1000 / 10),
               (unsigned long long)a->error_words, a->cells.n, (unsigned long long)a->new_cells, last,
               temp);
}

static void show_status(struct app *a, uint64_t now)
{
    if (a->cfg.mode == CFG_MODE_STRESS) {
        show_stress_status(a, now);
        return;
    }
    uint64_t total = a->test_bytes / MT_BLOCK * a->sweeps_total;
    unsigned pct = total ? (unsigned)(mp_blocks_done() * 100 / total) : 0;
    if (pct > 99)
        pct = 99;
    con_status(a->pass * 100000 + a->test->num * 1000 + pct / 10 * 10,
               "pass %u test %u %3u%%  %llus  errors %llu  cells %u   [Esc stop, P pause, S skip]", a->pass + 1,
               a->test->num, pct, (unsigned long long)(now / 1000),
               (unsigned long long)a->error_words, a->cells.n);
}

/* Esc stops (the report is still written), P pauses until the next key,
 * S skips the current test. */
static void handle_keys(struct app *a)
{
    EFI_INPUT_KEY key;
    if (ST->ConIn->ReadKeyStroke(ST->ConIn, &key) != EFI_SUCCESS)
        return;
    if (key.ScanCode == SCAN_ESC) {
        a->stop = a->user_stop = 1;
        con_printf("\nEsc: stopping; the report is still written\n");
        log_event("stopped by user (Esc)");
    } else if (key.UnicodeChar == L's' || key.UnicodeChar == L'S') {
        a->skip = 1;
        con_printf("\nS: skipping test %u\n", a->test ? a->test->num : 0);
        log_event("test %u skipped by user", a->test ? a->test->num : 0);
    } else if (key.UnicodeChar == L'p' || key.UnicodeChar == L'P') {
        mp_pause();   /* every CPU holds at its next block boundary */
        con_printf("\nP: paused - press any key to continue\n");
        log_event("paused by user");
        UINTN idx;
        BS->WaitForEvent(1, &ST->ConIn->WaitForKey, &idx);
        ST->ConIn->ReadKeyStroke(ST->ConIn, &key);
        mp_resume();
        con_printf("continuing\n");
        log_event("resumed");
    }
}

static void on_notice(void *ctx, const char *msg)
{
    (void)ctx;
    con_alert("%s\n", msg);
    log_event("%s", msg);
}

static int on_poll(void *ctx)
{
    struct app *a = ctx;
    uint64_t now = timer_ms();
    beep_poll(a, now, 0);
    if (now - a->last_key_ms >= KEY_MS) {
        a->last_key_ms = now;
        handle_keys(a);
    }
    if (a->cfg.mode == CFG_MODE_STRESS && !a->stop && now >= a->cfg.duration_s * 1000) {
        a->stop = 1;
        log_event("stress duration reached");
    }
    if (now - a->last_status_ms >= STATUS_MS) {
        a->last_status_ms = now;
        show_status(a, now);
    }
    return a->stop || a->skip;
}

/* Session id from the firmware clock and the TSC: unique enough per stick. */
static void start_session(int files)
{
    if (files) {
        history_load(&app.known, &app.hist);
        if (fio_size(L"errors.csv") <= 0)
            fio_append(L"errors.csv", ERRCSV_HEADER, sizeof ERRCSV_HEADER - 1);
    }
    char compact[20];
    size_t k = 0;
    for (const char *p = app.started; *p && k < sizeof compact - 1; p++)
        if (*p >= '0' && *p <= '9')
            compact[k++] = *p;
    compact[k] = 0;
    fmt_format(app.session, sizeof app.session, "%s-%04x", compact,
               (unsigned)(cpu_rdtsc() >> 4 & 0xffff));
    char line[96];
    size_t n = errcsv_session_line(line, sizeof line, app.session, app.started);
    if (files)
        fio_append(L"errors.csv", line, n);
    log_event("session %s start %s, weakbit %s", app.session, app.started, VERSION);
    con_printf("session %s; earlier sessions on this volume: %u with %u known cell%s\n", app.session,
               app.hist.sessions, app.known.n, app.known.n == 1 ? "" : "s");
    if (app.hist.torn_repaired) {
        con_alert("errors.csv ended mid-line (power cut?): line closed, it is skipped when read\n");
        log_event("errors.csv had a torn last line; closed it");
    }
}

/* focus=cells: test only the granules around cells already on record. */
static void focus_on_known_cells(void)
{
    unsigned n = app.known.n;
    if (!n) {
        con_printf("focus=cells: no cells recorded yet; testing %s\n",
                   app.cfg.nranges ? "the range= list" : "all memory");
        return;
    }
    /* A sorted copy: the known table stays hashed for lookups. */
    struct cell *copy = AllocatePool(KNOWN_SLOTS * sizeof *copy);
    if (!copy) {
        con_alert("focus=cells: out of memory; testing all memory\n");
        return;
    }
    struct cell_table t;
    cells_init(&t, copy, KNOWN_SLOTS);
    for (unsigned i = 0; i < app.known.cap; i++)
        if (app.known.slot[i].used) {
            struct failbit r = { .addr = app.known.slot[i].addr, .bit = app.known.slot[i].bit };
            cells_add(&t, &r);
        }
    n = cells_sort(&t);
    app.cfg.nranges = focus_ranges(t.slot, n, app.cfg.focus_margin, app.cfg.granule, app.cfg.ranges,
                                   CONFIG_MAX_RANGES);
    FreePool(copy);
    con_printf("focus=cells: %u known cell%s, +-%llu MiB each: %u range%s\n", n, n == 1 ? "" : "s",
               (unsigned long long)(app.cfg.focus_margin >> 20), app.cfg.nranges,
               app.cfg.nranges == 1 ? "" : "s");
    log_event("focus on %u known cells: %u ranges", n, app.cfg.nranges);
}

static struct rep_test *rep_for(unsigned num)
{
    for (unsigned i = 0; i < app.nrt; i++)
        if (app.rt[i].num == num)
            return &app.rt[i];
    app.rt[app.nrt] = (struct rep_test){ .num = num };
    return &app.rt[app.nrt++];
}

static void run_test(const struct mt_test *t)
{
    struct rep_test *rep = rep_for(t->num);
    if (!t->run) {
        if (!rep->skipped) {
            rep->skipped = "not available in this version";
            con_printf("test %u (%s): not available in this version, skipped\n", t->num, t->name);
        }
        return;
    }
    unsigned iters = mt_iterations(t, app.cfg.quick, app.pass);
    app.test = t;
    app.sweeps_total = t->sweeps(iters);
    con_printf("pass %u test %u: %s (%u iteration%s)\n", app.pass + 1, t->num, t->name, iters,
               iters == 1 ? "" : "s");
    log_event("pass %u test %u start: %s, %u iterations", app.pass + 1, t->num, t->name, iters);
    uint64_t t0 = timer_ms();
    int aborted = 0;
    app.skip = 0;
    uint64_t errors = mp_run(t, app.plan.test, app.plan.ntest, app.pass, iters, &aborted);
    uint64_t ms = timer_ms() - t0;
    if (app.skip)
        rep->skipped_runs++;
    rep->runs++;
    rep->ms += ms;
    rep->bytes = app.test_bytes;
    rep->error_words += errors;
    const char *how = !aborted ? "done" : app.skip ? "skipped by user" : "stopped";
    con_printf("pass %u test %u: %s, %llu error%s, %llu.%01llu s\n", app.pass + 1, t->num, how, (unsigned long long)errors, errors == 1 ? "" : "s",
               (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000 / 100));
    log_event("pass %u test %u %s: %llu errors, %llu ms", app.pass + 1, t->num, how, (unsigned long long)errors, (unsigned long long)ms);
    app.bytes_moved += mp_blocks_done() * MT_BLOCK;
}

static void wall_clock(char *buf, size_t cap)
{
    EFI_TIME tm;
    if (RT->GetTime(&tm, NULL) != EFI_SUCCESS) {
        fmt_format(buf, cap, "unknown");
        return;
    }
    fmt_format(buf, cap, "%04u-%02u-%02u %02u:%02u:%02u", tm.Year, tm.Month, tm.Day, tm.Hour,
               tm.Minute, tm.Second);
}

static void ascii(const CHAR16 *w, char *buf, size_t cap)
{
    size_t k = 0;
    while (w && *w && k + 1 < cap) {
        buf[k++] = *w >= 0x20 && *w < 0x7f ? (char)*w : '?';
        w++;
    }
    buf[k] = 0;
}

static void finish(void)
{
    switch (app.cfg.on_finish) {
    case CFG_FINISH_SHUTDOWN:
        con_printf("on_finish=shutdown: powering off\n");
        RT->ResetSystem(EfiResetShutdown, EFI_SUCCESS, 0, NULL);
        break;
    case CFG_FINISH_REBOOT:
        con_printf("on_finish=reboot: restarting\n");
        RT->ResetSystem(EfiResetCold, EFI_SUCCESS, 0, NULL);
        break;
    case CFG_FINISH_WAIT: {
        con_printf("Press any key to return to the firmware.\n");
        EFI_INPUT_KEY key;
        while (ST->ConIn->ReadKeyStroke(ST->ConIn, &key) == EFI_SUCCESS)
            ;   /* drop keys pressed during the run */
        UINTN idx;
        BS->WaitForEvent(1, &ST->ConIn->WaitForKey, &idx);
        break;
    }
    }
}

/* "cpu N: bytes B time T" per CPU and the total, for report.txt. */
static const char *cpu_lines(void)
{
    static char buf[SMP_MAX_CPUS * 96 + 128];
    struct sbuf sb;
    sbuf_init(&sb, buf, sizeof buf);
    uint64_t bytes = 0, tsc = 0;
    for (unsigned s = 0; s < mp_cpus_used(); s++) {
        const struct mp_cpu_stats *c = mp_stats(s);
        uint64_t ms = c->busy_tsc / timer_tsc_per_ms();
        sbuf_printf(&sb, "  cpu %u: bytes %llu time %llu.%03llu s (processor %u%s)\n", s,
                    (unsigned long long)c->bytes, (unsigned long long)(ms / 1000),
                    (unsigned long long)(ms % 1000), c->proc,
                    c->dropped ? ", missed its deadline: fenced off" : "");
        if (c->dropped)
            sbuf_printf(&sb, "    stopped afterwards %u time%s (chunk re-tested on cpu 0); not re-tested: %llu bytes "
                        "(it never stopped); late errors ignored: %llu\n", c->parked,
                        c->parked == 1 ? "" : "s", (unsigned long long)c->unretested,
                        (unsigned long long)c->late);
        bytes += c->bytes;
        tsc += c->busy_tsc;
    }
    uint64_t ms = tsc / timer_tsc_per_ms();
    sbuf_printf(&sb, "  total: bytes %llu time %llu.%03llu s\n", (unsigned long long)bytes,
                (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000));
    const struct mp_tally *t = mp_tally();
    if (t->refused || t->late || t->ring_waits)
        sbuf_printf(&sb, "  barrier arrivals of fenced CPUs refused: %llu; their late errors ignored: %llu; "
                    "waits on a full error ring: %llu\n", (unsigned long long)t->refused,
                    (unsigned long long)t->late, (unsigned long long)t->ring_waits);
    return buf;
}

/* Session facts and this session's cells split into new and re-seen. Runs
 * before the cell table is sorted: `known` is looked up by hash. */
static const char *session_lines(void)
{
    static char buf[16384];
    struct sbuf sb;
    sbuf_init(&sb, buf, sizeof buf);
    sbuf_printf(&sb, "session:   %s; earlier sessions on this volume: %u (%llu rows, %u cells)\n",
                app.session, app.hist.sessions, (unsigned long long)app.hist.rows, app.known.n);
    sbuf_printf(&sb, "temperature source: %s\n", thermal_source());
    sbuf_printf(&sb, "tsc: %s\n", timer_tsc_note());
    if (app.cfg.mode == CFG_MODE_STRESS)
        sbuf_printf(&sb, "stress:    %u loop%s completed, duration %llu s%s\n", app.loops,
                    app.loops == 1 ? "" : "s", (unsigned long long)app.cfg.duration_s,
                    app.cfg.focus_cells ? ", focus=cells" : "");
    for (int pass = 0; pass < 2; pass++) {
        uint64_t count = pass ? app.reseen_cells : app.new_cells;
        sbuf_printf(&sb, "%s: %llu\n", pass ? "re-seen cells (recorded by an earlier session)"
                                           : "new cells this session",
                    (unsigned long long)count);
        unsigned shown = 0;
        for (unsigned i = 0; i < app.cells.cap && shown < 64; i++) {
            const struct cell *c = &app.cells.slot[i];
            if (!c->used || !cells_find(&app.known, c->addr, c->bit) != !pass)
                continue;
            sbuf_printf(&sb, "  0x%llx bit %u, first seen at %llu.%03llu s\n", (unsigned long long)c->addr,
                        c->bit, (unsigned long long)(c->first_ms / 1000),
                        (unsigned long long)(c->first_ms % 1000));
            shown++;
        }
    }
    return buf;
}

static void write_results(struct report_in *in, int files)
{
    in->session_lines = session_lines();
    con_printf("\n%s", in->session_lines);
    /* badram.txt covers every cell recorded on this volume, not only today's:
     * the union of the history and this session, before sorting either. */
    static struct cell_table all;
    unsigned acap = 2 * KNOWN_SLOTS;
    struct cell *amem = AllocatePool(acap * sizeof *amem);
    if (amem) {
        cells_init(&all, amem, acap);
        cells_merge(&all, &app.known);
        cells_merge(&all, &app.cells);
    }
    unsigned ncell = cells_sort(&app.cells);
    static uint64_t gran[MAX_GRANULES], agran[MAX_GRANULES];
    static struct cover_pair pairs[MAX_GRANULES], apairs[MAX_GRANULES];
    struct badram_set set = { .interleave = app.cfg.interleave };
    badram_build(&set, app.cells.slot, ncell, app.cfg.granule, app.cfg.max_pairs,
                 cover_limit(app.plan.ram_top), gran, pairs, MAX_GRANULES);
    struct badram_set aset = set;
    if (amem) {
        unsigned na = cells_sort(&all);
        badram_build(&aset, all.slot, na, app.cfg.granule, app.cfg.max_pairs,
                     cover_limit(app.plan.ram_top), agran, apairs, MAX_GRANULES);
    } else {
        con_alert("out of memory for the history's cells: badram.txt covers this session only\n");
    }
    /* Pool, not static: keeps the .efi small; test pages are free again by now. */
    size_t bcap = 1 << 20, rcap = 1 << 20;
    char *bbuf = AllocatePool(bcap), *rbuf = AllocatePool(rcap);
    if (!bbuf || !rbuf) {
        con_alert("out of memory for the report; see errors.csv\n");
        return;
    }
    struct sbuf sb;
    sbuf_init(&sb, bbuf, bcap);
    badram_render_cumulative(&sb, &aset, &set, app.hist.sessions + 1);
    in->badram = &aset;
    static struct il_model il;
    if (app.cfg.interleave[0] && !il_parse(&il, app.cfg.interleave, str_len(app.cfg.interleave)))
        in->il = &il;

    in->cells = app.cells.slot;
    in->ncells = ncell;
    in->cells_dropped = app.cells.dropped;
    struct sbuf rs;
    sbuf_init(&rs, rbuf, rcap);
    report_render(&rs, in);

    if (files) {
        int bad = fio_replace(L"badram.txt", bbuf, sb.len) | fio_replace(L"report.txt", rbuf, rs.len);
        if (bad)
            con_alert("could not write badram.txt/report.txt to the boot volume\n");
    }
    static char summary[4096];
    struct sbuf ss;
    sbuf_init(&ss, summary, sizeof summary);
    report_summary(&ss, in);
    con_printf("\n%s", summary);
    /* The GRUB line is the product: always show it in full. */
    const char *nl = bbuf;
    while (*nl && *nl != '\n')
        nl++;
    char first[4096];
    size_t fl = (size_t)(nl - bbuf) < sizeof first - 1 ? (size_t)(nl - bbuf) : sizeof first - 1;
    for (size_t i = 0; i < fl; i++)
        first[i] = bbuf[i];
    first[fl] = 0;
    con_printf("%s\n", first);
    if (files)
        con_printf("results: \\weakbit\\errors.csv report.txt badram.txt session.log on the boot volume\n");
    FreePool(bbuf);
    FreePool(rbuf);
    if (amem)
        FreePool(amem);
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
    wall_clock(app.started, sizeof app.started);

    /* Before mm_take: the SMBIOS parse needs pool memory. */
    static char dimms_buf[16384];
    struct sbuf ds;
    sbuf_init(&ds, dimms_buf, sizeof dimms_buf);
    dimms_report(&ds);
    con_printf("%s", dimms_buf);

    int files = fio_init(image) == 0;
    if (!files)
        con_alert("cannot open \\weakbit on the boot volume: results will only be shown on screen\n");
    read_config(image);

    struct cell *cell_mem = AllocatePool(CELL_SLOTS * sizeof *cell_mem);
    struct cell *known_mem = AllocatePool(KNOWN_SLOTS * sizeof *known_mem);
    if (!cell_mem || !known_mem) {
        con_alert("out of memory for the cell tables\n");
        return EFI_OUT_OF_RESOURCES;
    }
    cells_init(&app.cells, cell_mem, CELL_SLOTS);
    cells_init(&app.known, known_mem, KNOWN_SLOTS);

    start_session(files);
    if (app.cfg.mode == CFG_MODE_STRESS && !app.cfg.tests_given)
        app.cfg.tests = 1u << 5;   /* stress default: the test that finds weak cells */
    if (app.cfg.focus_cells)
        focus_on_known_cells();
    thermal_init(&app.cfg, app.cfg.mode == CFG_MODE_STRESS ? app.cfg.duration_s * 1000 : 0);

    if (mm_take(&app.plan, app.cfg.ranges, app.cfg.nranges, app.cfg.reserve)) {
        con_alert("cannot read the firmware memory map\n");
        log_event("memory map unreadable; nothing tested");
    }
    app.test_bytes = memplan_test_bytes(&app.plan);
    char sz[32];
    fmt_size(sz, sizeof sz, app.test_bytes);
    con_printf("memory: testing %s in %u range%s (reserve %llu MiB left to firmware)\n", sz,
               app.plan.ntest, app.plan.ntest == 1 ? "" : "s",
               (unsigned long long)(app.cfg.reserve >> 20));
    for (unsigned i = 0; i < app.plan.ntest; i++)
        con_printf("  range 0x%llx-0x%llx\n", (unsigned long long)app.plan.test[i].base,
                   (unsigned long long)(app.plan.test[i].base + app.plan.test[i].len));
    log_event("testing %llu bytes in %u ranges", (unsigned long long)app.test_bytes, app.plan.ntest);

    fold_init(&app.fold, MAX_ROWS_LOGGED);
    static const struct mp_hooks hooks = { .error = on_error, .flush = on_flush, .poll = on_poll,
                                           .notice = on_notice, .ctx = &app };
    mp_init(&app.cfg, &hooks);
    con_printf("cpus: %u found, %u used%s%s\n", mp_cpus_found(), mp_cpus_used(),
               mp_note() ? " - " : "", mp_note() ? mp_note() : "");
    log_event("cpus: %u found, %u used", mp_cpus_found(), mp_cpus_used());
    /* The chunk map, so a log shows which CPU tests which memory. */
    for (unsigned s = 0; s < mp_cpus_used(); s++) {
        struct mem_range ch[8];
        unsigned n = mp_chunk(app.plan.test, app.plan.ntest, s, ch, 8);
        for (unsigned i = 0; i < n; i++)
            con_printf("  cpu %u chunk 0x%llx-0x%llx\n", s, (unsigned long long)ch[i].base,
                       (unsigned long long)(ch[i].base + ch[i].len));
    }

    unsigned passes_done = 0;
    int stress = app.cfg.mode == CFG_MODE_STRESS;
    if (stress)
        con_printf("stress: looping tests for %llu s (Esc stops); temperature: %s\n",
                   (unsigned long long)app.cfg.duration_s, thermal_source());
    if (app.test_bytes) {
        /* A pass in test mode is a loop in stress mode: until the duration ends. */
        for (app.pass = 0; !app.stop && (stress || app.cfg.passes == 0 || app.pass < app.cfg.passes);
             app.pass++) {
            for (unsigned n = 0; n <= MT_MAX_TEST && !app.stop; n++)
                if (app.cfg.tests >> n & 1)
                    run_test(mt_find(n));
            if (!app.stop) {
                passes_done++;
                app.loops += stress;
            }
            char temp[16] = "n/a";
            int t = thermal_read();
            if (t != FAILBIT_NO_TEMP)
                fmt_format(temp, sizeof temp, "%d C", t);
            log_event("%s %u %s, temp %s, %u cells", stress ? "loop" : "pass", app.pass + 1,
                      app.stop ? "stopped" : "complete", temp, app.cells.n);
        }
    }
    beep_poll(&app, 0, 1);
    mm_release(&app.plan);

    char fw[96], fwv[64];
    ascii(ST->FirmwareVendor, fwv, sizeof fwv);
    fmt_format(fw, sizeof fw, "%s rev 0x%x, UEFI %u.%u", fwv, ST->FirmwareRevision,
               ST->Hdr.Revision >> 16, (ST->Hdr.Revision & 0xffff) / 10);
    struct report_in in = {
        .started = app.started, .firmware = fw, .serial_route = con_serial_route(),
        .cpus_used = mp_cpus_used(), .cpus_found = mp_cpus_found(), .cpu_note = mp_note(),
        .cpu_lines = cpu_lines(), .dimm_lines = dimms_buf,
        .plan = &app.plan, .cfg = &app.cfg, .config_problems = app.problems_buf,
        .tests = app.rt, .ntests = app.nrt, .total_ms = timer_ms(), .passes_done = passes_done,
        .stopped_by_user = app.user_stop, .error_words = app.error_words, .error_rows = app.error_rows,
        .rows_unlogged = app.rows_unlogged,
        .counted = mp_tally()->counted, .written = app.fold.acct.row_words,
        .summarised = app.fold.acct.summarised, .summaries = app.fold.acct.summaries,
        .lost = fold_lost(&app.fold.acct, mp_tally()->counted),
        .late = mp_tally()->late,
        .files_note = files ? NULL : "the boot volume was not writable: nothing was saved",
    };
    write_results(&in, files);
    log_event("session end: %llu errors, %u cells", (unsigned long long)app.error_words, app.cells.n);
    finish();
    return EFI_SUCCESS;
}
