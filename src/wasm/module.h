/*
 * module.h — the decoded form of a WebAssembly module (struct aw_module).
 *
 * Pipeline (module.c orchestrates it in aw_module_load):
 *   decode.c    bytes -> aw_module (sections, types, imports, ... code ranges),
 *               and the module-level validation rules (limits, indices,
 *               constant expressions, exports unique, start type, datacount).
 *   validate.c  each function body, by the spec's algorithm (operand and
 *               control stacks), with errors naming function, offset, rule.
 *   compile.c   each validated body -> the interpreter's internal code.
 *   bodies.c    runs validate.c and compile.c over every body (threads).
 * After loading, a module is immutable and shared by all its instances.
 */
#ifndef AW_WASM_MODULE_H
#define AW_WASM_MODULE_H

#include <stdatomic.h>

#include "anywhere/wasm.h"

#define WASM_PAGE_SIZE 65536u
#define WASM_MAX_PAGES 65536u
#define WASM_NO_MAX UINT32_MAX
#define WASM_NONE UINT32_MAX

/* Block types and "no value" in the binary format. */
#define WASM_BLOCKTYPE_EMPTY 0x40

/* A function type. types[] holds params then results (aw_valtype bytes).
 * Slots: every value takes one 64-bit slot, except v128 which takes two. */
typedef struct wasm_functype {
    uint32_t nparams, nresults;
    uint32_t param_slots, result_slots;
    aw_valtype *types; /* nparams + nresults entries */
} wasm_functype;

static inline const aw_valtype *wasm_functype_results(const wasm_functype *t) {
    return t->types + t->nparams;
}

typedef struct wasm_tabletype {
    aw_valtype elem; /* AW_FUNCREF or AW_EXTERNREF */
    aw_limits limits;
} wasm_tabletype;

typedef struct wasm_globaltype {
    aw_valtype type;
    bool mutable_;
} wasm_globaltype;

/* A constant expression. Wasm 2.0 allows exactly one instruction + end. */
typedef enum wasm_constop {
    WASM_CONST_I32 = 0x41,
    WASM_CONST_I64 = 0x42,
    WASM_CONST_F32 = 0x43,
    WASM_CONST_F64 = 0x44,
    WASM_CONST_V128 = 0xFD, /* v128.const */
    WASM_CONST_GLOBAL_GET = 0x23,
    WASM_CONST_REF_NULL = 0xD0,
    WASM_CONST_REF_FUNC = 0xD2,
} wasm_constop;

typedef struct wasm_constexpr {
    uint8_t op;          /* wasm_constop */
    uint32_t index;      /* global.get / ref.func index; for ref.null: the aw_valtype */
    uint8_t bytes[16];   /* the constant's bits, little-endian (i32/i64/f32/f64/v128) */
} wasm_constexpr;

typedef struct wasm_import {
    char *module, *name;     /* NUL-terminated copies (validated UTF-8) */
    uint32_t module_len, name_len;
    aw_externkind kind;
    union {
        uint32_t func_type;  /* type index */
        wasm_tabletype table;
        aw_limits memory;
        wasm_globaltype global;
    } of;
} wasm_import;

typedef struct wasm_export {
    char *name;
    uint32_t name_len;
    aw_externkind kind;
    uint32_t index;
} wasm_export;

typedef enum wasm_segmode {
    WASM_SEG_ACTIVE,
    WASM_SEG_PASSIVE,
    WASM_SEG_DECLARATIVE, /* element segments only */
} wasm_segmode;

typedef struct wasm_elemseg {
    wasm_segmode mode;
    aw_valtype type;        /* AW_FUNCREF or AW_EXTERNREF */
    uint32_t table;         /* active: table index */
    wasm_constexpr offset;  /* active: i32 offset */
    uint32_t count;
    wasm_constexpr *items;  /* count entries (ref.func / ref.null / global.get) */
} wasm_elemseg;

typedef struct wasm_dataseg {
    wasm_segmode mode;
    uint32_t memory;        /* active: memory index */
    wasm_constexpr offset;  /* active: i32 offset */
    const uint8_t *bytes;   /* points into aw_module.bytes */
    uint32_t len;
} wasm_dataseg;

/* A function defined in the module (not imported). */
typedef struct wasm_funcdef {
    uint32_t type;              /* type index */
    uint32_t nlocals;           /* declared locals, params excluded */
    aw_valtype *local_types;    /* nlocals entries, expanded */
    const uint8_t *body;        /* first instruction after the locals declaration */
    const uint8_t *body_end;    /* one past the final `end` */
    uint64_t body_offset;       /* byte offset of `body` in the module */
    void *code;                 /* compile.c's translation (interp-private) */
} wasm_funcdef;

struct aw_module {
    atomic_int refcount;
    uint8_t *bytes; /* owned copy of the binary */
    size_t len;

    wasm_functype *types;
    uint32_t ntypes;

    wasm_import *imports;
    uint32_t nimports;
    uint32_t nfunc_imports, ntable_imports, nmem_imports, nglobal_imports;

    /* Index spaces: imports first, then definitions. */
    uint32_t nfuncs;          /* total */
    uint32_t *func_types;     /* nfuncs type indices */
    wasm_funcdef *funcs;      /* nfuncs - nfunc_imports definitions */

    uint32_t ntables;
    wasm_tabletype *tables;   /* ntables, imports first */

    uint32_t nmems;
    aw_limits *mems;          /* nmems, imports first (pages) */

    uint32_t nglobals;
    wasm_globaltype *globals; /* nglobals, imports first */
    wasm_constexpr *global_inits; /* nglobals - nglobal_imports */

    wasm_export *exports;
    uint32_t nexports;

    uint32_t start; /* WASM_NONE if absent */

    wasm_elemseg *elems;
    uint32_t nelems;

    wasm_dataseg *datas;
    uint32_t ndatas;
    bool has_datacount;
    uint32_t datacount;

    /* C.refs: functions that may be named by ref.func in function bodies
     * (those referenced in elem segments, exports or global initialisers). */
    bool *func_declared; /* nfuncs entries */

    /* Names from the "name" custom section, when present (debugging, traps). */
    char **func_names; /* nfuncs entries or NULL; each may be NULL */

    void *compiled; /* compile.c's module-wide state, if any */
    void *image;    /* runtime.c's prepared instantiation image, if any */
    void *jit;      /* llvm_jit.c's compiled code (wasm_jit_module), or NULL: interpreted */
    void *tierup;   /* tierup.c's state when loaded with AW_TIER_AUTO, or NULL */
};

/* decode.c: parse and validate everything but function bodies.
 * On failure returns false with err filled (AW_ERR_MALFORMED or AW_ERR_INVALID). */
bool wasm_decode(aw_module *m, aw_error *err);

/* validate.c: validate the body of defined function `defidx` (0-based among
 * definitions). On failure returns false with err filled (AW_ERR_INVALID, or
 * AW_ERR_MALFORMED for encoding errors found while reading the body). */
bool wasm_validate_func(const aw_module *m, uint32_t defidx, aw_error *err);

/* bodies.c: validate and translate every function body (on a few threads
 * when the module is big; AW_LOAD_THREADS caps them). On failure, err
 * names the lowest-numbered function that fails, as a serial load would. */
bool wasm_load_bodies(aw_module *m, aw_error *err);

/* compile.c: translation of validated bodies. wasm_compile_begin sets
 * every m->funcs[i].code and prepares `nworkers` independent translators
 * (one per loading thread, each with its own buffers and arena); worker w
 * translates a body with wasm_compile_func(m, w, defidx), and two workers
 * may run at once on different bodies. wasm_compile_end frees the buffers
 * once every body is translated; wasm_compile_free frees the code. */
bool wasm_compile_begin(aw_module *m, uint32_t nworkers, bool lazy, aw_error *err);
bool wasm_compile_func(aw_module *m, uint32_t worker, uint32_t defidx, aw_error *err);
/* With lazy set at wasm_compile_begin, bodies are left untranslated and
 * wasm_compile_lazy translates fn (a function of m) on its first call
 * (interp.h, LAZY TRANSLATION); any thread may call it. */
struct wasm_fn;
bool wasm_compile_lazy(aw_module *m, struct wasm_fn *fn, aw_error *err);
void wasm_compile_end(aw_module *m);
void wasm_compile_free(aw_module *m);

/* Frees everything wasm_decode allocated (safe on a partially decoded module). */
void wasm_module_free_decoded(aw_module *m);

/* Helpers for error reporting, shared by every pass. */
void wasm_error_set(aw_error *err, aw_errkind kind, uint32_t func, uint64_t offset, const char *fmt,
                    ...) __attribute__((format(printf, 5, 6)));

static inline uint32_t wasm_valtype_slots(aw_valtype t) { return t == AW_V128 ? 2 : 1; }
static inline bool wasm_is_reftype(aw_valtype t) { return t == AW_FUNCREF || t == AW_EXTERNREF; }

#endif
