/*
 * runtime.c — stores and their limits, host functions and the caller API,
 * aw_call, traps, and the export/global/table accessors of the embedding API.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wasm/runtime.h"

#define DEFAULT_STACK_BYTES (8u << 20)
#define DEFAULT_CALL_DEPTH 10000u

/* ---- traps ---------------------------------------------------------------- */

static const char *const trap_messages[AW_TRAP_KIND_COUNT] = {
    [AW_TRAP_NONE] = "no trap",
    [AW_TRAP_UNREACHABLE] = "unreachable",
    [AW_TRAP_MEMORY_OOB] = "out of bounds memory access",
    [AW_TRAP_TABLE_OOB] = "out of bounds table access",
    [AW_TRAP_UNDEFINED_ELEMENT] = "undefined element",
    [AW_TRAP_UNINITIALIZED_ELEMENT] = "uninitialized element",
    [AW_TRAP_INDIRECT_TYPE] = "indirect call type mismatch",
    [AW_TRAP_DIV_ZERO] = "integer divide by zero",
    [AW_TRAP_INT_OVERFLOW] = "integer overflow",
    [AW_TRAP_INVALID_CONVERSION] = "invalid conversion to integer",
    [AW_TRAP_STACK_EXHAUSTED] = "call stack exhausted",
    [AW_TRAP_OUT_OF_FUEL] = "all fuel consumed",
    [AW_TRAP_INTERRUPTED] = "interrupted",
    [AW_TRAP_HOST] = "host function failed",
};

const char *aw_trap_message(aw_trapkind kind) {
    if ((unsigned)kind >= AW_TRAP_KIND_COUNT) return "unknown trap";
    return trap_messages[kind];
}

void wasm_trap(aw_error *err, aw_trapkind kind, uint32_t func, uint64_t offset) {
    if (!err) return;
    err->kind = AW_ERR_TRAP;
    err->trap = kind;
    err->func_index = func;
    err->offset = offset;
    err->exit_code = 0;
    snprintf(err->message, sizeof err->message, "%s", aw_trap_message(kind));
}

static void error_clear(aw_error *err) {
    if (!err) return;
    err->kind = AW_OK;
    err->trap = AW_TRAP_NONE;
    err->func_index = UINT32_MAX;
    err->offset = UINT64_MAX;
    err->exit_code = 0;
    err->message[0] = 0;
}

/* ---- the deadline watchdog ------------------------------------------------ */

/* One thread per process enforces every store's deadline by setting its
 * interrupt flag, so that the interpreter's hot check stays one relaxed load
 * and never reads the clock (see runtime.h). Global state because a timer
 * thread per store would cost far more than the per-request work it guards;
 * it starts with the first aw_store_set_timeout and lives until exit. The
 * list of watched stores is guarded by `lock`; a store leaves it before it is
 * freed, so the thread never touches a freed store. */
static struct {
    pthread_once_t once;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool running;
    aw_store *list;
    uint64_t next_wake; /* when the thread wakes next; UINT64_MAX: when signalled */
} watchdog = {PTHREAD_ONCE_INIT, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, NULL,
              UINT64_MAX};

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void watch_remove_locked(aw_store *s) {
    for (aw_store **p = &watchdog.list; *p; p = &(*p)->watch_next) {
        if (*p == s) {
            *p = s->watch_next;
            break;
        }
    }
    s->watch_next = NULL;
    s->watched = false;
}

/* Interrupts every store whose deadline has passed; returns the earliest
 * deadline still pending (UINT64_MAX if none). */
static uint64_t watch_sweep_locked(void) {
    uint64_t now = now_ns(), next = UINT64_MAX;
    aw_store **p = &watchdog.list;
    while (*p) {
        aw_store *s = *p;
        if (s->deadline_ns <= now) {
            int expected = 0;
            atomic_compare_exchange_strong(&s->interrupt, &expected, WASM_INTERRUPT_DEADLINE);
            *p = s->watch_next;
            s->watch_next = NULL;
            s->watched = false;
            continue;
        }
        if (s->deadline_ns < next) next = s->deadline_ns;
        p = &s->watch_next;
    }
    return next;
}

static void *watchdog_main(void *arg) {
    (void)arg;
    pthread_mutex_lock(&watchdog.lock);
    for (;;) {
        uint64_t next = watch_sweep_locked();
        watchdog.next_wake = next;
        if (next == UINT64_MAX) {
            pthread_cond_wait(&watchdog.wake, &watchdog.lock);
        } else {
            struct timespec at = {(time_t)(next / 1000000000u), (long)(next % 1000000000u)};
            pthread_cond_timedwait(&watchdog.wake, &watchdog.lock, &at);
        }
    }
    return NULL;
}

static void watchdog_spawn_locked(void) {
    pthread_attr_t ta;
    pthread_attr_init(&ta);
    pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&ta, 64u << 10);
    pthread_t t;
    watchdog.running = pthread_create(&t, &ta, watchdog_main, NULL) == 0;
    pthread_attr_destroy(&ta);
}

/* fork() copies the list but not the thread, and would copy the lock
 * locked if the thread held it: hold it across fork, and in the child
 * start a new thread on the next aw_store_set_timeout. */
static void watchdog_prefork(void) { pthread_mutex_lock(&watchdog.lock); }
static void watchdog_postfork_parent(void) { pthread_mutex_unlock(&watchdog.lock); }
static void watchdog_postfork_child(void) {
    watchdog.running = false;
    watchdog.next_wake = 0;
    pthread_mutex_unlock(&watchdog.lock);
}

static void watchdog_init(void) {
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_destroy(&watchdog.wake);
    pthread_cond_init(&watchdog.wake, &attr);
    pthread_condattr_destroy(&attr);
    pthread_atfork(watchdog_prefork, watchdog_postfork_parent, watchdog_postfork_child);
}

void aw_store_set_timeout(aw_store *s, uint64_t ns) {
    pthread_once(&watchdog.once, watchdog_init);
    pthread_mutex_lock(&watchdog.lock);
    if (!watchdog.running) watchdog_spawn_locked();
    int expected = WASM_INTERRUPT_DEADLINE;
    atomic_compare_exchange_strong(&s->interrupt, &expected, 0);
    if (ns == 0) {
        s->deadline_ns = 0;
        if (s->watched) watch_remove_locked(s);
    } else {
        uint64_t now = now_ns();
        s->deadline_ns = ns > UINT64_MAX - now ? UINT64_MAX - 1 : now + ns;
        if (!s->watched) {
            s->watch_next = watchdog.list;
            watchdog.list = s;
            s->watched = true;
        }
        /* Wake the thread only if it would sleep past this deadline: with
         * one timeout per request, a new deadline is rarely the earliest,
         * so setting one usually costs no context switch. */
        if (s->deadline_ns < watchdog.next_wake) {
            watchdog.next_wake = s->deadline_ns;
            pthread_cond_signal(&watchdog.wake);
        }
    }
    pthread_mutex_unlock(&watchdog.lock);
}

/* The slow path of the interpreter's check (see runtime.h). Reads the clock
 * too, so it is also right when no watchdog thread could be started. */
bool wasm_store_deadline_passed(aw_store *s) {
    if (atomic_load_explicit(&s->interrupt, memory_order_relaxed)) return true;
    if (s->deadline_ns && now_ns() >= s->deadline_ns) {
        int expected = 0;
        atomic_compare_exchange_strong(&s->interrupt, &expected, WASM_INTERRUPT_DEADLINE);
        return true;
    }
    return false;
}

void aw_store_interrupt(aw_store *s) { atomic_store(&s->interrupt, WASM_INTERRUPT_ASKED); }

/* ---- stores --------------------------------------------------------------- */

aw_store *aw_store_new(const aw_store_config *cfg) {
    aw_store *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    if (cfg) s->config = *cfg;
    if (!s->config.stack_bytes) s->config.stack_bytes = DEFAULT_STACK_BYTES;
    s->config.stack_bytes &= ~(size_t)(sizeof(wasm_slot) - 1);
    if (!s->config.max_call_depth) s->config.max_call_depth = DEFAULT_CALL_DEPTH;
    if (s->config.max_memory_pages > WASM_MAX_PAGES) s->config.max_memory_pages = 0;
    s->stack = wasm_stack_acquire(s->config.stack_bytes);
    if (!s->stack) {
        free(s);
        return NULL;
    }
    s->stack_end = s->stack + s->config.stack_bytes / sizeof(wasm_slot);
    atomic_init(&s->interrupt, 0);
    aw_store_set_fuel(s, s->config.fuel);
    return s;
}

void aw_store_free(aw_store *s) {
    if (!s) return;
    /* deadline_ns is written only by this thread; `watched` may be cleared
     * by the watchdog, so it is read under the lock. */
    if (s->deadline_ns) {
        pthread_mutex_lock(&watchdog.lock);
        if (s->watched) watch_remove_locked(s);
        pthread_mutex_unlock(&watchdog.lock);
    }
    /* Instances first: their functions may sit in store-owned tables, but
     * nothing is called any more, so the order only matters for memory. */
    for (aw_instance *i = s->instances, *next; i; i = next) {
        next = i->next;
        wasm_instance_free(i);
    }
    for (wasm_store_obj *o = s->objects, *next; o; o = next) {
        next = o->next;
        o->free_fn(o->ptr);
        free(o);
    }
    wasm_stack_release(s->stack, s->config.stack_bytes);
    free(s);
}

bool wasm_store_own(aw_store *s, void *ptr, void (*free_fn)(void *)) {
    wasm_store_obj *o = malloc(sizeof *o);
    if (!o) return false;
    o->ptr = ptr;
    o->free_fn = free_fn;
    o->next = s->objects;
    s->objects = o;
    return true;
}

void aw_store_set_user_data(aw_store *s, void *data) { s->user_data = data; }
void *aw_store_user_data(const aw_store *s) { return s->user_data; }

void aw_store_set_fuel(aw_store *s, uint64_t fuel) {
    s->fuel_enabled = fuel != 0;
    s->fuel = fuel > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)fuel;
}

/* UINT64_MAX when unlimited; 0 once exhausted. */
uint64_t aw_store_fuel(const aw_store *s) {
    if (!s->fuel_enabled) return UINT64_MAX;
    return s->fuel > 0 ? (uint64_t)s->fuel : 0;
}

/* ---- values as slots ------------------------------------------------------ */

/* i32 and f32 live in the low half of a zeroed slot; v128 takes two. */
static uint32_t val_to_slots(const aw_val *v, wasm_slot *out) {
    out[0].i64 = 0;
    switch (v->type) {
    case AW_I32: out[0].i32 = (uint32_t)v->of.i32; return 1;
    case AW_I64: out[0].i64 = (uint64_t)v->of.i64; return 1;
    case AW_F32: memcpy(&out[0].i32, &v->of.f32, 4); return 1;
    case AW_F64: memcpy(&out[0].i64, &v->of.f64, 8); return 1;
    case AW_V128: memcpy(out, v->of.v128, 16); return 2;
    case AW_FUNCREF: out[0].ref = v->of.funcref; return 1;
    case AW_EXTERNREF: out[0].ref = (void *)v->of.externref; return 1;
    }
    return 1;
}

static uint32_t slots_to_val(aw_valtype t, const wasm_slot *in, aw_val *v) {
    memset(v, 0, sizeof *v);
    v->type = t;
    switch (t) {
    case AW_I32: v->of.i32 = (int32_t)in[0].i32; return 1;
    case AW_I64: v->of.i64 = (int64_t)in[0].i64; return 1;
    case AW_F32: memcpy(&v->of.f32, &in[0].i32, 4); return 1;
    case AW_F64: memcpy(&v->of.f64, &in[0].i64, 8); return 1;
    case AW_V128: memcpy(v->of.v128, in, 16); return 2;
    case AW_FUNCREF: v->of.funcref = in[0].ref; return 1;
    case AW_EXTERNREF: v->of.externref = (uintptr_t)in[0].ref; return 1;
    }
    return 1;
}

/* ---- host functions and callers ------------------------------------------- */

aw_func *aw_func_new_host(const aw_valtype *params, uint32_t nparams, const aw_valtype *results,
                          uint32_t nresults, aw_host_fn fn, void *data, const char *debug_name) {
    size_t ntypes = (size_t)nparams + nresults;
    size_t name_len = debug_name ? strlen(debug_name) + 1 : 0;
    aw_func *f = calloc(1, sizeof *f + ntypes * sizeof(aw_valtype) + name_len);
    if (!f) return NULL;
    aw_valtype *types = (aw_valtype *)(f + 1);
    if (nparams) memcpy(types, params, nparams * sizeof *types);
    if (nresults) memcpy(types + nparams, results, nresults * sizeof *types);
    f->host_type = (wasm_functype){nparams, nresults, 0, 0, types};
    for (uint32_t i = 0; i < nparams; i++) f->host_type.param_slots += wasm_valtype_slots(params[i]);
    for (uint32_t i = 0; i < nresults; i++)
        f->host_type.result_slots += wasm_valtype_slots(results[i]);
    f->type = &f->host_type;
    f->index = UINT32_MAX;
    f->host = fn;
    f->host_data = data;
    if (debug_name) {
        char *name = (char *)(types + ntypes);
        memcpy(name, debug_name, name_len);
        f->name = name;
    }
    return f;
}

void aw_func_free_host(aw_func *f) {
    if (f && !f->inst) free(f);
}

aw_store *aw_caller_store(aw_caller *c) { return c->store; }
aw_instance *aw_caller_instance(aw_caller *c) { return c->inst; }

aw_memory *aw_caller_memory(aw_caller *c) {
    if (!c->inst || c->inst->module->nmems == 0) return NULL;
    return c->inst->mems[0];
}

int aw_caller_trap(aw_caller *c, const char *fmt, ...) {
    if (c->err) {
        error_clear(c->err);
        c->err->kind = AW_ERR_TRAP;
        c->err->trap = AW_TRAP_HOST;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err->message, sizeof c->err->message, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int aw_caller_exit(aw_caller *c, int32_t code) {
    if (c->err) {
        error_clear(c->err);
        c->err->kind = AW_ERR_EXIT;
        c->err->exit_code = code;
        snprintf(c->err->message, sizeof c->err->message, "exit with code %d", (int)code);
    }
    return -1;
}

/* ---- functions and calls -------------------------------------------------- */

aw_functype aw_func_type(const aw_func *f) {
    const wasm_functype *t = f->type;
    return (aw_functype){t->nparams, t->nresults, t->types, t->types + t->nparams};
}

const char *aw_func_name(const aw_func *f) { return f->name; }

static aw_errkind call_error(aw_error *err, const char *fmt, size_t a, size_t b) {
    if (err) {
        error_clear(err);
        err->kind = AW_ERR_INVALID;
        snprintf(err->message, sizeof err->message, fmt, a, b);
    }
    return AW_ERR_INVALID;
}

/* Checks the arguments against f's type (AW_ERR_INVALID if they do not
 * match), runs f, and converts its results. nresults may exceed f's result
 * count; the extra entries are left alone. */
aw_errkind aw_call(aw_store *s, aw_func *f, const aw_val *args, size_t nargs, aw_val *results,
                   size_t nresults, aw_error *err) {
    error_clear(err);
    const wasm_functype *t = f->type;
    if (nargs != t->nparams)
        return call_error(err, "call: expected %zu arguments, got %zu", t->nparams, nargs);
    if (nresults < t->nresults)
        return call_error(err, "call: room for %zu results needed, got %zu", t->nresults, nresults);
    for (size_t i = 0; i < nargs; i++)
        if (args[i].type != t->types[i])
            return call_error(err, "call: argument %zu has the wrong type (%zu)", i,
                              (size_t)args[i].type);

    uint32_t nslots = t->param_slots > t->result_slots ? t->param_slots : t->result_slots;
    wasm_slot small[32], *slots = small;
    if (nslots > 32 && !(slots = malloc(nslots * sizeof *slots))) {
        if (err) {
            err->kind = AW_ERR_RESOURCE;
            snprintf(err->message, sizeof err->message, "out of memory");
        }
        return AW_ERR_RESOURCE;
    }
    uint32_t k = 0;
    for (size_t i = 0; i < nargs; i++) k += val_to_slots(&args[i], slots + k);

    aw_error local;
    aw_errkind r = wasm_interp_call(s, f, slots, err ? err : &local);
    if (r == AW_OK) {
        const aw_valtype *rt = wasm_functype_results(t);
        k = 0;
        for (uint32_t i = 0; i < t->nresults; i++) k += slots_to_val(rt[i], slots + k, &results[i]);
    }
    if (slots != small) free(slots);
    return r;
}

/* ---- exports -------------------------------------------------------------- */

bool aw_instance_export(const aw_instance *inst, const char *name, aw_extern *out) {
    return aw_instance_export_n(inst, name, strlen(name), out);
}

bool aw_instance_export_n(const aw_instance *inst, const char *name, size_t len, aw_extern *out) {
    const aw_module *m = inst->module;
    for (uint32_t i = 0; i < m->nexports; i++) {
        const wasm_export *e = &m->exports[i];
        if (e->name_len != len || memcmp(e->name, name, len) != 0) continue;
        out->kind = e->kind;
        switch (e->kind) {
        case AW_EXTERN_FUNC: out->of.func = inst->funcs[e->index]; break;
        case AW_EXTERN_TABLE: out->of.table = inst->tables[e->index]; break;
        case AW_EXTERN_MEMORY: out->of.memory = inst->mems[e->index]; break;
        case AW_EXTERN_GLOBAL: out->of.global = inst->globals[e->index]; break;
        }
        return true;
    }
    return false;
}

static bool export_of(const aw_instance *inst, const char *name, aw_externkind kind, aw_extern *e) {
    return aw_instance_export(inst, name, e) && e->kind == kind;
}

aw_func *aw_instance_func(const aw_instance *inst, const char *name) {
    aw_extern e;
    return export_of(inst, name, AW_EXTERN_FUNC, &e) ? e.of.func : NULL;
}

aw_memory *aw_instance_memory(const aw_instance *inst, const char *name) {
    aw_extern e;
    return export_of(inst, name, AW_EXTERN_MEMORY, &e) ? e.of.memory : NULL;
}

aw_global *aw_instance_global(const aw_instance *inst, const char *name) {
    aw_extern e;
    return export_of(inst, name, AW_EXTERN_GLOBAL, &e) ? e.of.global : NULL;
}

aw_table *aw_instance_table(const aw_instance *inst, const char *name) {
    aw_extern e;
    return export_of(inst, name, AW_EXTERN_TABLE, &e) ? e.of.table : NULL;
}

aw_module *aw_instance_module(const aw_instance *inst) { return inst->module; }

/* ---- globals -------------------------------------------------------------- */

aw_global *aw_global_new(aw_store *s, aw_val init, bool mutable_) {
    aw_global *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    g->type = (wasm_globaltype){init.type, mutable_};
    val_to_slots(&init, g->value);
    if (!wasm_store_own(s, g, free)) {
        free(g);
        return NULL;
    }
    return g;
}

aw_val aw_global_get(const aw_global *g) {
    aw_val v;
    slots_to_val(g->type.type, g->value, &v);
    return v;
}

bool aw_global_set(aw_global *g, aw_val v) {
    if (!g->type.mutable_ || v.type != g->type.type) return false;
    val_to_slots(&v, g->value);
    return true;
}

aw_valtype aw_global_type(const aw_global *g, bool *mutable_) {
    if (mutable_) *mutable_ = g->type.mutable_;
    return g->type.type;
}

/* ---- tables --------------------------------------------------------------- */

bool aw_table_get(const aw_table *t, uint32_t i, aw_val *out) {
    if (i >= t->size) return false;
    wasm_slot slot[2] = {{.ref = t->elems[i]}, {.i64 = 0}};
    slots_to_val(t->type.elem, slot, out);
    return true;
}

bool aw_table_set(aw_table *t, uint32_t i, aw_val v) {
    if (i >= t->size || v.type != t->type.elem) return false;
    t->elems[i] = v.type == AW_FUNCREF ? (void *)v.of.funcref : (void *)v.of.externref;
    return true;
}
