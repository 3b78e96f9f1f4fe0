/*
 * runtime.h — the objects a running module works on: stores, instances,
 * functions, memories, tables, globals; and the contract between the
 * runtime (runtime.c, memory.c, instance.c) and the interpreter (interp.c).
 *
 * Values on the interpreter's stack and in host calls are 64-bit slots
 * (wasm_slot); a v128 takes two consecutive slots, low half first.
 */
#ifndef AW_WASM_RUNTIME_H
#define AW_WASM_RUNTIME_H

#include <pthread.h>
#include <stdatomic.h>

#include "wasm/module.h"

typedef union wasm_slot {
    uint32_t i32;
    uint64_t i64;
    float f32;
    double f64;
    void *ref; /* funcref: aw_func* ; externref: (void*)uintptr_t, NULL = null */
} wasm_slot;

struct aw_func {
    const wasm_functype *type;
    aw_instance *inst;      /* owning instance; NULL for a host function */
    uint32_t index;         /* index in the owning module's function space */
    const void *code;       /* wasm: compile.c's translation of the body */
    aw_host_fn host;        /* host: the callback */
    void *host_data;
    const char *name;       /* for traps and debugging; may be NULL */
    wasm_functype host_type;/* host: owned storage behind `type` */
};

struct aw_memory {
    uint8_t *data;          /* base of the reservation */
    uint64_t size;          /* current size in bytes (pages * 64 KiB) */
    uint32_t pages;
    aw_limits limits;       /* max = WASM_NO_MAX when absent */
    uint32_t cap_pages;     /* the embedder's cap (store config), <= limits.max */
    size_t reserved;        /* bytes of address space reserved at data */
    int image_fd;           /* copy-on-write source, or -1 */
};

struct aw_table {
    wasm_tabletype type;    /* limits.min is the current size */
    uint32_t size;
    void **elems;           /* size entries: aw_func* or externref words; NULL = null */
    uint32_t capacity;
};

struct aw_global {
    wasm_globaltype type;
    wasm_slot value[2];     /* two slots for v128 */
};

/* Runtime state of an element segment: its evaluated references, or
 * len 0 once dropped (elem.drop, or after an active/declarative init). */
typedef struct wasm_elem_rt {
    void **items;
    uint32_t len;
} wasm_elem_rt;

struct aw_instance {
    aw_module *module;
    aw_store *store;
    aw_func **funcs;        /* module->nfuncs (imports first) */
    aw_table **tables;      /* module->ntables */
    aw_memory **mems;       /* module->nmems */
    aw_global **globals;    /* module->nglobals */
    wasm_elem_rt *elems;    /* module->nelems */
    uint32_t *data_len;     /* module->ndatas: current length (0 once dropped) */
    aw_func *defined;       /* the function objects this instance defines */
    aw_instance *next;      /* store's list of instances */
    /* tierup.c: this instance's defined functions were switched to compiled
     * code (their host is wasm_jit_enter), so the interpreter's same-module
     * CALL goes through them; or the switch was refused (stay interpreted). */
    uint8_t tier;           /* WASM_TIER_INTERP, WASM_TIER_SWITCHED, WASM_TIER_STAY */
    /* tierup.c, once switched: per function index, whether an interpreted
     * frame's CALL should enter its compiled code (entering costs more
     * than interpreting a small function that neither loops nor calls). */
    const uint8_t *tier_cross;
    bool tier_crossed;      /* such a call happened (for AW_DEBUG_TIER) */
};
#define WASM_TIER_INTERP 0
#define WASM_TIER_SWITCHED 1
#define WASM_TIER_STAY 2

/* An object allocated in a store and freed with it. */
typedef struct wasm_store_obj {
    struct wasm_store_obj *next;
    void (*free_fn)(void *);
    void *ptr;
} wasm_store_obj;

struct aw_store {
    aw_store_config config;
    void *user_data;

    /* Execution resources, shared by every call in this store. */
    wasm_slot *stack;       /* value stack */
    wasm_slot *stack_end;
    uint32_t depth;         /* current call depth (wasm + host frames) */

    /* Limits. fuel < 0 traps; fuel_enabled false means unlimited. The
     * interrupt flag is the only field another thread may write. */
    int64_t fuel;
    bool fuel_enabled;
    atomic_int interrupt;
    uint64_t deadline_ns;   /* CLOCK_MONOTONIC; 0 = none */

    aw_instance *instances;
    wasm_store_obj *objects;

    /* runtime.c's deadline watchdog: the list of stores with a deadline
     * (guarded by the watchdog's lock). */
    struct aw_store *watch_next;
    bool watched;

    /* interp.c: the part of `stack` that running wasm code uses, so that a
     * host function calling back into wasm stacks its frames beyond it.
     * Value slots grow up from `stack`, frame records down from `stack_end`.
     * NULL while no wasm code runs in this store. */
    wasm_slot *stack_top;
    void *frames_bottom;

    /* jit_rt.c: the lowest native stack address compiled code may use on
     * the thread now running this store (set at each entry). */
    uintptr_t jit_stack_limit;
};

/* How deadlines reach running code (runtime.c):
 *   The interpreter's fast check at loop back-edges and calls is a single
 *   relaxed load of s->interrupt (plus its fuel counter). It never reads the
 *   clock itself: a watchdog thread sets interrupt to WASM_INTERRUPT_DEADLINE
 *   when a store's deadline passes, and aw_store_interrupt() sets it to
 *   WASM_INTERRUPT_ASKED. When the flag is nonzero the interpreter may call
 *   wasm_store_deadline_passed() to confirm (it also reads the clock, so it
 *   is correct to call it every N back-edges instead, if preferred), then
 *   traps with AW_TRAP_INTERRUPTED. The flag stays set: a store that was
 *   interrupted keeps trapping until the embedder re-arms it with
 *   aw_store_set_timeout(), which clears a deadline interrupt. */
#define WASM_INTERRUPT_ASKED 1
#define WASM_INTERRUPT_DEADLINE 2

struct aw_caller {
    aw_store *store;
    aw_instance *inst;      /* instance of the calling wasm code; NULL from the embedder */
    aw_error *err;          /* where aw_caller_trap / aw_caller_exit write */
};

/* interp.c: run function f. args_results holds the arguments as slots on
 * entry and the results on return (it must have room for
 * max(param_slots, result_slots)). Handles host functions too. Returns
 * AW_OK or AW_ERR_TRAP / AW_ERR_EXIT with err filled (trap kind, function
 * index, byte offset in the module of the trapping instruction). */
aw_errkind wasm_interp_call(aw_store *s, aw_func *f, wasm_slot *args_results, aw_error *err);

/* Limit checks shared by the interpreter and the runtime (runtime.c).
 * Called at loop back-edges and calls when the fast check fails. */
bool wasm_store_deadline_passed(aw_store *s);

/* runtime.c: memory.grow for the interpreter; returns old pages or -1. */
int64_t wasm_memory_grow(aw_memory *mem, uint32_t delta);
/* runtime.c: table.grow; returns old size or -1. */
int64_t wasm_table_grow(aw_table *t, uint32_t delta, void *init);

/* Fill err for a trap. */
void wasm_trap(aw_error *err, aw_trapkind kind, uint32_t func, uint64_t offset);

/* instance.c: frees m->image (the prepared instantiation image) and m->jit
 * (compiled code). module.c calls it when it frees a module; safe when
 * they are NULL. */
void wasm_image_free(aw_module *m);

/* ---- shared by runtime.c, memory.c and instance.c only ---- */

/* runtime.c: make ptr owned by the store: free_fn(ptr) runs at aw_store_free. */
bool wasm_store_own(aw_store *s, void *ptr, void (*free_fn)(void *));
/* instance.c: frees an instance and what it defined (tables, memories). */
void wasm_instance_free(aw_instance *inst);
/* memory.c: set up a memory in caller-owned storage; cap_pages from the
 * store (0 = none). Returns false when the address space or the cap runs out. */
bool wasm_memory_init(aw_memory *mem, aw_limits pages, uint32_t store_cap);
/* A module's copy-on-write image of memory 0 (a memfd of `len` bytes), with
 * reservations that already map it, reset and ready for the next instance. */
typedef struct wasm_memory_image {
    int fd;
    size_t len;
    uint32_t min_pages;
    pthread_mutex_t pool_lock;
    uint32_t pool_n;
    uint8_t *pool[16];
} wasm_memory_image;
bool wasm_memory_image_init(wasm_memory_image *img, int fd, size_t len, uint32_t min_pages);
void wasm_memory_image_destroy(wasm_memory_image *img); /* closes fd, unmaps the pool */
/* memory.c: like wasm_memory_init, with the image's contents (copy on write). */
bool wasm_memory_init_image(aw_memory *mem, aw_limits pages, uint32_t store_cap,
                            wasm_memory_image *img);
/* memory.c: zero the whole memory (drops an image mapping). */
bool wasm_memory_zero(aw_memory *mem);
/* memory.c: img is the image the memory was made from, or NULL. */
void wasm_memory_release(aw_memory *mem, wasm_memory_image *img);
/* memory.c: tables in caller-owned storage. */
bool wasm_table_init(aw_table *t, wasm_tabletype type);
void wasm_table_release(aw_table *t);
/* memory.c: value stacks from a small pool (see memory.c). */
wasm_slot *wasm_stack_acquire(size_t bytes);
void wasm_stack_release(wasm_slot *stack, size_t bytes);

#endif
