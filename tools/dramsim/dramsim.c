// SPDX-License-Identifier: MIT
//
// dramsim: a TCG plugin that makes QEMU's guest RAM behave like DRAM with
// row-hammer-weak cells, for weakbit's row hammer test (test 11) in CI.
//
//   qemu-system-x86_64 -smp 1 -icount shift=0 ... -object memory-backend-file,...,mem-path=SHM,share=on
//     -plugin build/dramsim.so,shm=SHM,weak=0x2345678:17[:1[:20000]],threshold=20000,window=1000000,
//             bank=0x2000,bank=0x4000,rowshift=16[,flush=off][,half_double=on][,scope=all][,log=FILE]
//
// Every guest memory access goes through the model (model.h). The plugin
// API (v1) cannot write guest memory, so flips go into the shared RAM file,
// mapped here as evil-dimm maps it; its offsets are the addresses the API
// gives for RAM below the 32-bit hole (keep the test there). TCG emits no
// memory access for clflush: the instruction is found when a block is
// translated (0F AE /7, 66 0F AE /7, memory operand) and, when it runs,
// evicts the line the vCPU touched last (the operand is not visible in v1).
// Windows are counted in guest instructions: with `-icount shift=0` an
// instruction is a nanosecond of the guest's clock, so a window of 64M
// instructions is 64 ms as the guest's TSC sees it.
// Lists may repeat the argument (bank=0x2000,bank=0x4000) or use QEMU's
// escaped comma (bank=0x2000,,0x4000).

#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dramsim/model.h"
#include "dramsim/qemu-plugin-v1.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;

static struct dsim sim;
static uint8_t *ram;
static uint64_t insns;      /* guest instructions run, bumped inline per block */
static FILE *logf;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    qemu_plugin_outs(buf);
}

static void on_mem(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void *udata)
{
    (void)vcpu;
    (void)udata;
    struct qemu_plugin_hwaddr *hw = qemu_plugin_get_hwaddr(info, vaddr);
    if (!hw || qemu_plugin_hwaddr_is_io(hw))
        return;
    struct dsim_flip f[DSIM_MAX_WEAK];
    unsigned n = dsim_access(&sim, qemu_plugin_hwaddr_phys_addr(hw), insns, ram, f);
    for (unsigned i = 0; i < n && logf; i++) {
        fprintf(logf, "flip addr=0x%" PRIx64 " bit=%u bank=%u victim_row=0x%" PRIx64 " aggressor_row=0x%" PRIx64
                " insns=%" PRIu64 "\n", f[i].addr, f[i].bit, f[i].bank, f[i].victim_row, f[i].aggressor_row, insns);
        fflush(logf);
    }
}

static void on_flush(unsigned int vcpu, void *udata)
{
    (void)vcpu;
    (void)udata;
    dsim_flush(&sim);
}

/* clflush (0F AE /7) or clflushopt (66 0F AE /7) with a memory operand;
 * mod 3 with /7 is sfence. Segment, size and REX prefixes may come first. */
static int is_clflush(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n && (p[i] == 0x66 || p[i] == 0x2e || p[i] == 0x3e || p[i] == 0x26 || p[i] == 0x36 ||
                     p[i] == 0x64 || p[i] == 0x65 || p[i] == 0x67 || (p[i] & 0xf0) == 0x40))
        i++;
    return i + 2 < n && p[i] == 0x0f && p[i + 1] == 0xae && (p[i + 2] >> 3 & 7) == 7 && (p[i + 2] >> 6) != 3;
}

/* scope=all: every access goes through the model; scope=flush (the
 * default): only the accesses of translation blocks that hold a clflush.
 * Only a flushed line can make an activation after its first touch, and a
 * hammer loop touches and flushes its lines in one block, so the second is
 * the same model for hammering at a fraction of the cost (every other
 * access of the guest costs a callback under scope=all: minutes of boot). */
static int scope_all;

static void on_tb(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &insns, n);
    int flushes = scope_all;
    for (size_t i = 0; i < n && !flushes; i++) {
        struct qemu_plugin_insn *in = qemu_plugin_tb_get_insn(tb, i);
        flushes = is_clflush(qemu_plugin_insn_data(in), qemu_plugin_insn_size(in));
    }
    if (!flushes)
        return;
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *in = qemu_plugin_tb_get_insn(tb, i);
        if (is_clflush(qemu_plugin_insn_data(in), qemu_plugin_insn_size(in)))
            qemu_plugin_register_vcpu_insn_exec_cb(in, on_flush, QEMU_PLUGIN_CB_NO_REGS, NULL);
        else
            qemu_plugin_register_vcpu_mem_cb(in, on_mem, QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_RW, NULL);
    }
}

static void at_end(qemu_plugin_id_t id, void *udata)
{
    (void)id;
    (void)udata;
    if (logf) {
        fprintf(logf, "summary accesses=%" PRIu64 " dram=%" PRIu64 " activations=%" PRIu64 " flushes=%" PRIu64
                " flips=%" PRIu64 " max_count=%" PRIu64 " insns=%" PRIu64 "\n", sim.accesses, sim.dram,
                sim.activations, sim.flushes, sim.flips, sim.max_count, insns);
        fclose(logf);
        logf = NULL;
    }
}

static int arg_on(const char *v, int *out)
{
    if (!strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "1"))
        *out = 1;
    else if (!strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "0"))
        *out = 0;
    else
        return -1;
    return 0;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    struct dsim_cfg c = { .rowshift = 16, .threshold = 50000, .window = 64000000, .flush = 1 };
    const char *shm = NULL, *logpath = NULL;
    if (!info->system_emulation || info->system.smp_vcpus != 1) {
        say("dramsim: needs system emulation with one vCPU (-smp 1): counts must be exact\n");
        return -1;
    }
    for (int i = 0; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq) {
            say("dramsim: argument without '=': ");
            say(argv[i]);
            say("\n");
            return -1;
        }
        *eq = 0;
        const char *k = argv[i], *v = eq + 1;
        char *end = NULL;
        int bad = 0;
        if (!strcmp(k, "shm"))
            shm = v;
        else if (!strcmp(k, "log"))
            logpath = v;
        else if (!strcmp(k, "weak"))
            bad = dsim_parse_weak(&c, v);
        else if (!strcmp(k, "bank"))
            bad = dsim_parse_banks(&c, v);
        else if (!strcmp(k, "threshold"))
            c.threshold = strtoull(v, &end, 0), bad = !*v || *end;
        else if (!strcmp(k, "window"))
            c.window = strtoull(v, &end, 0), bad = !*v || *end;
        else if (!strcmp(k, "rowshift"))
            c.rowshift = (unsigned)strtoul(v, &end, 0), bad = !*v || *end;
        else if (!strcmp(k, "flush"))
            bad = arg_on(v, &c.flush);
        else if (!strcmp(k, "half_double"))
            bad = arg_on(v, &c.half_double);
        else if (!strcmp(k, "scope"))
            scope_all = !strcmp(v, "all"), bad = !scope_all && strcmp(v, "flush");
        else
            bad = 1;
        if (bad) {
            say("dramsim: bad argument ");
            say(k);
            say("=");
            say(v);
            say("\n");
            return -1;
        }
    }
    if (!shm) {
        say("dramsim: shm=PATH (the guest RAM file) is required\n");
        return -1;
    }
    int fd = open(shm, O_RDWR);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) || st.st_size <= 0) {
        say("dramsim: cannot open the guest RAM file\n");
        return -1;
    }
    ram = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (ram == MAP_FAILED) {
        say("dramsim: cannot map the guest RAM file\n");
        return -1;
    }
    c.ram_bytes = (uint64_t)st.st_size;
    if (dsim_init(&sim, &c)) {
        say("dramsim: bad model (rowshift 6-40, threshold and window > 0)\n");
        return -1;
    }
    if (logpath && !(logf = fopen(logpath, "w"))) {
        say("dramsim: cannot write the log\n");
        return -1;
    }
    if (logf) {
        fprintf(logf, "dramsim ram=%" PRIu64 " rowshift=%u banks=%u threshold=%" PRIu64 " window=%" PRIu64
                " flush=%s scope=%s weak=%u\n", c.ram_bytes, c.rowshift, 1u << c.nbank_bits, c.threshold,
                c.window, c.flush ? "on" : "off", scope_all ? "all" : "flush", c.nweak);
        fflush(logf);
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb);
    qemu_plugin_register_atexit_cb(id, at_end, NULL);
    return 0;
}
