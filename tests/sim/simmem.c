// SPDX-License-Identifier: MIT
#include "simmem.h"
#include "../../efi/core/memio.h"
#include <stdlib.h>
#include <string.h>

#define MAX_FAULTS 64

static struct {
    uint64_t base, len;
    uint64_t *word;
    uint64_t *written_at;   /* tick of the last write, per word */
    struct sim_fault fault[MAX_FAULTS];
    unsigned nfault;
    uint64_t tick, bad, flushes;
} sim;

void sim_init(uint64_t base, uint64_t len, uint64_t fill)
{
    sim_free();
    sim.base = base;
    sim.len = len;
    sim.word = malloc(len);
    sim.written_at = calloc(len / 8, sizeof(uint64_t));
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
    if (sim.nfault < MAX_FAULTS)
        sim.fault[sim.nfault++] = f;
}

uint64_t sim_bad_accesses(void) { return sim.bad; }
uint64_t sim_flushes(void) { return sim.flushes; }
uint64_t sim_ticks(void) { return sim.tick; }

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

uint64_t memio_read(uint64_t addr)
{
    uint64_t i;
    sim.tick++;
    if (index_of(addr, &i))
        return 0;
    for (unsigned f = 0; f < sim.nfault; f++) {
        struct sim_fault *ft = &sim.fault[f];
        if (ft->addr != addr)
            continue;
        unsigned cur = sim.word[i] >> ft->bit & 1;
        if (ft->kind == SIM_STUCK)
            sim.word[i] = set_bit(sim.word[i], ft->bit, ft->value);
        else if (ft->kind == SIM_LEAK && cur == ft->value && sim.tick - sim.written_at[i] > ft->hold)
            sim.word[i] = set_bit(sim.word[i], ft->bit, !ft->value);
    }
    return sim.word[i];
}

void memio_write(uint64_t addr, uint64_t value)
{
    uint64_t i;
    sim.tick++;
    if (index_of(addr, &i))
        return;
    sim.word[i] = value;
    sim.written_at[i] = sim.tick;
    for (unsigned f = 0; f < sim.nfault; f++)
        if (sim.fault[f].kind == SIM_STUCK && sim.fault[f].addr == addr)
            sim.word[i] = set_bit(sim.word[i], sim.fault[f].bit, sim.fault[f].value);
}

void memio_flush(void)
{
    sim.flushes++;
}
