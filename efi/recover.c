// SPDX-License-Identifier: MIT
#include "recover.h"
#include "console.h"
#include "fileio.h"
#include "firmware.h"
#include "history.h"
#include "results.h"
#include "sessionlog.h"
#include "bare/trap.h"
#include "bare/rtvar.h"
#include "core/errcsv.h"
#include "core/fullplan.h"
#include "core/handoff.h"
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
    static char buf[HANDOFF_MAX_ROWS * 128 + HANDOFF_MAX_SUMS * 200 + 512];
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

static void coverage_text(struct sbuf *sb)
{
    char t[32];
    static struct full_excl ex[HANDOFF_MAX_RANGES];
    for (unsigned i = 0; i < rec->nexcl; i++)
        ex[i] = (struct full_excl){ rec->excl[i].base, rec->excl[i].len, rec->excl[i].why };
    fullplan_lines(sb, rec->tested_bytes, rec->usable_bytes, rec->footprint_bytes, ex, rec->nexcl);
    fmt_format(t, sizeof t, "%llu.%03llu s", (unsigned long long)(rec->elapsed_ms / 1000),
               (unsigned long long)(rec->elapsed_ms % 1000));
    if (rec->faulted)
        sbuf_printf(sb, "  run: ENDED BY CPU EXCEPTION %u (%s) on %s (APIC ID %u) at RIP 0x%llx, CR2 0x%llx, error 0x%llx, "
                        "after %s; results up to then (checkpoint %u)\n",
                    rec->vector, bare_vector_name(rec->vector), rec->fault_ap ? "an AP" : "the boot CPU",
                    rec->fault_apic, (unsigned long long)rec->rip,
                    (unsigned long long)rec->cr2, (unsigned long long)rec->fault_err, t, rec->seq);
    else if (!rec->finished)
        sbuf_printf(sb, "  run: CUT SHORT (power loss, hang or reset) after checkpoint %u at %s: "
                        "cells found after it are lost\n", rec->seq, t);
    else
        sbuf_printf(sb, "  run: finished after %s (checkpoint %u, final)\n", t, rec->seq);
    sbuf_printf(sb, "  UEFI variable store: %u checkpoint%s written, %llu bytes of the %llu KiB free before the exit; "
                    "%u skipped to keep room for the final record, %u failed\n",
                rec->nv_writes, rec->nv_writes == 1 ? "" : "s", (unsigned long long)rec->nv_bytes,
                (unsigned long long)(rec->nv_free >> 10), rec->nv_skipped, rec->nv_failed);
    if (rec->shrunk)
        sbuf_printf(sb, "  the last record was made smaller to fit the store (%u step%s): fewer cells listed with "
                        "their counts (the rest are counted above and masked); rows, summaries and every bad "
                        "granule kept\n", rec->shrunk, rec->shrunk == 1 ? "" : "s");
    sbuf_printf(sb, "  hand-off: %u row%s, %u summary record%s%s, %u of %llu cells, %u bad granule range%s\n",
                rec->nrows, rec->nrows == 1 ? "" : "s", rec->nsums, rec->nsums == 1 ? "" : "s",
                rec->sums_merged ? " (some merged for room)" : "", rec->ncells,
                (unsigned long long)rec->cells_total, rec->ngran, rec->ngran == 1 ? "" : "s");
}

/* report.txt's per-CPU lines, as firmware mode writes them, plus who was
 * left out. Returns the CPUs that ran. */
static unsigned cpu_text(struct sbuf *sb)
{
    unsigned ran = 0;
    uint64_t bytes = 0, ms = 0;
    for (unsigned i = 0, slot = 0; i < rec->ncpus; i++) {
        const struct handoff_cpu *c = &rec->cpus[i];
        if (c->state == HANDOFF_CPU_MISSING) {
            sbuf_printf(sb, "  APIC ID %u: did not check in after its start-up IPIs: left out\n", c->apic_id);
            continue;
        }
        ran += c->state == HANDOFF_CPU_RAN;
        sbuf_printf(sb, "  cpu %u: bytes %llu time %llu.%03llu s (APIC ID %u, %s%s)\n", slot,
                    (unsigned long long)c->bytes, (unsigned long long)(c->busy_ms / 1000),
                    (unsigned long long)(c->busy_ms % 1000), c->apic_id,
                    slot ? "started by weakbit" : "boot CPU",
                    c->state == HANDOFF_CPU_FENCED ? ", fenced: stopped responding" : "");
        bytes += c->bytes;
        ms += c->busy_ms;
        slot++;
    }
    sbuf_printf(sb, "  total: bytes %llu time %llu.%03llu s\n", (unsigned long long)bytes,
                (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000));
    return ran;
}

void recover_results(struct session *s, const char *dimms, int files, unsigned max_cells)
{
    con_printf("full coverage: results of session %s found in UEFI variables (checkpoint %u, %s)\n", rec->id,
               rec->seq, rec->faulted ? "ended by an exception" : rec->finished ? "finished" : "cut short");
    int cur = rtvar_boot_current();
    if (rec->boot_next >= 0)
        con_printf("full coverage: the run set BootNext to Boot%04X; this boot came from Boot%04X%s\n",
                   rec->boot_next, cur < 0 ? 0xffff : cur, cur == rec->boot_next ? " (as asked)" : "");
    if (files)
        history_load(&s->known, &s->hist);
    int rows_ok;
    write_rows(s, files, &rows_ok);
    slog_event("session %s start %s: full-coverage results from the hand-off, checkpoint %u, %s", s->id,
               s->started, rec->seq, rec->faulted ? "ended by an exception" : rec->finished ? "finished" : "cut short");
    static char cov[16384], fw[128];
    struct sbuf cs;
    sbuf_init(&cs, cov, sizeof cov);
    coverage_text(&cs);
    if (!rec->finished)
        con_alert("%s", rec->faulted ? "the full-coverage run ended with a CPU exception\n"
                                     : "the full-coverage run was cut short: cells after the last checkpoint are lost\n");
    fw_describe(fw, sizeof fw);
    static char cpu_lines[HANDOFF_MAX_CPUS * 112 + 128], cpu_note[128];
    struct sbuf cl;
    sbuf_init(&cl, cpu_lines, sizeof cpu_lines);
    unsigned ran = cpu_text(&cl), missing = 0;
    for (unsigned i = 0; i < rec->ncpus; i++)
        missing += rec->cpus[i].state == HANDOFF_CPU_MISSING;
    size_t n = fmt_format(cpu_note, sizeof cpu_note, "%u started by weakbit after ExitBootServices (MADT: %u enabled",
                          rec->ncpus ? rec->ncpus - missing : 1, rec->madt_cpus);
    if (rec->fw_cpus)
        n += fmt_format(cpu_note + n, sizeof cpu_note - n, ", MP services: %u", rec->fw_cpus);
    n += fmt_format(cpu_note + n, sizeof cpu_note - n, ")");
    if (missing)
        fmt_format(cpu_note + n, sizeof cpu_note - n, "; %u never checked in", missing);
    /* What the kernels counted: every test's error words (a word that never
     * reached the session shows as lost). */
    uint64_t counted = 0;
    for (unsigned i = 0; i < rec->ntests; i++)
        counted += rec->tests[i].error_words;
    struct session_platform pf = {
        .counted = counted,
        .firmware = fw, .serial_route = "polled UART / framebuffer (full coverage)",
        .temp_source = rec->temp_source[0] ? rec->temp_source : "n/a", .cpus_used = ran ? ran : 1,
        .cpus_found = rec->madt_cpus ? rec->madt_cpus : 1, .cpu_note = cpu_note,
        .cpu_lines = rec->ncpus ? cpu_lines : NULL,
        .dimm_lines = dimms, .total_ms = rec->elapsed_ms,
        .files_note = files && rows_ok ? NULL : "the boot volume was not writable: the results stay in UEFI variables",
        .coverage = "full", .coverage_lines = cov,
    };
    int written = results_write_platform(s, &pf, files, max_cells) == 0 && rows_ok;
    if (written) {
        unsigned n = rtvar_delete_all();
        con_printf("full coverage: %u hand-off variable%s deleted\n", n, n == 1 ? "" : "s");
        slog_event("hand-off variables deleted (%u)", n);
    } else {
        con_alert("full coverage: the files could not be written; the UEFI variables are kept for the next boot\n");
    }
}
