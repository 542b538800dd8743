// SPDX-License-Identifier: MIT
#include "ui.h"
#include "console.h"
#include "cpu.h"
#include "mp.h"
#include "sessionlog.h"
#include "thermal.h"
#include "timer.h"
#include <efi.h>
#include <efilib.h>

#define STATUS_MS 1000
#define KEY_MS 200
#define BEEP_GAP_MS 2000
#define BEEP_MS 150
#define ALERTS_PER_S 8           /* cell alerts shown per second: the screen must not slow the drain */

static uint64_t last_status_ms, last_key_ms, last_beep_ms, beep_off_ms;
static uint64_t alert_window_ms;
static unsigned alerts_shown, alerts_hidden;

static void temp_text(int t, char *buf, size_t cap)
{
    if (t == FAILBIT_NO_TEMP)
        fmt_format(buf, cap, "n/a");
    else
        fmt_format(buf, cap, "%d C", t);
}

/* PC speaker through PIT channel 2, ~1 kHz. Started here and stopped from
 * ui_poll BEEP_MS later: a beep never stalls the drain of the error rings.
 * Harmless where there is no speaker: nothing listens on these ports. */
static void beep_start(uint64_t now)
{
    unsigned div = 1193182 / 1000;
    io_out8(0x43, 0xb6);
    io_out8(0x42, (uint8_t)div);
    io_out8(0x42, (uint8_t)(div >> 8));
    io_out8(0x61, io_in8(0x61) | 3);
    beep_off_ms = (now ? now : 1) + BEEP_MS;
}

void ui_beep_off(int now_anyway)
{
    if (beep_off_ms && (now_anyway || timer_ms() >= beep_off_ms)) {
        io_out8(0x61, io_in8(0x61) & ~3);
        beep_off_ms = 0;
    }
}

void ui_cell(struct session *s, const struct session_cell_news *n, uint64_t expected,
             uint64_t actual)
{
    char t[16];
    (void)s;
    uint64_t now = timer_ms();
    if (now - alert_window_ms >= 1000) {
        if (alerts_hidden)
            con_alert("... and %u more new or re-seen cells (see errors.csv and session.log)\n", alerts_hidden);
        alert_window_ms = now;
        alerts_shown = alerts_hidden = 0;
    }
    if (alerts_shown >= ALERTS_PER_S) {
        alerts_hidden++;
        return;
    }
    alerts_shown++;
    temp_text(n->fb.temp_c, t, sizeof t);
    if (n->reseen) {
        con_printf("re-seen cell 0x%llx bit %u (known from an earlier session; test %u, cpu %u, %s)\n",
                   (unsigned long long)n->fb.addr, n->fb.bit, n->fb.test, n->fb.cpu, t);
        return;
    }
    con_alert("NEW WEAK CELL 0x%llx bit %u (test %u, pass %u, cpu %u, %s, read 0x%016llx, expected 0x%016llx)\n",
              (unsigned long long)n->fb.addr, n->fb.bit, n->fb.test, n->fb.pass + 1, n->fb.cpu, t,
              (unsigned long long)actual, (unsigned long long)expected);
    if (now - last_beep_ms >= BEEP_GAP_MS || !last_beep_ms) {
        last_beep_ms = now ? now : 1;
        beep_start(now);
    }
}

static void show_stress_status(struct session *s, uint64_t now)
{
    uint64_t moved = s->bytes_moved + mp_blocks_done() * MT_BLOCK;
    uint64_t mbps = now ? moved / 1000 * 1000 / now / 1000 : 0;   /* MB/s */
    char temp[16], last[80] = "none yet";
    temp_text(thermal_read(), temp, sizeof temp);
    if (s->have_last_new)
        fmt_format(last, sizeof last, "0x%llx bit %u at %llus", (unsigned long long)s->last_new.addr,
                   s->last_new.bit, (unsigned long long)(s->last_new.time_ms / 1000));
    /* Key = elapsed seconds: a serial line every second. */
    con_status((unsigned)(now / 1000),
               "stress %llus/%llus loop %u  %llu.%02llu GB/s  errors %llu  cells %u (new %llu)  last %s  temp %s  dwell %llums (waited %llus)",
               (unsigned long long)(now / 1000), (unsigned long long)s->cfg.duration_s, s->loops + 1,
               (unsigned long long)(mbps / 1000), (unsigned long long)(mbps % 1000 / 10),
               (unsigned long long)s->error_words, s->cells.n, (unsigned long long)s->new_cells, last,
               temp, (unsigned long long)s->cfg.hold_ms, (unsigned long long)(mp_dwell_ms() / 1000));
}

static void show_status(struct session *s, uint64_t now)
{
    if (s->cfg.mode == CFG_MODE_STRESS) {
        show_stress_status(s, now);
        return;
    }
    uint64_t total = s->test_bytes / MT_BLOCK * s->sweeps_total;
    unsigned pct = total ? (unsigned)(mp_blocks_done() * 100 / total) : 0;
    if (pct > 99)
        pct = 99;
    con_status(s->pass * 100000 + s->test->num * 1000 + pct / 10 * 10,
               "pass %u test %u %3u%%  %llus  errors %llu  cells %u   [Esc stop, P pause, S skip]", s->pass + 1,
               s->test->num, pct, (unsigned long long)(now / 1000),
               (unsigned long long)s->error_words, s->cells.n);
}

static void handle_keys(struct session *s)
{
    EFI_INPUT_KEY key;
    if (ST->ConIn->ReadKeyStroke(ST->ConIn, &key) != EFI_SUCCESS)
        return;
    unsigned test = s->test ? s->test->num : 0;
    if (key.ScanCode == SCAN_ESC) {
        s->stop = s->user_stop = 1;
        con_printf("\nEsc: stopping; the report is still written\n");
        slog_event("stopped by user (Esc)");
    } else if (key.UnicodeChar == L's' || key.UnicodeChar == L'S') {
        s->skip = 1;
        con_printf("\nS: skipping test %u\n", test);
        slog_event("test %u skipped by user", test);
    } else if (key.UnicodeChar == L'p' || key.UnicodeChar == L'P') {
        mp_pause();   /* every CPU holds at its next block boundary */
        ui_beep_off(1);
        con_printf("\nP: paused - press any key to continue\n");
        slog_event("paused by user");
        UINTN idx;
        BS->WaitForEvent(1, &ST->ConIn->WaitForKey, &idx);
        ST->ConIn->ReadKeyStroke(ST->ConIn, &key);
        mp_resume();
        con_printf("continuing\n");
        slog_event("resumed");
    }
}

int ui_poll(struct session *s)
{
    uint64_t now = timer_ms();
    ui_beep_off(0);
    if (now - last_key_ms >= KEY_MS) {
        last_key_ms = now;
        handle_keys(s);
    }
    if (s->cfg.mode == CFG_MODE_STRESS && !s->stop && now >= s->cfg.duration_s * 1000) {
        s->stop = 1;
        slog_event("stress duration reached");
    }
    if (now - last_status_ms >= STATUS_MS) {
        last_status_ms = now;
        show_status(s, now);
    }
    return s->stop || s->skip;
}

void ui_wait_key(void)
{
    EFI_INPUT_KEY key;
    while (ST->ConIn->ReadKeyStroke(ST->ConIn, &key) == EFI_SUCCESS)
        ;   /* drop keys pressed during the run */
    UINTN idx;
    BS->WaitForEvent(1, &ST->ConIn->WaitForKey, &idx);
}
