// SPDX-License-Identifier: MIT
#include "core/config.h"
#include "core/fmt.h"
#include "core/interleave.h"

void config_defaults(struct wb_config *cfg)
{
    *cfg = (struct wb_config){ 0 };
    cfg->tests = 0x7fd;  /* 0, 2-10: test 1 is off by default, as in Memtest86+ */
    cfg->passes = 1;
    cfg->mode = CFG_MODE_TEST;
    cfg->duration_s = 30 * 60;
    cfg->cpu_mode = CFG_CPU_PARALLEL;
    cfg->granule = 1ull << 20;
    cfg->on_finish = CFG_FINISH_WAIT;
    cfg->reserve = 64ull << 20;
    cfg->max_pairs = 20;
    cfg->focus_margin = 16ull << 20;
    cfg->bitfade_ms = MT_FADE_DEFAULT_MS;
    cfg->ap_timeout_s = 30;
    cfg->temp_stub_from = cfg->temp_stub_to = FAILBIT_NO_TEMP;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Unsigned number, decimal or 0x-hex, exactly n chars, no overflow. */
static int parse_u64(const char *s, size_t n, uint64_t *out)
{
    return str_to_u64(s, n, STR_DEC_OR_HEX, out);
}

/* Degrees, optionally negative, -50..150. */
static int parse_temp(const char *s, size_t n, int *out)
{
    int neg = n && s[0] == '-';
    uint64_t v;
    if (parse_u64(s + neg, n - (size_t)neg, &v) || v > 150 || (neg && v > 50))
        return -1;
    *out = neg ? -(int)v : (int)v;
    return 0;
}

/* Number with an optional unit suffix; units[] pairs a letter with a multiplier. */
static int parse_scaled(const char *s, size_t n, const char *letters, const uint64_t *mult,
                        uint64_t *out)
{
    uint64_t m = 1, v;
    if (n > 1 && !(n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))) {
        char c = s[n - 1];
        for (unsigned i = 0; letters[i]; i++)
            if (c == letters[i] || c == letters[i] + ('a' - 'A')) {
                m = mult[i];
                n--;
                break;
            }
    }
    if (parse_u64(s, n, &v) || (m > 1 && v > UINT64_MAX / m))
        return -1;
    *out = v * m;
    return 0;
}

int config_parse_size(const char *s, size_t n, uint64_t *out)
{
    static const uint64_t mult[] = { 1ull << 10, 1ull << 20, 1ull << 30, 1ull << 40 };
    return parse_scaled(s, n, "KMGT", mult, out);
}

int config_parse_granule(const char *s, size_t n, uint64_t *out)
{
    uint64_t g;
    if (config_parse_size(s, n, &g) || g < 4096 || (g & (g - 1)) || g > (1ull << 40))
        return -1;
    *out = g;
    return 0;
}

static int parse_duration(const char *s, size_t n, uint64_t *out)
{
    static const uint64_t mult[] = { 1, 60, 3600 };
    return parse_scaled(s, n, "SMH", mult, out);
}

static int parse_tests(const char *s, size_t n, uint32_t *out)
{
    uint32_t mask = 0;
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != ',')
            j++;
        size_t dash = i;
        while (dash < j && s[dash] != '-')
            dash++;
        uint64_t lo, hi;
        if (parse_u64(s + i, dash - i, &lo))
            return -1;
        hi = lo;
        if (dash < j && parse_u64(s + dash + 1, j - dash - 1, &hi))
            return -1;
        if (lo > hi || hi > MT_MAX_TEST)
            return -1;
        for (uint64_t t = lo; t <= hi; t++)
            mask |= 1u << t;
        if (j == n)
            break;
        i = j + 1;
        if (i == n)
            return -1; /* trailing comma */
    }
    if (!mask)
        return -1;
    *out = mask;
    return 0;
}

static int parse_range(const char *s, size_t n, struct mem_range *r)
{
    size_t dash = 0;
    while (dash < n && s[dash] != '-')
        dash++;
    uint64_t lo, hi;
    if (dash == n || parse_u64(s, dash, &lo) || parse_u64(s + dash + 1, n - dash - 1, &hi))
        return -1;
    /* Whole pages only: allocation is per 4 KiB page. */
    lo = (lo + 4095) & ~4095ull;
    hi &= ~4095ull;
    if (lo >= hi)
        return -1;
    r->base = lo;
    r->len = hi - lo;
    return 0;
}

static int match(const char *s, size_t n, const char *word)
{
    return str_len(word) == n && str_neq(s, word, n);
}

/* Index of the word s[0..n) in the NULL-terminated list, or -1. */
static int pick(const char *s, size_t n, const char *const *words)
{
    for (int i = 0; words[i]; i++)
        if (match(s, n, words[i]))
            return i;
    return -1;
}

struct ctx {
    const char *src;
    config_warn_fn warn;
    void *wctx;
    unsigned problems;
};

static void problem(struct ctx *c, unsigned line, const char *key, size_t klen, const char *what,
                    const char *hint)
{
    char msg[200], k[48];
    size_t m = klen < sizeof k - 1 ? klen : sizeof k - 1;
    for (size_t i = 0; i < m; i++)
        k[i] = key[i];
    k[m] = '\0';
    fmt_format(msg, sizeof msg, "%s line %u: %s '%s'%s%s", c->src, line, what, k,
               hint ? ": " : "", hint ? hint : "");
    c->problems++;
    if (c->warn)
        c->warn(c->wctx, msg);
}

static void apply(struct wb_config *cfg, struct ctx *c, unsigned line, const char *tok, size_t n)
{
    static const char *const modes[] = { "test", "stress", 0 };
    static const char *const cpu_modes[] = { "parallel", "sequential", "single", 0 };
    static const char *const finish[] = { "wait", "shutdown", "reboot", 0 };
    static const char *const bools[] = { "0", "1", 0 };
    size_t eq = 0;
    while (eq < n && tok[eq] != '=')
        eq++;
    if (eq == n || eq == 0) {
        problem(c, line, tok, n, "not key=value", "ignored");
        return;
    }
    const char *k = tok, *v = tok + eq + 1;
    size_t kn = eq, vn = n - eq - 1;
    uint64_t u;
    int i;
    const char *bad = 0;

    if (match(k, kn, "tests")) {
        if (parse_tests(v, vn, &cfg->tests))
            bad = "expected a list like 0,2-10 of tests 0-10; default kept";
        else
            cfg->tests_given = 1;
    } else if (match(k, kn, "bitfade_sleep")) {
        if (parse_duration(v, vn, &u) || u > 24 * 3600)
            bad = "expected a wait per pattern like 45m, 90s or 0; default kept";
        else
            cfg->bitfade_ms = u * 1000;
    } else if (match(k, kn, "ap_timeout")) {
        if (parse_duration(v, vn, &u) || u < 1 || u > 3600)
            bad = "expected a time from 1s to 1h, like 30s; default kept";
        else
            cfg->ap_timeout_s = u;
    } else if (match(k, kn, "debug_hang_cpu")) {
        /* N (hang for ever) or N:S (hang S, then resume) */
        size_t c = 0;
        while (c < vn && v[c] != ':')
            c++;
        uint64_t hs = 0;
        if (parse_u64(v, c, &u) || u >= 4096 ||
            (c < vn && (parse_duration(v + c + 1, vn - c - 1, &hs) || !hs || hs > 3600)))
            bad = "expected a CPU number, optionally :seconds (0: off); ignored";
        else {
            cfg->debug_hang_cpu = (unsigned)u;
            cfg->debug_hang_ms = hs * 1000;
        }
    } else if (match(k, kn, "focus")) {
        static const char *const focus[] = { "none", "cells", 0 };
        if ((i = pick(v, vn, focus)) < 0)
            bad = "expected none or cells; default kept";
        else
            cfg->focus_cells = i;
    } else if (match(k, kn, "focus_margin")) {
        if (config_parse_size(v, vn, &u) || u > (1ull << 40))
            bad = "expected a size like 16M; default kept";
        else
            cfg->focus_margin = u;
    } else if (match(k, kn, "temp_stub")) {
        size_t dash = 1;
        while (dash < vn && v[dash] != '-')
            dash++;
        int a, b;
        if (parse_temp(v, dash, &a) || (dash < vn && parse_temp(v + dash + 1, vn - dash - 1, &b)))
            bad = "expected degrees like 45 or a ramp like 40-85; ignored";
        else
            cfg->temp_stub_from = a, cfg->temp_stub_to = dash < vn ? b : a;
    } else if (match(k, kn, "passes")) {
        if (parse_u64(v, vn, &u) || u > 1000000)
            bad = "expected a number (0 = until a key is pressed); default kept";
        else
            cfg->passes = (unsigned)u;
    } else if (match(k, kn, "mode")) {
        if ((i = pick(v, vn, modes)) < 0)
            bad = "expected test or stress; default kept";
        else
            cfg->mode = (enum cfg_mode)i;
    } else if (match(k, kn, "duration")) {
        if (parse_duration(v, vn, &u) || u == 0)
            bad = "expected a time like 90s, 30m or 2h; default kept";
        else
            cfg->duration_s = u;
    } else if (match(k, kn, "cpus")) {
        if (match(v, vn, "all"))
            cfg->cpus = 0;
        else if (parse_u64(v, vn, &u) || u == 0 || u > 4096)
            bad = "expected all or a CPU count; default kept";
        else
            cfg->cpus = (unsigned)u;
    } else if (match(k, kn, "cpu_mode")) {
        if ((i = pick(v, vn, cpu_modes)) < 0)
            bad = "expected parallel, sequential or single; default kept";
        else
            cfg->cpu_mode = (enum cfg_cpu_mode)i;
    } else if (match(k, kn, "range")) {
        struct mem_range r;
        if (parse_range(v, vn, &r))
            bad = "expected hex START-END covering at least one page; ignored";
        else if (cfg->nranges == CONFIG_MAX_RANGES)
            bad = "too many ranges (16 at most); ignored";
        else
            cfg->ranges[cfg->nranges++] = r;
    } else if (match(k, kn, "granule")) {
        if (config_parse_granule(v, vn, &cfg->granule))
            bad = "expected a power of two from 4K to 1T, like 1M; default kept";
    } else if (match(k, kn, "interleave")) {
        struct il_model m;
        if (vn == 0 || vn >= sizeof cfg->interleave || il_parse(&m, v, vn)) {
            bad = "expected name:0xMASK pairs like ch:0x40,dimm:0x20000; ignored";
        } else {
            for (size_t j = 0; j < vn; j++)
                cfg->interleave[j] = v[j];
            cfg->interleave[vn] = '\0';
        }
    } else if (match(k, kn, "quick")) {
        if ((i = pick(v, vn, bools)) < 0)
            bad = "expected 0 or 1; default kept";
        else
            cfg->quick = i;
    } else if (match(k, kn, "on_finish")) {
        if ((i = pick(v, vn, finish)) < 0)
            bad = "expected wait, shutdown or reboot; default kept";
        else
            cfg->on_finish = (enum cfg_finish)i;
    } else if (match(k, kn, "max_pairs")) {
        if (parse_u64(v, vn, &u) || u < 1 || u > 4096)
            bad = "expected a pair budget from 1 to 4096; default kept";
        else
            cfg->max_pairs = (unsigned)u;
    } else if (match(k, kn, "reserve")) {
        if (config_parse_size(v, vn, &u) || u < (4ull << 20))
            bad = "expected a size of at least 4M, like 64M; default kept";
        else
            cfg->reserve = (u + 4095) & ~4095ull;
    } else {
        problem(c, line, k, kn, "unknown key", "ignored");
        return;
    }
    if (bad)
        problem(c, line, tok, n, "bad value in", bad);
}

unsigned config_parse(struct wb_config *cfg, const char *src, const char *text, size_t len,
                      config_warn_fn warn, void *wctx)
{
    struct ctx c = { src, warn, wctx, 0 };
    unsigned line = 1;
    size_t i = 0;
    while (i < len) {
        char ch = text[i];
        if (ch == '\n') {
            line++, i++;
        } else if (is_space(ch)) {
            i++;
        } else if (ch == '#') {
            while (i < len && text[i] != '\n')
                i++;
        } else {
            size_t j = i;
            while (j < len && !is_space(text[j]) && text[j] != '#' && text[j] != '\0')
                j++;
            if (j == i) {  /* stray NUL */
                problem(&c, line, "\\0", 2, "stray byte", "ignored");
                i++;
                continue;
            }
            apply(cfg, &c, line, text + i, j - i);
            i = j;
        }
    }
    return c.problems;
}

void config_tests_str(uint32_t tests, char *buf, size_t cap)
{
    struct sbuf sb;
    sbuf_init(&sb, buf, cap);
    for (unsigned t = 0; t <= MT_MAX_TEST; t++) {
        if (!(tests & (1u << t)))
            continue;
        unsigned e = t;
        while (e + 1 <= MT_MAX_TEST && (tests & (1u << (e + 1))))
            e++;
        sbuf_printf(&sb, sb.len ? ",%u" : "%u", t);
        if (e > t)
            sbuf_printf(&sb, "-%u", e);
        t = e;
    }
}
