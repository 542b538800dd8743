// SPDX-License-Identifier: MIT
#include "core/tramp.h"
#include "gen/tramp_layout.h"

#define FIELD(f, sym) \
    _Static_assert(offsetof(struct tramp_data, f) == (sym) - TRAMP_OFF_GDT, "tramp_data." #f " vs " #sym)
FIELD(gdt, TRAMP_OFF_GDT);
FIELD(gdt_limit, TRAMP_OFF_GDTR);
FIELD(pm_off, TRAMP_OFF_PM_JUMP);
FIELD(lm_off, TRAMP_OFF_LM_JUMP);
FIELD(cr3, TRAMP_OFF_CR3);
FIELD(cr4, TRAMP_OFF_CR4);
FIELD(entry, TRAMP_OFF_ENTRY);
FIELD(stacks, TRAMP_OFF_STACKS);
FIELD(ids, TRAMP_OFF_IDS);
FIELD(ncpus, TRAMP_OFF_NCPUS);
FIELD(id_leaf, TRAMP_OFF_ID_LEAF);
FIELD(alive, TRAMP_OFF_ALIVE);
FIELD(stray, TRAMP_OFF_STRAY);
/* The data block ends before the code it describes begins. */
_Static_assert(TRAMP_OFF_GDT + sizeof(struct tramp_data) <= TRAMP_OFF_PM32, "data overlaps code");
_Static_assert(TRAMP_OFF_END <= 4096, "the trampoline must fit in one page");
_Static_assert(TRAMP_OFF_GDT % 8 == 0, "GDT alignment");

int tramp_install(uint8_t *dst, uint64_t page, const uint8_t *blob, size_t len,
                  const struct tramp_params *p)
{
    if (page & 0xfff || page >= 0x100000 || !page)
        return TRAMP_PAGE;
    if (len != TRAMP_OFF_END || len > 4096)
        return TRAMP_SIZE;
    if (p->cr3 >= (1ull << 32) || p->cr3 & 0xfff)
        return TRAMP_CR3;
    /* A short jmp at 0 over the data block to real mode code. */
    if (blob[0] != 0xeb || (size_t)2 + blob[1] >= len)
        return TRAMP_BLOB;
    for (size_t i = 0; i < len; i++)
        dst[i] = blob[i];
    for (size_t i = len; i < 4096; i++)
        dst[i] = 0xf4;   /* hlt: a stray jump past the end stops there */
    struct tramp_data *d = (struct tramp_data *)(dst + TRAMP_OFF_GDT);
    d->gdt_base = (uint32_t)(page + TRAMP_OFF_GDT);
    d->pm_off = (uint32_t)(page + TRAMP_OFF_PM32);
    d->lm_off = (uint32_t)(page + TRAMP_OFF_LM64);
    d->cr3 = p->cr3;
    d->cr4 = p->cr4_bits;
    d->entry = p->entry;
    d->stacks = p->stacks;
    d->ids = p->ids;
    d->ncpus = p->ncpus;
    d->id_leaf = p->x2apic_ids ? 1 : 0;
    d->alive = 0;
    d->stray = 0;
    return TRAMP_OK;
}

volatile struct tramp_data *tramp_data_of(uint8_t *page)
{
    return (volatile struct tramp_data *)(page + TRAMP_OFF_GDT);
}

const char *tramp_strerror(int err)
{
    switch (err) {
    case TRAMP_OK: return "ok";
    case TRAMP_PAGE: return "start-up page not 4 KiB aligned below 1 MiB";
    case TRAMP_SIZE: return "trampoline does not fit its page";
    case TRAMP_CR3: return "page tables above 4 GiB";
    case TRAMP_BLOB: return "not the trampoline";
    }
    return "?";
}
