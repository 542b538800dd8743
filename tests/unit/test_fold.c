// SPDX-License-Identifier: MIT
// Load shedding: rows until the cap or a full ring, then summary records;
// the numbers add up; the summary line round-trips; a summary's cover cells
// span its whole range.
#include "check.h"
#include "core/badram.h"
#include "core/cells.h"
#include "core/errcsv.h"
#include "core/fold.h"
#include <stdio.h>
#include <string.h>

static struct fold f;

TEST(fold_rows_until_cap_then_summaries_and_it_adds_up)
{
    fold_init(&f, 100);
    uint64_t counted = 0, rows_words = 0, words_in_sums = 0;
    /* 300 words with one bad bit each, 8 bytes apart, on two CPUs; every
     * tenth arrives from a ring that had to shed load. */
    for (unsigned i = 0; i < 300; i++) {
        unsigned cpu = i & 1;
        counted++;
        if (fold_word(&f, cpu, 0, 5, i, 0x100000 + i * 8ull, 0, 1ull << 17, 0, i % 10 == 9)) {
            fold_rows_written(&f, 1, 1);
            rows_words++;
        }
    }
    const struct failsum *s;
    unsigned n = fold_take_closed(&f, &s);
    CHECK(n >= 2);   /* one per CPU at least */
    for (unsigned k = 0; k < n; k++) {
        words_in_sums += s[k].words;
        CHECK_EQ_U64(s[k].bits, 1ull << 17);
        CHECK_EQ_U64(s[k].test, 5);
        CHECK(s[k].lo >= 0x100000 && s[k].hi < 0x100000 + 300 * 8);
    }
    CHECK_EQ_U64(f.acct.rows, 100);         /* exactly the cap */
    CHECK_EQ_U64(f.acct.row_words, rows_words);
    CHECK_EQ_U64(f.acct.summarised, words_in_sums);
    CHECK_EQ_U64(f.acct.row_words + f.acct.summarised, counted);
    CHECK_EQ_U64(fold_lost(&f.acct, counted), 0);
    CHECK_EQ_U64(fold_lost(&f.acct, counted + 3), 3);   /* a word that went nowhere shows */
    CHECK_EQ_U64(f.acct.summaries, n);
}

TEST(fold_far_apart_words_do_not_share_a_summary)
{
    fold_init(&f, 0);   /* everything folds */
    fold_word(&f, 1, 0, 3, 1, 0x1000000, 0, 4, 0, 0);
    fold_word(&f, 1, 0, 3, 2, 0x1000008, 0, 8, 0, 0);
    fold_word(&f, 1, 0, 3, 3, 0x9000000, 0, 4, 0, 0);     /* 128 MiB away */
    fold_word(&f, 1, 0, 4, 4, 0x9000008, 0, 4, 1, 0);     /* another test */
    const struct failsum *s;
    CHECK_EQ_U64(fold_take_closed(&f, &s), 3);
    CHECK(s[0].lo == 0x1000000 && s[0].hi == 0x1000008 && s[0].bits == 12 && s[0].words == 2);
    CHECK(s[1].lo == 0x9000000 && s[1].words == 1 && s[1].test == 3);
    CHECK(s[2].test == 4 && s[2].flags == FAILBIT_ADDR_UNCERTAIN);
    fold_summaries_lost(&f, 1, 2);
    CHECK_EQ_U64(f.acct.unwritten, 2);
    CHECK_EQ_U64(fold_lost(&f.acct, 4), 2);
}

TEST(fold_closed_list_full_widens_never_drops)
{
    fold_init(&f, 0);
    for (unsigned i = 0; i < FOLD_CLOSED + 50; i++)   /* each far from the last */
        fold_word(&f, 0, 0, 5, i, (uint64_t)i << 24, 0, 1, 0, 1);
    const struct failsum *s;
    unsigned n = fold_take_closed(&f, &s);
    CHECK_EQ_U64(n, FOLD_CLOSED);
    uint64_t words = 0;
    for (unsigned k = 0; k < n; k++)
        words += s[k].words;
    CHECK_EQ_U64(words, FOLD_CLOSED + 50);
    CHECK_EQ_U64(s[n - 1].hi, (uint64_t)(FOLD_CLOSED + 49) << 24);
}

TEST(fold_summary_line_round_trips)
{
    struct failsum a = { .first_ms = 12345, .last_ms = 13000, .pass = 1, .test = 5, .cpu = 3,
                         .lo = 0x3ff0000, .hi = 0x400fff8, .bits = 1ull << 42 | 1, .words = 16384,
                         .flags = 0 }, b;
    char line[256];
    memset(&b, 0, sizeof b);
    size_t n = errcsv_summary_line(line, sizeof line, &a);
    CHECK_STR(line, "# summary 12.345-13.000 pass 1 test 5 cpu 3 words 16384 bits 0x0000040000000001 "
                    "range 0x3ff0000-0x400fff8 uncertain 0\n");
    CHECK_EQ_U64(errcsv_parse_summary(line, n - 1, &b), 0);
    CHECK(a.first_ms == b.first_ms && a.last_ms == b.last_ms && a.pass == b.pass && a.test == b.test &&
          a.cpu == b.cpu && a.lo == b.lo && a.hi == b.hi && a.bits == b.bits && a.words == b.words &&
          a.flags == b.flags);
    /* Older readers skip it: it is a comment. */
    struct failbit row;
    CHECK_EQ_U64(errcsv_parse(line, n - 1, &row), ERRCSV_SKIP);
    static const char *const bad[] = {
        "# summary 1.000-2.000 pass 0 test 5 cpu 0 words 0 bits 0x1 range 0x0-0x8 uncertain 0",
        "# summary 1.000-2.000 pass 0 test 5 cpu 0 words 1 bits 0x1 range 0x8-0x0 uncertain 0",
        "# summary 1.000-2.000 pass 0 test 5 cpu 0 words 1 bits 0x1 range 0x1-0x8 uncertain 0",
        "# summary 1.000-2.000 pass 0 test 5 cpu 0 words 1 bits 0x1 range 0x0-0x8",
        "# summary 1.000 pass 0 test 5 cpu 0 words 1 bits 0x1 range 0x0-0x8 uncertain 0",
        "# session 2026 start 2026-01-01 00:00:00",
    };
    for (unsigned i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK_EQ_U64(errcsv_parse_summary(bad[i], strlen(bad[i]), &b), (uint64_t)-1);
}

TEST(fold_cover_spans_the_whole_range)
{
    static struct cell mem[8192];
    struct cell_table t;
    cells_init(&t, mem, 8192);
    struct failsum s = { .lo = 0x3ff0008, .hi = 0x4010000, .bits = 1u << 9, .words = 9, .test = 5 };
    uint64_t cur = 0, lo = ~0ull, hi = 0;
    struct failbit r;
    unsigned n = 0;
    while (fold_cover_next(&s, &cur, &r)) {
        CHECK(r.addr >= s.lo && r.addr <= s.hi && r.bit == 9);
        lo = r.addr < lo ? r.addr : lo;
        hi = r.addr > hi ? r.addr : hi;
        cells_add(&t, &r);
        n++;
    }
    CHECK_EQ_U64(lo, s.lo);
    CHECK_EQ_U64(hi, s.hi);
    /* Every 4 KiB page of the range holds a cell. */
    CHECK_EQ_U64(n, (0x4010000 - 0x3ff0000) / 4096 + 1);
    CHECK_EQ_U64(t.n, n);
    /* A huge range stays near 4096 records. */
    struct failsum big = { .lo = 0, .hi = 64ull << 30, .bits = 1, .words = 2 };
    cur = 0;
    n = 0;
    while (fold_cover_next(&big, &cur, &r))
        n++;
    CHECK(n > 2048 && n <= 4098);
}

/* Load one errors.csv text through the reader, as the app's history
 * loader does: rows into the table, summaries as their cover. Returns the
 * session lines seen. */
struct loaded {
    struct cell_table *t;
    unsigned sessions;
};

static int load_line(void *ctx, const struct errcsv_line *l)
{
    struct loaded *ld = ctx;
    if (l->kind == ERRCSV_ROW) {
        cells_add(ld->t, l->row);
    } else if (l->kind == ERRCSV_SESSION) {
        ld->sessions++;
    } else if (l->kind == ERRCSV_SUMMARY) {
        uint64_t cur = 0;
        struct failbit r;
        while (fold_cover_next(l->summary, &cur, &r))
            cells_add(ld->t, &r);
    }
    return 0;
}

static unsigned load_csv(struct cell_table *t, const char *text)
{
    struct loaded ld = { t, 0 };
    struct errcsv_reader r;
    errcsv_reader_init(&r, load_line, &ld);
    errcsv_reader_feed(&r, text, strlen(text));
    errcsv_reader_finish(&r);
    return ld.sessions;
}

static int line_covers(const char *line, uint64_t a)
{
    struct cover_pair pr[64];
    int n = badram_parse_line(line, strlen(line), pr, 64);
    for (int i = 0; i < n; i++)
        if ((a & pr[i].mask) == (pr[i].addr & pr[i].mask))
            return 1;
    return 0;
}

/* The line after `prefix` up to its newline, in a fresh buffer. */
static const char *line_after(const char *text, const char *prefix, char *buf, size_t cap)
{
    const char *s = strstr(text, prefix);
    if (!s)
        return "";
    s += strlen(prefix);
    size_t n = strcspn(s, "\n");
    n = n < cap - 1 ? n : cap - 1;
    memcpy(buf, s, n);
    buf[n] = 0;
    return buf;
}

/* Session 1 found an intermittent cell at 0x20000008 and, folded, a dead
 * column at 0x3ff0000-0x400fff8; session 2 (today) found only 0x50000010.
 * badram.txt's GRUB_BADRAM line covers all three; the session-only line,
 * a comment, covers only today's. */
TEST(badram_cumulative_over_two_sessions)
{
    static const char s1[] =
        ERRCSV_HEADER
        "# session 20260101-aaaa start 2026-01-01 10:00:00\n"
        "12.000,0,5,0,0x20000008,17,0x0000000000000000,0x0000000000020000,,0\n"
        "# summary 13.000-14.500 pass 0 test 5 cpu 1 words 16384 bits 0x0000000000000200 "
        "range 0x3ff0000-0x400fff8 uncertain 0\n";
    static const char s2[] =
        "# session 20260102-bbbb start 2026-01-02 10:00:00\n"
        "3.000,0,5,0,0x50000010,3,0xffffffffffffffff,0xfffffffffffffff7,,0\n";
    static struct cell km[16384], sm[1024], am[32768];
    struct cell_table known, sess, all;
    cells_init(&known, km, 16384);
    cells_init(&sess, sm, 1024);
    cells_init(&all, am, 32768);
    /* At start the app reads errors.csv: both sessions' lines are history,
     * then today's rows are this session's cells too. */
    char both[1024];
    snprintf(both, sizeof both, "%s%s", s1, s2);
    CHECK_EQ_U64(load_csv(&known, both), 2);
    load_csv(&sess, s2);
    CHECK_EQ_U64(cells_merge(&all, &known), 0);
    CHECK_EQ_U64(cells_merge(&all, &sess), 0);
    const struct cell *c = cells_find(&all, 0x50000010, 3);
    CHECK(c && c->count == 2);   /* seen in the history and today: both counted */
    static struct cell as[32768], ss[1024];
    unsigned na = cells_sorted_copy(&all, as, 32768), ns = cells_sorted_copy(&sess, ss, 1024);
    static uint64_t ag[256], sg[256];
    static struct cover_pair ap[256], sp[256];
    struct badram_set aset, sset;
    struct badram_req ar = { 1 << 20, 20, 1ull << 33, "", ag, ap, 256, NULL, 0 }, sr = ar;
    sr.gran = sg;
    sr.pairs = sp;
    CHECK_EQ_U64(badram_from_cells(&aset, as, na, &ar, NULL, BADRAM_ALL), 0);
    CHECK_EQ_U64(badram_from_cells(&sset, ss, ns, &sr, NULL, BADRAM_ALL), 0);
    static char out[16384];
    struct sbuf sb;
    sbuf_init(&sb, out, sizeof out);
    badram_render_cumulative(&sb, &aset, &sset, 2);
    char l1[2048], l2[2048];
    const char *grub = line_after(out, "", l1, sizeof l1);   /* the first line */
    CHECK(!strncmp(grub, "GRUB_BADRAM=\"", 13));
    CHECK(line_covers(grub, 0x20000008));
    CHECK(line_covers(grub, 0x3ff0000));
    CHECK(line_covers(grub, 0x4000000));   /* the folded range crosses a 1 MiB granule */
    CHECK(line_covers(grub, 0x400fff8));
    CHECK(line_covers(grub, 0x50000010));
    CHECK(!line_covers(grub, 0x60000000));
    const char *today = line_after(out, "# this session only (1 bad granule): ", l2, sizeof l2);
    CHECK(!strncmp(today, "GRUB_BADRAM=\"", 13));
    CHECK(line_covers(today, 0x50000010));
    CHECK(!line_covers(today, 0x20000008));
    CHECK(strstr(out, "paste the GRUB_BADRAM line above") != NULL);
    /* Exactly one uncommented GRUB_BADRAM line. */
    unsigned lines = 0;
    for (const char *p = out; (p = strstr(p, "GRUB_BADRAM=")); p++)
        lines += p == out || p[-1] == '\n';
    CHECK_EQ_U64(lines, 1);
}
