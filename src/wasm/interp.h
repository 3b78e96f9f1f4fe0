/*
 * interp.h — the interpreter's internal code (private to compile.c and
 * interp.c).
 *
 * THE IR. compile.c translates each validated body once into an array of
 * 8-byte words (wasm_code). An instruction is its handler's address (a
 * label inside interp.c's dispatch loop, reached by `goto *ip->h`) followed
 * by its operands, one word each:
 *   - slot operands are byte offsets from the frame pointer fp (pre-scaled,
 *     so a handler reads *(wasm_slot *)((char *)fp + ip[k].i));
 *   - immediates (constants, memory offsets, indices) are plain words;
 *   - branch targets are pointers to the target instruction.
 * Example: I32_ADD_I d, a, k  is 4 words: handler, d*8, a*8, k.
 *
 * THE FRAME. A function's frame is one array of 64-bit slots: its params,
 * then its declared locals, then its operand-stack slots ("homes": the
 * value at stack depth n lives in the n-th home). v128 takes two slots.
 * fn->nslots is the whole frame. The translator keeps an abstract stack,
 * so most values never visit their home: local.get pushes a reference to
 * the local's slot, constants are folded into immediate forms, results
 * are written straight into the local of a following local.set/tee, and
 * int compares feeding br_if/if become one compare-and-branch. At block
 * boundaries every live value is in its home ("canonical").
 *
 * CALLS. A call's arguments are materialised in consecutive homes; that
 * slot becomes the callee's fp, so params arrive in place; results come
 * back from slot 0 of the callee, which is the same place. Frame records
 * (return ip, caller fp, caller instance; a trap finds
 * its function from ip, wasm_fn_at) live on a separate
 * stack growing down from store->stack_end, so wasm-to-wasm calls never
 * recurse in C. A call traps AW_TRAP_STACK_EXHAUSTED when the callee's
 * frame would meet the frame records or the depth passes
 * config.max_call_depth.
 *
 * LOCALS. Declared locals are zeroed by a prologue after ENTER, and only
 * those that may be read before they are written (compile.c decides).
 *
 * LIMITS. ENTER (function entry) and LOOP (loop header) subtract the
 * number of wasm instructions up to the next check from a counter held in
 * a register; when it goes negative the slow path charges store->fuel and
 * reads the interrupt flag. A loop's back edges (BRL*, compare-and-branch
 * BRL_*) jump past the LOOP op to loop_pc + 2 and charge its fuel word
 * (target[-1]) themselves, saving a dispatch per iteration; when the
 * counter runs out they go to the LOOP op instead, which takes the slow
 * path.
 *
 * TRAPS. Every instruction that can trap has an entry in fn->traps
 * (position in code -> byte offset in the module), so a trap names the
 * function and the offset of the wasm instruction.
 */
#ifndef AW_WASM_INTERP_H
#define AW_WASM_INTERP_H

#include "wasm/runtime.h"

typedef union wasm_code {
    const void *h;
    int64_t i;
    uint64_t u;
    const union wasm_code *target;
    const void *p;
} wasm_code;

typedef struct wasm_trapsite {
    uint32_t pc;     /* word index of the instruction in fn->code */
    uint32_t offset; /* byte offset in the module */
} wasm_trapsite;

/* A translated function (aw_func.code, wasm_funcdef.code).
 *
 * LAZY TRANSLATION. A body is translated the first time it is called
 * (compile.c, wasm_compile_lazy): until then `code` points at the record's
 * own `stub`, whose words 0 and 2 (where ENTER and a call land) are the
 * LAZY op and words 1 and 3 point back at the record. LAZY translates,
 * checks the stack against the real frame size and enters the function.
 * A translation is published by storing `code` last (release); readers
 * load `code` first (acquire), after which the other fields are those of
 * the same translation. ncode is 0 while untranslated. */
typedef struct wasm_fn {
    wasm_code *code;
    uint32_t ncode;
    uint32_t func_index;
    uint32_t param_slots;
    uint32_t local_slots;  /* declared locals (the prologue zeroes those read before written) */
    uint32_t result_slots;
    uint32_t nslots;       /* the whole frame */
    uint32_t entry_fuel;   /* ENTER's charge, which calls make themselves */
    wasm_trapsite *traps;
    uint32_t ntraps;
    union wasm_code stub[4];
} wasm_fn;

/* fn's code as published (see LAZY TRANSLATION), and whether it is the stub. */
static inline const wasm_code *wasm_fn_code(const wasm_fn *fn) {
    return __atomic_load_n(&fn->code, __ATOMIC_ACQUIRE);
}
static inline bool wasm_fn_translated(const wasm_fn *fn, const wasm_code *code) { return code != fn->stub; }

/* A frame record (see CALLS). */
typedef struct wasm_frame {
    const wasm_code *ip;
    wasm_slot *fp;
    aw_instance *inst;
} wasm_frame;

/* Int compares, in wasm order (the translator relies on it for inversion). */
#define WASM_ICMP(X) \
    X(I32_EQ) X(I32_NE) X(I32_LT_S) X(I32_LT_U) X(I32_GT_S) X(I32_GT_U) \
    X(I32_LE_S) X(I32_LE_U) X(I32_GE_S) X(I32_GE_U) \
    X(I64_EQ) X(I64_NE) X(I64_LT_S) X(I64_LT_U) X(I64_GT_S) X(I64_GT_U) \
    X(I64_LE_S) X(I64_LE_U) X(I64_GE_S) X(I64_GE_U)

/* Int ALU ops that also have an immediate form NAME_I d, a, k. */
#define WASM_IALU(X) \
    X(I32_ADD) X(I32_SUB) X(I32_MUL) X(I32_AND) X(I32_OR) X(I32_XOR) \
    X(I32_SHL) X(I32_SHR_S) X(I32_SHR_U) X(I32_ROTL) X(I32_ROTR) \
    X(I64_ADD) X(I64_SUB) X(I64_MUL) X(I64_AND) X(I64_OR) X(I64_XOR) \
    X(I64_SHL) X(I64_SHR_S) X(I64_SHR_U) X(I64_ROTL) X(I64_ROTR)

/* Other numeric ops, operands d, a[, b]; the *T ones can trap. */
#define WASM_NUMOTHER(X) \
    X(I32_EQZ) X(I64_EQZ) X(I32_CLZ) X(I32_CTZ) X(I32_POPCNT) X(I64_CLZ) X(I64_CTZ) X(I64_POPCNT) \
    X(I32_DIV_S) X(I32_DIV_U) X(I32_REM_S) X(I32_REM_U) \
    X(I64_DIV_S) X(I64_DIV_U) X(I64_REM_S) X(I64_REM_U) \
    X(F32_EQ) X(F32_NE) X(F32_LT) X(F32_GT) X(F32_LE) X(F32_GE) \
    X(F64_EQ) X(F64_NE) X(F64_LT) X(F64_GT) X(F64_LE) X(F64_GE) \
    X(F32_ABS) X(F32_NEG) X(F32_CEIL) X(F32_FLOOR) X(F32_TRUNC) X(F32_NEAREST) X(F32_SQRT) \
    X(F32_ADD) X(F32_SUB) X(F32_MUL) X(F32_DIV) X(F32_MIN) X(F32_MAX) X(F32_COPYSIGN) \
    X(F64_ABS) X(F64_NEG) X(F64_CEIL) X(F64_FLOOR) X(F64_TRUNC) X(F64_NEAREST) X(F64_SQRT) \
    X(F64_ADD) X(F64_SUB) X(F64_MUL) X(F64_DIV) X(F64_MIN) X(F64_MAX) X(F64_COPYSIGN) \
    X(I32_WRAP_I64) X(I32_TRUNC_F32_S) X(I32_TRUNC_F32_U) X(I32_TRUNC_F64_S) X(I32_TRUNC_F64_U) \
    X(I64_EXTEND_I32_S) X(I64_EXTEND_I32_U) \
    X(I64_TRUNC_F32_S) X(I64_TRUNC_F32_U) X(I64_TRUNC_F64_S) X(I64_TRUNC_F64_U) \
    X(F32_CONVERT_I32_S) X(F32_CONVERT_I32_U) X(F32_CONVERT_I64_S) X(F32_CONVERT_I64_U) \
    X(F32_DEMOTE_F64) \
    X(F64_CONVERT_I32_S) X(F64_CONVERT_I32_U) X(F64_CONVERT_I64_S) X(F64_CONVERT_I64_U) \
    X(F64_PROMOTE_F32) \
    X(I32_EXTEND8_S) X(I32_EXTEND16_S) X(I64_EXTEND8_S) X(I64_EXTEND16_S) X(I64_EXTEND32_S)

/* The 0xFC-prefixed saturating truncations, d, a. */
#define WASM_NUMSAT(X) \
    X(I32_TRUNC_SAT_F32_S) X(I32_TRUNC_SAT_F32_U) X(I32_TRUNC_SAT_F64_S) X(I32_TRUNC_SAT_F64_U) \
    X(I64_TRUNC_SAT_F32_S) X(I64_TRUNC_SAT_F32_U) X(I64_TRUNC_SAT_F64_S) X(I64_TRUNC_SAT_F64_U)

/* Loads d, addr, offset; stores addr, value, offset. */
#define WASM_MEMOPS(X) \
    X(I32_LOAD) X(I64_LOAD) X(F32_LOAD) X(F64_LOAD) \
    X(I32_LOAD8_S) X(I32_LOAD8_U) X(I32_LOAD16_S) X(I32_LOAD16_U) \
    X(I64_LOAD8_S) X(I64_LOAD8_U) X(I64_LOAD16_S) X(I64_LOAD16_U) X(I64_LOAD32_S) X(I64_LOAD32_U) \
    X(I32_STORE) X(I64_STORE) X(F32_STORE) X(F64_STORE) \
    X(I32_STORE8) X(I32_STORE16) X(I64_STORE8) X(I64_STORE16) X(I64_STORE32)

/* Loads also have base + index forms NAME_RR d, a, b, offset and
 * NAME_RI d, a, k, offset: the address is (u32)(a + b) + offset, an
 * i32.add folded into the load (as is V128_LOAD). */
#define WASM_LOADOPS(X) \
    X(I32_LOAD) X(I64_LOAD) X(F32_LOAD) X(F64_LOAD) \
    X(I32_LOAD8_S) X(I32_LOAD8_U) X(I32_LOAD16_S) X(I32_LOAD16_U) \
    X(I64_LOAD8_S) X(I64_LOAD8_U) X(I64_LOAD16_S) X(I64_LOAD16_U) X(I64_LOAD32_S) X(I64_LOAD32_U) \
    X(V128_LOAD)

/* Everything else; operands in the comments. */
#define WASM_IOPS_MISC(X) \
    X(ENTER)          /* fuel */ \
    X(LAZY)           /* fn (see LAZY TRANSLATION) */ \
    X(LOOP)           /* fuel */ \
    X(EXIT)           /* (end of the outermost frame) */ \
    X(UNREACHABLE)    \
    X(NOP)            \
    X(BR)             /* target */ \
    X(BR_IF)          /* cond, target */ \
    X(BR_UNLESS)      /* cond, target */ \
    X(BR_TABLE)       /* index, n, target*(n+1) */ \
    X(BRL)            /* target: a loop's back edge (see LIMITS) */ \
    X(BRL_IF)         /* cond, target */ \
    X(BRL_UNLESS)     /* cond, target */ \
    X(XOR_ROTL32)     /* d, a, x, k: d = a ^ rotl(x, k) (i32) */ \
    X(XOR_SHRU32)     /* d, a, x, k: d = a ^ (x >> k) (i32) */ \
    X(XOR_SHL32)      /* d, a, x, k: d = a ^ (x << k) (i32) */ \
    X(XOR_ROTL64)     /* d, a, x, k (i64) */ \
    X(XOR_SHRU64)     /* d, a, x, k (i64) */ \
    X(XOR_SHL64)      /* d, a, x, k (i64) */ \
    X(BR_AND_Z)       /* a, k, target: branch if (a & k) == 0 */ \
    X(BR_AND_NZ)      /* a, k, target: branch if (a & k) != 0 */ \
    X(BRL_AND_Z)      /* a, k, target (back edge) */ \
    X(BRL_AND_NZ)     /* a, k, target (back edge) */ \
    X(RET)            \
    X(RET1)           /* a: copies a to slot 0, returns */ \
    X(CALL)           /* wasm_fn*, base: same-module function */ \
    X(CALL_ANY)       /* func index, base: imported (host or another instance) */ \
    X(CALL_INDIRECT)  /* wasm_functype*, table, index slot, base */ \
    X(COPY)           /* d, a */ \
    X(COPY2)          /* d, a (v128) */ \
    X(COPYCOPY)       /* d1, a1, d2, a2: two COPYs in order */ \
    X(CONST)          /* d, k */ \
    X(CONST2)         /* d, lo, hi */ \
    X(ZERO)           /* d, n: n slots from d (locals, in the prologue) */ \
    X(SELECT)         /* d, a, b, c */ \
    X(SELECT2)        /* d, a, b, c (v128) */ \
    X(GLOBAL_GET)     /* d, index */ \
    X(GLOBAL_SET)     /* index, a */ \
    X(GLOBAL_GET2)    /* d, index */ \
    X(GLOBAL_SET2)    /* index, a */ \
    X(MEMORY_SIZE)    /* d */ \
    X(MEMORY_GROW)    /* d, a */ \
    X(MEMORY_INIT)    /* d, s, n, data */ \
    X(DATA_DROP)      /* data */ \
    X(MEMORY_COPY)    /* d, s, n */ \
    X(MEMORY_FILL)    /* d, v, n */ \
    X(TABLE_GET)      /* d, table, i */ \
    X(TABLE_SET)      /* table, i, v */ \
    X(TABLE_SIZE)     /* d, table */ \
    X(TABLE_GROW)     /* d, table, init, n */ \
    X(TABLE_FILL)     /* table, i, v, n */ \
    X(TABLE_COPY)     /* dst table, src table, d, s, n */ \
    X(TABLE_INIT)     /* table, elem, d, s, n */ \
    X(ELEM_DROP)      /* elem */ \
    X(REF_IS_NULL)    /* d, a */ \
    X(REF_FUNC)       /* d, func index */ \
    X(SIMD)           /* d, a, b, c, wasm_simd_fn, imm */ \
    X(V128_LOAD)      /* d, addr, offset */ \
    X(V128_LOADX)     /* d, addr, offset, wasm_simd_load_fn, size, vec, lane */ \
    X(V128_STORE)     /* addr, v, offset */ \
    X(V128_STORE_LANE)/* addr, v, offset, size, byte offset of the lane */

/* Common v128 ops run inline (V_NAME d, a, b); the rest call simd.c. */
#define WASM_VBIN(X) \
    X(F64X2_ADD) X(F64X2_SUB) X(F64X2_MUL) X(F64X2_DIV) \
    X(F32X4_ADD) X(F32X4_SUB) X(F32X4_MUL) X(F32X4_DIV) \
    X(I64X2_ADD) X(I64X2_SUB) X(I32X4_ADD) X(I32X4_SUB) X(I32X4_MUL) \
    X(I16X8_ADD) X(I16X8_SUB) X(I16X8_MUL) X(I8X16_ADD) X(I8X16_SUB) \
    X(V128_AND) X(V128_OR) X(V128_XOR) X(V128_ANDNOT)

/* v128 shifts by an i32 count (V_NAME d, a, count) and lane moves
 * (V_..._EXTRACT_LANE d, a, lane; V_..._SPLAT d, a), inline. */
#define WASM_VSHIFT(X) \
    X(I32X4_SHL) X(I32X4_SHR_S) X(I32X4_SHR_U) X(I64X2_SHL) X(I64X2_SHR_S) X(I64X2_SHR_U)
#define WASM_VLANE(X) \
    X(I32X4_EXTRACT_LANE) X(I64X2_EXTRACT_LANE) X(F32X4_EXTRACT_LANE) X(F64X2_EXTRACT_LANE) \
    X(I32X4_SPLAT) X(I64X2_SPLAT) X(F32X4_SPLAT) X(F64X2_SPLAT)

/* Float ops that also have a constant second operand, NAME_I d, a, bits. */
#define WASM_FIMM(X) \
    X(F32_ADD) X(F32_SUB) X(F32_MUL) X(F32_DIV) \
    X(F32_EQ) X(F32_NE) X(F32_LT) X(F32_GT) X(F32_LE) X(F32_GE) \
    X(F64_ADD) X(F64_SUB) X(F64_MUL) X(F64_DIV) \
    X(F64_EQ) X(F64_NE) X(F64_LT) X(F64_GT) X(F64_LE) X(F64_GE)

/* Division by a constant that cannot trap (NAME_I d, a, k; k != 0, and
 * k != -1 for the signed ones). */
#define WASM_IDIVK(X) \
    X(I32_DIV_S) X(I32_DIV_U) X(I32_REM_S) X(I32_REM_U) \
    X(I64_DIV_S) X(I64_DIV_U) X(I64_REM_S) X(I64_REM_U)

#define WASM_IOP_ENUM(n) IOP_##n,
#define WASM_IOP_ENUM_V(n) IOP_V_##n,
#define WASM_IOP_ENUM_I(n) IOP_##n##_I,
#define WASM_IOP_ENUM_BR(n) IOP_BR_##n, IOP_BR_##n##_I,
#define WASM_IOP_ENUM_BRL(n) IOP_BRL_##n, IOP_BRL_##n##_I,
#define WASM_IOP_ENUM_RR(n) IOP_##n##_RR, IOP_##n##_RI,
enum wasm_iop {
    WASM_IOPS_MISC(WASM_IOP_ENUM)
    WASM_NUMOTHER(WASM_IOP_ENUM)
    WASM_NUMSAT(WASM_IOP_ENUM)
    WASM_MEMOPS(WASM_IOP_ENUM)
    WASM_IALU(WASM_IOP_ENUM)
    WASM_IALU(WASM_IOP_ENUM_I)
    WASM_ICMP(WASM_IOP_ENUM)
    WASM_ICMP(WASM_IOP_ENUM_I)
    WASM_ICMP(WASM_IOP_ENUM_BR)
    WASM_ICMP(WASM_IOP_ENUM_BRL)
    WASM_LOADOPS(WASM_IOP_ENUM_RR)
    WASM_VBIN(WASM_IOP_ENUM_V)
    WASM_VSHIFT(WASM_IOP_ENUM_V)
    WASM_VLANE(WASM_IOP_ENUM_V)
    WASM_IDIVK(WASM_IOP_ENUM_I)
    WASM_FIMM(WASM_IOP_ENUM_I)
    IOP_COUNT
};
#undef WASM_IOP_ENUM
#undef WASM_IOP_ENUM_I
#undef WASM_IOP_ENUM_BR
#undef WASM_IOP_ENUM_BRL
#undef WASM_IOP_ENUM_RR
#undef WASM_IOP_ENUM_V

/* interp.c: the handler address of every internal op, by wasm_iop. */
const void *const *wasm_interp_handlers(void);

/* compile.c: the translated function of module m whose code holds ip, or
 * NULL (for trap reports: a linear search). */
const wasm_fn *wasm_fn_at(const aw_module *m, const wasm_code *ip);

/* interp.c: the trap site table lookup (the byte offset of the wasm
 * instruction at code word `pc`, or UINT64_MAX). */
uint64_t wasm_fn_trap_offset(const wasm_fn *fn, uint32_t pc);

#endif
