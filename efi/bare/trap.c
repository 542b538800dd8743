// SPDX-License-Identifier: MIT
#include "bare/trap.h"

#define CODE_SEL 0x08
#define DATA_SEL 0x10

struct __attribute__((packed)) table_reg {
    uint16_t limit;
    uint64_t base;
};

struct idt_gate {
    uint16_t off_lo, sel;
    uint8_t ist, type;
    uint16_t off_mid;
    uint32_t off_hi, zero;
};

/* Flat 64-bit code and data: the image is not tested, so they may live here. */
static const uint64_t gdt[3] __attribute__((aligned(16))) = {
    0,
    0x00af9a000000ffffull,   /* 64-bit code, ring 0 */
    0x00cf92000000ffffull,   /* data, ring 0 */
};
static struct idt_gate idt[32] __attribute__((aligned(16)));
static bare_fault_fn on_fault;
static void (*on_reset)(void);
static volatile int in_fault;

void bare_load_gdt(const void *gdtr, uint64_t code_sel, uint64_t data_sel);
void bare_load_idt(const void *idtr);
extern const char bare_isr_base[];
void bare_exception(const uint64_t *frame);

/* Stack after the stubs: vector, error code, then the CPU's frame. */
void bare_exception(const uint64_t *frame)
{
    /* A fault while handling one (in the variable store, say): reset without
     * the record; a third means even that failed. */
    if (in_fault++) {
        if (in_fault == 2 && on_reset)
            on_reset();
        for (;;)
            __asm__ volatile("cli; hlt");
    }
    struct bare_fault f = { (uint32_t)frame[0], frame[1], frame[2], frame[3], frame[4], frame[5],
                            bare_read_cr2() };
    if (on_fault)
        on_fault(&f);
    for (;;)
        __asm__ volatile("cli; hlt");
}

void bare_cpu_load(void)
{
    struct table_reg g = { sizeof gdt - 1, (uint64_t)(uintptr_t)gdt };
    bare_load_gdt(&g, CODE_SEL, DATA_SEL);
    struct table_reg i = { sizeof idt - 1, (uint64_t)(uintptr_t)idt };
    bare_load_idt(&i);
}

void bare_cpu_init(bare_fault_fn fn, void (*reset)(void))
{
    bare_cli();
    on_fault = fn;
    on_reset = reset;
    struct table_reg g = { sizeof gdt - 1, (uint64_t)(uintptr_t)gdt };
    bare_load_gdt(&g, CODE_SEL, DATA_SEL);
    for (unsigned v = 0; v < 32; v++) {
        uint64_t a = (uint64_t)(uintptr_t)(bare_isr_base + 16 * v);
        idt[v] = (struct idt_gate){ (uint16_t)a, CODE_SEL, 0, 0x8e, (uint16_t)(a >> 16),
                                    (uint32_t)(a >> 32), 0 };
    }
    struct table_reg i = { sizeof idt - 1, (uint64_t)(uintptr_t)idt };
    bare_load_idt(&i);
}

const char *bare_vector_name(uint32_t v)
{
    static const char *const names[] = {
        "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range", "invalid opcode",
        "device not available", "double fault", "coprocessor overrun", "invalid TSS",
        "segment not present", "stack fault", "general protection", "page fault", "reserved",
        "x87 error", "alignment check", "machine check", "SIMD error", "virtualization",
        "control protection",
    };
    return v < sizeof names / sizeof names[0] ? names[v] : "reserved";
}
