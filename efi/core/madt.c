// SPDX-License-Identifier: MIT
#include "core/madt.h"

#define HEADER 44   /* SDT header (36) + local APIC address + flags */

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void add(struct madt_info *m, uint32_t id, uint32_t uid, uint32_t flags, int x2)
{
    /* Neither usable nor hot-pluggable: a placeholder firmware left in. */
    if (!(flags & 3))
        return;
    /* One processor listed twice (a Local APIC and an x2APIC entry, as some
     * firmware writes): one CPU, enabled if either entry says so. */
    for (unsigned i = 0; i < m->ncpus; i++)
        if (m->cpu[i].apic_id == id) {
            m->duplicates++;
            if (!m->cpu[i].enabled && (flags & 1)) {
                m->cpu[i].enabled = 1;
                m->enabled++;
            }
            m->cpu[i].online_capable |= (uint8_t)(flags >> 1 & 1);
            return;
        }
    if (m->ncpus == MADT_MAX_CPUS) {
        m->dropped++;
        return;
    }
    m->cpu[m->ncpus++] = (struct madt_cpu){ id, uid, (uint8_t)x2, (uint8_t)(flags & 1),
                                            (uint8_t)(flags >> 1 & 1) };
    m->enabled += flags & 1;
}

int madt_parse(struct madt_info *m, const uint8_t *t, size_t len)
{
    *m = (struct madt_info){ 0 };
    if (len < HEADER)
        return m->err = MADT_SHORT;
    if (t[0] != 'A' || t[1] != 'P' || t[2] != 'I' || t[3] != 'C')
        return m->err = MADT_SIGNATURE;
    uint32_t n = le32(t + 4);
    if (n < HEADER || n > len)
        return m->err = MADT_SHORT;
    uint8_t sum = 0;
    for (uint32_t i = 0; i < n; i++)
        sum = (uint8_t)(sum + t[i]);
    if (sum)
        return m->err = MADT_CHECKSUM;
    m->lapic_addr = le32(t + 36);
    m->flags = le32(t + 40);
    for (uint32_t o = HEADER; o < n;) {
        if (n - o < 2 || t[o + 1] < 2 || t[o + 1] > n - o)
            return m->err = MADT_ENTRY;
        const uint8_t *e = t + o;
        uint8_t type = e[0], elen = e[1];
        if (type == 0 && elen >= 8)
            add(m, e[3], e[2], le32(e + 4), 0);
        else if (type == 9 && elen >= 16)
            add(m, le32(e + 4), le32(e + 12), le32(e + 8), 1);
        else if (type == 5 && elen >= 12)
            m->lapic_addr = (uint64_t)le32(e + 4) | (uint64_t)le32(e + 8) << 32;
        o += elen;
    }
    return m->err = MADT_OK;
}

const char *madt_strerror(int err)
{
    switch (err) {
    case MADT_OK: return "ok";
    case MADT_SHORT: return "table truncated";
    case MADT_SIGNATURE: return "not an APIC table";
    case MADT_CHECKSUM: return "checksum mismatch";
    case MADT_ENTRY: return "entry overruns the table";
    }
    return "?";
}
