/*
 * anywhere/compile.h — choosing the execution tier of a module.
 *
 *   aw_load_options o = { .tier = AW_TIER_COMPILED };
 *   aw_module *m = aw_module_load_ex(bytes, len, &o, &err);
 *
 * AW_TIER_INTERP (the default of aw_module_load) starts at once and runs
 * the register-slot interpreter. AW_TIER_COMPILED translates every function
 * to native code through LLVM (optimised, just in time) before returning:
 * slower to load, within a small factor of native code to run. Both tiers
 * give the same results, traps and limits (fuel, interrupts, call depth),
 * and call each other and host functions freely across instances.
 *
 * AW_TIER_AUTO starts at once in the interpreter; once the module has run
 * enough to be worth it, a background thread compiles it with the compiled
 * tier, and running instances switch to compiled code at their next call
 * of a function (instances made afterwards start in it). No call waits for
 * the compiler. A frame that is running when the switch happens (a long
 * loop, say) finishes in the interpreter. Stores with a fuel limit stay in
 * the interpreter (fuel is counted per instruction there, per call and
 * loop iteration in compiled code). Without the compiled tier, AW_TIER_AUTO
 * is the interpreter. docs/tiering.md has the details.
 *
 * A binary built without LLVM (llvm-config-19 absent at build time) loads
 * AW_TIER_COMPILED modules with an AW_ERR_RESOURCE error saying so;
 * aw_compiled_tier_available() tells in advance.
 *
 * Ahead of time (x86-64 Linux): aw_compile_artifact compiles a module into
 * an artifact (`anywhere compile app.wasm -o app.cwasm`): the module's
 * bytes, its native code as ELF objects, and what the code was compiled
 * for. aw_module_load_artifact loads one without LLVM (the plugin is never
 * loaded): it refuses, with a message naming the cause, an artifact of
 * another format or engine version, for a CPU lacking features this one
 * has not, or corrupt (SHA-256 of the module and of the whole file). The
 * module it returns is an ordinary compiled-tier module.
 *
 *   uint8_t *art; size_t n;
 *   if (aw_compile_artifact(wasm, len, NULL, &art, &n, &err)) { write art; free(art); }
 *   aw_module *m = aw_module_load_artifact(art, n, "app.cwasm", &err);
 *
 * aw_module_load_cached is aw_module_load_ex(AW_TIER_COMPILED) through a
 * disk cache of artifacts, keyed by the module's SHA-256, the options,
 * the engine version and the CPU: a second load of the same module loads
 * the cached artifact without loading LLVM.
 */
#ifndef ANYWHERE_COMPILE_H
#define ANYWHERE_COMPILE_H

#include "anywhere/wasm.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum aw_tier {
    AW_TIER_INTERP = 0,
    AW_TIER_COMPILED = 1,
    AW_TIER_AUTO = 2, /* interpreter now, compiled code once compiled in the background */
} aw_tier;

typedef struct aw_load_options {
    aw_tier tier;
    /* Compiled tier: check every memory access against the memory's size
     * instead of relying on guard pages (needed when the process cannot
     * reserve 8 GiB of address space per memory; slower). */
    bool explicit_bounds_checks;
    /* Compiled tier: LLVM optimisation level 0..3; 0 here means the
     * default (2). */
    int opt_level;
    /* Compiled tier: no fuel or interrupt check at loop headers, only at
     * calls. Faster hot loops (LLVM may vectorise them again), but a loop
     * that never calls can then neither run out of fuel nor be interrupted
     * by a deadline: for trusted code only. */
    bool unchecked_loops;
} aw_load_options;

/* Like aw_module_load, in the tier opts asks for (opts may be NULL: the
 * interpreter). */
aw_module *aw_module_load_ex(const uint8_t *bytes, size_t len, const aw_load_options *opts,
                             aw_error *err);

/* Like aw_module_load_buffer (which see: it takes buf), in the tier opts
 * asks for. */
aw_module *aw_module_load_buffer_ex(uint8_t *buf, size_t len, const aw_load_options *opts, aw_error *err);

/* The tier a loaded module runs in (AW_TIER_AUTO: loaded with it, whether
 * or not its compiled code is ready yet). */
aw_tier aw_module_tier(const aw_module *m);

/* Whether an AW_TIER_AUTO module's compiled code is ready (instances made
 * from now on start in it). */
bool aw_module_tier_ready(const aw_module *m);

/* Whether a background compilation (AW_TIER_AUTO) is running now. A
 * program that ends while one runs must end with _exit() (after flushing
 * its streams), not exit() or a return from main: exit() runs the static
 * destructors of LLVM under the compiling thread. Freeing the module waits
 * for its compilation instead. */
bool aw_compile_in_flight(void);

/* Whether this binary was built with the LLVM-compiled tier. */
bool aw_compiled_tier_available(void);

/* Compiles the module `wasm` for this machine into a malloc'd artifact
 * (*out, *out_len; free() it). opts may be NULL (the defaults of the
 * compiled tier). Needs the compiled tier (LLVM) and x86-64. */
bool aw_compile_artifact(const uint8_t *wasm, size_t len, const aw_load_options *opts,
                         uint8_t **out, size_t *out_len, aw_error *err);

/* Loads an artifact of aw_compile_artifact. name names it in error
 * messages (a file name; NULL: "the artifact"). */
aw_module *aw_module_load_artifact(const uint8_t *artifact, size_t len, const char *name,
                                   aw_error *err);

/* Whether bytes start like an artifact (rather than a .wasm module). */
bool aw_is_artifact(const uint8_t *bytes, size_t len);

/* Loads `wasm` in the compiled tier through the artifact cache in
 * cache_dir, or when NULL in $ANYWHERE_CACHE_DIR, $XDG_CACHE_HOME/anywhere
 * or ~/.cache/anywhere (made when missing). A missing, stale or corrupt
 * entry is compiled (again) and stored atomically; the cache is kept under
 * $ANYWHERE_CACHE_MAX_MB megabytes (default 1024), least recently used
 * entries deleted first. A cache that cannot be written only costs speed.
 * AW_DEBUG_TIER=1 in the environment reports hits and misses on stderr. */
aw_module *aw_module_load_cached(const uint8_t *wasm, size_t len, const aw_load_options *opts,
                                 const char *cache_dir, aw_error *err);

/* The default cache directory (see aw_module_load_cached); false when
 * none can be named (no HOME). */
bool aw_cache_dir(char *out, size_t size);

#ifdef __cplusplus
}
#endif
#endif
