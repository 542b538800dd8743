// SPDX-License-Identifier: MIT
// Machine-check banks: what an ECC machine reports about its memory. The
// memory controller corrects a single-bit error and logs it in a bank
// (MCi_STATUS, and MCi_ADDR / MCi_MISC when their valid bits say so); a
// memory tester polls the banks, or the error is never seen. This module is
// the pure part: the bank count from CPUID and IA32_MCG_CAP, decoding one
// bank entry, and polling a CPU's banks through an injected rdmsr/wrmsr pair
// (so host tests can poll a fake MSR table).
//
// What counts as a memory error:
// - Intel (and any CPU without AMD's scalable MCA): the architectural
//   compound code "memory controller error", MCACOD 0000 0000 1MMM CCCC or
//   0000 0010 1MMM CCCC (bit 12, filtering, and bit 8 ignored).
// - AMD with scalable MCA (CPUID 0x80000007 EBX bit 3): a bank whose
//   MCA_IPID names a unified memory controller (HardwareID 0x096, McaType 0).
//   Its address is a normalized address inside the memory channel, not a
//   physical one: such an error is reported, never masked (translating it
//   needs the data fabric's tables, which this module does not read).
// Other valid entries (caches, buses, the interconnect) are left in their
// banks untouched: they are not this tester's to consume.
#ifndef EFI_CORE_MCE_H
#define EFI_CORE_MCE_H

#include <stdint.h>

#define MCE_MSR_MCG_CAP 0x179u
#define MCE_MSR_STATUS(i) (0x401u + 4u * (i))
#define MCE_MSR_ADDR(i) (0x402u + 4u * (i))
#define MCE_MSR_MISC(i) (0x403u + 4u * (i))
#define MCE_MSR_SMCA_IPID(i) (0xc0002005u + 0x10u * (i))

#define MCE_STATUS_VAL (1ull << 63)
#define MCE_STATUS_OVER (1ull << 62)
#define MCE_STATUS_UC (1ull << 61)
#define MCE_STATUS_EN (1ull << 60)
#define MCE_STATUS_MISCV (1ull << 59)
#define MCE_STATUS_ADDRV (1ull << 58)
#define MCE_STATUS_PCC (1ull << 57)

#define MCE_CPUID1_EDX_MCE (1u << 7)
#define MCE_CPUID1_EDX_MCA (1u << 14)
#define MCE_CPUID_80000007_EBX_SMCA (1u << 3)

/* MCG_CAP's count field has 8 bits, but banks 0-31 fill 0x400-0x47f and the
 * next MSRs are others (VMX capabilities from 0x480): never beyond. */
#define MCE_MAX_BANKS 32

/* Why an error's address cannot be masked (0: it can). */
enum mce_noaddr {
    MCE_ADDR_PHYS = 0,     /* ADDRV and MISCV, MISC's address mode physical */
    MCE_ADDR_NONE,         /* ADDRV clear: no address logged */
    MCE_ADDR_NO_MODE,      /* ADDRV but MISCV clear: the address mode is not known */
    MCE_ADDR_NOT_PHYS,     /* MISC's address mode is not physical */
    MCE_ADDR_NORMALIZED,   /* AMD UMC: a normalized (channel) address */
    MCE_ADDR_KINDS
};

/* One memory error from a bank, decoded. */
struct mce_event {
    uint64_t status, addr, misc;   /* raw: addr / misc 0 when not valid */
    unsigned bank;
    int amd_umc;          /* found through MCA_IPID (AMD scalable MCA) */
    int uc;               /* uncorrected (UC bit) */
    int over;             /* an earlier error was overwritten */
    enum mce_noaddr why;  /* MCE_ADDR_PHYS: `phys` is usable */
    unsigned lsb;         /* lowest valid address bit (MISC 5:0; 0 without MISCV) */
    uint64_t phys;        /* the physical address with the invalid low bits cleared */
};

/* Banks to poll, from CPUID.1:EDX and IA32_MCG_CAP (read only when EDX has
 * both MCE and MCA): 0 when the CPU has no machine-check architecture. */
unsigned mce_bank_count(uint32_t cpuid1_edx, uint64_t mcg_cap);

/* Is MCACOD (STATUS bits 15:0) a memory controller error (Intel compound
 * encoding)? */
int mce_is_memory_code(uint16_t mcacod);

/* Is MCA_IPID a unified memory controller's (AMD scalable MCA)? */
int mce_ipid_is_umc(uint64_t ipid);

/* Decode one bank entry; 1 when it is a valid memory error (e filled), 0
 * when it is not valid or not about memory. `amd_umc`: the bank is a UMC
 * (by MCA_IPID); then any valid entry is a memory error. */
int mce_decode(unsigned bank, uint64_t status, uint64_t addr, uint64_t misc, int amd_umc, struct mce_event *e);

/* The MSR door: reads and writes of this CPU's MSRs. */
struct mce_msr {
    uint64_t (*rd)(void *ctx, uint32_t msr);
    void (*wr)(void *ctx, uint32_t msr, uint64_t v);
    void *ctx;
};

/* What one CPU has, found once (mce_probe). */
struct mce_cpu {
    unsigned banks;       /* 0: nothing to poll */
    int smca;             /* AMD scalable MCA: banks identified by MCA_IPID */
    uint32_t umc_banks;   /* bit i: bank i is a UMC (only with smca) */
};

/* Probe this CPU: CPUID values come in (cpuid1_edx, and the 0x80000007 EBX
 * value, 0 when that leaf does not exist or the CPU is not AMD); MCG_CAP,
 * and each bank's MCA_IPID on SMCA, are read through io. */
void mce_probe(struct mce_cpu *c, uint32_t cpuid1_edx, uint32_t amd_ras_ebx, const struct mce_msr *io);

/* Poll this CPU's banks (only the c->banks MCG_CAP lists): each valid
 * memory error is decoded into out[] (up to cap; the rest stay in their
 * banks for the next poll) and its bank cleared (STATUS written 0). ADDR is
 * read only with ADDRV, MISC only with MISCV. Returns the events. */
unsigned mce_poll(const struct mce_cpu *c, const struct mce_msr *io, struct mce_event *out, unsigned cap);

/* "no address logged (ADDRV clear)" and the like; "" for MCE_ADDR_PHYS. */
const char *mce_noaddr_text(enum mce_noaddr why);

#endif
