// SPDX-License-Identifier: MIT
#include "check.h"
#include "core/focus.h"

static int inside(const struct mem_range *r, unsigned n, uint64_t a)
{
    for (unsigned i = 0; i < n; i++)
        if (a >= r[i].base && a - r[i].base < r[i].len)
            return 1;
    return 0;
}

TEST(focus_ranges_around_cells)
{
    struct cell c[4] = { { .addr = 0x200008 }, { .addr = 0x36a7abcd8ull },
                         { .addr = 0x36a900000ull }, { .addr = 0x460e00000ull } };
    struct mem_range r[16];
    unsigned n = focus_ranges(c, 4, 16 << 20, 1 << 20, r, 16);
    /* The two cells 2 MiB apart share one range; the low one is clipped at 1 MiB. */
    CHECK_EQ_U64(n, 3);
    CHECK_EQ_U64(r[0].base, 0x100000);
    CHECK_EQ_U64(r[0].base + r[0].len, 0x1300000);
    CHECK_EQ_U64(r[1].base, 0x36a700000ull - (16 << 20));
    CHECK_EQ_U64(r[1].base + r[1].len, 0x36aa00000ull + (16 << 20));
    for (unsigned i = 0; i < 4; i++) {
        CHECK(inside(r, n, c[i].addr));
        CHECK(inside(r, n, c[i].addr + (15 << 20)));
    }
    for (unsigned i = 0; i < n; i++)
        CHECK(!(r[i].base & 0xfffff) && !(r[i].len & 0xfffff));
}

TEST(focus_ranges_cap_joins_nearest)
{
    struct cell c[6];
    for (unsigned i = 0; i < 6; i++)
        c[i].addr = (1ull << 32) + (uint64_t)i * (i == 5 ? 1ull << 34 : 1ull << 28);
    struct mem_range r[3];
    unsigned n = focus_ranges(c, 6, 0, 1 << 20, r, 3);
    CHECK_EQ_U64(n, 3);
    for (unsigned i = 0; i < 6; i++)
        CHECK(inside(r, n, c[i].addr));
    for (unsigned i = 1; i < n; i++)
        CHECK(r[i].base > r[i - 1].base + r[i - 1].len);
}
