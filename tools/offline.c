// SPDX-License-Identifier: MIT
// `weakbit offline`: retire the pages of bad cells in the running kernel,
// without a reboot, through /sys/devices/system/memory/soft_offline_page
// (the kernel migrates the data away and never hands the page out again;
// needs root and CONFIG_MEMORY_FAILURE). Each page's result is the write's
// errno, confirmed by the page's HWPOISON flag in /proc/kpageflags when that
// is readable; /proc/meminfo's HardwareCorrupted is shown before and after.
// A refused page is reported once, never retried. --at-boot records the
// pages and installs a oneshot unit that offlines them at every boot: the
// way on Secure Boot machines, where GRUB refuses badram.
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "cli.h"
#include "core/fmt.h"
#include "linuxside/linuxmem.h"
#include "textfile.h"

#define MAX_PAGES 65536
#define KPF_HWPOISON 19
#define STATE_PATH "/var/lib/weakbit/offline-pages"
#define UNIT_NAME "weakbit-offline.service"
#define UNIT_DIR "/etc/systemd/system"
#define WANTS_DIR UNIT_DIR "/sysinit.target.wants"

struct offline {
    const char *root;
    char sysfs[PATH_MAX], meminfo[PATH_MAX], kpageflags[PATH_MAX];
    int dry, hard;
};

static void rooted(char *dst, const char *root, const char *path)
{
    snprintf(dst, PATH_MAX, "%s%s", root, path);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static unsigned sort_unique(uint64_t *v, unsigned n)
{
    qsort(v, n, sizeof *v, cmp_u64);
    unsigned k = 0;
    for (unsigned i = 0; i < n; i++)
        if (!k || v[i] != v[k - 1])
            v[k++] = v[i];
    return k;
}

/* HardwareCorrupted in kB, or -1 if unknown. */
static int64_t hw_corrupted(const struct offline *o)
{
    struct textfile t;
    if (textfile_read(o->meminfo, &t))
        return -1;
    int64_t kb = lmem_hwcorrupted_kb(t.buf, t.len);
    free(t.buf);
    return kb;
}

/* 1 poisoned, 0 not, -1 cannot tell (no /proc/kpageflags or not root). */
static int poisoned(const struct offline *o, uint64_t page)
{
    int fd = open(o->kpageflags, O_RDONLY);
    if (fd < 0)
        return -1;
    uint64_t flags;
    ssize_t got = pread(fd, &flags, sizeof flags, (off_t)(page >> 12) * 8);
    close(fd);
    return got == sizeof flags ? (int)(flags >> KPF_HWPOISON & 1) : -1;
}

static const char *refusal(int e)
{
    switch (e) {
    case EBUSY:
        return "EBUSY: the kernel cannot move this page (kernel memory, or pinned)";
    case EIO:
        return "EIO: the kernel cannot handle this page (kernel memory, or migration failed)";
    case EINVAL:
        return "EINVAL: no such page (not RAM in this boot?)";
    case ENXIO:
        return "ENXIO: no page frame at this address";
    default:
        return strerror(e);
    }
}

/* Offline every page; returns 0 all done, 1 some refused, 2 fatal. */
static int offline_pages(const struct offline *o, const uint64_t *pages, unsigned n)
{
    int64_t before = hw_corrupted(o);
    if (before >= 0)
        printf("weakbit: HardwareCorrupted before: %lld kB\n", (long long)before);
    else
        printf("weakbit: HardwareCorrupted before: unknown (cannot read %s)\n", o->meminfo);
    if (o->hard)
        fprintf(stderr, "weakbit: warning: --hard: hard_offline_page kills every process that uses these pages\n");
    unsigned done = 0, refused = 0;
    int rc = 0;
    for (unsigned k = 0; k < n && rc != 2; k++) {
        printf("page 0x%llx: ", (unsigned long long)pages[k]);
        if (o->dry) {
            printf("would write 0x%llx to %s\n", (unsigned long long)pages[k], o->sysfs);
            continue;
        }
        if (poisoned(o, pages[k]) == 1) {
            printf("already offline (HWPOISON)\n");
            done++;
            continue;
        }
        int fd = open(o->sysfs, O_WRONLY);
        if (fd < 0) {
            int e = errno;
            printf("not written\n");
            if (e == ENOENT)
                cli_fail("no %s: this kernel lacks CONFIG_MEMORY_FAILURE, or sysfs is not mounted", o->sysfs);
            else if (e == EACCES || e == EPERM)
                cli_fail("cannot open %s: %s: run as root (sudo)", o->sysfs, strerror(e));
            else
                cli_fail("cannot open %s: %s", o->sysfs, strerror(e));
            rc = 2;
            break;
        }
        char buf[32];
        int len = snprintf(buf, sizeof buf, "0x%llx\n", (unsigned long long)pages[k]);
        ssize_t w = write(fd, buf, (size_t)len);
        int e = errno;
        close(fd);
        if (w == len) {
            int p = poisoned(o, pages[k]);
            if (p == 0) {
                printf("NOT offlined: the kernel took the request but the page is not marked HWPOISON\n");
                refused++;
            } else {
                printf("offlined%s\n", p < 0 ? "" : " (HWPOISON set)");
                done++;
            }
        } else if (e == EACCES || e == EPERM) {
            printf("not written\n");
            cli_fail("writing %s: %s: run as root (sudo)", o->sysfs, strerror(e));
            rc = 2;
        } else {
            printf("refused (%s)\n", w < 0 ? refusal(e) : "short write");
            refused++;
        }
    }
    if (o->dry) {
        printf("weakbit: dry run: %u page%s not offlined\n", n, n == 1 ? "" : "s");
        return 0;
    }
    int64_t after = hw_corrupted(o);
    if (after >= 0 && before >= 0)
        printf("weakbit: HardwareCorrupted after: %lld kB (%+lld kB)\n", (long long)after,
               (long long)(after - before));
    else if (after >= 0)
        printf("weakbit: HardwareCorrupted after: %lld kB\n", (long long)after);
    printf("weakbit: %u of %u page%s offline%s\n", done, n, n == 1 ? "" : "s",
           refused ? "; refused pages stay in use: mask them with badram or memmap= and reboot" : "");
    return rc ? rc : refused ? 1 : 0;
}

/* --- state file and unit for --at-boot ----------------------------------------- */
static int read_state(const char *path, uint64_t *pages, unsigned *n, int must_exist)
{
    struct textfile t;
    if (textfile_read(path, &t)) {
        if (errno == ENOENT && !must_exist)
            return 0;
        return cli_fail("cannot read %s: %s", path, strerror(errno));
    }
    size_t pos = 0, len;
    const char *l;
    unsigned lineno = 0;
    int rc = 0;
    while (!rc && textfile_line(&t, &pos, &l, &len)) {
        lineno++;
        while (len && (l[len - 1] == ' ' || l[len - 1] == '\r'))
            len--;
        if (!len || l[0] == '#')
            continue;
        uint64_t a;
        if (str_to_u64(l, len, STR_HEX, &a) || (a & 0xfff))
            rc = cli_fail("%s:%u: not a 0x page address", path, lineno);
        else if (*n >= MAX_PAGES)
            rc = cli_fail("%s: more than %u pages", path, MAX_PAGES);
        else
            pages[(*n)++] = a;
    }
    free(t.buf);
    return rc;
}

static int mkdirs(const char *dir)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s", dir);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        if (mkdir(p, 0755) && errno != EEXIST)
            return -1;
        *s = '/';
    }
    return mkdir(p, 0755) && errno != EEXIST ? -1 : 0;
}

static int write_file(const char *path, const char *data, mode_t mode)
{
    return atomic_write(path, data, strlen(data), mode);
}

static int install_at_boot(const struct offline *o, uint64_t *pages, unsigned n, const char *bin)
{
    char state[PATH_MAX], unit[PATH_MAX], wants[PATH_MAX], link[PATH_MAX], dir[PATH_MAX];
    rooted(state, o->root, STATE_PATH);
    rooted(unit, o->root, UNIT_DIR "/" UNIT_NAME);
    rooted(wants, o->root, WANTS_DIR);
    rooted(link, o->root, WANTS_DIR "/" UNIT_NAME);
    /* The recorded pages grow: a later run adds, never drops. */
    uint64_t *all = malloc(2 * MAX_PAGES * sizeof *all);
    if (!all)
        return cli_fail("out of memory");
    unsigned na = 0;
    int rc = read_state(state, all, &na, 0);
    for (unsigned k = 0; !rc && k < n; k++)
        all[na++] = pages[k];
    na = sort_unique(all, na);
    size_t cap = (size_t)na * 24 + 256;
    char *text = rc ? NULL : malloc(cap);
    if (!rc && !text)
        rc = cli_fail("out of memory");
    if (!rc) {
        size_t len = (size_t)snprintf(text, cap, "# Pages weakbit-offline.service retires at every boot"
                                                 " (weakbit offline --at-boot); one page address per line.\n");
        for (unsigned k = 0; k < na; k++)
            len += (size_t)snprintf(text + len, cap - len, "0x%llx\n", (unsigned long long)all[k]);
    }
    char unit_text[1024];
    snprintf(unit_text, sizeof unit_text,
             "# Installed by `weakbit offline --at-boot`; `make uninstall` removes it.\n"
             "[Unit]\n"
             "Description=Retire bad memory pages found by weakbit\n"
             "DefaultDependencies=no\n"
             "After=local-fs.target\n"
             "Before=sysinit.target shutdown.target\n"
             "Conflicts=shutdown.target\n"
             "ConditionPathExists=" STATE_PATH "\n"
             "\n"
             "[Service]\n"
             "Type=oneshot\n"
             "RemainAfterExit=yes\n"
             "ExecStart=%s offline --state%s\n"
             "\n"
             "[Install]\n"
             "WantedBy=sysinit.target\n",
             bin, o->hard ? " --hard" : "");
    if (!rc && o->dry) {
        printf("weakbit: dry run: would record %u page%s in %s and install %s:\n", na, na == 1 ? "" : "s",
               state, unit);
        fputs(unit_text, stdout);
    } else if (!rc) {
        snprintf(dir, sizeof dir, "%s", state);
        *strrchr(dir, '/') = 0;
        if (mkdirs(dir) || write_file(state, text, 0644))
            rc = cli_fail("cannot write %s: %s", state, strerror(errno));
        else if (mkdirs(wants) || write_file(unit, unit_text, 0644))
            rc = cli_fail("cannot write %s: %s", unit, strerror(errno));
        else if ((unlink(link) && errno != ENOENT) || symlink(UNIT_DIR "/" UNIT_NAME, link))
            rc = cli_fail("cannot enable %s (%s): %s", UNIT_NAME, link, strerror(errno));
        else
            printf("weakbit: %u page%s recorded in %s; %s installed and enabled: they are offlined at every boot\n",
                   na, na == 1 ? "" : "s", state, unit);
    }
    free(text);
    free(all);
    return rc;
}

/* Pages of the cells in errors.csv files (cells seen only by address tests
 * are left out, as badram leaves them). */
static int csv_pages(char **files, int n, uint64_t *pages, unsigned *np)
{
    struct cli_cells c;
    int rc = cli_cells_load(&c, files, n);
    unsigned skipped = 0;
    for (unsigned k = 0; k < c.n && !rc; k++) {
        if (!c.sorted[k].certain) {
            skipped++;
            continue;
        }
        if (*np >= MAX_PAGES)
            rc = cli_fail("more than %u pages", MAX_PAGES);
        else
            pages[(*np)++] = c.sorted[k].addr & ~0xfffull;
    }
    if (skipped)
        fprintf(stderr, "weakbit: %u cell%s seen only by address tests (addr_uncertain) left out\n", skipped,
                skipped == 1 ? "" : "s");
    cli_cells_free(&c);
    return rc;
}

int cmd_offline(int argc, char **argv)
{
    static struct offline o;
    const char *sysfs = NULL, *meminfo = NULL, *bin = NULL;
    int at_boot = 0, from_state = 0, nfiles;
    o.root = "";
    o.dry = o.hard = 0;
    const struct cli_opt opts[] = {
        { "--root", NULL, CLI_OPT_STRING, &o.root },
        { "--sysfs", NULL, CLI_OPT_STRING, &sysfs },
        { "--meminfo", NULL, CLI_OPT_STRING, &meminfo },
        { "--bin", NULL, CLI_OPT_STRING, &bin },
        { "--dry-run", NULL, CLI_OPT_FLAG, &o.dry },
        { "--at-boot", NULL, CLI_OPT_FLAG, &at_boot },
        { "--hard", NULL, CLI_OPT_FLAG, &o.hard },
        { "--state", NULL, CLI_OPT_FLAG, &from_state },
        CLI_OPT_END,
    };
    if (cli_opt_parse(opts, argc, argv, &nfiles))
        return 2;
    if (from_state && nfiles)
        return cli_fail("give either CSV files or --state, not both");
    if (!from_state && !nfiles)
        return cli_fail("give errors.csv files (or --state for the pages --at-boot recorded)");
    if (from_state && at_boot)
        return cli_fail("--state reads what --at-boot wrote: use one of them");
    if (sysfs)
        snprintf(o.sysfs, sizeof o.sysfs, "%s/%s", sysfs, o.hard ? "hard_offline_page" : "soft_offline_page");
    else
        rooted(o.sysfs, o.root, o.hard ? "/sys/devices/system/memory/hard_offline_page"
                                       : "/sys/devices/system/memory/soft_offline_page");
    if (meminfo)
        snprintf(o.meminfo, sizeof o.meminfo, "%s", meminfo);
    else
        rooted(o.meminfo, o.root, "/proc/meminfo");
    rooted(o.kpageflags, o.root, "/proc/kpageflags");

    char self[PATH_MAX];
    if (!bin) {
        ssize_t l = readlink("/proc/self/exe", self, sizeof self - 1);
        if (l <= 0)
            return cli_fail("cannot tell where this weakbit is: give --bin PATH");
        self[l] = 0;
        bin = self;
    }
    if (at_boot && (bin[0] != '/' || strpbrk(bin, " \t\n\"'\\%$")))
        return cli_fail("--bin must be an absolute path without blanks or quotes: %s", bin);

    uint64_t *pages = calloc(MAX_PAGES, sizeof *pages);
    if (!pages)
        return cli_fail("out of memory");
    unsigned n = 0;
    int rc;
    if (from_state) {
        char state[PATH_MAX];
        rooted(state, o.root, STATE_PATH);
        rc = read_state(state, pages, &n, 1);
    } else {
        rc = csv_pages(argv, nfiles, pages, &n);
    }
    if (!rc) {
        n = sort_unique(pages, n);
        if (!n)
            printf("weakbit: no bad cells in the input: nothing to offline\n");
        else
            rc = offline_pages(&o, pages, n);
        if (at_boot && rc != 2) {
            int r2 = install_at_boot(&o, pages, n, bin);
            rc = r2 ? r2 : rc;
        }
    }
    free(pages);
    return rc;
}
