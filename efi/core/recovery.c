// SPDX-License-Identifier: MIT
#include "core/recovery.h"
#include "core/report.h"
#include "core/fullplan.h"

const char *recovery_vector_name(uint32_t v)
{
    static const char *const names[] = {
        "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range", "invalid opcode",
        "device not available", "double fault", "coprocessor overrun", "invalid TSS",
        "segment not present", "stack fault", "general protection", "page fault", "reserved",
        "x87 error", "alignment check", "machine check", "SIMD error", "virtualization",
        "control protection",
    };
    return v < sizeof names / sizeof names[0] ? names[v] : "reserved";
}

const char *recovery_state(const struct handoff *h)
{
    return h->faulted ? "ended by an exception" : h->finished ? "finished" : "cut short";
}

static void coverage_text(const struct handoff *rec, struct sbuf *sb)
{
    char t[32];
    static struct full_excl ex[HANDOFF_MAX_RANGES];
    for (unsigned i = 0; i < rec->nexcl; i++)
        ex[i] = (struct full_excl){ rec->excl[i].base, rec->excl[i].len, rec->excl[i].why };
    fullplan_lines(sb, rec->tested_bytes, rec->usable_bytes, rec->footprint_bytes, ex, rec->nexcl, rec->ram_bytes);
    fmt_format(t, sizeof t, "%llu.%03llu s", (unsigned long long)(rec->elapsed_ms / 1000),
               (unsigned long long)(rec->elapsed_ms % 1000));
    if (rec->faulted)
        sbuf_printf(sb, "  run: ENDED BY CPU EXCEPTION %u (%s) on %s (APIC ID %u) at RIP 0x%llx, CR2 0x%llx, error 0x%llx, "
                        "after %s; results up to then (checkpoint %u)\n",
                    rec->vector, recovery_vector_name(rec->vector), rec->fault_ap ? "an AP" : "the boot CPU",
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
static unsigned cpu_text(const struct handoff *rec, struct sbuf *sb)
{
    unsigned ran = 0;
    uint64_t bytes = 0, ms = 0;
    for (unsigned i = 0, slot = 0; i < rec->ncpus; i++) {
        const struct handoff_cpu *h = &rec->cpus[i];
        if (h->state == HANDOFF_CPU_MISSING) {
            sbuf_printf(sb, "  APIC ID %u: did not check in after its start-up IPIs: left out\n", h->apic_id);
            continue;
        }
        ran += h->state == HANDOFF_CPU_RAN;
        struct sched_cpu c = { .bytes = h->bytes, .id = h->apic_id, .fenced = h->state == HANDOFF_CPU_FENCED,
                               .parked = h->parked, .forced = h->forced, .unretested = h->unretested,
                               .late = h->late };
        report_cpu_line(sb, slot, &c, h->busy_ms, "APIC ID", slot ? "started by weakbit" : "boot CPU");
        bytes += h->bytes;
        ms += h->busy_ms;
        slot++;
    }
    struct sched_tally y = { .refused = rec->cpu_refused, .late = rec->cpu_late, .ring_waits = rec->ring_waits };
    report_cpu_total(sb, bytes, ms, &y);
    return ran;
}

void recovery_platform(const struct handoff *rec, struct recovery_text *t, struct session_platform *pf)
{
    struct sbuf cs, cl;
    sbuf_init(&cs, t->coverage, sizeof t->coverage);
    coverage_text(rec, &cs);
    sbuf_init(&cl, t->cpu_lines, sizeof t->cpu_lines);
    unsigned ran = cpu_text(rec, &cl), missing = 0;
    for (unsigned i = 0; i < rec->ncpus; i++)
        missing += rec->cpus[i].state == HANDOFF_CPU_MISSING;
    size_t n = fmt_format(t->cpu_note, sizeof t->cpu_note,
                          "%u started by weakbit after ExitBootServices (MADT: %u enabled",
                          rec->ncpus ? rec->ncpus - missing : 1, rec->madt_cpus);
    if (rec->fw_cpus)
        n += fmt_format(t->cpu_note + n, sizeof t->cpu_note - n, ", MP services: %u", rec->fw_cpus);
    n += fmt_format(t->cpu_note + n, sizeof t->cpu_note - n, ")");
    if (missing)
        fmt_format(t->cpu_note + n, sizeof t->cpu_note - n, "; %u never checked in", missing);
    /* What the kernels counted: every test's error words (a word that never
     * reached the session shows as lost). */
    uint64_t counted = 0;
    for (unsigned i = 0; i < rec->ntests; i++)
        counted += rec->tests[i].error_words;
    pf->counted = counted;
    pf->late = rec->cpu_late;
    pf->temp_source = rec->temp_source[0] ? rec->temp_source : "n/a";
    pf->cpus_used = ran ? ran : 1;
    pf->cpus_found = rec->madt_cpus ? rec->madt_cpus : 1;
    pf->cpu_note = t->cpu_note;
    pf->cpu_lines = rec->ncpus ? t->cpu_lines : 0;
    pf->total_ms = rec->elapsed_ms;
    pf->coverage = "full";
    pf->coverage_lines = t->coverage;
}
