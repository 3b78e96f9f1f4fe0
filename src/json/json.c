/* json.c — cJSON's table (json.h): bound once, on the first JSON call,
 * from libcjson dlopen()ed by soname or, built with AW_DL_DIRECT, from the
 * functions linked into the executable. */
#define AW_JSON_SHIM /* cJSON's real names here, not json.h's macros */
#include "json/json.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef AW_DL_CJSON_SONAME
#define AW_DL_CJSON_SONAME "libcjson.so.1"
#endif

/* The process-wide table (below) and the outcome of binding it: one cJSON
 * per process, written once under json_once and only read afterwards. */
static pthread_once_t json_once = PTHREAD_ONCE_INIT;
static bool json_ok;
static char json_error[400];

#ifdef AW_DL_DIRECT

#define JSON_LINKED(field, sym) .field = sym,
static const aw_json_table json_table = {AW_JSON_FUNCTIONS(JSON_LINKED)};

static bool json_bind_all(void) { return true; }

#else

static aw_json_table json_table;

typedef struct json_sym {
    const char *name;
    size_t offset; /* of its pointer in aw_json_table */
} json_sym;

#define JSON_SYM(field, sym) {#sym, offsetof(aw_json_table, field)},
static const json_sym json_syms[] = {AW_JSON_FUNCTIONS(JSON_SYM)};

_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "dlsym's answer must fit a function pointer");

static bool json_bind_all(void) {
    /* ANYWHERE_DL_CJSON names another soname: the tests' missing library.
     * secure_getenv: never honoured in a set-user-ID process. */
    const char *env = secure_getenv("ANYWHERE_DL_CJSON");
    const char *soname = env && *env ? env : AW_DL_CJSON_SONAME;
    /* RTLD_LOCAL: cJSON's symbols stay out of the global namespace. Never
     * closed: the table points into it for the rest of the process. */
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(json_error, sizeof json_error, "JSON support needs libcjson (%s); install libcjson1",
                 why ? why : soname);
        return false;
    }
    for (size_t i = 0; i < sizeof json_syms / sizeof json_syms[0]; i++) {
        void *p = dlsym(h, json_syms[i].name);
        if (!p) {
            snprintf(json_error, sizeof json_error,
                     "JSON support needs libcjson (%s has no %s: too old?); install libcjson1", soname,
                     json_syms[i].name);
            return false;
        }
        /* POSIX: dlsym's void * holds a function's address; every field is a function pointer. */
        void (*fn)(void);
        memcpy(&fn, &p, sizeof fn);
        memcpy((char *)&json_table + json_syms[i].offset, &fn, sizeof fn);
    }
    return true;
}

#endif

static void json_bind(void) { json_ok = json_bind_all(); }

bool aw_json_load(char *err, size_t errlen) {
    pthread_once(&json_once, json_bind);
    if (!json_ok && err && errlen) snprintf(err, errlen, "%s", json_error);
    return json_ok;
}

const aw_json_table *aw_json(void) {
    pthread_once(&json_once, json_bind);
    if (!json_ok) {
        /* libcjson1 is a hard dependency: a broken installation, not an input error. */
        fprintf(stderr, "anywhere: %s\n", json_error);
        exit(1);
    }
    return &json_table;
}
