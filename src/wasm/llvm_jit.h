/*
 * llvm_jit.h — the LLVM-compiled tier: what the translator (llvm_translate.c),
 * the JIT driver (llvm_jit.c), the runtime support of compiled code
 * (jit_rt.c) and instantiation (instance.c) share.
 *
 * Calling convention of compiled code. Every defined function f becomes
 *     R f(wasm_jit_vm *vm, P1 p1, ...)      R: void, one value, or a struct
 * and a wrapper  void f_slots(wasm_jit_vm *vm, wasm_slot *slots)  that reads
 * the parameters from slots and writes the results over them, as host
 * functions do. An instance of a compiled module exposes each defined
 * function as an aw_func whose `host` is wasm_jit_enter and whose host_data
 * is its wasm_jit_rec: the interpreter and aw_call see an ordinary host
 * function, so every direction of call between tiers works unchanged.
 * Compiled code calls a funcref natively when its host is wasm_jit_enter,
 * and through wasm_jit_call_slots (the slot convention) otherwise.
 *
 * Traps. wasm_jit_enter sets up a sigsetjmp point per entry into compiled
 * code; a trap (explicit check, guard-page fault, or an error returned by
 * an interpreted or host callee) fills the entry's aw_error and longjmps
 * back to the innermost entry, which returns the error to its caller in the
 * ordinary way. The chain of entries is thread-local, so any number of
 * threads may run compiled code, each in its own store.
 */
#ifndef AW_WASM_LLVM_JIT_H
#define AW_WASM_LLVM_JIT_H

#include "anywhere/compile.h"
#include "wasm/runtime.h"

typedef struct wasm_jit_vm wasm_jit_vm;
typedef void (*wasm_jit_slots_fn)(wasm_jit_vm *vm, wasm_slot *slots);

/* One defined function of one instance. */
typedef struct wasm_jit_rec {
    void *native;              /* R f(vm, params...) */
    wasm_jit_slots_fn wrapper; /* f_slots */
    wasm_jit_vm *vm;
} wasm_jit_rec;

/* Per-instance state compiled code reads. Field offsets are baked into the
 * generated code (offsetof), so the layout is free to change. */
struct wasm_jit_vm {
    uint8_t *mem0;          /* base of memory 0, or NULL; fixed for its life */
    aw_memory *mem0obj;
    aw_store *store;
    aw_instance *inst;
    aw_func **funcs;
    aw_global **globals;
    aw_table **tables;
    wasm_jit_rec *recs;     /* per defined function */
    /* wasm_jit_check and wasm_jit_trap, called through these from cold
     * paths: an address baked in as a 64-bit constant gets hoisted into a
     * callee-saved register for the whole function (a push/pop per call). */
    void *check_fn, *trap_fn;
};

/* A module's compiled code (aw_module.jit). */
typedef struct wasm_jit_module {
    void *engine;           /* llvm_jit.c's LLJIT, or aot.c's mapped image */
    /* frees engine and the module: llvm_jit.c's in the plugin, aot.c's
     * in the main library (so that freeing a loaded artifact's code never
     * loads LLVM) */
    void (*release)(struct wasm_jit_module *jm);
    uint32_t ndefs;
    void **native;          /* per defined function */
    wasm_jit_slots_fn *wrappers;
    bool explicit_bounds;
    double compile_ms;
} wasm_jit_module;

/* llvm_jit.c */
bool wasm_jit_compile(aw_module *m, const aw_load_options *opts, aw_error *err);
/* jit_rt.c: frees m->jit through its release */
void wasm_jit_free(aw_module *m);

/* jit_rt.c (the main library, so that artifacts run without the plugin):
 * instantiation of a compiled module (called by instance.c once
 * its functions and memories exist): makes the vm and turns the defined
 * functions into entries of compiled code. */
bool wasm_jit_instance_init(aw_instance *inst, aw_error *err);
/* The same with compiled code jm of inst's module that is not (yet) its
 * m->jit: tierup.c switches an interpreted instance with it. */
bool wasm_jit_instance_attach(aw_instance *inst, const wasm_jit_module *jm, aw_error *err);

/* jit_rt.c: the host-function entry of every compiled function. */
int wasm_jit_enter(aw_caller *c, uint64_t *slots, void *rec);

/* ---- jit_rt.c: called by compiled code ---- */
_Noreturn void wasm_jit_trap(wasm_jit_vm *vm, uint32_t kind, uint32_t func, uint64_t offset);
void wasm_jit_call_slots(wasm_jit_vm *vm, aw_func *f, wasm_slot *slots);
/* Function entry / loop header when the interrupt flag is set or fuel ran out. */
void wasm_jit_check(wasm_jit_vm *vm, uint32_t func, uint64_t offset);
bool wasm_jit_type_eq(const wasm_functype *a, const wasm_functype *b);
uint32_t wasm_jit_memory_grow(wasm_jit_vm *vm, uint32_t delta);
/* These return a trap kind, 0 when none: compiled code traps with its own
 * function index and offset. */
uint32_t wasm_jit_memory_init(wasm_jit_vm *vm, uint32_t seg, uint32_t d, uint32_t s, uint32_t n);
void wasm_jit_data_drop(wasm_jit_vm *vm, uint32_t seg);
uint32_t wasm_jit_memory_copy(wasm_jit_vm *vm, uint32_t d, uint32_t s, uint32_t n);
uint32_t wasm_jit_memory_fill(wasm_jit_vm *vm, uint32_t d, uint32_t val, uint32_t n);
uint32_t wasm_jit_table_get(wasm_jit_vm *vm, uint32_t t, uint32_t i, void **out);
uint32_t wasm_jit_table_set(wasm_jit_vm *vm, uint32_t t, uint32_t i, void *v);
uint32_t wasm_jit_table_size(wasm_jit_vm *vm, uint32_t t);
uint32_t wasm_jit_table_grow(wasm_jit_vm *vm, uint32_t t, void *init, uint32_t delta);
uint32_t wasm_jit_table_fill(wasm_jit_vm *vm, uint32_t t, uint32_t i, void *v, uint32_t n);
uint32_t wasm_jit_table_copy(wasm_jit_vm *vm, uint32_t dt, uint32_t st, uint32_t d, uint32_t s,
                             uint32_t n);
uint32_t wasm_jit_table_init(wasm_jit_vm *vm, uint32_t t, uint32_t seg, uint32_t d, uint32_t s,
                             uint32_t n);
void wasm_jit_elem_drop(wasm_jit_vm *vm, uint32_t seg);
/* SIMD loads the translator does not inline (bounds already checked). */
void wasm_jit_simd_load(uint32_t op, wasm_slot *dst, const uint8_t *mem, const wasm_slot *vec,
                        uint32_t lane);

#endif
