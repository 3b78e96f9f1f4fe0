/*
 * anywhere/wasm.h — the embedding API of Anywhere's WebAssembly engine.
 *
 * The life of a module:
 *
 *   aw_error err;
 *   aw_module *m = aw_module_load(bytes, len, &err);     // decode + validate + translate, once
 *   aw_store *s = aw_store_new(NULL);                     // the unit of isolation (one per request)
 *   aw_instance *inst = aw_instantiate(s, m, imports, n, &err);
 *   aw_func *f = aw_instance_func(inst, "add");
 *   aw_val args[2] = { AW_I32_VAL(1), AW_I32_VAL(2) }, res[1];
 *   if (aw_call(s, f, args, 2, res, 1, &err) != AW_OK) ... err.trap, err.message
 *   aw_store_free(s);                                     // frees the instance and all it made
 *   aw_module_release(m);
 *
 * A module is immutable once loaded and may be instantiated any number of
 * times, from any thread, without being validated or translated again.
 * A store and everything in it is used by one thread at a time, except
 * aw_store_interrupt(), which any thread may call.
 */
#ifndef ANYWHERE_WASM_H
#define ANYWHERE_WASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- values ------------------------------------------------------------ */

/* Value types, numbered as in the binary format. */
typedef enum aw_valtype {
    AW_I32 = 0x7F,
    AW_I64 = 0x7E,
    AW_F32 = 0x7D,
    AW_F64 = 0x7C,
    AW_V128 = 0x7B,
    AW_FUNCREF = 0x70,
    AW_EXTERNREF = 0x6F,
} aw_valtype;

typedef struct aw_func aw_func;         /* a function: wasm or host; also a funcref value */
typedef struct aw_table aw_table;
typedef struct aw_memory aw_memory;
typedef struct aw_global aw_global;
typedef struct aw_module aw_module;
typedef struct aw_instance aw_instance;
typedef struct aw_store aw_store;

/* A typed value. Floats are carried bit-exactly (NaN payloads preserved):
 * read or write .of.i32/.of.i64 to see the bits of .of.f32/.of.f64.
 * An externref is an opaque host word; 0 is the null externref.
 * A funcref is an aw_func pointer; NULL is the null funcref. */
typedef struct aw_val {
    aw_valtype type;
    union {
        int32_t i32;
        int64_t i64;
        float f32;
        double f64;
        uint8_t v128[16]; /* little-endian lanes */
        aw_func *funcref;
        uintptr_t externref;
    } of;
} aw_val;

/* "i32", "f64", "funcref", ...; "unknown" for anything else. */
const char *aw_valtype_name(aw_valtype t);

#define AW_I32_VAL(x) ((aw_val){.type = AW_I32, .of.i32 = (int32_t)(x)})
#define AW_I64_VAL(x) ((aw_val){.type = AW_I64, .of.i64 = (int64_t)(x)})
#define AW_F32_VAL(x) ((aw_val){.type = AW_F32, .of.f32 = (float)(x)})
#define AW_F64_VAL(x) ((aw_val){.type = AW_F64, .of.f64 = (double)(x)})

/* ---- errors and traps ---------------------------------------------------- */

typedef enum aw_errkind {
    AW_OK = 0,
    AW_ERR_MALFORMED,   /* the bytes are not a well-formed binary module */
    AW_ERR_INVALID,     /* well-formed but fails validation */
    AW_ERR_LINK,        /* imports do not match (unknown import, incompatible type) */
    AW_ERR_TRAP,        /* execution trapped (also: a start function or segment init trapped) */
    AW_ERR_RESOURCE,    /* out of host memory, or a limit set by the embedder */
    AW_ERR_EXIT,        /* a host function asked to end the program (WASI proc_exit) */
} aw_errkind;

typedef enum aw_trapkind {
    AW_TRAP_NONE = 0,
    AW_TRAP_UNREACHABLE,          /* "unreachable" */
    AW_TRAP_MEMORY_OOB,           /* "out of bounds memory access" */
    AW_TRAP_TABLE_OOB,            /* "out of bounds table access" */
    AW_TRAP_UNDEFINED_ELEMENT,    /* "undefined element": call_indirect index >= table size */
    AW_TRAP_UNINITIALIZED_ELEMENT,/* "uninitialized element": call_indirect on a null entry */
    AW_TRAP_INDIRECT_TYPE,        /* "indirect call type mismatch" */
    AW_TRAP_DIV_ZERO,             /* "integer divide by zero" */
    AW_TRAP_INT_OVERFLOW,         /* "integer overflow" */
    AW_TRAP_INVALID_CONVERSION,   /* "invalid conversion to integer" */
    AW_TRAP_STACK_EXHAUSTED,      /* "call stack exhausted" */
    AW_TRAP_OUT_OF_FUEL,          /* "all fuel consumed" */
    AW_TRAP_INTERRUPTED,          /* "interrupted": deadline passed or aw_store_interrupt() */
    AW_TRAP_HOST,                 /* a host function failed; see the message */
    AW_TRAP_KIND_COUNT
} aw_trapkind;

/* Every fallible call fills one of these. message names what is wrong and
 * where; offset is a byte offset in the module binary where one applies. */
typedef struct aw_error {
    aw_errkind kind;
    aw_trapkind trap;       /* for AW_ERR_TRAP */
    uint32_t func_index;    /* function in which it happened, or UINT32_MAX */
    uint64_t offset;        /* byte offset in the module, or UINT64_MAX */
    int32_t exit_code;      /* for AW_ERR_EXIT */
    char message[256];
} aw_error;

/* The spec's wording for a trap kind ("integer divide by zero", ...). */
const char *aw_trap_message(aw_trapkind kind);

/* ---- modules ------------------------------------------------------------- */

typedef enum aw_externkind {
    AW_EXTERN_FUNC = 0,
    AW_EXTERN_TABLE = 1,
    AW_EXTERN_MEMORY = 2,
    AW_EXTERN_GLOBAL = 3,
} aw_externkind;

/* Decode, validate and translate. The bytes are copied; the caller keeps
 * ownership of `bytes`. Returns NULL and fills err on failure. */
aw_module *aw_module_load(const uint8_t *bytes, size_t len, aw_error *err);
/* The same without the copy: fill a buffer from aw_module_buffer(len)
 * (or take one from aw_module_read_file) and hand it over; it belongs to
 * the module from then on (or is freed here when loading fails). Saves
 * copying the bytes and faulting in a second set of pages, a noticeable
 * part of starting a small program. The buffer starts zeroed, and pages
 * never written cost nothing. aw_module_buffer returns NULL when out of
 * memory; aw_module_buffer_free frees a buffer that was not handed over
 * (with the same len). */
uint8_t *aw_module_buffer(size_t len);
void aw_module_buffer_free(uint8_t *buf, size_t len);
aw_module *aw_module_load_buffer(uint8_t *buf, size_t len, aw_error *err);
/* A module file read into a module buffer, its size in *len. With
 * skip_custom, the payloads of custom sections other than "name" (the only
 * one the engine reads), often most of a program built with debug
 * information, are left unread: a run of them reads as one custom section
 * with an empty name. Keep them (false) where the bytes must be the file's,
 * e.g. for aw_module_load_cached, which keys its cache by them. NULL with
 * errno on failure: the open's or read's, EISDIR or EINVAL for a directory
 * or other non-regular file, ENOMEM, or EAGAIN when the file changed size
 * while being read. */
uint8_t *aw_module_read_file(const char *path, bool skip_custom, size_t *len);
void aw_module_retain(aw_module *m);
void aw_module_release(aw_module *m); /* frees at the last reference */

/* Function types: params then results. */
typedef struct aw_functype {
    uint32_t nparams, nresults;
    const aw_valtype *params, *results;
} aw_functype;

typedef struct aw_limits {
    uint32_t min, max; /* max is UINT32_MAX when absent */
} aw_limits;

/* The type of an import or export, as the module declares it. */
typedef struct aw_externtype {
    aw_externkind kind;
    aw_functype func;                                     /* AW_EXTERN_FUNC */
    struct { aw_valtype elem; aw_limits limits; } table; /* AW_EXTERN_TABLE */
    aw_limits memory;                                     /* AW_EXTERN_MEMORY (pages) */
    struct { aw_valtype type; bool mutable_; } global;    /* AW_EXTERN_GLOBAL */
} aw_externtype;

uint32_t aw_module_import_count(const aw_module *m);
void aw_module_import(const aw_module *m, uint32_t i, const char **module, const char **name,
                      aw_externtype *type);
uint32_t aw_module_export_count(const aw_module *m);
void aw_module_export(const aw_module *m, uint32_t i, const char **name, aw_externtype *type);

/* ---- stores, limits ------------------------------------------------------ */

typedef struct aw_store_config {
    size_t stack_bytes;        /* value stack for wasm frames; 0 = default (8 MiB) */
    uint32_t max_call_depth;   /* 0 = default (about 10,000 frames) */
    uint32_t max_memory_pages; /* cap on every memory's growth; 0 = none beyond the spec's 65536 */
    uint64_t fuel;             /* instruction budget; 0 = unlimited */
} aw_store_config;

aw_store *aw_store_new(const aw_store_config *cfg); /* cfg may be NULL */
void aw_store_free(aw_store *s);                  /* frees every instance and object made in it */
void aw_store_set_user_data(aw_store *s, void *data);
void *aw_store_user_data(const aw_store *s);
void aw_store_set_fuel(aw_store *s, uint64_t fuel); /* 0 = unlimited */
uint64_t aw_store_fuel(const aw_store *s);         /* what remains; UINT64_MAX if unlimited */
/* Running code traps with AW_TRAP_INTERRUPTED at its next loop back-edge or
 * call. Safe to call from any thread, e.g. a watchdog. */
void aw_store_interrupt(aw_store *s);
/* Trap with AW_TRAP_INTERRUPTED once `ns` nanoseconds (CLOCK_MONOTONIC)
 * from now have passed; 0 clears the deadline. */
void aw_store_set_timeout(aw_store *s, uint64_t ns);

/* ---- host functions ------------------------------------------------------ */

typedef struct aw_caller aw_caller;

/* A host function receives its arguments as 64-bit slots (i32 in the low
 * half, floats as bits, a v128 in two slots, refs as pointers) and writes its
 * results over them, from slot 0. It returns 0, or calls aw_caller_trap /
 * aw_caller_exit and returns their value. */
typedef int (*aw_host_fn)(aw_caller *caller, uint64_t *slots, void *data);

/* A host function does not belong to a store: it may be shared by
 * instances in many stores, and lives until aw_func_free_host. */
aw_func *aw_func_new_host(const aw_valtype *params, uint32_t nparams, const aw_valtype *results,
                          uint32_t nresults, aw_host_fn fn, void *data, const char *debug_name);
void aw_func_free_host(aw_func *f);

aw_store *aw_caller_store(aw_caller *c);
aw_instance *aw_caller_instance(aw_caller *c); /* the instance whose code called */
aw_memory *aw_caller_memory(aw_caller *c);     /* its memory 0, or NULL */
int aw_caller_trap(aw_caller *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int aw_caller_exit(aw_caller *c, int32_t code);

/* ---- externs made by the embedder (e.g. the spec tests' "spectest") ------ */

aw_table *aw_table_new(aw_store *s, aw_valtype elem, aw_limits limits);
aw_memory *aw_memory_new(aw_store *s, aw_limits pages);
aw_global *aw_global_new(aw_store *s, aw_val init, bool mutable_);

typedef struct aw_extern {
    aw_externkind kind;
    union {
        aw_func *func;
        aw_table *table;
        aw_memory *memory;
        aw_global *global;
    } of;
} aw_extern;

/* ---- instances ----------------------------------------------------------- */

/* imports are given in the module's import order (aw_module_import).
 * Fails with AW_ERR_LINK when one does not match its declared type, and with
 * AW_ERR_TRAP when segment initialisation or the start function traps. */
aw_instance *aw_instantiate(aw_store *s, aw_module *m, const aw_extern *imports, size_t nimports,
                            aw_error *err);

/* Snapshot: makes later aw_instantiate calls of inst's module start from
 * inst's current state (memory 0's contents and size, the values of the
 * globals it defines, which passive segments were dropped) instead of from
 * the module's initialisers, and without running its start function again.
 * Meant for a guest's initialiser (wasi-libc's `_initialize`, C
 * constructors): run it once in a store, snapshot, and every request's
 * instance begins initialised. Refused (false, err says why) when the state
 * cannot be reproduced faithfully: the module imports a memory, table or
 * global, or defines more than one memory; a table differs from what its
 * element segments make (the initialiser wrote to it or grew it); a
 * reference global holds a non-null value. State outside the instance
 * (what host functions did) is the embedder's to judge. Call it before
 * instantiating the module from other threads; a second snapshot of the
 * same module is refused. */
bool aw_module_snapshot(aw_module *m, const aw_instance *inst, aw_error *err);
/* True when m has a snapshot (aw_instantiate starts from it). */
bool aw_module_has_snapshot(const aw_module *m);

bool aw_instance_export(const aw_instance *inst, const char *name, aw_extern *out);
/* The same with the name's length given, for names that hold NUL bytes. */
bool aw_instance_export_n(const aw_instance *inst, const char *name, size_t len, aw_extern *out);
aw_func *aw_instance_func(const aw_instance *inst, const char *name);     /* NULL if none */
aw_memory *aw_instance_memory(const aw_instance *inst, const char *name); /* NULL if none */
aw_global *aw_instance_global(const aw_instance *inst, const char *name); /* NULL if none */
aw_table *aw_instance_table(const aw_instance *inst, const char *name);   /* NULL if none */
aw_module *aw_instance_module(const aw_instance *inst);

/* ---- calling ------------------------------------------------------------- */

aw_functype aw_func_type(const aw_func *f);
const char *aw_func_name(const aw_func *f); /* export or debug name, may be NULL */

/* Arguments must match the function's type. Returns AW_OK, or
 * AW_ERR_TRAP / AW_ERR_EXIT with err filled. */
aw_errkind aw_call(aw_store *s, aw_func *f, const aw_val *args, size_t nargs, aw_val *results,
                   size_t nresults, aw_error *err);

/* ---- memories, tables, globals ------------------------------------------- */

uint8_t *aw_memory_data(aw_memory *mem);
uint64_t aw_memory_size(const aw_memory *mem); /* in bytes */
uint32_t aw_memory_pages(const aw_memory *mem);
/* Grows by delta pages; returns the old size in pages, or -1. */
int64_t aw_memory_grow(aw_memory *mem, uint32_t delta);

aw_val aw_global_get(const aw_global *g);
bool aw_global_set(aw_global *g, aw_val v); /* false if immutable or of another type */
aw_valtype aw_global_type(const aw_global *g, bool *mutable_);

uint32_t aw_table_size(const aw_table *t);
bool aw_table_get(const aw_table *t, uint32_t i, aw_val *out);
bool aw_table_set(aw_table *t, uint32_t i, aw_val v);

#ifdef __cplusplus
}
#endif
#endif
