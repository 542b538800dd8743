// SPDX-License-Identifier: MIT
// The ACPI MADT ("APIC" table): which processors exist and their local APIC
// ids, for starting the other CPUs without the firmware's MP services.
// A table is firmware input: every length is checked, a bad one gives a
// reason instead of a crash.
#ifndef EFI_CORE_MADT_H
#define EFI_CORE_MADT_H

#include <stddef.h>
#include <stdint.h>

#define MADT_MAX_CPUS 256

enum madt_err {
    MADT_OK = 0,
    MADT_SHORT,       /* shorter than its header, or its length field */
    MADT_SIGNATURE,   /* not "APIC" */
    MADT_CHECKSUM,    /* bytes do not sum to 0 */
    MADT_ENTRY,       /* an entry runs past the end or has length < 2 */
};

struct madt_cpu {
    uint32_t apic_id;
    uint32_t uid;      /* ACPI processor uid */
    uint8_t x2apic;    /* from a type 9 entry */
    uint8_t enabled;   /* usable now (flags bit 0) */
    uint8_t online_capable; /* may be enabled later (flags bit 1) */
};

struct madt_info {
    int err;                     /* enum madt_err */
    uint64_t lapic_addr;         /* with the type 5 override applied */
    uint32_t flags;              /* bit 0: 8259 PICs present */
    unsigned ncpus;              /* entries kept in cpu[] */
    unsigned dropped;            /* processor entries past MADT_MAX_CPUS */
    unsigned duplicates;         /* entries naming an APIC ID listed before: merged */
    unsigned enabled;            /* of ncpus */
    struct madt_cpu cpu[MADT_MAX_CPUS];
};

/* Parse the table t[0..len) (len: bytes readable, the header's length may
 * be smaller). Fills *m; returns m->err. */
int madt_parse(struct madt_info *m, const uint8_t *t, size_t len);

const char *madt_strerror(int err);

#endif
