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

#ifdef __cplusplus
}
#endif
#endif
