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

/* Runs every registered case, or only those named on the command line. */
int main(int argc, char **argv)
{
    int passed = 0, failed = 0;
    for (struct check_case *c = head; c; c = c->next) {
        if (argc > 1) {
            int want = 0;
            for (int i = 1; i < argc; i++)
                want |= !strcmp(argv[i], c->name);
            if (!want)
                continue;
        }
        check_failed = 0;
        c->fn();
        printf("%s - unit: %s\n", check_failed ? "not ok" : "ok", c->name);
        fflush(stdout);
        if (check_failed)
            failed++;
        else
            passed++;
    }
    fprintf(stderr, "unit: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
