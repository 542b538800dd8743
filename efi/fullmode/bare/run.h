// SPDX-License-Identifier: MIT
// The full-coverage run after ExitBootServices, on the boot CPU: own the
// CPU state, plan from the final memory map, run the kernels through the
// same mt_ops hooks and session rules as firmware mode, checkpoint the
// session into UEFI variables, and reset into the next boot, which writes
// the files. Everything it touches was gathered before the exit (efi/fullmode/full.c).
#ifndef EFI_BARE_RUN_H
#define EFI_BARE_RUN_H

#include <stddef.h>
#include <stdint.h>
#include "fullmode/bare/fbcon.h"
#include "core/fullplan.h"
#include "core/handoff.h"
#include "core/nvbudget.h"
#include "core/session.h"
#include "core/sched.h"

struct aps_plan;
struct xhci_env;

struct bare_env {
    struct session *s;
    /* the block: everything below lives in it, and it is never tested */
    uint64_t block_base, block_len;
    uint64_t stack_top;
    void *page_tables;           /* paging_pages(map_top) pages */
    uint64_t map_top;            /* highest address the tables map */
    struct full_desc *map;       /* the final memory map (filled at the exit) */
    unsigned nmap, cap_map;
    struct full_plan *plan;
    struct handoff *rec;         /* the record being built */
    struct session_carry *carry; /* rows and summaries the record takes */
    struct handoff_scratch scratch;
    uint8_t *rec_buf, *chunk_buf;
    size_t rec_cap, chunk_cap;
    /* gathered before the exit */
    uint64_t image_base, image_len;
    uint16_t uart_port;
    int have_fb;
    struct fb_info fb;
    size_t max_chunk;            /* bytes per variable */
    struct nvbudget nv;          /* what the run may still write into the store */
    int la57;                    /* 5-level paging was on */
    unsigned debug_fault;        /* debug_fault=: fault on purpose after the exit */
    unsigned debug_full_fail, debug_reset;
    int boot_next;               /* BootNext set before the exit, or -1 */
    struct aps_plan *aps;        /* the APs to start (image memory) */
    struct sched *sched;         /* shared with the APs */
    unsigned madt_cpus, fw_cpus; /* enabled in the MADT; MP services' count (0: none) */
    const char *cpu_note;        /* why fewer CPUs than listed, or "" */
    struct xhci_env *usb;        /* xHCI controllers for USB keyboards (image memory) */
};

/* The run; never returns (the last step is a warm reset). */
void bare_main(void *env) __attribute__((noreturn));

#endif
