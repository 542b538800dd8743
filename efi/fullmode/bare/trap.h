// SPDX-License-Identifier: MIT
// The CPU as weakbit owns it after ExitBootServices: interrupts off, its own
// GDT and IDT (the firmware's live in boot-services memory, which is tested),
// and every exception routed to one handler. Helpers in boot/bare.asm.
#ifndef EFI_BARE_TRAP_H
#define EFI_BARE_TRAP_H

#include <stdint.h>
#include "core/mce.h"

#define BARE_MCE_EVENTS 8

/* What the CPU reported when it raised an exception. */
struct bare_fault {
    uint32_t vector;
    uint64_t error, rip, cs, rflags, rsp, cr2;
    uint32_t apic_id;          /* the CPU that took it */
    int bsp;                   /* ... was the boot CPU */
    /* A machine check (#MC): the memory errors its banks held, taken and
     * cleared by the handler on the CPU that took it, and MCG_STATUS. */
    unsigned nmce;
    struct mce_event mce[BARE_MCE_EVENTS];
    uint64_t mcg_status;
};

/* Called once per exception on the boot CPU (a second one while handling
 * the first resets at once); must not return. An AP's exception never gets
 * here: the AP records it for bare_ap_fault and halts, since only the boot
 * CPU may call the firmware's runtime services. */
typedef void (*bare_fault_fn)(const struct bare_fault *f);

/* Interrupts off, load the GDT and the IDT, route exceptions to `fn`;
 * `reset` is called when a second exception hits while `fn` runs. */
void bare_cpu_init(bare_fault_fn fn, void (*reset)(void));

/* On an AP: load the GDT and IDT bare_cpu_init built on the boot CPU, its
 * own TSS (index `idx`, 1.. for the APs) and CR4.MCE. */
void bare_cpu_load(unsigned idx);

/* The first exception an AP took, once: 1 and *f filled, else 0. */
int bare_ap_fault(struct bare_fault *f);

/* Short name of an exception vector ("page fault"). */
const char *bare_vector_name(uint32_t v);

/* boot/bare.asm */
void bare_run_on_stack(void (*fn)(void *), void *arg, uint64_t stack_top) __attribute__((noreturn));
void bare_cli(void);
uint64_t bare_read_cr2(void);
uint64_t bare_read_cr3(void);
uint64_t bare_read_cr4(void);
void bare_write_cr4(uint64_t v);
void bare_load_tr(uint16_t sel);
void bare_write_cr3(uint64_t v);
void bare_halt(void) __attribute__((noreturn));

#endif
