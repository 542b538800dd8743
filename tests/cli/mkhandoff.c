// SPDX-License-Identifier: MIT
// Test helper: the UEFI variables a full-coverage run leaves, as efivarfs
// files (4 bytes of attributes, then the data) in a folder, for the tests of
// `weakbit results`. The record comes from the app's own session code: one
// stuck bit (0x2000028 bit 5, 40 words) and a 64 KiB region across a 1 MiB
// boundary (bit 9 of every word of 0x8ff8000-0x9008000, twice), split into
// variables of at most 1000 bytes.
// usage: mkhandoff DIR
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/handoff.h"

#define GUID "7d2c5e41-93b8-4f0a-a61e-5b72c409e38d"
#define SLOTS 8192

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: mkhandoff DIR\n");
        return 2;
    }
    static struct session s;
    static struct session_carry carry;
    static struct cell cells[SLOTS], known[SLOTS], scratch[SLOTS];
    static uint64_t gran[SLOTS];
    static struct handoff h;
    session_init(&s, cells, SLOTS, known, SLOTS);
    session_start(&s, "2026-12-03 12:00:00", 0xbeef);
    session_carry(&s, &carry);
    s.plan.ntest = 1;
    s.plan.test[0] = (struct mem_range){ 0x1000000, 0x10000000 };
    s.plan.ram_total = s.plan.ram_top = 0x20000000;
    s.test_bytes = 0x10000000;
    struct session_cell_news news[64];
    uint64_t words, ms = 100;
    session_test_begin(&s, mt_find(5));
    for (int i = 0; i < 40; i++)
        session_take_error(&s, 0, 0x2000028, 0xff, 0xdf, ms++, 0, 45, NULL, news);
    for (int sweep = 0; sweep < 2; sweep++)
        for (uint64_t a = 0x8ff8000; a < 0x9008000; a += 8) {
            session_take_error(&s, a < 0x9000000 ? 0 : 1, a, 0, 1 << 9, ms++, 0, 45, NULL, news);
            if ((a & 0xfff) == 0)
                session_take_summaries(&s, NULL, &words, NULL, NULL);
        }
    session_take_summaries(&s, NULL, &words, NULL, NULL);
    session_test_end(&s, mt_find(5), s.error_words, 5000, 0, 0);
    session_test_swept(&s, 5, s.test_bytes);
    session_pass_end(&s);
    struct handoff_scratch x = { scratch, gran, SLOTS };
    h.seq = 3;
    h.finished = 1;
    h.elapsed_ms = 6000;
    h.ram_bytes = 0x20000000;
    h.usable_bytes = h.tested_bytes = 0x10000000;
    h.ntested = 1;
    h.tested[0] = s.plan.test[0];
    h.ncpus = 2;
    h.cpus[0] = (struct handoff_cpu){ .state = HANDOFF_CPU_RAN, .bytes = 0x8000000, .busy_ms = 2500 };
    h.cpus[1] = (struct handoff_cpu){ .apic_id = 1, .state = HANDOFF_CPU_RAN, .bytes = 0x8000000, .busy_ms = 2500 };
    h.madt_cpus = 2;
    h.boot_next = -1;
    handoff_from_session(&h, &s, &x);
    static uint8_t rec[HANDOFF_REC_BYTES], out[HANDOFF_REC_BYTES + HANDOFF_MAX_CHUNKS * HANDOFF_CHUNK_HEAD];
    size_t len = handoff_encode(&h, rec, sizeof rec);
    struct handoff_chunk ch[HANDOFF_MAX_CHUNKS];
    unsigned n = len ? handoff_split(rec, len, 1000, out, sizeof out, ch, HANDOFF_MAX_CHUNKS) : 0;
    if (!n) {
        fprintf(stderr, "mkhandoff: the record did not encode\n");
        return 1;
    }
    for (unsigned i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/WeakbitA%02u-%s", argv[1], i, GUID);
        FILE *f = fopen(path, "wb");
        static const uint8_t attr[4] = { 7, 0, 0, 0 };   /* NV | BS | RT */
        if (!f || fwrite(attr, 1, 4, f) != 4 || fwrite(ch[i].p, 1, ch[i].len, f) != ch[i].len || fclose(f)) {
            fprintf(stderr, "mkhandoff: cannot write %s\n", path);
            return 1;
        }
    }
    printf("%u variables, %zu bytes, %llu errors\n", n, len, (unsigned long long)s.error_words);
    return 0;
}
