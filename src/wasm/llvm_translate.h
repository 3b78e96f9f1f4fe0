/*
 * llvm_translate.h — validated Wasm function bodies to LLVM IR (one LLVM
 * module per Wasm module). Only llvm_jit.c uses it; built with LLVM only.
 *
 * The IR module defines, besides the functions, one external global
 * "aw_fntab": an array of 2 * ndefs pointers, native function then slots
 * wrapper for each defined function (see llvm_jit.h), the only symbol the
 * JIT looks up. Runtime helpers are called through their addresses baked
 * in as constants (JIT only: an ahead-of-time artifact would relocate them).
 */
#ifndef AW_WASM_LLVM_TRANSLATE_H
#define AW_WASM_LLVM_TRANSLATE_H

#include <llvm-c/Core.h>

#include "wasm/llvm_jit.h"

LLVMModuleRef wasm_llvm_translate(const aw_module *m, LLVMContextRef ctx, bool explicit_bounds,
                                  bool loop_checks, aw_error *err);

#endif
