/*
 * tier_loader.c — loads the LLVM-compiled tier (libanywhere-llvm.so) on
 * first use, when the build makes it a plugin (mk/llvm.mk, AW_LLVM_PLUGIN).
 *
 * Why a plugin: libLLVM's relocations and static constructors cost tens of
 * milliseconds at every process start; `anywhere run hello.wasm` must start
 * about as fast as a native program. So the tier's entry points below
 * stand in for the plugin's, dlopen it the first time a module asks for the
 * compiled tier, and forward. The plugin resolves the engine functions it
 * calls from the executable (linked -rdynamic); it is linked -Bsymbolic so
 * its own calls never come back to these stand-ins.
 *
 * Freeing compiled code and instantiating it need no plugin (jit_rt.c, in
 * the main library), nor does loading an artifact (aot.c). AW_DEBUG_TIER=1
 * reports on stderr when the plugin is loaded.
 *
 * Where it is looked for: $ANYWHERE_LLVM_PLUGIN, then beside the executable,
 * then ../lib/anywhere/ relative to it, then the build directory it was
 * built in.
 */
#ifdef AW_LLVM_PLUGIN

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anywhere/compile.h"
#include "wasm/aot.h"
#include "wasm/llvm_jit.h"
#include "wasm/simd.h"
#include "wasm/tierup.h"

typedef aw_module *(*load_ex_fn)(const uint8_t *, size_t, const aw_load_options *, aw_error *);
typedef bool (*available_fn)(void);
typedef bool (*aot_compile_fn)(const aw_module *, const aw_load_options *, wasm_aot_code *, aw_error *);
typedef bool (*compile_fn)(aw_module *, const aw_load_options *, aw_error *);

/* Written once under `once`, read-only afterwards: the process-wide
 * handle of a library that is never unloaded. */
static struct {
    void *handle;
    load_ex_fn load_ex;
    available_fn available;
    aot_compile_fn aot_compile;
    compile_fn compile;     /* for tierup.c */
    char error[320];
} plugin;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* The engine functions the plugin calls; naming them here makes sure any
 * program that links the engine also links them for the plugin to find. */
__attribute__((used)) static const void *const plugin_imports[] = {
    (const void *)aw_module_load, (const void *)aw_module_release, (const void *)wasm_error_set,
    (const void *)wasm_interp_call, (const void *)wasm_memory_grow, (const void *)wasm_table_grow,
    (const void *)wasm_simd_access_size, (const void *)wasm_simd_loads, (const void *)wasm_simd_ops,
    (const void *)wasm_store_deadline_passed, (const void *)wasm_trap, (const void *)wasm_store_own,
    (const void *)wasm_jit_enter, (const void *)wasm_jit_instance_init, (const void *)wasm_aot_runtime_name,
    (const void *)wasm_aot_code_free,
};

static bool try_open(const char *path) {
    if (!path || access(path, R_OK) != 0) return false;
    const char *dbg = getenv("AW_DEBUG_TIER");
    if (dbg && *dbg && strcmp(dbg, "0") != 0) fprintf(stderr, "anywhere: loading the LLVM plugin %s\n", path);
    plugin.handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!plugin.handle) {
        snprintf(plugin.error, sizeof plugin.error, "cannot load the compiled tier from %s: %s", path,
                 dlerror());
        return false;
    }
    return true;
}

static void open_plugin(void) {
    char exe[PATH_MAX], path[PATH_MAX + 64];
    snprintf(plugin.error, sizeof plugin.error,
             "the compiled tier's plugin libanywhere-llvm.so was not found (set ANYWHERE_LLVM_PLUGIN, "
             "or install it beside the anywhere binary)");
    bool ok = try_open(getenv("ANYWHERE_LLVM_PLUGIN"));
    ssize_t n = ok ? -1 : readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) *slash = 0;
        snprintf(path, sizeof path, "%s/libanywhere-llvm.so", exe);
        ok = try_open(path);
        if (!ok) {
            snprintf(path, sizeof path, "%s/../lib/anywhere/libanywhere-llvm.so", exe);
            ok = try_open(path);
        }
    }
    if (!ok) ok = try_open(AW_LLVM_PLUGIN_PATH);
    if (!ok) return;
    plugin.load_ex = (load_ex_fn)dlsym(plugin.handle, "aw_module_load_ex");
    plugin.available = (available_fn)dlsym(plugin.handle, "aw_compiled_tier_available");
    plugin.aot_compile = (aot_compile_fn)dlsym(plugin.handle, "wasm_aot_compile");
    plugin.compile = (compile_fn)dlsym(plugin.handle, "wasm_jit_compile");
    if (!plugin.load_ex || !plugin.available || !plugin.aot_compile || !plugin.compile) {
        snprintf(plugin.error, sizeof plugin.error, "the compiled tier's plugin lacks its entry points");
        plugin.load_ex = NULL;
    }
}

static bool loaded(void) {
    pthread_once(&once, open_plugin);
    return plugin.load_ex != NULL;
}

aw_module *aw_module_load_ex(const uint8_t *bytes, size_t len, const aw_load_options *opts,
                             aw_error *err) {
    if (!opts || opts->tier == AW_TIER_INTERP) return aw_module_load(bytes, len, err);
    if (opts->tier == AW_TIER_AUTO) return wasm_tierup_attach(aw_module_load(bytes, len, err), opts); /* no dlopen yet */
    if (!loaded()) {
        aw_error scratch;
        if (!err) err = &scratch;
        memset(err, 0, sizeof *err);
        wasm_error_set(err, AW_ERR_RESOURCE, WASM_NONE, UINT64_MAX, "%s", plugin.error);
        return NULL;
    }
    return plugin.load_ex(bytes, len, opts, err);
}

bool aw_compiled_tier_available(void) { return loaded() && plugin.available(); }

aw_tier aw_module_tier(const aw_module *m) {
    return m->jit ? AW_TIER_COMPILED : m->tierup ? AW_TIER_AUTO : AW_TIER_INTERP;
}

bool wasm_aot_compile(const aw_module *m, const aw_load_options *opts, wasm_aot_code *out,
                      aw_error *err) {
    memset(out, 0, sizeof *out);
    if (!loaded()) {
        wasm_error_set(err, AW_ERR_RESOURCE, WASM_NONE, UINT64_MAX, "%s", plugin.error);
        return false;
    }
    return plugin.aot_compile(m, opts, out, err);
}

/* tierup.c's background compilation: the thread that calls this is the
 * one that pays for loading the plugin. */
bool wasm_jit_compile(aw_module *m, const aw_load_options *opts, aw_error *err) {
    if (!loaded()) {
        wasm_error_set(err, AW_ERR_RESOURCE, WASM_NONE, UINT64_MAX, "%s", plugin.error);
        return false;
    }
    return plugin.compile(m, opts, err);
}

#else
/* The tier is linked in (or absent): llvm_jit.c provides these functions. */
typedef int wasm_tier_loader_unused;
#endif
