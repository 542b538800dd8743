// SPDX-License-Identifier: MIT
#include "thermal.h"
#include "cpu.h"
#include "timer.h"
#include "core/errcsv.h"

#define MSR_THERM_STATUS 0x19c
#define MSR_TEMPERATURE_TARGET 0x1a2

enum source { NONE, INTEL, AMD_NB, AMD_SMN, STUB };
static enum source src;
static unsigned tjmax;
static int stub_from, stub_to;
static uint64_t stub_span_ms;

static uint32_t pci_read(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
    io_out32(0xcf8, 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc));
    return io_in32(0xcfc);
}

static uint32_t smn_read(uint32_t addr)
{
    /* The root complex's SMN index/data pair at 0:0.0, offsets 0x60/0x64. */
    io_out32(0xcf8, 0x80000060u);
    io_out32(0xcfc, addr);
    io_out32(0xcf8, 0x80000064u);
    return io_in32(0xcfc);
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
    uint32_t r[4];
    cpu_cpuid(0, 0, r);
    unsigned max_leaf = r[0];
    if (vendor_is(r, "GenuineIntel") && max_leaf >= 6) {
        uint32_t t[4];
        cpu_cpuid(6, 0, t);
        if (!(t[0] & 1))
            return;   /* no digital thermal sensor: the MSRs may not exist */
        tjmax = (unsigned)(cpu_rdmsr(MSR_TEMPERATURE_TARGET) >> 16 & 0xff);
        if (tjmax < 60 || tjmax > 130)
            tjmax = 100;   /* implausible target: the common default */
        src = INTEL;
    } else if (vendor_is(r, "AuthenticAMD") && max_leaf >= 1) {
        uint32_t f[4];
        cpu_cpuid(1, 0, f);
        unsigned family = (f[0] >> 8 & 0xf) + ((f[0] >> 8 & 0xf) == 0xf ? (f[0] >> 20 & 0xff) : 0);
        /* Only when the northbridge (0:18.3) or root complex answers as AMD. */
        if (family >= 0x10 && family <= 0x16 && (pci_read(0, 0x18, 3, 0) & 0xffff) == 0x1022)
            src = AMD_NB;
        else if (family >= 0x17 && (pci_read(0, 0, 0, 0) & 0xffff) == 0x1022)
            src = AMD_SMN;
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

const char *thermal_source(void)
{
    static const char *const names[] = { "n/a", "intel DTS", "amd northbridge", "amd SMN", "stub (temp_stub=)" };
    return names[src];
}
