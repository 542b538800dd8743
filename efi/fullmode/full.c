// SPDX-License-Identifier: MIT
#include "fullmode/full.h"
#include "uefi/console.h"
#include "cpu/cpu.h"
#include "fwmode/mp.h"
#include "uefi/sessionlog.h"
#include "uefi/timer.h"
#include "fullmode/bare/trap.h"
#include "fullmode/bare/paging.h"
#include "fullmode/bare/rtvar.h"
#include "fullmode/bare/run.h"
#include "fullmode/bare/aps.h"
#include "fullmode/bare/xhci.h"
#include "core/fullplan.h"
#include <efilib.h>

#define STACK_BYTES (256u << 10)
#define MIN_CHUNK 1024u
#define MAX_CHUNK (32u << 10)
#define VAR_SLACK 512u               /* variable header and name inside MaximumVariableSize */
#define EXIT_TRIES 8
#define COM1 0x3f8
#define NPARTS 14                    /* parts of the run-time block */

static struct madt_info madt;
static unsigned env_fw_cpus;
static struct bare_env *env;
static struct xhci_env usb;
static UINT8 *raw_map;
static UINTN raw_cap;

const struct madt_info *full_madt(void)
{
    return &madt;
}

/* --- ACPI tables through the RSDP ------------------------------------------ */

static const uint8_t *acpi_table(const char sig[4])
{
    EFI_GUID acpi20 = ACPI_20_TABLE_GUID;
    const uint8_t *rsdp = NULL;
    for (UINTN i = 0; i < ST->NumberOfTableEntries; i++)
        if (!CompareGuid(&ST->ConfigurationTable[i].VendorGuid, &acpi20))
            rsdp = ST->ConfigurationTable[i].VendorTable;
    if (!rsdp || CompareMem((void *)rsdp, "RSD PTR ", 8))
        return NULL;
    int x = rsdp[15] >= 2;
    uint64_t root = x ? *(const uint64_t *)(rsdp + 24) : *(const uint32_t *)(rsdp + 16);
    if (!root || root >= (1ull << 47))
        return NULL;
    const uint8_t *r = (const uint8_t *)(UINTN)root;
    uint32_t len = *(const uint32_t *)(r + 4), step = x ? 8 : 4;
    if (len < 36 || len > (1u << 20))
        return NULL;
    for (uint32_t o = 36; o + step <= len; o += step) {
        uint64_t a = x ? *(const uint64_t *)(r + o) : *(const uint32_t *)(r + o);
        if (a && a < (1ull << 47) && !CompareMem((void *)(UINTN)a, (void *)sig, 4))
            return (const uint8_t *)(UINTN)a;
    }
    return NULL;
}

static void read_madt(void)
{
    const uint8_t *t = acpi_table("APIC");
    if (!t) {
        madt.err = MADT_SIGNATURE;
        con_printf("full coverage: no ACPI MADT; one CPU either way\n");
        return;
    }
    madt_parse(&madt, t, *(const uint32_t *)(t + 4));
    con_printf("full coverage: MADT lists %u processor%s (%u enabled)%s%s\n", madt.ncpus,
               madt.ncpus == 1 ? "" : "s", madt.enabled, madt.err ? ": " : "",
               madt.err ? madt_strerror(madt.err) : "");
}

/* This CPU's APIC ID as the trampoline will read the APs': CPUID 0BH when
 * there is one (x2APIC IDs), else the 8-bit initial ID of CPUID 1. */
static uint32_t bsp_apic_id(int *leaf_b)
{
    uint32_t r[4];
    cpu_cpuid(0, 0, r);
    *leaf_b = r[0] >= 0x0b;
    if (*leaf_b) {
        cpu_cpuid(0x0b, 0, r);
        if (r[1])   /* EBX = 0: leaf not implemented */
            return r[3];
        *leaf_b = 0;
    }
    cpu_cpuid(1, 0, r);
    return r[1] >> 24;
}

/* Which APs to start: enabled MADT entries but this CPU, within cpus= and
 * cpu_mode=; their count decides the stacks. Names what was left aside. */
static unsigned plan_aps(struct aps_plan *p, const struct wb_config *cfg, char *note, size_t cap)
{
    int leaf_b;
    *p = (struct aps_plan){ .bsp_id = bsp_apic_id(&leaf_b), .silent = cfg->debug_silent_cpu,
                               .fault = cfg->debug_fault == 2,
                            .tsc_per_ms = timer_tsc_per_ms() };
    p->apic = apic_decode(cpu_rdmsr(APIC_MSR_BASE));
    unsigned limit = cfg->cpu_mode == CFG_CPU_SINGLE ? 0 : cfg->cpus ? cfg->cpus - 1 : APS_MAX;
    if (limit > APS_MAX)
        limit = APS_MAX;
    unsigned capable = 0, self = 0;
    for (unsigned i = 0; i < madt.ncpus && !madt.err; i++) {
        const struct madt_cpu *c = &madt.cpu[i];
        if (c->apic_id == p->bsp_id) {
            self = 1;
            continue;
        }
        if (!c->enabled) {
            capable++;   /* online-capable: not present now */
            continue;
        }
        if (p->n < limit) {
            p->id[p->n++] = c->apic_id;
            p->need_x2 |= c->apic_id > 254;
        }
    }
    note[0] = 0;
    if (madt.err || !madt.ncpus)
        fmt_format(note, cap, "no usable MADT: the boot CPU only");
    else if (!self)
        fmt_format(note, cap, "this CPU's APIC ID %u is not in the MADT: the boot CPU only", p->bsp_id);
    else if (cfg->cpu_mode == CFG_CPU_SINGLE)
        fmt_format(note, cap, "cpu_mode=single");
    else if (p->n + 1 < madt.enabled)
        fmt_format(note, cap, "limited by cpus=");
    if (!self)
        p->n = 0;
    if (capable)
        con_printf("full coverage: %u online-capable processor%s not started (not present now)\n", capable,
                   capable == 1 ? "" : "s");
    unsigned total, enabled;
    if (!mp_firmware_count(&total, &enabled)) {
        env_fw_cpus = total;
        con_printf("full coverage: MP services count %u processor%s (%u enabled), the MADT %u enabled%s\n",
                   total, total == 1 ? "" : "s", enabled, madt.enabled,
                   enabled == madt.enabled ? "" : ": they disagree; the MADT decides");
    }
    con_printf("full coverage: boot CPU APIC ID %u, local APIC 0x%llx (%s), %u AP%s to start\n", p->bsp_id,
               (unsigned long long)p->apic.base, p->apic.x2apic ? "x2APIC" : "xAPIC", p->n, p->n == 1 ? "" : "s");
    return p->n;
}

/* The serial port: SPCR when it names an I/O-port UART, else COM1 when the
 * firmware console went to a UART. */
static uint16_t serial_port(const char **how)
{
    const uint8_t *t = acpi_table("SPCR");
    if (t && *(const uint32_t *)(t + 4) >= 52 && t[40] == 1) {
        uint64_t port = *(const uint64_t *)(t + 44);
        if (port && port < 0x10000) {
            *how = "ACPI SPCR";
            return (uint16_t)port;
        }
    }
    if (con_serial_route()[0] != 'n') {
        *how = "COM1 (firmware console was serial)";
        return COM1;
    }
    *how = "none";
    return 0;
}

static int read_gop(struct fb_info *fb)
{
    EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = NULL;
    if (BS->LocateProtocol(&GraphicsOutputProtocol, NULL, (void **)&gop) != EFI_SUCCESS || !gop ||
        !gop->Mode || !gop->Mode->Info)
        return -1;
    EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *i = gop->Mode->Info;
    if (i->PixelFormat != PixelRedGreenBlueReserved8BitPerColor &&
        i->PixelFormat != PixelBlueGreenRedReserved8BitPerColor)
        return -1;
    *fb = (struct fb_info){ gop->Mode->FrameBufferBase, gop->Mode->FrameBufferSize,
                            i->HorizontalResolution, i->VerticalResolution, i->PixelsPerScanLine,
                            i->PixelFormat == PixelBlueGreenRedReserved8BitPerColor };
    return fb->base ? 0 : -1;
}

/* The highest address the page tables must map, from the current map. */
static uint32_t full_type(UINT32 t)
{
    return t <= FULL_PERSISTENT ? t : FULL_RESERVED;
}

static int map_extent(uint64_t *top, UINTN *need)
{
    UINTN size = 0, key, dsize;
    UINT32 ver;
    if (BS->GetMemoryMap(&size, NULL, &key, &dsize, &ver) != EFI_BUFFER_TOO_SMALL)
        return -1;
    UINT8 *buf = AllocatePool(size + 8 * dsize);
    if (!buf)
        return -1;
    size += 8 * dsize;
    if (BS->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)buf, &key, &dsize, &ver) != EFI_SUCCESS) {
        FreePool(buf);
        return -1;
    }
    /* The page tables map RAM and what runtime services use (core/fullplan.c). */
    *top = 4ull << 30;
    for (UINTN o = 0; o + dsize <= size; o += dsize) {
        EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)(buf + o);
        struct full_desc f = { d->PhysicalStart, d->NumberOfPages * 4096,
                               full_type(d->Type) | (d->Attribute & EFI_MEMORY_RUNTIME ? FULL_TYPE_RUNTIME : 0) |
                                   (d->Attribute & EFI_MEMORY_WB ? FULL_TYPE_WB : 0) };
        uint64_t t = fullplan_map_top(&f, 1);
        *top = t > *top ? t : *top;
    }
    *need = size / dsize;
    FreePool(buf);
    return 0;
}

static uint64_t pages_of(uint64_t bytes)
{
    return (bytes + 4095) / 4096;
}

int full_prepare(EFI_HANDLE image, struct session *s, char *why, size_t cap)
{
    static struct fb_info fb;
    const char *serial_how;
    uint16_t port = serial_port(&serial_how);
    int have_fb = read_gop(&fb) == 0;
    con_printf("full coverage: serial %s%s, framebuffer %s, TSC %llu ticks/ms\n", serial_how,
               port ? "" : "", have_fb ? "yes" : "none", (unsigned long long)timer_tsc_per_ms());
    if (!port && !have_fb) {
        fmt_format(why, cap, "no console without the firmware (no GOP framebuffer and no serial port)");
        return -1;
    }
    read_madt();

    uint64_t max_store = 0, remaining = 0, max_var = 0;
    if (rtvar_limits(&max_store, &remaining, &max_var)) {
        fmt_format(why, cap, "the firmware does not report its variable store (QueryVariableInfo)");
        return -1;
    }
    size_t chunk = max_var > VAR_SLACK + MIN_CHUNK ? (size_t)(max_var - VAR_SLACK) : 0;
    if (chunk > MAX_CHUNK)
        chunk = MAX_CHUNK;
    con_printf("full coverage: variable store %llu KiB, %llu KiB free, largest variable %llu bytes\n",
               (unsigned long long)(max_store >> 10), (unsigned long long)(remaining >> 10),
               (unsigned long long)max_var);
    if (s->cfg.debug_varstore_kib && (uint64_t)s->cfg.debug_varstore_kib << 10 < remaining) {
        remaining = (uint64_t)s->cfg.debug_varstore_kib << 10;
        con_printf("full coverage: debug_varstore_kib=%u: behaving as if %llu KiB were free\n",
                   s->cfg.debug_varstore_kib, (unsigned long long)(remaining >> 10));
    }
    /* Room for a first and a final record, and the 5 KiB every store keeps. */
    if (!chunk || remaining < NVBUDGET_KEEP_FREE + (16u << 10)) {
        fmt_format(why, cap, "the UEFI variable store is too small for the hand-off (%llu bytes free, largest variable %llu)",
                   (unsigned long long)remaining, (unsigned long long)max_var);
        return -1;
    }
    unsigned stale = rtvar_delete_all();
    if (stale)
        con_printf("full coverage: removed %u stale hand-off variable%s\n", stale, stale == 1 ? "" : "s");

    EFI_LOADED_IMAGE *li = NULL;
    if (BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&li) != EFI_SUCCESS || !li) {
        fmt_format(why, cap, "cannot find this app's image in memory");
        return -1;
    }
    uint64_t top;
    UINTN ndesc;
    if (map_extent(&top, &ndesc)) {
        fmt_format(why, cap, "cannot read the memory map");
        return -1;
    }
    if (have_fb && fb.base + fb.size > top)
        top = fb.base + fb.size;
    if (top > PAGING_MAX_TOP) {
        fmt_format(why, cap, "memory reaches above 512 GiB, beyond the page tables of this version");
        return -1;
    }

    /* USB keyboards: the controllers are found and taken from the firmware now. */
    if (s->cfg.usb_off)
        con_printf("usb=off: USB controllers left alone; PS/2 and serial keys only after the exit\n");
    else
        xhci_find(&usb, &con_fw);

    static struct aps_plan aps;
    static char cpu_note[96];
    unsigned naps = plan_aps(&aps, &s->cfg, cpu_note, sizeof cpu_note);
    EFI_PHYSICAL_ADDRESS low = 0xfffff;   /* the start-up page: below 1 MiB, as a SIPI vector needs */
    if (naps && BS->AllocatePages(AllocateMaxAddress, EfiLoaderData, 1, &low) != EFI_SUCCESS) {
        con_printf("full coverage: no page below 1 MiB for the AP start-up code: the boot CPU only\n");
        low = 0;
    }
    aps.page = naps ? low : 0;

    /* The block: one allocation, laid out in page-aligned parts. */
    unsigned cap_map = (unsigned)ndesc + 64;
    raw_cap = cap_map * 64;   /* descriptors are 48 bytes today; room for growth */
    uint64_t part[NPARTS] = {
        sizeof *env, STACK_BYTES, (uint64_t)paging_pages(top) * 4096, cap_map * sizeof(struct full_desc),
        raw_cap, sizeof(struct full_plan), sizeof(struct handoff),
        sizeof(struct session_carry) + (uint64_t)s->cells.cap * (sizeof(struct cell) + sizeof(uint64_t)), 2ull * HANDOFF_REC_BYTES + HANDOFF_MAX_CHUNKS * HANDOFF_CHUNK_HEAD,
        (uint64_t)s->cells.cap * sizeof(struct cell), (uint64_t)s->known.cap * sizeof(struct cell),
        sizeof(struct sched), (uint64_t)aps.n * APS_STACK_BYTES, xhci_block_bytes(&usb),
    };
    uint64_t pages = 0;
    for (unsigned i = 0; i < NPARTS; i++)
        pages += pages_of(part[i]);
    /* Below 4 GiB: the APs load CR3 (the page tables are in the block) in
     * 32-bit protected mode. */
    EFI_PHYSICAL_ADDRESS block = 0xffffffff;
    if (BS->AllocatePages(AllocateMaxAddress, EfiLoaderData, pages, &block) != EFI_SUCCESS &&
        BS->AllocatePages(AllocateAnyPages, EfiLoaderData, pages, &block) != EFI_SUCCESS) {
        fmt_format(why, cap, "out of memory for the run-time block (%llu KiB)",
                   (unsigned long long)(pages * 4));
        return -1;
    }
    SetMem((void *)(UINTN)block, pages * 4096, 0);
    uint8_t *p = (uint8_t *)(UINTN)block;
    uint8_t *at[NPARTS];
    for (unsigned i = 0; i < NPARTS; i++) {
        at[i] = p;
        p += pages_of(part[i]) * 4096;
    }
    env = (struct bare_env *)at[0];
    env->s = s;
    env->block_base = block;
    env->block_len = pages * 4096;
    env->stack_top = (uint64_t)(UINTN)at[1] + STACK_BYTES;
    env->page_tables = at[2];
    env->map_top = top;
    env->map = (struct full_desc *)at[3];
    env->cap_map = cap_map;
    raw_map = at[4];
    env->plan = (struct full_plan *)at[5];
    env->rec = (struct handoff *)at[6];
    env->carry = (struct session_carry *)at[7];
    env->scratch.cells = (struct cell *)(at[7] + sizeof(struct session_carry));
    env->scratch.gran = (uint64_t *)(env->scratch.cells + s->cells.cap);
    env->scratch.cap = s->cells.cap;
    env->rec_buf = at[8];
    env->rec_cap = HANDOFF_REC_BYTES;
    env->chunk_buf = at[8] + HANDOFF_REC_BYTES;
    env->chunk_cap = HANDOFF_REC_BYTES + HANDOFF_MAX_CHUNKS * HANDOFF_CHUNK_HEAD;
    env->image_base = (uint64_t)(UINTN)li->ImageBase;
    env->image_len = li->ImageSize;
    env->uart_port = port;
    env->have_fb = have_fb;
    env->fb = fb;
    env->max_chunk = chunk;
    nvbudget_init(&env->nv, remaining);
    env->la57 = (bare_read_cr4() >> 12) & 1;
    env->debug_fault = s->cfg.debug_fault;
    env->debug_full_fail = s->cfg.debug_full_fail;
    env->debug_reset = s->cfg.debug_reset;
    env->sched = (struct sched *)at[11];
    for (unsigned i = 0; i < aps.n; i++)
        aps.stack_top[i] = (uint64_t)(UINTN)at[12] + (uint64_t)(i + 1) * APS_STACK_BYTES;
    env->aps = &aps;
    xhci_place(&usb, (uint64_t)(UINTN)at[13]);
    env->usb = &usb;
    env->madt_cpus = madt.err ? 0 : madt.enabled;
    env->fw_cpus = env_fw_cpus;
    env->cpu_note = cpu_note;
    /* The cell tables move into the block: pool memory is tested. */
    CopyMem(at[9], s->cells.slot, s->cells.cap * sizeof(struct cell));
    CopyMem(at[10], s->known.slot, s->known.cap * sizeof(struct cell));
    s->cells.slot = (struct cell *)at[9];
    s->known.slot = (struct cell *)at[10];

    char fsz[32];
    fmt_size(fsz, sizeof fsz, env->block_len + env->image_len);
    con_printf("full coverage: footprint %s (image 0x%llx+0x%llx, block 0x%llx+0x%llx), %llu-byte variables\n",
               fsz, (unsigned long long)env->image_base, (unsigned long long)env->image_len,
               (unsigned long long)block, (unsigned long long)env->block_len, (unsigned long long)chunk);
    return 0;
}

void full_run(EFI_HANDLE image, char *why, size_t cap)
{
    con_printf("full coverage: leaving the firmware (ExitBootServices); from here on the console is ours\n");
    slog_event("coverage=full: ExitBootServices; the results come back at the next boot");
    /* A note for the next boot, in case this attempt leaves no record; and
     * the next boot comes back here, whatever the boot order says. */
    rtvar_attempt_set(RTVAR_ATTEMPT_STARTED, env->s->id, "");
    env->boot_next = rtvar_boot_next_here();
    if (env->boot_next >= 0)
        con_printf("full coverage: BootNext set to Boot%04X (this boot option): the next boot writes the results\n",
                   env->boot_next);
    else
        con_printf("full coverage: the firmware names no BootCurrent: the boot order decides what boots next\n");
    UINTN size = 0, key = 0, dsize = 0;
    EFI_STATUS st = EFI_INVALID_PARAMETER;
    /* Nothing may allocate between GetMemoryMap and ExitBootServices; a stale
     * key gives EFI_INVALID_PARAMETER and a fresh map is read. */
    for (int i = 0; i < EXIT_TRIES && st != EFI_SUCCESS; i++) {
        UINT32 ver;
        size = raw_cap;
        if (BS->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)raw_map, &key, &dsize, &ver) != EFI_SUCCESS)
            continue;
        st = env->debug_full_fail == 2 ? EFI_INVALID_PARAMETER : BS->ExitBootServices(image, key);
    }
    if (st != EFI_SUCCESS) {
        /* After a failed exit only memory-allocation services are sure to
         * work: no test here. The next boot tests in firmware mode. */
        fmt_format(why, cap, "ExitBootServices failed %d times (status 0x%llx)%s", EXIT_TRIES,
                   (unsigned long long)st, env->debug_full_fail == 2 ? " (debug_full_fail=exit)" : "");
        rtvar_attempt_set(RTVAR_ATTEMPT_EXIT_FAILED, env->s->id, why);
        con_alert("full coverage: %s; resetting: the next boot tests in firmware mode\n", why);
        rtvar_reset_warm();
    }
    bare_cli();
    unsigned n = 0;
    for (UINTN o = 0; o + dsize <= size && n < env->cap_map; o += dsize) {
        EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)(raw_map + o);
        env->map[n++] = (struct full_desc){ d->PhysicalStart, d->NumberOfPages * 4096,
                                            full_type(d->Type) |
                                                (d->Attribute & EFI_MEMORY_RUNTIME ? FULL_TYPE_RUNTIME : 0) |
                                                (d->Attribute & EFI_MEMORY_WB ? FULL_TYPE_WB : 0) };
    }
    env->nmap = n;
    bare_run_on_stack(bare_main, env, env->stack_top);
}
