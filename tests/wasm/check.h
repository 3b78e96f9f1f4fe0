/*
 * check.h — the unit tests' counters and CHECK: a failed condition prints
 * "FAIL file:line: condition" and the test goes on; main() prints
 * "N passed, N failed" last (tests/suites/unit.sh reads that line).
 */
#ifndef AW_TESTS_CHECK_H
#define AW_TESTS_CHECK_H

#include <stdio.h>

static int passed, failed;

#define CHECK(cond)                                                                                 \
    do {                                                                                            \
        if (cond) passed++;                                                                         \
        else {                                                                                      \
            failed++;                                                                               \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                                  \
        }                                                                                           \
    } while (0)

#endif
