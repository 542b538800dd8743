// SPDX-License-Identifier: MIT
// The rules of a run without QEMU: rows and the row cap, new vs re-seen
// cells, per-test accounting, the summary line and badram.txt.
#include "check.h"
#include "core/errcsv.h"
#include "core/session.h"
#include <stdlib.h>
#include <string.h>

#define CELLS 1024
#define GRAN 256

struct fixture {
    struct session s;
    struct cell cells[CELLS], known[CELLS], sorted[CELLS];
    uint64_t gran[GRAN];
    struct cover_pair pairs[GRAN];
    struct session_out out;
    char csv[1 << 16];
    struct sbuf sb;
};

static struct fixture *setup(void)
{
    struct fixture *f = calloc(1, sizeof *f);
    session_init(&f->s, f->cells, CELLS, f->known, CELLS);
    session_start(&f->s, "2026-12-01 10:20:30", 0xbeef);
    sbuf_init(&f->sb, f->csv, sizeof f->csv);
    f->s.plan.ram_top = 8ull << 30;
    return f;
}

static void finish(struct fixture *f)
{
    struct session_platform pf = { .firmware = "test", .serial_route = "none", .temp_source = "n/a",
                                   .cpus_used = 1, .cpus_found = 1, .total_ms = 1000 };
    f->out.sorted = f->sorted, f->out.cap_cells = CELLS;
    f->out.gran = f->gran, f->out.pairs = f->pairs, f->out.cap_gran = GRAN;
    session_finish(&f->s, &pf, &f->out);
}

static int starts(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

static unsigned count_lines(const char *s, const char *prefix)
{
    unsigned n = 0;
    for (const char *p = s; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : 0)
        n += !strncmp(p, prefix, strlen(prefix));
    return n;
}

TEST(session_id_and_csv_start)
{
    struct fixture *f = setup();
    CHECK_STR(f->s.id, "20261201102030-beef");
    char buf[256];
    size_t n = session_csv_start(&f->s, 1, buf, sizeof buf);
    CHECK_EQ_U64(n, strlen(buf));
    CHECK(!strncmp(buf, ERRCSV_HEADER, strlen(ERRCSV_HEADER)));
    CHECK(strstr(buf, "# session 20261201102030-beef start 2026-12-01 10:20:30\n") != 0);
    n = session_csv_start(&f->s, 0, buf, sizeof buf);
    CHECK(starts(buf, "# session "));
    free(f);
}

TEST(session_error_rows_and_cells)
{
    struct fixture *f = setup();
    const struct mt_test *t5 = mt_find(5);
    session_test_begin(&f->s, t5);
    struct session_cell_news news[64];
    /* Two bits wrong in one word: two rows, two new cells. */
    unsigned n = session_take_error(&f->s, 1, 0x400000, 0, 0x20004, 1500, 0, 47, &f->sb, news);
    CHECK_EQ_U64(n, 2);
    CHECK_EQ_U64(news[0].fb.bit, 2);
    CHECK_EQ_U64(news[1].fb.bit, 17);
    CHECK(!news[0].reseen);
    CHECK_EQ_U64(f->s.error_words, 1);
    CHECK_EQ_U64(f->s.error_rows, 2);
    CHECK_EQ_U64(count_lines(f->csv, "1.500,0,5,1,0x400000,"), 2);
    /* Each row parses back into the same failing bit. */
    struct failbit fb;
    CHECK(errcsv_parse(f->csv, strchr(f->csv, '\n') - f->csv, &fb) == ERRCSV_ROW);
    CHECK_EQ_U64(fb.addr, 0x400000);
    CHECK_EQ_U64(fb.bit, 2);
    CHECK_EQ_U64(fb.temp_c, 47);
    /* The same word again: rows, but no news. */
    n = session_take_error(&f->s, 0, 0x400000, 0, 0x4, 1600, 0, FAILBIT_NO_TEMP, &f->sb, news);
    CHECK_EQ_U64(n, 0);
    CHECK_EQ_U64(f->s.cells.n, 2);
    CHECK_EQ_U64(f->s.new_cells, 2);
    CHECK_EQ_U64(f->s.last_new.bit, 17);
    free(f);
}

TEST(session_new_vs_reseen_against_history)
{
    struct fixture *f = setup();
    struct failbit old = { .addr = 0x36a7abcd8ull, .bit = 42, .time_ms = 5 };
    cells_add(&f->s.known, &old);
    session_test_begin(&f->s, mt_find(3));
    struct session_cell_news news[64];
    CHECK_EQ_U64(session_take_error(&f->s, 0, 0x36a7abcd8ull, 1ull << 42, 0, 10, 0, 50, &f->sb, news), 1);
    CHECK(news[0].reseen);
    CHECK_EQ_U64(session_take_error(&f->s, 0, 0x1000, 1, 0, 20, 0, 50, &f->sb, news), 1);
    CHECK(!news[0].reseen);
    CHECK_EQ_U64(f->s.reseen_cells, 1);
    CHECK_EQ_U64(f->s.new_cells, 1);
    char line[200];
    session_news_line(&f->s, &news[0], line, sizeof line);
    CHECK_STR(line, "new cell 0x1000 bit 0 test 3 pass 1 cpu 0 temp 50 C");
    struct sbuf sb;
    char buf[4096];
    sbuf_init(&sb, buf, sizeof buf);
    session_lines(&f->s, "stub", &sb);
    CHECK(strstr(buf, "new cells this session: 1\n  0x1000 bit 0,") != 0);
    CHECK(strstr(buf, "re-seen cells (recorded by an earlier session): 1\n  0x36a7abcd8 bit 42,") != 0);
    free(f);
}

TEST(session_row_cap_folds_into_summaries)
{
    struct fixture *f = setup();
    session_test_begin(&f->s, mt_find(5));
    struct session_cell_news news[64];
    /* Just below the cap: a word with 3 bad bits would cross it, so it is
     * folded whole; one with 1 bit still fits; then the cap is reached. */
    f->s.fold.acct.rows = SESSION_MAX_ROWS - 1;
    session_take_error(&f->s, 0, 0x800000, 0, 7, 1, 0, FAILBIT_NO_TEMP, &f->sb, news);
    CHECK_EQ_U64(f->sb.len, 0);
    session_take_error(&f->s, 0, 0x700000, 0, 1, 2, 0, FAILBIT_NO_TEMP, &f->sb, news);
    CHECK_EQ_U64(count_lines(f->csv, "0.002,"), 1);
    f->sb.len = 0;
    f->csv[0] = 0;
    session_take_error(&f->s, 0, 0x800008, 0, 1, 2, 0, FAILBIT_NO_TEMP, &f->sb, news);
    CHECK_EQ_U64(f->sb.len, 0);
    CHECK_EQ_U64(f->s.fold.acct.summarised, 2);
    uint64_t words;
    CHECK_EQ_U64(session_take_summaries(&f->s, &f->sb, &words, NULL, NULL), 1);
    CHECK_EQ_U64(words, 2);
    CHECK(starts(f->csv, "# summary 0.001-0.002 pass 0 test 5 cpu 0 words 2 bits 0x0000000000000007 "
                         "range 0x800000-0x800008 uncertain 0\n"));
    /* The summary's range is in the cell table (for badram.txt). */
    CHECK(cells_find(&f->s.cells, 0x800000, 0) != 0);
    CHECK(cells_find(&f->s.cells, 0x800008, 0) != 0);
    /* A failed write moves rows and summaries to the lost side. */
    session_write_failed(&f->s, 0, 0, 1, 2);
    CHECK_EQ_U64(fold_lost(&f->s.fold.acct, 3), 2);   /* 3 counted, 1 row written */
    session_rows_lost(&f->s, 5);
    CHECK_EQ_U64(f->s.rows_unlogged, 5);
    free(f);
}

/* A ring that had to make its CPU wait sheds load: its words are folded,
 * and the report's numbers add up. */
TEST(session_shed_words_are_summarised_and_accounted)
{
    struct fixture *f = setup();
    session_test_begin(&f->s, mt_find(5));
    struct session_cell_news news[64];
    for (unsigned i = 0; i < 100; i++)
        session_take_error(&f->s, 1, 0x1000000 + i * 8ull, 0, 1ull << 17, i, i % 2 ? FOLD_SHED : 0,
                           FAILBIT_NO_TEMP, &f->sb, news);
    uint64_t words;
    session_take_summaries(&f->s, &f->sb, &words, NULL, NULL);
    CHECK_EQ_U64(words, 50);
    CHECK_EQ_U64(count_lines(f->csv, "0."), 50);
    session_test_end(&f->s, mt_find(5), 100, 1000, 0, 0);
    session_pass_end(&f->s);
    struct session_platform pf = { .firmware = "test", .serial_route = "none", .temp_source = "n/a",
                                   .cpus_used = 1, .cpus_found = 1, .total_ms = 1000, .counted = 100 };
    f->out.sorted = f->sorted, f->out.cap_cells = CELLS;
    f->out.gran = f->gran, f->out.pairs = f->pairs, f->out.cap_gran = GRAN;
    session_finish(&f->s, &pf, &f->out);
    char buf[8192];
    struct sbuf sb;
    sbuf_init(&sb, buf, sizeof buf);
    session_summary_text(&f->out, &sb);
    CHECK(strstr(buf, "\nerrors: 100 counted, 50 rows written (50 errors), 50 summarised (1 record), 0 lost\n") != 0);
    /* One word the kernels counted that went nowhere shows as lost. */
    pf.counted = 101;
    session_finish(&f->s, &pf, &f->out);
    sbuf_init(&sb, buf, sizeof buf);
    session_summary_text(&f->out, &sb);
    CHECK(strstr(buf, ", 1 lost\n") != 0);
    free(f);
}

/* badram.txt covers the history's cells too; today's line is a comment. */
TEST(session_badram_covers_every_session)
{
    struct fixture *f = setup();
    static struct cell all[4096], all_sorted[4096];
    static uint64_t ag[GRAN];
    static struct cover_pair ap[GRAN];
    struct failbit old = { .addr = 0x20000008, .bit = 17 };
    cells_add(&f->s.known, &old);
    f->s.hist.sessions = 1;
    session_test_begin(&f->s, mt_find(5));
    struct session_cell_news news[64];
    session_take_error(&f->s, 0, 0x50000010, 0, 8, 1, 0, FAILBIT_NO_TEMP, &f->sb, news);
    f->out.all_mem = all, f->out.all_sorted = all_sorted, f->out.cap_all = 4096;
    f->out.all_gran = ag, f->out.all_pairs = ap;
    finish(f);
    char buf[8192];
    struct sbuf sb;
    sbuf_init(&sb, buf, sizeof buf);
    session_badram_text(&f->out, &sb);
    CHECK(starts(buf, "GRUB_BADRAM=\"0x20000000,0x7ffffffffff00000,0x50000000,0x7ffffffffff00000\"\n"));
    CHECK(strstr(buf, "# the lines above cover every cell recorded on this volume (2 sessions, 2 bad granules)") != 0);
    CHECK(strstr(buf, "\n# this session only (1 bad granule): GRUB_BADRAM=\"0x50000000,0x7ffffffffff00000\"\n") != 0);
    free(f);
}

TEST(session_per_test_accounting_and_passes)
{
    struct fixture *f = setup();
    f->s.cfg.passes = 2;
    f->s.cfg.quick = 1;
    f->s.test_bytes = 64 << 20;
    const struct mt_test *t5 = mt_find(5);
    CHECK(session_more_passes(&f->s));
    unsigned it1 = session_test_begin(&f->s, t5);
    CHECK_EQ_U64(it1, mt_iterations(t5, 1, 0));
    session_test_end(&f->s, t5, 3, 1200, 100, 0);
    session_pass_end(&f->s);
    CHECK(session_more_passes(&f->s));
    unsigned it2 = session_test_begin(&f->s, t5);
    CHECK_EQ_U64(it2, t5->iterations);   /* only the first pass is quick */
    f->s.skip = 1;
    session_test_end(&f->s, t5, 1, 800, 50, 1);
    session_pass_end(&f->s);
    CHECK(!session_more_passes(&f->s));
    CHECK_EQ_U64(f->s.passes_done, 2);
    CHECK_EQ_U64(f->s.nrt, 1);
    CHECK_EQ_U64(f->s.rt[0].runs, 2);
    CHECK_EQ_U64(f->s.rt[0].ms, 2000);
    CHECK_EQ_U64(f->s.rt[0].error_words, 4);
    CHECK_EQ_U64(f->s.rt[0].skipped_runs, 1);
    CHECK_EQ_U64(f->s.bytes_moved, 150);
    /* A test this build lacks is reported once. */
    struct mt_test none = { .num = 1, .name = "x" };
    CHECK(session_test_unavailable(&f->s, &none));
    CHECK(!session_test_unavailable(&f->s, &none));
    /* Stopping ends the passes and does not count the broken one. */
    f->s.stop = 1;
    CHECK(!session_more_passes(&f->s));
    free(f);
}

TEST(session_stress_defaults)
{
    struct fixture *f = setup();
    f->s.cfg.mode = CFG_MODE_STRESS;
    session_config_done(&f->s);
    CHECK_EQ_U64(f->s.cfg.tests, 1u << 5);
    f->s.cfg.tests = 1u << 3;
    f->s.cfg.tests_given = 1;
    session_config_done(&f->s);
    CHECK_EQ_U64(f->s.cfg.tests, 1u << 3);
    CHECK(session_more_passes(&f->s));   /* stress loops until the clock stops it */
    free(f);
}

TEST(session_summary_and_badram)
{
    struct fixture *f = setup();
    f->s.plan.test[0] = (struct mem_range){ 0x100000, 1ull << 30 };
    f->s.plan.ntest = 1;
    f->s.test_bytes = memplan_test_bytes(&f->s.plan);
    session_test_begin(&f->s, mt_find(5));
    struct session_cell_news news[64];
    session_take_error(&f->s, 0, 0x400000, 0, 1ull << 17, 100, 0, FAILBIT_NO_TEMP, &f->sb, news);
    session_take_error(&f->s, 1, 0x39e2a000, 0, 1ull << 42, 200, 0, FAILBIT_NO_TEMP, &f->sb, news);
    session_take_error(&f->s, 1, 0x39e2a000, 0, 1ull << 42, 300, 0, FAILBIT_NO_TEMP, &f->sb, news);
    session_test_end(&f->s, mt_find(5), 3, 1000, 0, 0);
    session_pass_end(&f->s);
    finish(f);
    char buf[8192];
    struct sbuf sb;
    sbuf_init(&sb, buf, sizeof buf);
    session_summary_text(&f->out, &sb);
    CHECK(starts(buf, "result: FAIL: 3 errors, 2 weak cells, 1 pass over 1 GiB in 1.0 s, tested "));
    CHECK(strstr(buf, "  weak cell 0x39e2a000 bit 42: 2 errors\n") != 0);
    sbuf_init(&sb, buf, sizeof buf);
    session_badram_text(&f->out, &sb);
    CHECK(starts(buf, "GRUB_BADRAM=\"0x400000,0x7ffffffffff00000,0x39e00000,0x7ffffffffff00000\"\n"));
    CHECK(strstr(buf, "\nbadram 0x400000,0x7ffffffffff00000,0x39e00000,0x7ffffffffff00000\n") != 0);
    /* The table survives the report: still searchable by hash. */
    CHECK(cells_find(&f->s.cells, 0x39e2a000, 42) != 0);
    free(f);
}

TEST(session_no_errors_empty_line)
{
    struct fixture *f = setup();
    finish(f);
    char buf[4096];
    struct sbuf sb;
    sbuf_init(&sb, buf, sizeof buf);
    session_badram_text(&f->out, &sb);
    CHECK(starts(buf, "GRUB_BADRAM=\"\"\n"));
    sbuf_init(&sb, buf, sizeof buf);
    session_summary_text(&f->out, &sb);
    CHECK(starts(buf, "result: PASS: 0 errors, 0 weak cells"));
    free(f);
}

/* The boot after a full-coverage run: the same accounting line as firmware
 * mode (every word a row or summarised, 0 lost), the cells that lie only in
 * summary ranges counted in the result, and widened granules stated. */
TEST(session_handed_over_accounting)
{
    struct fixture *f = setup();
    f->s.error_words = 40;
    f->s.error_rows = 12;
    f->s.fold.acct = (struct fold_acct){ .words = 40, .row_words = 10, .rows = 12, .summarised = 30, .summaries = 2 };
    f->s.handed = (struct session_handed){ .on = 1, .cells_total = 7 };
    struct session_platform pf = { .firmware = "test", .serial_route = "none", .temp_source = "n/a",
                                   .cpus_used = 1, .cpus_found = 1, .total_ms = 1000 };
    f->out.sorted = f->sorted, f->out.cap_cells = CELLS;
    f->out.gran = f->gran, f->out.pairs = f->pairs, f->out.cap_gran = GRAN;
    session_finish(&f->s, &pf, &f->out);
    static char buf[65536];
    struct sbuf sb;
    sbuf_init(&sb, buf, sizeof buf);
    session_report_text(&f->out, &sb);
    CHECK(strstr(buf, "errors: 40 counted, 12 rows written (10 errors), 30 summarised (2 records), 0 lost\n") != 0);
    CHECK(strstr(buf, "result: FAIL: 40 errors, 7 weak cells") != 0);
    CHECK(strstr(buf, "7 more cells lie in summary ranges") != 0);
    CHECK(strstr(buf, "merged to fit") == 0);
    f->s.handed.gran_widened = 3 << 20;
    session_finish(&f->s, &pf, &f->out);
    sbuf_init(&sb, buf, sizeof buf);
    session_report_text(&f->out, &sb);
    CHECK(strstr(buf, "bad granules merged to fit the hand-off record: 3145728 bytes") != 0);
    free(f);
}

/* Tested means swept: a run stopped in its first sweep says how much it
 * covered, not what it planned. */
TEST(session_stopped_run_reports_what_was_swept)
{
    struct fixture *f = setup();
    f->s.plan.test[0] = (struct mem_range){ 0x100000, 1ull << 30 };
    f->s.plan.ntest = 1;
    f->s.plan.ram_total = 2ull << 30;
    f->s.test_bytes = memplan_test_bytes(&f->s.plan);
    session_test_begin(&f->s, mt_find(5));
    session_test_end(&f->s, mt_find(5), 0, 1000, 0, 1);
    session_test_swept(&f->s, 5, 256ull << 20);
    f->s.stop = f->s.user_stop = 1;
    session_pass_end(&f->s);
    finish(f);
    static char buf[65536];
    struct sbuf sb;
    sbuf_init(&sb, buf, sizeof buf);
    session_report_text(&f->out, &sb);
    CHECK(strstr(buf, "result: INCOMPLETE: 0 errors, 0 weak cells, 0 passes over 256 MiB in 1.0 s, tested 256 of 2048 MiB (12.5 %)") != 0);
    CHECK(strstr(buf, "stopped before a first complete sweep: 268435456 of the planned 1073741824 bytes were swept") != 0);
    free(f);
}
