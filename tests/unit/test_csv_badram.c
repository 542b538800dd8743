// SPDX-License-Identifier: MIT
#include "check.h"
#include "../../efi/core/badram.h"
#include "../../efi/core/cells.h"
#include "../../efi/core/errcsv.h"
#include <string.h>

TEST(errcsv_round_trip)
{
    struct err_row rows[64];
    CHECK_EQ_U64(errcsv_split(0x36a7abcd8ull, 0, (1ull << 63) | (1ull << 2), rows), 2);
    rows[0].time_ms = 12345;
    rows[0].pass = 1;
    rows[0].test = 5;
    rows[0].cpu = 3;
    char line[200];
    errcsv_format(line, sizeof line, &rows[0]);
    CHECK_STR(line, "12.345,1,5,3,0x36a7abcd8,2,0x0000000000000000,0x8000000000000004\n");
    struct err_row back;
    CHECK(errcsv_parse(line, strlen(line) - 1, &back) == ERRCSV_ROW);
    CHECK_EQ_U64(back.addr, 0x36a7abcd8ull);
    CHECK_EQ_U64(back.bit, 2);
    CHECK_EQ_U64(back.time_ms, 12345);
    CHECK_EQ_U64(back.cpu, 3);
    CHECK_EQ_U64(back.actual, 0x8000000000000004ull);
    CHECK_EQ_U64(rows[1].bit, 63);
}

TEST(errcsv_rejects_malformed)
{
    struct err_row r;
    const char *bad[] = {
        "1.0,0,5,0,0x1000,64,0x0,0x1",      /* bit out of range */
        "1.0,0,5,0,0x1004,1,0x0,0x1",       /* unaligned word */
        "1.0,0,5,0,0x1000,1,0x0",           /* short */
        "1.0,0,5,0,0x10zz,1,0x0,0x1",
        "1.0,0,5,0,0x1000,1,0x0,0x1,20,9",  /* too many */
        "1.,0,5,0,0x1000,1,0x0,0x1",
        "1.0,0,5,0,0x1000,1,0x0,0x1ffffffffffffffffff",
        "12.3",                              /* torn line */
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(errcsv_parse(bad[i], strlen(bad[i]), &r) == ERRCSV_BAD);
    CHECK(errcsv_parse(ERRCSV_HEADER, strlen(ERRCSV_HEADER) - 1, &r) == ERRCSV_SKIP);
    CHECK(errcsv_parse("", 0, &r) == ERRCSV_SKIP);
    CHECK(errcsv_parse("# session 2", 11, &r) == ERRCSV_SKIP);
    const char *ok = "3,0,5,0,0x1000,1,0x0,0x2,41";
    CHECK(errcsv_parse(ok, strlen(ok), &r) == ERRCSV_ROW && r.time_ms == 3000);
}

static struct cell mem[64];

TEST(cells_count_and_sort)
{
    struct cell_table t;
    cells_init(&t, mem, 64);
    struct err_row r = { .addr = 0x2000, .bit = 5, .time_ms = 10, .test = 5 };
    CHECK_EQ_U64(cells_add(&t, &r), 1);
    r.time_ms = 20;
    r.test = 3;
    CHECK_EQ_U64(cells_add(&t, &r), 0);
    r.addr = 0x1000;
    CHECK_EQ_U64(cells_add(&t, &r), 1);
    r.bit = 4;
    CHECK_EQ_U64(cells_add(&t, &r), 1);
    CHECK_EQ_U64(cells_sort(&t), 3);
    CHECK_EQ_U64(mem[0].addr, 0x1000);
    CHECK_EQ_U64(mem[0].bit, 4);
    CHECK_EQ_U64(mem[2].addr, 0x2000);
    CHECK_EQ_U64(mem[2].count, 2);
    CHECK_EQ_U64(mem[2].first_ms, 10);
    CHECK_EQ_U64(mem[2].last_ms, 20);
    CHECK_EQ_U64(mem[2].tests, (1 << 3) | (1 << 5));
}

TEST(cells_full_table_counts_drops)
{
    struct cell_table t;
    cells_init(&t, mem, 8);
    int fails = 0;
    for (unsigned i = 0; i < 20; i++) {
        struct err_row r = { .addr = 8ull * i, .bit = 0 };
        fails += cells_add(&t, &r) < 0;
    }
    CHECK_EQ_U64(t.n, 6);
    CHECK_EQ_U64(fails, 14);
    CHECK_EQ_U64(t.dropped, 14);
}

/* GRUB's rule: A is masked iff (A & mask) == (addr & mask). */
static int covered(uint64_t a, uint64_t addr, uint64_t mask)
{
    return (a & mask) == (addr & mask);
}

TEST(badram_seed_cells_give_three_blocks)
{
    struct cell c[4] = { { .addr = 0x36a7abcd8ull }, { .addr = 0x460e00000ull },
                         { .addr = 0x4ea0ffff8ull }, { .addr = 0x36a700010ull } };
    uint64_t g[8];
    unsigned lost;
    unsigned n = badram_granules(c, 4, 1 << 20, g, 8, &lost);
    CHECK_EQ_U64(n, 3);
    CHECK_EQ_U64(g[0], 0x36a700000ull);
    CHECK_EQ_U64(g[1], 0x460e00000ull);
    CHECK_EQ_U64(g[2], 0x4ea000000ull);
    char buf[8192];
    struct sbuf sb;
    sbuf_init(&sb, buf, sizeof buf);
    badram_render_form(&sb, BADRAM_GRUB, g, n, 1 << 20);
    CHECK_STR(buf, "GRUB_BADRAM=\"0x36a700000,0x7ffffffffff00000,0x460e00000,0x7ffffffffff00000,"
                   "0x4ea000000,0x7ffffffffff00000\"\n");
    uint64_t m = badram_mask(1 << 20);
    CHECK((m & 0x3ff) == 0 && !(m >> 63));
    for (unsigned i = 0; i < 4; i++)
        CHECK(covered(c[i].addr, g[i == 3 ? 0 : i], m));
    CHECK(!covered(0x36a800000ull, g[0], m));
    CHECK(!covered(0x36a6ffff8ull, g[0], m));
    CHECK(!covered(0x26a700000ull, g[0], m));  /* no 4 GiB repeat: 64-bit mask */
}

TEST(badram_all_forms)
{
    uint64_t g[3] = { 0x20000000, 0x20100000, 0x36a700000ull };
    char buf[65536];
    struct sbuf sb;
    sbuf_init(&sb, buf, sizeof buf);
    badram_render(&sb, g, 3, 1 << 20, "");
    CHECK(strstr(buf, "\nbadram 0x20000000,0x7ffffffffff00000,0x20100000,0x7ffffffffff00000,"
                      "0x36a700000,0x7ffffffffff00000\n"));
    CHECK(strstr(buf, "\nmemmap=2M\\\\\\$0x20000000,1M\\\\\\$0x36a700000\n"));
    CHECK(strstr(buf, "\nmemmap=2M$0x20000000,1M$0x36a700000\n"));
    CHECK(strstr(buf, "\nbcdedit /set {badmemory} badmemorylist 0x20000 0x20001 "));
    CHECK(strstr(buf, " 0x36a7ff\nbcdedit /set badmemoryaccess no\n"));
    CHECK(strstr(buf, "# granule: 1M aligned block around each bad cell (3 blocks)\n"));
    CHECK_EQ_U64(sb.lost, 0);

    sbuf_init(&sb, buf, sizeof buf);
    badram_render(&sb, g, 0, 1 << 20, "");
    CHECK(!strncmp(buf, "GRUB_BADRAM=\"\"\n", 15));
    CHECK(!strstr(buf, "\nbadram "));
}
