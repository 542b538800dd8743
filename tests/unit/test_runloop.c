// SPDX-License-Identifier: MIT
// The one engine without QEMU: the run loop, the scheduler and the error
// sink together on one CPU over the simulated memory, driven by a fake
// platform whose keys are scripted. S skips the running test, P holds the
// run until the next key, Esc stops it; a stuck bit reaches the session
// through the sink, in rows (firmware mode) or in the carry (full
// coverage), with the same cell and count either way.
#include "check.h"
#include "core/errsink.h"
#include "core/runloop.h"
#include "sim/simmem.h"
#include <stdlib.h>
#include <string.h>

#define BASE 0x100000ull
#define LEN (4ull << 20)
#define CELLS 1024
#define STUCK_ADDR (BASE + 0x12340)

static char out[1 << 16];
static size_t out_len;
static uint64_t fake_ms, fake_tsc;
static int keys[8], nkeys, key_at[8], key_calls;
static char csv[1 << 16];
static size_t csv_len;

static void p_line(int alert, const char *text)
{
    (void)alert;
    out_len += fmt_format(out + out_len, sizeof out - out_len, "%s", text);
}

static void p_status(const char *text, int moved)
{
    (void)text, (void)moved;
}

static struct conout con = { .line = p_line, .status = p_status, .last_key = ~0u };

/* Key i comes at the key_at[i]-th read. */
static int p_key(void)
{
    key_calls++;
    for (int i = 0; i < nkeys; i++)
        if (key_at[i] == key_calls)
            return keys[i];
    return 0;
}

static uint64_t p_now(void)
{
    return fake_ms += 30;
}

static int p_temp(void)
{
    return FAILBIT_NO_TEMP;
}

static void p_idle(void)
{
}

static uint64_t tsc(void)
{
    return fake_tsc += 1000;   /* 1 us a call at 1e6 ticks per ms */
}

static uint64_t tsc_ms(uint64_t t)
{
    return t / 1000000;
}

static int write_rows(void *ctx, const char *buf, size_t len)
{
    (void)ctx;
    if (csv_len + len > sizeof csv)
        return -1;
    memcpy(csv + csv_len, buf, len);
    csv_len += len;
    return 0;
}

static const struct platform plat = { .con = &con, .key = p_key,
                                      .now_ms = p_now, .temperature = p_temp, .idle = p_idle, .tag = "",
                                      .esc_note = "" };
static const struct errsink_ops fw_ops = { .write = write_rows, .con = &con,
                                           .now_ms = p_now, .tsc_ms = tsc_ms, .temperature = p_temp,
                                           .more_where = "see errors.csv" };
static const struct errsink_ops full_ops = { .con = &con, .now_ms = p_now,
                                             .tsc_ms = tsc_ms, .temperature = p_temp,
                                             .more_where = "the next boot" };

struct engine {
    struct session s;
    struct cell cells[CELLS], known[CELLS];
    struct sched q;
    struct errsink k;
    struct runloop r;
    struct sched_hooks hk;
    struct session_carry carry;
    char rows[1 << 15];
};

static struct engine *engine(uint32_t tests, unsigned passes, const struct errsink_ops *ops, int carry)
{
    struct engine *e = calloc(1, sizeof *e);
    sim_init(BASE, LEN, 0);
    out_len = csv_len = 0;
    key_calls = nkeys = 0;
    session_init(&e->s, e->cells, CELLS, e->known, CELLS);
    e->s.cfg.tests = tests;
    e->s.cfg.passes = passes;
    e->s.cfg.hold_ms = 0;
    e->s.cfg.seed = 0x5eed;
    session_config_done(&e->s);
    session_start(&e->s, "2026-12-03 10:00:00", 1);
    if (carry)
        session_carry(&e->s, &e->carry);
    e->s.plan.ntest = 1;
    e->s.plan.test[0] = (struct mem_range){ BASE, LEN };
    e->s.plan.ram_top = BASE + LEN;
    e->s.test_bytes = LEN;
    errsink_init(&e->k, &e->s, e->rows, sizeof e->rows, ops);
    e->hk = (struct sched_hooks){ .error = errsink_error, .flush = errsink_flush, .poll = runloop_poll,
                                  .tsc = tsc, .ctx = &e->r, .sink = &e->k };
    sched_init(&e->q, 1, &e->s.cfg, 1000000, &e->hk);
    runloop_init(&e->r, &e->s, &e->q, &plat);
    return e;
}

static void done(struct engine *e)
{
    sim_free();
    free(e);
}

static const struct rep_test *rt(const struct session *s, unsigned num)
{
    for (unsigned i = 0; i < s->nrt; i++)
        if (s->rt[i].num == num)
            return &s->rt[i];
    return NULL;
}

TEST(runloop_runs_every_pass_without_keys)
{
    struct engine *e = engine(1u << 3 | 1u << 4, 2, &fw_ops, 0);
    runloop_run(&e->r);
    CHECK_EQ_U64(e->s.passes_done, 2);
    CHECK(!e->s.stop);
    CHECK(strstr(out, "pass 2 test 4: done, 0 errors") != NULL);
    CHECK_EQ_U64(sched_swept(&e->q), 2 * 2 * LEN);   /* two tests, two passes, every byte */
    done(e);
}

/* S during test 3 of pass 1 skips it; P holds until the next key; Esc in
 * pass 2 stops the run. */
TEST(runloop_keys_skip_pause_stop)
{
    struct engine *e = engine(1u << 3 | 1u << 4, 5, &fw_ops, 0);
    keys[0] = 's', key_at[0] = 2;
    keys[1] = 'p', key_at[1] = 12;
    keys[2] = 'k', key_at[2] = 15;     /* the key that ends the pause */
    keys[3] = 0x1b, key_at[3] = 30;
    nkeys = 4;
    runloop_run(&e->r);
    CHECK(strstr(out, "S: skipping test 3") != NULL);
    CHECK(strstr(out, "pass 1 test 3: skipped by user") != NULL);
    CHECK_EQ_U64(rt(&e->s, 3)->skipped_runs, 1);
    CHECK(strstr(out, "P: paused - press any key to continue (1 of 1 CPU holding") != NULL);
    CHECK(strstr(out, "continuing after ") != NULL);
    CHECK(strstr(out, "Esc: stopping; the report is still written") != NULL);
    CHECK(e->s.stop && e->s.user_stop);
    CHECK(e->s.passes_done < 5);
    done(e);
}

/* The same stuck bit through the sink in both modes: one cell with the
 * same count; rows in errors.csv in one, in the carry in the other. */
TEST(runloop_one_sink_same_cell_in_both_modes)
{
    uint64_t count[2];
    for (int carry = 0; carry < 2; carry++) {
        struct engine *e = engine(1u << 3 | 1u << 4, 1, carry ? &full_ops : &fw_ops, carry);
        sim_add_fault((struct sim_fault){ .kind = SIM_STUCK, .addr = STUCK_ADDR, .bit = 13, .value = 1 });
        runloop_run(&e->r);
        CHECK_EQ_U64(e->s.cells.n, 1);
        const struct cell *c = cells_find(&e->s.cells, STUCK_ADDR, 13);
        CHECK(c != NULL);
        count[carry] = c ? c->count : 0;
        CHECK(e->s.error_words > 0);
        CHECK_EQ_U64(e->q.tally.counted, e->s.error_words);
        CHECK(strstr(out, "NEW WEAK CELL 0x112340 bit 13") != NULL);
        if (carry) {
            CHECK_EQ_U64(csv_len, 0);
            CHECK_EQ_U64(e->carry.nrows, e->s.error_rows);
        } else {
            CHECK(csv_len > 0);
            csv[csv_len < sizeof csv ? csv_len : sizeof csv - 1] = 0;
            CHECK(strstr(csv, "0x112340") != NULL);
        }
        done(e);
    }
    CHECK_EQ_U64(count[0], count[1]);
}

/* Machine-check reports through the one sink in both modes: a corrected
 * error with a physical address is an ecc cell (errors.csv row in one, the
 * carry in the other), one without ADDRV is counted and reported only. */
static unsigned mce_calls;

static unsigned fake_mce(unsigned slot, struct mce_event *out, unsigned cap)
{
    (void)slot, (void)cap;
    mce_calls++;
    if (mce_calls == 1)
        return mce_decode(1, 0x9c0000000000009full, 0x112367, 0x86, 0, out);
    if (mce_calls == 2)
        return mce_decode(3, 0x900000000000009full, 0, 0, 0, out);
    return 0;
}

TEST(runloop_machine_check_through_the_sink_in_both_modes)
{
    for (int carry = 0; carry < 2; carry++) {
        struct engine *e = engine(1u << 3, 1, carry ? &full_ops : &fw_ops, carry);
        e->hk.mce_poll = fake_mce;
        e->s.mce.state = SESSION_MCE_POLL;
        mce_calls = 0;
        runloop_run(&e->r);
        CHECK(mce_calls > 2);
        CHECK_EQ_U64(e->s.mce.corrected, 2);
        CHECK_EQ_U64(e->s.mce.masked, 1);
        CHECK_EQ_U64(e->s.mce.nev, 2);
        CHECK_EQ_U64(e->s.error_words, 0);
        const struct cell *c = cells_find(&e->s.cells, 0x112340, 0);
        CHECK(c && c->tests == 1u << CELLS_ECC_TEST && c->certain == 1);
        CHECK(strstr(out, "ECC: corrected memory error reported by cpu 0 bank 1 (MCACOD 0x009f) at 0x112340") != NULL);
        CHECK(strstr(out, "ECC: corrected memory error reported by cpu 0 bank 3 (MCACOD 0x009f) NOT masked") != NULL);
        if (carry) {
            CHECK_EQ_U64(csv_len, 0);
            CHECK(e->carry.nrows == 1 && e->carry.rows[0].flags == FAILBIT_ECC && e->carry.rows[0].addr == 0x112340);
        } else {
            csv[csv_len < sizeof csv ? csv_len : sizeof csv - 1] = 0;
            CHECK(strstr(csv, ",0x112340,0,0x0000000000000000,0x0000000000000000,,0,ecc\n") != NULL);
            CHECK(strstr(csv, "# ecc ") && strstr(csv, " cpu 0 bank 3 status 0x900000000000009f "));
        }
        done(e);
    }
}
