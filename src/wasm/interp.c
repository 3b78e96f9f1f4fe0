/*
 * interp.c — the dispatch loop over compile.c's threaded code (see
 * interp.h for the IR, the frame layout and the calling convention).
 *
 * One function holds every handler so that ip, fp and the memory base stay
 * in registers; wasm-to-wasm calls push a frame record and continue in the
 * same loop, so guest recursion never grows the C stack.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "wasm/fround.h"
#include "wasm/interp.h"
#include "wasm/simd.h"
#include "wasm/tierup.h"

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Instructions run between two looks at fuel and the interrupt flag when
 * no fuel limit is set (bounds the latency of aw_store_interrupt). */
#define QUANTUM 16384

uint64_t wasm_fn_trap_offset(const wasm_fn *fn, uint32_t pc) {
    uint32_t lo = 0, hi = fn->ntraps;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (fn->traps[mid].pc < pc) lo = mid + 1;
        else hi = mid;
    }
    if (lo < fn->ntraps && fn->traps[lo].pc == pc) return fn->traps[lo].offset;
    return UINT64_MAX;
}

static bool functype_eq(const wasm_functype *a, const wasm_functype *b) {
    if (a == b) return true;
    if (a->nparams != b->nparams || a->nresults != b->nresults) return false;
    return memcmp(a->types, b->types, (a->nparams + a->nresults) * sizeof *a->types) == 0;
}

/* ---- float helpers with the spec's rules ---------------------------------- */

static inline uint32_t f32_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}
static inline uint64_t f64_bits(double f) {
    uint64_t u;
    memcpy(&u, &f, 8);
    return u;
}
static inline float bits_f32(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}
static inline double bits_f64(uint64_t u) {
    double f;
    memcpy(&f, &u, 8);
    return f;
}

/* NaN in -> a NaN out (a + b quiets and propagates); min(-0, +0) = -0. */
static inline float f32_min(float a, float b) {
    if (a != a || b != b) return a + b;
    if (a == b) return bits_f32(f32_bits(a) | f32_bits(b));
    return a < b ? a : b;
}
static inline float f32_max(float a, float b) {
    if (a != a || b != b) return a + b;
    if (a == b) return bits_f32(f32_bits(a) & f32_bits(b));
    return a > b ? a : b;
}
static inline double f64_min(double a, double b) {
    if (a != a || b != b) return a + b;
    if (a == b) return bits_f64(f64_bits(a) | f64_bits(b));
    return a < b ? a : b;
}
static inline double f64_max(double a, double b) {
    if (a != a || b != b) return a + b;
    if (a == b) return bits_f64(f64_bits(a) & f64_bits(b));
    return a > b ? a : b;
}

static inline int32_t sat_i32(double x) {
    if (x != x) return 0;
    if (x <= -2147483649.0) return INT32_MIN;
    if (x >= 2147483648.0) return INT32_MAX;
    return (int32_t)x;
}
static inline uint32_t sat_u32(double x) {
    if (x != x || x <= -1.0) return 0;
    if (x >= 4294967296.0) return UINT32_MAX;
    return (uint32_t)x;
}
static inline int64_t sat_i64(double x) {
    if (x != x) return 0;
    if (x < -9223372036854775808.0) return INT64_MIN;
    if (x >= 9223372036854775808.0) return INT64_MAX;
    return (int64_t)x;
}
static inline uint64_t sat_u64(double x) {
    if (x != x || x <= -1.0) return 0;
    if (x >= 18446744073709551616.0) return UINT64_MAX;
    return (uint64_t)x;
}

static inline uint32_t rotl32(uint32_t a, uint32_t b) {
    b &= 31;
    return (a << b) | (a >> ((32 - b) & 31));
}
static inline uint32_t rotr32(uint32_t a, uint32_t b) {
    b &= 31;
    return (a >> b) | (a << ((32 - b) & 31));
}
static inline uint64_t rotl64(uint64_t a, uint64_t b) {
    b &= 63;
    return (a << b) | (a >> ((64 - b) & 63));
}
static inline uint64_t rotr64(uint64_t a, uint64_t b) {
    b &= 63;
    return (a >> b) | (a << ((64 - b) & 63));
}

/* ---- the loop ------------------------------------------------------------- */

#define SL(k) (*(wasm_slot *)((char *)fp + ip[k].i))
#define SLP(k) ((wasm_slot *)((char *)fp + ip[k].i))
#ifdef AW_INTERP_PROFILE /* op and op-pair counts for tuning, printed at exit (not for production) */
#include <stdio.h>
static uint64_t prof_counts[IOP_COUNT];
static uint64_t prof_pairs[IOP_COUNT][IOP_COUNT];
static int prof_prev;
static const void *const *prof_labels;
static const void *prof_hkey[8192];
static int prof_hval[8192];
static void prof_dump(void) {
    for (int i = 0; i < IOP_COUNT; i++)
        if (prof_counts[i]) fprintf(stderr, "op %3d %12llu\n", i, (unsigned long long)prof_counts[i]);
    for (int i = 0; i < IOP_COUNT; i++)
        for (int j = 0; j < IOP_COUNT; j++)
            if (prof_pairs[i][j]) fprintf(stderr, "pair %3d %3d %12llu\n", i, j, (unsigned long long)prof_pairs[i][j]);
}
static inline void prof_hit(const void *h) {
    uint32_t k = (uint32_t)(((uintptr_t)h >> 2) * 2654435761u) >> 19;
    while (prof_hkey[k] && prof_hkey[k] != h) k = (k + 1) & 8191;
    if (!prof_hkey[k]) {
        int op = 0;
        for (int i = 0; i < IOP_COUNT; i++)
            if (prof_labels[i] == h) op = i;
        prof_hkey[k] = h, prof_hval[k] = op;
    }
    int op = prof_hval[k];
    prof_counts[op]++;
    prof_pairs[prof_prev][op]++;
    prof_prev = op;
}
#define DISPATCH do { prof_hit(ip->h); goto *ip->h; } while (0)
#else
#define DISPATCH goto *ip->h
#endif
#define NEXT(n)                                                                                    \
    do {                                                                                           \
        ip += (n);                                                                                 \
        DISPATCH;                                                                                  \
    } while (0)
#define TRAP(k)                                                                                    \
    do {                                                                                           \
        trap = (k);                                                                                \
        goto trapped;                                                                              \
    } while (0)

/* Results are always written as whole slots: a later 8-byte copy of the
 * slot then never waits on a narrower store. */
#define PUT_i32(k, v) (SL(k).i64 = (uint32_t)(v))
#define PUT_i64(k, v) (SL(k).i64 = (uint64_t)(v))
#define PUT_f32(k, v) (SL(k).i64 = f32_bits(v))
#define PUT_f64(k, v) (SL(k).f64 = (v))

#define LOAD_MEM()                                                                                 \
    do {                                                                                           \
        mem_base = mem0 ? mem0->data : NULL;                                                       \
        mem_size = mem0 ? mem0->size : 0;                                                          \
    } while (0)
#define RELOAD_INST()                                                                              \
    do {                                                                                           \
        funcs = inst->funcs;                                                                       \
        globals = inst->globals;                                                                   \
        mem0 = inst->module->nmems ? inst->mems[0] : NULL;                                         \
        LOAD_MEM();                                                                                \
    } while (0)
#define REFILL()                                                                                   \
    do {                                                                                           \
        given = QUANTUM;                                                                           \
        if (s->fuel_enabled && s->fuel < QUANTUM) given = s->fuel;                                 \
        tick = given;                                                                              \
    } while (0)
#define FLUSH()                                                                                    \
    do {                                                                                           \
        if (s->fuel_enabled) s->fuel -= given - tick;                                              \
        given = tick;                                                                              \
    } while (0)

/* A call charges the callee's ENTER itself and starts after it; only when
 * the counter runs out does ENTER run (and take the slow path). `code` is
 * cf's, loaded (wasm_fn_code) before any other field of cf was read: an
 * untranslated function's stub lands on LAZY either way. */
#define ENTER_FN(cf, code)                                                                         \
    do {                                                                                           \
        /* The stub charges nothing, whatever entry_fuel a translation                             \
         * racing with this call has published meanwhile (LAZY charges). */                        \
        int64_t ef_ = (code) == (cf)->stub ? 0 : (cf)->entry_fuel;                                 \
        tick -= ef_;                                                                               \
        ip = (code) + 2;                                                                           \
        if (UNLIKELY(tick < 0)) {                                                                  \
            tick += ef_;                                                                           \
            ip = (code);                                                                           \
        }                                                                                          \
        DISPATCH;                                                                                  \
    } while (0)

/* A taken back edge to a loop (see interp.h, LIMITS). */
#define BACK_EDGE(t)                                                                               \
    do {                                                                                           \
        ip = (t);                                                                                  \
        tick -= ip[-1].i;                                                                          \
        if (UNLIKELY(tick < 0)) {                                                                  \
            tick += ip[-1].i;                                                                      \
            ip -= 2;                                                                               \
        }                                                                                          \
        DISPATCH;                                                                                  \
    } while (0)

#define EA(ak, ok, n)                                                                              \
    uint64_t ea = (uint64_t)SL(ak).i32 + ip[ok].u;                                                 \
    if (UNLIKELY(ea + (n) > mem_size)) TRAP(AW_TRAP_MEMORY_OOB)

/* Handlers as offsets from L_EXIT (a GNU C constant expression), turned
 * into addresses once by wasm_interp_handlers: a static table of label
 * addresses would be relocated by the dynamic loader at every process
 * start, 400-odd entries and the pages under them copied. */
#define LOFF(l) (&&l - &&L_EXIT)
#define LABEL(n) [IOP_##n] = LOFF(L_##n),
#define LABEL_I(n) [IOP_##n##_I] = LOFF(L_##n##_I),
#define LABEL_BR(n) [IOP_BR_##n] = LOFF(L_BR_##n), [IOP_BR_##n##_I] = LOFF(L_BR_##n##_I),
#define LABEL_RR(n) [IOP_##n##_RR] = LOFF(L_##n##_RR), [IOP_##n##_RI] = LOFF(L_##n##_RI),
#define LABEL_BRL(n) [IOP_BRL_##n] = LOFF(L_BRL_##n), [IOP_BRL_##n##_I] = LOFF(L_BRL_##n##_I),
#define LABEL_V(n) [IOP_V_##n] = LOFF(L_V_##n),

typedef double v2f64 __attribute__((vector_size(16)));
typedef float v4f32 __attribute__((vector_size(16)));
typedef uint64_t v2u64 __attribute__((vector_size(16)));
typedef int64_t v2i64 __attribute__((vector_size(16)));
typedef int32_t v4i32 __attribute__((vector_size(16)));
typedef uint32_t v4u32 __attribute__((vector_size(16)));
typedef uint16_t v8u16 __attribute__((vector_size(16)));
typedef uint8_t v16u8 __attribute__((vector_size(16)));

/* Runs f; or, with handlers_fill, only writes every handler's address
 * there (wasm_interp_handlers). */
static aw_errkind run(aw_store *s, aw_func *f, wasm_slot *fp0, wasm_frame *fsp, aw_error *err,
                      const void **handlers_fill) {
    static const int32_t label_offsets[IOP_COUNT] = {
        WASM_IOPS_MISC(LABEL) WASM_NUMOTHER(LABEL) WASM_NUMSAT(LABEL) WASM_MEMOPS(LABEL) WASM_IALU(LABEL)
            WASM_IALU(LABEL_I) WASM_ICMP(LABEL) WASM_ICMP(LABEL_I) WASM_ICMP(LABEL_BR) WASM_ICMP(LABEL_BRL) WASM_LOADOPS(LABEL_RR) WASM_VBIN(LABEL_V) WASM_VSHIFT(LABEL_V) WASM_VLANE(LABEL_V)
            WASM_IDIVK(LABEL_I) WASM_FIMM(LABEL_I)};
    if (handlers_fill) {
        for (int i = 0; i < IOP_COUNT; i++) handlers_fill[i] = (const char *)&&L_EXIT + label_offsets[i];
        return AW_OK;
    }

#ifdef AW_INTERP_PROFILE
    if (!prof_labels) {
        prof_labels = wasm_interp_handlers();
        atexit(prof_dump);
    }
#endif
    const wasm_code exit_code[1] = {{.h = &&L_EXIT}};
    const wasm_code *ip = exit_code, *ret_ip = exit_code;
    wasm_slot *fp = fp0, *nfp = fp0;
    aw_instance *inst = f->inst;
    aw_func *callee = f;
    aw_func **funcs;
    aw_global **globals;
    aw_memory *mem0;
    uint8_t *mem_base;
    uint64_t mem_size;
    /* The call depth is entry_depth plus the frame records pushed since
     * entry: a call may push one only while fsp > fsp_lim. */
    const uint32_t entry_depth = s->depth, max_depth = s->config.max_call_depth;
    wasm_frame *const fsp0 = fsp;
    uintptr_t fsp_lim = 0;
    if (fsp0) {
        uint64_t allowed = max_depth > entry_depth ? max_depth - entry_depth : 0;
        uint64_t bytes = allowed * sizeof(wasm_frame);
        if (allowed < UINT32_MAX && bytes < (uintptr_t)fsp0) fsp_lim = (uintptr_t)fsp0 - (uintptr_t)bytes;
    }
#define DEPTH() (entry_depth + (uint32_t)(fsp0 - fsp))
    int64_t tick, given;
    aw_trapkind trap = AW_TRAP_NONE;
    aw_errkind result = AW_OK;

    RELOAD_INST();
    REFILL();
    goto do_call;

    /* ---- calls and returns ---- */
do_call: /* callee, nfp, ret_ip set; ip at the calling instruction */
    if (callee->host) goto do_host;
    {
        const wasm_fn *cf = callee->code;
        const wasm_code *code = wasm_fn_code(cf);
        if (UNLIKELY((uintptr_t)fsp <= fsp_lim || (char *)(nfp + cf->nslots) > (char *)(fsp - 1)))
            TRAP(AW_TRAP_STACK_EXHAUSTED);
        fsp--;
        fsp->ip = ret_ip, fsp->fp = fp, fsp->inst = inst;
        if (callee->inst != inst) {
            inst = callee->inst;
            RELOAD_INST();
        }
        fp = nfp;
        ENTER_FN(cf, code);
    }
do_host : {
    const wasm_functype *t = callee->type;
    uint32_t n = t->param_slots > t->result_slots ? t->param_slots : t->result_slots;
    if (UNLIKELY((uintptr_t)fsp <= fsp_lim || (char *)(nfp + n) > (char *)fsp))
        TRAP(AW_TRAP_STACK_EXHAUSTED);
    FLUSH();
    wasm_slot *old_top = s->stack_top;
    void *old_frames = s->frames_bottom;
    s->stack_top = nfp + n, s->frames_bottom = fsp, s->depth = DEPTH() + 1;
    aw_caller c = {s, inst, err};
    int rc = callee->host(&c, (uint64_t *)nfp, callee->host_data);
    s->stack_top = old_top, s->frames_bottom = old_frames, s->depth = DEPTH();
    if (rc) {
        if (err->kind == AW_OK) {
            wasm_trap(err, AW_TRAP_HOST, callee->index, UINT64_MAX);
        }
        result = err->kind;
        goto out;
    }
    REFILL();
    LOAD_MEM();
    ip = ret_ip;
    DISPATCH;
}

L_CALL : {
    const wasm_fn *cf = ip[1].p;
    nfp = SLP(2);
    if (UNLIKELY(inst->tier == WASM_TIER_SWITCHED) && inst->tier_cross[cf->func_index]) {
        /* AW_TIER_AUTO switched this instance: its functions are entries
         * of compiled code now (tierup.c). */
        if (UNLIKELY(!inst->tier_crossed)) wasm_tierup_crossed(inst, cf->func_index);
        callee = funcs[cf->func_index];
        ret_ip = ip + 3;
        goto do_call;
    }
    const wasm_code *code = wasm_fn_code(cf);
    if (UNLIKELY((uintptr_t)fsp <= fsp_lim || (char *)(nfp + cf->nslots) > (char *)(fsp - 1)))
        TRAP(AW_TRAP_STACK_EXHAUSTED);
    fsp--;
    fsp->ip = ip + 3, fsp->fp = fp, fsp->inst = inst;
    fp = nfp;
    ENTER_FN(cf, code);
}
L_LAZY : { /* the first call of a function (interp.h, LAZY TRANSLATION); the frame is pushed */
    wasm_fn *lf = (wasm_fn *)ip[1].p;
    FLUSH();
    if (!wasm_compile_lazy(inst->module, lf, err)) {
        result = err->kind;
        goto out;
    }
    const wasm_code *code = wasm_fn_code(lf);
    if (UNLIKELY((char *)(fp + lf->nslots) > (char *)fsp)) { /* the call's own check knew no size */
        ip = fsp->ip;
        TRAP(AW_TRAP_STACK_EXHAUSTED);
    }
    ENTER_FN(lf, code);
}
L_CALL_ANY:
    callee = funcs[ip[1].u];
    nfp = SLP(2);
    ret_ip = ip + 3;
    goto do_call;
L_CALL_INDIRECT : {
    aw_table *tab = inst->tables[ip[2].u];
    uint32_t i = SL(3).i32;
    if (UNLIKELY(i >= tab->size)) TRAP(AW_TRAP_UNDEFINED_ELEMENT);
    callee = tab->elems[i];
    if (UNLIKELY(!callee)) TRAP(AW_TRAP_UNINITIALIZED_ELEMENT);
    if (UNLIKELY(callee->type != ip[1].p && !functype_eq(callee->type, ip[1].p)))
        TRAP(AW_TRAP_INDIRECT_TYPE);
    nfp = SLP(4);
    ret_ip = ip + 5;
    goto do_call;
}
L_RET1:
    fp[0] = SL(1);
L_RET:
    ip = fsp->ip, fp = fsp->fp;
    if (UNLIKELY(fsp->inst != inst)) {
        inst = fsp->inst;
        RELOAD_INST();
    }
    fsp++;
    DISPATCH;
L_EXIT:
    result = AW_OK;
    goto out;

    /* ---- limits ---- */
L_ENTER:
L_LOOP:
    tick -= ip[1].i;
    if (LIKELY(tick >= 0)) NEXT(2);
    FLUSH();
    if (s->fuel_enabled && s->fuel < 0) {
        s->fuel = 0;
        TRAP(AW_TRAP_OUT_OF_FUEL);
    }
    if (atomic_load_explicit(&s->interrupt, memory_order_relaxed) && wasm_store_deadline_passed(s))
        TRAP(AW_TRAP_INTERRUPTED);
    /* AW_TIER_AUTO counts interpreted work here, off the hot path. */
    if (UNLIKELY(inst->module->tierup != NULL) && inst->tier == WASM_TIER_INTERP)
        wasm_tierup_tick(inst, QUANTUM);
    REFILL();
    NEXT(2);

    /* ---- control ---- */
L_UNREACHABLE:
    TRAP(AW_TRAP_UNREACHABLE);
L_NOP:
    NEXT(1);
L_BR:
    ip = ip[1].target;
    DISPATCH;
L_BR_IF:
    if (SL(1).i32) {
        ip = ip[2].target;
        DISPATCH;
    }
    NEXT(3);
L_BR_UNLESS:
    if (!SL(1).i32) {
        ip = ip[2].target;
        DISPATCH;
    }
    NEXT(3);
L_BRL:
    BACK_EDGE(ip[1].target);
L_BRL_IF:
    if (SL(1).i32) BACK_EDGE(ip[2].target);
    NEXT(3);
L_BRL_UNLESS:
    if (!SL(1).i32) BACK_EDGE(ip[2].target);
    NEXT(3);
L_BR_AND_Z:
    if (!(SL(1).i32 & (uint32_t)ip[2].u)) {
        ip = ip[3].target;
        DISPATCH;
    }
    NEXT(4);
L_BR_AND_NZ:
    if (SL(1).i32 & (uint32_t)ip[2].u) {
        ip = ip[3].target;
        DISPATCH;
    }
    NEXT(4);
L_BRL_AND_Z:
    if (!(SL(1).i32 & (uint32_t)ip[2].u)) BACK_EDGE(ip[3].target);
    NEXT(4);
L_BRL_AND_NZ:
    if (SL(1).i32 & (uint32_t)ip[2].u) BACK_EDGE(ip[3].target);
    NEXT(4);
L_BR_TABLE : {
    uint32_t i = SL(1).i32;
    uint64_t n = ip[2].u;
    ip = ip[3 + (i < n ? i : n)].target;
    DISPATCH;
}

    /* ---- data movement ---- */
L_COPY:
    SL(1) = SL(2);
    NEXT(3);
L_COPYCOPY:
    SL(1) = SL(2);
    SL(3) = SL(4);
    NEXT(5);
L_COPY2:
    memmove(SLP(1), SLP(2), 16); /* v128 copies may overlap by one slot */
    NEXT(3);
L_CONST:
    SL(1).i64 = ip[2].u;
    NEXT(3);
L_ZERO:
    memset(SLP(1), 0, ip[2].u * sizeof(wasm_slot));
    NEXT(3);
L_CONST2:
    SLP(1)[0].i64 = ip[2].u;
    SLP(1)[1].i64 = ip[3].u;
    NEXT(4);
L_SELECT:
    SL(1) = SL(4).i32 ? SL(2) : SL(3);
    NEXT(5);
L_SELECT2:
    memmove(SLP(1), SL(4).i32 ? SLP(2) : SLP(3), 16);
    NEXT(5);
L_GLOBAL_GET:
    SL(1) = globals[ip[2].u]->value[0];
    NEXT(3);
L_GLOBAL_SET:
    globals[ip[1].u]->value[0] = SL(2);
    NEXT(3);
L_GLOBAL_GET2:
    memcpy(SLP(1), globals[ip[2].u]->value, 16);
    NEXT(3);
L_GLOBAL_SET2:
    memcpy(globals[ip[1].u]->value, SLP(2), 16);
    NEXT(3);

    /* ---- integer ALU ---- */
#define IALU(NAME, W, EXPR)                                                                        \
    L_##NAME : {                                                                                   \
        uint##W##_t a = (uint##W##_t)SL(2).i64, b = (uint##W##_t)SL(3).i64;                        \
        SL(1).i64 = (uint##W##_t)(EXPR);                                                           \
        NEXT(4);                                                                                   \
    }                                                                                              \
    L_##NAME##_I : {                                                                               \
        uint##W##_t a = (uint##W##_t)SL(2).i64, b = (uint##W##_t)ip[3].u;                          \
        SL(1).i64 = (uint##W##_t)(EXPR);                                                           \
        NEXT(4);                                                                                   \
    }
    IALU(I32_ADD, 32, a + b)
    IALU(I32_SUB, 32, a - b)
    IALU(I32_MUL, 32, a * b)
    IALU(I32_AND, 32, a & b)
    IALU(I32_OR, 32, a | b)
    IALU(I32_XOR, 32, a ^ b)
    IALU(I32_SHL, 32, a << (b & 31))
    IALU(I32_SHR_S, 32, (uint32_t)((int32_t)a >> (b & 31)))
    IALU(I32_SHR_U, 32, a >> (b & 31))
    IALU(I32_ROTL, 32, rotl32(a, b))
    IALU(I32_ROTR, 32, rotr32(a, b))
    IALU(I64_ADD, 64, a + b)
    IALU(I64_SUB, 64, a - b)
    IALU(I64_MUL, 64, a * b)
    IALU(I64_AND, 64, a & b)
    IALU(I64_OR, 64, a | b)
    IALU(I64_XOR, 64, a ^ b)
    IALU(I64_SHL, 64, a << (b & 63))
    IALU(I64_SHR_S, 64, (uint64_t)((int64_t)a >> (b & 63)))
    IALU(I64_SHR_U, 64, a >> (b & 63))
    IALU(I64_ROTL, 64, rotl64(a, b))
    IALU(I64_ROTR, 64, rotr64(a, b))

#define ICMP(NAME, T, OP)                                                                          \
    L_##NAME : {                                                                                   \
        T a = (T)SL(2).i64, b = (T)SL(3).i64;                                                      \
        SL(1).i64 = a OP b;                                                                        \
        NEXT(4);                                                                                   \
    }                                                                                              \
    L_##NAME##_I : {                                                                               \
        T a = (T)SL(2).i64, b = (T)ip[3].u;                                                        \
        SL(1).i64 = a OP b;                                                                        \
        NEXT(4);                                                                                   \
    }                                                                                              \
    L_BR_##NAME : {                                                                                \
        T a = (T)SL(1).i64, b = (T)SL(2).i64;                                                      \
        if (a OP b) {                                                                              \
            ip = ip[3].target;                                                                     \
            DISPATCH;                                                                              \
        }                                                                                          \
        NEXT(4);                                                                                   \
    }                                                                                              \
    L_BR_##NAME##_I : {                                                                            \
        T a = (T)SL(1).i64, b = (T)ip[2].u;                                                        \
        if (a OP b) {                                                                              \
            ip = ip[3].target;                                                                     \
            DISPATCH;                                                                              \
        }                                                                                          \
        NEXT(4);                                                                                   \
    }                                                                                              \
    L_BRL_##NAME : {                                                                               \
        T a = (T)SL(1).i64, b = (T)SL(2).i64;                                                      \
        if (a OP b) BACK_EDGE(ip[3].target);                                                       \
        NEXT(4);                                                                                   \
    }                                                                                              \
    L_BRL_##NAME##_I : {                                                                           \
        T a = (T)SL(1).i64, b = (T)ip[2].u;                                                        \
        if (a OP b) BACK_EDGE(ip[3].target);                                                       \
        NEXT(4);                                                                                   \
    }
    ICMP(I32_EQ, uint32_t, ==)
    ICMP(I32_NE, uint32_t, !=)
    ICMP(I32_LT_S, int32_t, <)
    ICMP(I32_LT_U, uint32_t, <)
    ICMP(I32_GT_S, int32_t, >)
    ICMP(I32_GT_U, uint32_t, >)
    ICMP(I32_LE_S, int32_t, <=)
    ICMP(I32_LE_U, uint32_t, <=)
    ICMP(I32_GE_S, int32_t, >=)
    ICMP(I32_GE_U, uint32_t, >=)
    ICMP(I64_EQ, uint64_t, ==)
    ICMP(I64_NE, uint64_t, !=)
    ICMP(I64_LT_S, int64_t, <)
    ICMP(I64_LT_U, uint64_t, <)
    ICMP(I64_GT_S, int64_t, >)
    ICMP(I64_GT_U, uint64_t, >)
    ICMP(I64_LE_S, int64_t, <=)
    ICMP(I64_LE_U, uint64_t, <=)
    ICMP(I64_GE_S, int64_t, >=)
    ICMP(I64_GE_U, uint64_t, >=)

    /* ---- other numeric ops: d, a[, b] ---- */
#define UN(NAME, GET, PUT, EXPR)                                                                   \
    L_##NAME : {                                                                                   \
        __typeof__(SL(2).GET) a = SL(2).GET;                                                       \
        PUT_##PUT(1, EXPR);                                                                        \
        NEXT(3);                                                                                   \
    }
#define BIN(NAME, GET, PUT, EXPR)                                                                  \
    L_##NAME : {                                                                                   \
        __typeof__(SL(2).GET) a = SL(2).GET, b = SL(3).GET;                                        \
        PUT_##PUT(1, EXPR);                                                                        \
        NEXT(4);                                                                                   \
    }
    UN(I32_EQZ, i32, i32, a == 0)
    UN(I64_EQZ, i64, i32, a == 0)
    UN(I32_CLZ, i32, i32, a ? __builtin_clz(a) : 32)
    UN(I32_CTZ, i32, i32, a ? __builtin_ctz(a) : 32)
    UN(I32_POPCNT, i32, i32, __builtin_popcount(a))
    UN(I64_CLZ, i64, i64, a ? __builtin_clzll(a) : 64)
    UN(I64_CTZ, i64, i64, a ? __builtin_ctzll(a) : 64)
    UN(I64_POPCNT, i64, i64, __builtin_popcountll(a))

L_I32_DIV_S : {
    int32_t a = (int32_t)SL(2).i32, b = (int32_t)SL(3).i32;
    if (UNLIKELY(b == 0)) TRAP(AW_TRAP_DIV_ZERO);
    if (UNLIKELY(a == INT32_MIN && b == -1)) TRAP(AW_TRAP_INT_OVERFLOW);
    PUT_i32(1, a / b);
    NEXT(4);
}
L_I32_DIV_U : {
    uint32_t a = SL(2).i32, b = SL(3).i32;
    if (UNLIKELY(b == 0)) TRAP(AW_TRAP_DIV_ZERO);
    PUT_i32(1, a / b);
    NEXT(4);
}
L_I32_REM_S : {
    int32_t a = (int32_t)SL(2).i32, b = (int32_t)SL(3).i32;
    if (UNLIKELY(b == 0)) TRAP(AW_TRAP_DIV_ZERO);
    PUT_i32(1, b == -1 ? 0 : a % b);
    NEXT(4);
}
L_I32_REM_U : {
    uint32_t a = SL(2).i32, b = SL(3).i32;
    if (UNLIKELY(b == 0)) TRAP(AW_TRAP_DIV_ZERO);
    PUT_i32(1, a % b);
    NEXT(4);
}
L_I64_DIV_S : {
    int64_t a = (int64_t)SL(2).i64, b = (int64_t)SL(3).i64;
    if (UNLIKELY(b == 0)) TRAP(AW_TRAP_DIV_ZERO);
    if (UNLIKELY(a == INT64_MIN && b == -1)) TRAP(AW_TRAP_INT_OVERFLOW);
    PUT_i64(1, a / b);
    NEXT(4);
}
L_I64_DIV_U : {
    uint64_t a = SL(2).i64, b = SL(3).i64;
    if (UNLIKELY(b == 0)) TRAP(AW_TRAP_DIV_ZERO);
    PUT_i64(1, a / b);
    NEXT(4);
}
L_I64_REM_S : {
    int64_t a = (int64_t)SL(2).i64, b = (int64_t)SL(3).i64;
    if (UNLIKELY(b == 0)) TRAP(AW_TRAP_DIV_ZERO);
    PUT_i64(1, b == -1 ? 0 : a % b);
    NEXT(4);
}
L_I64_REM_U : {
    uint64_t a = SL(2).i64, b = SL(3).i64;
    if (UNLIKELY(b == 0)) TRAP(AW_TRAP_DIV_ZERO);
    PUT_i64(1, a % b);
    NEXT(4);
}

#define BIN_F32K(NAME, PUT, EXPR)                                                                  \
    L_##NAME##_I : {                                                                               \
        float a = SL(2).f32, b = bits_f32((uint32_t)ip[3].u);                                      \
        PUT_##PUT(1, EXPR);                                                                        \
        NEXT(4);                                                                                   \
    }
#define BIN_F64K(NAME, PUT, EXPR)                                                                  \
    L_##NAME##_I : {                                                                               \
        double a = SL(2).f64, b = bits_f64(ip[3].u);                                               \
        PUT_##PUT(1, EXPR);                                                                        \
        NEXT(4);                                                                                   \
    }
    BIN_F32K(F32_ADD, f32, a + b)
    BIN_F32K(F32_SUB, f32, a - b)
    BIN_F32K(F32_MUL, f32, a * b)
    BIN_F32K(F32_DIV, f32, a / b)
    BIN_F32K(F32_EQ, i32, a == b)
    BIN_F32K(F32_NE, i32, a != b)
    BIN_F32K(F32_LT, i32, a < b)
    BIN_F32K(F32_GT, i32, a > b)
    BIN_F32K(F32_LE, i32, a <= b)
    BIN_F32K(F32_GE, i32, a >= b)
    BIN_F64K(F64_ADD, f64, a + b)
    BIN_F64K(F64_SUB, f64, a - b)
    BIN_F64K(F64_MUL, f64, a * b)
    BIN_F64K(F64_DIV, f64, a / b)
    BIN_F64K(F64_EQ, i32, a == b)
    BIN_F64K(F64_NE, i32, a != b)
    BIN_F64K(F64_LT, i32, a < b)
    BIN_F64K(F64_GT, i32, a > b)
    BIN_F64K(F64_LE, i32, a <= b)
    BIN_F64K(F64_GE, i32, a >= b)

    BIN(F32_EQ, f32, i32, a == b)
    BIN(F32_NE, f32, i32, a != b)
    BIN(F32_LT, f32, i32, a < b)
    BIN(F32_GT, f32, i32, a > b)
    BIN(F32_LE, f32, i32, a <= b)
    BIN(F32_GE, f32, i32, a >= b)
    BIN(F64_EQ, f64, i32, a == b)
    BIN(F64_NE, f64, i32, a != b)
    BIN(F64_LT, f64, i32, a < b)
    BIN(F64_GT, f64, i32, a > b)
    BIN(F64_LE, f64, i32, a <= b)
    BIN(F64_GE, f64, i32, a >= b)

    /* abs, neg, copysign work on the bits: NaN payloads pass through.
     * Rounding (fround.h) quiets a NaN, as the spec wants. */
    UN(F32_ABS, i32, i32, a & 0x7FFFFFFFu)
    UN(F32_NEG, i32, i32, a ^ 0x80000000u)
    UN(F32_CEIL, f32, f32, wasm_ceil_f32(a))
    UN(F32_FLOOR, f32, f32, wasm_floor_f32(a))
    UN(F32_TRUNC, f32, f32, wasm_trunc_f32(a))
    UN(F32_NEAREST, f32, f32, wasm_nearest_f32(a))
    UN(F32_SQRT, f32, f32, __builtin_sqrtf(a))
    BIN(F32_ADD, f32, f32, a + b)
    BIN(F32_SUB, f32, f32, a - b)
    BIN(F32_MUL, f32, f32, a * b)
    BIN(F32_DIV, f32, f32, a / b)
    BIN(F32_MIN, f32, f32, f32_min(a, b))
    BIN(F32_MAX, f32, f32, f32_max(a, b))
    BIN(F32_COPYSIGN, i32, i32, (a & 0x7FFFFFFFu) | (b & 0x80000000u))
    UN(F64_ABS, i64, i64, a & 0x7FFFFFFFFFFFFFFFull)
    UN(F64_NEG, i64, i64, a ^ 0x8000000000000000ull)
    UN(F64_CEIL, f64, f64, wasm_ceil_f64(a))
    UN(F64_FLOOR, f64, f64, wasm_floor_f64(a))
    UN(F64_TRUNC, f64, f64, wasm_trunc_f64(a))
    UN(F64_NEAREST, f64, f64, wasm_nearest_f64(a))
    UN(F64_SQRT, f64, f64, __builtin_sqrt(a))
    BIN(F64_ADD, f64, f64, a + b)
    BIN(F64_SUB, f64, f64, a - b)
    BIN(F64_MUL, f64, f64, a * b)
    BIN(F64_DIV, f64, f64, a / b)
    BIN(F64_MIN, f64, f64, f64_min(a, b))
    BIN(F64_MAX, f64, f64, f64_max(a, b))
    BIN(F64_COPYSIGN, i64, i64, (a & 0x7FFFFFFFFFFFFFFFull) | (b & 0x8000000000000000ull))

    UN(I32_WRAP_I64, i64, i32, (uint32_t)a)
    UN(I64_EXTEND_I32_S, i32, i64, (int64_t)(int32_t)a)
    UN(I64_EXTEND_I32_U, i32, i64, (uint64_t)a)
    UN(F32_CONVERT_I32_S, i32, f32, (float)(int32_t)a)
    UN(F32_CONVERT_I32_U, i32, f32, (float)a)
    UN(F32_CONVERT_I64_S, i64, f32, (float)(int64_t)a)
    UN(F32_CONVERT_I64_U, i64, f32, (float)a)
    UN(F32_DEMOTE_F64, f64, f32, (float)a)
    UN(F64_CONVERT_I32_S, i32, f64, (double)(int32_t)a)
    UN(F64_CONVERT_I32_U, i32, f64, (double)a)
    UN(F64_CONVERT_I64_S, i64, f64, (double)(int64_t)a)
    UN(F64_CONVERT_I64_U, i64, f64, (double)a)
    UN(F64_PROMOTE_F32, f32, f64, (double)a)
    UN(I32_EXTEND8_S, i32, i32, (int32_t)(int8_t)a)
    UN(I32_EXTEND16_S, i32, i32, (int32_t)(int16_t)a)
    UN(I64_EXTEND8_S, i64, i64, (int64_t)(int8_t)a)
    UN(I64_EXTEND16_S, i64, i64, (int64_t)(int16_t)a)
    UN(I64_EXTEND32_S, i64, i64, (int64_t)(int32_t)a)
    UN(I32_TRUNC_SAT_F32_S, f32, i32, sat_i32(a))
    UN(I32_TRUNC_SAT_F32_U, f32, i32, sat_u32(a))
    UN(I32_TRUNC_SAT_F64_S, f64, i32, sat_i32(a))
    UN(I32_TRUNC_SAT_F64_U, f64, i32, sat_u32(a))
    UN(I64_TRUNC_SAT_F32_S, f32, i64, sat_i64(a))
    UN(I64_TRUNC_SAT_F32_U, f32, i64, sat_u64(a))
    UN(I64_TRUNC_SAT_F64_S, f64, i64, sat_i64(a))
    UN(I64_TRUNC_SAT_F64_U, f64, i64, sat_u64(a))

    /* Trapping truncations: valid iff lo < x < hi (x widened to double,
     * exactly); NaN is an invalid conversion, the rest an overflow. */
#define TRUNC(NAME, GET, PUT, CT, LO, HI)                                                          \
    L_##NAME : {                                                                                   \
        double x = SL(2).GET;                                                                      \
        if (UNLIKELY(x != x)) TRAP(AW_TRAP_INVALID_CONVERSION);                                    \
        if (UNLIKELY(!(x > (LO) && x < (HI)))) TRAP(AW_TRAP_INT_OVERFLOW);                         \
        PUT_##PUT(1, (CT)x);                                                                       \
        NEXT(3);                                                                                   \
    }
    TRUNC(I32_TRUNC_F32_S, f32, i32, int32_t, -2147483649.0, 2147483648.0)
    TRUNC(I32_TRUNC_F64_S, f64, i32, int32_t, -2147483649.0, 2147483648.0)
    TRUNC(I32_TRUNC_F32_U, f32, i32, uint32_t, -1.0, 4294967296.0)
    TRUNC(I32_TRUNC_F64_U, f64, i32, uint32_t, -1.0, 4294967296.0)
    TRUNC(I64_TRUNC_F32_S, f32, i64, int64_t, -9223372036854777856.0, 9223372036854775808.0)
    TRUNC(I64_TRUNC_F64_S, f64, i64, int64_t, -9223372036854777856.0, 9223372036854775808.0)
    TRUNC(I64_TRUNC_F32_U, f32, i64, uint64_t, -1.0, 18446744073709551616.0)
    TRUNC(I64_TRUNC_F64_U, f64, i64, uint64_t, -1.0, 18446744073709551616.0)

    /* ---- memory ---- */
#define LOAD_AT(CT, PUT, N, EAV, W)                                                                \
    {                                                                                              \
        uint64_t ea = (EAV);                                                                       \
        if (UNLIKELY(ea + (N) > mem_size)) TRAP(AW_TRAP_MEMORY_OOB);                               \
        CT v;                                                                                      \
        memcpy(&v, mem_base + ea, N);                                                              \
        PUT_##PUT(1, v);                                                                           \
        NEXT(W);                                                                                   \
    }
#define LOAD(NAME, CT, PUT, N)                                                                     \
    L_##NAME : LOAD_AT(CT, PUT, N, (uint64_t)SL(2).i32 + ip[3].u, 4)                               \
    L_##NAME##_RR : LOAD_AT(CT, PUT, N, (uint64_t)(uint32_t)(SL(2).i32 + SL(3).i32) + ip[4].u, 5)  \
    L_##NAME##_RI : LOAD_AT(CT, PUT, N, (uint64_t)(uint32_t)(SL(2).i32 + (uint32_t)ip[3].u) + ip[4].u, 5)
#define STORE(NAME, CT, N)                                                                         \
    L_##NAME : {                                                                                   \
        EA(1, 3, N);                                                                               \
        CT v = (CT)SL(2).i64;                                                                      \
        memcpy(mem_base + ea, &v, N);                                                              \
        NEXT(4);                                                                                   \
    }
    LOAD(I32_LOAD, uint32_t, i32, 4)
    LOAD(I64_LOAD, uint64_t, i64, 8)
    LOAD(F32_LOAD, uint32_t, i32, 4)
    LOAD(F64_LOAD, uint64_t, i64, 8)
    LOAD(I32_LOAD8_S, int8_t, i32, 1)
    LOAD(I32_LOAD8_U, uint8_t, i32, 1)
    LOAD(I32_LOAD16_S, int16_t, i32, 2)
    LOAD(I32_LOAD16_U, uint16_t, i32, 2)
    LOAD(I64_LOAD8_S, int8_t, i64, 1)
    LOAD(I64_LOAD8_U, uint8_t, i64, 1)
    LOAD(I64_LOAD16_S, int16_t, i64, 2)
    LOAD(I64_LOAD16_U, uint16_t, i64, 2)
    LOAD(I64_LOAD32_S, int32_t, i64, 4)
    LOAD(I64_LOAD32_U, uint32_t, i64, 4)
    STORE(I32_STORE, uint32_t, 4)
    STORE(I64_STORE, uint64_t, 8)
    STORE(F32_STORE, uint32_t, 4)
    STORE(F64_STORE, uint64_t, 8)
    STORE(I32_STORE8, uint8_t, 1)
    STORE(I32_STORE16, uint16_t, 2)
    STORE(I64_STORE8, uint8_t, 1)
    STORE(I64_STORE16, uint16_t, 2)
    STORE(I64_STORE32, uint32_t, 4)

L_MEMORY_SIZE:
    PUT_i32(1, mem0->pages);
    NEXT(2);
L_MEMORY_GROW : {
    int64_t r = wasm_memory_grow(mem0, SL(2).i32);
    LOAD_MEM();
    PUT_i32(1, (uint32_t)(int32_t)r);
    NEXT(3);
}
L_MEMORY_INIT : {
    uint32_t d = SL(1).i32, src = SL(2).i32, n = SL(3).i32, idx = (uint32_t)ip[4].u;
    if (UNLIKELY((uint64_t)src + n > inst->data_len[idx] || (uint64_t)d + n > mem_size))
        TRAP(AW_TRAP_MEMORY_OOB);
    if (n) memcpy(mem_base + d, inst->module->datas[idx].bytes + src, n);
    NEXT(5);
}
L_DATA_DROP:
    inst->data_len[ip[1].u] = 0;
    NEXT(2);
L_MEMORY_COPY : {
    uint32_t d = SL(1).i32, src = SL(2).i32, n = SL(3).i32;
    if (UNLIKELY((uint64_t)src + n > mem_size || (uint64_t)d + n > mem_size))
        TRAP(AW_TRAP_MEMORY_OOB);
    if (n) memmove(mem_base + d, mem_base + src, n);
    NEXT(4);
}
L_MEMORY_FILL : {
    uint32_t d = SL(1).i32, v = SL(2).i32, n = SL(3).i32;
    if (UNLIKELY((uint64_t)d + n > mem_size)) TRAP(AW_TRAP_MEMORY_OOB);
    if (n) memset(mem_base + d, (int)(uint8_t)v, n);
    NEXT(4);
}

    /* ---- tables and references ---- */
L_TABLE_GET : {
    aw_table *tab = inst->tables[ip[2].u];
    uint32_t i = SL(3).i32;
    if (UNLIKELY(i >= tab->size)) TRAP(AW_TRAP_TABLE_OOB);
    SL(1).ref = tab->elems[i];
    NEXT(4);
}
L_TABLE_SET : {
    aw_table *tab = inst->tables[ip[1].u];
    uint32_t i = SL(2).i32;
    if (UNLIKELY(i >= tab->size)) TRAP(AW_TRAP_TABLE_OOB);
    tab->elems[i] = SL(3).ref;
    NEXT(4);
}
L_TABLE_SIZE:
    PUT_i32(1, inst->tables[ip[2].u]->size);
    NEXT(3);
L_TABLE_GROW : {
    void *init = SL(3).ref;
    int64_t r = wasm_table_grow(inst->tables[ip[2].u], SL(4).i32, init);
    PUT_i32(1, (uint32_t)(int32_t)r);
    NEXT(5);
}
L_TABLE_FILL : {
    aw_table *tab = inst->tables[ip[1].u];
    uint32_t i = SL(2).i32, n = SL(4).i32;
    void *v = SL(3).ref;
    if (UNLIKELY((uint64_t)i + n > tab->size)) TRAP(AW_TRAP_TABLE_OOB);
    for (uint32_t k = 0; k < n; k++) tab->elems[i + k] = v;
    NEXT(5);
}
L_TABLE_COPY : {
    aw_table *dt = inst->tables[ip[1].u], *st = inst->tables[ip[2].u];
    uint32_t d = SL(3).i32, src = SL(4).i32, n = SL(5).i32;
    if (UNLIKELY((uint64_t)src + n > st->size || (uint64_t)d + n > dt->size))
        TRAP(AW_TRAP_TABLE_OOB);
    if (n) memmove(dt->elems + d, st->elems + src, n * sizeof(void *));
    NEXT(6);
}
L_TABLE_INIT : {
    aw_table *tab = inst->tables[ip[1].u];
    wasm_elem_rt *e = &inst->elems[ip[2].u];
    uint32_t d = SL(3).i32, src = SL(4).i32, n = SL(5).i32;
    if (UNLIKELY((uint64_t)src + n > e->len || (uint64_t)d + n > tab->size))
        TRAP(AW_TRAP_TABLE_OOB);
    if (n) memcpy(tab->elems + d, e->items + src, n * sizeof(void *));
    NEXT(6);
}
L_ELEM_DROP:
    inst->elems[ip[1].u].len = 0;
    NEXT(2);
L_REF_IS_NULL:
    PUT_i32(1, SL(2).ref == NULL);
    NEXT(3);
L_REF_FUNC:
    SL(1).ref = funcs[ip[2].u];
    NEXT(3);

    /* ---- division by a constant (never 0, never -1 when signed) ---- */
#define DIVK(NAME, T, OP)                                                                          \
    L_##NAME##_I : {                                                                               \
        T a = (T)SL(2).i64, b = (T)ip[3].u;                                                        \
        SL(1).i64 = (sizeof(T) == 4 ? (uint64_t)(uint32_t)(a OP b) : (uint64_t)(a OP b));          \
        NEXT(4);                                                                                   \
    }
    DIVK(I32_DIV_S, int32_t, /)
    DIVK(I32_DIV_U, uint32_t, /)
    DIVK(I32_REM_S, int32_t, %)
    DIVK(I32_REM_U, uint32_t, %)
    DIVK(I64_DIV_S, int64_t, /)
    DIVK(I64_DIV_U, uint64_t, /)
    DIVK(I64_REM_S, int64_t, %)
    DIVK(I64_REM_U, uint64_t, %)

    /* ---- common SIMD ops inline (same results as simd.c's) ---- */
#define VBIN(NAME, VT, EXPR)                                                                       \
    L_V_##NAME : {                                                                                 \
        VT a, b, r;                                                                                \
        memcpy(&a, SLP(2), 16);                                                                    \
        memcpy(&b, SLP(3), 16);                                                                    \
        r = (EXPR);                                                                                \
        memcpy(SLP(1), &r, 16);                                                                    \
        NEXT(4);                                                                                   \
    }
    VBIN(F64X2_ADD, v2f64, a + b)
    VBIN(F64X2_SUB, v2f64, a - b)
    VBIN(F64X2_MUL, v2f64, a * b)
    VBIN(F64X2_DIV, v2f64, a / b)
    VBIN(F32X4_ADD, v4f32, a + b)
    VBIN(F32X4_SUB, v4f32, a - b)
    VBIN(F32X4_MUL, v4f32, a * b)
    VBIN(F32X4_DIV, v4f32, a / b)
    VBIN(I64X2_ADD, v2u64, a + b)
    VBIN(I64X2_SUB, v2u64, a - b)
    VBIN(I32X4_ADD, v4u32, a + b)
    VBIN(I32X4_SUB, v4u32, a - b)
    VBIN(I32X4_MUL, v4u32, a * b)
    VBIN(I16X8_ADD, v8u16, a + b)
    VBIN(I16X8_SUB, v8u16, a - b)
    VBIN(I16X8_MUL, v8u16, a * b)
    VBIN(I8X16_ADD, v16u8, a + b)
    VBIN(I8X16_SUB, v16u8, a - b)
    VBIN(V128_AND, v2u64, a & b)
    VBIN(V128_OR, v2u64, a | b)
    VBIN(V128_XOR, v2u64, a ^ b)
    VBIN(V128_ANDNOT, v2u64, a & ~b)

#define VSHIFT(NAME, VT, MASK, OP)                                                                 \
    L_V_##NAME : {                                                                                 \
        VT a;                                                                                      \
        memcpy(&a, SLP(2), 16);                                                                    \
        a = a OP(int)(SL(3).i32 & (MASK));                                                         \
        memcpy(SLP(1), &a, 16);                                                                    \
        NEXT(4);                                                                                   \
    }
    VSHIFT(I32X4_SHL, v4u32, 31, <<)
    VSHIFT(I32X4_SHR_S, v4i32, 31, >>)
    VSHIFT(I32X4_SHR_U, v4u32, 31, >>)
    VSHIFT(I64X2_SHL, v2u64, 63, <<)
    VSHIFT(I64X2_SHR_S, v2i64, 63, >>)
    VSHIFT(I64X2_SHR_U, v2u64, 63, >>)
L_V_I32X4_EXTRACT_LANE:
L_V_F32X4_EXTRACT_LANE : {
    uint32_t v;
    memcpy(&v, (char *)SLP(2) + 4 * ip[3].u, 4);
    SL(1).i64 = v;
    NEXT(4);
}
L_V_I64X2_EXTRACT_LANE:
L_V_F64X2_EXTRACT_LANE:
    SL(1) = SLP(2)[ip[3].u];
    NEXT(4);
L_V_I32X4_SPLAT:
L_V_F32X4_SPLAT : {
    uint64_t v = (uint32_t)SL(2).i64;
    v |= v << 32;
    SLP(1)[0].i64 = v, SLP(1)[1].i64 = v;
    NEXT(3);
}
L_V_I64X2_SPLAT:
L_V_F64X2_SPLAT : {
    wasm_slot v = SL(2);
    SLP(1)[0] = v, SLP(1)[1] = v;
    NEXT(3);
}

    /* ---- SIMD: semantics in simd.c ---- */
L_SIMD:
    ((wasm_simd_fn)ip[5].p)(SLP(1), SLP(2), SLP(3), SLP(4), ip[6].p);
    NEXT(7);
L_V128_LOAD : {
    EA(2, 3, 16);
    memcpy(SLP(1), mem_base + ea, 16);
    NEXT(4);
}
L_V128_LOAD_RR : {
    uint64_t ea = (uint64_t)(uint32_t)(SL(2).i32 + SL(3).i32) + ip[4].u;
    if (UNLIKELY(ea + 16 > mem_size)) TRAP(AW_TRAP_MEMORY_OOB);
    memcpy(SLP(1), mem_base + ea, 16);
    NEXT(5);
}
L_V128_LOAD_RI : {
    uint64_t ea = (uint64_t)(uint32_t)(SL(2).i32 + (uint32_t)ip[3].u) + ip[4].u;
    if (UNLIKELY(ea + 16 > mem_size)) TRAP(AW_TRAP_MEMORY_OOB);
    memcpy(SLP(1), mem_base + ea, 16);
    NEXT(5);
}
L_V128_LOADX : {
    EA(2, 3, ip[5].u);
    ((wasm_simd_load_fn)ip[4].p)(SLP(1), mem_base + ea, SLP(6), (uint32_t)ip[7].u);
    NEXT(8);
}
L_V128_STORE : {
    EA(1, 3, 16);
    memcpy(mem_base + ea, SLP(2), 16);
    NEXT(4);
}
L_V128_STORE_LANE : {
    EA(1, 3, ip[4].u);
    memcpy(mem_base + ea, (char *)SLP(2) + ip[5].u, ip[4].u);
    NEXT(6);
}

    /* ---- xor with a shifted value (compile.c's xor_fused) ---- */
#define XORSH(NAME, W, EXPR)                                                                       \
    L_##NAME : {                                                                                   \
        uint##W##_t a = (uint##W##_t)SL(2).i64, x = (uint##W##_t)SL(3).i64, b = (uint##W##_t)ip[4].u; \
        SL(1).i64 = (uint##W##_t)(a ^ (EXPR));                                                     \
        NEXT(5);                                                                                   \
    }
    XORSH(XOR_ROTL32, 32, rotl32(x, b))
    XORSH(XOR_SHRU32, 32, x >> (b & 31))
    XORSH(XOR_SHL32, 32, x << (b & 31))
    XORSH(XOR_ROTL64, 64, rotl64(x, b))
    XORSH(XOR_SHRU64, 64, x >> (b & 63))
    XORSH(XOR_SHL64, 64, x << (b & 63))

trapped : {
    /* ip is in the current function, of the current instance's module */
    const wasm_fn *fn = inst ? wasm_fn_at(inst->module, ip) : NULL;
    uint32_t fidx = fn ? fn->func_index : f->index;
    uint64_t off = fn ? wasm_fn_trap_offset(fn, (uint32_t)(ip - fn->code)) : UINT64_MAX;
    wasm_trap(err, trap, fidx, off);
    result = AW_ERR_TRAP;
}
out:
    FLUSH();
    s->depth = entry_depth;
    return result;
}

/* Written once under handlers_once, read-only afterwards. */
static const void *handlers[IOP_COUNT];
static pthread_once_t handlers_once = PTHREAD_ONCE_INIT;

static void fill_handlers(void) { run(NULL, NULL, NULL, NULL, NULL, handlers); }

const void *const *wasm_interp_handlers(void) {
    pthread_once(&handlers_once, fill_handlers);
    return handlers;
}

aw_errkind wasm_interp_call(aw_store *s, aw_func *f, wasm_slot *args_results, aw_error *err) {
    const wasm_functype *t = f->type;
    if (f->host) {
        if (s->depth >= s->config.max_call_depth) {
            wasm_trap(err, AW_TRAP_STACK_EXHAUSTED, f->index, UINT64_MAX);
            return AW_ERR_TRAP;
        }
        aw_caller c = {s, NULL, err};
        s->depth++;
        int rc = f->host(&c, (uint64_t *)args_results, f->host_data);
        s->depth--;
        if (!rc) return AW_OK;
        if (err->kind == AW_OK) wasm_trap(err, AW_TRAP_HOST, f->index, UINT64_MAX);
        return err->kind;
    }
    wasm_slot *base = s->stack_top ? s->stack_top : s->stack;
    wasm_frame *fsp = s->frames_bottom ? (wasm_frame *)s->frames_bottom : (wasm_frame *)s->stack_end;
    uint32_t n = t->param_slots > t->result_slots ? t->param_slots : t->result_slots;
    if (!f->code || (char *)(base + n) > (char *)fsp) {
        wasm_trap(err, AW_TRAP_STACK_EXHAUSTED, f->index, UINT64_MAX);
        return AW_ERR_TRAP;
    }
    memcpy(base, args_results, t->param_slots * sizeof *base);
    aw_errkind r = run(s, f, base, fsp, err, NULL);
    if (r == AW_OK) memcpy(args_results, base, t->result_slots * sizeof *base);
    return r;
}
