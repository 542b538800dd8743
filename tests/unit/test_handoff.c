// SPDX-License-Identifier: MIT
#include "check.h"
#include "core/handoff.h"
#include <stdlib.h>
#include <string.h>

static struct handoff_cell cells_in[300], cells_out[300];

static void sample(struct handoff *h, unsigned ncells)
{
    memset(h, 0, sizeof *h);
    h->seq = 7;
    h->finished = 1;
    h->faulted = 1;
    h->vector = 14;
    h->rip = 0x7e1234;
    h->cr2 = 0x7f0000000000ull;
    strcpy(h->id, "20240101120000-beef");
    strcpy(h->started, "2024-01-01 12:00:00");
    h->elapsed_ms = 123456;
    h->passes_done = 1;
    h->pass = 1;
    h->seed = 0x1234abcd5678ef01ull;
    h->hold_ms = 150;
    h->error_words = 99;
    h->error_rows = 101;
    h->ram_bytes = 1ull << 30;
    h->usable_bytes = (1ull << 30) - (8 << 20);
    h->tested_bytes = (1ull << 30) - (12 << 20);
    h->footprint_bytes = 3 << 20;
    h->ntests = 2;
    h->tests[0] = (struct handoff_test){ 1, 1, 0, 500, 1ull << 30, 3 };
    h->tests[1] = (struct handoff_test){ 5, 2, 1, 9000, 1ull << 30, 96 };
    h->ntested = 3;
    for (unsigned i = 0; i < 3; i++)
        h->tested[i] = (struct mem_range){ (i + 1) << 24, 1 << 20 };
    h->nexcl = 2;
    h->excl[0] = (struct handoff_excl){ 0, 1 << 20, 2 };
    h->excl[1] = (struct handoff_excl){ 0x3f000000, 1 << 20, 1 };
    for (unsigned i = 0; i < ncells; i++)
        cells_in[i] = (struct handoff_cell){ .addr = 0x1000000 + 8 * i, .expected = ~0ull, .actual = ~0ull ^ (1ull << (i % 64)),
                                             .first_ms = i, .last_ms = i + 5, .count = i + 1, .tests = 1 << 5,
                                             .pass = 0, .bit = (uint8_t)(i % 64), .test = 5, .cpu = 0, .flags = 0 };
    h->cells = cells_in;
    h->ncells = ncells;
    h->madt_cpus = 4;
    h->fw_cpus = 4;
    h->ncpus = 4;
    h->cpus[0] = (struct handoff_cpu){ 0, HANDOFF_CPU_RAN, 1ull << 28, 1200 };
    h->cpus[1] = (struct handoff_cpu){ 1, HANDOFF_CPU_RAN, (1ull << 28) + 4096, 1300 };
    h->cpus[2] = (struct handoff_cpu){ 2, HANDOFF_CPU_FENCED, 0, 0 };
    h->cpus[3] = (struct handoff_cpu){ 300, HANDOFF_CPU_MISSING, 0, 0 };
}

TEST(handoff_round_trip)
{
    struct handoff h, g;
    sample(&h, 300);
    static uint8_t buf[65536];
    size_t n = handoff_encode(&h, buf, sizeof buf);
    CHECK(n > 0);
    CHECK_EQ_U64(n, handoff_size(&h));
    memset(&g, 0xa5, sizeof g);
    g.cells = cells_out;
    g.cap_cells = 300;
    CHECK_EQ_U64(handoff_decode(&g, buf, n), HANDOFF_OK);
    CHECK_EQ_U64(g.seq, 7);
    CHECK(g.finished && g.faulted && !g.user_stop);
    CHECK_EQ_U64(g.vector, 14);
    CHECK_EQ_U64(g.cr2, 0x7f0000000000ull);
    CHECK_STR(g.id, h.id);
    CHECK_STR(g.started, h.started);
    CHECK_EQ_U64(g.error_rows, 101);
    CHECK_EQ_U64(g.seed, 0x1234abcd5678ef01ull);
    CHECK_EQ_U64(g.hold_ms, 150);
    CHECK_EQ_U64(g.footprint_bytes, 3 << 20);
    CHECK_EQ_U64(g.ntests, 2);
    CHECK_EQ_U64(g.tests[1].error_words, 96);
    CHECK_EQ_U64(g.tests[1].skipped_runs, 1);
    CHECK_EQ_U64(g.ntested, 3);
    CHECK_EQ_U64(g.tested[2].base, 3 << 24);
    CHECK_EQ_U64(g.nexcl, 2);
    CHECK_EQ_U64(g.excl[1].why, 1);
    CHECK_EQ_U64(g.ncells, 300);
    CHECK(!memcmp(cells_out, cells_in, sizeof cells_in));
    CHECK_EQ_U64(g.cells_lost, 0);
    CHECK_EQ_U64(g.madt_cpus, 4);
    CHECK_EQ_U64(g.fw_cpus, 4);
    CHECK_EQ_U64(g.ncpus, 4);
    CHECK(!memcmp(g.cpus, h.cpus, 4 * sizeof h.cpus[0]));

    /* Fewer cell slots than cells: the rest are counted, not written past. */
    g.cells = cells_out;
    g.cap_cells = 10;
    CHECK_EQ_U64(handoff_decode(&g, buf, n), HANDOFF_OK);
    CHECK_EQ_U64(g.ncells, 10);
    CHECK_EQ_U64(g.cells_lost, 290);
}

TEST(handoff_rejects_damage)
{
    struct handoff h, g;
    sample(&h, 20);
    static uint8_t buf[8192], bad[8192];
    size_t n = handoff_encode(&h, buf, sizeof buf);
    g.cells = cells_out;
    g.cap_cells = 300;
    CHECK_EQ_U64(handoff_encode(&h, buf, n - 1), 0);   /* does not fit */
    CHECK_EQ_U64(handoff_decode(&g, buf, n - 1), HANDOFF_SHORT);
    CHECK_EQ_U64(handoff_decode(&g, buf, 10), HANDOFF_SHORT);
    /* Every single-bit flip is caught. */
    int caught = 1;
    for (size_t i = 0; i < n; i++)
        for (int b = 0; b < 8; b++) {
            memcpy(bad, buf, n);
            bad[i] ^= (uint8_t)(1 << b);
            if (handoff_decode(&g, bad, n) == HANDOFF_OK)
                caught = 0;
        }
    CHECK(caught);
    memcpy(bad, buf, n);
    bad[0] = 'X';
    CHECK_EQ_U64(handoff_decode(&g, bad, n), HANDOFF_MAGIC);
    memcpy(bad, buf, n);
    bad[4] = 1;   /* the format before per-CPU lines */
    CHECK_EQ_U64(handoff_decode(&g, bad, n), HANDOFF_VERSION);
    /* Random garbage never decodes and never reads out of bounds (ASan). */
    srand(1);
    for (int k = 0; k < 2000; k++) {
        size_t len = (size_t)rand() % 600;
        uint8_t *p = malloc(len + 1);
        for (size_t i = 0; i < len; i++)
            p[i] = (uint8_t)rand();
        if (len >= 4)
            memcpy(p, buf, 4);
        CHECK(handoff_decode(&g, p, len) != HANDOFF_OK);
        free(p);
    }
}

TEST(handoff_split_join)
{
    struct handoff h, g;
    sample(&h, 300);
    static uint8_t rec[65536], out[70000], back[65536];
    size_t n = handoff_encode(&h, rec, sizeof rec);
    struct handoff_chunk ch[HANDOFF_MAX_CHUNKS];
    unsigned k = handoff_split(rec, n, 1024, out, sizeof out, ch, HANDOFF_MAX_CHUNKS);
    CHECK_EQ_U64(k, (n + 1007) / 1008);
    for (unsigned i = 0; i < k; i++)
        CHECK(ch[i].len <= 1024 && handoff_chunk_count(ch[i].p, ch[i].len) == k);
    /* A header claiming more chunks than a record may have is refused before
     * anyone sizes a table by it. */
    uint8_t forged[HANDOFF_CHUNK_HEAD];
    memcpy(forged, ch[0].p, sizeof forged);
    forged[5] = HANDOFF_MAX_CHUNKS + 1;
    CHECK_EQ_U64(handoff_chunk_count(forged, sizeof forged), 0);
    /* Any order joins back. */
    struct handoff_chunk rev[HANDOFF_MAX_CHUNKS];
    for (unsigned i = 0; i < k; i++)
        rev[i] = ch[k - 1 - i];
    size_t len = 0;
    CHECK_EQ_U64(handoff_join(rev, k, back, sizeof back, &len), HANDOFF_OK);
    CHECK_EQ_U64(len, n);
    CHECK(!memcmp(back, rec, n));
    g.cells = cells_out;
    g.cap_cells = 300;
    CHECK_EQ_U64(handoff_decode(&g, back, len), HANDOFF_OK);
    CHECK_EQ_U64(g.ncells, 300);

    /* A missing chunk, a repeated one, a truncated one, a stale one. */
    CHECK_EQ_U64(handoff_join(ch, k - 1, back, sizeof back, &len), HANDOFF_CHUNKS);
    struct handoff_chunk dup[HANDOFF_MAX_CHUNKS];
    memcpy(dup, ch, sizeof ch);
    dup[1] = dup[0];
    CHECK_EQ_U64(handoff_join(dup, k, back, sizeof back, &len), HANDOFF_CHUNKS);
    memcpy(dup, ch, sizeof ch);
    dup[2].len -= 5;
    CHECK(handoff_join(dup, k, back, sizeof back, &len) != HANDOFF_OK);
    static uint8_t out2[70000];
    struct handoff_chunk ch2[HANDOFF_MAX_CHUNKS];
    h.seq = 8;   /* a later checkpoint: same size, other CRC */
    size_t n2 = handoff_encode(&h, rec, sizeof rec);
    CHECK_EQ_U64(n2, n);
    handoff_split(rec, n2, 1024, out2, sizeof out2, ch2, HANDOFF_MAX_CHUNKS);
    memcpy(dup, ch, sizeof ch);
    dup[1] = ch2[1];
    CHECK_EQ_U64(handoff_join(dup, k, back, sizeof back, &len), HANDOFF_CHUNKS);
    /* Flipping payload bits inside one chunk: the record's CRC catches it. */
    static uint8_t copy[70000];
    memcpy(copy, out, sizeof out);
    struct handoff_chunk cc[HANDOFF_MAX_CHUNKS];
    for (unsigned i = 0; i < k; i++)
        cc[i] = (struct handoff_chunk){ copy + (ch[i].p - out), ch[i].len };
    copy[(ch[3].p - out) + 40] ^= 0x10;
    CHECK_EQ_U64(handoff_join(cc, k, back, sizeof back, &len), HANDOFF_OK);
    CHECK_EQ_U64(handoff_decode(&g, back, len), HANDOFF_CRC);
    /* Chunks too small to carry anything, or too many of them. */
    CHECK_EQ_U64(handoff_split(rec, n, HANDOFF_CHUNK_HEAD, out, sizeof out, ch, HANDOFF_MAX_CHUNKS), 0);
    CHECK_EQ_U64(handoff_split(rec, n, 64, out, sizeof out, ch, HANDOFF_MAX_CHUNKS), 0);
    CHECK_EQ_U64(handoff_split(rec, n, 1024, out, 100, ch, HANDOFF_MAX_CHUNKS), 0);
    /* A record that fits one chunk. */
    sample(&h, 1);
    n = handoff_encode(&h, rec, sizeof rec);
    CHECK_EQ_U64(handoff_split(rec, n, 8192, out, sizeof out, ch, HANDOFF_MAX_CHUNKS), 1);
}

TEST(handoff_crc32_known_value)
{
    CHECK_EQ_U64(handoff_crc32((const uint8_t *)"123456789", 9), 0xcbf43926u);
}
