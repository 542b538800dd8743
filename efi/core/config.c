// SPDX-License-Identifier: MIT
#include "core/config.h"
#include "core/fmt.h"
#include "core/interleave.h"

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

static int match(const char *s, size_t n, const char *word);

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
        if (match(s + i, j - i, "hammer")) {   /* the row hammer test by name */
            lo = hi = MT_HAMMER_TEST;
        } else {
            if (parse_u64(s + i, dash - i, &lo))
                return -1;
            hi = lo;
            if (dash < j && parse_u64(s + dash + 1, j - dash - 1, &hi))
                return -1;
        }
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

/* --- one setter per key: NULL on success, else why the value is bad --------- */

static const char *const modes[] = { "test", "stress", 0 };
static const char *const cpu_modes[] = { "parallel", "sequential", "single", 0 };
static const char *const finishes[] = { "wait", "shutdown", "reboot", 0 };
static const char *const bools[] = { "0", "1", 0 };
static const char *const focuses[] = { "none", "cells", 0 };
static const char *const coverages[] = { "firmware", "full", 0 };

static const char *set_tests(struct wb_config *c, const char *v, size_t n)
{
    if (parse_tests(v, n, &c->tests))
        return "expected a list like 0,2-10 of tests 0-11 (11 or hammer: row hammer)";
    c->tests_given = 1;
    return 0;
}

static const char *set_passes(struct wb_config *c, const char *v, size_t n)
{
    uint64_t u;
    if (parse_u64(v, n, &u) || u > 1000000)
        return "expected a number (0 = until a key is pressed)";
    c->passes = (unsigned)u;
    return 0;
}

static const char *set_quick(struct wb_config *c, const char *v, size_t n)
{
    int i = pick(v, n, bools);
    if (i < 0)
        return "expected 0 or 1";
    c->quick = i;
    return 0;
}

static const char *set_bitfade(struct wb_config *c, const char *v, size_t n)
{
    uint64_t u;
    if (parse_duration(v, n, &u) || u > 24 * 3600)
        return "expected a wait per pattern like 240s, 10m or 0";
    c->bitfade_ms = u * 1000;
    c->bitfade_set = 1;
    return 0;
}

static const char *set_mode(struct wb_config *c, const char *v, size_t n)
{
    int i = pick(v, n, modes);
    if (i < 0)
        return "expected test or stress";
    c->mode = (enum cfg_mode)i;
    return 0;
}

static const char *set_duration(struct wb_config *c, const char *v, size_t n)
{
    uint64_t u;
    if (parse_duration(v, n, &u) || u == 0)
        return "expected a time like 90s, 30m or 2h";
    c->duration_s = u;
    return 0;
}

static const char *set_focus(struct wb_config *c, const char *v, size_t n)
{
    int i = pick(v, n, focuses);
    if (i < 0)
        return "expected none or cells";
    c->focus_cells = i;
    return 0;
}

static const char *set_focus_margin(struct wb_config *c, const char *v, size_t n)
{
    uint64_t u;
    if (config_parse_size(v, n, &u) || u > (1ull << 40))
        return "expected a size like 16M";
    c->focus_margin = u;
    return 0;
}

static const char *set_cpus(struct wb_config *c, const char *v, size_t n)
{
    uint64_t u;
    if (match(v, n, "all"))
        c->cpus = 0;
    else if (parse_u64(v, n, &u) || u == 0 || u > 4096)
        return "expected all or a CPU count";
    else
        c->cpus = (unsigned)u;
    return 0;
}

static const char *set_cpu_mode(struct wb_config *c, const char *v, size_t n)
{
    int i = pick(v, n, cpu_modes);
    if (i < 0)
        return "expected parallel, sequential or single";
    c->cpu_mode = (enum cfg_cpu_mode)i;
    return 0;
}

static const char *set_range(struct wb_config *c, const char *v, size_t n)
{
    struct mem_range r;
    if (parse_range(v, n, &r))
        return "expected hex START-END covering at least one page";
    if (c->nranges == CONFIG_MAX_RANGES)
        return "too many ranges (16 at most)";
    c->ranges[c->nranges++] = r;
    return 0;
}

static const char *set_granule(struct wb_config *c, const char *v, size_t n)
{
    return config_parse_granule(v, n, &c->granule) ? "expected a power of two from 4K to 1T, like 1M" : 0;
}

static const char *set_max_pairs(struct wb_config *c, const char *v, size_t n)
{
    uint64_t u;
    if (parse_u64(v, n, &u) || u < 1 || u > 4096)
        return "expected a pair budget from 1 to 4096";
    c->max_pairs = (unsigned)u;
    return 0;
}

static const char *set_interleave(struct wb_config *c, const char *v, size_t n)
{
    struct il_model m;
    if (n == 0 || n >= sizeof c->interleave || il_parse(&m, v, n))
        return "expected name:0xMASK pairs like ch:0x40,dimm:0x20000";
    for (size_t j = 0; j < n; j++)
        c->interleave[j] = v[j];
    c->interleave[n] = '\0';
    return 0;
}

static const char *set_reserve(struct wb_config *c, const char *v, size_t n)
{
    uint64_t u;
    if (config_parse_size(v, n, &u) || u < (4ull << 20))
        return "expected a size of at least 4M, like 64M";
    c->reserve = (u + 4095) & ~4095ull;
    return 0;
}

static const char *set_temp_stub(struct wb_config *c, const char *v, size_t n)
{
    size_t dash = 1;
    while (dash < n && v[dash] != '-')
        dash++;
    int a, b;
    if (parse_temp(v, dash, &a) || (dash < n && parse_temp(v + dash + 1, n - dash - 1, &b)))
        return "expected degrees like 45 or a ramp like 40-85";
    c->temp_stub_from = a;
    c->temp_stub_to = dash < n ? b : a;
    return 0;
}

static const char *set_ap_timeout(struct wb_config *c, const char *v, size_t n)
{
    uint64_t u;
    if (parse_duration(v, n, &u) || u < 1 || u > 3600)
        return "expected a time from 1s to 1h, like 30s";
    c->ap_timeout_s = u;
    return 0;
}

/* N (hang for ever) or N:S (hang S, then resume) */
static const char *set_debug_hang(struct wb_config *c, const char *v, size_t n)
{
    uint64_t u, s = 0;
    size_t colon = 0;
    while (colon < n && v[colon] != ':')
        colon++;
    if (parse_u64(v, colon, &u) || u >= 4096 ||
        (colon < n && (parse_duration(v + colon + 1, n - colon - 1, &s) || !s || s > 3600)))
        return "expected a CPU number, optionally :seconds (0: off)";
    c->debug_hang_cpu = (unsigned)u;
    c->debug_hang_ms = s * 1000;
    return 0;
}

static const char *set_debug_silent(struct wb_config *c, const char *v, size_t n)
{
    uint64_t u;
    if (parse_u64(v, n, &u) || u >= 4096)
        return "expected a CPU number (0: off)";
    c->debug_silent_cpu = (unsigned)u;
    return 0;
}

static const char *set_debug_varstore(struct wb_config *c, const char *v, size_t n)
{
    uint64_t u;
    if (parse_u64(v, n, &u) || u > (1u << 20))
        return "expected KiB of free variable store to pretend (0: off)";
    c->debug_varstore_kib = (unsigned)u;
    return 0;
}

static const char *set_full_bsmem(struct wb_config *c, const char *v, size_t n)
{
    static const char *const how[] = { "test", "skip", 0 };
    int i = pick(v, n, how);
    if (i < 0)
        return "expected test or skip";
    c->full_bsmem_skip = i;
    return 0;
}

static const char *set_debug_full_fail(struct wb_config *c, const char *v, size_t n)
{
    static const char *const how[] = { "none", "reset", "exit", 0 };
    int i = pick(v, n, how);
    if (i < 0)
        return "expected none, reset or exit";
    c->debug_full_fail = (unsigned)i;
    return 0;
}

static const char *set_debug_reset(struct wb_config *c, const char *v, size_t n)
{
    static const char *const how[] = { "firmware", "cf9", "kbc", "triple", 0 };
    int i = pick(v, n, how);
    if (i < 0)
        return "expected firmware, cf9, kbc or triple";
    c->debug_reset = (unsigned)i;
    return 0;
}

static const char *set_coverage(struct wb_config *c, const char *v, size_t n)
{
    int i = pick(v, n, coverages);
    if (i < 0)
        return "expected firmware or full";
    c->coverage = (enum cfg_coverage)i;
    return 0;
}

static const char *set_debug_fault(struct wb_config *c, const char *v, size_t n)
{
    static const char *const which[] = { "0", "1", "2", 0 };
    int i = pick(v, n, which);
    if (i < 0)
        return "expected 0, 1 (the boot CPU) or 2 (the first AP)";
    c->debug_fault = (unsigned)i;
    return 0;
}

static const char *set_hold(struct wb_config *c, const char *v, size_t n)
{
    uint64_t u;
    if (parse_u64(v, n, &u) || u > 60000)
        return "expected milliseconds from 0 (off) to 60000, like 150";
    c->hold_ms = u;
    return 0;
}

static const char *set_hammer_ms(struct wb_config *c, const char *v, size_t n)
{
    uint64_t u;
    if (parse_u64(v, n, &u) || u < 1 || u > 600000)
        return "expected milliseconds per bank from 1 to 600000, like 2000";
    c->hammer_ms = u;
    return 0;
}

static const char *set_hammer_rowshift(struct wb_config *c, const char *v, size_t n)
{
    uint64_t u;
    if (parse_u64(v, n, &u) || u < 7 || u > 40)
        return "expected the lowest row address bit, 7 to 40, like 17";
    c->hammer_rowshift = (unsigned)u;
    return 0;
}

static const char *set_hammer_fence(struct wb_config *c, const char *v, size_t n)
{
    int i = pick(v, n, bools);
    if (i < 0)
        return "expected 0 or 1";
    c->hammer_fence = i;
    return 0;
}

static const char *set_seed(struct wb_config *c, const char *v, size_t n)
{
    uint64_t u;
    if (parse_u64(v, n, &u))
        return "expected a number like 0x1234abcd (0: from the TSC)";
    c->seed = u;
    return 0;
}

static const char *set_ecc(struct wb_config *c, const char *v, size_t n)
{
    static const char *const how[] = { "off", "poll", 0 };
    int i = pick(v, n, how);
    if (i < 0)
        return "expected poll or off";
    c->ecc_poll = i;
    return 0;
}

static const char *set_usb(struct wb_config *c, const char *v, size_t n)
{
    static const char *const how[] = { "auto", "off", 0 };
    int i = pick(v, n, how);
    if (i < 0)
        return "expected auto or off";
    c->usb_off = i;
    return 0;
}

static const char *set_on_finish(struct wb_config *c, const char *v, size_t n)
{
    int i = pick(v, n, finishes);
    if (i < 0)
        return "expected wait, shutdown or reboot";
    c->on_finish = (enum cfg_finish)i;
    return 0;
}

/* Every key, once: its default (the only place defaults are written), its
 * parser and its help. README's table and boot/weakbit.cfg are checked
 * against this by a unit test. */
static const struct config_key keys[] = {
    { "tests", "0,2-10", 0, set_tests, "Memtest86+ test numbers (stress mode: `5`)" },
    { "passes", "1", 0, set_passes, "passes over the tests; `0` until Esc" },
    { "quick", "0", 0, set_quick, "`1`: first pass with a third of the iterations" },
    { "bitfade_sleep", "240s", 0, set_bitfade, "test 10's wait per pattern (0s, then 1s); unset, a quick first pass waits 80 s as Memtest86+ does; set, the value holds on every pass" },
    { "mode", "test", 0, set_mode, "`stress`: loop the tests for `duration`" },
    { "duration", "30m", 0, set_duration, "stress run time (`90s`, `30m`, `2h`)" },
    { "focus", "none", 0, set_focus, "`cells`: only around cells already in errors.csv" },
    { "focus_margin", "16M", 0, set_focus_margin, "bytes either side of each such cell" },
    { "cpus", "all", 0, set_cpus, "how many CPUs to use" },
    { "cpu_mode", "parallel", 0, set_cpu_mode, "`sequential` (one CPU at a time), `single` (BSP only)" },
    { "range", 0, "all RAM", set_range, "`0xSTART-0xEND`, end exclusive; may repeat" },
    { "granule", "1M", 0, set_granule, "block masked around each cell (power of two, >= 4K)" },
    { "max_pairs", "20", 0, set_max_pairs, "most (addr, mask) pairs in the GRUB line" },
    { "interleave", 0, "none", set_interleave, "channel/DIMM model, see above" },
    { "reserve", "64M", 0, set_reserve, "free RAM left to the firmware so file I/O keeps working" },
    { "temp_stub", 0, "off", set_temp_stub, "`45` or `40-85`: a fake sensor for virtual machines" },
    { "ap_timeout", "30s", 0, set_ap_timeout, "a CPU silent this long is fenced off: told to stop, its later reports ignored; the BSP re-tests its chunk once it has stopped (else the report says the chunk was not re-tested)" },
    { "debug_hang_cpu", "0", 0, set_debug_hang, "test hook: `N` makes that CPU hang mid-test for good, `N:8s` for 8 s before a barrier, then resume" },
    { "on_finish", "wait", 0, set_on_finish, "`shutdown` or `reboot` at the end" },
    { "coverage", "full", 0, set_coverage, "`full`: exit the firmware, test all RAM the OS could use on every CPU, results at the next boot; `firmware`: stay a UEFI app, files written live" },
    { "full_bsmem", "test", 0, set_full_bsmem, "`skip`: coverage=full leaves boot-services memory untested, for firmware whose runtime services still touch it" },
    { "debug_fault", "0", 0, set_debug_fault, "test hook: `1` the boot CPU, `2` the first AP faults on purpose after ExitBootServices (full coverage)" },
    { "debug_varstore_kib", "0", 0, set_debug_varstore, "test hook: full coverage behaves as if the UEFI variable store had only this many KiB free" },
    { "debug_full_fail", "none", 0, set_debug_full_fail, "test hook: `reset` resets right after ExitBootServices, before the first checkpoint; `exit` makes ExitBootServices fail (full coverage)" },
    { "debug_reset", "firmware", 0, set_debug_reset, "test hook: the warm reset after a full-coverage run starts at this fallback: `cf9`, `kbc` or `triple` (fault)" },
    { "debug_silent_cpu", "0", 0, set_debug_silent, "test hook: that AP (1 = the first) starts but never checks in (full coverage)" },
    { "hold_ms", "150", 0, set_hold, "retention dwell: each row untouched this long between write and verify (`0`: off); see below" },
    { "hammer_ms", "2000", 0, set_hammer_ms, "test 11 (row hammer): time per bank; each victim row gets up to 64 ms per pattern (a quarter of this when smaller)" },
    { "hammer_rowshift", "17", 0, set_hammer_rowshift, "test 11: the lowest row address bit (row = address >> this); banks come from `interleave`" },
    { "hammer_fence", "0", 0, set_hammer_fence, "test 11: `1` puts an mfence after each round of the aggressor pair (slower, for CPUs that reorder the flushes)" },
    { "ecc", "poll", 0, set_ecc, "`poll`: read every CPU's machine-check banks between blocks; corrected memory errors with a physical address become `ecc` cells (masked), others are reported; `off`: no polling" },
    { "usb", "auto", 0, set_usb, "`auto`: full coverage reads USB keyboards on xHCI controllers itself after the exit (and PS/2 too); `off`: leave every USB controller alone (PS/2 and serial keys only)" },
    { "seed", "0", 0, set_seed, "seed of the random patterns; `0`: from the TSC at start (new every boot); report.txt and session.log state it, `seed=0x...` replays a run" },
};

const struct config_key *config_keys(unsigned *n)
{
    *n = sizeof keys / sizeof keys[0];
    return keys;
}

const struct config_key *config_find_key(const char *name, size_t n)
{
    for (unsigned i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (match(name, n, keys[i].name))
            return &keys[i];
    return 0;
}

void config_defaults(struct wb_config *cfg)
{
    *cfg = (struct wb_config){ 0 };
    cfg->temp_stub_from = cfg->temp_stub_to = FAILBIT_NO_TEMP;
    for (unsigned i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (keys[i].def)
            keys[i].set(cfg, keys[i].def, str_len(keys[i].def));
    cfg->tests_given = 0;
    cfg->bitfade_set = 0;   /* the default is Memtest86+'s, cut on a quick first pass */
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
    size_t eq = 0;
    while (eq < n && tok[eq] != '=')
        eq++;
    if (eq == n || eq == 0) {
        problem(c, line, tok, n, "not key=value", "ignored");
        return;
    }
    const struct config_key *k = config_find_key(tok, eq);
    if (!k) {
        problem(c, line, tok, eq, "unknown key", "ignored");
        return;
    }
    const char *bad = k->set(cfg, tok + eq + 1, n - eq - 1);
    if (bad) {
        char hint[160];
        fmt_format(hint, sizeof hint, "%s; %s", bad, k->def ? "default kept" : "ignored");
        problem(c, line, tok, n, "bad value in", hint);
    }
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
