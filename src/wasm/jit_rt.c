/*
 * jit_rt.c — what compiled code needs at run time: entries from the
 * interpreter, host code and aw_call (wasm_jit_enter), traps, calls out to
 * interpreted and host functions, limit checks, and the bulk memory and
 * table operations. Part of the main library, never of the LLVM plugin
 * (it uses no LLVM header): code loaded from an artifact (aot.c) runs
 * without LLVM, and JIT-compiled code calls these same functions.
 *
 * Traps unwind with siglongjmp to the innermost entry (see llvm_jit.h).
 * Compiled frames hold nothing to clean up, and every C frame in between
 * either belongs to this file (no state) or is returned through normally:
 * an interpreted or host callee returns its error to wasm_jit_call_slots,
 * which only then jumps. So the interpreter's and the runtime's own
 * bookkeeping (store depth, value-stack top) is never skipped, except the
 * call depth of compiled frames, which each entry restores.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "wasm/llvm_jit.h"
#include "wasm/simd.h"

typedef struct jit_entry {
    sigjmp_buf jb;
    aw_error *err;
    struct jit_entry *prev;
} jit_entry;

/* The innermost entry into compiled code on this thread: where traps and
 * guard-page faults go. Thread-local because each thread runs its own
 * stores; the fault handler has no other way to find it. Initial-exec:
 * in the plugin the default model calls __tls_get_addr at every access,
 * which was a quarter of the cost of an entry from the interpreter; the
 * two words fit in the static TLS that glibc keeps for dlopen'ed objects. */
#define TLS_IE __attribute__((tls_model("initial-exec")))
static _Thread_local TLS_IE jit_entry *tls_entry;

/* This thread's stack limit for compiled code, computed once per thread
 * (thread-local for the same reason): the stack's low end plus a margin
 * left for traps, runtime helpers and host functions called from deep in
 * compiled code. */
static _Thread_local TLS_IE uintptr_t tls_stack_limit;

static uintptr_t stack_limit(void) {
    if (tls_stack_limit) return tls_stack_limit;
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    uintptr_t lo = here > (1u << 20) ? here - (1u << 20) : 0;
    size_t size = 1u << 20;
    pthread_attr_t a;
    if (pthread_getattr_np(pthread_self(), &a) == 0) {
        void *base;
        if (pthread_attr_getstack(&a, &base, &size) == 0 && (uintptr_t)base < here) lo = (uintptr_t)base;
        pthread_attr_destroy(&a);
    }
    size_t margin = (here - lo) / 4;
    if (margin > (512u << 10)) margin = 512u << 10;
    tls_stack_limit = lo + margin;
    return tls_stack_limit;
}

int wasm_jit_enter(aw_caller *c, uint64_t *slots, void *data) {
    wasm_jit_rec *rec = data;
    aw_store *s = rec->vm->store;
    jit_entry e;
    e.err = c->err;
    e.prev = tls_entry;
    const uint32_t depth = s->depth;
    /* No signal mask saved: the fault handler runs with SA_NODEFER, so a
     * jump out of it leaves nothing blocked, and entries stay cheap. */
    if (sigsetjmp(e.jb, 0)) {
        tls_entry = e.prev;
        s->depth = depth;
        return 1;
    }
    tls_entry = &e;
    s->jit_stack_limit = stack_limit();
    rec->wrapper(rec->vm, (wasm_slot *)slots);
    tls_entry = e.prev;
    return 0;
}

static _Noreturn void unwind(const aw_error *err) {
    jit_entry *e = tls_entry;
    if (err != e->err) *e->err = *err;
    siglongjmp(e->jb, 1);
}

_Noreturn void wasm_jit_trap(wasm_jit_vm *vm, uint32_t kind, uint32_t func, uint64_t offset) {
    (void)vm;
    jit_entry *e = tls_entry;
    wasm_trap(e->err, (aw_trapkind)kind, func, offset);
    siglongjmp(e->jb, 1);
}

void wasm_jit_call_slots(wasm_jit_vm *vm, aw_func *f, wasm_slot *slots) {
    aw_store *s = vm->store;
    aw_error err;
    memset(&err, 0, sizeof err);
    if (f->host) {
        /* Like the interpreter's host calls, but the caller is this
         * instance, so that WASI and aw_caller_memory find its memory. */
        if (s->depth >= s->config.max_call_depth)
            wasm_jit_trap(vm, AW_TRAP_STACK_EXHAUSTED, f->index, UINT64_MAX);
        aw_caller c = {s, vm->inst, &err};
        s->depth++;
        int rc = f->host(&c, (uint64_t *)slots, f->host_data);
        s->depth--;
        if (!rc) return;
        if (err.kind == AW_OK) wasm_trap(&err, AW_TRAP_HOST, f->index, UINT64_MAX);
        unwind(&err);
    }
    if (wasm_interp_call(s, f, slots, &err) != AW_OK) unwind(&err);
}

void wasm_jit_check(wasm_jit_vm *vm, uint32_t func, uint64_t offset) {
    aw_store *s = vm->store;
    if (s->fuel_enabled && s->fuel < 0) {
        s->fuel = 0;
        wasm_jit_trap(vm, AW_TRAP_OUT_OF_FUEL, func, offset);
    }
    if (atomic_load_explicit(&s->interrupt, memory_order_relaxed) && wasm_store_deadline_passed(s))
        wasm_jit_trap(vm, AW_TRAP_INTERRUPTED, func, offset);
}

bool wasm_jit_type_eq(const wasm_functype *a, const wasm_functype *b) {
    if (a == b) return true;
    if (a->nparams != b->nparams || a->nresults != b->nresults) return false;
    return memcmp(a->types, b->types, (a->nparams + a->nresults) * sizeof *a->types) == 0;
}

/* ---- memory ---------------------------------------------------------------- */

uint32_t wasm_jit_memory_grow(wasm_jit_vm *vm, uint32_t delta) {
    return (uint32_t)wasm_memory_grow(vm->mem0obj, delta);
}

/* The bulk operations return a trap kind (0: none) so that compiled code
 * reports the trap with its own function and offset. */
static bool out_of(uint64_t start, uint64_t n, uint64_t size) { return start + n > size; }

uint32_t wasm_jit_memory_init(wasm_jit_vm *vm, uint32_t seg, uint32_t d, uint32_t s, uint32_t n) {
    aw_memory *mem = vm->mem0obj;
    if (out_of(s, n, vm->inst->data_len[seg]) || out_of(d, n, mem->size)) return AW_TRAP_MEMORY_OOB;
    if (n) memcpy(mem->data + d, vm->inst->module->datas[seg].bytes + s, n);
    return 0;
}

void wasm_jit_data_drop(wasm_jit_vm *vm, uint32_t seg) { vm->inst->data_len[seg] = 0; }

uint32_t wasm_jit_memory_copy(wasm_jit_vm *vm, uint32_t d, uint32_t s, uint32_t n) {
    aw_memory *mem = vm->mem0obj;
    if (out_of(s, n, mem->size) || out_of(d, n, mem->size)) return AW_TRAP_MEMORY_OOB;
    if (n) memmove(mem->data + d, mem->data + s, n);
    return 0;
}

uint32_t wasm_jit_memory_fill(wasm_jit_vm *vm, uint32_t d, uint32_t val, uint32_t n) {
    aw_memory *mem = vm->mem0obj;
    if (out_of(d, n, mem->size)) return AW_TRAP_MEMORY_OOB;
    if (n) memset(mem->data + d, (int)(val & 0xFF), n);
    return 0;
}

/* ---- tables ---------------------------------------------------------------- */

uint32_t wasm_jit_table_get(wasm_jit_vm *vm, uint32_t t, uint32_t i, void **out) {
    aw_table *tab = vm->tables[t];
    if (i >= tab->size) return AW_TRAP_TABLE_OOB;
    *out = tab->elems[i];
    return 0;
}

uint32_t wasm_jit_table_set(wasm_jit_vm *vm, uint32_t t, uint32_t i, void *v) {
    aw_table *tab = vm->tables[t];
    if (i >= tab->size) return AW_TRAP_TABLE_OOB;
    tab->elems[i] = v;
    return 0;
}

uint32_t wasm_jit_table_size(wasm_jit_vm *vm, uint32_t t) { return vm->tables[t]->size; }

uint32_t wasm_jit_table_grow(wasm_jit_vm *vm, uint32_t t, void *init, uint32_t delta) {
    return (uint32_t)wasm_table_grow(vm->tables[t], delta, init);
}

uint32_t wasm_jit_table_fill(wasm_jit_vm *vm, uint32_t t, uint32_t i, void *v, uint32_t n) {
    aw_table *tab = vm->tables[t];
    if (out_of(i, n, tab->size)) return AW_TRAP_TABLE_OOB;
    for (uint32_t k = 0; k < n; k++) tab->elems[i + k] = v;
    return 0;
}

uint32_t wasm_jit_table_copy(wasm_jit_vm *vm, uint32_t dt, uint32_t st, uint32_t d, uint32_t s,
                             uint32_t n) {
    aw_table *dtab = vm->tables[dt], *stab = vm->tables[st];
    if (out_of(s, n, stab->size) || out_of(d, n, dtab->size)) return AW_TRAP_TABLE_OOB;
    if (n) memmove(dtab->elems + d, stab->elems + s, n * sizeof(void *));
    return 0;
}

uint32_t wasm_jit_table_init(wasm_jit_vm *vm, uint32_t t, uint32_t seg, uint32_t d, uint32_t s,
                             uint32_t n) {
    aw_table *tab = vm->tables[t];
    wasm_elem_rt *e = &vm->inst->elems[seg];
    if (out_of(s, n, e->len) || out_of(d, n, tab->size)) return AW_TRAP_TABLE_OOB;
    if (n) memcpy(tab->elems + d, e->items + s, n * sizeof(void *));
    return 0;
}

void wasm_jit_elem_drop(wasm_jit_vm *vm, uint32_t seg) { vm->inst->elems[seg].len = 0; }

void wasm_jit_simd_load(uint32_t op, wasm_slot *dst, const uint8_t *mem, const wasm_slot *vec,
                        uint32_t lane) {
    wasm_simd_loads[op](dst, mem, vec, lane);
}

/* ---- guard-page faults ----------------------------------------------------- */

static struct sigaction old_segv, old_bus;

/* A fault while compiled code runs on this thread is an access beyond a
 * memory's accessible pages: the reservation behind it is PROT_NONE
 * (SEGV_ACCERR). Anything else is not ours: the previous handler is put
 * back and the faulting instruction runs again under it. The fault is
 * synchronous, in code that holds no lock, so jumping out is safe. */
static void on_fault(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    jit_entry *e = tls_entry;
    if (e && (sig == SIGBUS || si->si_code == SEGV_ACCERR)) {
        wasm_trap(e->err, AW_TRAP_MEMORY_OOB, UINT32_MAX, UINT64_MAX);
        siglongjmp(e->jb, 1);
    }
    sigaction(sig, sig == SIGSEGV ? &old_segv : &old_bus, NULL);
}

static void install_handlers(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &old_segv);
    sigaction(SIGBUS, &sa, &old_bus);
}

/* ---- instances ------------------------------------------------------------- */

void wasm_jit_free(aw_module *m) {
    wasm_jit_module *jm = m->jit;
    if (!jm) return;
    m->jit = NULL;
    jm->release(jm);
}

bool wasm_jit_instance_init(aw_instance *inst, aw_error *err) {
    if (!inst->module->jit) return true;
    return wasm_jit_instance_attach(inst, inst->module->jit, err);
}

bool wasm_jit_instance_attach(aw_instance *inst, const wasm_jit_module *jm, aw_error *err) {
    /* Once per process: the handlers are process-wide by nature. */
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install_handlers);

    const aw_module *m = inst->module;
    wasm_jit_vm *vm = calloc(1, sizeof *vm + jm->ndefs * sizeof(wasm_jit_rec));
    if (!vm || !wasm_store_own(inst->store, vm, free)) {
        free(vm);
        wasm_error_set(err, AW_ERR_RESOURCE, WASM_NONE, UINT64_MAX, "out of memory for the instance");
        return false;
    }
    vm->recs = (wasm_jit_rec *)(vm + 1);
    vm->check_fn = (void *)wasm_jit_check;
    vm->trap_fn = (void *)wasm_jit_trap;
    vm->store = inst->store;
    vm->inst = inst;
    vm->funcs = inst->funcs;
    vm->globals = inst->globals;
    vm->tables = inst->tables;
    if (m->nmems) {
        vm->mem0obj = inst->mems[0];
        vm->mem0 = inst->mems[0]->data;
        if (!jm->explicit_bounds && inst->mems[0]->reserved < (8ull << 30) + 16) {
            wasm_error_set(err, AW_ERR_RESOURCE, WASM_NONE, UINT64_MAX,
                           "compiled code relies on guard pages but memory 0 has only %zu bytes "
                           "of address space; load with explicit_bounds_checks",
                           inst->mems[0]->reserved);
            return false;
        }
    }
    for (uint32_t d = 0; d < jm->ndefs; d++) {
        wasm_jit_rec *rec = &vm->recs[d];
        rec->native = jm->native[d];
        rec->wrapper = jm->wrappers[d];
        rec->vm = vm;
        aw_func *f = &inst->defined[d];
        f->host = wasm_jit_enter;
        f->host_data = rec;
    }
    return true;
}
