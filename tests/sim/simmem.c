// SPDX-License-Identifier: MIT
#include "sim/simmem.h"
#include "core/kernels/movsq.h"
#include "core/kernels/memio.h"
#include <stdlib.h>
#include <string.h>

#define MAX_FAULTS 64
#define MAX_VALUES 4096

static struct {
    uint64_t base, len;
    uint64_t *word;
    uint64_t *written_at;   /* tick of the last write, per word */
    struct sim_fault fault[MAX_FAULTS];
    unsigned nfault;
    uint64_t tick, bad, flushes;
    uint64_t min_gap;       /* sim_min_read_gap; 0: no read of a written word yet */
    uint64_t rng;           /* SIM_WEAK draws */
    uint64_t weak_reads;
    uint64_t row_seen[MAX_FAULTS];   /* SIM_RETENTION: last access to the row */
    int has_decode, has_retention;   /* fast path: most runs have neither */
    /* sim_watch */
    uint64_t watch;
    int watching, last_was_read, moving;
    struct sim_watch_counts counts;
    uint64_t value[MAX_VALUES];
} sim;

static int index_of(uint64_t addr, uint64_t *i);
static uint64_t set_bit(uint64_t v, unsigned bit, unsigned value);

void sim_init(uint64_t base, uint64_t len, uint64_t fill)
{
    sim_free();
    sim.base = base;
    sim.len = len;
    sim.word = malloc(len);
    sim.written_at = calloc(len / 8, sizeof(uint64_t));
    sim.rng = 0x9e3779b97f4a7c15ull;
    for (uint64_t i = 0; i < len / 8; i++)
        sim.word[i] = fill;
}

void sim_free(void)
{
    free(sim.word);
    free(sim.written_at);
    memset(&sim, 0, sizeof sim);
}

void sim_add_fault(struct sim_fault f)
{
    if (sim.nfault < MAX_FAULTS) {
        sim.row_seen[sim.nfault] = sim.tick;
        sim.fault[sim.nfault++] = f;
        sim.has_decode |= f.kind == SIM_ALIAS || f.kind == SIM_ADDR_LINE;
        sim.has_retention |= f.kind == SIM_RETENTION;
    }
}

void sim_watch(uint64_t addr)
{
    sim.watch = addr;
    sim.watching = 1;
    sim.last_was_read = 0;
    memset(&sim.counts, 0, sizeof sim.counts);
}

struct sim_watch_counts sim_watched(void)
{
    return sim.counts;
}

static void watch_read(uint64_t addr)
{
    if (!sim.watching || addr != sim.watch)
        return;
    sim.last_was_read = 1;
    if (!sim.moving)
        sim.counts.reads++;
}

static void watch_write(uint64_t addr, uint64_t value)
{
    if (!sim.watching || addr != sim.watch)
        return;
    int fill = !sim.last_was_read;
    sim.last_was_read = 0;
    if (sim.moving) {
        sim.counts.moves++;
        return;
    }
    sim.counts.writes++;
    if (fill) {
        sim.counts.fills++;
        sim.counts.fills_one += __builtin_popcountll(value) == 1;
        sim.counts.fills_zero += __builtin_popcountll(value) == 63;
    }
    for (uint64_t i = 0; i < sim.counts.values && i < MAX_VALUES; i++)
        if (sim.value[i] == value)
            return;
    if (sim.counts.values < MAX_VALUES)
        sim.value[sim.counts.values] = value;
    sim.counts.values++;
}

/* Every access reaches a row: a retention cell in it that sat untouched
 * too long has lost its charge, and the access restores it as it is. */
static void row_access(uint64_t addr)
{
    for (unsigned f = 0; f < sim.nfault; f++) {
        const struct sim_fault *ft = &sim.fault[f];
        uint64_t v;
        if (ft->kind != SIM_RETENTION || (addr ^ ft->addr) >= SIM_ROW)
            continue;   /* another row: the addresses differ above the row bits */
        if (sim.tick - sim.row_seen[f] > ft->hold && !index_of(ft->addr, &v) &&
            (sim.word[v] >> ft->bit & 1) == ft->value)
            sim.word[v] = set_bit(sim.word[v], ft->bit, !ft->value);
        sim.row_seen[f] = sim.tick;
    }
}

uint64_t sim_bad_accesses(void) { return sim.bad; }
uint64_t sim_flushes(void) { return sim.flushes; }
uint64_t sim_ticks(void) { return sim.tick; }
uint64_t sim_weak_reads(void) { return sim.weak_reads; }
uint64_t sim_min_read_gap(void) { return sim.min_gap; }
void sim_advance(uint64_t ticks) { sim.tick += ticks; }
void sim_seed(uint64_t seed) { sim.rng = seed ? seed : 0x9e3779b97f4a7c15ull; }

static int index_of(uint64_t addr, uint64_t *i)
{
    if (addr < sim.base || addr - sim.base >= sim.len || (addr & 7)) {
        sim.bad++;
        return -1;
    }
    *i = (addr - sim.base) / 8;
    return 0;
}

uint64_t sim_peek(uint64_t addr)
{
    uint64_t i;
    return index_of(addr, &i) ? 0 : sim.word[i];
}

static uint64_t set_bit(uint64_t v, unsigned bit, unsigned value)
{
    return value ? v | (1ull << bit) : v & ~(1ull << bit);
}

/* The cell an address reaches through a faulty decoder. */
static uint64_t decode(uint64_t addr)
{
    for (unsigned f = 0; f < sim.nfault; f++) {
        const struct sim_fault *ft = &sim.fault[f];
        if (ft->kind == SIM_ADDR_LINE)
            addr = set_bit(addr, ft->bit, ft->value);
        else if (ft->kind == SIM_ALIAS && addr == ft->addr)
            addr = ft->aggr;
    }
    return addr;
}

/* xorshift64: the simulator's own reproducible draws. */
static uint64_t draw(void)
{
    uint64_t x = sim.rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return sim.rng = x;
}

uint64_t memio_read(uint64_t addr)
{
    uint64_t i;
    sim.tick++;
    watch_read(addr);
    if (sim.has_decode)
        addr = decode(addr);
    if (index_of(addr, &i))
        return 0;
    if (sim.has_retention)
        row_access(addr);
    if (sim.written_at[i] && (!sim.min_gap || sim.tick - sim.written_at[i] < sim.min_gap))
        sim.min_gap = sim.tick - sim.written_at[i];
    for (unsigned f = 0; f < sim.nfault; f++) {
        const struct sim_fault *ft = &sim.fault[f];
        if (ft->addr != addr)
            continue;
        unsigned cur = sim.word[i] >> ft->bit & 1;
        if (ft->kind == SIM_STUCK)
            sim.word[i] = set_bit(sim.word[i], ft->bit, ft->value);
        else if (ft->kind == SIM_LEAK && cur == ft->value &&
                 sim.tick - sim.written_at[i] > ft->hold)
            sim.word[i] = set_bit(sim.word[i], ft->bit, !ft->value);
        else if (ft->kind == SIM_WEAK && cur == ft->value) {
            sim.weak_reads++;
            if ((draw() >> 32) % ft->hold == 0)
                sim.word[i] = set_bit(sim.word[i], ft->bit, !ft->value);
        }
    }
    return sim.word[i];
}

/* Coupling faults whose aggressor is the word at `addr`, which went from
 * old to new. A victim's change is no write: its retention clock runs on. */
static void couple(uint64_t addr, uint64_t old, uint64_t new)
{
    for (unsigned f = 0; f < sim.nfault; f++) {
        const struct sim_fault *ft = &sim.fault[f];
        if ((ft->kind != SIM_CF_INV && ft->kind != SIM_CF_IDEM) || ft->aggr != addr)
            continue;
        unsigned was = old >> ft->aggr_bit & 1, is = new >> ft->aggr_bit & 1;
        uint64_t v;
        if (was == is || is != ft->rise || index_of(ft->addr, &v))
            continue;
        if (ft->kind == SIM_CF_INV)
            sim.word[v] ^= 1ull << ft->bit;
        else
            sim.word[v] = set_bit(sim.word[v], ft->bit, ft->value);
    }
}

void memio_write(uint64_t addr, uint64_t value)
{
    uint64_t i;
    sim.tick++;
    watch_write(addr, value);
    if (sim.has_decode)
        addr = decode(addr);
    if (index_of(addr, &i))
        return;
    if (sim.has_retention)
        row_access(addr);
    uint64_t old = sim.word[i];
    for (unsigned f = 0; f < sim.nfault; f++) {
        const struct sim_fault *ft = &sim.fault[f];
        if (ft->addr != addr)
            continue;
        if (ft->kind == SIM_STUCK)
            value = set_bit(value, ft->bit, ft->value);
        else if (ft->kind == SIM_TF && (old >> ft->bit & 1) == ft->value)
            value = set_bit(value, ft->bit, ft->value);
    }
    sim.word[i] = value;
    sim.written_at[i] = sim.tick;
    couple(addr, old, value);
}

void memio_write_stream(uint64_t addr, uint64_t value)
{
    memio_write(addr, value);
}

void memio_stream_fence(void)
{
}

/* Pairs are two word accesses, lower address first. */
memio_pair memio_read_pair(uint64_t addr)
{
    uint64_t lo = memio_read(addr);
    return (memio_pair){ lo, memio_read(addr + 8) };
}

void memio_write_pair(uint64_t addr, memio_pair v)
{
    memio_write(addr, v[0]);
    memio_write(addr + 8, v[1]);
}

void memio_write_pair_stream(uint64_t addr, memio_pair v)
{
    memio_write_pair(addr, v);
}

void memio_flush(void)
{
    __atomic_fetch_add(&sim.flushes, 1, __ATOMIC_RELAXED);   /* CPUs of the scheduler tests flush side by side */
}

/* Row hammer rounds: the first round's reads go through the faults, the
 * rest only cost their time (no fault model here reacts to activations;
 * the DRAM disturbance model is tools/dramsim, under QEMU). */
void memio_hammer(uint64_t a, uint64_t b, uint64_t rounds, int fence)
{
    (void)fence;
    if (!rounds)
        return;
    memio_read(a);
    memio_read(b);
    sim.tick += 2 * (rounds - 1);
}

/* A busy wait's step: 10 ns pass. */
void memio_spin(void)
{
    sim.tick += 10;
}

/* Word by word and ascending like rep movsq, so faults see every access. */
void block_move_words(uint64_t dst, uint64_t src, uint64_t nwords)
{
    sim.moving = 1;
    for (uint64_t k = 0; k < nwords; k++)
        memio_write(dst + 8 * k, memio_read(src + 8 * k));
    sim.moving = 0;
}
