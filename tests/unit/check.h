// SPDX-License-Identifier: MIT
// Minimal test runner: TEST(name) registers a function; CHECK records a
// failure with file:line and goes on. Output: `ok - name` / `not ok - name`.
#ifndef TESTS_UNIT_CHECK_H
#define TESTS_UNIT_CHECK_H

#include <stdio.h>

struct check_case {
    const char *name;
    void (*fn)(void);
    struct check_case *next;
};

extern int check_failed;
void check_register(struct check_case *c);

/* A document the tests generate (docs/...): written to $out_env when that is
 * set (make docs), and compared with the committed file ($doc_env, else
 * `path`); a difference fails the current test. */
void check_doc(const char *doc, const char *out_env, const char *doc_env, const char *path);

#define TEST(name)                                                                     \
    static void test_##name(void);                                                     \
    static struct check_case case_##name = { #name, test_##name, 0 };                  \
    __attribute__((constructor)) static void reg_##name(void) { check_register(&case_##name); } \
    static void test_##name(void)

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
            check_failed = 1;                                                          \
        }                                                                              \
    } while (0)

#define CHECK_EQ_U64(a, b)                                                             \
    do {                                                                               \
        unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b); \
        if (a_ != b_) {                                                                \
            fprintf(stderr, "  %s:%d: %s == %s failed: 0x%llx != 0x%llx\n", __FILE__,  \
                    __LINE__, #a, #b, a_, b_);                                         \
            check_failed = 1;                                                          \
        }                                                                              \
    } while (0)

#define CHECK_STR(a, b)                                                                \
    do {                                                                               \
        const char *a_ = (a), *b_ = (b);                                               \
        if (strcmp(a_, b_)) {                                                          \
            fprintf(stderr, "  %s:%d: got \"%s\"\n    want \"%s\"\n", __FILE__, __LINE__, a_, b_); \
            check_failed = 1;                                                          \
        }                                                                              \
    } while (0)

#endif
