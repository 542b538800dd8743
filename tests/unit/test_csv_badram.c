// SPDX-License-Identifier: MIT
#include "check.h"
#include "core/badram.h"
#include "core/cells.h"
#include "core/errcsv.h"
#include <string.h>

TEST(errcsv_round_trip)
{
    struct failbit rows[64];
    CHECK_EQ_U64(failbit_split(0x36a7abcd8ull, 0, (1ull << 63) | (1ull << 2), rows), 2);
    rows[0].time_ms = 12345;
    rows[0].pass = 1;
    rows[0].test = 5;
    rows[0].cpu = 3;
    char line[200];
    errcsv_format(line, sizeof line, &rows[0]);
    CHECK_STR(line, "12.345,1,5,3,0x36a7abcd8,2,0x0000000000000000,0x8000000000000004,,0,test\n");
    struct failbit back;
    CHECK(errcsv_parse(line, strlen(line) - 1, &back) == ERRCSV_ROW);
    CHECK_EQ_U64(back.addr, 0x36a7abcd8ull);
    CHECK_EQ_U64(back.bit, 2);
    CHECK_EQ_U64(back.time_ms, 12345);
    CHECK_EQ_U64(back.cpu, 3);
    CHECK_EQ_U64(back.actual, 0x8000000000000004ull);
    CHECK_EQ_U64(rows[1].bit, 63);
    CHECK(back.temp_c == FAILBIT_NO_TEMP);
    rows[0].temp_c = -5;
    rows[0].flags = FAILBIT_ADDR_UNCERTAIN;
    errcsv_format(line, sizeof line, &rows[0]);
    CHECK(errcsv_parse(line, strlen(line) - 1, &back) == ERRCSV_ROW && back.temp_c == -5);
    CHECK_EQ_U64(back.flags, FAILBIT_ADDR_UNCERTAIN);
    const char *nine = "1.0,0,5,0,0x1000,1,0x0,0x2,33";   /* older files: no addr_uncertain */
    CHECK(errcsv_parse(nine, strlen(nine), &back) == ERRCSV_ROW && back.flags == 0 && back.temp_c == 33);
    CHECK(errcsv_parse("1.0,0,5,0,0x1000,1,0x0,0x2,,2", 29, &back) == ERRCSV_BAD);
    const char *ten = "1.0,0,5,0,0x1000,1,0x0,0x2,,1";   /* before the source column */
    CHECK(errcsv_parse(ten, strlen(ten), &back) == ERRCSV_ROW && back.flags == FAILBIT_ADDR_UNCERTAIN);
    /* A machine-check report: source ecc, round trip. */
    struct failbit e = { .time_ms = 2500, .test = 3, .addr = 0x12345040, .temp_c = FAILBIT_NO_TEMP,
                         .flags = FAILBIT_ECC };
    errcsv_format(line, sizeof line, &e);
    CHECK_STR(line, "2.500,0,3,0,0x12345040,0,0x0000000000000000,0x0000000000000000,,0,ecc\n");
    CHECK(errcsv_parse(line, strlen(line) - 1, &back) == ERRCSV_ROW && back.flags == FAILBIT_ECC &&
          back.addr == 0x12345040);
    /* A row hammer flip: source hammer, round trip (the phase is not a column). */
    struct failbit hm = { .time_ms = 170, .test = 11, .addr = 0x2002048, .bit = 17, .expected = ~0ull,
                          .actual = ~0ull ^ 1ull << 17, .temp_c = FAILBIT_NO_TEMP,
                          .flags = FAILBIT_HAMMER | FAILBIT_HAMMER_SLOW };
    errcsv_format(line, sizeof line, &hm);
    CHECK_STR(line, "0.170,0,11,0,0x2002048,17,0xffffffffffffffff,0xfffffffffffdffff,,0,hammer\n");
    CHECK(errcsv_parse(line, strlen(line) - 1, &back) == ERRCSV_ROW && back.flags == FAILBIT_HAMMER &&
          back.test == 11);
    CHECK(errcsv_parse("1.0,0,5,0,0x1000,1,0x0,0x2,,0,dram", 34, &back) == ERRCSV_BAD);
    CHECK(errcsv_parse("1.0,0,5,0,0x1000,1,0x0,0x2,,0,test,x", 36, &back) == ERRCSV_BAD);
    /* Not a cell: a comment line readers skip. */
    errcsv_ecc_line(line, sizeof line, 1000, 1, 2, 0x900000000000009full, 0, 0, "no address logged (ADDRV clear)");
    CHECK(!strncmp(line, "# ecc 1.000 cpu 1 bank 2 status 0x900000000000009f", 50));
    CHECK(errcsv_parse(line, strlen(line) - 1, &back) == ERRCSV_SKIP);
}

TEST(errcsv_session_lines)
{
    char line[128];
    errcsv_session_line(line, sizeof line, "20261126-072349-1a2b", "2026-11-26 07:23:49");
    CHECK_STR(line, "# session 20261126-072349-1a2b start 2026-11-26 07:23:49\n");
    struct failbit r;
    struct err_session s;
    CHECK(errcsv_parse_session(line, strlen(line) - 1, &r, &s) == ERRCSV_SESSION);
    CHECK_STR(s.id, "20261126-072349-1a2b");
    CHECK_STR(s.start, "2026-11-26 07:23:49");
    CHECK(errcsv_parse(line, strlen(line) - 1, &r) == ERRCSV_SKIP);  /* old readers: a comment */
    CHECK(errcsv_parse_session("# session x start 2026-13-01 00:00:00", 37, &r, &s) == ERRCSV_SESSION);
    CHECK_EQ_U64(s.start_s, 0);                                      /* bad month: clock unknown */
    CHECK_EQ_U64(errcsv_clock_s("2000-01-01 00:00:00", 19), 0);
    CHECK_EQ_U64(errcsv_clock_s("2000-01-02 00:00:01", 19), 86401);
    CHECK_EQ_U64(errcsv_clock_s("2001-01-01 00:00:00", 19), 366 * 86400ull);  /* 2000 was leap */
    CHECK_EQ_U64(errcsv_clock_s("2024-03-01 00:00:00", 19) - errcsv_clock_s("2024-02-28 00:00:00", 19),
                 2 * 86400);
    CHECK_EQ_U64(errcsv_clock_s("2100-03-01 00:00:00", 19) - errcsv_clock_s("2100-02-28 00:00:00", 19),
                 86400);
    CHECK(errcsv_parse_session("# session  start 2026-11-26 07:23:49", 36, &r, &s) == ERRCSV_SKIP);
    /* A full-coverage session says so after the time. */
    const char *full = "# session a-1 start 2026-11-26 07:23:49 full coverage";
    CHECK(errcsv_parse_session(full, strlen(full), &r, &s) == ERRCSV_SESSION);
    CHECK_STR(s.id, "a-1");
    CHECK_STR(s.start, "2026-11-26 07:23:49");
    const char *glued = "# session a-1 start 2026-11-26 07:23:49x";
    CHECK(errcsv_parse_session(glued, strlen(glued), &r, &s) == ERRCSV_SKIP);
}

TEST(errcsv_rejects_malformed)
{
    struct failbit r;
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
    struct failbit r = { .addr = 0x2000, .bit = 5, .time_ms = 10, .test = 5 };
    CHECK_EQ_U64(cells_add(&t, &r), 1);
    r.time_ms = 20;
    r.test = 3;
    CHECK_EQ_U64(cells_add(&t, &r), 0);
    r.addr = 0x1000;
    CHECK_EQ_U64(cells_add(&t, &r), 1);
    r.bit = 4;
    CHECK_EQ_U64(cells_add(&t, &r), 1);
    CHECK(cells_find(&t, 0x1000, 4) && cells_find(&t, 0x2000, 5) && !cells_find(&t, 0x2000, 4));
    struct cell sorted[4];
    CHECK_EQ_U64(cells_sorted_copy(&t, sorted, 4), 3);
    CHECK_EQ_U64(sorted[0].addr, 0x1000);
    CHECK_EQ_U64(sorted[0].bit, 4);
    CHECK_EQ_U64(sorted[2].addr, 0x2000);
    CHECK_EQ_U64(sorted[2].count, 2);
    CHECK_EQ_U64(sorted[2].first_ms, 10);
    CHECK_EQ_U64(sorted[2].last_ms, 20);
    CHECK_EQ_U64(sorted[2].tests, (1 << 3) | (1 << 5));
}

TEST(cells_sorted_copy_leaves_the_table)
{
    struct cell_table t;
    cells_init(&t, mem, 64);
    for (unsigned i = 0; i < 40; i++) {
        struct failbit r = { .addr = 8ull * ((i * 17) % 40), .bit = i % 3 };
        cells_add(&t, &r);
    }
    struct cell before[64], sorted[64];
    memcpy(before, mem, sizeof before);
    unsigned n = cells_sorted_copy(&t, sorted, 64);
    CHECK_EQ_U64(n, 40);
    CHECK(!memcmp(before, mem, sizeof before));
    for (unsigned i = 1; i < n; i++)
        CHECK(sorted[i - 1].addr < sorted[i].addr ||
              (sorted[i - 1].addr == sorted[i].addr && sorted[i - 1].bit < sorted[i].bit));
    /* Still a hash table: found, and it takes new and known cells. */
    CHECK(cells_find(&t, sorted[7].addr, sorted[7].bit));
    struct failbit known = { .addr = sorted[7].addr, .bit = sorted[7].bit };
    CHECK_EQ_U64(cells_add(&t, &known), 0);
    struct failbit fresh = { .addr = 0x100000, .bit = 9 };
    CHECK_EQ_U64(cells_add(&t, &fresh), 1);
    CHECK(cells_find(&t, 0x100000, 9));
    /* A short buffer takes only what fits. */
    CHECK_EQ_U64(cells_sorted_copy(&t, sorted, 5), 5);
}

TEST(cells_full_table_counts_drops)
{
    struct cell_table t;
    cells_init(&t, mem, 8);
    int fails = 0;
    for (unsigned i = 0; i < 20; i++) {
        struct failbit r = { .addr = 8ull * i, .bit = 0 };
        fails += cells_add(&t, &r) < 0;
    }
    CHECK_EQ_U64(t.n, 6);
    CHECK_EQ_U64(fails, 14);
    CHECK_EQ_U64(t.dropped, 14);
}

/* GRUB's rule: A is masked iff (A & mask) == (addr & mask). */
static int covered(const struct badram_set *set, uint64_t a)
{
    for (unsigned i = 0; i < set->npairs; i++)
        if ((a & set->pairs[i].mask) == (set->pairs[i].addr & set->pairs[i].mask))
            return 1;
    return 0;
}

static uint64_t gbuf[64];
static struct cover_pair pbuf[64];

static void build(struct badram_set *set, struct cell *c, unsigned n)
{
    struct cell_table t;
    static struct cell mem2[64];
    cells_init(&t, mem2, 64);
    for (unsigned i = 0; i < n; i++) {
        struct failbit r = { .addr = c[i].addr, .bit = c[i].bit };
        cells_add(&t, &r);
    }
    static struct cell sorted[64];
    unsigned k = cells_sorted_copy(&t, sorted, 64);
    struct badram_req req = { 1 << 20, 20, 0, "", gbuf, pbuf, 64, NULL, 0 };
    CHECK_EQ_U64(badram_from_cells(set, sorted, k, &req, NULL, BADRAM_ALL), 0);
}

TEST(badram_seed_cells_give_three_blocks)
{
    struct cell c[4] = { { .addr = 0x36a7abcd8ull }, { .addr = 0x460e00000ull },
                         { .addr = 0x4ea0ffff8ull }, { .addr = 0x36a700010ull } };
    struct badram_set set;
    build(&set, c, 4);
    CHECK_EQ_U64(set.ngran, 3);
    CHECK_EQ_U64(set.npairs, 3);
    char buf[8192];
    struct sbuf sb;
    sbuf_init(&sb, buf, sizeof buf);
    badram_render_form(&sb, BADRAM_GRUB, &set);
    CHECK_STR(buf, "GRUB_BADRAM=\"0x36a700000,0x7ffffffffff00000,0x460e00000,0x7ffffffffff00000,"
                   "0x4ea000000,0x7ffffffffff00000\"\n");
    for (unsigned i = 0; i < 4; i++)
        CHECK(covered(&set, c[i].addr));
    CHECK(!covered(&set, 0x36a800000ull));
    CHECK(!covered(&set, 0x36a6ffff8ull));
    CHECK(!covered(&set, 0x26a700000ull));  /* no 4 GiB repeat: 64-bit mask */
    struct cover_pair back[8];
    CHECK_EQ_U64(badram_parse_line(buf, strlen(buf), back, 8), 3);
    CHECK_EQ_U64(back[2].addr, 0x4ea000000ull);
    CHECK_EQ_U64(back[2].mask, 0x7ffffffffff00000ull);
}

TEST(badram_all_forms)
{
    struct cell c[3] = { { .addr = 0x20000000 }, { .addr = 0x20100000 }, { .addr = 0x36a700000ull } };
    struct badram_set set;
    build(&set, c, 3);
    char buf[65536];
    struct sbuf sb;
    sbuf_init(&sb, buf, sizeof buf);
    badram_render(&sb, &set);
    /* Two neighbours differ in bit 20: one exact pair. */
    CHECK(strstr(buf, "GRUB_BADRAM=\"0x20000000,0x7fffffffffe00000,0x36a700000,0x7ffffffffff00000\"\n"));
    CHECK(strstr(buf, "\nbadram 0x20000000,0x7fffffffffe00000,0x36a700000,0x7ffffffffff00000\n"));
    CHECK(strstr(buf, "\nmemmap=2M\\\\\\$0x20000000,1M\\\\\\$0x36a700000\n"));
    CHECK(strstr(buf, "\nmemmap=2M$0x20000000,1M$0x36a700000\n"));
    CHECK(strstr(buf, "\nbcdedit /set {badmemory} badmemorylist 0x20000 0x20001 "));
    CHECK(strstr(buf, " 0x36a7ff\nbcdedit /set badmemoryaccess no\n"));
    CHECK(strstr(buf, "# granule: 1M aligned block around each bad cell (3 blocks)\n"));
    CHECK(strstr(buf, "# pairs: 2 (budget 20; 2 before budget merges); extra good memory masked: 0 (0 bytes"));
    CHECK_EQ_U64(sb.lost, 0);

    build(&set, c, 0);
    sbuf_init(&sb, buf, sizeof buf);
    badram_render(&sb, &set);
    CHECK(!strncmp(buf, "GRUB_BADRAM=\"\"\n", 15));
    CHECK(!strstr(buf, "\nbadram "));
}

TEST(badram_skips_cells_only_address_tests_saw)
{
    struct cell_table t;
    static struct cell m[16];
    cells_init(&t, m, 16);
    struct failbit sure = { .addr = 0x20000008, .bit = 1, .test = 5 };
    struct failbit unsure = { .addr = 0x30000008, .bit = 2, .test = 1, .flags = FAILBIT_ADDR_UNCERTAIN };
    struct failbit both = { .addr = 0x40000008, .bit = 3, .test = 1, .flags = FAILBIT_ADDR_UNCERTAIN };
    cells_add(&t, &sure);
    cells_add(&t, &unsure);
    cells_add(&t, &both);
    both.flags = 0;
    both.test = 5;
    cells_add(&t, &both);   /* test 5 confirms it */
    struct cell sorted[16];
    unsigned n = cells_sorted_copy(&t, sorted, 16);
    struct badram_set set;
    struct badram_req req = { 1 << 20, 20, 0, NULL, gbuf, pbuf, 64, NULL, 0 };
    badram_from_cells(&set, sorted, n, &req, NULL, BADRAM_ALL);
    CHECK_EQ_U64(set.ngran, 2);
    CHECK_EQ_U64(gbuf[0], 0x20000000);
    CHECK_EQ_U64(gbuf[1], 0x40000000);
    CHECK_EQ_U64(set.unconfirmed, 1);
    static char buf[65536];
    struct sbuf sb;
    sbuf_init(&sb, buf, sizeof buf);
    badram_render(&sb, &set);
    CHECK_EQ_U64(sb.lost, 0);
    CHECK(strstr(buf, "# 1 cell seen only by address tests (addr_uncertain) not masked"));
}

TEST(badram_from_cells_text_and_limits)
{
    struct cell c[3] = { { .addr = 0x20000000, .certain = 1 }, { .addr = 0x20100000, .certain = 1 },
                         { .addr = 0x36a700000ull, .certain = 1 } };
    struct badram_set set;
    struct badram_req req = { 1 << 20, 20, 0, "ch:0x40", gbuf, pbuf, 64, NULL, 0 };
    static char buf[65536];
    struct sbuf sb;
    sbuf_init(&sb, buf, sizeof buf);
    CHECK_EQ_U64(badram_from_cells(&set, c, 3, &req, &sb, BADRAM_GRUB), 0);
    CHECK_STR(buf, "GRUB_BADRAM=\"0x20000000,0x7fffffffffe00000,0x36a700000,0x7ffffffffff00000\"\n");
    sbuf_init(&sb, buf, sizeof buf);
    CHECK_EQ_U64(badram_from_cells(&set, c, 3, &req, &sb, BADRAM_ALL), 0);
    CHECK(!strncmp(buf, "GRUB_BADRAM=\"0x20000000,", 22));
    CHECK(strstr(buf, "\n# interleave: ch:0x40 (highest selector bit 6)\n"));
    /* Too small a text buffer, or too few granule slots: refused, not silent. */
    char small[16];
    sbuf_init(&sb, small, sizeof small);
    CHECK_EQ_U64(badram_from_cells(&set, c, 3, &req, &sb, BADRAM_ALL), -1);
    req.cap = 2;
    CHECK_EQ_U64(badram_from_cells(&set, c, 3, &req, NULL, BADRAM_ALL), -1);
    CHECK_EQ_U64(set.ngran, 2);
    CHECK_EQ_U64(set.gran_lost, 1);
}

TEST(badram_parse_line_refuses_malformed)
{
    struct cover_pair p[4];
    const char *bad[] = { "GRUB_BADRAM=\"0x1000\"", "badram 0x1000,zz", "GRUB_BADRAM=\"0x1,0x2",
                          "0x1,0x2,0x3,0x4,0x5,0x6,0x7,0x8,0x9,0xa", "0x1,,0x2", "0x11111111111111111,0x1" };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(badram_parse_line(bad[i], strlen(bad[i]), p, 4) < 0);
    CHECK_EQ_U64(badram_parse_line("GRUB_BADRAM=\"\"", 14, p, 4), 0);
    CHECK_EQ_U64(badram_parse_line("badram 0x1000,0xfffff000", 24, p, 4), 1);
    CHECK_EQ_U64(p[0].mask, 0xfffff000);
}
