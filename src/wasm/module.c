/*
 * module.c — a module's life: load (decode, validate and translate each
 * function, once), share (reference counts), free; what it imports and
 * exports; and the error formatting every pass uses.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm/arena.h"
#include "wasm/module.h"
#include "wasm/runtime.h"
#include "wasm/tierup.h"

void wasm_error_set(aw_error *err, aw_errkind kind, uint32_t func, uint64_t offset, const char *fmt, ...) {
    if (!err) return;
    err->kind = kind;
    err->trap = AW_TRAP_NONE;
    err->func_index = func;
    err->offset = offset;
    err->exit_code = 0;
    /* "in function 3 at byte 0x1a2: type mismatch: ..." — the spec's own
     * phrase stays intact after the prefix, so scripts can match it. */
    int n = 0;
    if (func != WASM_NONE && offset != UINT64_MAX)
        n = snprintf(err->message, sizeof err->message, "in function %u at byte 0x%llx: ", func,
                     (unsigned long long)offset);
    else if (func != WASM_NONE)
        n = snprintf(err->message, sizeof err->message, "in function %u: ", func);
    else if (offset != UINT64_MAX)
        n = snprintf(err->message, sizeof err->message, "at byte 0x%llx: ", (unsigned long long)offset);
    if (n < 0 || (size_t)n >= sizeof err->message) n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message + n, sizeof err->message - (size_t)n, fmt, ap);
    va_end(ap);
}

static void module_free(aw_module *m) {
    wasm_image_free(m);
    wasm_compile_free(m);
    wasm_module_free_decoded(m);
    wasm_block_free(m->bytes, m->len);
    free(m);
}

uint8_t *aw_module_buffer(size_t len) { return wasm_block_alloc(len, false); }

void aw_module_buffer_free(uint8_t *buf, size_t len) { wasm_block_free(buf, len); }

aw_module *aw_module_load(const uint8_t *bytes, size_t len, aw_error *err) {
    uint8_t *buf = wasm_block_alloc(len, true);
    if (buf && len) memcpy(buf, bytes, len);
    return aw_module_load_buffer(buf, len, err);
}

aw_module *aw_module_load_buffer(uint8_t *buf, size_t len, aw_error *err) {
    aw_error scratch;
    if (!err) err = &scratch;
    memset(err, 0, sizeof *err);
    err->func_index = WASM_NONE;
    err->offset = UINT64_MAX;

    aw_module *m = buf ? calloc(1, sizeof *m) : NULL;
    if (!m) {
        wasm_block_free(buf, len);
        wasm_error_set(err, AW_ERR_RESOURCE, WASM_NONE, UINT64_MAX, "out of memory loading a module");
        return NULL;
    }
    m->bytes = buf;
    m->len = len;
    m->start = WASM_NONE;
    atomic_init(&m->refcount, 1);

    if (!wasm_decode(m, err)) goto fail;
    if (!wasm_load_bodies(m, err)) goto fail;
    return m;
fail:
    module_free(m);
    return NULL;
}

aw_module *aw_module_load_buffer_ex(uint8_t *buf, size_t len, const aw_load_options *opts, aw_error *err) {
    if (opts && opts->tier == AW_TIER_COMPILED) { /* LLVM's path copies what it keeps */
        aw_module *m = aw_module_load_ex(buf, len, opts, err);
        wasm_block_free(buf, len);
        return m;
    }
    aw_module *m = aw_module_load_buffer(buf, len, err);
    return opts && opts->tier == AW_TIER_AUTO ? wasm_tierup_attach(m, opts) : m;
}

void aw_module_retain(aw_module *m) {
    if (m) atomic_fetch_add_explicit(&m->refcount, 1, memory_order_relaxed);
}

void aw_module_release(aw_module *m) {
    if (m && atomic_fetch_sub_explicit(&m->refcount, 1, memory_order_acq_rel) == 1) module_free(m);
}

/* ---- introspection --------------------------------------------------------- */

static aw_functype functype_of(const aw_module *m, uint32_t typeidx) {
    const wasm_functype *t = &m->types[typeidx];
    return (aw_functype){.nparams = t->nparams,
                         .nresults = t->nresults,
                         .params = t->types,
                         .results = wasm_functype_results(t)};
}

/* The type of entity `index` of kind `kind` in the module's index spaces. */
static void externtype_of(const aw_module *m, aw_externkind kind, uint32_t index, aw_externtype *out) {
    memset(out, 0, sizeof *out);
    out->kind = kind;
    switch (kind) {
    case AW_EXTERN_FUNC: out->func = functype_of(m, m->func_types[index]); break;
    case AW_EXTERN_TABLE:
        out->table.elem = m->tables[index].elem;
        out->table.limits = m->tables[index].limits;
        break;
    case AW_EXTERN_MEMORY: out->memory = m->mems[index]; break;
    case AW_EXTERN_GLOBAL:
        out->global.type = m->globals[index].type;
        out->global.mutable_ = m->globals[index].mutable_;
        break;
    }
}

uint32_t aw_module_import_count(const aw_module *m) { return m->nimports; }

void aw_module_import(const aw_module *m, uint32_t i, const char **module, const char **name,
                      aw_externtype *type) {
    const wasm_import *im = &m->imports[i];
    if (module) *module = im->module;
    if (name) *name = im->name;
    if (!type) return;
    memset(type, 0, sizeof *type);
    type->kind = im->kind;
    switch (im->kind) {
    case AW_EXTERN_FUNC: type->func = functype_of(m, im->of.func_type); break;
    case AW_EXTERN_TABLE:
        type->table.elem = im->of.table.elem;
        type->table.limits = im->of.table.limits;
        break;
    case AW_EXTERN_MEMORY: type->memory = im->of.memory; break;
    case AW_EXTERN_GLOBAL:
        type->global.type = im->of.global.type;
        type->global.mutable_ = im->of.global.mutable_;
        break;
    }
}

uint32_t aw_module_export_count(const aw_module *m) { return m->nexports; }

void aw_module_export(const aw_module *m, uint32_t i, const char **name, aw_externtype *type) {
    const wasm_export *ex = &m->exports[i];
    if (name) *name = ex->name;
    if (type) externtype_of(m, ex->kind, ex->index, type);
}

const char *aw_valtype_name(aw_valtype t) {
    switch (t) {
    case AW_I32: return "i32";
    case AW_I64: return "i64";
    case AW_F32: return "f32";
    case AW_F64: return "f64";
    case AW_V128: return "v128";
    case AW_FUNCREF: return "funcref";
    case AW_EXTERNREF: return "externref";
    }
    return "unknown";
}
