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

/* The quick level of huge modules (llvm_aot.c): locals to registers and
 * a simpler control flow, then LLVM's fast instruction selection and
 * register allocation (LLVMCodeGenLevelNone). O1 and its code generator
 * cost ~13 s per 1000 functions of bench/load.c's module, this ~4 s. */
#define WASM_LLVM_QUICK (-1)

/* Runs the optimisation pipeline of `level` (0..3 or WASM_LLVM_QUICK). */
bool wasm_llvm_optimise(LLVMModuleRef mod, LLVMTargetMachineRef tm, int level, aw_error *err);

/* Fill err with "compiled tier: what: msg" (disposing msg / e); false. */
bool wasm_llvm_fail(aw_error *err, const char *what, char *msg);
bool wasm_llvm_fail_error(aw_error *err, const char *what, LLVMErrorRef e);

#endif
