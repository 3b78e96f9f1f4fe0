/* check.h — a minimal test harness for the C unit tests of src/ai:
 * CHECK(cond, fmt, ...) counts and reports; main returns check_done(). */
#ifndef AI_TEST_CHECK_H
#define AI_TEST_CHECK_H
#include <stdio.h>

static int check_pass, check_fail; /* per-test-binary counters */

#define CHECK(cond, ...)                                              \
    do {                                                              \
        if (cond) check_pass++;                                       \
        else {                                                        \
            check_fail++;                                             \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);      \
            fprintf(stderr, __VA_ARGS__);                             \
            fprintf(stderr, "\n");                                    \
        }                                                             \
    } while (0)

static inline int check_done(const char *name) {
    printf("%s: %d passed, %d failed\n", name, check_pass, check_fail);
    return check_fail ? 1 : 0;
}
#endif
