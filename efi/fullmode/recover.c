// SPDX-License-Identifier: MIT
#include "fullmode/recover.h"
#include "uefi/console.h"
#include "uefi/fileio.h"
#include "uefi/firmware.h"
#include "uefi/history.h"
#include "uefi/results.h"
#include "uefi/sessionlog.h"
#include "fullmode/bare/rtvar.h"
#include "core/errcsv.h"
#include "core/fullplan.h"
#include "core/handoff.h"
#include "core/recovery.h"
#include <efilib.h>

#define SCRATCH_BYTES (HANDOFF_REC_BYTES + HANDOFF_MAX_CHUNKS * 64)

static struct handoff *rec;

/* Load and decode one set; 1 when it holds a valid record. */
static int load_set(unsigned set, struct handoff *h, uint8_t *buf, uint8_t *scratch)
{
    long len = rtvar_load(set, buf, HANDOFF_REC_BYTES, scratch, SCRATCH_BYTES);
    if (len == 0)
        return 0;
    int err = len < 0 ? (int)len : handoff_decode(h, buf, (size_t)len);
    if (err) {
        con_alert("full coverage hand-off, variable set %c: %s; ignored\n", set ? 'B' : 'A',
                  handoff_strerror(err));
        return 0;
    }
    return 1;
}

int recover_pending(void)
{
    uint8_t *buf = AllocatePool(HANDOFF_REC_BYTES), *scratch = AllocatePool(SCRATCH_BYTES);
    struct handoff *h[2] = { AllocateZeroPool(sizeof **h), AllocateZeroPool(sizeof **h) };
    if (!buf || !scratch || !h[0] || !h[1])
        return 0;
    int ok[2];
    for (unsigned set = 0; set < 2; set++)
        ok[set] = load_set(set, h[set], buf, scratch);
    FreePool(buf);
    FreePool(scratch);
    /* Both sets hold checkpoints of one run: the newer one wins. */
    int pick = ok[0] && ok[1] ? h[1]->seq > h[0]->seq : ok[1] ? 1 : ok[0] ? 0 : -1;
    if (pick < 0) {
        if (rtvar_delete_all())
            con_alert("full coverage hand-off: unreadable variables deleted\n");
        return 0;
    }
    rec = h[pick];
    return 1;
}

/* errors.csv: the session line, then the run's rows and summary records,
 * as firmware mode would have written them. */
static void write_rows(struct session *s, int files, int *rows_ok)
{
    static char buf[HANDOFF_MAX_ROWS * 128 + HANDOFF_MAX_SUMS * 200 + SESSION_MCE_EVENTS * 240 + 512];
    struct sbuf csv;
    sbuf_init(&csv, buf, sizeof buf);
    if (files && fio_size(L"errors.csv") <= 0)
        sbuf_puts(&csv, ERRCSV_HEADER);
    sbuf_printf(&csv, "# session %s start %s full coverage\n", rec->id, rec->started);
    handoff_to_session(rec, s, &csv);
    *rows_ok = !csv.lost && (!files || fio_append(L"errors.csv", csv.p, csv.len) == 0);
    if (!*rows_ok)
        s->rows_unlogged += s->error_rows;
}

void recover_results(struct session *s, const char *dimms, int files, unsigned max_cells)
{
    con_printf("full coverage: results of session %s found in UEFI variables (checkpoint %u, %s)\n", rec->id,
               rec->seq, recovery_state(rec));
    int cur = rtvar_boot_current();
    if (rec->boot_next >= 0)
        con_printf("full coverage: the run set BootNext to Boot%04X; this boot came from Boot%04X%s\n",
                   rec->boot_next, cur < 0 ? 0xffff : cur, cur == rec->boot_next ? " (as asked)" : "");
    if (files)
        history_load(&s->known, &s->hist);
    int rows_ok;
    write_rows(s, files, &rows_ok);
    slog_event("session %s start %s: full-coverage results from the hand-off, checkpoint %u, %s", s->id,
               s->started, rec->seq, recovery_state(rec));
    static char fw[128];
    static struct recovery_text rt;
    struct session_platform pf = { 0 };
    recovery_platform(rec, &rt, &pf);
    if (!rec->finished)
        con_alert("%s", rec->faulted ? "the full-coverage run ended with a CPU exception\n"
                                     : "the full-coverage run was cut short: cells after the last checkpoint are lost\n");
    fw_describe(fw, sizeof fw);
    pf.firmware = fw;
    pf.serial_route = "polled UART / framebuffer (full coverage)";
    pf.dimm_lines = dimms;
    pf.files_note = files && rows_ok ? NULL : "the boot volume was not writable: the results stay in UEFI variables";
    int written = results_write_platform(s, &pf, files, max_cells) == 0 && rows_ok;
    if (written) {
        unsigned n = rtvar_delete_all();
        con_printf("full coverage: %u hand-off variable%s deleted\n", n, n == 1 ? "" : "s");
        slog_event("hand-off variables deleted (%u)", n);
    } else {
        con_alert("full coverage: the files could not be written; the UEFI variables are kept for the next boot\n");
    }
}
