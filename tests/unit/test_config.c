// SPDX-License-Identifier: MIT
#include "check.h"
#include "core/config.h"
#include <string.h>

static char msgs[2048];

static void warn(void *ctx, const char *m)
{
    (void)ctx;
    strncat(msgs, m, sizeof msgs - strlen(msgs) - 2);
    strcat(msgs, "\n");
}

static unsigned parse(struct wb_config *c, const char *text)
{
    msgs[0] = 0;
    config_defaults(c);
    return config_parse(c, "weakbit.cfg", text, strlen(text), warn, 0);
}

TEST(config_defaults_match_contract)
{
    struct wb_config c;
    CHECK_EQ_U64(parse(&c, ""), 0);
    char t[64];
    config_tests_str(c.tests, t, sizeof t);
    CHECK_STR(t, "0,2-10");
    CHECK_EQ_U64(c.passes, 1);
    CHECK_EQ_U64(c.granule, 1 << 20);
    CHECK(c.on_finish == CFG_FINISH_WAIT);
    CHECK(c.mode == CFG_MODE_TEST);
    CHECK_EQ_U64(c.nranges, 0);
    CHECK_EQ_U64(c.reserve, 64 << 20);
    CHECK_EQ_U64(c.max_pairs, 20);
    CHECK(!c.tests_given && !c.focus_cells && c.focus_margin == 16 << 20);
    CHECK(c.temp_stub_from == FAILBIT_NO_TEMP);
    CHECK_EQ_U64(c.bitfade_ms, 240 * 1000);
    CHECK(!c.bitfade_set);
    CHECK_EQ_U64(c.hold_ms, 150);
    CHECK_EQ_U64(c.seed, 0);
}

TEST(config_debug_hang_for_a_while)
{
    struct wb_config h;
    CHECK_EQ_U64(parse(&h, "debug_hang_cpu=3:8s"), 0);
    CHECK(h.debug_hang_cpu == 3 && h.debug_hang_ms == 8000);
    CHECK_EQ_U64(parse(&h, "debug_hang_cpu=3:"), 1);
}

TEST(config_good_input)
{
    struct wb_config c;
    CHECK_EQ_U64(parse(&c, "# a comment\n"
                            "tests=3,5   # trailing comment\r\n"
                            "passes=0\n mode=stress duration=2h\n"
                            "cpus=3\ncpu_mode=sequential\n"
                            "range=0x100000000-0x140000000\nrange=0x1000-0x3000\n"
                            "granule=64K\nquick=1\non_finish=shutdown\nreserve=128M\n"
                            "interleave=ch:0x40\nmax_pairs=8\nfocus=cells focus_margin=4M\n"
                            "temp_stub=40-85\nbitfade_sleep=90s\nap_timeout=5s debug_hang_cpu=2\n"
                            "hold_ms=0 seed=0x5eed0123456789ab usb=off\n"), 0);
    CHECK(c.usb_off);
    CHECK(c.ap_timeout_s == 5 && c.debug_hang_cpu == 2 && c.debug_hang_ms == 0);
    CHECK_EQ_U64(c.bitfade_ms, 90000);
    CHECK(c.bitfade_set);
    CHECK_EQ_U64(c.hold_ms, 0);
    CHECK_EQ_U64(c.seed, 0x5eed0123456789abull);
    CHECK(c.focus_cells && c.focus_margin == 4 << 20 && c.tests_given);
    CHECK(c.temp_stub_from == 40 && c.temp_stub_to == 85);
    CHECK_EQ_U64(c.max_pairs, 8);
    CHECK_STR(msgs, "");
    CHECK_EQ_U64(c.tests, (1 << 3) | (1 << 5));
    CHECK_EQ_U64(c.passes, 0);
    CHECK(c.mode == CFG_MODE_STRESS);
    CHECK_EQ_U64(c.duration_s, 7200);
    CHECK_EQ_U64(c.cpus, 3);
    CHECK(c.cpu_mode == CFG_CPU_SEQUENTIAL);
    CHECK_EQ_U64(c.nranges, 2);
    CHECK_EQ_U64(c.ranges[0].base, 0x100000000ull);
    CHECK_EQ_U64(c.ranges[0].len, 0x40000000ull);
    CHECK_EQ_U64(c.ranges[1].base, 0x1000);
    CHECK_EQ_U64(c.granule, 65536);
    CHECK_EQ_U64(c.quick, 1);
    CHECK(c.on_finish == CFG_FINISH_SHUTDOWN);
    CHECK_EQ_U64(c.reserve, 128 << 20);
    CHECK_STR(c.interleave, "ch:0x40");
}

TEST(config_bad_input_keeps_defaults_and_says_why)
{
    struct wb_config c;
    unsigned n = parse(&c, "colour=blue\ntests=3-12\ngranule=3M\ngranule=1K\n"
                           "passes=x\nrange=0x5000-0x1000\non_finish=later\nquick=yes\n"
                           "justaword\ncpus=0\nduration=5d\ninterleave=ch\nfocus=dimm\ntemp_stub=hot\n"
                           "hold_ms=61000\nseed=0xnope\nusb=xhci\n");
    CHECK_EQ_U64(n, 17);
    CHECK(strstr(msgs, "line 17: bad value in 'usb=xhci': expected auto or off"));
    CHECK(strstr(msgs, "line 15: bad value in 'hold_ms=61000'"));
    CHECK(strstr(msgs, "line 16: bad value in 'seed=0xnope'"));
    CHECK(strstr(msgs, "line 12: bad value in 'interleave=ch': expected name:0xMASK"));
    CHECK(strstr(msgs, "weakbit.cfg line 1: unknown key 'colour'"));
    CHECK(strstr(msgs, "line 2: bad value in 'tests=3-12'"));
    CHECK(strstr(msgs, "line 3: bad value in 'granule=3M': expected a power of two"));
    CHECK(strstr(msgs, "line 9: not key=value 'justaword'"));
    CHECK(strstr(msgs, "line 11: bad value in 'duration=5d'"));
    struct wb_config d;
    config_defaults(&d);
    CHECK(memcmp(&c, &d, sizeof c) == 0);
}

TEST(config_load_options_on_one_line)
{
    struct wb_config c;
    msgs[0] = 0;
    config_defaults(&c);
    const char *opts = "tests=5 passes=2 on_finish=reboot";
    CHECK_EQ_U64(config_parse(&c, "load options", opts, strlen(opts), warn, 0), 0);
    CHECK_EQ_U64(c.tests, 1 << 5);
    CHECK_EQ_U64(c.passes, 2);
    CHECK(c.on_finish == CFG_FINISH_REBOOT);
}

TEST(config_sizes_and_granules)
{
    uint64_t v;
    CHECK(config_parse_size("4K", 2, &v) == 0 && v == 4096);
    CHECK(config_parse_size("0x1000", 6, &v) == 0 && v == 4096);
    CHECK(config_parse_size("2g", 2, &v) == 0 && v == 2ull << 30);
    CHECK(config_parse_size("", 0, &v) != 0);
    CHECK(config_parse_size("99999999999999999999", 20, &v) != 0);
    CHECK(config_parse_size("17179869184T", 12, &v) != 0);  /* overflows */
    CHECK(config_parse_granule("2K", 2, &v) != 0);
    CHECK(config_parse_granule("12K", 3, &v) != 0);
    CHECK(config_parse_granule("4K", 2, &v) == 0 && v == 4096);
}

/* The whole file, NUL-terminated, or NULL. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    static char buf[3][65536];
    static int next;
    char *b = buf[next++ % 3];
    size_t n = fread(b, 1, sizeof buf[0] - 1, f);
    fclose(f);
    b[n] = 0;
    return b;
}

/* README's config table: `| \`key\` | default | help |`, after the header row. */
TEST(config_readme_table_matches_key_table)
{
    unsigned nk;
    config_keys(&nk);
    char *doc = slurp("README.md");
    CHECK(doc != NULL);
    if (!doc)
        return;
    char *p = strstr(doc, "| key | default | meaning |");
    CHECK(p != NULL);
    if (!p)
        return;
    unsigned rows = 0;
    for (p = strchr(p, '\n') + 1; p && *p == '|'; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : 0) {
        char key[64], def[64], help[200];
        if (!strncmp(p, "|---", 4))
            continue;
        if (sscanf(p, "| `%63[^`]` | %63[^|]| %199[^\n]", key, def, help) != 3) {
            fprintf(stderr, "  README row not understood: %.60s\n", p);
            check_failed = 1;
            continue;
        }
        for (char *e = def + strlen(def); e > def && e[-1] == ' ';)
            *--e = 0;
        char *bar = strrchr(help, '|');
        if (bar)
            for (*bar = 0; bar > help && bar[-1] == ' ';)
                *--bar = 0;
        const struct config_key *want = config_find_key(key, strlen(key));
        if (!want) {
            fprintf(stderr, "  README lists '%s', which is no key\n", key);
            check_failed = 1;
            continue;
        }
        rows++;
        char wdef[80];
        snprintf(wdef, sizeof wdef, want->def ? "`%s`" : "%s", want->def ? want->def : want->unset);
        if (strcmp(def, wdef) || strcmp(help, want->help)) {
            fprintf(stderr, "  README row for '%s': '%s' / '%s', key table: '%s' / '%s'\n", key, def,
                    help, wdef, want->help);
            check_failed = 1;
        }
    }
    CHECK_EQ_U64(rows, nk);
}

/* boot/weakbit.cfg shows every key once, commented out at its default. */
TEST(config_default_file_matches_key_table)
{
    unsigned nk;
    const struct config_key *k = config_keys(&nk);
    char *cfg = slurp("boot/weakbit.cfg");
    CHECK(cfg != NULL);
    if (!cfg)
        return;
    unsigned seen[64] = { 0 };
    for (char *p = cfg; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : 0) {
        size_t len = strcspn(p, "\n"), eq = strcspn(p, "=\n");
        if (p[0] != '#' || eq >= len || eq < 2 || strcspn(p + 1, " =") != eq - 1)
            continue;   /* prose, not "#key=value" */
        const struct config_key *want = config_find_key(p + 1, eq - 1);
        if (!want) {
            fprintf(stderr, "  weakbit.cfg shows '%.*s', which is no key\n", (int)(eq - 1), p + 1);
            check_failed = 1;
            continue;
        }
        seen[want - k]++;
        if (want->def && (len - eq - 1 != strlen(want->def) || strncmp(p + eq + 1, want->def, len - eq - 1))) {
            fprintf(stderr, "  weakbit.cfg: %.*s, default is %s\n", (int)len, p, want->def);
            check_failed = 1;
        }
    }
    CHECK(nk <= 64);
    for (unsigned i = 0; i < nk && i < 64; i++)
        if (seen[i] != 1) {
            fprintf(stderr, "  weakbit.cfg shows '%s' %u times\n", k[i].name, seen[i]);
            check_failed = 1;
        }
}
