// SPDX-License-Identifier: MIT
#include "core/hammer.h"

void hammer_geom_init(struct hammer_geom *g, const struct il_model *m, unsigned rowshift)
{
    *g = (struct hammer_geom){ .rowshift = rowshift };
    for (unsigned f = 0; m && f < m->nf; f++)
        for (unsigned i = 0; i < m->f[f].nbits && g->nbits < HAMMER_MAX_BANK_BITS; i++)
            g->mask[g->nbits++] = m->f[f].mask[i];
}

unsigned hammer_bank(const struct hammer_geom *g, uint64_t addr)
{
    unsigned b = 0;
    for (unsigned i = 0; i < g->nbits; i++)
        b |= (unsigned)__builtin_parityll(addr & g->mask[i]) << i;
    return b;
}

int hammer_in_row(const struct hammer_geom *g, uint64_t row, unsigned bank, uint64_t col, uint64_t *out)
{
    if (g->rowshift >= 63 || row >> (63 - g->rowshift))
        return -1;
    uint64_t colmask = (1ull << g->rowshift) - 1;
    uint64_t a = row << g->rowshift | (col & colmask & ~(uint64_t)(HAMMER_LINE - 1));
    /* The bank is linear in the address bits (XORs): find line bits of the
     * column whose bank vectors add up to the difference. Gaussian
     * elimination over GF(2), remembering which bits make each basis row. */
    unsigned want = hammer_bank(g, a) ^ bank;
    unsigned basis[HAMMER_MAX_BANK_BITS];
    uint64_t made[HAMMER_MAX_BANK_BITS];
    unsigned nb = 0;
    for (unsigned j = 6; j < g->rowshift && want; j++) {
        unsigned v = hammer_bank(g, 1ull << j);
        uint64_t m = 1ull << j;
        for (unsigned k = 0; k < nb; k++)
            if ((v ^ basis[k]) < v) {
                v ^= basis[k];
                m ^= made[k];
            }
        if (!v)
            continue;
        basis[nb] = v;
        made[nb++] = m;
        /* Keep the basis sorted high bit first so the reduction above works. */
        for (unsigned k = nb - 1; k > 0 && basis[k] > basis[k - 1]; k--) {
            unsigned tv = basis[k];
            uint64_t tm = made[k];
            basis[k] = basis[k - 1];
            made[k] = made[k - 1];
            basis[k - 1] = tv;
            made[k - 1] = tm;
        }
    }
    uint64_t fix = 0;
    for (unsigned k = 0; k < nb; k++)
        if ((want ^ basis[k]) < want) {
            want ^= basis[k];
            fix ^= made[k];
        }
    if (want)
        return -1;
    *out = a ^ fix;
    return 0;
}

int hammer_owned(const struct mem_range *ranges, unsigned nranges, uint64_t addr, uint64_t len)
{
    for (unsigned i = 0; i < nranges; i++)
        if (addr >= ranges[i].base && addr - ranges[i].base + len <= ranges[i].len)
            return 1;
    return 0;
}

static int line_at(const struct hammer_geom *g, uint64_t row, unsigned bank, uint64_t col,
                   const struct mem_range *r, unsigned nr, uint64_t *out)
{
    return hammer_in_row(g, row, bank, col, out) == 0 && hammer_owned(r, nr, *out, HAMMER_LINE) ? 0 : -1;
}

int hammer_pair(const struct hammer_geom *g, enum hammer_kind kind, uint64_t victim,
                const struct mem_range *ranges, unsigned nranges, uint64_t *a, uint64_t *b)
{
    uint64_t r = hammer_row(g, victim);
    unsigned bank = hammer_bank(g, victim);
    int below = r > 0 && line_at(g, r - 1, bank, victim, ranges, nranges, a) == 0;
    if (kind == HAMMER_DOUBLE)
        return below && line_at(g, r + 1, bank, victim, ranges, nranges, b) == 0 ? 0 : -1;
    if (below)
        return line_at(g, r - 1 + HAMMER_FAR_ROWS + 2, bank, victim, ranges, nranges, b) == 0 ||
                       (r - 1 >= HAMMER_FAR_ROWS &&
                        line_at(g, r - 1 - HAMMER_FAR_ROWS, bank, victim, ranges, nranges, b) == 0)
                   ? 0 : -1;
    if (line_at(g, r + 1, bank, victim, ranges, nranges, a))
        return -1;
    return line_at(g, r + 1 + HAMMER_FAR_ROWS, bank, victim, ranges, nranges, b);
}

unsigned hammer_find_conflicts(uint64_t (*probe)(void *ctx, uint64_t x, uint64_t y), void *ctx, uint64_t base,
                               const uint64_t *cand, unsigned ncand, uint64_t *out, unsigned cap)
{
    if (!ncand)
        return 0;
    uint64_t lo = ~0ull, hi = 0;
    for (unsigned i = 0; i < ncand; i++) {
        uint64_t t = probe(ctx, base, cand[i]);
        lo = t < lo ? t : lo;
        hi = t > hi ? t : hi;
    }
    /* Conflicts cost a precharge and an activation more than hits or other
     * banks: take what is above the midpoint, when the spread is clear
     * (more than an eighth of the fastest); else nothing is told apart. */
    if (hi - lo <= lo / 8)
        return 0;
    uint64_t cut = lo + (hi - lo) / 2;
    unsigned n = 0;
    for (unsigned i = 0; i < ncand && n < cap; i++)
        if (probe(ctx, base, cand[i]) > cut)
            out[n++] = cand[i];
    return n;
}
