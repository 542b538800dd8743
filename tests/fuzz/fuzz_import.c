// SPDX-License-Identifier: MIT
// libFuzzer target: the Linux-side parsers. The first byte picks the import
// format; the rest is fed line by line. Whatever parses must expand to
// addresses inside the entry it came from, in ascending order. The same
// bytes also go through the iomem, memmap= and meminfo readers.
#include <stdint.h>
#include "linuxside/import.h"
#include "linuxside/linuxmem.h"

struct expand {
    const struct import_item *it;
    uint64_t last;
    unsigned n;
};

static void check_addr(void *ctx, uint64_t a)
{
    struct expand *e = ctx;
    const struct import_item *it = e->it;
    if (a & 7)
        __builtin_trap();
    if (it->kind == IMPORT_RANGE && (a < (it->a & ~7ull) || a >= it->b))
        __builtin_trap();
    if (it->kind == IMPORT_PATTERN && ((a ^ it->a) & it->b & ((1ull << 52) - 1) & ~7ull))
        __builtin_trap();
    if (e->n++ && a <= e->last)
        __builtin_trap();
    e->last = a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    struct import_parser p;
    import_init(&p, (enum import_format)(data[0] % 3));
    const char *s = (const char *)data + 1;
    size_t n = size - 1, start = 0;
    struct import_item items[32];
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '\n')
            continue;
        unsigned k = 0;
        int rc = import_line(&p, s + start, i - start, items, 32, &k);
        if (rc && !p.err)
            __builtin_trap();
        for (unsigned j = 0; j < k; j++) {
            if (items[j].kind == IMPORT_RANGE && items[j].a >= items[j].b)
                __builtin_trap();
            struct expand e = { &items[j], 0, 0 };
            int64_t got = import_pages(&items[j], 4096, check_addr, &e);
            if (got >= 0 && (uint64_t)got != e.n)
                __builtin_trap();
        }
        struct lmem_range r;
        if (!lmem_iomem_line(s + start, i - start, &r) && r.end < r.start)
            __builtin_trap();
        start = i + 1;
    }
    import_finish(&p);
    struct lmem_memmap mm[16];
    unsigned bad;
    if (lmem_memmap_scan(s, n, mm, 16, &bad) > 16)
        __builtin_trap();
    lmem_hwcorrupted_kb(s, n);
    lmem_lockdown(s, n);
    return 0;
}
