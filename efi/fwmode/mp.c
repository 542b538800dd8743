// SPDX-License-Identifier: MIT
#include "fwmode/mp.h"
#include "uefi/timer.h"
#include <efi.h>
#include <efilib.h>

/* gnu-efi 3.0.15 lacks the PI MP services protocol; declared here. The app
 * is built with GNU_EFI_USE_MS_ABI, so EFIAPI is ms_abi: these pointers and
 * the AP procedure must use it, or arguments arrive in the wrong registers. */
#define MP_SERVICES_GUID \
    { 0x3fdda605, 0xa76e, 0x4f46, { 0xad, 0x29, 0x12, 0xf4, 0x53, 0x1b, 0x3d, 0x08 } }

typedef void(EFIAPI *ap_procedure)(void *arg);
struct mp_services;
struct mp_services {
    EFI_STATUS(EFIAPI *get_number_of_processors)(struct mp_services *, UINTN *total, UINTN *enabled);
    EFI_STATUS(EFIAPI *get_processor_info)(struct mp_services *, UINTN proc, void *info);
    EFI_STATUS(EFIAPI *startup_all_aps)(struct mp_services *, ap_procedure, BOOLEAN single_thread,
                                         EFI_EVENT wait_event, UINTN timeout_us, void *arg,
                                         UINTN **failed);
    EFI_STATUS(EFIAPI *startup_this_ap)(struct mp_services *, ap_procedure, UINTN proc,
                                         EFI_EVENT wait_event, UINTN timeout_us, void *arg,
                                         BOOLEAN *finished);
    EFI_STATUS(EFIAPI *switch_bsp)(struct mp_services *, UINTN proc, BOOLEAN enable_old);
    EFI_STATUS(EFIAPI *enable_disable_ap)(struct mp_services *, UINTN proc, BOOLEAN enable,
                                           UINT32 *health);
    EFI_STATUS(EFIAPI *who_am_i)(struct mp_services *, UINTN *proc);
};

#define STATUS_BSP 0x1
#define STATUS_ENABLED 0x2
#define EVENT_GRACE_MS 5000     /* APs left the loop, firmware still busy: give up on it */
#define PROC_MAX 1024

static struct mp_services *mps;
static const char *note;
static char note_buf[96];
static unsigned found = 1, nslots = 1;
static UINTN slot_proc[SMP_MAX_CPUS];
static uint16_t proc_slot[PROC_MAX];
static EFI_EVENT done_event;
static struct sched *Q;   /* read by the APs */

int mp_firmware_count(unsigned *total, unsigned *enabled)
{
    EFI_GUID g = MP_SERVICES_GUID;
    struct mp_services *m = NULL;
    UINTN t = 0, e = 0;
    if (BS->LocateProtocol(&g, NULL, (void **)&m) != EFI_SUCCESS || !m ||
        m->get_number_of_processors(m, &t, &e) != EFI_SUCCESS)
        return -1;
    *total = (unsigned)t;
    *enabled = (unsigned)e;
    return 0;
}

unsigned mp_cpus_found(void) { return found; }
unsigned mp_cpus_used(void) { return nslots; }
const char *mp_note(void) { return note; }

void mp_init(const struct wb_config *cfg)
{
    EFI_GUID g = MP_SERVICES_GUID;
    UINTN total = 0, enabled = 0, me = 0;
    if (BS->LocateProtocol(&g, NULL, (void **)&mps) != EFI_SUCCESS || !mps) {
        mps = NULL;
        note = "firmware has no MP services protocol: one CPU";
        return;
    }
    if (mps->get_number_of_processors(mps, &total, &enabled) != EFI_SUCCESS || !total ||
        mps->who_am_i(mps, &me) != EFI_SUCCESS || me >= PROC_MAX) {
        mps = NULL;
        note = "MP services did not answer: one CPU";
        return;
    }
    found = (unsigned)total;
    slot_proc[0] = me;
    for (unsigned p = 0; p < PROC_MAX; p++)
        proc_slot[p] = 0xffff;
    proc_slot[me] = 0;
    unsigned limit = cfg->cpus ? cfg->cpus : ~0u;
    if (cfg->cpu_mode == CFG_CPU_SINGLE)
        limit = 1;
    unsigned beyond = 0;   /* usable processors past SMP_MAX_CPUS or PROC_MAX */
    for (UINTN p = 0; p < total && nslots < limit; p++) {
        UINT8 info[256];   /* larger than any revision of EFI_PROCESSOR_INFORMATION */
        if (p == me || mps->get_processor_info(mps, p, info) != EFI_SUCCESS)
            continue;
        UINT32 status = *(UINT32 *)(info + 8);
        if (!(status & STATUS_ENABLED) || (status & STATUS_BSP))
            continue;
        if (nslots == SMP_MAX_CPUS || p >= PROC_MAX) {
            beyond++;
            continue;
        }
        proc_slot[p] = (uint16_t)nslots;
        slot_proc[nslots++] = p;
    }
    if (beyond) {
        fmt_format(note_buf, sizeof note_buf, "limit of %u CPUs: %u usable processor%s not used",
                   SMP_MAX_CPUS, beyond, beyond == 1 ? "" : "s");
        note = note_buf;
    } else if (nslots < total) {
        note = cfg->cpu_mode == CFG_CPU_SINGLE ? "cpu_mode=single"
               : cfg->cpus && cfg->cpus < total ? "limited by cpus="
               : "some processors are disabled or unhealthy";
    }
    if (nslots > 1 && BS->CreateEvent(0, 0, NULL, NULL, &done_event) != EFI_SUCCESS) {
        nslots = 1;
        note = "cannot create an event for MP services: one CPU";
    }
    if (nslots == 1)
        mps = NULL;
}

/* Each AP, once: into the scheduler's loop until the run ends. */
static void EFIAPI ap_main(void *arg)
{
    (void)arg;
    UINTN me = 0;
    if (mps->who_am_i(mps, &me) != EFI_SUCCESS || me >= PROC_MAX || proc_slot[me] == 0xffff)
        return;
    sched_ap_loop(Q, proc_slot[me]);
}

void mp_start(struct sched *q)
{
    Q = q;
    q->id_name = "processor";
    for (unsigned s = 0; s < q->ncpus; s++)
        q->cpu[s].id = (unsigned)slot_proc[s];
    if (!mps || q->ncpus < 2)
        return;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    EFI_STATUS st = mps->startup_all_aps(mps, ap_main, FALSE, done_event, 0, NULL, NULL);
    if (st != EFI_SUCCESS) {
        q->ncpus = 1;
        mps = NULL;
        fmt_format(note_buf, sizeof note_buf, "StartupAllAPs failed (status 0x%llx): one CPU",
                   (unsigned long long)st);
        note = note_buf;
    }
}

void mp_stop(struct sched *q)
{
    if (!mps)
        return;
    unsigned late = sched_stop(q, 1000);
    /* The firmware must see the APs finished before anything else uses
     * them; one fenced for good never returns, so no wait for it. */
    int out = late != 0;
    for (unsigned s = 1; s < q->ncpus; s++)
        out |= q->cpu[s].out;
    for (uint64_t t = timer_ms(); !out && BS->CheckEvent(done_event) != EFI_SUCCESS;)
        if (timer_ms() - t > EVENT_GRACE_MS)
            break;
}
