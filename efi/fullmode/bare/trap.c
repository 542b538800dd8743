// SPDX-License-Identifier: MIT
#include "fullmode/bare/trap.h"
#include "cpu/cpu.h"
#include "cpu/mca.h"
#include "core/recovery.h"
#include "core/smp.h"

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

/* A 64-bit TSS: only the IST pointers matter here. */
struct __attribute__((packed)) tss {
    uint32_t rsvd0;
    uint64_t rsp[3];
    uint64_t rsvd1;
    uint64_t ist[7];
    uint64_t rsvd2;
    uint16_t rsvd3, iomap;
};

#define TSS_SEL(i) ((3 + 2 * (i)) * 8)
#define IST_BYTES (4u << 10)
#define BSP_IST_BYTES (32u << 10)   /* the boot CPU checkpoints on it */
#define MSR_APIC_BASE 0x1b
#define CR4_MCE (1u << 6)
#define VEC_MC 18
#define MSR_MCG_STATUS 0x17a

/* Flat 64-bit code and data, then a TSS per CPU, whose first IST stack #DF,
 * NMI and #MC run on (a broken stack must not take the handler down with
 * it). The image is not tested, so all of it may live here. */
static uint64_t gdt[3 + 2 * SMP_MAX_CPUS] __attribute__((aligned(16))) = {
    0,
    0x00af9a000000ffffull,   /* 64-bit code, ring 0 */
    0x00cf92000000ffffull,   /* data, ring 0 */
};
static struct tss tss[SMP_MAX_CPUS] __attribute__((aligned(16)));
static uint8_t ist_stack[SMP_MAX_CPUS - 1][IST_BYTES] __attribute__((aligned(16)));
static uint8_t bsp_ist_stack[BSP_IST_BYTES] __attribute__((aligned(16)));
static struct idt_gate idt[32] __attribute__((aligned(16)));
static bare_fault_fn on_fault;
static void (*on_reset)(void);
static int in_fault;
static int ap_fault_taken, ap_fault_ready;
static struct bare_fault ap_fault;

void bare_load_gdt(const void *gdtr, uint64_t code_sel, uint64_t data_sel);
void bare_load_idt(const void *idtr);
extern const char bare_isr_base[];
void bare_exception(const uint64_t *frame);

static uint32_t apic_id(void)
{
    uint32_t r[4];
    cpu_cpuid(0, 0, r);
    if (r[0] >= 0xb) {
        cpu_cpuid(0xb, 0, r);
        if (r[1])
            return r[3];   /* x2APIC ID */
    }
    cpu_cpuid(1, 0, r);
    return r[1] >> 24;
}

/* Stack after the stubs: vector, error code, then the CPU's frame. */
void bare_exception(const uint64_t *frame)
{
    struct bare_fault f = { (uint32_t)frame[0], frame[1], frame[2], frame[3], frame[4], frame[5],
                            bare_read_cr2(), apic_id(), (int)(cpu_rdmsr(MSR_APIC_BASE) >> 8 & 1), 0, { { 0 } }, 0 };
    if (f.vector == VEC_MC) {
        /* This CPU's banks hold the error: log it before anything else. */
        f.nmce = mca_poll_now(f.mce, BARE_MCE_EVENTS);
        if (mca_has_banks()) {
            f.mcg_status = cpu_rdmsr(MSR_MCG_STATUS);
            cpu_wrmsr(MSR_MCG_STATUS, 0);   /* MCIP off: a second #MC must not shut the CPU down */
        }
    }
    if (!f.bsp) {
        /* An AP: the first one's fault is kept for the boot CPU, which
         * stores the record and resets; every AP halts. */
        if (!__atomic_exchange_n(&ap_fault_taken, 1, __ATOMIC_ACQ_REL)) {
            ap_fault = f;
            __atomic_store_n(&ap_fault_ready, 1, __ATOMIC_RELEASE);
        }
        for (;;)
            __asm__ volatile("cli; hlt");
    }
    /* A fault while handling one (in the variable store, say): reset without
     * the record; a third means even that failed. */
    int n = __atomic_fetch_add(&in_fault, 1, __ATOMIC_ACQ_REL);
    if (n) {
        if (n == 1 && on_reset)
            on_reset();
        for (;;)
            __asm__ volatile("cli; hlt");
    }
    if (on_fault)
        on_fault(&f);
    for (;;)
        __asm__ volatile("cli; hlt");
}

int bare_ap_fault(struct bare_fault *f)
{
    if (!__atomic_load_n(&ap_fault_ready, __ATOMIC_ACQUIRE))
        return 0;
    *f = ap_fault;
    return 1;
}

/* TSS descriptor i (16 bytes: two GDT entries) over tss[i]. */
static void tss_desc(unsigned i)
{
    uint64_t base = (uint64_t)(uintptr_t)&tss[i], limit = sizeof tss[i] - 1;
    gdt[3 + 2 * i] = (limit & 0xffff) | (base & 0xffffff) << 16 | 0x89ull << 40 | (limit >> 16 & 0xf) << 48 |
                     (base >> 24 & 0xff) << 56;
    gdt[4 + 2 * i] = base >> 32;
}

static void load_tables(unsigned idx)
{
    struct table_reg g = { sizeof gdt - 1, (uint64_t)(uintptr_t)gdt };
    bare_load_gdt(&g, CODE_SEL, DATA_SEL);
    struct table_reg i = { sizeof idt - 1, (uint64_t)(uintptr_t)idt };
    bare_load_idt(&i);
    if (idx < SMP_MAX_CPUS)
        bare_load_tr((uint16_t)TSS_SEL(idx));
    /* Machine checks raise #MC instead of shutting the machine down. */
    bare_write_cr4(bare_read_cr4() | CR4_MCE);
}

void bare_cpu_load(unsigned idx)
{
    load_tables(idx);
}

void bare_cpu_init(bare_fault_fn fn, void (*reset)(void))
{
    bare_cli();
    on_fault = fn;
    on_reset = reset;
    for (unsigned c = 0; c < SMP_MAX_CPUS; c++) {
        tss[c] = (struct tss){ .iomap = sizeof(struct tss) };
        tss[c].ist[0] = c ? (uint64_t)(uintptr_t)(ist_stack[c - 1] + IST_BYTES)
                          : (uint64_t)(uintptr_t)(bsp_ist_stack + BSP_IST_BYTES);
        tss_desc(c);
    }
    for (unsigned v = 0; v < 32; v++) {
        uint64_t a = (uint64_t)(uintptr_t)(bare_isr_base + 16 * v);
        uint8_t ist = v == 2 || v == 8 || v == 18;   /* NMI, #DF, #MC: IST1 */
        idt[v] = (struct idt_gate){ (uint16_t)a, CODE_SEL, ist, 0x8e, (uint16_t)(a >> 16),
                                    (uint32_t)(a >> 32), 0 };
    }
    load_tables(0);
}

const char *bare_vector_name(uint32_t v)
{
    return recovery_vector_name(v);
}
