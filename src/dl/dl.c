/* dl.c — binds a shim's table of function pointers (see dl.h): from the
 * library dlopen()ed by soname, or, built with AW_DL_DIRECT, from the
 * functions linked into the executable. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dl/dl.h"

_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "dlsym's answer must fit a function pointer");

static void set_slot(aw_dl_lib *lib, const aw_dl_sym *s, void (*fn)(void)) {
    /* Every field of the table is a function pointer, laid out at s->offset. */
    memcpy((char *)lib->table + s->offset, &fn, sizeof fn);
}

#ifdef AW_DL_DIRECT

static bool bind_all(aw_dl_lib *lib) {
    for (size_t i = 0; i < lib->nsyms; i++) set_slot(lib, &lib->syms[i], lib->syms[i].direct);
    return true;
}

#else

static bool bind_all(aw_dl_lib *lib) {
    /* secure_getenv: never honoured in a set-user-ID process (as LD_PRELOAD). */
    const char *env = lib->env ? secure_getenv(lib->env) : NULL;
    const char *soname = env && *env ? env : lib->soname;
    /* RTLD_LOCAL: the library's symbols stay out of the global namespace, so
     * nothing loaded later binds to them by accident. Never closed: the
     * table points into it for the rest of the process. */
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(lib->error, sizeof lib->error, "%s (%s); install %s", lib->need, why ? why : soname, lib->package);
        return false;
    }
    for (size_t i = 0; i < lib->nsyms; i++) {
        void *p = dlsym(h, lib->syms[i].name);
        if (!p) {
            snprintf(lib->error, sizeof lib->error, "%s (%s has no %s: too old?); install %s", lib->need, soname,
                     lib->syms[i].name, lib->package);
            return false;
        }
        void (*fn)(void);
        memcpy(&fn, &p, sizeof fn); /* POSIX: dlsym's void * holds a function's address */
        set_slot(lib, &lib->syms[i], fn);
    }
    return true;
}

#endif

void aw_dl_bind(aw_dl_lib *lib) {
    lib->ok = bind_all(lib);
    if (lib->ok && lib->after) lib->after();
}

bool aw_dl_ok(const aw_dl_lib *lib, char *err, size_t errlen) {
    if (!lib->ok && err && errlen) snprintf(err, errlen, "%s", lib->error);
    return lib->ok;
}
