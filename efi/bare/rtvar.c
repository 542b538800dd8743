// SPDX-License-Identifier: MIT
#include "bare/rtvar.h"
#include "core/handoff.h"
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

long rtvar_load(unsigned set, uint8_t *rec, size_t cap, uint8_t *scratch, size_t scratch_cap)
{
    struct handoff_chunk ch[HANDOFF_MAX_CHUNKS];
    CHAR16 w[16];
    size_t used = 0;
    unsigned n = 1;
    for (unsigned i = 0; i < n; i++) {
        name(w, set, i);
        UINTN size = scratch_cap - used;
        UINT32 attr = 0;
        EFI_STATUS st = RT->GetVariable(w, &guid, &attr, &size, scratch + used);
        if (st == EFI_NOT_FOUND && i == 0)
            return 0;
        if (st != EFI_SUCCESS)
            return HANDOFF_CHUNKS;
        if (i == 0 && !(n = handoff_chunk_count(scratch, size)))
            return HANDOFF_MAGIC;
        ch[i] = (struct handoff_chunk){ scratch + used, size };
        used += size;
    }
    size_t len = 0;
    int err = handoff_join(ch, n, rec, cap, &len);
    return err ? err : (long)len;
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

void rtvar_reset_warm(void)
{
    RT->ResetSystem(EfiResetWarm, EFI_SUCCESS, 0, NULL);
    for (;;)
        __asm__ volatile("cli; hlt");
}
