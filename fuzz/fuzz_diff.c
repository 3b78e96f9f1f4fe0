/*
 * fuzz_diff.c — differential libFuzzer target: the interpreter against the
 * LLVM-compiled tier. A module that loads (decodes and validates) is loaded
 * in both tiers and instantiated in two stores set up alike (imports that
 * trap, small tables and memories, zeroed globals; the same fuel and
 * deadline); then every exported function is called in both with the same
 * arguments, derived from the input's hash. The process aborts when the
 * tiers disagree: one loads or instantiates and the other not, a call
 * succeeds in one and traps in the other, traps of different kinds, other
 * results, or (at the end) other contents of exported memories and globals.
 *
 * What is not a difference:
 *  - NaNs: Wasm lets an operation return any NaN (canonical or arithmetic),
 *    and LLVM folds constants to other payloads than x86 computes, so two
 *    NaNs compare equal whatever their bits. Where a module can make NaN
 *    bits visible as integers (reinterpret, float stores, SIMD), integer
 *    results and memory contents are not compared.
 *  - Limits: the tiers count fuel differently (the compiled tier per call
 *    and loop iteration, the interpreter per instruction) and use different
 *    stacks, so once either side runs out of fuel, stack or time, that call
 *    and everything after it (the stores' states may now differ) is
 *    inconclusive.
 *
 * Built by `make fuzz` (mk/fuzz.mk) with the compiled tier linked in, into
 * build/fuzz/fuzz_diff; fuzz/run.sh runs it. Without LLVM it checks nothing.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anywhere/compile.h"
#include "anywhere/wasm.h"
#include "wasm/module.h"
#include "wasm/opcodes.h"
#include "wasm/reader.h"

#define FUZZ_FUEL 20000          /* per call: keeps each input fast */
#define FUZZ_MAX_PAGES 16        /* 1 MiB of linear memory at most */
#define FUZZ_MAX_TABLE 10000     /* elements in an imported table */
#define FUZZ_TIMEOUT_NS 1000000000ull
#define FUZZ_MAX_EXPORTS 64      /* functions called per input */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- arguments ------------------------------------------------------------- */

static uint64_t rng_next(uint64_t *s) { /* splitmix64 */
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t hash_bytes(const uint8_t *p, size_t n) { /* FNV-1a */
    uint64_t h = 0xCBF29CE484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001B3ull;
    return h;
}

/* Values near the edges that code branches on: bounds of memory, sign and
 * overflow limits. */
static uint64_t int_arg(uint64_t *s, bool wide) {
    static const uint64_t edges[] = {0, 1, 2, 3, 7, 8, 0xFF, 0xFFFF, 0x10000, 0xFFFC, 0xFFFFFFFFull,
                                     0x7FFFFFFF, 0x80000000ull, 0xFFFFFFFEull, 0x8000000000000000ull,
                                     0x7FFFFFFFFFFFFFFFull, 0xFFFFFFFFFFFFFFFFull};
    uint64_t r = rng_next(s);
    uint64_t v = (r & 3) == 0 ? rng_next(s) : (r & 3) == 1 ? (rng_next(s) % 70000)
               : edges[(r >> 8) % (sizeof edges / sizeof *edges)];
    return wide ? v : (uint32_t)v;
}

static double float_arg(uint64_t *s) {
    static const double edges[] = {0.0, -0.0, 1.0, -1.0, 0.5, 2.5, -3.5, 1e30, -1e30, 4294967296.0,
                                   2147483648.0, -2147483649.0, 9.3e18, INFINITY, -INFINITY, NAN};
    uint64_t r = rng_next(s);
    return (r & 3) == 0 ? (double)(int64_t)rng_next(s) / 65536.0 : edges[(r >> 8) % (sizeof edges / sizeof *edges)];
}

static aw_val make_arg(uint64_t *s, aw_valtype t) {
    aw_val v;
    memset(&v, 0, sizeof v);
    v.type = t;
    switch (t) {
    case AW_I32: v.of.i32 = (int32_t)int_arg(s, false); break;
    case AW_I64: v.of.i64 = (int64_t)int_arg(s, true); break;
    case AW_F32: v.of.f32 = (float)float_arg(s); break;
    case AW_F64: v.of.f64 = float_arg(s); break;
    case AW_V128:
        for (int i = 0; i < 16; i += 8) {
            uint64_t x = rng_next(s);
            memcpy(v.of.v128 + i, &x, 8);
        }
        break;
    case AW_EXTERNREF: v.of.externref = rng_next(s) & 1; break;
    default: break; /* funcref: null */
    }
    return v;
}

/* ---- NaN bits visible as integers? ---------------------------------------------- */

#define IMM_ROW(sym, code, imm, sig, name) [code] = WASM_IMM_##imm,
static const uint8_t imm_op[256] = {WASM_OPS(IMM_ROW)};
static const uint8_t imm_fc[32] = {WASM_OPS_FC(IMM_ROW)};
#undef IMM_ROW

static bool skip_imm(wasm_reader *r, unsigned kind) {
    uint32_t u, n;
    uint64_t w;
    int64_t i;
    uint8_t b;
    const uint8_t *p;
    switch (kind) {
    case WASM_IMM_NONE: return true;
    case WASM_IMM_BLOCK: return wasm_read_s33(r, &i);
    case WASM_IMM_BR_TABLE:
        if (!wasm_read_u32(r, &n)) return false;
        for (uint32_t k = 0; k <= n; k++)
            if (!wasm_read_u32(r, &u)) return false;
        return true;
    case WASM_IMM_CALL_INDIRECT:
    case WASM_IMM_ELEM_TABLE:
    case WASM_IMM_TABLE_TABLE:
    case WASM_IMM_MEMARG: return wasm_read_u32(r, &u) && wasm_read_uleb(r, 64, &w);
    case WASM_IMM_SELECT_T:
        if (!wasm_read_u32(r, &n)) return false;
        return wasm_read_bytes(r, n, &p);
    case WASM_IMM_MEMIDX:
    case WASM_IMM_REFTYPE: return wasm_read_u8(r, &b);
    case WASM_IMM_I32:
    case WASM_IMM_I64: return wasm_read_s64(r, &i);
    case WASM_IMM_F32: return wasm_read_bytes(r, 4, &p);
    case WASM_IMM_F64: return wasm_read_bytes(r, 8, &p);
    case WASM_IMM_DATA_MEM: return wasm_read_u32(r, &u) && wasm_read_u8(r, &b);
    case WASM_IMM_MEM_MEM: return wasm_read_u8(r, &b) && wasm_read_u8(r, &b);
    default: return wasm_read_u32(r, &u); /* one index */
    }
}

/* Whether some function body holds an instruction that turns float bits
 * into integers or memory: reinterpret, f32/f64.store, any SIMD
 * instruction. A body it cannot walk counts as yes. */
static bool nan_bits_visible(const aw_module *m) {
    for (uint32_t d = 0; d + m->nfunc_imports < m->nfuncs; d++) {
        const wasm_funcdef *f = &m->funcs[d];
        wasm_reader r;
        wasm_reader_init(&r, m->bytes, f->body, f->body_end);
        while (!wasm_reader_eof(&r)) {
            uint8_t op;
            uint32_t sub;
            if (!wasm_read_u8(&r, &op)) return true;
            if (op == 0xBC || op == 0xBD || op == 0x38 || op == 0x39 || op == 0xFD) return true;
            if (op == 0xFC) {
                if (!wasm_read_u32(&r, &sub) || sub >= 32 || !skip_imm(&r, imm_fc[sub])) return true;
            } else if (!skip_imm(&r, imm_op[op])) {
                return true;
            }
        }
    }
    return false;
}

/* ---- one tier ------------------------------------------------------------------- */

typedef struct side {
    const char *name;
    aw_module *m;
    aw_store *s;
    aw_instance *inst;
    aw_extern *imports;
    aw_func **hosts;
    uint32_t nhosts;
    aw_error err;
    aw_errkind inst_rc;
} side;

static int trap_import(aw_caller *c, uint64_t *slots, void *user) {
    (void)slots, (void)user;
    return aw_caller_trap(c, "imported function called");
}

static bool make_import(side *sd, uint32_t i) {
    const char *mod, *name;
    aw_externtype t;
    memset(&t, 0, sizeof t);
    aw_module_import(sd->m, i, &mod, &name, &t);
    aw_extern *out = &sd->imports[i];
    out->kind = t.kind;
    aw_val zero;
    memset(&zero, 0, sizeof zero);
    switch (t.kind) {
    case AW_EXTERN_FUNC:
        out->of.func = aw_func_new_host(t.func.params, t.func.nparams, t.func.results, t.func.nresults, trap_import,
                                        NULL, "fuzz_import");
        if (out->of.func) sd->hosts[sd->nhosts++] = out->of.func;
        return out->of.func != NULL;
    case AW_EXTERN_TABLE:
        if (t.table.limits.min > FUZZ_MAX_TABLE) return false;
        out->of.table = aw_table_new(sd->s, t.table.elem, t.table.limits);
        return out->of.table != NULL;
    case AW_EXTERN_MEMORY:
        if (t.memory.min > FUZZ_MAX_PAGES) return false;
        out->of.memory = aw_memory_new(sd->s, t.memory);
        return out->of.memory != NULL;
    case AW_EXTERN_GLOBAL:
        zero.type = t.global.type;
        out->of.global = aw_global_new(sd->s, zero, t.global.mutable_);
        return out->of.global != NULL;
    }
    return false;
}

/* Loads (already done by the caller), makes imports and instantiates;
 * false when the fuzzer does not provide what the module imports. */
static bool side_setup(side *sd) {
    aw_store_config cfg = {.max_memory_pages = FUZZ_MAX_PAGES, .fuel = FUZZ_FUEL};
    sd->s = aw_store_new(&cfg);
    uint32_t n = aw_module_import_count(sd->m);
    sd->imports = calloc(n + 1, sizeof *sd->imports);
    sd->hosts = calloc(n + 1, sizeof *sd->hosts);
    if (!sd->s || !sd->imports || !sd->hosts) return false;
    for (uint32_t i = 0; i < n; i++)
        if (!make_import(sd, i)) return false;
    aw_store_set_timeout(sd->s, FUZZ_TIMEOUT_NS);
    memset(&sd->err, 0, sizeof sd->err);
    sd->inst = aw_instantiate(sd->s, sd->m, sd->imports, n, &sd->err);
    sd->inst_rc = sd->inst ? AW_OK : sd->err.kind;
    return true;
}

static void side_free(side *sd) {
    if (sd->s) aw_store_free(sd->s);
    for (uint32_t i = 0; i < sd->nhosts; i++) aw_func_free_host(sd->hosts[i]);
    free(sd->hosts);
    free(sd->imports);
    if (sd->m) aw_module_release(sd->m);
}

/* ---- comparing ------------------------------------------------------------------ */

static _Noreturn void differ(const char *what, const char *name, const char *detail) {
    fprintf(stderr, "fuzz_diff: the tiers differ: %s%s%s%s%s\n", what, name ? " of export \"" : "",
            name ? name : "", name ? "\"" : "", detail ? detail : "");
    abort();
}

/* Limits are counted differently in the two tiers (see the top). */
static bool inconclusive(const aw_error *e) {
    if (e->kind == AW_ERR_RESOURCE) return true;
    return e->kind == AW_ERR_TRAP && (e->trap == AW_TRAP_OUT_OF_FUEL || e->trap == AW_TRAP_STACK_EXHAUSTED ||
                                      e->trap == AW_TRAP_INTERRUPTED);
}

static bool nan32(uint32_t b) { return (b & 0x7F800000u) == 0x7F800000u && (b & 0x7FFFFFu); }
static bool nan64(uint64_t b) {
    return (b & 0x7FF0000000000000ull) == 0x7FF0000000000000ull && (b & 0xFFFFFFFFFFFFFull);
}

/* A v128 may hold floats of either width: lanes compare equal when their
 * bits do or both are NaNs, read as f64 or as two f32. */
static bool v128_same(const uint8_t *a, const uint8_t *b) {
    for (int i = 0; i < 16; i += 8) {
        uint64_t x, y;
        memcpy(&x, a + i, 8), memcpy(&y, b + i, 8);
        if (x == y || (nan64(x) && nan64(y))) continue;
        for (int h = 0; h < 64; h += 32) {
            uint32_t xs = (uint32_t)(x >> h), ys = (uint32_t)(y >> h);
            if (xs != ys && !(nan32(xs) && nan32(ys))) return false;
        }
    }
    return true;
}

static bool val_same(const aw_val *a, const aw_val *b, bool nan_bits) {
    uint32_t x32, y32;
    uint64_t x64, y64;
    switch (a->type) {
    case AW_I32: return nan_bits || a->of.i32 == b->of.i32;
    case AW_I64: return nan_bits || a->of.i64 == b->of.i64;
    case AW_F32:
        memcpy(&x32, &a->of.f32, 4), memcpy(&y32, &b->of.f32, 4);
        return x32 == y32 || (nan32(x32) && nan32(y32));
    case AW_F64:
        memcpy(&x64, &a->of.f64, 8), memcpy(&y64, &b->of.f64, 8);
        return x64 == y64 || (nan64(x64) && nan64(y64));
    case AW_V128: return nan_bits || v128_same(a->of.v128, b->of.v128);
    case AW_EXTERNREF: return a->of.externref == b->of.externref;
    default: return (a->of.funcref == NULL) == (b->of.funcref == NULL); /* two stores: only nullness */
    }
}

/* Calls export `name` in both; false when the outcome is inconclusive. */
static bool call_both(side *x, side *y, const char *name, uint64_t *rng, bool nan_bits) {
    aw_func *fx = aw_instance_func(x->inst, name), *fy = aw_instance_func(y->inst, name);
    if (!fx || !fy) return fx == fy; /* a name with a NUL byte: looked up alike in both */
    aw_functype ft = aw_func_type(fx);
    size_t n = (size_t)ft.nparams + 2u * ft.nresults + 1;
    aw_val *vals = calloc(n, sizeof *vals);
    if (!vals) return false;
    for (uint32_t p = 0; p < ft.nparams; p++) vals[p] = make_arg(rng, ft.params[p]);
    aw_val *rx = vals + ft.nparams, *ry = rx + ft.nresults;
    aw_error ex, ey;
    memset(&ex, 0, sizeof ex), memset(&ey, 0, sizeof ey);
    side *sides[2] = {x, y};
    aw_errkind rc[2];
    for (int k = 0; k < 2; k++) {
        aw_store_set_fuel(sides[k]->s, FUZZ_FUEL);
        aw_store_set_timeout(sides[k]->s, FUZZ_TIMEOUT_NS);
        rc[k] = aw_call(sides[k]->s, k ? fy : fx, vals, ft.nparams, k ? ry : rx, ft.nresults, k ? &ey : &ex);
    }
    bool ok = true;
    char detail[200];
    if ((rc[0] != AW_OK && inconclusive(&ex)) || (rc[1] != AW_OK && inconclusive(&ey))) {
        ok = false;
    } else if (rc[0] != rc[1] || (rc[0] == AW_ERR_TRAP && ex.trap != ey.trap)) {
        snprintf(detail, sizeof detail, ": %s: %s (%s), %s: %s (%s)", x->name,
                 rc[0] == AW_OK ? "returns" : "fails", rc[0] == AW_ERR_TRAP ? aw_trap_message(ex.trap) : "",
                 y->name, rc[1] == AW_OK ? "returns" : "fails", rc[1] == AW_ERR_TRAP ? aw_trap_message(ey.trap) : "");
        differ("outcome of a call", name, detail);
    } else if (rc[0] == AW_OK) {
        for (uint32_t i = 0; i < ft.nresults; i++) {
            if (val_same(&rx[i], &ry[i], nan_bits)) continue;
            snprintf(detail, sizeof detail, ": result %u: %s 0x%016llx, %s 0x%016llx", i, x->name,
                     (unsigned long long)rx[i].of.i64, y->name, (unsigned long long)ry[i].of.i64);
            differ("result", name, detail);
        }
    }
    free(vals);
    return ok;
}

/* The exported memories and globals after all calls. */
static void compare_state(side *x, side *y, bool nan_bits) {
    uint32_t n = aw_module_export_count(x->m);
    for (uint32_t i = 0; i < n; i++) {
        const char *name;
        aw_externtype t;
        memset(&t, 0, sizeof t);
        aw_module_export(x->m, i, &name, &t);
        if (t.kind == AW_EXTERN_MEMORY) {
            aw_memory *a = aw_instance_memory(x->inst, name), *b = aw_instance_memory(y->inst, name);
            if (!a && !b) continue; /* a name with a NUL byte */
            if (!a || !b || aw_memory_size(a) != aw_memory_size(b)) differ("memory size", name, NULL);
            if (!nan_bits && memcmp(aw_memory_data(a), aw_memory_data(b), aw_memory_size(a)) != 0)
                differ("memory contents", name, NULL);
        } else if (t.kind == AW_EXTERN_GLOBAL) {
            aw_global *a = aw_instance_global(x->inst, name), *b = aw_instance_global(y->inst, name);
            if (!a && !b) continue;
            if (!a || !b) differ("missing global", name, NULL);
            aw_val va = aw_global_get(a), vb = aw_global_get(b);
            if (!val_same(&va, &vb, nan_bits)) differ("global value", name, NULL);
        }
    }
}

/* ---- the target ------------------------------------------------------------------ */

static void run_both(side *x, side *y, uint64_t seed) {
    bool nan_bits = nan_bits_visible(x->m);
    if (x->inst_rc != y->inst_rc) differ("instantiation", NULL, NULL);
    if (!x->inst) return;
    uint64_t rng = seed;
    uint32_t n = aw_module_export_count(x->m), calls = 0;
    for (uint32_t i = 0; i < n && calls < FUZZ_MAX_EXPORTS; i++) {
        const char *name;
        aw_externtype t;
        memset(&t, 0, sizeof t);
        aw_module_export(x->m, i, &name, &t);
        if (t.kind != AW_EXTERN_FUNC) continue;
        calls++;
        if (!call_both(x, y, name, &rng, nan_bits)) return; /* states may differ from here on */
    }
    compare_state(x, y, nan_bits);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!aw_compiled_tier_available()) return 0;
    side x = {.name = "interpreter"}, y = {.name = "compiled"};
    aw_error err;
    x.m = aw_module_load(data, size, &err);
    if (!x.m) return 0;
    aw_load_options o = {.tier = AW_TIER_COMPILED};
    y.m = aw_module_load_ex(data, size, &o, &err);
    if (!y.m) {
        fprintf(stderr, "fuzz_diff: the compiled tier refuses a valid module: %s\n", err.message);
        abort();
    }
    /* The two stores' instantiations are compared only when the fuzzer
     * could provide every import to both. */
    if (side_setup(&x) && side_setup(&y))
        run_both(&x, &y, hash_bytes(data, size));
    side_free(&x);
    side_free(&y);
    return 0;
}
