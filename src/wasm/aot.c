/*
 * aot.c — ahead-of-time compiled modules: the embedding API of artifacts
 * (include/anywhere/compile.h): compiling one (through the LLVM plugin),
 * loading one (never loads LLVM: aot_file.c checks it, aot_elf.c links its
 * code), and the disk cache of artifacts the compiled tier keeps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "anywhere/compile.h"
#include "wasm/aot.h"

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

bool aw_is_artifact(const uint8_t *bytes, size_t len) { return wasm_aot_is_artifact(bytes, len); }

static void aot_release(wasm_jit_module *jm) {
    wasm_aot_unmap(jm->engine);
    free(jm->engine);
    free(jm->native);
    free(jm->wrappers);
    free(jm);
}

bool wasm_aot_attach(aw_module *m, const wasm_aot_file *f, aw_error *err) {
    double t0 = now_ms();
    uint32_t ndefs = m->nfuncs - m->nfunc_imports;
    wasm_jit_module *jm = calloc(1, sizeof *jm);
    wasm_aot_image *img = calloc(1, sizeof *img);
    void **natives = calloc(ndefs + 1, sizeof *natives);
    wasm_jit_slots_fn *wrappers = calloc(ndefs + 1, sizeof *wrappers);
    char why[300] = "out of memory";
    if (!jm || !img || !natives || !wrappers ||
        !wasm_aot_link(f->objs, f->nobjs, m, natives, wrappers, img, why, sizeof why)) {
        free(jm), free(img), free(natives), free(wrappers);
        wasm_error_set(err, AW_ERR_MALFORMED, WASM_NONE, UINT64_MAX, "cannot load the artifact's code: %s", why);
        return false;
    }
    jm->engine = img;
    jm->release = aot_release;
    jm->ndefs = ndefs;
    jm->native = natives;
    jm->wrappers = wrappers;
    jm->explicit_bounds = f->explicit_bounds;
    jm->compile_ms = now_ms() - t0;
    m->jit = jm;
    return true;
}

/* The module of a parsed artifact with its code attached. */
static aw_module *load_parsed(const wasm_aot_file *f, aw_error *err) {
    aw_module *m = aw_module_load(f->module, f->module_len, err);
    if (!m) return NULL;
    if (!wasm_aot_attach(m, f, err)) {
        aw_module_release(m);
        return NULL;
    }
    return m;
}

aw_module *aw_module_load_artifact(const uint8_t *art, size_t len, const char *name, aw_error *err) {
    aw_error scratch;
    if (!err) err = &scratch;
    memset(err, 0, sizeof *err);
    /* the ELF loader reads the objects in place: they must be 8-aligned,
     * as they are in a malloc'd or mapped artifact */
    uint8_t *copy = NULL;
    if ((uintptr_t)art % 16) {
        copy = malloc(len ? len : 1);
        if (!copy) {
            wasm_error_set(err, AW_ERR_RESOURCE, WASM_NONE, UINT64_MAX, "out of memory");
            return NULL;
        }
        memcpy(copy, art, len);
        art = copy;
    }
    wasm_aot_file f;
    aw_module *m = NULL;
    if (wasm_aot_parse(art, len, name ? name : "the artifact", &f, err)) m = load_parsed(&f, err);
    free(f.objs);
    free(copy);
    return m;
}

bool aw_compile_artifact(const uint8_t *wasm, size_t len, const aw_load_options *opts, uint8_t **out,
                         size_t *out_len, aw_error *err) {
    aw_error scratch;
    if (!err) err = &scratch;
    memset(err, 0, sizeof *err);
    aw_load_options defaults = {.tier = AW_TIER_COMPILED};
    if (!opts) opts = &defaults;
    aw_module *m = aw_module_load(wasm, len, err);
    if (!m) return false;
    wasm_aot_code code;
    bool ok = wasm_aot_compile(m, opts, &code, err);
    aw_module_release(m);
    if (ok) ok = wasm_aot_write(wasm, len, &code, out, out_len, err);
    if (code.objs || code.features) wasm_aot_code_free(&code);
    return ok;
}
