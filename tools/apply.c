// SPDX-License-Identifier: MIT
// `weakbit apply`: merge bad cells into GRUB_BADRAM in /etc/default/grub.
// Never loses a pair already there (union), keeps a timestamped backup,
// replaces the file atomically, and changes nothing when nothing is new.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomic.h"
#include "cli.h"
#include "textfile.h"

#define MAX_PAIRS_IN 8192

/* Is this line an active GRUB_BADRAM assignment? Returns the offset of
 * "GRUB_BADRAM=" in it, or -1. */
static long badram_at(const char *line, size_t n)
{
    size_t i = 0;
    while (i < n && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (n - i >= 7 && !strncmp(line + i, "export ", 7))
        i += 7;
    return n - i >= 12 && !strncmp(line + i, "GRUB_BADRAM=", 12) ? (long)i : -1;
}

static const char *regen_command(void)
{
    static const struct {
        const char *tool, *cmd;
    } known[] = {
        { "update-grub", "update-grub" },
        { "grub2-mkconfig", "grub2-mkconfig -o /boot/grub2/grub.cfg" },
        { "grub-mkconfig", "grub-mkconfig -o /boot/grub/grub.cfg" },
    };
    const char *path = getenv("PATH");
    for (unsigned k = 0; k < 3; k++) {
        const char *p = path ? path : "/usr/sbin:/usr/bin:/sbin:/bin";
        while (*p) {
            const char *e = strchr(p, ':');
            size_t dl = e ? (size_t)(e - p) : strlen(p);
            char full[4096];
            snprintf(full, sizeof full, "%.*s/%s", (int)dl, p, known[k].tool);
            if (dl && access(full, X_OK) == 0)
                return known[k].cmd;
            p += dl + (e ? 1 : 0);
        }
    }
    return NULL;
}

static void print_diff(const char *path, const struct textfile *old, const char *neu)
{
    printf("--- %s\n+++ %s (after weakbit apply)\n", path, path);
    /* Line-by-line until the first difference, then the rest: the change
     * is one replaced or appended line, so this stays short. */
    const char *a = old->buf, *b = neu;
    unsigned line = 1;
    while (*a && *b) {
        const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
        size_t la = ea ? (size_t)(ea - a + 1) : strlen(a), lb = eb ? (size_t)(eb - b + 1) : strlen(b);
        if (la != lb || memcmp(a, b, la))
            break;
        a += la, b += lb, line++;
    }
    printf("@@ line %u @@\n", line);
    for (const char *p = a; *p;) {
        const char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        printf("-%.*s\n", (int)l, p);
        p += l + (e ? 1 : 0);
    }
    for (const char *p = b; *p;) {
        const char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        printf("+%.*s\n", (int)l, p);
        p += l + (e ? 1 : 0);
    }
}

int cmd_apply(int argc, char **argv)
{
    struct cli_badram_opts o = cli_badram_defaults();
    const char *path = "/etc/default/grub", *line = NULL;
    int dry = 0, nfiles;
    const struct cli_opt opts[] = {
        CLI_BADRAM_OPTS(&o),
        { "--dry-run", NULL, CLI_OPT_FLAG, &dry },
        { "--grub-default", NULL, CLI_OPT_STRING, &path },
        { "--line", NULL, CLI_OPT_STRING, &line },
        CLI_OPT_END,
    };
    if (cli_opt_parse(opts, argc, argv, &nfiles))
        return 2;
    if (!line && !nfiles)
        return cli_fail("give errors.csv files or --line 'GRUB_BADRAM=...'");
    if (line && nfiles)
        return cli_fail("give either CSV files or --line, not both");

    struct cover_pair *pairs = calloc(MAX_PAIRS_IN, sizeof *pairs);
    uint64_t *gran = calloc(CLI_MAX_GRAN, sizeof *gran);
    if (!pairs || !gran)
        return cli_fail("out of memory");
    int rc = 0;
    unsigned n = 0, nnew = 0;
    struct textfile old = { 0 };
    struct stat st;
    struct cli_cells c = { 0 };

    /* New pairs first: from the CSV cells' granules, or from --line. */
    if (line) {
        int k = badram_parse_line(line, strlen(line), pairs, MAX_PAIRS_IN);
        if (k < 0) {
            rc = cli_fail("--line is not a GRUB_BADRAM list of hex address,mask pairs");
            goto out;
        }
        nnew = (unsigned)k;
    } else {
        if ((rc = cli_cells_load(&c, argv, nfiles)))
            goto out;
        struct badram_set set;
        struct badram_req req = { o.granule, MAX_PAIRS_IN, 0, "", gran, pairs,
                                  CLI_MAX_GRAN < MAX_PAIRS_IN ? CLI_MAX_GRAN : MAX_PAIRS_IN, NULL, 0 };
        if (badram_from_cells(&set, c.sorted, c.n, &req, NULL, BADRAM_ALL)) {
            rc = cli_fail("too many bad granules");
            goto out;
        }
        nnew = set.npairs;
    }
    n = nnew;

    if (stat(path, &st) != 0 || textfile_read(path, &old) != 0) {
        rc = cli_fail("cannot read %s: %s", path, strerror(errno));
        goto out;
    }
    if (memchr(old.buf, 0, old.len)) {
        rc = cli_fail("%s is not a text file", path);
        goto out;
    }
    /* Existing GRUB_BADRAM lines join the union. */
    unsigned lineno = 0;
    long first_at = -1;
    for (const char *p = old.buf; *p;) {
        const char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        lineno++;
        long at = badram_at(p, l);
        if (at >= 0) {
            if (first_at < 0)
                first_at = p - old.buf;
            int k = badram_parse_line(p + at, l - (size_t)at, pairs + n, MAX_PAIRS_IN - n);
            if (k < 0) {
                rc = cli_fail("%s:%u: GRUB_BADRAM is not a list of hex address,mask pairs; fix or remove it",
                              path, lineno);
                goto out;
            }
            for (unsigned q = n; q < n + (unsigned)k; q++)
                if (!(pairs[q].mask >> 32))
                    fprintf(stderr, "weakbit: warning: %s:%u: mask 0x%llx leaves the high bits free: "
                                    "that pair repeats every 4 GiB (kept)\n",
                            path, lineno, (unsigned long long)pairs[q].mask);
            n += (unsigned)k;
        }
        p += l + (e ? 1 : 0);
    }
    if (!n) {
        printf("weakbit: no bad cells in the input and no GRUB_BADRAM line: nothing to do\n");
        goto out;
    }

    struct badram_set set = { .pairs = pairs, .interleave = "" };
    set.npairs = cover_merge(pairs, n, o.max_pairs, o.ram_top ? cover_limit(o.ram_top) : 0, &set.stats);
    char newline[1 << 16];
    struct sbuf sb;
    sbuf_init(&sb, newline, sizeof newline);
    badram_render_form(&sb, BADRAM_GRUB, &set);
    if (sb.lost) {
        rc = cli_fail("GRUB_BADRAM line too long");
        goto out;
    }

    /* The new file: first GRUB_BADRAM line replaced, later ones dropped
     * (their pairs are in the union), or the line appended. */
    size_t cap = old.len + sizeof newline + 128;
    char *neu = malloc(cap);
    size_t nl = 0;
    if (!neu) {
        rc = cli_fail("out of memory");
        goto out;
    }
    for (const char *p = old.buf; *p;) {
        const char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (badram_at(p, l) < 0) {
            memcpy(neu + nl, p, l);
            nl += l;
            neu[nl++] = '\n';
        } else if (p - old.buf == first_at) {
            memcpy(neu + nl, newline, sb.len);
            nl += sb.len;
        }
        p += l + (e ? 1 : 0);
    }
    if (first_at < 0)
        nl += (size_t)snprintf(neu + nl, cap - nl, "%s# Bad memory found by weakbit; regenerate grub.cfg after a change.\n%s",
                               nl && neu[nl - 1] != '\n' ? "\n" : "", newline);
    neu[nl] = 0;

    printf("weakbit: %u pair%s cover %llu bytes (%llu more than the bad blocks)\n", set.npairs,
           set.npairs == 1 ? "" : "s", (unsigned long long)set.stats.covered_bytes,
           (unsigned long long)set.stats.extra_bytes);
    if (nl == old.len && !memcmp(neu, old.buf, nl)) {
        printf("weakbit: %s already covers every bad cell: no change\n", path);
    } else if (dry) {
        print_diff(path, &old, neu);
        printf("weakbit: dry run: %s not changed\n", path);
    } else {
        char backup[4096], stamp[32];
        time_t now = time(NULL);
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime(&now));
        snprintf(backup, sizeof backup, "%s.weakbit-%s.bak", path, stamp);
        if (atomic_write(backup, old.buf, old.len, st.st_mode & 07777) != 0) {
            rc = cli_fail("cannot write backup %s: %s", backup, strerror(errno));
        } else if (atomic_write(path, neu, nl, st.st_mode & 07777) != 0) {
            rc = cli_fail("cannot replace %s: %s (unchanged; backup in %s)", path, strerror(errno), backup);
        } else {
            printf("weakbit: updated %s (backup: %s)\n", path, backup);
            const char *cmd = regen_command();
            if (cmd)
                printf("now run: sudo %s\n", cmd);
            else
                printf("now regenerate grub.cfg (no update-grub or grub2-mkconfig found in PATH)\n");
            printf("with Secure Boot on, GRUB refuses badram: use `weakbit badram --format memmap` in GRUB_CMDLINE_LINUX instead\n");
        }
    }
    free(neu);
out:
    free(old.buf);
    free(gran);
    cli_cells_free(&c);
    free(pairs);
    return rc;
}
