/*
 * linker.c — named definitions resolved into a module's positional imports.
 *
 * Definitions live in an open-addressing hash table keyed by the pair
 * (module, name), so resolving a module with many imports costs one probe
 * per import: this runs on every instantiation in the HTTP host.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anywhere/linker.h"

typedef struct link_entry {
    char *module, *name; /* NULL module: empty slot */
    uint64_t hash;
    aw_extern ext;
} link_entry;

typedef struct owned_func {
    struct owned_func *next;
    aw_func *func;
    void *data; /* freed with the function, may be NULL */
} owned_func;

struct aw_linker {
    link_entry *slots;
    uint32_t cap, count; /* cap is a power of two */
    bool trap_unknown;
    owned_func *owned;   /* host functions this linker made */
};

static uint64_t hash_pair(const char *module, size_t mlen, const char *name, size_t nlen) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < mlen; i++) h = (h ^ (uint8_t)module[i]) * 1099511628211ull;
    h = (h ^ 0xFF) * 1099511628211ull; /* separator no UTF-8 byte equals */
    for (size_t i = 0; i < nlen; i++) h = (h ^ (uint8_t)name[i]) * 1099511628211ull;
    return h;
}

aw_linker *aw_linker_new(void) {
    aw_linker *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    l->cap = 64;
    l->slots = calloc(l->cap, sizeof *l->slots);
    if (!l->slots) {
        free(l);
        return NULL;
    }
    return l;
}

void aw_linker_free(aw_linker *l) {
    if (!l) return;
    for (uint32_t i = 0; i < l->cap; i++) {
        free(l->slots[i].module);
        free(l->slots[i].name);
    }
    free(l->slots);
    for (owned_func *o = l->owned, *next; o; o = next) {
        next = o->next;
        aw_func_free_host(o->func);
        free(o->data);
        free(o);
    }
    free(l);
}

void aw_linker_trap_unknown_imports(aw_linker *l, bool on) { l->trap_unknown = on; }

static link_entry *find_slot(link_entry *slots, uint32_t cap, const char *module, const char *name,
                             uint64_t h) {
    for (uint32_t i = (uint32_t)h & (cap - 1);; i = (i + 1) & (cap - 1)) {
        link_entry *e = &slots[i];
        if (!e->module) return e;
        if (e->hash == h && !strcmp(e->module, module) && !strcmp(e->name, name)) return e;
    }
}

static bool grow(aw_linker *l) {
    uint32_t cap = l->cap * 2;
    link_entry *slots = calloc(cap, sizeof *slots);
    if (!slots) return false;
    for (uint32_t i = 0; i < l->cap; i++) {
        link_entry *e = &l->slots[i];
        if (e->module) *find_slot(slots, cap, e->module, e->name, e->hash) = *e;
    }
    free(l->slots);
    l->slots = slots, l->cap = cap;
    return true;
}

bool aw_linker_define(aw_linker *l, const char *module, const char *name, aw_extern ext) {
    if ((l->count + 1) * 4 > l->cap * 3 && !grow(l)) return false;
    uint64_t h = hash_pair(module, strlen(module), name, strlen(name));
    link_entry *e = find_slot(l->slots, l->cap, module, name, h);
    if (!e->module) {
        char *m = strdup(module), *n = strdup(name);
        if (!m || !n) {
            free(m), free(n);
            return false;
        }
        e->module = m, e->name = n, e->hash = h;
        l->count++;
    }
    e->ext = ext;
    return true;
}

static bool own_func(aw_linker *l, aw_func *f, void *data) {
    owned_func *o = malloc(sizeof *o);
    if (!o) return false;
    o->func = f, o->data = data, o->next = l->owned;
    l->owned = o;
    return true;
}

bool aw_linker_define_func(aw_linker *l, const char *module, const char *name,
                           const aw_valtype *params, uint32_t nparams, const aw_valtype *results,
                           uint32_t nresults, aw_host_fn fn, void *data) {
    aw_func *f = aw_func_new_host(params, nparams, results, nresults, fn, data, name);
    if (!f) return false;
    if (!own_func(l, f, NULL)) {
        aw_func_free_host(f);
        return false;
    }
    return aw_linker_define(l, module, name, (aw_extern){.kind = AW_EXTERN_FUNC, .of.func = f});
}

bool aw_linker_define_instance(aw_linker *l, const char *module, const aw_instance *inst) {
    const aw_module *m = aw_instance_module(inst);
    for (uint32_t i = 0; i < aw_module_export_count(m); i++) {
        const char *name;
        aw_externtype t;
        aw_extern ext;
        aw_module_export(m, i, &name, &t);
        if (!aw_instance_export(inst, name, &ext) || !aw_linker_define(l, module, name, ext))
            return false;
    }
    return true;
}

/* Appends to buf at *at, never past size, always NUL-terminated. */
static void put(char *buf, size_t size, size_t *at, const char *fmt, ...) {
    if (*at >= size) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *at, size - *at, fmt, ap);
    va_end(ap);
    if (n > 0) *at += (size_t)n;
}

static void put_types(char *buf, size_t size, size_t *at, const aw_valtype *t, uint32_t n) {
    put(buf, size, at, "(");
    for (uint32_t i = 0; i < n; i++) put(buf, size, at, "%s%s", i ? ", " : "", aw_valtype_name(t[i]));
    put(buf, size, at, ")");
}

static void put_limits(char *buf, size_t size, size_t *at, aw_limits lim) {
    if (lim.max == UINT32_MAX) put(buf, size, at, "{min %u}", lim.min);
    else put(buf, size, at, "{min %u, max %u}", lim.min, lim.max);
}

void aw_externtype_format(const aw_externtype *t, char *buf, size_t size) {
    size_t at = 0;
    if (size) buf[0] = 0;
    switch (t->kind) {
    case AW_EXTERN_FUNC:
        put(buf, size, &at, "function ");
        put_types(buf, size, &at, t->func.params, t->func.nparams);
        put(buf, size, &at, " -> ");
        put_types(buf, size, &at, t->func.results, t->func.nresults);
        break;
    case AW_EXTERN_TABLE:
        put(buf, size, &at, "table of %s ", aw_valtype_name(t->table.elem));
        put_limits(buf, size, &at, t->table.limits);
        break;
    case AW_EXTERN_MEMORY:
        put(buf, size, &at, "memory ");
        put_limits(buf, size, &at, t->memory);
        break;
    case AW_EXTERN_GLOBAL:
        put(buf, size, &at, "global %s%s", t->global.mutable_ ? "mut " : "",
            aw_valtype_name(t->global.type));
        break;
    }
}

typedef struct unknown_import {
    char what[200];
} unknown_import;

static int trap_unknown_call(aw_caller *c, uint64_t *slots, void *data) {
    (void)slots;
    return aw_caller_trap(c, "unknown import %s called", ((unknown_import *)data)->what);
}

/* A function of the import's type that traps when called, owned by the
 * linker and defined under the import's name so later resolutions reuse it. */
static aw_func *make_trap_func(aw_linker *l, const char *module, const char *name,
                               const aw_functype *ft) {
    unknown_import *u = malloc(sizeof *u);
    if (!u) return NULL;
    snprintf(u->what, sizeof u->what, "%s.%s", module, name);
    aw_func *f = aw_func_new_host(ft->params, ft->nparams, ft->results, ft->nresults,
                                  trap_unknown_call, u, u->what);
    if (!f || !own_func(l, f, u)) {
        if (f) aw_func_free_host(f);
        free(u);
        return NULL;
    }
    aw_linker_define(l, module, name, (aw_extern){.kind = AW_EXTERN_FUNC, .of.func = f});
    return f;
}

bool aw_linker_resolve(aw_linker *l, const aw_module *m, aw_extern *imports, aw_error *err) {
    uint32_t n = aw_module_import_count(m);
    for (uint32_t i = 0; i < n; i++) {
        const char *module, *name;
        aw_externtype t;
        aw_module_import(m, i, &module, &name, &t);
        link_entry *e =
            find_slot(l->slots, l->cap, module, name, hash_pair(module, strlen(module), name, strlen(name)));
        if (e->module && e->ext.kind == t.kind) {
            imports[i] = e->ext;
            continue;
        }
        if (!e->module && t.kind == AW_EXTERN_FUNC && l->trap_unknown) {
            aw_func *f = make_trap_func(l, module, name, &t.func);
            if (f) {
                imports[i] = (aw_extern){.kind = AW_EXTERN_FUNC, .of.func = f};
                continue;
            }
        }
        char type[160];
        aw_externtype_format(&t, type, sizeof type);
        memset(err, 0, sizeof *err);
        err->kind = AW_ERR_LINK;
        err->func_index = UINT32_MAX;
        err->offset = UINT64_MAX;
        snprintf(err->message, sizeof err->message, "%s %s.%s: %s",
                 e->module ? "incompatible import type for" : "unknown import", module, name, type);
        return false;
    }
    return true;
}

aw_instance *aw_linker_instantiate(aw_linker *l, aw_store *s, aw_module *m, aw_error *err) {
    uint32_t n = aw_module_import_count(m);
    aw_extern stack_imports[64];
    aw_extern *imports = n <= 64 ? stack_imports : malloc(n * sizeof *imports);
    if (!imports) {
        memset(err, 0, sizeof *err);
        err->kind = AW_ERR_RESOURCE;
        snprintf(err->message, sizeof err->message, "out of memory resolving %u imports", n);
        return NULL;
    }
    aw_instance *inst = NULL;
    if (aw_linker_resolve(l, m, imports, err)) inst = aw_instantiate(s, m, imports, n, err);
    if (imports != stack_imports) free(imports);
    return inst;
}
