// SPDX-License-Identifier: MIT
#include "fullmode/bare/rtvar.h"
#include "core/handoff.h"
#include "cpu/cpu.h"
#include "uefi/timer.h"
#include <efi.h>
#include <efilib.h>

/* weakbit's vendor GUID for its variables. */
static EFI_GUID guid = { 0x7d2c5e41, 0x93b8, 0x4f0a, { 0xa6, 0x1e, 0x5b, 0x72, 0xc4, 0x09, 0xe3, 0x8d } };

#define ATTR (EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS)

static void name(CHAR16 *w, unsigned set, unsigned idx)
{
    static const char base[] = "Weakbit";
    unsigned k = 0;
    for (; base[k]; k++)
        w[k] = (CHAR16)base[k];
    w[k++] = set ? L'B' : L'A';
    w[k++] = (CHAR16)(L'0' + idx / 10);
    w[k++] = (CHAR16)(L'0' + idx % 10);
    w[k] = 0;
}

int rtvar_store(unsigned set, const uint8_t *rec, size_t len, size_t max_chunk, uint8_t *scratch,
                size_t scratch_cap)
{
    struct handoff_chunk ch[HANDOFF_MAX_CHUNKS];
    unsigned n = handoff_split(rec, len, max_chunk, scratch, scratch_cap, ch, HANDOFF_MAX_CHUNKS);
    if (!n)
        return -1;
    CHAR16 w[16];
    for (unsigned i = 0; i < n; i++) {
        name(w, set, i);
        if (RT->SetVariable(w, &guid, ATTR, ch[i].len, (void *)ch[i].p) != EFI_SUCCESS)
            return -1;
    }
    return (int)n;
}

/* One chunk of set *(unsigned *)ctx: its length, 0 when absent, -1. */
static long read_chunk(void *ctx, unsigned idx, uint8_t *buf, size_t cap)
{
    CHAR16 w[16];
    name(w, *(unsigned *)ctx, idx);
    UINTN size = cap;
    UINT32 attr = 0;
    EFI_STATUS st = RT->GetVariable(w, &guid, &attr, &size, buf);
    return st == EFI_NOT_FOUND ? 0 : st == EFI_SUCCESS ? (long)size : -1;
}

long rtvar_load(unsigned set, uint8_t *rec, size_t cap, uint8_t *scratch, size_t scratch_cap)
{
    return handoff_gather(read_chunk, &set, rec, cap, scratch, scratch_cap);
}

unsigned rtvar_delete_all(void)
{
    unsigned found = 0;
    CHAR16 w[16];
    for (unsigned set = 0; set < 2; set++)
        for (unsigned i = 0; i < HANDOFF_MAX_CHUNKS; i++) {
            name(w, set, i);
            found += RT->SetVariable(w, &guid, 0, 0, NULL) == EFI_SUCCESS;
        }
    return found;
}

int rtvar_limits(uint64_t *max_storage, uint64_t *remaining, uint64_t *max_var)
{
    if (ST->Hdr.Revision < (2 << 16) || ST->RuntimeServices->Hdr.HeaderSize < sizeof(EFI_RUNTIME_SERVICES))
        return -1;
    UINT64 a = 0, b = 0, c = 0;
    if (RT->QueryVariableInfo(ATTR, &a, &b, &c) != EFI_SUCCESS)
        return -1;
    *max_storage = a;
    *remaining = b;
    *max_var = c;
    return 0;
}

uint64_t rtvar_free(void)
{
    uint64_t a, b, c;
    return rtvar_limits(&a, &b, &c) ? UINT64_MAX : b;
}

/* --- the next boot ------------------------------------------------------- */

int rtvar_boot_current(void)
{
    UINT16 cur;
    UINTN size = sizeof cur;
    UINT32 attr;
    if (RT->GetVariable(L"BootCurrent", &gEfiGlobalVariableGuid, &attr, &size, &cur) != EFI_SUCCESS ||
        size != sizeof cur)
        return -1;
    return cur;
}

int rtvar_boot_next_here(void)
{
    int cur = rtvar_boot_current();
    if (cur < 0)
        return -1;
    UINT16 v = (UINT16)cur;
    if (RT->SetVariable(L"BootNext", &gEfiGlobalVariableGuid, ATTR, sizeof v, &v) != EFI_SUCCESS)
        return -1;
    return cur;
}

/* --- the attempt note --------------------------------------------------- */

#define ATTEMPT_MAGIC 0x54524257u   /* "WBRT" */
struct attempt_note {
    uint32_t magic;
    uint8_t reason;
    char id[40];
    char why[160];
};

static CHAR16 attempt_name[] = L"WeakbitTry";

static void copy(char *d, size_t cap, const char *s)
{
    size_t i = 0;
    for (; s && s[i] && i + 1 < cap; i++)
        d[i] = s[i];
    d[i] = 0;
}

int rtvar_attempt_set(unsigned reason, const char *id, const char *why)
{
    struct attempt_note n = { .magic = ATTEMPT_MAGIC, .reason = (uint8_t)reason };
    copy(n.id, sizeof n.id, id);
    copy(n.why, sizeof n.why, why);
    return RT->SetVariable(attempt_name, &guid, ATTR, sizeof n, &n) == EFI_SUCCESS ? 0 : -1;
}

int rtvar_attempt_get(unsigned *reason, char *id, size_t id_cap, char *why, size_t why_cap)
{
    struct attempt_note n;
    UINTN size = sizeof n;
    UINT32 attr = 0;
    if (RT->GetVariable(attempt_name, &guid, &attr, &size, &n) != EFI_SUCCESS || size != sizeof n ||
        n.magic != ATTEMPT_MAGIC)
        return 0;
    n.id[sizeof n.id - 1] = n.why[sizeof n.why - 1] = 0;
    *reason = n.reason;
    copy(id, id_cap, n.id);
    copy(why, why_cap, n.why);
    return 1;
}

void rtvar_attempt_clear(void)
{
    RT->SetVariable(attempt_name, &guid, 0, 0, NULL);
}

/* --- the reset, with fallbacks ------------------------------------------- */

static unsigned reset_from;

void rtvar_reset_from(unsigned from)
{
    reset_from = from;
}

static void settle(void)
{
    uint64_t t0 = timer_ms();
    while (timer_ms() - t0 < 200)
        __builtin_ia32_pause();
}

void rtvar_reset_warm(void)
{
    if (reset_from < 1)
        RT->ResetSystem(EfiResetWarm, EFI_SUCCESS, 0, NULL);
    /* ResetSystem returned: the reset control register (warm, then hard). */
    if (reset_from < 2) {
        io_out8(0xcf9, 0x02);
        settle();
        io_out8(0xcf9, 0x06);
        settle();
    }
    /* The keyboard controller's reset line, once its input buffer is empty. */
    if (reset_from < 3) {
        for (int i = 0; i < 100000 && (io_in8(0x64) & 2); i++)
            __builtin_ia32_pause();
        io_out8(0x64, 0xfe);
        settle();
    }
    /* A triple fault: no IDT, then an exception. */
    static const struct __attribute__((packed)) { uint16_t limit; uint64_t base; } none = { 0, 0 };
    __asm__ volatile("cli; lidt %0; int3" : : "m"(none));
    for (;;)
        __asm__ volatile("cli; hlt");
}
