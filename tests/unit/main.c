// SPDX-License-Identifier: MIT
#include "check.h"
#include <stdlib.h>
#include <string.h>

int check_failed;
static struct check_case *head, **tail = &head;

void check_register(struct check_case *c)
{
    *tail = c;
    tail = &c->next;
}

void check_doc(const char *doc, const char *out_env, const char *doc_env, const char *path)
{
    const char *out = getenv(out_env);
    if (out) {
        FILE *f = fopen(out, "w");
        CHECK(f != NULL);
        if (f) {
            fputs(doc, f);
            fclose(f);
        }
    }
    if (getenv(doc_env))
        path = getenv(doc_env);
    static char have[65536];
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(have, 1, sizeof have - 1, f) : 0;
    if (f)
        fclose(f);
    have[n] = 0;
    if (strcmp(have, doc)) {
        fprintf(stderr, "  %s differs from this run: regenerate it with `make docs`\n", path);
        check_failed = 1;
    }
}

/* The name each result line carries before the case's name: the TSan build
 * of the SMP cases says so, so the two builds' results stay apart. */
#ifndef UNIT_PREFIX
#define UNIT_PREFIX "unit"
#endif

/* Does `name` start with one of the comma-separated prefixes in `list`? */
static int has_prefix(const char *name, const char *list)
{
    while (*list) {
        size_t n = strcspn(list, ",");
        if (n && !strncmp(name, list, n))
            return 1;
        list += n + (list[n] == ',');
    }
    return 0;
}

/* No arguments: every case. `--only P1,P2`: the cases whose names start
 * with one of those prefixes; `--skip P1,P2`: all others. Else the cases
 * named. (make check runs the threaded cases apart from the rest.) */
static int wanted(const struct check_case *c, int argc, char **argv)
{
    if (argc <= 1)
        return 1;
    if (argc == 3 && !strcmp(argv[1], "--only"))
        return has_prefix(c->name, argv[2]);
    if (argc == 3 && !strcmp(argv[1], "--skip"))
        return !has_prefix(c->name, argv[2]);
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], c->name))
            return 1;
    return 0;
}

/* Runs every registered case, or those the command line selects.
 * TAP: the plan (the number of cases selected) first, one line per case. */
int main(int argc, char **argv)
{
    int passed = 0, failed = 0, planned = 0;
    for (struct check_case *c = head; c; c = c->next)
        planned += wanted(c, argc, argv);
    printf("1..%d\n", planned);
    fflush(stdout);
    for (struct check_case *c = head; c; c = c->next) {
        if (!wanted(c, argc, argv))
            continue;
        check_failed = 0;
        c->fn();
        printf("%s - " UNIT_PREFIX ": %s\n", check_failed ? "not ok" : "ok", c->name);
        fflush(stdout);
        if (check_failed)
            failed++;
        else
            passed++;
    }
    fprintf(stderr, UNIT_PREFIX ": %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
