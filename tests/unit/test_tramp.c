// SPDX-License-Identifier: MIT
// The AP trampoline's data layout: the real assembled blob (linked in from
// build/boot/trampoline.o) installed into a page, read back at the offsets
// the asm exports. The field offsets themselves are checked at build time
// in efi/core/tramp.c.
#include "check.h"
#include "core/tramp.h"
#include "gen/tramp_layout.h"
#include <string.h>

extern const uint8_t tramp_start[], tramp_end[];

static uint8_t page[4096];

static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint16_t rd16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static const struct tramp_params params = { .cr3 = 0x7f000000, .cr4_bits = 1u << 12, .entry = 0x123456789a,
                                            .stacks = 0x7e000000, .ids = 0x7e001000, .ncpus = 3,
                                            .x2apic_ids = 1 };

TEST(tramp_blob_fits_a_page_and_jumps_over_its_data)
{
    size_t len = (size_t)(tramp_end - tramp_start);
    CHECK_EQ_U64(len, TRAMP_OFF_END);
    CHECK(len <= 4096);
    /* Offset 0 is where the SIPI starts the AP: a short jmp to the real-mode code. */
    CHECK_EQ_U64(tramp_start[0], 0xeb);
    CHECK_EQ_U64(2 + tramp_start[1], TRAMP_OFF_REAL);
    CHECK(TRAMP_OFF_REAL < TRAMP_OFF_PM32 && TRAMP_OFF_PM32 < TRAMP_OFF_LM64 && TRAMP_OFF_LM64 < TRAMP_OFF_END);
    CHECK(TRAMP_OFF_STRAY + 4 <= TRAMP_OFF_REAL);
}

TEST(tramp_install_fills_the_data_block)
{
    memset(page, 0, sizeof page);
    uint64_t at = 0x9a000;
    CHECK_EQ_U64(tramp_install(page, at, tramp_start, (size_t)(tramp_end - tramp_start), &params), TRAMP_OK);
    /* The code bytes are the blob's; the data is filled in. */
    CHECK(!memcmp(page + TRAMP_OFF_REAL, tramp_start + TRAMP_OFF_REAL, TRAMP_OFF_END - TRAMP_OFF_REAL));
    CHECK_EQ_U64(rd16(page + TRAMP_OFF_GDTR), 31);
    CHECK_EQ_U64(rd32(page + TRAMP_OFF_GDTR + 2), at + TRAMP_OFF_GDT);
    CHECK_EQ_U64(rd32(page + TRAMP_OFF_PM_JUMP), at + TRAMP_OFF_PM32);
    CHECK_EQ_U64(rd16(page + TRAMP_OFF_PM_JUMP + 4), 0x08);
    CHECK_EQ_U64(rd32(page + TRAMP_OFF_LM_JUMP), at + TRAMP_OFF_LM64);
    CHECK_EQ_U64(rd16(page + TRAMP_OFF_LM_JUMP + 4), 0x18);
    /* Selector 0x08 is 32-bit code (D set), 0x18 64-bit code (L set, D clear). */
    uint64_t c32 = rd64(page + TRAMP_OFF_GDT + 8), c64 = rd64(page + TRAMP_OFF_GDT + 24);
    CHECK((c32 >> 54 & 1) && !(c32 >> 53 & 1) && (c32 >> 43 & 1));
    CHECK((c64 >> 53 & 1) && !(c64 >> 54 & 1) && (c64 >> 43 & 1));
    CHECK_EQ_U64(rd64(page + TRAMP_OFF_CR3), params.cr3);
    CHECK_EQ_U64(rd64(page + TRAMP_OFF_CR4), params.cr4_bits);
    CHECK_EQ_U64(rd64(page + TRAMP_OFF_ENTRY), params.entry);
    CHECK_EQ_U64(rd64(page + TRAMP_OFF_STACKS), params.stacks);
    CHECK_EQ_U64(rd64(page + TRAMP_OFF_IDS), params.ids);
    CHECK_EQ_U64(rd32(page + TRAMP_OFF_NCPUS), 3);
    CHECK_EQ_U64(rd32(page + TRAMP_OFF_ID_LEAF), 1);
    CHECK_EQ_U64(tramp_data_of(page)->ncpus, 3);
    CHECK_EQ_U64(page[4095], 0xf4);
    CHECK_EQ_U64(tramp_vector(at), 0x9a);
}

TEST(tramp_install_refuses_what_an_ap_cannot_use)
{
    size_t len = (size_t)(tramp_end - tramp_start);
    struct tramp_params p = params;
    memset(page, 0x5a, sizeof page);
    CHECK_EQ_U64(tramp_install(page, 0x100000, tramp_start, len, &p), TRAMP_PAGE);
    CHECK_EQ_U64(tramp_install(page, 0x9a800, tramp_start, len, &p), TRAMP_PAGE);
    CHECK_EQ_U64(tramp_install(page, 0, tramp_start, len, &p), TRAMP_PAGE);
    CHECK_EQ_U64(tramp_install(page, 0x9a000, tramp_start, len - 1, &p), TRAMP_SIZE);
    p.cr3 = 1ull << 32;
    CHECK_EQ_U64(tramp_install(page, 0x9a000, tramp_start, len, &p), TRAMP_CR3);
    CHECK_EQ_U64(page[0], 0x5a);   /* untouched on error */
}
