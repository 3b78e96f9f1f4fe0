/*
 * tierup.h — AW_TIER_AUTO: a module starts in the interpreter, is compiled
 * by the LLVM tier on a background thread once it has run enough, and its
 * instances switch to the compiled code at their next call (tierup.c;
 * docs/tiering.md).
 *
 * Who calls what:
 *   aw_module_load_ex (tier_loader.c / llvm_jit.c)  wasm_tierup_attach
 *   aw_module_load_buffer_ex (module.c)             wasm_tierup_attach
 *   interp.c, its fuel/interrupt slow path          wasm_tierup_tick
 *   instance.c, when an instance is made            wasm_tierup_instance_init
 *   instance.c, when the module is freed            wasm_tierup_free
 */
#ifndef AW_WASM_TIERUP_H
#define AW_WASM_TIERUP_H

#include "anywhere/compile.h"
#include "wasm/runtime.h"

/* Prepares the background compilation of m, just loaded for the
 * interpreter (which starts at once when the threshold is 0); returns m
 * (NULL stays NULL: a failed load). */
aw_module *wasm_tierup_attach(aw_module *m, const aw_load_options *opts);

/* The interpreter ran about `instructions` more in inst (whose module has
 * m->tierup and which is not switched yet): counts them towards the
 * threshold, starts the compilation when it is reached, and switches inst
 * to compiled code when that is ready. Called every few thousand
 * instructions, never on a hot path. */
void wasm_tierup_tick(aw_instance *inst, uint32_t instructions);

/* The first call from an interpreted frame of switched instance inst into
 * compiled code (of function func): notes it, says so under AW_DEBUG_TIER. */
void wasm_tierup_crossed(aw_instance *inst, uint32_t func);

/* A new instance of a module with m->tierup: starts in compiled code when
 * that is ready. */
void wasm_tierup_instance_init(aw_instance *inst);

/* Frees m->tierup; waits for a compilation still running. */
void wasm_tierup_free(aw_module *m);

#endif
