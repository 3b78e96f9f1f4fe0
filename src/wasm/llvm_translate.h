/*
 * llvm_translate.h — validated Wasm function bodies to LLVM IR (one LLVM
 * module per Wasm module). Only llvm_jit.c uses it; built with LLVM only.
 *
 * The IR module defines, besides the functions, one external global
 * "aw_fntab": an array of 2 * ndefs pointers, native function then slots
 * wrapper for each defined function (see llvm_jit.h), the only symbol the
 * JIT looks up. Runtime helpers are called through their addresses baked
 * in as constants (JIT), or as symbols an artifact's loader relocates (AOT).
 */
#ifndef AW_WASM_LLVM_TRANSLATE_H
#define AW_WASM_LLVM_TRANSLATE_H

#include <llvm-c/Core.h>

#include "wasm/llvm_jit.h"

LLVMModuleRef wasm_llvm_translate(const aw_module *m, LLVMContextRef ctx, bool explicit_bounds,
                                  bool loop_checks, aw_error *err);

/* Ahead-of-time translation (llvm_aot.c) of the defined functions
 * [lo, hi) only: the others are declared under their names (fN), defined
 * by another part, so every function is external unless `whole` (one part
 * for the module); aw_fntab covers [lo, hi); runtime addresses become
 * symbol references (wasm_llvm_aot_ref) that the artifact's loader
 * (aot_elf.c) resolves. */
typedef struct wasm_llvm_part {
    uint32_t lo, hi;
    bool whole;
} wasm_llvm_part;

LLVMModuleRef wasm_llvm_translate_part(const aw_module *m, LLVMContextRef ctx, bool explicit_bounds,
                                       bool loop_checks, const wasm_llvm_part *part, aw_error *err);

/* llvm_aot.c: the constant address p (a runtime function, a type of m, a
 * byte of m) as a reference to a symbol of the artifact's ABI, or NULL. */
LLVMValueRef wasm_llvm_aot_ref(LLVMModuleRef mod, const aw_module *m, const void *p);

/* The metadata kind on the function-entry check's load of the interrupt
 * flag, holding the function's index: how llvm_checks.c recognises a loop
 * that contains the entry of its own function, i.e. one made from tail
 * recursion (a callee's entry inlined into a loop has another index). */
#define WASM_LLVM_ENTRY_MD "aw.entry"

/* llvm_checks.c: the fuel/interrupt check, emitted at b's position in plain
 * IR: a volatile load of the interrupt flag and a load of fuel_enabled from
 * the store, one branch (weighted cold) to a block that counts fuel and, if
 * it ran out or the flag is set, calls wasm_jit_check; every path then goes
 * to cont. preds[] gets the blocks that branch to cont (3 at most), the
 * function returns their number. entry_of: the function whose entry check
 * this is, UINT32_MAX for a loop check. tbaa: the runtime's alias class for
 * the fuel counter's accesses, or NULL. */
unsigned wasm_llvm_emit_check(LLVMBuilderRef b, LLVMValueRef vm, LLVMValueRef store, uint32_t func,
                              uint64_t offset, uint32_t entry_of, LLVMValueRef tbaa, LLVMBasicBlockRef cont,
                              LLVMBasicBlockRef preds[3]);

/* llvm_loads.c: before optimisation (runs mem2reg), makes volatile the
 * loads of linear memory (those with metadata kind `memload`) whose trap
 * the optimiser could lose: dead or movable ones. */
bool wasm_llvm_keep_loads(LLVMModuleRef mod, unsigned memload, aw_error *err);

/* llvm_checks.c: after optimisation, fuel/interrupt checks on the back
 * edges of the optimised code (when loop_checks), bounds on the loops made
 * from tail recursion, and no sibling calls. */
void wasm_llvm_late_checks(LLVMModuleRef mod, const aw_module *m, bool loop_checks);

#endif
