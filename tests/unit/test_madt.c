// SPDX-License-Identifier: MIT
#include "check.h"
#include "core/madt.h"
#include <string.h>

static uint8_t t[256];
static size_t n;

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

static void entry(const uint8_t *e, size_t len)
{
    memcpy(t + n, e, len);
    n += len;
}

static void seal(void)
{
    put32(t + 4, (uint32_t)n);
    t[9] = 0;
    uint8_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = (uint8_t)(sum + t[i]);
    t[9] = (uint8_t)-sum;
}

/* Four CPUs as QEMU describes them, one disabled, an x2APIC one, an IO APIC. */
static void build(void)
{
    memset(t, 0, sizeof t);
    memcpy(t, "APIC", 4);
    t[8] = 3;
    put32(t + 36, 0xfee00000);
    put32(t + 40, 1);
    n = 44;
    for (uint8_t i = 0; i < 3; i++) {
        uint8_t e[8] = { 0, 8, i, i, 0, 0, 0, 0 };
        e[4] = i == 2 ? 0 : 1;   /* cpu 2: neither enabled nor online capable */
        entry(e, 8);
    }
    uint8_t io[12] = { 1, 12, 0, 0, 0, 0, 0xc0, 0xfe, 0, 0, 0, 0 };
    entry(io, 12);
    uint8_t x2[16] = { 9, 16, 0, 0 };
    put32(x2 + 4, 300);
    put32(x2 + 8, 2);     /* online capable only */
    put32(x2 + 12, 7);
    entry(x2, 16);
    seal();
}

TEST(madt_parses_cpus)
{
    struct madt_info m;
    build();
    CHECK_EQ_U64(madt_parse(&m, t, n), MADT_OK);
    CHECK_EQ_U64(m.lapic_addr, 0xfee00000);
    CHECK_EQ_U64(m.ncpus, 3);
    CHECK_EQ_U64(m.enabled, 2);
    CHECK_EQ_U64(m.cpu[1].apic_id, 1);
    CHECK_EQ_U64(m.cpu[2].apic_id, 300);
    CHECK(m.cpu[2].x2apic && !m.cpu[2].enabled && m.cpu[2].online_capable);
    CHECK_EQ_U64(m.cpu[2].uid, 7);
    /* The address override entry. */
    uint8_t ov[12] = { 5, 12, 0, 0 };
    put32(ov + 4, 0xfed00000);
    put32(ov + 8, 1);
    entry(ov, 12);
    seal();
    CHECK_EQ_U64(madt_parse(&m, t, n), MADT_OK);
    CHECK_EQ_U64(m.lapic_addr, 0x1fed00000ull);
}

TEST(madt_rejects_bad_tables)
{
    struct madt_info m;
    build();
    CHECK_EQ_U64(madt_parse(&m, t, 20), MADT_SHORT);
    CHECK_EQ_U64(madt_parse(&m, t, n - 1), MADT_SHORT);
    t[20] ^= 1;
    CHECK_EQ_U64(madt_parse(&m, t, n), MADT_CHECKSUM);
    build();
    t[0] = 'X';
    CHECK_EQ_U64(madt_parse(&m, t, n), MADT_SIGNATURE);
    build();
    t[44 + 1] = 0;   /* zero-length entry would loop forever */
    seal();
    CHECK_EQ_U64(madt_parse(&m, t, n), MADT_ENTRY);
    build();
    t[44 + 16 + 1] = 200;   /* runs past the end */
    seal();
    CHECK_EQ_U64(madt_parse(&m, t, n), MADT_ENTRY);
}

/* One processor listed both as a Local APIC (ID 1, enabled) and as an
 * x2APIC entry with the same ID (online capable only), as some firmware
 * writes: one CPU, enabled, not two. */
TEST(madt_same_apic_id_twice_is_one_cpu)
{
    struct madt_info m;
    build();
    uint8_t x2[16] = { 9, 16, 0, 0 };
    put32(x2 + 4, 1);     /* APIC ID 1 again */
    put32(x2 + 8, 2);
    put32(x2 + 12, 1);
    entry(x2, 16);
    seal();
    CHECK_EQ_U64(madt_parse(&m, t, n), MADT_OK);
    unsigned ones = 0;
    for (unsigned i = 0; i < m.ncpus; i++)
        ones += m.cpu[i].apic_id == 1;
    CHECK_EQ_U64(ones, 1);
    CHECK_EQ_U64(m.ncpus, 3);     /* IDs 0, 1 and 300 */
    CHECK_EQ_U64(m.enabled, 2);
    CHECK_EQ_U64(m.duplicates, 1);
}
