/*
 * libm.c — ai_libm_get: libm's exp, log, pow, sin and cos for inference,
 * loaded on first use (libm.h says why).
 */
#include "ai/libm.h"

_Static_assert(sizeof(void *) == sizeof(float (*)(float)), "dlsym's answer must fit a function pointer");

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef AW_DL_DIRECT
#include <math.h>
#else
#include <dlfcn.h>
#endif

#ifndef AI_LIBM_SONAME
#define AI_LIBM_SONAME "libm.so.6" /* glibc's, on every Linux target */
#endif

/* Written once under bind_once, read-only afterwards. */
static ai_libm table;
static pthread_once_t bind_once = PTHREAD_ONCE_INIT;

#ifdef AW_DL_DIRECT
static void bind(void) {
    table = (ai_libm){expf, exp, log, powf, sinf, cosf};
}
#else
static void *need(void *lib, const char *name) {
    void *f = dlsym(lib, name);
    if (!f) {
        fprintf(stderr, "anywhere: inference needs %s from %s: %s\n", name, AI_LIBM_SONAME, dlerror());
        exit(1);
    }
    return f;
}

static void bind(void) {
    void *lib = dlopen(AI_LIBM_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "anywhere: inference needs the math library (%s): %s; reinstall libc6\n", AI_LIBM_SONAME,
                dlerror());
        exit(1);
    }
    /* POSIX: dlsym's void * holds a function's address; the types are libm's own. */
#define BIND(field, name)                                                                                              \
    do {                                                                                                               \
        void *f = need(lib, name);                                                                                     \
        memcpy(&table.field, &f, sizeof f);                                                                            \
    } while (0)
    BIND(exp32, "expf");
    BIND(exp64, "exp");
    BIND(log64, "log");
    BIND(pow32, "powf");
    BIND(sin32, "sinf");
    BIND(cos32, "cosf");
#undef BIND
}
#endif

const ai_libm *ai_libm_get(void) {
    pthread_once(&bind_once, bind);
    return &table;
}
