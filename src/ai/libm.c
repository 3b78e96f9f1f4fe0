/*
 * libm.c — ai_libm_get: libm's exp, log, pow, sin and cos for inference,
 * bound by src/dl on first use (libm.h says why).
 */
#include "ai/libm.h"

#include <math.h> /* the prototypes the table is typed from; nothing here calls libm */
#include <stdio.h>
#include <stdlib.h>

#include "dl/dl.h"

#ifndef AI_LIBM_SONAME
#define AI_LIBM_SONAME "libm.so.6" /* glibc's, on every Linux target */
#endif

/* The process-wide table, bound once. */
static ai_libm table;

#define LIBM_SYM(field, sym) {#sym, offsetof(ai_libm, field), AW_DL_ADDR(sym)},
static const aw_dl_sym libm_syms[] = {AI_LIBM_FUNCTIONS(LIBM_SYM)};

static aw_dl_lib libm_lib = {
    .soname = AI_LIBM_SONAME,
    .need = "inference needs the math library",
    .package = "libc6",
    .syms = libm_syms,
    .nsyms = sizeof libm_syms / sizeof libm_syms[0],
    .table = &table,
};

AW_DL_LOADER(libm_load, libm_lib)

const ai_libm *ai_libm_get(void) {
    char err[sizeof libm_lib.error];
    if (!libm_load(err, sizeof err)) {
        fprintf(stderr, "anywhere: %s\n", err);
        exit(1);
    }
    return &table;
}
