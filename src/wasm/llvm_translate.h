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

/* An assembler comment in the function-entry check's inline asm (x86-64),
 * followed by the function's index: how llvm_checks.c recognises a loop
 * that contains the entry of its own function, i.e. one made from tail
 * recursion (a callee's entry inlined into a loop has another index). */
#define WASM_LLVM_ENTRY_MARK "# aw entry check f"

/* llvm_checks.c: the fuel/interrupt check's inline asm (x86-64), marked
 * as function entry_of's entry check unless that is UINT32_MAX. */
void wasm_llvm_check_asm(char *buf, size_t size, uint32_t entry_of);

/* llvm_checks.c: after optimisation, fuel/interrupt checks on the back
 * edges of the optimised code (when loop_checks), bounds on the loops made
 * from tail recursion, and no sibling calls. */
void wasm_llvm_late_checks(LLVMModuleRef mod, const aw_module *m, bool loop_checks);

#endif
