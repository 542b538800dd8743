// SPDX-License-Identifier: MIT
// Machine-check decoding and polling: which bank entries are memory errors,
// when their address can be masked, and a poll over a fake MSR table that
// clears what it logged and never touches a bank MCG_CAP does not list.
#include <string.h>
#include "check.h"
#include "core/mce.h"

#define PHYS_MISC(lsb) ((2ull << 6) | (lsb))

TEST(mce_memory_codes)
{
    CHECK(mce_is_memory_code(0x009f));   /* memory read, channel 15 (unspecified) */
    CHECK(mce_is_memory_code(0x0080));
    CHECK(mce_is_memory_code(0x00a1));   /* memory write, channel 1 */
    CHECK(mce_is_memory_code(0x109f));   /* filtering bit 12 set */
    CHECK(mce_is_memory_code(0x029f));   /* 0000 0010 1MMM CCCC */
    CHECK(!mce_is_memory_code(0x0000));  /* no error */
    CHECK(!mce_is_memory_code(0x0150));  /* cache hierarchy (0000 0001 RRRR TTLL) */
    CHECK(!mce_is_memory_code(0x0e0b));  /* bus / interconnect */
    CHECK(!mce_is_memory_code(0x0400));  /* internal timer */
    CHECK(!mce_is_memory_code(0x0017));  /* TLB */
    CHECK(!mce_is_memory_code(0x019f));  /* bit 8 set: a cache code, not memory */
}

TEST(mce_bank_count_needs_mce_and_mca)
{
    uint32_t both = MCE_CPUID1_EDX_MCE | MCE_CPUID1_EDX_MCA;
    CHECK_EQ_U64(mce_bank_count(both, 0x100010a), 10);
    CHECK_EQ_U64(mce_bank_count(MCE_CPUID1_EDX_MCE, 0x10a), 0);
    CHECK_EQ_U64(mce_bank_count(MCE_CPUID1_EDX_MCA, 0x10a), 0);
    CHECK_EQ_U64(mce_bank_count(both, 0xff), MCE_MAX_BANKS);
}

TEST(mce_decode_address_kinds)
{
    struct mce_event e;
    /* QEMU's example: VAL|EN|MISCV|ADDRV, MCACOD 0x9F, physical, LSB 6. */
    CHECK(mce_decode(1, 0x9c0000000000009full, 0x12345067, 0x86, 0, &e));
    CHECK(!e.uc && e.why == MCE_ADDR_PHYS && e.lsb == 6 && e.bank == 1);
    CHECK_EQ_U64(e.phys, 0x12345040);   /* the 6 low bits are not valid */
    CHECK_EQ_U64(e.addr, 0x12345067);
    /* LSB 12: a page. */
    CHECK(mce_decode(0, 0x9c0000000000009full, 0x12345fff, PHYS_MISC(12), 0, &e));
    CHECK_EQ_U64(e.phys, 0x12345000);
    /* No ADDRV: no address, even if the MSR held one. */
    CHECK(mce_decode(2, 0x980000000000009full, 0x12345040, 0x86, 0, &e));
    CHECK(e.why == MCE_ADDR_NONE && e.addr == 0 && e.phys == 0);
    /* ADDRV without MISCV: the mode is unknown. */
    CHECK(mce_decode(2, 0x940000000000009full, 0x12345040, 0x86, 0, &e));
    CHECK(e.why == MCE_ADDR_NO_MODE && e.misc == 0 && e.addr == 0x12345040);
    /* MISC mode 1 (linear): not physical. */
    CHECK(mce_decode(2, 0x9c0000000000009full, 0x12345040, (1u << 6) | 6, 0, &e));
    CHECK(e.why == MCE_ADDR_NOT_PHYS);
    /* Uncorrected. */
    CHECK(mce_decode(3, 0xbc0000000000009full, 0x1000, 0x86, 0, &e));
    CHECK(e.uc && e.why == MCE_ADDR_PHYS && e.phys == 0x1000);
    /* Overflow flag. */
    CHECK(mce_decode(3, 0xdc0000000000009full, 0x1000, 0x86, 0, &e));
    CHECK(e.over && !e.uc);
    /* Not valid, or not memory: nothing. */
    CHECK(!mce_decode(1, 0x1c0000000000009full, 0x1000, 0x86, 0, &e));
    CHECK(!mce_decode(1, 0x9c00000000000150ull, 0x1000, 0x86, 0, &e));
    /* An AMD UMC bank: any valid entry is memory, its address normalized. */
    CHECK(mce_decode(5, 0x9c00000000000150ull, 0x1000, 0x86, 1, &e));
    CHECK(e.amd_umc && e.why == MCE_ADDR_NORMALIZED && e.phys == 0);
    CHECK(strlen(mce_noaddr_text(MCE_ADDR_NONE)) > 0 && !*mce_noaddr_text(MCE_ADDR_PHYS));
}

TEST(mce_ipid_umc)
{
    CHECK(mce_ipid_is_umc(0x0000009600000000ull));
    CHECK(mce_ipid_is_umc(0x000000960050f000ull));   /* instance bits do not matter */
    CHECK(!mce_ipid_is_umc(0x0001009600000000ull));  /* McaType 1 */
    CHECK(!mce_ipid_is_umc(0x000000b000000000ull));  /* a core bank */
}

/* A fake CPU: MSRs in a table; any access to an MSR not in it is a #GP,
 * counted. Every read and write is logged. */
#define FAKE_MSRS 160
struct fake {
    uint32_t msr[FAKE_MSRS];
    uint64_t val[FAKE_MSRS];
    unsigned n, gp, reads, writes;
    uint32_t touched[512];
    unsigned ntouched;
};

static int slot(struct fake *f, uint32_t m)
{
    for (unsigned i = 0; i < f->n; i++)
        if (f->msr[i] == m)
            return (int)i;
    return -1;
}

static void put(struct fake *f, uint32_t m, uint64_t v)
{
    int i = slot(f, m);
    if (i < 0) {
        i = (int)f->n++;
        f->msr[i] = m;
    }
    f->val[i] = v;
}

static uint64_t fake_rd(void *ctx, uint32_t m)
{
    struct fake *f = ctx;
    if (f->ntouched < 512)
        f->touched[f->ntouched++] = m;
    f->reads++;
    int i = slot(f, m);
    if (i < 0) {
        f->gp++;
        return 0;
    }
    return f->val[i];
}

static void fake_wr(void *ctx, uint32_t m, uint64_t v)
{
    struct fake *f = ctx;
    if (f->ntouched < 512)
        f->touched[f->ntouched++] = m;
    f->writes++;
    int i = slot(f, m);
    if (i < 0) {
        f->gp++;
        return;
    }
    f->val[i] = v;
}

/* A CPU with `banks` banks, all empty; bank MSRs beyond them do not exist. */
static void fake_cpu(struct fake *f, unsigned banks)
{
    memset(f, 0, sizeof *f);
    put(f, MCE_MSR_MCG_CAP, 0x1000100u | banks);
    for (unsigned i = 0; i < banks; i++) {
        put(f, MCE_MSR_STATUS(i), 0);
        put(f, MCE_MSR_ADDR(i), 0);
        put(f, MCE_MSR_MISC(i), 0);
    }
}

static const unsigned both = MCE_CPUID1_EDX_MCE | MCE_CPUID1_EDX_MCA;

TEST(mce_poll_logs_and_clears)
{
    struct fake f;
    fake_cpu(&f, 4);
    struct mce_msr io = { fake_rd, fake_wr, &f };
    struct mce_cpu c;
    mce_probe(&c, both, 0, &io);
    CHECK_EQ_U64(c.banks, 4);
    put(&f, MCE_MSR_STATUS(1), 0x9c0000000000009full);
    put(&f, MCE_MSR_ADDR(1), 0x12345040);
    put(&f, MCE_MSR_MISC(1), 0x86);
    put(&f, MCE_MSR_STATUS(2), 0x9c00000000000150ull);   /* a cache error: not ours, stays */
    put(&f, MCE_MSR_STATUS(3), 0x900000000000009full);   /* memory, no address */
    struct mce_event ev[8];
    unsigned n = mce_poll(&c, &io, ev, 8);
    CHECK_EQ_U64(n, 2);
    CHECK(ev[0].bank == 1 && ev[0].why == MCE_ADDR_PHYS && ev[0].phys == 0x12345040);
    CHECK(ev[1].bank == 3 && ev[1].why == MCE_ADDR_NONE);
    CHECK_EQ_U64(fake_rd(&f, MCE_MSR_STATUS(1)), 0);
    CHECK_EQ_U64(fake_rd(&f, MCE_MSR_STATUS(3)), 0);
    CHECK_EQ_U64(fake_rd(&f, MCE_MSR_STATUS(2)), 0x9c00000000000150ull);
    CHECK_EQ_U64(f.gp, 0);
    /* Bank 3's ADDR and MISC were not read: their valid bits were clear. */
    for (unsigned i = 0; i < f.ntouched; i++)
        CHECK(f.touched[i] != MCE_MSR_ADDR(3) && f.touched[i] != MCE_MSR_MISC(3));
    /* A second poll finds nothing new. */
    CHECK_EQ_U64(mce_poll(&c, &io, ev, 8), 0);
    CHECK_EQ_U64(f.gp, 0);
}

TEST(mce_poll_never_touches_banks_beyond_mcg_cap)
{
    struct fake f;
    fake_cpu(&f, 2);
    struct mce_msr io = { fake_rd, fake_wr, &f };
    struct mce_cpu c;
    mce_probe(&c, both, 0, &io);
    CHECK_EQ_U64(c.banks, 2);
    put(&f, MCE_MSR_STATUS(1), 0x9c000000000000a1ull);
    put(&f, MCE_MSR_ADDR(1), 0x2000);
    put(&f, MCE_MSR_MISC(1), 0x86);
    struct mce_event ev[4];
    f.ntouched = 0;
    CHECK_EQ_U64(mce_poll(&c, &io, ev, 4), 1);
    CHECK_EQ_U64(f.gp, 0);
    for (unsigned i = 0; i < f.ntouched; i++)
        CHECK(f.touched[i] < MCE_MSR_STATUS(2));
    /* Full out[]: the rest stay in their banks for the next poll. */
    put(&f, MCE_MSR_STATUS(0), 0x9c0000000000009full);
    put(&f, MCE_MSR_ADDR(0), 0x3000);
    put(&f, MCE_MSR_MISC(0), 0x86);
    put(&f, MCE_MSR_STATUS(1), 0x9c0000000000009full);
    CHECK_EQ_U64(mce_poll(&c, &io, ev, 1), 1);
    CHECK(ev[0].bank == 0);
    CHECK_EQ_U64(fake_rd(&f, MCE_MSR_STATUS(1)), 0x9c0000000000009full);
    CHECK_EQ_U64(mce_poll(&c, &io, ev, 1), 1);
    CHECK(ev[0].bank == 1);
}

TEST(mce_probe_without_mca_reads_nothing)
{
    struct fake f;
    fake_cpu(&f, 4);
    struct mce_msr io = { fake_rd, fake_wr, &f };
    struct mce_cpu c;
    mce_probe(&c, MCE_CPUID1_EDX_MCE, 0, &io);
    CHECK_EQ_U64(c.banks, 0);
    CHECK_EQ_U64(f.reads, 0);
    struct mce_event ev[4];
    CHECK_EQ_U64(mce_poll(&c, &io, ev, 4), 0);
    CHECK_EQ_U64(f.reads + f.writes, 0);
}

TEST(mce_smca_umc_banks_by_ipid)
{
    struct fake f;
    fake_cpu(&f, 3);
    for (unsigned i = 0; i < 3; i++)
        put(&f, MCE_MSR_SMCA_IPID(i), i == 2 ? 0x0000009600000000ull : 0x000000b000000000ull);
    struct mce_msr io = { fake_rd, fake_wr, &f };
    struct mce_cpu c;
    mce_probe(&c, both, MCE_CPUID_80000007_EBX_SMCA, &io);
    CHECK_EQ_U64(c.umc_banks, 1u << 2);
    put(&f, MCE_MSR_STATUS(2), 0x9c00000000000150ull);   /* UMC: memory whatever the code */
    put(&f, MCE_MSR_ADDR(2), 0x5000);
    put(&f, MCE_MSR_MISC(2), 0x86);
    put(&f, MCE_MSR_STATUS(0), 0x9c00000000000150ull);   /* a core bank's cache error */
    struct mce_event ev[4];
    CHECK_EQ_U64(mce_poll(&c, &io, ev, 4), 1);
    CHECK(ev[0].bank == 2 && ev[0].amd_umc && ev[0].why == MCE_ADDR_NORMALIZED);
    CHECK_EQ_U64(f.gp, 0);
    /* Without SMCA no IPID is read. */
    fake_cpu(&f, 3);
    mce_probe(&c, both, 0, &io);
    for (unsigned i = 0; i < f.ntouched; i++)
        CHECK(f.touched[i] < 0xc0000000u);
}
