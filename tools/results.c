// SPDX-License-Identifier: MIT
// weakbit results: the files of a full-coverage run, written on Linux from
// the hand-off record in the UEFI variables (efivarfs), for when the boot
// after the run is not weakbit's. The same core code as the app's next boot
// turns the record into errors.csv rows, report.txt and badram.txt; the
// variables are deleted only once the files are written.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "cli.h"
#include "core/handoff.h"
#include "core/recovery.h"

#define GUID "7d2c5e41-93b8-4f0a-a61e-5b72c409e38d"   /* weakbit's vendor GUID (efi/fullmode/bare/rtvar.c) */
#define CELL_SLOTS 8192
#define EFIVARS "/sys/firmware/efi/efivars"

/* An efivarfs file: 4 bytes of attributes, then the variable's data. */
static long read_var(const char *dir, const char *name, uint8_t *buf, size_t cap)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s-%s", dir, name, GUID);
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? 0 : -1;
    size_t n = fread(buf, 1, cap, f);
    int bad = ferror(f) || !feof(f);
    fclose(f);
    if (bad || n < 4)
        return -1;
    memmove(buf, buf + 4, n - 4);
    return (long)(n - 4);
}

struct set_dir {
    const char *dir;
    unsigned set;
};

/* One chunk (handoff_gather's reader): its length, 0 when absent, -1. */
static long read_chunk(void *ctx, unsigned idx, uint8_t *buf, size_t cap)
{
    const struct set_dir *sd = ctx;
    char name[32];
    snprintf(name, sizeof name, "Weakbit%c%02u", sd->set ? 'B' : 'A', idx);
    return read_var(sd->dir, name, buf, cap);
}

/* Set `set` (0: A, 1: B) joined and decoded into h: 1, 0 when absent, -1
 * when damaged (reason printed). */
static int load_set(const char *dir, unsigned set, struct handoff *h, uint8_t *scratch, size_t cap)
{
    static uint8_t rec[HANDOFF_REC_BYTES];
    struct set_dir sd = { dir, set };
    long len = handoff_gather(read_chunk, &sd, rec, sizeof rec, scratch, cap);
    if (len == 0)
        return 0;
    int err = len < 0 ? (int)len : handoff_decode(h, rec, (size_t)len);
    if (err) {
        fprintf(stderr, "weakbit: set %c: %s\n", set ? 'B' : 'A', handoff_strerror(err));
        return -1;
    }
    return 1;
}

/* efivarfs files are immutable until told otherwise. */
static int remove_var(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s-%s", dir, name, GUID);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    int flags;
    if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 && (flags & FS_IMMUTABLE_FL)) {
        flags &= ~FS_IMMUTABLE_FL;
        ioctl(fd, FS_IOC_SETFLAGS, &flags);
    }
    close(fd);
    return unlink(path) == 0 ? 1 : -1;
}

static unsigned remove_all(const char *dir)
{
    unsigned n = 0;
    for (unsigned set = 0; set < 2; set++)
        for (unsigned i = 0; i < HANDOFF_MAX_CHUNKS; i++) {
            char name[32];
            snprintf(name, sizeof name, "Weakbit%c%02u", set ? 'B' : 'A', i);
            n += remove_var(dir, name) > 0;
        }
    n += remove_var(dir, "WeakbitTry") > 0;
    return n;
}

static int write_file(const char *dir, const char *name, const char *text, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (atomic_write(path, text, len, atomic_new_file_mode()))
        return cli_fail("cannot write %s: %s", path, strerror(errno));
    return 0;
}

/* errors.csv grows: the header only when it is new, as the app writes it. */
static int append_csv(const char *dir, const char *text, size_t len, int *is_new)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/errors.csv", dir);
    struct stat st;
    *is_new = stat(path, &st) != 0 || st.st_size == 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0)
        return cli_fail("cannot write %s: %s", path, strerror(errno));
    int bad = 0;
    if (*is_new)
        bad |= write(fd, ERRCSV_HEADER, strlen(ERRCSV_HEADER)) != (ssize_t)strlen(ERRCSV_HEADER);
    bad |= write(fd, text, len) != (ssize_t)len;
    bad |= fsync(fd) != 0;
    close(fd);
    return bad ? cli_fail("cannot write %s: %s", path, strerror(errno)) : 0;
}

int cmd_results(int argc, char **argv)
{
    const char *dir = NULL, *out = NULL;
    int keep = 0;
    const struct cli_opt opts[] = { { "--efivars", NULL, CLI_OPT_ONCE, &dir }, { "-o", "--output", CLI_OPT_ONCE, &out },
                                    { "--keep", NULL, CLI_OPT_FLAG, &keep }, CLI_OPT_END };
    int nfiles;
    if (cli_opt_parse(opts, argc, argv, &nfiles))
        return 2;
    dir = dir ? dir : EFIVARS;
    out = out ? out : ".";
    if (nfiles)
        return cli_fail("results takes no files (the record is read from %s)", dir);
    size_t scap = HANDOFF_REC_BYTES + HANDOFF_MAX_CHUNKS * 64;
    uint8_t *scratch = malloc(scap);
    struct handoff *h[2] = { calloc(1, sizeof **h), calloc(1, sizeof **h) };
    struct session *s = calloc(1, sizeof *s);
    struct cell *cells = calloc(CELL_SLOTS, sizeof *cells), *known = calloc(CELL_SLOTS, sizeof *known);
    struct session_out *o = calloc(1, sizeof *o);
    struct cell *sorted = calloc(CELL_SLOTS, sizeof *sorted);
    uint64_t *gran = calloc(CLI_MAX_GRAN, sizeof *gran);
    struct cover_pair *pairs = calloc(CLI_MAX_GRAN, sizeof *pairs);
    struct recovery_text *rt = calloc(1, sizeof *rt);
    size_t tcap = 1u << 20;
    char *csv = malloc(tcap), *text = malloc(tcap);
    int rc = 0;
    if (!scratch || !h[0] || !h[1] || !s || !cells || !known || !o || !sorted || !gran || !pairs || !rt || !csv ||
        !text) {
        rc = cli_fail("out of memory");
        goto done;
    }
    int ok[2];
    for (unsigned set = 0; set < 2; set++)
        ok[set] = load_set(dir, set, h[set], scratch, scap);
    /* Both sets hold checkpoints of one run: the newer one wins. */
    int pick = ok[0] > 0 && ok[1] > 0 ? h[1]->seq > h[0]->seq : ok[1] > 0 ? 1 : ok[0] > 0 ? 0 : -1;
    if (pick < 0) {
        rc = ok[0] < 0 || ok[1] < 0 ? cli_fail("the hand-off variables in %s are damaged; kept", dir)
                                     : (fprintf(stderr, "weakbit: no full-coverage results in %s\n", dir), 1);
        goto done;
    }
    const struct handoff *rec = h[pick];
    session_init(s, cells, CELL_SLOTS, known, CELL_SLOTS);
    struct sbuf cb;
    sbuf_init(&cb, csv, tcap);
    sbuf_printf(&cb, "# session %s start %s full coverage\n", rec->id, rec->started);
    handoff_to_session(rec, s, &cb);
    struct session_platform pf = { 0 };
    recovery_platform(rec, rt, &pf);
    pf.firmware = "not recorded (results read by weakbit results on Linux)";
    pf.serial_route = "polled UART / framebuffer (full coverage)";
    *o = (struct session_out){ .sorted = sorted, .cap_cells = CELL_SLOTS, .gran = gran, .pairs = pairs,
                               .cap_gran = CLI_MAX_GRAN };
    session_finish(s, &pf, o);
    int is_new;
    if ((rc = append_csv(out, csv, cb.len, &is_new)))
        goto done;
    struct sbuf tb;
    sbuf_init(&tb, text, tcap);
    session_report_text(o, &tb);
    if ((rc = write_file(out, "report.txt", text, tb.len)))
        goto done;
    sbuf_init(&tb, text, tcap);
    session_badram_text(o, &tb);
    if ((rc = write_file(out, "badram.txt", text, tb.len)))
        goto done;
    printf("session %s (checkpoint %u, %s): errors.csv, report.txt and badram.txt written to %s\n", rec->id,
           rec->seq, recovery_state(rec), out);
    sbuf_init(&tb, text, tcap);
    session_summary_text(o, &tb);
    fputs(text, stdout);
    if (!keep) {
        unsigned n = remove_all(dir);
        printf("%u hand-off variable%s deleted from %s\n", n, n == 1 ? "" : "s", dir);
    }
done:
    free(scratch), free(h[0]), free(h[1]), free(s), free(cells), free(known), free(o), free(sorted), free(gran);
    free(pairs), free(rt), free(csv), free(text);
    return rc;
}
