// SPDX-License-Identifier: MIT
#include "check.h"
#include <string.h>

int check_failed;
static struct check_case *head, **tail = &head;

void check_register(struct check_case *c)
{
    *tail = c;
    tail = &c->next;
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
