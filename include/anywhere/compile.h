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

/* The tier a loaded module runs in. */
aw_tier aw_module_tier(const aw_module *m);

/* Whether this binary was built with the LLVM-compiled tier. */
bool aw_compiled_tier_available(void);

#ifdef __cplusplus
}
#endif
#endif
