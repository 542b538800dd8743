// SPDX-License-Identifier: MIT
#include "uefi/results.h"
#include "uefi/console.h"
#include "uefi/fileio.h"
#include "uefi/timer.h"
#include <efi.h>
#include <efilib.h>

#define MAX_GRANULES 4096

/* Pool, not static: keeps the .efi small; the test pages are free again by now. */
int results_write_platform(struct session *s, const struct session_platform *pf, int files,
                           unsigned max_cells)
{
    struct session_out *o = AllocateZeroPool(sizeof *o);
    size_t bcap = 1 << 20, rcap = 1 << 20;
    char *bbuf = AllocatePool(bcap), *rbuf = AllocatePool(rcap);
    if (o) {
        o->cap_cells = max_cells, o->cap_gran = MAX_GRANULES;
        o->sorted = AllocatePool(max_cells * sizeof *o->sorted);
        o->gran = AllocatePool(MAX_GRANULES * sizeof *o->gran);
        o->pairs = AllocatePool(MAX_GRANULES * sizeof *o->pairs);
        /* History and this session together, for the line to paste; without
         * the memory badram.txt falls back to this session (and says so). */
        o->cap_all = 1;   /* a power of two that holds both tables */
        while (o->cap_all < s->known.cap + s->cells.cap)
            o->cap_all <<= 1;
        o->all_mem = AllocatePool(o->cap_all * sizeof *o->all_mem);
        o->all_sorted = AllocatePool(o->cap_all * sizeof *o->all_sorted);
        o->all_gran = AllocatePool(MAX_GRANULES * sizeof *o->all_gran);
        o->all_pairs = AllocatePool(MAX_GRANULES * sizeof *o->all_pairs);
        if (!o->all_mem || !o->all_sorted || !o->all_gran || !o->all_pairs) {
            o->all_mem = NULL;
            con_alert("out of memory for the history's cells: badram.txt covers this session only\n");
        }
    }
    if (!o || !o->sorted || !o->gran || !o->pairs || !bbuf || !rbuf) {
        con_alert("out of memory for the report; see errors.csv\n");
        return -1;
    }
    session_finish(s, pf, o);
    con_printf("\n%s", o->lines);
    struct sbuf bs, rs;
    sbuf_init(&bs, bbuf, bcap);
    session_badram_text(o, &bs);
    sbuf_init(&rs, rbuf, rcap);
    session_report_text(o, &rs);
    int failed = files && (fio_replace(L"badram.txt", bbuf, bs.len) | fio_replace(L"report.txt", rbuf, rs.len));
    if (failed)
        con_alert("could not write badram.txt/report.txt to the boot volume\n");
    sbuf_init(&rs, rbuf, rcap);
    session_summary_text(o, &rs);
    con_printf("\n%s", rbuf);
    /* The GRUB line is the product: always show it in full. */
    size_t nl = 0;
    while (bbuf[nl] && bbuf[nl] != '\n')
        nl++;
    bbuf[nl] = 0;
    con_printf("%s\n", bbuf);
    if (files)
        con_printf("results: \\weakbit\\errors.csv report.txt badram.txt session.log on the boot volume\n");
    return files && !failed ? 0 : -1;
}

