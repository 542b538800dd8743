// SPDX-License-Identifier: MIT
#include "core/handoff.h"

#define MAGIC 0x4f484257u        /* "WBHO" */
#define CHUNK_MAGIC 0x43484257u  /* "WBHC" */
#define VERSION 3
#define HEAD 16                  /* magic, version, flags, length, crc */
#define CELL_BYTES 44
#define CPU_BYTES 21
#define FIXED_BYTES (HEAD + 4 + 40 + 32 + 8 + 4 + 4 + 8 * 6 + 4 + 8 * 3 + 4 + 2 + 2 + 2 + 4 + 4 + 2 + 2 + 8 + 4)

enum { F_FINISHED = 1, F_FAULTED = 2, F_USER_STOP = 4 };

uint32_t handoff_crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = c >> 1 ^ (0xedb88320u & -(c & 1));
    }
    return ~c;
}

/* --- a bounded little-endian writer and reader ---------------------------- */

struct wr {
    uint8_t *p;
    size_t n, cap;
};

static void put(struct wr *w, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++, w->n++)
        if (w->n < w->cap)
            w->p[w->n] = (uint8_t)(v >> 8 * i);
}

static void put_str(struct wr *w, const char *s, unsigned bytes)
{
    unsigned i = 0;
    for (; i < bytes - 1 && s[i]; i++)
        put(w, (uint8_t)s[i], 1);
    for (; i < bytes; i++)
        put(w, 0, 1);
}

struct rd {
    const uint8_t *p;
    size_t n, len;
    int bad;
};

static uint64_t get(struct rd *r, unsigned bytes)
{
    uint64_t v = 0;
    if (r->len - r->n < bytes || r->n > r->len) {
        r->bad = 1;
        r->n = r->len;
        return 0;
    }
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint64_t)r->p[r->n + i] << 8 * i;
    r->n += bytes;
    return v;
}

static void get_str(struct rd *r, char *s, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        s[i] = (char)get(r, 1);
    s[bytes - 1] = 0;
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

/* --- the record ------------------------------------------------------------ */

static void body(struct wr *w, const struct handoff *h)
{
    unsigned flags = (h->finished ? F_FINISHED : 0) | (h->faulted ? F_FAULTED : 0) |
                     (h->user_stop ? F_USER_STOP : 0);
    put(w, MAGIC, 4);
    put(w, VERSION, 2);
    put(w, flags, 2);
    put(w, 0, 4);   /* length, filled in at the end */
    put(w, 0, 4);   /* crc */
    put(w, h->seq, 4);
    put_str(w, h->id, 40);
    put_str(w, h->started, 32);
    put(w, h->elapsed_ms, 8);
    put(w, h->passes_done, 4);
    put(w, h->pass, 4);
    put(w, h->error_words, 8);
    put(w, h->error_rows, 8);
    put(w, h->ram_bytes, 8);
    put(w, h->usable_bytes, 8);
    put(w, h->tested_bytes, 8);
    put(w, h->footprint_bytes, 8);
    put(w, h->vector, 4);
    put(w, h->rip, 8);
    put(w, h->cr2, 8);
    put(w, h->fault_err, 8);
    put(w, h->cells_lost, 4);
    put(w, h->ntests, 2);
    put(w, h->ntested, 2);
    put(w, h->nexcl, 2);
    put(w, h->ncells, 4);
    put(w, h->ncpus, 4);
    put(w, h->madt_cpus, 2);
    put(w, h->fw_cpus, 2);
    put(w, h->seed, 8);
    put(w, h->hold_ms, 4);
    for (unsigned i = 0; i < h->ntests; i++) {
        const struct handoff_test *t = &h->tests[i];
        put(w, t->num, 1);
        put(w, t->runs, 2);
        put(w, t->skipped_runs, 2);
        put(w, t->ms, 8);
        put(w, t->bytes, 8);
        put(w, t->error_words, 8);
    }
    for (unsigned i = 0; i < h->ntested; i++) {
        put(w, h->tested[i].base, 8);
        put(w, h->tested[i].len, 8);
    }
    for (unsigned i = 0; i < h->nexcl; i++) {
        put(w, h->excl[i].base, 8);
        put(w, h->excl[i].len, 8);
        put(w, h->excl[i].why, 1);
    }
    for (unsigned i = 0; i < h->ncells; i++) {
        const struct handoff_cell *c = &h->cells[i];
        put(w, c->addr, 8);
        put(w, c->expected, 8);
        put(w, c->actual, 8);
        put(w, c->first_ms, 4);
        put(w, c->last_ms, 4);
        put(w, c->count, 4);
        put(w, c->tests, 2);
        put(w, c->pass, 2);
        put(w, c->bit, 1);
        put(w, c->test, 1);
        put(w, c->cpu, 1);
        put(w, c->flags, 1);
    }
    for (unsigned i = 0; i < h->ncpus; i++) {
        put(w, h->cpus[i].apic_id, 4);
        put(w, h->cpus[i].state, 1);
        put(w, h->cpus[i].bytes, 8);
        put(w, h->cpus[i].busy_ms, 8);
    }
}

size_t handoff_size(const struct handoff *h)
{
    struct wr w = { 0, 0, 0 };
    body(&w, h);
    return w.n;
}

size_t handoff_encode(const struct handoff *h, uint8_t *buf, size_t cap)
{
    if (h->ntests > HANDOFF_MAX_TESTS || h->ntested > HANDOFF_MAX_RANGES ||
        h->nexcl > HANDOFF_MAX_RANGES || h->ncpus > HANDOFF_MAX_CPUS)
        return 0;
    struct wr w = { buf, 0, cap };
    body(&w, h);
    if (w.n > cap || w.n > 0xffffffffu)
        return 0;
    wr32(buf + 8, (uint32_t)w.n);
    wr32(buf + 12, handoff_crc32(buf + HEAD, w.n - HEAD));
    return w.n;
}

int handoff_decode(struct handoff *h, const uint8_t *buf, size_t len)
{
    struct handoff_cell *cells = h->cells;
    unsigned cap = h->cap_cells;
    if (len < HEAD)
        return HANDOFF_SHORT;
    if (rd32(buf) != MAGIC)
        return HANDOFF_MAGIC;
    if ((buf[4] | buf[5] << 8) != VERSION)
        return HANDOFF_VERSION;
    uint32_t total = rd32(buf + 8);
    if (total < FIXED_BYTES || total > len)
        return HANDOFF_SHORT;
    if (handoff_crc32(buf + HEAD, total - HEAD) != rd32(buf + 12))
        return HANDOFF_CRC;
    struct rd r = { buf, 6, total, 0 };
    unsigned flags = (unsigned)get(&r, 2);
    r.n = HEAD;
    *h = (struct handoff){ .cells = cells, .cap_cells = cap };
    h->finished = !!(flags & F_FINISHED);
    h->faulted = !!(flags & F_FAULTED);
    h->user_stop = !!(flags & F_USER_STOP);
    h->seq = (uint32_t)get(&r, 4);
    get_str(&r, h->id, 40);
    get_str(&r, h->started, 32);
    h->elapsed_ms = get(&r, 8);
    h->passes_done = (uint32_t)get(&r, 4);
    h->pass = (uint32_t)get(&r, 4);
    h->error_words = get(&r, 8);
    h->error_rows = get(&r, 8);
    h->ram_bytes = get(&r, 8);
    h->usable_bytes = get(&r, 8);
    h->tested_bytes = get(&r, 8);
    h->footprint_bytes = get(&r, 8);
    h->vector = (uint32_t)get(&r, 4);
    h->rip = get(&r, 8);
    h->cr2 = get(&r, 8);
    h->fault_err = get(&r, 8);
    h->cells_lost = (uint32_t)get(&r, 4);
    h->ntests = (unsigned)get(&r, 2);
    h->ntested = (unsigned)get(&r, 2);
    h->nexcl = (unsigned)get(&r, 2);
    uint32_t ncells = (uint32_t)get(&r, 4);
    uint32_t ncpus = (uint32_t)get(&r, 4);
    h->madt_cpus = (unsigned)get(&r, 2);
    h->fw_cpus = (unsigned)get(&r, 2);
    h->seed = get(&r, 8);
    h->hold_ms = (uint32_t)get(&r, 4);
    if (h->ntests > HANDOFF_MAX_TESTS || h->ntested > HANDOFF_MAX_RANGES ||
        h->nexcl > HANDOFF_MAX_RANGES || ncpus > HANDOFF_MAX_CPUS)
        return HANDOFF_BAD;
    uint64_t need = (uint64_t)h->ntests * 29 + (uint64_t)h->ntested * 16 + (uint64_t)h->nexcl * 17 +
                    (uint64_t)ncells * CELL_BYTES + (uint64_t)ncpus * CPU_BYTES;
    if (r.bad || need != total - r.n)
        return HANDOFF_BAD;
    for (unsigned i = 0; i < h->ntests; i++) {
        struct handoff_test *t = &h->tests[i];
        t->num = (uint8_t)get(&r, 1);
        t->runs = (uint16_t)get(&r, 2);
        t->skipped_runs = (uint16_t)get(&r, 2);
        t->ms = get(&r, 8);
        t->bytes = get(&r, 8);
        t->error_words = get(&r, 8);
        if (t->num > 10)
            return HANDOFF_BAD;
    }
    for (unsigned i = 0; i < h->ntested; i++) {
        h->tested[i].base = get(&r, 8);
        h->tested[i].len = get(&r, 8);
    }
    for (unsigned i = 0; i < h->nexcl; i++) {
        h->excl[i].base = get(&r, 8);
        h->excl[i].len = get(&r, 8);
        h->excl[i].why = (uint8_t)get(&r, 1);
    }
    for (uint32_t i = 0; i < ncells; i++) {
        struct handoff_cell c;
        c.addr = get(&r, 8);
        c.expected = get(&r, 8);
        c.actual = get(&r, 8);
        c.first_ms = (uint32_t)get(&r, 4);
        c.last_ms = (uint32_t)get(&r, 4);
        c.count = (uint32_t)get(&r, 4);
        c.tests = (uint16_t)get(&r, 2);
        c.pass = (uint16_t)get(&r, 2);
        c.bit = (uint8_t)get(&r, 1);
        c.test = (uint8_t)get(&r, 1);
        c.cpu = (uint8_t)get(&r, 1);
        c.flags = (uint8_t)get(&r, 1);
        if (c.bit > 63 || c.test > 10 || (c.addr & 7))
            return HANDOFF_BAD;
        if (h->ncells < cap)
            cells[h->ncells++] = c;
        else
            h->cells_lost++;
    }
    for (uint32_t i = 0; i < ncpus; i++) {
        struct handoff_cpu *c = &h->cpus[h->ncpus++];
        c->apic_id = (uint32_t)get(&r, 4);
        c->state = (uint8_t)get(&r, 1);
        c->bytes = get(&r, 8);
        c->busy_ms = get(&r, 8);
        if (c->state < HANDOFF_CPU_RAN || c->state > HANDOFF_CPU_MISSING)
            return HANDOFF_BAD;
    }
    return r.bad ? HANDOFF_SHORT : HANDOFF_OK;
}

/* --- chunks: magic, index, count, record length, record crc, payload ------ */

unsigned handoff_split(const uint8_t *rec, size_t len, size_t max_chunk, uint8_t *out, size_t cap,
                       struct handoff_chunk *chunks, unsigned max)
{
    if (max_chunk <= HANDOFF_CHUNK_HEAD || len < HEAD || len > 0xffffffffu)
        return 0;
    size_t room = max_chunk - HANDOFF_CHUNK_HEAD;
    size_t n = (len + room - 1) / room;
    if (n > max || n > HANDOFF_MAX_CHUNKS || len + n * HANDOFF_CHUNK_HEAD > cap)
        return 0;
    uint32_t crc = rd32(rec + 12);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        size_t part = len - i * room < room ? len - i * room : room;
        uint8_t *c = out + o;
        wr32(c, CHUNK_MAGIC);
        c[4] = (uint8_t)i;
        c[5] = (uint8_t)n;
        c[6] = c[7] = 0;
        wr32(c + 8, (uint32_t)len);
        wr32(c + 12, crc);
        for (size_t k = 0; k < part; k++)
            c[HANDOFF_CHUNK_HEAD + k] = rec[i * room + k];
        chunks[i] = (struct handoff_chunk){ c, HANDOFF_CHUNK_HEAD + part };
        o += HANDOFF_CHUNK_HEAD + part;
    }
    return (unsigned)n;
}

unsigned handoff_chunk_count(const uint8_t *p, size_t len)
{
    /* More chunks than a record may have: damaged, or another version's
     * (the caller sizes its chunk table by HANDOFF_MAX_CHUNKS). */
    if (len < HANDOFF_CHUNK_HEAD || rd32(p) != CHUNK_MAGIC || p[4] >= p[5] || p[5] > HANDOFF_MAX_CHUNKS)
        return 0;
    return p[5];
}

int handoff_join(const struct handoff_chunk *chunks, unsigned n, uint8_t *rec, size_t cap,
                 size_t *len)
{
    if (!n || n > HANDOFF_MAX_CHUNKS)
        return HANDOFF_CHUNKS;
    const struct handoff_chunk *at[HANDOFF_MAX_CHUNKS] = { 0 };
    uint32_t total = 0, crc = 0;
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *c = chunks[i].p;
        if (handoff_chunk_count(c, chunks[i].len) != n || at[c[4]])
            return HANDOFF_CHUNKS;
        if (i && (rd32(c + 8) != total || rd32(c + 12) != crc))
            return HANDOFF_CHUNKS;
        total = rd32(c + 8);
        crc = rd32(c + 12);
        at[c[4]] = &chunks[i];
    }
    size_t o = 0;
    for (unsigned i = 0; i < n; i++) {
        size_t part = at[i]->len - HANDOFF_CHUNK_HEAD;
        if (o + part > cap || o + part > total)
            return HANDOFF_SHORT;
        for (size_t k = 0; k < part; k++)
            rec[o + k] = at[i]->p[HANDOFF_CHUNK_HEAD + k];
        o += part;
    }
    if (o != total)
        return HANDOFF_SHORT;
    if (o < HEAD || rd32(rec + 12) != crc)
        return HANDOFF_CRC;
    *len = o;
    return HANDOFF_OK;
}

const char *handoff_strerror(int err)
{
    switch (err) {
    case HANDOFF_OK: return "ok";
    case HANDOFF_SHORT: return "truncated";
    case HANDOFF_MAGIC: return "not a weakbit record";
    case HANDOFF_VERSION: return "written by another version";
    case HANDOFF_CRC: return "damaged (CRC mismatch)";
    case HANDOFF_BAD: return "inconsistent counts";
    case HANDOFF_CHUNKS: return "chunks missing or mixed";
    }
    return "?";
}
