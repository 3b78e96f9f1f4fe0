/*
 * fuzz_wasm.c — libFuzzer target for the engine: arbitrary bytes go
 * through aw_module_load (decode, validate, translate: at load for inputs
 * of odd length, at first call for even ones); a module that loads
 * is instantiated with imports made to measure (functions that trap, small
 * tables, memories and zeroed globals), then every exported function is
 * called with zero arguments under a small fuel budget and a memory cap.
 *
 * Whatever the input, the engine must return an error or a trap: a crash,
 * a hang or a sanitizer report is a bug. Built by `make fuzz`
 * (mk/fuzz.mk) into build/fuzz/fuzz_wasm; fuzz/run.sh runs it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "anywhere/wasm.h"

#define FUZZ_FUEL 20000          /* per call: keeps each input fast */
#define FUZZ_MAX_PAGES 16        /* 1 MiB of linear memory at most */
#define FUZZ_MAX_TABLE 10000     /* elements in an imported table */
#define FUZZ_TIMEOUT_NS 1000000000ull

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int trap_import(aw_caller *c, uint64_t *slots, void *user) {
    (void)slots, (void)user;
    return aw_caller_trap(c, "imported function called");
}

static aw_val zero_of(aw_valtype t) {
    aw_val v;
    memset(&v, 0, sizeof v);
    v.type = t;
    return v;
}

/* Makes an extern matching import i; false if the module asks for more
 * than the fuzzer gives (then it is not instantiated). Host functions are
 * collected in hosts[] to be freed after the store. */
static bool make_import(aw_store *s, const aw_module *m, uint32_t i, aw_extern *out, aw_func **hosts,
                        uint32_t *nhosts) {
    const char *mod, *name;
    aw_externtype t;
    memset(&t, 0, sizeof t);
    aw_module_import(m, i, &mod, &name, &t);
    out->kind = t.kind;
    switch (t.kind) {
    case AW_EXTERN_FUNC:
        out->of.func = aw_func_new_host(t.func.params, t.func.nparams, t.func.results, t.func.nresults, trap_import,
                                        NULL, "fuzz_import");
        if (out->of.func) hosts[(*nhosts)++] = out->of.func;
        return out->of.func != NULL;
    case AW_EXTERN_TABLE:
        if (t.table.limits.min > FUZZ_MAX_TABLE) return false;
        out->of.table = aw_table_new(s, t.table.elem, t.table.limits);
        return out->of.table != NULL;
    case AW_EXTERN_MEMORY:
        if (t.memory.min > FUZZ_MAX_PAGES) return false;
        out->of.memory = aw_memory_new(s, t.memory);
        return out->of.memory != NULL;
    case AW_EXTERN_GLOBAL:
        out->of.global = aw_global_new(s, zero_of(t.global.type), t.global.mutable_);
        return out->of.global != NULL;
    }
    return false;
}

static void call_exports(aw_store *s, aw_module *m, aw_instance *inst) {
    uint32_t n = aw_module_export_count(m);
    for (uint32_t i = 0; i < n; i++) {
        const char *name;
        aw_externtype t;
        memset(&t, 0, sizeof t);
        aw_module_export(m, i, &name, &t);
        if (t.kind != AW_EXTERN_FUNC) continue;
        aw_func *f = aw_instance_func(inst, name);
        if (!f) continue;
        aw_functype ft = aw_func_type(f);
        aw_val *vals = calloc((size_t)ft.nparams + ft.nresults + 1, sizeof *vals);
        if (!vals) return;
        for (uint32_t p = 0; p < ft.nparams; p++) vals[p] = zero_of(ft.params[p]);
        aw_error err;
        aw_store_set_fuel(s, FUZZ_FUEL);
        aw_store_set_timeout(s, FUZZ_TIMEOUT_NS);
        aw_call(s, f, vals, ft.nparams, vals + ft.nparams, ft.nresults, &err);
        free(vals);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    aw_error err;
    /* Both translation modes (src/wasm/bodies.c): eagerly the translator
     * meets every function, lazily the first calls translate. */
    setenv("AW_TRANSLATE", size & 1 ? "eager" : "lazy", 1);
    aw_module *m = aw_module_load(data, size, &err);
    if (!m) return 0;
    aw_store_config cfg = {.max_memory_pages = FUZZ_MAX_PAGES, .fuel = FUZZ_FUEL};
    aw_store *s = aw_store_new(&cfg);
    uint32_t nimports = aw_module_import_count(m), nhosts = 0;
    aw_extern *imports = calloc(nimports + 1, sizeof *imports);
    aw_func **hosts = calloc(nimports + 1, sizeof *hosts);
    bool ok = s && imports && hosts;
    for (uint32_t i = 0; ok && i < nimports; i++) ok = make_import(s, m, i, &imports[i], hosts, &nhosts);
    if (ok) {
        aw_store_set_timeout(s, FUZZ_TIMEOUT_NS);
        aw_instance *inst = aw_instantiate(s, m, imports, nimports, &err);
        if (inst) call_exports(s, m, inst);
    }
    if (s) aw_store_free(s);
    for (uint32_t i = 0; i < nhosts; i++) aw_func_free_host(hosts[i]);
    free(hosts);
    free(imports);
    aw_module_release(m);
    return 0;
}
