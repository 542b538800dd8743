// SPDX-License-Identifier: MIT
#include "core/mce.h"

#define MCG_COUNT_MASK 0xffu
#define MISC_MODE_SHIFT 6
#define MISC_MODE_PHYS 2u
#define MISC_LSB_MASK 0x3fu
#define UMC_HWID 0x096u

unsigned mce_bank_count(uint32_t cpuid1_edx, uint64_t mcg_cap)
{
    if (!(cpuid1_edx & MCE_CPUID1_EDX_MCE) || !(cpuid1_edx & MCE_CPUID1_EDX_MCA))
        return 0;
    unsigned n = (unsigned)(mcg_cap & MCG_COUNT_MASK);
    return n > MCE_MAX_BANKS ? MCE_MAX_BANKS : n;
}

/* Memory controller errors: bits 15:8 are 0000 0000 or 0000 0010 (bit 12,
 * the filtering flag, may be set too), bit 7 set; bits 6:4 the transaction,
 * 3:0 the channel. */
int mce_is_memory_code(uint16_t mcacod)
{
    uint16_t c = mcacod & 0xef80u;
    return c == 0x0080u || c == 0x0280u;
}

/* MCA_IPID: HardwareID in bits 43:32, McaType in bits 63:48. */
int mce_ipid_is_umc(uint64_t ipid)
{
    return (ipid >> 32 & 0xfffu) == UMC_HWID && (ipid >> 48) == 0;
}

int mce_decode(unsigned bank, uint64_t status, uint64_t addr, uint64_t misc, int amd_umc, struct mce_event *e)
{
    if (!(status & MCE_STATUS_VAL))
        return 0;
    if (!amd_umc && !mce_is_memory_code((uint16_t)status))
        return 0;
    int addrv = (status & MCE_STATUS_ADDRV) != 0, miscv = (status & MCE_STATUS_MISCV) != 0;
    *e = (struct mce_event){ .status = status, .addr = addrv ? addr : 0, .misc = miscv ? misc : 0,
                             .bank = bank, .amd_umc = amd_umc, .uc = (status & MCE_STATUS_UC) != 0,
                             .over = (status & MCE_STATUS_OVER) != 0 };
    if (miscv)
        e->lsb = (unsigned)(misc & MISC_LSB_MASK);
    if (!addrv)
        e->why = MCE_ADDR_NONE;
    else if (amd_umc)
        e->why = MCE_ADDR_NORMALIZED;
    else if (!miscv)
        e->why = MCE_ADDR_NO_MODE;   /* the mode lives in MISC: without it the address may be anything */
    else if ((misc >> MISC_MODE_SHIFT & 7u) != MISC_MODE_PHYS)
        e->why = MCE_ADDR_NOT_PHYS;
    else
        e->why = MCE_ADDR_PHYS;
    if (e->why == MCE_ADDR_PHYS)
        e->phys = e->lsb >= 63 ? 0 : addr & ~((1ull << e->lsb) - 1);
    return 1;
}

void mce_probe(struct mce_cpu *c, uint32_t cpuid1_edx, uint32_t amd_ras_ebx, const struct mce_msr *io)
{
    *c = (struct mce_cpu){ 0 };
    if (!(cpuid1_edx & MCE_CPUID1_EDX_MCE) || !(cpuid1_edx & MCE_CPUID1_EDX_MCA))
        return;
    c->banks = mce_bank_count(cpuid1_edx, io->rd(io->ctx, MCE_MSR_MCG_CAP));
    c->smca = (amd_ras_ebx & MCE_CPUID_80000007_EBX_SMCA) != 0;
    for (unsigned i = 0; c->smca && i < c->banks; i++)
        if (mce_ipid_is_umc(io->rd(io->ctx, MCE_MSR_SMCA_IPID(i))))
            c->umc_banks |= 1u << i;
}

unsigned mce_poll(const struct mce_cpu *c, const struct mce_msr *io, struct mce_event *out, unsigned cap)
{
    unsigned n = 0;
    for (unsigned i = 0; i < c->banks && n < cap; i++) {
        uint64_t st = io->rd(io->ctx, MCE_MSR_STATUS(i));
        int umc = (c->umc_banks >> i & 1) != 0;
        if (!(st & MCE_STATUS_VAL) || (!umc && !mce_is_memory_code((uint16_t)st)))
            continue;
        /* ADDR and MISC may fault when their valid bits are clear. */
        uint64_t addr = st & MCE_STATUS_ADDRV ? io->rd(io->ctx, MCE_MSR_ADDR(i)) : 0;
        uint64_t misc = st & MCE_STATUS_MISCV ? io->rd(io->ctx, MCE_MSR_MISC(i)) : 0;
        if (mce_decode(i, st, addr, misc, umc, &out[n]))
            n++;
        io->wr(io->ctx, MCE_MSR_STATUS(i), 0);
    }
    return n;
}

const char *mce_noaddr_text(enum mce_noaddr why)
{
    switch (why) {
    case MCE_ADDR_PHYS: return "";
    case MCE_ADDR_NONE: return "no address logged (ADDRV clear)";
    case MCE_ADDR_NO_MODE: return "address mode unknown (MISCV clear)";
    case MCE_ADDR_NOT_PHYS: return "address not physical (MISC address mode)";
    case MCE_ADDR_NORMALIZED: return "AMD UMC normalized address, not translated";
    case MCE_ADDR_KINDS: break;
    }
    return "?";
}
