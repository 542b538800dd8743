// SPDX-License-Identifier: MIT
#include "uefi/thermal.h"
#include "cpu/cpu.h"
#include "uefi/timer.h"
#include "core/errcsv.h"
#include "core/fmt.h"
#include <efi.h>
#include <efilib.h>

#define MSR_THERM_STATUS 0x19c
#define MSR_TEMPERATURE_TARGET 0x1a2

enum source { NONE, INTEL, AMD_NB, AMD_SMN, STUB };
static enum source src;
static unsigned tjmax;
static int stub_from, stub_to;
static uint64_t stub_span_ms;
static char why[112] = "n/a";   /* the source, or why there is none */
static int no_boot_services;    /* after ExitBootServices: no TPL, no callbacks either */

/* CF8/CFC (and the SMN index behind them) are one shared pair: a firmware
 * timer callback between our two accesses could redirect the second one.
 * At TPL_HIGH_LEVEL no callback runs. */
static EFI_TPL raise(void)
{
    return no_boot_services ? 0 : BS->RaiseTPL(TPL_HIGH_LEVEL);
}

static void restore(EFI_TPL old)
{
    if (!no_boot_services)
        BS->RestoreTPL(old);
}

static uint32_t pci_read(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
    EFI_TPL old = raise();
    io_out32(0xcf8, 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc));
    uint32_t v = io_in32(0xcfc);
    restore(old);
    return v;
}

static uint32_t smn_read(uint32_t addr)
{
    /* The root complex's SMN index/data pair at 0:0.0, offsets 0x60/0x64. */
    EFI_TPL old = raise();
    io_out32(0xcf8, 0x80000060u);
    io_out32(0xcfc, addr);
    io_out32(0xcf8, 0x80000064u);
    uint32_t v = io_in32(0xcfc);
    restore(old);
    return v;
}

/* Family 6 models whose MSR table in the Intel SDM (vol. 4) lists
 * MSR_TEMPERATURE_TARGET (0x1A2): Nehalem onwards, Silvermont onwards,
 * Xeon Phi. Elsewhere reading it may raise #GP. */
static int intel_has_temp_target(unsigned model)
{
    static const uint8_t models[] = {
        0x1a, 0x1e, 0x1f, 0x2e, 0x25, 0x2c, 0x2f,             /* Nehalem, Westmere */
        0x2a, 0x2d, 0x3a, 0x3e,                               /* Sandy, Ivy Bridge */
        0x3c, 0x45, 0x46, 0x3f, 0x3d, 0x47, 0x4f, 0x56,       /* Haswell, Broadwell */
        0x4e, 0x5e, 0x55, 0x8e, 0x9e, 0xa5, 0xa6, 0x66, 0x6a, 0x6c, 0x7d, 0x7e,
        0xa7, 0x8c, 0x8d, 0x8f, 0x97, 0x9a, 0xb7, 0xba, 0xbf, 0xcf, 0xaa, 0xac, /* Skylake on */
        0x37, 0x4a, 0x4c, 0x4d, 0x5a, 0x5d, 0x5c, 0x5f, 0x7a, 0x86, 0x96, 0x9c, /* Atom */
        0x57, 0x85,                                           /* Xeon Phi */
    };
    for (unsigned i = 0; i < sizeof models; i++)
        if (models[i] == model)
            return 1;
    return 0;
}

static int vendor_is(const uint32_t r[4], const char *v)
{
    const char *b = (const char *)&r[1], *d = (const char *)&r[3], *c = (const char *)&r[2];
    for (int i = 0; i < 4; i++)
        if (b[i] != v[i] || d[i] != v[4 + i] || c[i] != v[8 + i])
            return 0;
    return 1;
}

void thermal_init(const struct wb_config *cfg, uint64_t duration_ms)
{
    if (cfg->temp_stub_from != FAILBIT_NO_TEMP) {
        src = STUB;
        stub_from = cfg->temp_stub_from;
        stub_to = cfg->temp_stub_to;
        stub_span_ms = duration_ms ? duration_ms : 1;
        return;
    }
    uint32_t r[4], f[4] = { 0 };
    cpu_cpuid(0, 0, r);
    unsigned max_leaf = r[0];
    if (max_leaf >= 1)
        cpu_cpuid(1, 0, f);
    unsigned base_family = f[0] >> 8 & 0xf;
    unsigned family = base_family + (base_family == 0xf ? (f[0] >> 20 & 0xff) : 0);
    unsigned model = (f[0] >> 4 & 0xf) | (base_family == 6 || base_family == 0xf ? (f[0] >> 12 & 0xf0) : 0);
    if (vendor_is(r, "GenuineIntel")) {
        uint32_t t[4] = { 0 };
        if (max_leaf >= 6)
            cpu_cpuid(6, 0, t);
        if (!(t[0] & 1)) {
            fmt_format(why, sizeof why, "n/a (no digital thermal sensor: CPUID.06H:EAX[0] = 0)");
            return;   /* the thermal MSRs may not exist */
        }
        src = INTEL;
        if (family == 6 && intel_has_temp_target(model)) {
            tjmax = (unsigned)(cpu_rdmsr(MSR_TEMPERATURE_TARGET) >> 16 & 0xff);
            if (tjmax < 60 || tjmax > 130)
                tjmax = 100;   /* implausible target: the common default */
            fmt_format(why, sizeof why, "intel DTS (TjMax %u C from MSR 0x1A2)", tjmax);
        } else {
            tjmax = 100;
            fmt_format(why, sizeof why,
                       "intel DTS (TjMax 100 C assumed: family 0x%x model 0x%x is not known to have MSR 0x1A2)",
                       family, model);
        }
    } else if (vendor_is(r, "AuthenticAMD") && max_leaf >= 1) {
        /* Only when the northbridge (0:18.3) or root complex answers as AMD. */
        if (family >= 0x10 && family <= 0x16 && (pci_read(0, 0x18, 3, 0) & 0xffff) == 0x1022) {
            src = AMD_NB;
            fmt_format(why, sizeof why, "amd northbridge (D18F3xA4)");
        } else if (family >= 0x17 && (pci_read(0, 0, 0, 0) & 0xffff) == 0x1022) {
            src = AMD_SMN;
            fmt_format(why, sizeof why, "amd SMN (0x59800)");
        } else {
            fmt_format(why, sizeof why, "n/a (AMD family 0x%x: no documented sensor answered)", family);
        }
    } else {
        fmt_format(why, sizeof why, "n/a (no documented sensor for this CPU vendor)");
    }
}

int thermal_read(void)
{
    switch (src) {
    case INTEL: {
        uint64_t s = cpu_rdmsr(MSR_THERM_STATUS);
        if (!(s >> 31 & 1))
            return FAILBIT_NO_TEMP;   /* reading not valid */
        return (int)tjmax - (int)(s >> 16 & 0x7f);
    }
    case AMD_NB:
        /* D18F3xA4 Reported Temperature Control: CurTmp in bits 31:21, 1/8 degree. */
        return (int)(pci_read(0, 0x18, 3, 0xa4) >> 21) / 8;
    case AMD_SMN: {
        uint32_t v = smn_read(0x00059800);
        int t = (int)(v >> 21) / 8;
        return v >> 19 & 1 ? t - 49 : t;   /* range select: -49 degree offset */
    }
    case STUB: {
        uint64_t ms = timer_ms();
        if (ms > stub_span_ms)
            ms = stub_span_ms;
        return stub_from + (int)((int64_t)(stub_to - stub_from) * (int64_t)ms / (int64_t)stub_span_ms);
    }
    case NONE:
        break;
    }
    return FAILBIT_NO_TEMP;
}

int thermal_read_recent(void)
{
    static int last = FAILBIT_NO_TEMP;
    static uint64_t at;
    uint64_t now = timer_ms();
    if (!at || now - at >= 500) {
        last = thermal_read();
        at = now ? now : 1;
    }
    return last;
}

void thermal_after_exit(void)
{
    no_boot_services = 1;
}

const char *thermal_source(void)
{
    return src == STUB ? "stub (temp_stub=)" : why;
}
