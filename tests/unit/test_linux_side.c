// SPDX-License-Identifier: MIT
// The Linux-side parsers: /proc/iomem lines, memmap= entries, lockdown,
// meminfo, and the import formats with their page expansion.
#include "check.h"
#include "linuxside/import.h"
#include "linuxside/linuxmem.h"
#include <string.h>

TEST(lmem_iomem_lines)
{
    struct lmem_range r;
    const char *l = "  0a800000-0b601d31 : Kernel code";
    CHECK(lmem_iomem_line(l, strlen(l), &r) == 0);
    CHECK_EQ_U64(r.start, 0xa800000);
    CHECK_EQ_U64(r.end, 0xb601d31);
    CHECK_EQ_U64(r.depth, 1);
    CHECK_STR(r.name, "Kernel code");
    l = "100000000-27fffffff : System RAM\r";
    CHECK(lmem_iomem_line(l, strlen(l), &r) == 0 && r.depth == 0 && r.end == 0x27fffffffull);
    CHECK(lmem_classify(r.name) == LMEM_RAM);
    CHECK(lmem_classify("Unusable memory") == LMEM_UNUSABLE);
    CHECK(lmem_classify("reserved") == LMEM_RESERVED && lmem_classify("Reserved") == LMEM_RESERVED);
    CHECK(lmem_classify("PCI Bus 0000:00") == LMEM_OTHER);
    CHECK(lmem_iomem_line("2000-1000 : x", 13, &r) < 0);           /* end before start */
    CHECK(lmem_iomem_line("1000-2000 x", 11, &r) < 0);             /* no " : " */
    CHECK(lmem_iomem_line("10000000000000000-2 : x", 23, &r) < 0); /* 17 digits */
}

TEST(lmem_memparse_and_memmap)
{
    uint64_t v;
    CHECK(lmem_memparse("1M", 2, &v) == 2 && v == 1u << 20);
    CHECK(lmem_memparse("0x1000$", 7, &v) == 6 && v == 0x1000);
    CHECK(lmem_memparse("010", 3, &v) == 3 && v == 8);             /* octal, as the kernel reads it */
    CHECK(lmem_memparse("4g", 2, &v) == 2 && v == 4ull << 30);
    CHECK(lmem_memparse("$1", 2, &v) == 0);

    struct lmem_memmap m[8];
    unsigned bad;
    const char *c = "ro memmap=1M\\$0x40100000,4K$0x7000000 xmemmap=1M$0x1 \"memmap=2M!4G\" memmap=exactmap"
                    " memmap=640K@0 memmap=1M%0x1000-1+2 memmap=junk";
    unsigned n = lmem_memmap_scan(c, strlen(c), m, 8, &bad);
    CHECK_EQ_U64(n, 6);
    CHECK_EQ_U64(bad, 1);
    CHECK(m[0].kind == '$' && m[0].size == 1u << 20 && m[0].addr == 0x40100000);
    CHECK(m[1].kind == '$' && m[1].size == 4096 && m[1].addr == 0x7000000);
    CHECK(m[2].kind == '!' && m[2].addr == 4ull << 30);              /* the word inside quotes */
    CHECK(m[3].kind == 'x' && m[4].kind == '@' && m[5].kind == '%');
}

TEST(lmem_lockdown_meminfo)
{
    CHECK(lmem_lockdown("none [integrity] confidentiality\n", 33) == LMEM_LOCKDOWN_INTEGRITY);
    CHECK(lmem_lockdown("[none] integrity confidentiality", 32) == LMEM_LOCKDOWN_NONE);
    CHECK(lmem_lockdown("", 0) == LMEM_LOCKDOWN_UNKNOWN);
    const char *mi = "MemTotal: 1 kB\nHardwareCorrupted:     12 kB\n";
    CHECK(lmem_hwcorrupted_kb(mi, strlen(mi)) == 12);
    CHECK(lmem_hwcorrupted_kb("MemTotal: 1 kB\n", 15) == -1);
}

static uint64_t got[64];
static unsigned ngot;
static void collect(void *ctx, uint64_t a)
{
    (void)ctx;
    if (ngot < 64)
        got[ngot] = a;
    ngot++;
}

TEST(import_memtest86plus_lists)
{
    struct import_parser p;
    struct import_item it[16];
    unsigned n = 0;
    import_init(&p, IMPORT_MEMTEST86PLUS);
    const char *l1 = "badram=0x0000000020000008,0xfffffffffffffff8,0x20001010,";
    const char *l2 = "       0xfffffffffffffff8";
    CHECK(import_line(&p, l1, strlen(l1), it, 16, &n) == 0 && n == 1 && p.list == 'b');
    CHECK(import_line(&p, l2, strlen(l2), it, 16, &n) == 0 && n == 2 && p.list == 0);
    CHECK(it[1].kind == IMPORT_PATTERN && it[1].a == 0x20001010 && it[1].b == 0xfffffffffffffff8ull);
    const char *l3 = "memmap=4K$0x1234000,8K\\$0x5000000";
    CHECK(import_line(&p, l3, strlen(l3), it, 16, &n) == 0 && n == 4);
    CHECK(it[3].kind == IMPORT_RANGE && it[3].a == 0x5000000 && it[3].b == 0x5002000);
    const char *l4 = "0x1ff9a8, 0x20..0x2a";
    CHECK(import_line(&p, l4, strlen(l4), it, 16, &n) == 0 && n == 6);
    CHECK(it[5].a == 0x20000 && it[5].b == 0x2b000);
    CHECK(import_finish(&p) == 0);

    const char *bad[] = { "badram=0x1000,,0xfffff000", "memmap=4K@0x1000", "0x20..0x1f", "hello" };
    for (unsigned k = 0; k < 4; k++) {
        import_init(&p, IMPORT_MEMTEST86PLUS);
        n = 0;
        CHECK(import_line(&p, bad[k], strlen(bad[k]), it, 16, &n) < 0 && p.err);
    }
    import_init(&p, IMPORT_MEMTEST86PLUS);
    n = 0;
    CHECK(import_line(&p, "badram=0x1000,", 14, it, 16, &n) == 0);
    CHECK(import_finish(&p) < 0);                                    /* cut off */
}

TEST(import_linux_memtest_and_addresses)
{
    struct import_parser p;
    struct import_item it[4];
    unsigned n = 0;
    import_init(&p, IMPORT_LINUX_MEMTEST);
    const char *l = "[    0.000000]   0000000000000000 bad mem addr 0x0000000018000008 - 0x0000000018000010 reserved";
    CHECK(import_line(&p, l, strlen(l), it, 4, &n) == 0 && n == 1);
    CHECK(it[0].a == 0x18000008 && it[0].b == 0x18000010);
    const char *old = " 00000000ffffffff bad mem addr 0018000000 - 0018000100 reserved";
    CHECK(import_line(&p, old, strlen(old), it, 4, &n) == 0 && n == 2 && it[1].b == 0x18000100);
    const char *other = "[    0.1] early_memtest: # of tests: 1";
    CHECK(import_line(&p, other, strlen(other), it, 4, &n) == 0 && n == 2);
    const char *broken = "  0 bad mem addr 0x18000010 - 0x18000008 reserved";
    CHECK(import_line(&p, broken, strlen(broken), it, 4, &n) < 0);

    import_init(&p, IMPORT_ADDRESSES);
    n = 0;
    CHECK(import_line(&p, "0x36a7abcdf  # odd", 18, it, 4, &n) == 0 && it[0].a == 0x36a7abcd8);
    CHECK(import_line(&p, "0x1 0x2", 7, it, 4, &n) < 0);
    CHECK(import_format_from("linux-memtest") == IMPORT_LINUX_MEMTEST && import_format_from("x") < 0);
}

TEST(import_page_expansion)
{
    /* A range touching three pages: its first word, then each page start. */
    struct import_item r = { IMPORT_RANGE, 0x18000ff8, 0x18002008 };
    ngot = 0;
    CHECK(import_pages(&r, 16, collect, 0) == 3);
    CHECK(got[0] == 0x18000ff8 && got[1] == 0x18001000 && got[2] == 0x18002000);
    CHECK(import_pages(&r, 2, collect, 0) == -1);
    /* Memtest86+'s word mask with bit 63 set: one page, the exact word. */
    struct import_item w = { IMPORT_PATTERN, 0x20000008, 0xfffffffffffffff8ull };
    ngot = 0;
    CHECK(import_pages(&w, 16, collect, 0) == 1 && got[0] == 0x20000008);
    /* Two free bits above the page: four pages, ascending, each in the pattern. */
    struct import_item q = { IMPORT_PATTERN, 0x40000010, 0xffffffffffbfeff8ull };
    ngot = 0;
    CHECK(import_pages(&q, 16, collect, 0) == 4);
    CHECK(got[0] == 0x40000010 && got[1] == 0x40001010 && got[2] == 0x40400010 && got[3] == 0x40401010);
    /* A 32-bit mask repeats every 4 GiB up to 2^52: refused. */
    struct import_item m32 = { IMPORT_PATTERN, 0x1000, 0xfffff000 };
    CHECK(import_pages(&m32, IMPORT_MAX_PAGES, collect, 0) == -1);
}
