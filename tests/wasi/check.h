/* check.h — assertions for the WASI test programs (tests/wasi/NAME.c, built
 * with clang --target=wasm32-wasi). A failed check prints where and why
 * on stderr and exits with 99, so the suite sees which one failed. */
#ifndef WASI_TEST_CHECK_H
#define WASI_TEST_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int checks_done;

#define CHECK(cond)                                                                              \
    do {                                                                                         \
        checks_done++;                                                                           \
        if (!(cond)) {                                                                           \
            fprintf(stderr, "%s:%d: check failed: %s (errno %d: %s)\n", __FILE__, __LINE__, #cond, \
                    errno, strerror(errno));                                                     \
            exit(99);                                                                            \
        }                                                                                        \
    } while (0)

/* A raw WASI call must fail with exactly this errno. */
#define CHECK_ERRNO(call, want)                                                                  \
    do {                                                                                         \
        checks_done++;                                                                           \
        int got_ = (int)(call);                                                                  \
        if (got_ != (int)(want)) {                                                               \
            fprintf(stderr, "%s:%d: %s: errno %d, want %s (%d)\n", __FILE__, __LINE__, #call, got_, \
                    #want, (int)(want));                                                         \
            exit(99);                                                                            \
        }                                                                                        \
    } while (0)

#define CHECKS_DONE(name) printf("%s: %d checks ok\n", name, checks_done)

#endif
