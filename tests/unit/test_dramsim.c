// SPDX-License-Identifier: MIT
// The DRAM disturbance model of tools/dramsim (the QEMU plugin's core),
// driven directly: activations need flushes, count per window, and flip the
// weak cells next to the hammered row, in its bank, once.
#include "check.h"
#include "dramsim/model.h"
#include <stdlib.h>
#include <string.h>

#define RAM (1u << 20)

static uint8_t ram[RAM];
static struct dsim d;

/* rows of 8 KiB, banks from bits 6 and 7 */
static void setup(const char *weak, int flush, uint64_t threshold, uint64_t window)
{
    struct dsim_cfg c = { .rowshift = 13, .threshold = threshold, .window = window, .flush = flush,
                          .ram_bytes = RAM };
    CHECK(dsim_parse_banks(&c, "0x40,0x80") == 0);
    CHECK(dsim_parse_weak(&c, weak) == 0);
    memset(ram, 0xff, sizeof ram);
    CHECK(dsim_init(&d, &c) == 0);
}

/* n rounds of read a, flush, read b, flush; one instruction per access. */
static unsigned hammer(uint64_t a, uint64_t b, unsigned n, uint64_t *insns)
{
    struct dsim_flip f[DSIM_MAX_WEAK];
    unsigned flips = 0;
    for (unsigned i = 0; i < n; i++) {
        flips += dsim_access(&d, a, (*insns)++, ram, f);
        dsim_flush(&d);
        flips += dsim_access(&d, b, (*insns)++, ram, f);
        dsim_flush(&d);
    }
    return flips;
}

static int bit_of(uint64_t addr, unsigned bit)
{
    return ram[addr + bit / 8] >> (bit % 8) & 1;
}

TEST(dramsim_flips_neighbour_in_bank_once)
{
    /* victim row 2 (0x4000-0x5fff), bank 1 (bit 6); a second cell in bank 2 */
    setup("0x4048:17,0x4088:3", 1, 100, 1000000);
    uint64_t t = 0;
    CHECK_EQ_U64(hammer(0x2040, 0x6040, 99, &t), 0);   /* rows 1 and 3, bank 1 */
    CHECK_EQ_U64(bit_of(0x4048, 17), 1);
    CHECK_EQ_U64(hammer(0x2040, 0x6040, 1, &t), 1);     /* the 100th activation of row 1 */
    CHECK_EQ_U64(bit_of(0x4048, 17), 0);
    CHECK_EQ_U64(bit_of(0x4088, 3), 1);                  /* bank 2: untouched */
    CHECK_EQ_U64(hammer(0x2040, 0x6040, 500, &t), 0);   /* discharged: nothing more to flip */
    CHECK(d.activations >= 1200 && d.max_count >= 600);
    dsim_free(&d);
}

TEST(dramsim_needs_flushes)
{
    setup("0x4048:17", 0, 100, 1000000);
    uint64_t t = 0;
    CHECK_EQ_U64(hammer(0x2040, 0x6040, 1000, &t), 0);
    CHECK_EQ_U64(d.activations, 2);   /* the first touch of each line only */
    CHECK_EQ_U64(d.flushes, 2000);
    CHECK_EQ_U64(bit_of(0x4048, 17), 1);
    dsim_free(&d);
}

TEST(dramsim_counts_per_window_and_cell_threshold)
{
    /* 150 activations per row spread over windows of 100 instructions
     * (2 per round): never 100 in one window. */
    setup("0x4048:17", 1, 100, 100);
    uint64_t t = 0;
    CHECK_EQ_U64(hammer(0x2040, 0x6040, 150, &t), 0);
    CHECK(d.max_count <= 50);
    dsim_free(&d);
    /* A cell's own threshold beats the model's; an anti-cell (charged 0). */
    setup("0x4048:17:1:10,0x4048:18:0:10", 1, 1000, 1000000);
    ram[0x4048 + 2] &= (uint8_t)~(1u << 2);   /* bit 18 holds 0: its charge */
    t = 0;
    CHECK_EQ_U64(hammer(0x2040, 0x6040, 10, &t), 2);
    CHECK_EQ_U64(bit_of(0x4048, 17), 0);
    CHECK_EQ_U64(bit_of(0x4048, 18), 1);
    dsim_free(&d);
}

TEST(dramsim_parses_and_refuses)
{
    struct dsim_cfg c = { 0 };
    CHECK(dsim_parse_weak(&c, "0x1000:3,0x2008:63:0:500") == 0);
    CHECK_EQ_U64(c.nweak, 2);
    CHECK_EQ_U64(c.weak[1].threshold, 500);
    CHECK(dsim_parse_weak(&c, "0x1001:3") == -1);   /* not a word address */
    CHECK(dsim_parse_weak(&c, "0x1000:64") == -1);
    CHECK(dsim_parse_weak(&c, "0x1000:3:2") == -1);
    CHECK(dsim_parse_banks(&c, "0x40,,0x80") == -1);
}
