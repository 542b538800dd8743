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
    struct handoff_cell *cells[2] = { AllocatePool(HANDOFF_REC_CELLS * sizeof **cells),
                                      AllocatePool(HANDOFF_REC_CELLS * sizeof **cells) };
    if (!buf || !scratch || !h[0] || !h[1] || !cells[0] || !cells[1])
        return 0;
    int ok[2];
    for (unsigned set = 0; set < 2; set++) {
        h[set]->cells = cells[set];
        h[set]->cap_cells = HANDOFF_REC_CELLS;
        ok[set] = load_set(set, h[set], buf, scratch);
    }
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

static void fill_session(struct session *s)
{
    fmt_format(s->id, sizeof s->id, "%s", rec->id);
    fmt_format(s->started, sizeof s->started, "%s", rec->started);
    s->passes_done = rec->passes_done;
    s->pass = rec->pass;
    s->cfg.seed = rec->seed;         /* the run's, not this boot's */
    s->cfg.hold_ms = rec->hold_ms;
    s->user_stop = rec->user_stop;
    s->error_words = rec->error_words;
    for (unsigned i = 0; i < rec->ntests && i <= MT_MAX_TEST; i++) {
        const struct handoff_test *t = &rec->tests[i];
        s->rt[s->nrt++] = (struct rep_test){ .num = t->num, .runs = t->runs, .ms = t->ms, .bytes = t->bytes,
                                             .error_words = t->error_words, .skipped_runs = t->skipped_runs };
    }
    struct mem_plan *p = &s->plan;
    *p = (struct mem_plan){ 0 };
    for (unsigned i = 0; i < rec->ntested && i < PLAN_MAX_TEST; i++) {
        p->test[p->ntest++] = rec->tested[i];
        if (rec->tested[i].base + rec->tested[i].len > p->ram_top)
            p->ram_top = rec->tested[i].base + rec->tested[i].len;
    }
    p->ram_total = rec->ram_bytes;
    p->free_total = rec->usable_bytes;
    s->test_bytes = memplan_test_bytes(p);
}

/* errors.csv: the session line, then one row per cell (its first error). */
static void write_rows(struct session *s, int files, int *rows_ok)
{
    static char buf[256];
    *rows_ok = 1;
    if (files) {
        size_t n = 0;
        if (fio_size(L"errors.csv") <= 0)
            n = fmt_format(buf, sizeof buf, "%s", ERRCSV_HEADER);
        n += fmt_format(buf + n, sizeof buf - n, "# session %s start %s full coverage\n", s->id, s->started);
        *rows_ok = fio_append(L"errors.csv", buf, n) == 0;
    }
    for (unsigned i = 0; i < rec->ncells; i++) {
        const struct handoff_cell *c = &rec->cells[i];
        struct failbit fb = { .time_ms = c->first_ms, .pass = c->pass, .test = c->test, .cpu = c->cpu,
                              .addr = c->addr, .bit = c->bit, .expected = c->expected, .actual = c->actual,
                              .temp_c = FAILBIT_NO_TEMP, .flags = c->flags };
        if (cells_add(&s->cells, &fb) == 1) {
            struct cell *t = (struct cell *)cells_find(&s->cells, c->addr, c->bit);
            t->count = c->count;
            t->last_ms = c->last_ms;
            t->tests = c->tests;
            if (cells_find(&s->known, c->addr, c->bit))
                s->reseen_cells++;
            else
                s->new_cells++;
        }
        s->error_rows++;
        if (files) {
            char row[160];
            size_t len = errcsv_format(row, sizeof row, &fb);
            if (len >= sizeof row || fio_append(L"errors.csv", row, len))
                *rows_ok = 0;
        }
    }
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
        sbuf_printf(sb, "  run: ENDED BY CPU EXCEPTION %u (%s) at RIP 0x%llx, CR2 0x%llx, error 0x%llx, after %s; "
                        "results up to then (checkpoint %u)\n",
                    rec->vector, bare_vector_name(rec->vector), (unsigned long long)rec->rip,
                    (unsigned long long)rec->cr2, (unsigned long long)rec->fault_err, t, rec->seq);
    else if (!rec->finished)
        sbuf_printf(sb, "  run: CUT SHORT (power loss, hang or reset) after checkpoint %u at %s: "
                        "cells found after it are lost\n", rec->seq, t);
    else
        sbuf_printf(sb, "  run: finished after %s (checkpoint %u, final)\n", t, rec->seq);
    sbuf_printf(sb, "  errors.csv: one row per cell (its first error); %llu words were read back wrong in all\n",
                (unsigned long long)rec->error_words);
    if (rec->cells_lost)
        sbuf_printf(sb, "  %u cells did not fit the hand-off record and are not listed\n", rec->cells_lost);
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
    if (files)
        history_load(&s->known, &s->hist);
    fill_session(s);
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
    struct session_platform pf = {
        .firmware = fw, .serial_route = "polled UART / framebuffer (full coverage)",
        .temp_source = "none (full coverage)", .cpus_used = ran ? ran : 1,
        .cpus_found = rec->madt_cpus ? rec->madt_cpus : 1, .cpu_note = cpu_note,
        .cpu_lines = rec->ncpus ? cpu_lines : NULL,
        .dimm_lines = dimms, .total_ms = rec->elapsed_ms,
        .files_note = files && rows_ok ? NULL : "the boot volume was not writable: the results stay in UEFI variables",
        .coverage = "full", .coverage_lines = cov,
        .handed_over = 1, .cells_carried = rec->ncells, .cells_not_carried = rec->cells_lost,
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
