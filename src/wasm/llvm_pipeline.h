/*
 * llvm_pipeline.h — what the JIT driver (llvm_jit.c) and the ahead-of-time
 * compiler (llvm_aot.c) share: LLVM's one-time set-up, host target
 * machines, the optimisation pipeline and the compile options' reading.
 * Built with LLVM only (the plugin).
 */
#ifndef AW_WASM_LLVM_PIPELINE_H
#define AW_WASM_LLVM_PIPELINE_H

#include <llvm-c/Error.h>
#include <llvm-c/TargetMachine.h>

#include "wasm/llvm_jit.h"

/* Once per process (thread-safe). */
void wasm_llvm_init(void);

/* A target machine for this host. */
LLVMTargetMachineRef wasm_llvm_host_machine(LLVMCodeGenOptLevel level, LLVMRelocMode reloc,
                                            LLVMCodeModel model, char **why);

/* The optimisation level (0..3) and bounds mode opts and the environment
 * ask for. */
int wasm_llvm_opt_level(const aw_load_options *opts);
bool wasm_llvm_explicit_bounds(const aw_load_options *opts);
bool wasm_llvm_loop_checks(const aw_load_options *opts);

/* Sets mod's data layout and triple from tm. */
void wasm_llvm_set_target(LLVMModuleRef mod, LLVMTargetMachineRef tm);

/* Runs the optimisation pipeline of `level`. */
bool wasm_llvm_optimise(LLVMModuleRef mod, LLVMTargetMachineRef tm, int level, aw_error *err);

/* Fill err with "compiled tier: what: msg" (disposing msg / e); false. */
bool wasm_llvm_fail(aw_error *err, const char *what, char *msg);
bool wasm_llvm_fail_error(aw_error *err, const char *what, LLVMErrorRef e);

#endif
