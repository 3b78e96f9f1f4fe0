/*
 * llvm_translate.c — Wasm function bodies to LLVM IR.
 *
 * One pass over each validated body, as the validator reads it: the
 * operand stack is a compile-time stack of SSA values; locals, block
 * results and loop parameters live in allocas that mem2reg/SROA turn into
 * registers and phis. Code after br/return/unreachable is skipped up to
 * the end of its block. Traps call wasm_jit_trap (noreturn, cold) with the
 * kind, the function index and the instruction's byte offset.
 *
 * Memory: base + zext(i32 index) + offset. With guard pages (the default)
 * that address always falls in the memory's 8 GiB reservation, where
 * pages beyond the memory's size fault and become traps (jit_rt.c); with
 * explicit checks every access compares its end with the memory's size.
 */
#ifdef AW_HAVE_LLVM

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm/llvm_translate.h"
#include "wasm/opcodes.h"
#include "wasm/reader.h"
#include "wasm/simd.h"

#define TRAP_NOT_OK ((uint32_t)-1)

/* ---- opcode tables ----------------------------------------------------------- */

#define IMM_ROW(sym, code, imm, sig, name) [code] = WASM_IMM_##imm,
#define SIG_ROW(sym, code, imm, sig, name) [code] = sig,
static const uint8_t imm_fc[32] = {WASM_OPS_FC(IMM_ROW)};
static const uint8_t imm_fd[256] = {WASM_OPS_FD(IMM_ROW)};
static const uint8_t imm_op[256] = {WASM_OPS(IMM_ROW)};
static const char *const sig_fd[256] = {WASM_OPS_FD(SIG_ROW)};
#undef IMM_ROW
#undef SIG_ROW

/* Immediates of one instruction. */
typedef struct imm {
    uint32_t a, b;           /* index, label, type, align, lane ... */
    uint64_t offset;         /* memarg offset */
    int64_t i;               /* i32/i64 const */
    const uint8_t *bytes;    /* f32/f64/v128/shuffle bytes; br_table vector start */
    uint8_t lane;
    int64_t bt;              /* block type (s33) */
} imm;

static bool read_memarg(wasm_reader *r, imm *im) {
    uint32_t align;
    if (!wasm_read_u32(r, &align)) return false;
    im->a = align;
    uint64_t off;
    if (!wasm_read_uleb(r, 32, &off)) return false;
    im->offset = off;
    return true;
}

static bool read_imm(wasm_reader *r, unsigned kind, imm *im) {
    uint8_t byte;
    uint64_t u;
    switch (kind) {
    case WASM_IMM_NONE: return true;
    case WASM_IMM_BLOCK: return wasm_read_s33(r, &im->bt);
    case WASM_IMM_LABEL:
    case WASM_IMM_FUNC:
    case WASM_IMM_LOCAL:
    case WASM_IMM_GLOBAL:
    case WASM_IMM_TABLE:
    case WASM_IMM_DATA:
    case WASM_IMM_ELEM: return wasm_read_u32(r, &im->a);
    case WASM_IMM_BR_TABLE: {
        uint32_t n, x;
        if (!wasm_read_u32(r, &n)) return false;
        im->a = n;
        im->bytes = r->p;
        for (uint32_t k = 0; k <= n; k++)
            if (!wasm_read_u32(r, &x)) return false;
        return true;
    }
    case WASM_IMM_CALL_INDIRECT:
    case WASM_IMM_ELEM_TABLE:
    case WASM_IMM_TABLE_TABLE: return wasm_read_u32(r, &im->a) && wasm_read_u32(r, &im->b);
    case WASM_IMM_SELECT_T: {
        uint32_t n;
        if (!wasm_read_u32(r, &n)) return false;
        for (uint32_t k = 0; k < n; k++)
            if (!wasm_read_u8(r, &byte)) return false;
        return true;
    }
    case WASM_IMM_MEMARG: return read_memarg(r, im);
    case WASM_IMM_MEMIDX:
    case WASM_IMM_REFTYPE: return wasm_read_u8(r, &byte) && ((im->a = byte), true);
    case WASM_IMM_I32: return wasm_read_sleb(r, 32, &im->i);
    case WASM_IMM_I64: return wasm_read_s64(r, &im->i);
    case WASM_IMM_F32: return wasm_read_bytes(r, 4, &im->bytes);
    case WASM_IMM_F64: return wasm_read_bytes(r, 8, &im->bytes);
    case WASM_IMM_DATA_MEM: return wasm_read_u32(r, &im->a) && wasm_read_u8(r, &byte);
    case WASM_IMM_MEM_MEM: return wasm_read_u8(r, &byte) && wasm_read_u8(r, &byte);
    case WASM_IMM_V128:
    case WASM_IMM_SHUFFLE: return wasm_read_bytes(r, 16, &im->bytes);
    case WASM_IMM_LANE: im->bytes = r->p; return wasm_read_u8(r, &im->lane);
    case WASM_IMM_MEMARG_LANE:
        if (!read_memarg(r, im)) return false;
        im->bytes = r->p;
        return wasm_read_u8(r, &im->lane);
    }
    (void)u;
    return false;
}

/* ---- translator state ---------------------------------------------------------- */

enum { K_BLOCK, K_LOOP, K_IF, K_FUNC };

typedef struct ctrl {
    int kind;
    uint32_t height;                /* stack height below the block's parameters */
    uint32_t nparams, nresults;
    const aw_valtype *params, *results;
    LLVMBasicBlockRef end_bb, loop_bb, else_bb;
    LLVMValueRef *label_slots;      /* allocas a branch here stores to (loop: params) */
    LLVMValueRef *res_slots;        /* allocas of the results (loop: its own) */
    LLVMValueRef *if_params;        /* if: parameter values for the else arm */
    bool end_reached;               /* some branch or fallthrough reaches end_bb */
    bool dead;                      /* the code being read is unreachable */
} ctrl;

typedef struct tr {
    const aw_module *m;
    LLVMContextRef c;
    LLVMModuleRef mod;
    LLVMBuilderRef b, ab;           /* ab: allocas, in the entry block */
    bool explicit_bounds;
    bool loop_checks;               /* fuel/interrupt checks at loop headers */
    const wasm_llvm_part *part;     /* ahead of time: this part only (else NULL) */
    LLVMTypeRef i1, i8, i16, i32, i64, f32, f64, v128, ptr, voidt;
    LLVMValueRef *fns;              /* per defined function */
    LLVMTypeRef *fntys;             /* per type index */
    unsigned md_invariant;
    LLVMValueRef md_empty;
    unsigned md_memload;            /* tags loads of linear memory */
    unsigned md_tbaa;
    LLVMValueRef tbaa_mem, tbaa_glob, tbaa_rt; /* type-based alias classes */

    /* the function being translated */
    uint32_t func_index;
    LLVMValueRef fn, vm, store, mem, mem0obj;
    LLVMValueRef *locals;
    aw_valtype *local_types;
    uint32_t nlocals;
    LLVMValueRef *stk;
    uint32_t sp, stk_cap;
    ctrl *ctl;
    uint32_t nctl, ctl_cap;
    LLVMValueRef simd_tmp[4];       /* a, b, c, dst for SIMD helper calls */
    wasm_reader r;
    uint64_t op_offset;             /* byte offset of the current instruction */
    const char *fail;
} tr;

static LLVMTypeRef vt(tr *t, aw_valtype v) {
    switch (v) {
    case AW_I32: return t->i32;
    case AW_I64: return t->i64;
    case AW_F32: return t->f32;
    case AW_F64: return t->f64;
    case AW_V128: return t->v128;
    default: return t->ptr;
    }
}

static void push(tr *t, LLVMValueRef v) {
    if (t->sp == t->stk_cap) {
        t->stk_cap = t->stk_cap ? 2 * t->stk_cap : 64;
        t->stk = realloc(t->stk, t->stk_cap * sizeof *t->stk);
        if (!t->stk) abort(); /* out of memory while compiling: nothing sane to return */
    }
    t->stk[t->sp++] = v;
}
static LLVMValueRef pop(tr *t) { return t->stk[--t->sp]; }

static LLVMValueRef ci32(tr *t, uint64_t v) { return LLVMConstInt(t->i32, v, 0); }
static LLVMValueRef ci64(tr *t, uint64_t v) { return LLVMConstInt(t->i64, v, 0); }
static LLVMValueRef cptr(tr *t, const void *p) {
    /* ahead of time: a symbol the artifact's loader resolves (llvm_aot.c) */
    if (t->part) {
        LLVMValueRef v = wasm_llvm_aot_ref(t->mod, t->m, p);
        if (!v) t->fail = "a runtime address that an artifact cannot refer to";
        return v ? v : LLVMConstNull(t->ptr);
    }
    return LLVMConstIntToPtr(ci64(t, (uint64_t)(uintptr_t)p), t->ptr);
}

static LLVMValueRef alloca_of(tr *t, LLVMTypeRef ty) { return LLVMBuildAlloca(t->ab, ty, ""); }

static LLVMValueRef gep(tr *t, LLVMValueRef p, uint64_t off) {
    if (!off) return p;
    LLVMValueRef idx = ci64(t, off);
    return LLVMBuildGEP2(t->b, t->i8, p, &idx, 1, "");
}

/* A load of state that never changes while code runs (vm fields, the
 * instance's arrays): marked invariant so that LLVM hoists and merges it. */
/* Type-based alias classes: linear memory, globals' values and the
 * runtime's own state never overlap, so that a store to linear memory does
 * not force LLVM to reload a global, a vm field or a table pointer. */
static LLVMValueRef tbaa_tag(LLVMContextRef c, LLVMMetadataRef root, const char *name) {
    LLVMMetadataRef zero = LLVMValueAsMetadata(LLVMConstInt(LLVMInt64TypeInContext(c), 0, 0));
    LLVMMetadataRef ty[3] = {LLVMMDStringInContext2(c, name, strlen(name)), root, zero};
    LLVMMetadataRef tnode = LLVMMDNodeInContext2(c, ty, 3);
    LLVMMetadataRef tag[3] = {tnode, tnode, zero};
    return LLVMMetadataAsValue(c, LLVMMDNodeInContext2(c, tag, 3));
}
static void tbaa_init(tr *t) {
    LLVMMetadataRef rs = LLVMMDStringInContext2(t->c, "anywhere wasm", 13);
    LLVMMetadataRef root = LLVMMDNodeInContext2(t->c, &rs, 1);
    t->md_tbaa = LLVMGetMDKindIDInContext(t->c, "tbaa", 4);
    t->tbaa_mem = tbaa_tag(t->c, root, "linear memory");
    t->tbaa_glob = tbaa_tag(t->c, root, "global");
    t->tbaa_rt = tbaa_tag(t->c, root, "runtime");
}
static LLVMValueRef tag(tr *t, LLVMValueRef inst, LLVMValueRef cls) {
    LLVMSetMetadata(inst, t->md_tbaa, cls);
    return inst;
}

static LLVMValueRef load_inv(tr *t, LLVMTypeRef ty, LLVMValueRef p, uint64_t off) {
    LLVMValueRef v = LLVMBuildLoad2(t->b, ty, gep(t, p, off), "");
    LLVMSetMetadata(v, t->md_invariant, t->md_empty);
    return tag(t, v, t->tbaa_rt);
}
static LLVMValueRef load_at(tr *t, LLVMTypeRef ty, LLVMValueRef p, uint64_t off) {
    return tag(t, LLVMBuildLoad2(t->b, ty, gep(t, p, off), ""), t->tbaa_rt);
}

/* Intrinsic declaration by name with its overloaded types. */
static LLVMValueRef intrinsic(tr *t, const char *name, LLVMTypeRef *tys, size_t n, LLVMTypeRef *fty) {
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    *fty = LLVMIntrinsicGetType(t->c, id, tys, n);
    return LLVMGetIntrinsicDeclaration(t->mod, id, tys, n);
}
static LLVMValueRef call_intr1(tr *t, const char *name, LLVMValueRef a) {
    LLVMTypeRef ty = LLVMTypeOf(a), fty;
    LLVMValueRef f = intrinsic(t, name, &ty, 1, &fty);
    return LLVMBuildCall2(t->b, fty, f, &a, 1, "");
}
static LLVMValueRef call_intr2(tr *t, const char *name, LLVMValueRef a, LLVMValueRef b) {
    LLVMTypeRef ty = LLVMTypeOf(a), fty;
    LLVMValueRef f = intrinsic(t, name, &ty, 1, &fty);
    LLVMValueRef args[2] = {a, b};
    return LLVMBuildCall2(t->b, fty, f, args, 2, "");
}

/* A call of a C function of the runtime through its address. */
static LLVMValueRef call_c(tr *t, const void *fnaddr, LLVMTypeRef ret, LLVMValueRef *args, unsigned n) {
    LLVMTypeRef ptys[8];
    for (unsigned i = 0; i < n; i++) ptys[i] = LLVMTypeOf(args[i]);
    LLVMTypeRef fty = LLVMFunctionType(ret, ptys, n, 0);
    /* the two helpers of cold paths go through the vm (see wasm_jit_vm) */
    LLVMValueRef callee = fnaddr == (const void *)wasm_jit_check ? load_inv(t, t->ptr, t->vm, offsetof(wasm_jit_vm, check_fn))
                        : fnaddr == (const void *)wasm_jit_trap ? load_inv(t, t->ptr, t->vm, offsetof(wasm_jit_vm, trap_fn))
                        : cptr(t, fnaddr);
    return LLVMBuildCall2(t->b, fty, callee, args, n, "");
}

static LLVMBasicBlockRef new_bb(tr *t, const char *name) {
    return LLVMAppendBasicBlockInContext(t->c, t->fn, name);
}

/* ---- traps --------------------------------------------------------------------- */

static void emit_trap_call(tr *t, LLVMValueRef kind) {
    LLVMValueRef args[4] = {t->vm, kind, ci32(t, t->func_index), ci64(t, t->op_offset)};
    LLVMValueRef call = call_c(t, (const void *)wasm_jit_trap, t->voidt, args, 4);
    unsigned cold = LLVMGetEnumAttributeKindForName("cold", 4);
    unsigned nr = LLVMGetEnumAttributeKindForName("noreturn", 8);
    LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(t->c, cold, 0));
    LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(t->c, nr, 0));
    LLVMBuildUnreachable(t->b);
}

static void trap_if(tr *t, LLVMValueRef cond, aw_trapkind kind) {
    LLVMBasicBlockRef bad = new_bb(t, "trap"), ok = new_bb(t, "");
    LLVMBuildCondBr(t->b, cond, bad, ok);
    LLVMPositionBuilderAtEnd(t->b, bad);
    emit_trap_call(t, ci32(t, kind));
    LLVMPositionBuilderAtEnd(t->b, ok);
}

/* A runtime helper returned a trap kind (0: none). */
static void trap_if_code(tr *t, LLVMValueRef code) {
    LLVMBasicBlockRef bad = new_bb(t, "trap"), ok = new_bb(t, "");
    LLVMBuildCondBr(t->b, LLVMBuildICmp(t->b, LLVMIntNE, code, ci32(t, 0), ""), bad, ok);
    LLVMPositionBuilderAtEnd(t->b, bad);
    emit_trap_call(t, code);
    LLVMPositionBuilderAtEnd(t->b, ok);
}

/* Fuel and interrupts, at function entry (and loop headers when asked;
 * llvm_checks.c checks loops after optimisation instead): see
 * wasm_llvm_emit_check. */
static void emit_check(tr *t) {
    LLVMBasicBlockRef ok = new_bb(t, ""), preds[3];
    /* entry checks carry the function's mark (tail recursion, llvm_checks.c) */
    uint32_t mark = t->op_offset == t->m->funcs[t->func_index - t->m->nfunc_imports].body_offset ? t->func_index
                                                                                               : UINT32_MAX;
    wasm_llvm_emit_check(t->b, t->vm, t->store, t->func_index, t->op_offset, mark, t->tbaa_rt, ok, preds);
    LLVMPositionBuilderAtEnd(t->b, ok);
}

/* Stack exhaustion: the native stack pointer (llvm.read_register, no
 * inline asm to parse) against the limit the entry set for this thread
 * (jit_rt.c), one compare per call. */
static void emit_stack_check(tr *t) {
    LLVMValueRef limit = load_at(t, t->i64, t->store, offsetof(aw_store, jit_stack_limit));
#if defined(__x86_64__)
    const char *reg = "rsp";
#else
    const char *reg = "sp";
#endif
    LLVMMetadataRef name = LLVMMDStringInContext2(t->c, reg, strlen(reg));
    LLVMValueRef arg = LLVMMetadataAsValue(t->c, LLVMMDNodeInContext2(t->c, &name, 1));
    LLVMTypeRef fty;
    LLVMValueRef f = intrinsic(t, "llvm.read_register", &t->i64, 1, &fty);
    LLVMValueRef sp = LLVMBuildCall2(t->b, fty, f, &arg, 1, "sp");
    trap_if(t, LLVMBuildICmp(t->b, LLVMIntULT, sp, limit, ""), AW_TRAP_STACK_EXHAUSTED);
}

/* ---- memory ---------------------------------------------------------------------- */

static LLVMValueRef mem_addr(tr *t, LLVMValueRef idx, uint64_t offset, uint32_t size) {
    LLVMValueRef ea = LLVMBuildAdd(t->b, LLVMBuildZExt(t->b, idx, t->i64, ""), ci64(t, offset), "");
    if (t->explicit_bounds) {
        LLVMValueRef memsize = load_at(t, t->i64, t->mem0obj, offsetof(aw_memory, size));
        LLVMValueRef end = LLVMBuildAdd(t->b, ea, ci64(t, size), "");
        trap_if(t, LLVMBuildICmp(t->b, LLVMIntUGT, end, memsize, ""), AW_TRAP_MEMORY_OOB);
    }
    return LLVMBuildGEP2(t->b, t->i8, t->mem, &ea, 1, "");
}

static void emit_load(tr *t, const imm *im, LLVMTypeRef mty, uint32_t size, LLVMTypeRef rty, int ext) {
    LLVMValueRef p = mem_addr(t, pop(t), im->offset, size);
    LLVMValueRef v = LLVMBuildLoad2(t->b, mty, p, "");
    LLVMSetAlignment(v, 1);
    LLVMSetMetadata(v, t->md_memload, t->md_empty);
    tag(t, v, t->tbaa_mem);
    if (ext > 0) v = LLVMBuildSExt(t->b, v, rty, "");
    else if (ext < 0) v = LLVMBuildZExt(t->b, v, rty, "");
    push(t, v);
}

static void emit_store(tr *t, const imm *im, LLVMTypeRef mty, uint32_t size) {
    LLVMValueRef v = pop(t);
    LLVMValueRef p = mem_addr(t, pop(t), im->offset, size);
    if (LLVMTypeOf(v) != mty) v = LLVMBuildTrunc(t->b, v, mty, "");
    LLVMValueRef s = LLVMBuildStore(t->b, v, p);
    LLVMSetAlignment(s, 1);
    tag(t, s, t->tbaa_mem);
}

/* ---- control ------------------------------------------------------------------- */

static void block_type(tr *t, int64_t bt, uint32_t *np, const aw_valtype **p, uint32_t *nr,
                       const aw_valtype **r) {
    static const aw_valtype single[] = {AW_I32, AW_I64, AW_F32, AW_F64, AW_V128, AW_FUNCREF, AW_EXTERNREF};
    *np = *nr = 0;
    *p = *r = NULL;
    if (bt == -64) return; /* 0x40: empty */
    if (bt < 0) {
        uint8_t byte = (uint8_t)(bt & 0x7F);
        for (size_t i = 0; i < sizeof single / sizeof *single; i++)
            if ((uint8_t)single[i] == byte) {
                *nr = 1;
                *r = &single[i];
            }
        return;
    }
    const wasm_functype *ft = &t->m->types[bt];
    *np = ft->nparams, *p = ft->types;
    *nr = ft->nresults, *r = wasm_functype_results(ft);
}

static LLVMValueRef *make_slots(tr *t, uint32_t n, const aw_valtype *types) {
    if (!n) return NULL;
    LLVMValueRef *s = malloc(n * sizeof *s);
    if (!s) abort();
    for (uint32_t i = 0; i < n; i++) s[i] = alloca_of(t, vt(t, types[i]));
    return s;
}

static ctrl *push_ctrl(tr *t, int kind, int64_t bt) {
    if (t->nctl == t->ctl_cap) {
        t->ctl_cap = t->ctl_cap ? 2 * t->ctl_cap : 16;
        t->ctl = realloc(t->ctl, t->ctl_cap * sizeof *t->ctl);
        if (!t->ctl) abort();
    }
    ctrl *c = &t->ctl[t->nctl++];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    if (kind != K_FUNC) block_type(t, bt, &c->nparams, &c->params, &c->nresults, &c->results);
    c->height = t->sp - c->nparams;
    c->res_slots = make_slots(t, c->nresults, c->results);
    c->end_bb = new_bb(t, kind == K_LOOP ? "loop.end" : "end");
    c->label_slots = c->res_slots;
    return c;
}

static void free_ctrl(ctrl *c) {
    if (c->label_slots != c->res_slots) free(c->label_slots);
    free(c->res_slots);
    free(c->if_params);
}

/* Stores the top n values into slots (the stack keeps them). */
static void store_top(tr *t, LLVMValueRef *slots, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) LLVMBuildStore(t->b, t->stk[t->sp - n + i], slots[i]);
}

static uint32_t label_arity(const ctrl *c) { return c->kind == K_LOOP ? c->nparams : c->nresults; }

static void branch_to(tr *t, ctrl *c) {
    store_top(t, c->label_slots, label_arity(c));
    if (c->kind == K_LOOP) {
        LLVMBuildBr(t->b, c->loop_bb);
    } else {
        c->end_reached = true;
        LLVMBuildBr(t->b, c->end_bb);
    }
}

static void set_dead(tr *t) { t->ctl[t->nctl - 1].dead = true; }

/* ---- calls --------------------------------------------------------------------- */

static LLVMTypeRef ret_type(tr *t, const wasm_functype *ft) {
    if (ft->nresults == 0) return t->voidt;
    if (ft->nresults == 1) return vt(t, wasm_functype_results(ft)[0]);
    LLVMTypeRef tys[ft->nresults];
    for (uint32_t i = 0; i < ft->nresults; i++) tys[i] = vt(t, wasm_functype_results(ft)[i]);
    return LLVMStructTypeInContext(t->c, tys, ft->nresults, 0);
}

static LLVMTypeRef fn_type(tr *t, const wasm_functype *ft) {
    LLVMTypeRef ps[ft->nparams + 1];
    ps[0] = t->ptr;
    for (uint32_t i = 0; i < ft->nparams; i++) ps[i + 1] = vt(t, ft->types[i]);
    return LLVMFunctionType(ret_type(t, ft), ps, ft->nparams + 1, 0);
}

static void push_results(tr *t, const wasm_functype *ft, LLVMValueRef r) {
    if (ft->nresults == 1) push(t, r);
    else
        for (uint32_t i = 0; i < ft->nresults; i++) push(t, LLVMBuildExtractValue(t->b, r, i, ""));
}

/* Stores typed values to slots (64-bit each, v128 two) and loads back. */
static void to_slots(tr *t, LLVMValueRef slots, const aw_valtype *types, uint32_t n, LLVMValueRef *vals) {
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        LLVMValueRef s = LLVMBuildStore(t->b, vals[i], gep(t, slots, 8u * k));
        LLVMSetAlignment(s, 8);
        k += wasm_valtype_slots(types[i]);
    }
}
static void from_slots(tr *t, LLVMValueRef slots, const aw_valtype *types, uint32_t n, LLVMValueRef *out) {
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        out[i] = LLVMBuildLoad2(t->b, vt(t, types[i]), gep(t, slots, 8u * k), "");
        LLVMSetAlignment(out[i], 8);
        k += wasm_valtype_slots(types[i]);
    }
}

/* Calls the aw_func f (an import or a table entry) of type ft: natively
 * when it is compiled code, through the slot convention otherwise. */
static void call_funcref(tr *t, LLVMValueRef f, const wasm_functype *ft) {
    uint32_t np = ft->nparams, nr = ft->nresults;
    LLVMValueRef args[np + 1];
    for (uint32_t i = np; i-- > 0;) args[i + 1] = pop(t);
    LLVMValueRef res[nr ? nr : 1];
    LLVMValueRef rs[nr ? nr : 1];
    for (uint32_t i = 0; i < nr; i++) rs[i] = alloca_of(t, vt(t, wasm_functype_results(ft)[i]));

    LLVMValueRef host = load_at(t, t->ptr, f, offsetof(aw_func, host));
    LLVMValueRef is_jit = LLVMBuildICmp(t->b, LLVMIntEQ, host, cptr(t, (const void *)wasm_jit_enter), "");
    LLVMBasicBlockRef fast = new_bb(t, "call.jit"), slow = new_bb(t, "call.slots"), join = new_bb(t, "");
    LLVMBuildCondBr(t->b, is_jit, fast, slow);

    LLVMPositionBuilderAtEnd(t->b, fast);
    LLVMValueRef rec = load_at(t, t->ptr, f, offsetof(aw_func, host_data));
    LLVMValueRef native = load_at(t, t->ptr, rec, offsetof(wasm_jit_rec, native));
    args[0] = load_at(t, t->ptr, rec, offsetof(wasm_jit_rec, vm));
    LLVMValueRef r = LLVMBuildCall2(t->b, fn_type(t, ft), native, args, np + 1, "");
    if (nr == 1) LLVMBuildStore(t->b, r, rs[0]);
    else
        for (uint32_t i = 0; i < nr; i++) LLVMBuildStore(t->b, LLVMBuildExtractValue(t->b, r, i, ""), rs[i]);
    LLVMBuildBr(t->b, join);

    LLVMPositionBuilderAtEnd(t->b, slow);
    uint32_t n = ft->param_slots > ft->result_slots ? ft->param_slots : ft->result_slots;
    LLVMValueRef slots = alloca_of(t, LLVMArrayType(t->i64, n ? n : 1));
    to_slots(t, slots, ft->types, np, args + 1);
    LLVMValueRef cargs[3] = {t->vm, f, slots};
    call_c(t, (const void *)wasm_jit_call_slots, t->voidt, cargs, 3);
    from_slots(t, slots, wasm_functype_results(ft), nr, res);
    for (uint32_t i = 0; i < nr; i++) LLVMBuildStore(t->b, res[i], rs[i]);
    LLVMBuildBr(t->b, join);

    LLVMPositionBuilderAtEnd(t->b, join);
    for (uint32_t i = 0; i < nr; i++) push(t, LLVMBuildLoad2(t->b, vt(t, wasm_functype_results(ft)[i]), rs[i], ""));
}

static void emit_call(tr *t, uint32_t fidx) {
    const aw_module *m = t->m;
    const wasm_functype *ft = &m->types[m->func_types[fidx]];
    if (fidx < m->nfunc_imports) {
        LLVMValueRef funcs = load_inv(t, t->ptr, t->vm, offsetof(wasm_jit_vm, funcs));
        LLVMValueRef f = load_inv(t, t->ptr, funcs, 8u * fidx);
        call_funcref(t, f, ft);
        return;
    }
    uint32_t np = ft->nparams;
    LLVMValueRef args[np + 1];
    args[0] = t->vm;
    for (uint32_t i = np; i-- > 0;) args[i + 1] = pop(t);
    uint32_t d = fidx - m->nfunc_imports;
    LLVMValueRef r = LLVMBuildCall2(t->b, t->fntys[m->func_types[fidx]], t->fns[d], args, np + 1, "");
    if (ft->nresults) push_results(t, ft, r);
}

static void emit_call_indirect(tr *t, uint32_t typeidx, uint32_t table) {
    const wasm_functype *ft = &t->m->types[typeidx];
    LLVMValueRef idx = pop(t);
    LLVMValueRef tables = load_inv(t, t->ptr, t->vm, offsetof(wasm_jit_vm, tables));
    LLVMValueRef tab = load_inv(t, t->ptr, tables, 8u * table);
    LLVMValueRef size = load_at(t, t->i32, tab, offsetof(aw_table, size));
    trap_if(t, LLVMBuildICmp(t->b, LLVMIntUGE, idx, size, ""), AW_TRAP_UNDEFINED_ELEMENT);
    LLVMValueRef elems = load_at(t, t->ptr, tab, offsetof(aw_table, elems));
    LLVMValueRef i64 = LLVMBuildZExt(t->b, idx, t->i64, "");
    LLVMValueRef f = LLVMBuildLoad2(t->b, t->ptr, LLVMBuildGEP2(t->b, t->ptr, elems, &i64, 1, ""), "");
    trap_if(t, LLVMBuildIsNull(t->b, f, ""), AW_TRAP_UNINITIALIZED_ELEMENT);
    LLVMValueRef fty = load_at(t, t->ptr, f, offsetof(aw_func, type));
    LLVMValueRef want = cptr(t, ft);
    LLVMBasicBlockRef slow = new_bb(t, "typecheck"), ok = new_bb(t, "");
    LLVMBuildCondBr(t->b, LLVMBuildICmp(t->b, LLVMIntEQ, fty, want, ""), ok, slow);
    LLVMPositionBuilderAtEnd(t->b, slow);
    LLVMValueRef a[2] = {fty, want};
    LLVMValueRef eq = call_c(t, (const void *)wasm_jit_type_eq, t->i8, a, 2);
    trap_if(t, LLVMBuildICmp(t->b, LLVMIntEQ, eq, LLVMConstInt(t->i8, 0, 0), ""), AW_TRAP_INDIRECT_TYPE);
    LLVMBuildBr(t->b, ok);
    LLVMPositionBuilderAtEnd(t->b, ok);
    call_funcref(t, f, ft);
}

/* ---- numeric ------------------------------------------------------------------- */

static LLVMValueRef b2i(tr *t, LLVMValueRef c) { return LLVMBuildZExt(t->b, c, t->i32, ""); }

static void icmp(tr *t, LLVMIntPredicate p) {
    LLVMValueRef b = pop(t), a = pop(t);
    push(t, b2i(t, LLVMBuildICmp(t->b, p, a, b, "")));
}
static void fcmp(tr *t, LLVMRealPredicate p) {
    LLVMValueRef b = pop(t), a = pop(t);
    push(t, b2i(t, LLVMBuildFCmp(t->b, p, a, b, "")));
}

static void idiv(tr *t, int op) { /* 0 div_s, 1 div_u, 2 rem_s, 3 rem_u */
    LLVMValueRef b = pop(t), a = pop(t);
    LLVMTypeRef ty = LLVMTypeOf(a);
    LLVMValueRef zero = LLVMConstInt(ty, 0, 0), minus1 = LLVMConstAllOnes(ty);
    trap_if(t, LLVMBuildICmp(t->b, LLVMIntEQ, b, zero, ""), AW_TRAP_DIV_ZERO);
    unsigned bits = LLVMGetIntTypeWidth(ty);
    LLVMValueRef minv = LLVMConstInt(ty, 1ull << (bits - 1), 0);
    LLVMValueRef r;
    switch (op) {
    case 0:
        trap_if(t, LLVMBuildAnd(t->b, LLVMBuildICmp(t->b, LLVMIntEQ, a, minv, ""),
                                LLVMBuildICmp(t->b, LLVMIntEQ, b, minus1, ""), ""),
                AW_TRAP_INT_OVERFLOW);
        r = LLVMBuildSDiv(t->b, a, b, "");
        break;
    case 1: r = LLVMBuildUDiv(t->b, a, b, ""); break;
    case 2: {
        /* x rem -1 is 0; dividing by 1 instead avoids the hardware's overflow */
        LLVMValueRef sb = LLVMBuildSelect(t->b, LLVMBuildICmp(t->b, LLVMIntEQ, b, minus1, ""),
                                          LLVMConstInt(ty, 1, 0), b, "");
        r = LLVMBuildSRem(t->b, a, sb, "");
        break;
    }
    default: r = LLVMBuildURem(t->b, a, b, ""); break;
    }
    push(t, r);
}

static void shift(tr *t, LLVMOpcode op) {
    LLVMValueRef b = pop(t), a = pop(t);
    LLVMTypeRef ty = LLVMTypeOf(a);
    b = LLVMBuildAnd(t->b, b, LLVMConstInt(ty, LLVMGetIntTypeWidth(ty) - 1, 0), "");
    push(t, LLVMBuildBinOp(t->b, op, a, b, ""));
}

static void rotate(tr *t, const char *name) {
    LLVMValueRef b = pop(t), a = pop(t);
    LLVMTypeRef ty = LLVMTypeOf(a), fty;
    LLVMValueRef f = intrinsic(t, name, &ty, 1, &fty);
    LLVMValueRef args[3] = {a, a, b};
    push(t, LLVMBuildCall2(t->b, fty, f, args, 3, ""));
}

static void binop(tr *t, LLVMOpcode op) {
    LLVMValueRef b = pop(t), a = pop(t);
    push(t, LLVMBuildBinOp(t->b, op, a, b, ""));
}

/* A value LLVM cannot see through (an empty inline asm). LLVM folds
 * x*1, x/1, x+-0, x-0, -0-x, x*-1 and demote(promote x) to x or -x, which
 * is exact except that a signalling NaN stays signalling; Wasm wants it
 * quieted. Hiding the constant (or the promotion) keeps the operation. */
static LLVMValueRef opaque(tr *t, LLVMValueRef v) {
#if defined(__x86_64__)
    const char *cons = "=x,0";
#else
    const char *cons = "=w,0";
#endif
    LLVMTypeRef ty = LLVMTypeOf(v);
    LLVMTypeRef fty = LLVMFunctionType(ty, &ty, 1, 0);
    LLVMValueRef asmv = LLVMGetInlineAsm(fty, "", 0, (char *)cons, strlen(cons), 0, 0,
                                         LLVMInlineAsmDialectATT, 0);
    return LLVMBuildCall2(t->b, fty, asmv, &v, 1, "");
}

static void fbinop(tr *t, LLVMOpcode op) {
    LLVMValueRef b = pop(t), a = pop(t);
    if (LLVMIsConstant(a)) a = opaque(t, a);
    if (LLVMIsConstant(b)) b = opaque(t, b);
    push(t, LLVMBuildBinOp(t->b, op, a, b, ""));
}

/* min/max: llvm.minimum/maximum have Wasm's semantics (NaN propagates,
 * -0 < +0) but may return a NaN operand unquieted; a NaN operand makes
 * the result a+b instead, an arithmetic NaN. */
static void fminmax(tr *t, const char *name) {
    LLVMValueRef b = pop(t), a = pop(t);
    LLVMValueRef r = call_intr2(t, name, a, b);
    LLVMValueRef nan = LLVMBuildFCmp(t->b, LLVMRealUNO, a, b, "");
    push(t, LLVMBuildSelect(t->b, nan, LLVMBuildFAdd(t->b, a, b, ""), r, ""));
}

static void bitcount(tr *t, const char *name) {
    LLVMValueRef a = pop(t);
    if (!strcmp(name, "llvm.ctpop")) {
        push(t, call_intr1(t, name, a));
        return;
    }
    push(t, call_intr2(t, name, a, LLVMConstInt(t->i1, 0, 0)));
}

static void fun1(tr *t, const char *name) { push(t, call_intr1(t, name, pop(t))); }
static void fun2(tr *t, const char *name) {
    LLVMValueRef b = pop(t), a = pop(t);
    push(t, call_intr2(t, name, a, b));
}

/* Trapping float-to-int: NaN is an invalid conversion, out of range an
 * overflow; the bounds are the spec's, exact in both float widths. */
static void trunc_trap(tr *t, LLVMTypeRef to, bool sgn) {
    LLVMValueRef x = pop(t);
    LLVMTypeRef ft = LLVMTypeOf(x);
    bool is32 = LLVMGetIntTypeWidth(to) == 32;
    bool f32 = ft == t->f32;
    double lo, hi;
    bool lo_incl;
    if (sgn) {
        hi = is32 ? 2147483648.0 : 9223372036854775808.0;
        if (is32 && !f32) lo = -2147483649.0, lo_incl = false;
        else lo = -hi, lo_incl = true;
    } else {
        hi = is32 ? 4294967296.0 : 18446744073709551616.0;
        lo = -1.0, lo_incl = false;
    }
    trap_if(t, LLVMBuildFCmp(t->b, LLVMRealUNO, x, x, ""), AW_TRAP_INVALID_CONVERSION);
    LLVMValueRef okl = LLVMBuildFCmp(t->b, lo_incl ? LLVMRealOGE : LLVMRealOGT, x, LLVMConstReal(ft, lo), "");
    LLVMValueRef okh = LLVMBuildFCmp(t->b, LLVMRealOLT, x, LLVMConstReal(ft, hi), "");
    trap_if(t, LLVMBuildNot(t->b, LLVMBuildAnd(t->b, okl, okh, ""), ""), AW_TRAP_INT_OVERFLOW);
    push(t, sgn ? LLVMBuildFPToSI(t->b, x, to, "") : LLVMBuildFPToUI(t->b, x, to, ""));
}

static void trunc_sat(tr *t, LLVMTypeRef to, bool sgn) {
    LLVMValueRef x = pop(t);
    LLVMTypeRef tys[2] = {to, LLVMTypeOf(x)}, fty;
    LLVMValueRef f = intrinsic(t, sgn ? "llvm.fptosi.sat" : "llvm.fptoui.sat", tys, 2, &fty);
    push(t, LLVMBuildCall2(t->b, fty, f, &x, 1, ""));
}

static void sext_in(tr *t, LLVMTypeRef narrow) {
    LLVMValueRef a = pop(t);
    push(t, LLVMBuildSExt(t->b, LLVMBuildTrunc(t->b, a, narrow, ""), LLVMTypeOf(a), ""));
}

/* ---- SIMD ---------------------------------------------------------------------- */

static LLVMTypeRef sig_type(tr *t, char c) {
    switch (c) {
    case 'i': return t->i32;
    case 'l': return t->i64;
    case 'f': return t->f32;
    case 'd': return t->f64;
    default: return t->v128;
    }
}

/* Any pure SIMD instruction through simd.c's scalar implementation. */
static void simd_generic(tr *t, uint32_t op, const imm *im) {
    const char *sig = sig_fd[op];
    const char *us = strchr(sig, '_');
    uint32_t nin = (uint32_t)(us - sig);
    for (int k = 0; k < 4; k++)
        if (!t->simd_tmp[k]) t->simd_tmp[k] = alloca_of(t, t->v128);
    for (uint32_t k = nin; k-- > 0;) {
        LLVMValueRef v = pop(t);
        LLVMValueRef s = LLVMBuildStore(t->b, v, t->simd_tmp[k]);
        LLVMSetAlignment(s, 8);
    }
    LLVMValueRef args[5] = {t->simd_tmp[3], t->simd_tmp[0], t->simd_tmp[1], t->simd_tmp[2],
                            im->bytes ? cptr(t, im->bytes) : LLVMConstNull(t->ptr)};
    call_c(t, (const void *)wasm_simd_ops[op], t->voidt, args, 5);
    if (us[1]) {
        LLVMValueRef v = LLVMBuildLoad2(t->b, sig_type(t, us[1]), t->simd_tmp[3], "");
        LLVMSetAlignment(v, 8);
        push(t, v);
    }
}

static LLVMTypeRef vec(tr *t, LLVMTypeRef el, unsigned n) { (void)t; return LLVMVectorType(el, n); }
static LLVMValueRef as(tr *t, LLVMValueRef v, LLVMTypeRef ty) { return LLVMBuildBitCast(t->b, v, ty, ""); }

static LLVMValueRef splat_to(tr *t, LLVMValueRef x, LLVMTypeRef vty) {
    unsigned n = LLVMGetVectorSize(vty);
    LLVMValueRef v = LLVMGetUndef(vty);
    for (unsigned k = 0; k < n; k++) v = LLVMBuildInsertElement(t->b, v, x, ci32(t, k), "");
    return v;
}

static LLVMValueRef vintr1(tr *t, const char *name, LLVMValueRef a) { return call_intr1(t, name, a); }
static LLVMValueRef vintr2(tr *t, const char *name, LLVMValueRef a, LLVMValueRef b) {
    return call_intr2(t, name, a, b);
}

/* Lane shape of the integer instructions, by the sub-opcode's name family. */
static LLVMTypeRef ishape(tr *t, unsigned bits) { return vec(t, LLVMIntTypeInContext(t->c, bits), 128 / bits); }

static LLVMValueRef half(tr *t, LLVMValueRef v, bool high) {
    unsigned n = LLVMGetVectorSize(LLVMTypeOf(v));
    LLVMValueRef mask[8];
    for (unsigned k = 0; k < n / 2; k++) mask[k] = ci32(t, k + (high ? n / 2 : 0));
    return LLVMBuildShuffleVector(t->b, v, LLVMGetUndef(LLVMTypeOf(v)), LLVMConstVector(mask, n / 2), "");
}

/* The rest of the common integer and float lane operations. */
static bool simd_native2(tr *t, uint32_t op) {
    static const LLVMIntPredicate ipred[10] = {LLVMIntEQ, LLVMIntNE, LLVMIntSLT, LLVMIntULT, LLVMIntSGT,
                                               LLVMIntUGT, LLVMIntSLE, LLVMIntULE, LLVMIntSGE, LLVMIntUGE};
    static const LLVMRealPredicate fpred[6] = {LLVMRealOEQ, LLVMRealUNE, LLVMRealOLT,
                                               LLVMRealOGT, LLVMRealOLE, LLVMRealOGE};
    LLVMTypeRef f32x4 = vec(t, t->f32, 4), f64x2 = vec(t, t->f64, 2);
    int cmp = -1;
    unsigned bits = 0;
    if (op >= OP_I8X16_EQ && op <= OP_I8X16_GE_U) cmp = (int)(op - OP_I8X16_EQ), bits = 8;
    else if (op >= OP_I16X8_EQ && op <= OP_I16X8_GE_U) cmp = (int)(op - OP_I16X8_EQ), bits = 16;
    else if (op >= OP_I32X4_EQ && op <= OP_I32X4_GE_U) cmp = (int)(op - OP_I32X4_EQ), bits = 32;
    if (cmp >= 0) {
        LLVMTypeRef vty = ishape(t, bits);
        LLVMValueRef b = as(t, pop(t), vty), a = as(t, pop(t), vty);
        push(t, as(t, LLVMBuildSExt(t->b, LLVMBuildICmp(t->b, ipred[cmp], a, b, ""), vty, ""), t->v128));
        return true;
    }
    LLVMIntPredicate p64;
    switch (op) {
    case OP_I64X2_EQ: p64 = LLVMIntEQ; goto cmp64;
    case OP_I64X2_NE: p64 = LLVMIntNE; goto cmp64;
    case OP_I64X2_LT_S: p64 = LLVMIntSLT; goto cmp64;
    case OP_I64X2_GT_S: p64 = LLVMIntSGT; goto cmp64;
    case OP_I64X2_LE_S: p64 = LLVMIntSLE; goto cmp64;
    case OP_I64X2_GE_S: p64 = LLVMIntSGE;
    cmp64: {
        LLVMValueRef b = pop(t), a = pop(t);
        push(t, LLVMBuildSExt(t->b, LLVMBuildICmp(t->b, p64, a, b, ""), t->v128, ""));
        return true;
    }
    default: break;
    }
    if ((op >= OP_F32X4_EQ && op <= OP_F32X4_GE) || (op >= OP_F64X2_EQ && op <= OP_F64X2_GE)) {
        bool f32 = op <= OP_F32X4_GE;
        LLVMTypeRef vty = f32 ? f32x4 : f64x2;
        LLVMValueRef b = as(t, pop(t), vty), a = as(t, pop(t), vty);
        LLVMValueRef c = LLVMBuildFCmp(t->b, fpred[op - (f32 ? OP_F32X4_EQ : OP_F64X2_EQ)], a, b, "");
        push(t, as(t, LLVMBuildSExt(t->b, c, ishape(t, f32 ? 32 : 64), ""), t->v128));
        return true;
    }
    /* shifts */
    LLVMOpcode sh = 0;
    switch (op) {
    case OP_I8X16_SHL: sh = LLVMShl, bits = 8; break;
    case OP_I8X16_SHR_S: sh = LLVMAShr, bits = 8; break;
    case OP_I8X16_SHR_U: sh = LLVMLShr, bits = 8; break;
    case OP_I16X8_SHL: sh = LLVMShl, bits = 16; break;
    case OP_I16X8_SHR_S: sh = LLVMAShr, bits = 16; break;
    case OP_I16X8_SHR_U: sh = LLVMLShr, bits = 16; break;
    case OP_I32X4_SHL: sh = LLVMShl, bits = 32; break;
    case OP_I32X4_SHR_S: sh = LLVMAShr, bits = 32; break;
    case OP_I32X4_SHR_U: sh = LLVMLShr, bits = 32; break;
    case OP_I64X2_SHL: sh = LLVMShl, bits = 64; break;
    case OP_I64X2_SHR_S: sh = LLVMAShr, bits = 64; break;
    case OP_I64X2_SHR_U: sh = LLVMLShr, bits = 64; break;
    default: break;
    }
    if (sh) {
        LLVMTypeRef vty = ishape(t, bits), el = LLVMGetElementType(vty);
        LLVMValueRef n = LLVMBuildAnd(t->b, pop(t), ci32(t, bits - 1), "");
        n = bits == 32 ? n : bits == 64 ? LLVMBuildZExt(t->b, n, el, "") : LLVMBuildTrunc(t->b, n, el, "");
        LLVMValueRef a = as(t, pop(t), vty);
        push(t, as(t, LLVMBuildBinOp(t->b, sh, a, splat_to(t, n, vty), ""), t->v128));
        return true;
    }
    /* unary and binary integer ops, by lane width */
    const char *i2 = NULL, *i1 = NULL;
    bool neg = false;
    switch (op) {
    case OP_I8X16_NEG: neg = true, bits = 8; break;
    case OP_I16X8_NEG: neg = true, bits = 16; break;
    case OP_I32X4_NEG: neg = true, bits = 32; break;
    case OP_I64X2_NEG: neg = true, bits = 64; break;
    case OP_I8X16_ABS: i1 = "llvm.abs", bits = 8; break;
    case OP_I16X8_ABS: i1 = "llvm.abs", bits = 16; break;
    case OP_I32X4_ABS: i1 = "llvm.abs", bits = 32; break;
    case OP_I64X2_ABS: i1 = "llvm.abs", bits = 64; break;
    case OP_I8X16_POPCNT: i1 = "llvm.ctpop", bits = 8; break;
    case OP_I8X16_MIN_S: i2 = "llvm.smin", bits = 8; break;
    case OP_I8X16_MIN_U: i2 = "llvm.umin", bits = 8; break;
    case OP_I8X16_MAX_S: i2 = "llvm.smax", bits = 8; break;
    case OP_I8X16_MAX_U: i2 = "llvm.umax", bits = 8; break;
    case OP_I16X8_MIN_S: i2 = "llvm.smin", bits = 16; break;
    case OP_I16X8_MIN_U: i2 = "llvm.umin", bits = 16; break;
    case OP_I16X8_MAX_S: i2 = "llvm.smax", bits = 16; break;
    case OP_I16X8_MAX_U: i2 = "llvm.umax", bits = 16; break;
    case OP_I32X4_MIN_S: i2 = "llvm.smin", bits = 32; break;
    case OP_I32X4_MIN_U: i2 = "llvm.umin", bits = 32; break;
    case OP_I32X4_MAX_S: i2 = "llvm.smax", bits = 32; break;
    case OP_I32X4_MAX_U: i2 = "llvm.umax", bits = 32; break;
    case OP_I8X16_ADD_SAT_S: i2 = "llvm.sadd.sat", bits = 8; break;
    case OP_I8X16_ADD_SAT_U: i2 = "llvm.uadd.sat", bits = 8; break;
    case OP_I8X16_SUB_SAT_S: i2 = "llvm.ssub.sat", bits = 8; break;
    case OP_I8X16_SUB_SAT_U: i2 = "llvm.usub.sat", bits = 8; break;
    case OP_I16X8_ADD_SAT_S: i2 = "llvm.sadd.sat", bits = 16; break;
    case OP_I16X8_ADD_SAT_U: i2 = "llvm.uadd.sat", bits = 16; break;
    case OP_I16X8_SUB_SAT_S: i2 = "llvm.ssub.sat", bits = 16; break;
    case OP_I16X8_SUB_SAT_U: i2 = "llvm.usub.sat", bits = 16; break;
    default: break;
    }
    if (neg || i1 || i2) {
        LLVMTypeRef vty = ishape(t, bits);
        LLVMValueRef r;
        if (i2) {
            LLVMValueRef b = as(t, pop(t), vty), a = as(t, pop(t), vty);
            r = vintr2(t, i2, a, b);
        } else {
            LLVMValueRef a = as(t, pop(t), vty);
            r = neg ? LLVMBuildNeg(t->b, a, "")
              : !strcmp(i1, "llvm.abs") ? vintr2(t, i1, a, LLVMConstInt(t->i1, 0, 0)) : vintr1(t, i1, a);
        }
        push(t, as(t, r, t->v128));
        return true;
    }
    /* extensions */
    unsigned from = 0;
    bool high = false, sgn = false;
    switch (op) {
    case OP_I16X8_EXTEND_LOW_I8X16_S: from = 8, sgn = true; break;
    case OP_I16X8_EXTEND_HIGH_I8X16_S: from = 8, sgn = true, high = true; break;
    case OP_I16X8_EXTEND_LOW_I8X16_U: from = 8; break;
    case OP_I16X8_EXTEND_HIGH_I8X16_U: from = 8, high = true; break;
    case OP_I32X4_EXTEND_LOW_I16X8_S: from = 16, sgn = true; break;
    case OP_I32X4_EXTEND_HIGH_I16X8_S: from = 16, sgn = true, high = true; break;
    case OP_I32X4_EXTEND_LOW_I16X8_U: from = 16; break;
    case OP_I32X4_EXTEND_HIGH_I16X8_U: from = 16, high = true; break;
    case OP_I64X2_EXTEND_LOW_I32X4_S: from = 32, sgn = true; break;
    case OP_I64X2_EXTEND_HIGH_I32X4_S: from = 32, sgn = true, high = true; break;
    case OP_I64X2_EXTEND_LOW_I32X4_U: from = 32; break;
    case OP_I64X2_EXTEND_HIGH_I32X4_U: from = 32, high = true; break;
    default: break;
    }
    if (from) {
        LLVMValueRef h = half(t, as(t, pop(t), ishape(t, from)), high);
        LLVMTypeRef wide = ishape(t, from * 2);
        push(t, as(t, sgn ? LLVMBuildSExt(t->b, h, wide, "") : LLVMBuildZExt(t->b, h, wide, ""), t->v128));
        return true;
    }
    switch (op) {
    case OP_F32X4_ABS: case OP_F64X2_ABS: case OP_F32X4_NEG: case OP_F64X2_NEG:
    case OP_F32X4_SQRT: case OP_F64X2_SQRT: {
        bool f32 = op == OP_F32X4_ABS || op == OP_F32X4_NEG || op == OP_F32X4_SQRT;
        LLVMValueRef a = as(t, pop(t), f32 ? f32x4 : f64x2);
        LLVMValueRef r = (op == OP_F32X4_NEG || op == OP_F64X2_NEG) ? LLVMBuildFNeg(t->b, a, "")
                       : vintr1(t, (op == OP_F32X4_ABS || op == OP_F64X2_ABS) ? "llvm.fabs" : "llvm.sqrt", a);
        push(t, as(t, r, t->v128));
        return true;
    }
    case OP_F32X4_PMIN: case OP_F32X4_PMAX: case OP_F64X2_PMIN: case OP_F64X2_PMAX: {
        bool f32 = op == OP_F32X4_PMIN || op == OP_F32X4_PMAX;
        bool mn = op == OP_F32X4_PMIN || op == OP_F64X2_PMIN;
        LLVMTypeRef vty = f32 ? f32x4 : f64x2;
        LLVMValueRef b = as(t, pop(t), vty), a = as(t, pop(t), vty);
        /* pmin: b < a ? b : a; pmax: a < b ? b : a */
        LLVMValueRef c = mn ? LLVMBuildFCmp(t->b, LLVMRealOLT, b, a, "") : LLVMBuildFCmp(t->b, LLVMRealOLT, a, b, "");
        push(t, as(t, LLVMBuildSelect(t->b, c, b, a, ""), t->v128));
        return true;
    }
    case OP_F32X4_CONVERT_I32X4_S: case OP_F32X4_CONVERT_I32X4_U: {
        LLVMValueRef a = as(t, pop(t), ishape(t, 32));
        LLVMValueRef r = op == OP_F32X4_CONVERT_I32X4_S ? LLVMBuildSIToFP(t->b, a, f32x4, "") : LLVMBuildUIToFP(t->b, a, f32x4, "");
        push(t, as(t, r, t->v128));
        return true;
    }
    case OP_F64X2_CONVERT_LOW_I32X4_S: case OP_F64X2_CONVERT_LOW_I32X4_U: {
        LLVMValueRef a = half(t, as(t, pop(t), ishape(t, 32)), false);
        LLVMValueRef r = op == OP_F64X2_CONVERT_LOW_I32X4_S ? LLVMBuildSIToFP(t->b, a, f64x2, "") : LLVMBuildUIToFP(t->b, a, f64x2, "");
        push(t, as(t, r, t->v128));
        return true;
    }
    case OP_I32X4_TRUNC_SAT_F32X4_S: case OP_I32X4_TRUNC_SAT_F32X4_U: {
        LLVMValueRef a = as(t, pop(t), f32x4);
        LLVMTypeRef tys[2] = {ishape(t, 32), f32x4}, fty;
        LLVMValueRef f = intrinsic(t, op == OP_I32X4_TRUNC_SAT_F32X4_S ? "llvm.fptosi.sat" : "llvm.fptoui.sat", tys, 2, &fty);
        push(t, as(t, LLVMBuildCall2(t->b, fty, f, &a, 1, ""), t->v128));
        return true;
    }
    case OP_V128_ANY_TRUE: {
        LLVMValueRef a = as(t, pop(t), LLVMIntTypeInContext(t->c, 128));
        push(t, b2i(t, LLVMBuildICmp(t->b, LLVMIntNE, a, LLVMConstNull(LLVMTypeOf(a)), "")));
        return true;
    }
    case OP_I8X16_ALL_TRUE: case OP_I16X8_ALL_TRUE: case OP_I32X4_ALL_TRUE: case OP_I64X2_ALL_TRUE:
    case OP_I8X16_BITMASK: case OP_I16X8_BITMASK: case OP_I32X4_BITMASK: case OP_I64X2_BITMASK: {
        bool all = op == OP_I8X16_ALL_TRUE || op == OP_I16X8_ALL_TRUE || op == OP_I32X4_ALL_TRUE || op == OP_I64X2_ALL_TRUE;
        bits = (op == OP_I8X16_ALL_TRUE || op == OP_I8X16_BITMASK) ? 8
             : (op == OP_I16X8_ALL_TRUE || op == OP_I16X8_BITMASK) ? 16
             : (op == OP_I32X4_ALL_TRUE || op == OP_I32X4_BITMASK) ? 32 : 64;
        LLVMTypeRef vty = ishape(t, bits);
        unsigned n = 128 / bits;
        LLVMValueRef a = as(t, pop(t), vty);
        LLVMValueRef c = LLVMBuildICmp(t->b, all ? LLVMIntNE : LLVMIntSLT, a, LLVMConstNull(vty), "");
        LLVMValueRef m = LLVMBuildBitCast(t->b, c, LLVMIntTypeInContext(t->c, n), "");
        if (all) push(t, b2i(t, LLVMBuildICmp(t->b, LLVMIntEQ, m, LLVMConstAllOnes(LLVMTypeOf(m)), "")));
        else push(t, LLVMBuildZExt(t->b, m, t->i32, ""));
        return true;
    }
    default: return false;
    }
}

/* Common SIMD instructions as LLVM vector operations; false: not handled. */
static bool simd_native(tr *t, uint32_t op, const imm *im) {
    LLVMTypeRef i8x16 = vec(t, t->i8, 16), i16x8 = vec(t, t->i16, 8), i32x4 = vec(t, t->i32, 4),
                i64x2 = t->v128, f32x4 = vec(t, t->f32, 4), f64x2 = vec(t, t->f64, 2);
    LLVMTypeRef ty = NULL;
    LLVMOpcode bop = 0;
    switch (op) {
    case OP_V128_CONST: {
        uint64_t lo, hi;
        memcpy(&lo, im->bytes, 8);
        memcpy(&hi, im->bytes + 8, 8);
        LLVMValueRef e[2] = {ci64(t, lo), ci64(t, hi)};
        push(t, LLVMConstVector(e, 2));
        return true;
    }
    case OP_V128_AND: bop = LLVMAnd, ty = i64x2; break;
    case OP_V128_OR: bop = LLVMOr, ty = i64x2; break;
    case OP_V128_XOR: bop = LLVMXor, ty = i64x2; break;
    case OP_I8X16_ADD: bop = LLVMAdd, ty = i8x16; break;
    case OP_I8X16_SUB: bop = LLVMSub, ty = i8x16; break;
    case OP_I16X8_ADD: bop = LLVMAdd, ty = i16x8; break;
    case OP_I16X8_SUB: bop = LLVMSub, ty = i16x8; break;
    case OP_I16X8_MUL: bop = LLVMMul, ty = i16x8; break;
    case OP_I32X4_ADD: bop = LLVMAdd, ty = i32x4; break;
    case OP_I32X4_SUB: bop = LLVMSub, ty = i32x4; break;
    case OP_I32X4_MUL: bop = LLVMMul, ty = i32x4; break;
    case OP_I64X2_ADD: bop = LLVMAdd, ty = i64x2; break;
    case OP_I64X2_SUB: bop = LLVMSub, ty = i64x2; break;
    case OP_I64X2_MUL: bop = LLVMMul, ty = i64x2; break;
    case OP_F32X4_ADD: bop = LLVMFAdd, ty = f32x4; break;
    case OP_F32X4_SUB: bop = LLVMFSub, ty = f32x4; break;
    case OP_F32X4_MUL: bop = LLVMFMul, ty = f32x4; break;
    case OP_F32X4_DIV: bop = LLVMFDiv, ty = f32x4; break;
    case OP_F64X2_ADD: bop = LLVMFAdd, ty = f64x2; break;
    case OP_F64X2_SUB: bop = LLVMFSub, ty = f64x2; break;
    case OP_F64X2_MUL: bop = LLVMFMul, ty = f64x2; break;
    case OP_F64X2_DIV: bop = LLVMFDiv, ty = f64x2; break;
    case OP_V128_NOT: push(t, LLVMBuildNot(t->b, pop(t), "")); return true;
    case OP_V128_ANDNOT: {
        LLVMValueRef b = pop(t), a = pop(t);
        push(t, LLVMBuildAnd(t->b, a, LLVMBuildNot(t->b, b, ""), ""));
        return true;
    }
    case OP_V128_BITSELECT: {
        LLVMValueRef c = pop(t), b = pop(t), a = pop(t);
        push(t, LLVMBuildOr(t->b, LLVMBuildAnd(t->b, a, c, ""),
                            LLVMBuildAnd(t->b, b, LLVMBuildNot(t->b, c, ""), ""), ""));
        return true;
    }
    case OP_I8X16_SPLAT: case OP_I16X8_SPLAT: case OP_I32X4_SPLAT: case OP_I64X2_SPLAT:
    case OP_F32X4_SPLAT: case OP_F64X2_SPLAT: {
        static const unsigned lanes[] = {16, 8, 4, 2, 4, 2};
        unsigned n = lanes[op - OP_I8X16_SPLAT];
        LLVMValueRef x = pop(t);
        LLVMTypeRef el = op == OP_I8X16_SPLAT ? t->i8 : op == OP_I16X8_SPLAT ? t->i16 : LLVMTypeOf(x);
        if (el != LLVMTypeOf(x)) x = LLVMBuildTrunc(t->b, x, el, "");
        LLVMValueRef v = LLVMGetUndef(vec(t, el, n));
        for (unsigned k = 0; k < n; k++) v = LLVMBuildInsertElement(t->b, v, x, ci32(t, k), "");
        push(t, as(t, v, t->v128));
        return true;
    }
    case OP_I8X16_EXTRACT_LANE_S: case OP_I8X16_EXTRACT_LANE_U:
    case OP_I16X8_EXTRACT_LANE_S: case OP_I16X8_EXTRACT_LANE_U:
    case OP_I32X4_EXTRACT_LANE: case OP_I64X2_EXTRACT_LANE:
    case OP_F32X4_EXTRACT_LANE: case OP_F64X2_EXTRACT_LANE: {
        LLVMTypeRef vty = op <= OP_I8X16_EXTRACT_LANE_U ? i8x16 : op <= OP_I16X8_EXTRACT_LANE_U ? i16x8
                        : op == OP_I32X4_EXTRACT_LANE ? i32x4 : op == OP_I64X2_EXTRACT_LANE ? i64x2
                        : op == OP_F32X4_EXTRACT_LANE ? f32x4 : f64x2;
        LLVMValueRef e = LLVMBuildExtractElement(t->b, as(t, pop(t), vty), ci32(t, im->lane), "");
        if (op == OP_I8X16_EXTRACT_LANE_S || op == OP_I16X8_EXTRACT_LANE_S) e = LLVMBuildSExt(t->b, e, t->i32, "");
        if (op == OP_I8X16_EXTRACT_LANE_U || op == OP_I16X8_EXTRACT_LANE_U) e = LLVMBuildZExt(t->b, e, t->i32, "");
        push(t, e);
        return true;
    }
    case OP_I8X16_REPLACE_LANE: case OP_I16X8_REPLACE_LANE: case OP_I32X4_REPLACE_LANE:
    case OP_I64X2_REPLACE_LANE: case OP_F32X4_REPLACE_LANE: case OP_F64X2_REPLACE_LANE: {
        LLVMTypeRef vty = op == OP_I8X16_REPLACE_LANE ? i8x16 : op == OP_I16X8_REPLACE_LANE ? i16x8
                        : op == OP_I32X4_REPLACE_LANE ? i32x4 : op == OP_I64X2_REPLACE_LANE ? i64x2
                        : op == OP_F32X4_REPLACE_LANE ? f32x4 : f64x2;
        LLVMValueRef x = pop(t), v = as(t, pop(t), vty);
        LLVMTypeRef el = LLVMGetElementType(vty);
        if (LLVMTypeOf(x) != el) x = LLVMBuildTrunc(t->b, x, el, "");
        push(t, as(t, LLVMBuildInsertElement(t->b, v, x, ci32(t, im->lane), ""), t->v128));
        return true;
    }
    case OP_I8X16_SHUFFLE: {
        LLVMValueRef b = as(t, pop(t), i8x16), a = as(t, pop(t), i8x16);
        LLVMValueRef mask[16];
        for (int k = 0; k < 16; k++) mask[k] = ci32(t, im->bytes[k]);
        push(t, as(t, LLVMBuildShuffleVector(t->b, a, b, LLVMConstVector(mask, 16), ""), t->v128));
        return true;
    }
    default: return simd_native2(t, op);
    }
    LLVMValueRef b = as(t, pop(t), ty), a = as(t, pop(t), ty);
    push(t, as(t, LLVMBuildBinOp(t->b, bop, a, b, ""), t->v128));
    return true;
}

static LLVMValueRef mem_load(tr *t, LLVMTypeRef ty, LLVMValueRef p) {
    LLVMValueRef v = LLVMBuildLoad2(t->b, ty, p, "");
    LLVMSetAlignment(v, 1);
    LLVMSetMetadata(v, t->md_memload, t->md_empty);
    return tag(t, v, t->tbaa_mem);
}

/* Extending, splatting, zero-filling and lane loads as vector IR. */
static bool simd_load_native(tr *t, uint32_t op, const imm *im, uint32_t size) {
    if (op >= OP_V128_LOAD8X8_S && op <= OP_V128_LOAD32X2_U) {
        unsigned k = (op - OP_V128_LOAD8X8_S) / 2, bits = 8u << k, n = 8u >> k;
        bool sgn = (op - OP_V128_LOAD8X8_S) % 2 == 0;
        LLVMValueRef p = mem_addr(t, pop(t), im->offset, 8);
        LLVMValueRef v = mem_load(t, vec(t, LLVMIntTypeInContext(t->c, bits), n), p);
        LLVMTypeRef wide = vec(t, LLVMIntTypeInContext(t->c, bits * 2), n);
        v = sgn ? LLVMBuildSExt(t->b, v, wide, "") : LLVMBuildZExt(t->b, v, wide, "");
        push(t, as(t, v, t->v128));
        return true;
    }
    if ((op >= OP_V128_LOAD8_SPLAT && op <= OP_V128_LOAD64_SPLAT) || op == OP_V128_LOAD32_ZERO ||
        op == OP_V128_LOAD64_ZERO || (op >= OP_V128_LOAD8_LANE && op <= OP_V128_LOAD64_LANE)) {
        LLVMTypeRef el = LLVMIntTypeInContext(t->c, size * 8);
        unsigned n = 16 / size;
        LLVMTypeRef vty = vec(t, el, n);
        LLVMValueRef v = NULL; /* set below when lane */
        bool lane = op >= OP_V128_LOAD8_LANE && op <= OP_V128_LOAD64_LANE;
        if (lane) v = as(t, pop(t), vty);
        LLVMValueRef p = mem_addr(t, pop(t), im->offset, size);
        LLVMValueRef x = mem_load(t, el, p);
        if (lane) {
            v = LLVMBuildInsertElement(t->b, v, x, ci32(t, im->lane), "");
        } else if (op == OP_V128_LOAD32_ZERO || op == OP_V128_LOAD64_ZERO) {
            v = LLVMBuildInsertElement(t->b, LLVMConstNull(vty), x, ci32(t, 0), "");
        } else {
            v = LLVMGetUndef(vty);
            for (unsigned k = 0; k < n; k++) v = LLVMBuildInsertElement(t->b, v, x, ci32(t, k), "");
        }
        push(t, as(t, v, t->v128));
        return true;
    }
    return false;
}

static void simd_mem(tr *t, uint32_t op, const imm *im) {
    uint32_t size = wasm_simd_access_size(op);
    if (op == OP_V128_STORE) {
        LLVMValueRef v = pop(t);
        LLVMValueRef p = mem_addr(t, pop(t), im->offset, 16);
        LLVMSetAlignment(tag(t, LLVMBuildStore(t->b, v, p), t->tbaa_mem), 1);
        return;
    }
    if (op >= OP_V128_STORE8_LANE && op <= OP_V128_STORE64_LANE) {
        LLVMValueRef v = pop(t);
        LLVMValueRef p = mem_addr(t, pop(t), im->offset, size);
        LLVMTypeRef el = LLVMIntTypeInContext(t->c, size * 8);
        LLVMValueRef e = LLVMBuildExtractElement(t->b, as(t, v, vec(t, el, 16 / size)), ci32(t, im->lane), "");
        LLVMSetAlignment(tag(t, LLVMBuildStore(t->b, e, p), t->tbaa_mem), 1);
        return;
    }
    if (op == OP_V128_LOAD) {
        LLVMValueRef p = mem_addr(t, pop(t), im->offset, 16);
        LLVMValueRef v = LLVMBuildLoad2(t->b, t->v128, p, "");
        LLVMSetAlignment(v, 1);
        LLVMSetMetadata(v, t->md_memload, t->md_empty);
        tag(t, v, t->tbaa_mem);
        push(t, v);
        return;
    }
    if (simd_load_native(t, op, im, size)) return;
    /* the other loads: simd.c's, on the checked address */
    LLVMValueRef vecin = NULL;
    if (op >= OP_V128_LOAD8_LANE && op <= OP_V128_LOAD64_LANE) vecin = pop(t);
    LLVMValueRef p = mem_addr(t, pop(t), im->offset, size);
    for (int k = 0; k < 4; k++)
        if (!t->simd_tmp[k]) t->simd_tmp[k] = alloca_of(t, t->v128);
    if (vecin) LLVMSetAlignment(LLVMBuildStore(t->b, vecin, t->simd_tmp[0]), 8);
    LLVMValueRef args[5] = {ci32(t, op), t->simd_tmp[3], p, t->simd_tmp[0], ci32(t, im->lane)};
    call_c(t, (const void *)wasm_jit_simd_load, t->voidt, args, 5);
    LLVMValueRef v = LLVMBuildLoad2(t->b, t->v128, t->simd_tmp[3], "");
    LLVMSetAlignment(v, 8);
    push(t, v);
}

/* ---- the instruction loop ------------------------------------------------------ */

static LLVMValueRef fconst32(tr *t, const uint8_t *b) {
    uint32_t bits;
    memcpy(&bits, b, 4);
    return LLVMBuildBitCast(t->b, ci32(t, bits), t->f32, "");
}
static LLVMValueRef fconst64(tr *t, const uint8_t *b) {
    uint64_t bits;
    memcpy(&bits, b, 8);
    return LLVMBuildBitCast(t->b, ci64(t, bits), t->f64, "");
}

static LLVMValueRef global_ptr(tr *t, uint32_t g) {
    LLVMValueRef globals = load_inv(t, t->ptr, t->vm, offsetof(wasm_jit_vm, globals));
    LLVMValueRef gp = load_inv(t, t->ptr, globals, 8u * g);
    return gep(t, gp, offsetof(aw_global, value));
}

static LLVMValueRef table_const(tr *t, uint32_t x) { return ci32(t, x); }

static void end_block(tr *t) {
    ctrl *c = &t->ctl[t->nctl - 1];
    if (!c->dead) { /* fall through to the end with the results */
        store_top(t, c->res_slots, c->nresults);
        LLVMBuildBr(t->b, c->end_bb);
        c->end_reached = true;
    }
    if (c->kind == K_IF && c->else_bb) {
        /* no else: the parameters pass through as the results */
        LLVMPositionBuilderAtEnd(t->b, c->else_bb);
        for (uint32_t i = 0; i < c->nresults; i++) LLVMBuildStore(t->b, c->if_params[i], c->res_slots[i]);
        LLVMBuildBr(t->b, c->end_bb);
        c->end_reached = true;
    }
    t->sp = c->height;
    bool reached = c->end_reached;
    if (reached) {
        LLVMPositionBuilderAtEnd(t->b, c->end_bb);
        for (uint32_t i = 0; i < c->nresults; i++)
            push(t, LLVMBuildLoad2(t->b, vt(t, c->results[i]), c->res_slots[i], ""));
    } else {
        LLVMDeleteBasicBlock(c->end_bb);
    }
    free_ctrl(c);
    t->nctl--;
    if (!reached) set_dead(t);
}

static bool translate_op(tr *t, uint8_t op);

/* A dropped value: a load of linear memory that computed it must still
 * trap when out of bounds, which LLVM would not keep for an unused load
 * (guard pages make the trap the load's side effect): make it volatile. */
static void discard(tr *t, LLVMValueRef v, int depth) {
    if (!LLVMIsAInstruction(v) || depth == 0) return;
    if (LLVMIsALoadInst(v)) {
        if (LLVMGetMetadata(v, t->md_memload)) LLVMSetVolatile(v, 1);
        return;
    }
    int n = LLVMGetNumOperands(v);
    for (int i = 0; i < n; i++) discard(t, LLVMGetOperand(v, i), depth - 1);
}

static bool translate_body(tr *t) {
    uint32_t dead_depth = 0;
    while (t->nctl > 0) {
        t->op_offset = wasm_reader_offset(&t->r);
        uint8_t op;
        if (!wasm_read_u8(&t->r, &op)) return false;
        if (t->ctl[t->nctl - 1].dead) {
            /* skip unreachable code, keeping count of nested blocks */
            imm im;
            if (op == OP_BLOCK || op == OP_LOOP || op == OP_IF) {
                dead_depth++;
                if (!read_imm(&t->r, WASM_IMM_BLOCK, &im)) return false;
                continue;
            }
            if (op == OP_END && dead_depth) {
                dead_depth--;
                continue;
            }
            if (dead_depth || (op != OP_END && op != OP_ELSE)) {
                unsigned kind = imm_op[op];
                if (op == OP_PREFIX_FC || op == OP_PREFIX_FD) {
                    uint32_t sub;
                    if (!wasm_read_u32(&t->r, &sub)) return false;
                    kind = op == OP_PREFIX_FC ? imm_fc[sub & 31] : imm_fd[sub & 255];
                }
                if (!read_imm(&t->r, kind, &im)) return false;
                continue;
            }
        }
        if (!translate_op(t, op)) return false;
    }
    return true;
}

static bool translate_fc(tr *t, uint32_t sub) {
    imm im = {0};
    if (!read_imm(&t->r, imm_fc[sub & 31], &im)) return false;
    switch (sub) {
    case OP_I32_TRUNC_SAT_F32_S: case OP_I32_TRUNC_SAT_F64_S: trunc_sat(t, t->i32, true); break;
    case OP_I32_TRUNC_SAT_F32_U: case OP_I32_TRUNC_SAT_F64_U: trunc_sat(t, t->i32, false); break;
    case OP_I64_TRUNC_SAT_F32_S: case OP_I64_TRUNC_SAT_F64_S: trunc_sat(t, t->i64, true); break;
    case OP_I64_TRUNC_SAT_F32_U: case OP_I64_TRUNC_SAT_F64_U: trunc_sat(t, t->i64, false); break;
    case OP_MEMORY_INIT: {
        LLVMValueRef n = pop(t), s = pop(t), d = pop(t);
        LLVMValueRef a[5] = {t->vm, ci32(t, im.a), d, s, n};
        trap_if_code(t, call_c(t, (const void *)wasm_jit_memory_init, t->i32, a, 5));
        break;
    }
    case OP_DATA_DROP: {
        LLVMValueRef a[2] = {t->vm, ci32(t, im.a)};
        call_c(t, (const void *)wasm_jit_data_drop, t->voidt, a, 2);
        break;
    }
    case OP_MEMORY_COPY: {
        LLVMValueRef n = pop(t), s = pop(t), d = pop(t);
        LLVMValueRef a[4] = {t->vm, d, s, n};
        trap_if_code(t, call_c(t, (const void *)wasm_jit_memory_copy, t->i32, a, 4));
        break;
    }
    case OP_MEMORY_FILL: {
        LLVMValueRef n = pop(t), v = pop(t), d = pop(t);
        LLVMValueRef a[4] = {t->vm, d, v, n};
        trap_if_code(t, call_c(t, (const void *)wasm_jit_memory_fill, t->i32, a, 4));
        break;
    }
    case OP_TABLE_INIT: {
        LLVMValueRef n = pop(t), s = pop(t), d = pop(t);
        LLVMValueRef a[6] = {t->vm, table_const(t, im.b), ci32(t, im.a), d, s, n};
        trap_if_code(t, call_c(t, (const void *)wasm_jit_table_init, t->i32, a, 6));
        break;
    }
    case OP_ELEM_DROP: {
        LLVMValueRef a[2] = {t->vm, ci32(t, im.a)};
        call_c(t, (const void *)wasm_jit_elem_drop, t->voidt, a, 2);
        break;
    }
    case OP_TABLE_COPY: {
        LLVMValueRef n = pop(t), s = pop(t), d = pop(t);
        LLVMValueRef a[6] = {t->vm, table_const(t, im.a), table_const(t, im.b), d, s, n};
        trap_if_code(t, call_c(t, (const void *)wasm_jit_table_copy, t->i32, a, 6));
        break;
    }
    case OP_TABLE_GROW: {
        LLVMValueRef n = pop(t), v = pop(t);
        LLVMValueRef a[4] = {t->vm, table_const(t, im.a), v, n};
        push(t, call_c(t, (const void *)wasm_jit_table_grow, t->i32, a, 4));
        break;
    }
    case OP_TABLE_SIZE: {
        LLVMValueRef a[2] = {t->vm, table_const(t, im.a)};
        push(t, call_c(t, (const void *)wasm_jit_table_size, t->i32, a, 2));
        break;
    }
    case OP_TABLE_FILL: {
        LLVMValueRef n = pop(t), v = pop(t), i = pop(t);
        LLVMValueRef a[5] = {t->vm, table_const(t, im.a), i, v, n};
        trap_if_code(t, call_c(t, (const void *)wasm_jit_table_fill, t->i32, a, 5));
        break;
    }
    default: t->fail = "unknown 0xFC instruction"; return false;
    }
    return true;
}

static bool translate_fd(tr *t, uint32_t sub) {
    imm im = {0};
    if (sub > 255 || !sig_fd[sub]) {
        t->fail = "unknown SIMD instruction";
        return false;
    }
    if (!read_imm(&t->r, imm_fd[sub], &im)) return false;
    if (imm_fd[sub] == WASM_IMM_MEMARG || imm_fd[sub] == WASM_IMM_MEMARG_LANE) {
        simd_mem(t, sub, &im);
        return true;
    }
    if (!simd_native(t, sub, &im)) simd_generic(t, sub, &im);
    return true;
}

static bool translate_op(tr *t, uint8_t op) {
    imm im = {0};
    if (op != OP_PREFIX_FC && op != OP_PREFIX_FD && !read_imm(&t->r, imm_op[op], &im)) return false;
    ctrl *top = &t->ctl[t->nctl - 1];
    switch (op) {
    case OP_UNREACHABLE: emit_trap_call(t, ci32(t, AW_TRAP_UNREACHABLE)); set_dead(t); break;
    case OP_NOP: break;
    case OP_BLOCK: {
        ctrl *c = push_ctrl(t, K_BLOCK, im.bt);
        (void)c;
        break;
    }
    case OP_LOOP: {
        ctrl *c = push_ctrl(t, K_LOOP, im.bt);
        c->label_slots = make_slots(t, c->nparams, c->params);
        store_top(t, c->label_slots, c->nparams);
        c->loop_bb = new_bb(t, "loop");
        LLVMBuildBr(t->b, c->loop_bb);
        LLVMPositionBuilderAtEnd(t->b, c->loop_bb);
        t->sp -= c->nparams;
        for (uint32_t i = 0; i < c->nparams; i++)
            push(t, LLVMBuildLoad2(t->b, vt(t, c->params[i]), c->label_slots[i], ""));
        if (t->loop_checks) emit_check(t);
        break;
    }
    case OP_IF: {
        LLVMValueRef cond = pop(t);
        ctrl *c = push_ctrl(t, K_IF, im.bt);
        if (c->nparams) {
            c->if_params = malloc(c->nparams * sizeof *c->if_params);
            if (!c->if_params) abort();
            memcpy(c->if_params, t->stk + c->height, c->nparams * sizeof *c->if_params);
        }
        LLVMBasicBlockRef then_bb = new_bb(t, "then");
        c->else_bb = new_bb(t, "else");
        LLVMBuildCondBr(t->b, LLVMBuildICmp(t->b, LLVMIntNE, cond, ci32(t, 0), ""), then_bb, c->else_bb);
        LLVMPositionBuilderAtEnd(t->b, then_bb);
        break;
    }
    case OP_ELSE: {
        if (!top->dead) branch_to(t, top);
        t->sp = top->height;
        for (uint32_t i = 0; i < top->nparams; i++) push(t, top->if_params[i]);
        LLVMPositionBuilderAtEnd(t->b, top->else_bb);
        top->else_bb = NULL;
        top->dead = false;
        break;
    }
    case OP_END:
        if (top->kind == K_FUNC) {
            if (!top->dead) branch_to(t, top);
            t->nctl--; /* the function's frame: finished by translate_func */
        } else {
            end_block(t);
        }
        break;
    case OP_BR: branch_to(t, &t->ctl[t->nctl - 1 - im.a]); set_dead(t); break;
    case OP_BR_IF: {
        LLVMValueRef cond = pop(t);
        LLVMBasicBlockRef taken = new_bb(t, "br"), cont = new_bb(t, "");
        LLVMBuildCondBr(t->b, LLVMBuildICmp(t->b, LLVMIntNE, cond, ci32(t, 0), ""), taken, cont);
        LLVMPositionBuilderAtEnd(t->b, taken);
        branch_to(t, &t->ctl[t->nctl - 1 - im.a]);
        LLVMPositionBuilderAtEnd(t->b, cont);
        break;
    }
    case OP_BR_TABLE: {
        LLVMValueRef idx = pop(t);
        wasm_reader rr;
        wasm_reader_init(&rr, t->r.base, im.bytes, t->r.end);
        uint32_t n = im.a, depth = 0;
        /* every target gets the same values: store them to each distinct
         * target's slots first, then one switch */
        LLVMBasicBlockRef *bbs = malloc((n + 1) * sizeof *bbs);
        if (!bbs) abort();
        for (uint32_t k = 0; k <= n; k++) {
            wasm_read_u32(&rr, &depth);
            ctrl *c = &t->ctl[t->nctl - 1 - depth];
            store_top(t, c->label_slots, label_arity(c));
            if (c->kind == K_LOOP) bbs[k] = c->loop_bb;
            else {
                c->end_reached = true;
                bbs[k] = c->end_bb;
            }
        }
        LLVMValueRef sw = LLVMBuildSwitch(t->b, idx, bbs[n], n);
        for (uint32_t k = 0; k < n; k++) LLVMAddCase(sw, ci32(t, k), bbs[k]);
        free(bbs);
        set_dead(t);
        break;
    }
    case OP_RETURN: branch_to(t, &t->ctl[0]); set_dead(t); break;
    case OP_CALL: emit_call(t, im.a); break;
    case OP_CALL_INDIRECT: emit_call_indirect(t, im.a, im.b); break;
    case OP_DROP: discard(t, pop(t), 4); break;
    case OP_SELECT:
    case OP_SELECT_T: {
        LLVMValueRef c = pop(t), b = pop(t), a = pop(t);
        push(t, LLVMBuildSelect(t->b, LLVMBuildICmp(t->b, LLVMIntNE, c, ci32(t, 0), ""), a, b, ""));
        break;
    }
    case OP_LOCAL_GET: push(t, LLVMBuildLoad2(t->b, vt(t, t->local_types[im.a]), t->locals[im.a], "")); break;
    case OP_LOCAL_SET: LLVMBuildStore(t->b, pop(t), t->locals[im.a]); break;
    case OP_LOCAL_TEE: LLVMBuildStore(t->b, t->stk[t->sp - 1], t->locals[im.a]); break;
    case OP_GLOBAL_GET: {
        LLVMValueRef v = LLVMBuildLoad2(t->b, vt(t, t->m->globals[im.a].type), global_ptr(t, im.a), "");
        LLVMSetAlignment(v, 8);
        tag(t, v, t->tbaa_glob);
        push(t, v);
        break;
    }
    case OP_GLOBAL_SET: {
        LLVMValueRef v = pop(t);
        LLVMSetAlignment(tag(t, LLVMBuildStore(t->b, v, global_ptr(t, im.a)), t->tbaa_glob), 8);
        break;
    }
    case OP_TABLE_GET: {
        LLVMValueRef i = pop(t);
        LLVMValueRef out = alloca_of(t, t->ptr);
        LLVMValueRef a[4] = {t->vm, table_const(t, im.a), i, out};
        trap_if_code(t, call_c(t, (const void *)wasm_jit_table_get, t->i32, a, 4));
        push(t, LLVMBuildLoad2(t->b, t->ptr, out, ""));
        break;
    }
    case OP_TABLE_SET: {
        LLVMValueRef v = pop(t), i = pop(t);
        LLVMValueRef a[4] = {t->vm, table_const(t, im.a), i, v};
        trap_if_code(t, call_c(t, (const void *)wasm_jit_table_set, t->i32, a, 4));
        break;
    }
    case OP_I32_LOAD: emit_load(t, &im, t->i32, 4, t->i32, 0); break;
    case OP_I64_LOAD: emit_load(t, &im, t->i64, 8, t->i64, 0); break;
    case OP_F32_LOAD: emit_load(t, &im, t->f32, 4, t->f32, 0); break;
    case OP_F64_LOAD: emit_load(t, &im, t->f64, 8, t->f64, 0); break;
    case OP_I32_LOAD8_S: emit_load(t, &im, t->i8, 1, t->i32, 1); break;
    case OP_I32_LOAD8_U: emit_load(t, &im, t->i8, 1, t->i32, -1); break;
    case OP_I32_LOAD16_S: emit_load(t, &im, t->i16, 2, t->i32, 1); break;
    case OP_I32_LOAD16_U: emit_load(t, &im, t->i16, 2, t->i32, -1); break;
    case OP_I64_LOAD8_S: emit_load(t, &im, t->i8, 1, t->i64, 1); break;
    case OP_I64_LOAD8_U: emit_load(t, &im, t->i8, 1, t->i64, -1); break;
    case OP_I64_LOAD16_S: emit_load(t, &im, t->i16, 2, t->i64, 1); break;
    case OP_I64_LOAD16_U: emit_load(t, &im, t->i16, 2, t->i64, -1); break;
    case OP_I64_LOAD32_S: emit_load(t, &im, t->i32, 4, t->i64, 1); break;
    case OP_I64_LOAD32_U: emit_load(t, &im, t->i32, 4, t->i64, -1); break;
    case OP_I32_STORE: emit_store(t, &im, t->i32, 4); break;
    case OP_I64_STORE: emit_store(t, &im, t->i64, 8); break;
    case OP_F32_STORE: emit_store(t, &im, t->f32, 4); break;
    case OP_F64_STORE: emit_store(t, &im, t->f64, 8); break;
    case OP_I32_STORE8: case OP_I64_STORE8: emit_store(t, &im, t->i8, 1); break;
    case OP_I32_STORE16: case OP_I64_STORE16: emit_store(t, &im, t->i16, 2); break;
    case OP_I64_STORE32: emit_store(t, &im, t->i32, 4); break;
    case OP_MEMORY_SIZE: push(t, load_at(t, t->i32, t->mem0obj, offsetof(aw_memory, pages))); break;
    case OP_MEMORY_GROW: {
        LLVMValueRef a[2] = {t->vm, pop(t)};
        push(t, call_c(t, (const void *)wasm_jit_memory_grow, t->i32, a, 2));
        break;
    }
    case OP_I32_CONST: push(t, ci32(t, (uint64_t)(uint32_t)im.i)); break;
    case OP_I64_CONST: push(t, ci64(t, (uint64_t)im.i)); break;
    case OP_F32_CONST: push(t, fconst32(t, im.bytes)); break;
    case OP_F64_CONST: push(t, fconst64(t, im.bytes)); break;

    case OP_I32_EQZ: case OP_I64_EQZ: {
        LLVMValueRef a = pop(t);
        push(t, b2i(t, LLVMBuildICmp(t->b, LLVMIntEQ, a, LLVMConstInt(LLVMTypeOf(a), 0, 0), "")));
        break;
    }
    case OP_I32_EQ: case OP_I64_EQ: icmp(t, LLVMIntEQ); break;
    case OP_I32_NE: case OP_I64_NE: icmp(t, LLVMIntNE); break;
    case OP_I32_LT_S: case OP_I64_LT_S: icmp(t, LLVMIntSLT); break;
    case OP_I32_LT_U: case OP_I64_LT_U: icmp(t, LLVMIntULT); break;
    case OP_I32_GT_S: case OP_I64_GT_S: icmp(t, LLVMIntSGT); break;
    case OP_I32_GT_U: case OP_I64_GT_U: icmp(t, LLVMIntUGT); break;
    case OP_I32_LE_S: case OP_I64_LE_S: icmp(t, LLVMIntSLE); break;
    case OP_I32_LE_U: case OP_I64_LE_U: icmp(t, LLVMIntULE); break;
    case OP_I32_GE_S: case OP_I64_GE_S: icmp(t, LLVMIntSGE); break;
    case OP_I32_GE_U: case OP_I64_GE_U: icmp(t, LLVMIntUGE); break;
    case OP_F32_EQ: case OP_F64_EQ: fcmp(t, LLVMRealOEQ); break;
    case OP_F32_NE: case OP_F64_NE: fcmp(t, LLVMRealUNE); break;
    case OP_F32_LT: case OP_F64_LT: fcmp(t, LLVMRealOLT); break;
    case OP_F32_GT: case OP_F64_GT: fcmp(t, LLVMRealOGT); break;
    case OP_F32_LE: case OP_F64_LE: fcmp(t, LLVMRealOLE); break;
    case OP_F32_GE: case OP_F64_GE: fcmp(t, LLVMRealOGE); break;

    case OP_I32_CLZ: case OP_I64_CLZ: bitcount(t, "llvm.ctlz"); break;
    case OP_I32_CTZ: case OP_I64_CTZ: bitcount(t, "llvm.cttz"); break;
    case OP_I32_POPCNT: case OP_I64_POPCNT: bitcount(t, "llvm.ctpop"); break;
    case OP_I32_ADD: case OP_I64_ADD: binop(t, LLVMAdd); break;
    case OP_I32_SUB: case OP_I64_SUB: binop(t, LLVMSub); break;
    case OP_I32_MUL: case OP_I64_MUL: binop(t, LLVMMul); break;
    case OP_I32_DIV_S: case OP_I64_DIV_S: idiv(t, 0); break;
    case OP_I32_DIV_U: case OP_I64_DIV_U: idiv(t, 1); break;
    case OP_I32_REM_S: case OP_I64_REM_S: idiv(t, 2); break;
    case OP_I32_REM_U: case OP_I64_REM_U: idiv(t, 3); break;
    case OP_I32_AND: case OP_I64_AND: binop(t, LLVMAnd); break;
    case OP_I32_OR: case OP_I64_OR: binop(t, LLVMOr); break;
    case OP_I32_XOR: case OP_I64_XOR: binop(t, LLVMXor); break;
    case OP_I32_SHL: case OP_I64_SHL: shift(t, LLVMShl); break;
    case OP_I32_SHR_S: case OP_I64_SHR_S: shift(t, LLVMAShr); break;
    case OP_I32_SHR_U: case OP_I64_SHR_U: shift(t, LLVMLShr); break;
    case OP_I32_ROTL: case OP_I64_ROTL: rotate(t, "llvm.fshl"); break;
    case OP_I32_ROTR: case OP_I64_ROTR: rotate(t, "llvm.fshr"); break;

    case OP_F32_ABS: case OP_F64_ABS: fun1(t, "llvm.fabs"); break;
    case OP_F32_NEG: case OP_F64_NEG: push(t, LLVMBuildFNeg(t->b, pop(t), "")); break;
    case OP_F32_CEIL: case OP_F64_CEIL: fun1(t, "llvm.ceil"); break;
    case OP_F32_FLOOR: case OP_F64_FLOOR: fun1(t, "llvm.floor"); break;
    case OP_F32_TRUNC: case OP_F64_TRUNC: fun1(t, "llvm.trunc"); break;
    case OP_F32_NEAREST: case OP_F64_NEAREST: fun1(t, "llvm.roundeven"); break;
    case OP_F32_SQRT: case OP_F64_SQRT: fun1(t, "llvm.sqrt"); break;
    case OP_F32_ADD: case OP_F64_ADD: fbinop(t, LLVMFAdd); break;
    case OP_F32_SUB: case OP_F64_SUB: fbinop(t, LLVMFSub); break;
    case OP_F32_MUL: case OP_F64_MUL: fbinop(t, LLVMFMul); break;
    case OP_F32_DIV: case OP_F64_DIV: fbinop(t, LLVMFDiv); break;
    case OP_F32_MIN: case OP_F64_MIN: fminmax(t, "llvm.minimum"); break;
    case OP_F32_MAX: case OP_F64_MAX: fminmax(t, "llvm.maximum"); break;
    case OP_F32_COPYSIGN: case OP_F64_COPYSIGN: fun2(t, "llvm.copysign"); break;

    case OP_I32_WRAP_I64: push(t, LLVMBuildTrunc(t->b, pop(t), t->i32, "")); break;
    case OP_I32_TRUNC_F32_S: case OP_I32_TRUNC_F64_S: trunc_trap(t, t->i32, true); break;
    case OP_I32_TRUNC_F32_U: case OP_I32_TRUNC_F64_U: trunc_trap(t, t->i32, false); break;
    case OP_I64_TRUNC_F32_S: case OP_I64_TRUNC_F64_S: trunc_trap(t, t->i64, true); break;
    case OP_I64_TRUNC_F32_U: case OP_I64_TRUNC_F64_U: trunc_trap(t, t->i64, false); break;
    case OP_I64_EXTEND_I32_S: push(t, LLVMBuildSExt(t->b, pop(t), t->i64, "")); break;
    case OP_I64_EXTEND_I32_U: push(t, LLVMBuildZExt(t->b, pop(t), t->i64, "")); break;
    case OP_F32_CONVERT_I32_S: case OP_F32_CONVERT_I64_S: push(t, LLVMBuildSIToFP(t->b, pop(t), t->f32, "")); break;
    case OP_F32_CONVERT_I32_U: case OP_F32_CONVERT_I64_U: push(t, LLVMBuildUIToFP(t->b, pop(t), t->f32, "")); break;
    case OP_F64_CONVERT_I32_S: case OP_F64_CONVERT_I64_S: push(t, LLVMBuildSIToFP(t->b, pop(t), t->f64, "")); break;
    case OP_F64_CONVERT_I32_U: case OP_F64_CONVERT_I64_U: push(t, LLVMBuildUIToFP(t->b, pop(t), t->f64, "")); break;
    case OP_F32_DEMOTE_F64: {
        LLVMValueRef x = pop(t);
        if (LLVMIsAFPExtInst(x) || LLVMIsConstant(x)) x = opaque(t, x);
        push(t, LLVMBuildFPTrunc(t->b, x, t->f32, ""));
        break;
    }
    case OP_F64_PROMOTE_F32: push(t, LLVMBuildFPExt(t->b, pop(t), t->f64, "")); break;
    case OP_I32_REINTERPRET_F32: push(t, LLVMBuildBitCast(t->b, pop(t), t->i32, "")); break;
    case OP_I64_REINTERPRET_F64: push(t, LLVMBuildBitCast(t->b, pop(t), t->i64, "")); break;
    case OP_F32_REINTERPRET_I32: push(t, LLVMBuildBitCast(t->b, pop(t), t->f32, "")); break;
    case OP_F64_REINTERPRET_I64: push(t, LLVMBuildBitCast(t->b, pop(t), t->f64, "")); break;
    case OP_I32_EXTEND8_S: case OP_I64_EXTEND8_S: sext_in(t, t->i8); break;
    case OP_I32_EXTEND16_S: case OP_I64_EXTEND16_S: sext_in(t, t->i16); break;
    case OP_I64_EXTEND32_S: sext_in(t, t->i32); break;

    case OP_REF_NULL: push(t, LLVMConstNull(t->ptr)); break;
    case OP_REF_IS_NULL: push(t, b2i(t, LLVMBuildIsNull(t->b, pop(t), ""))); break;
    case OP_REF_FUNC: {
        LLVMValueRef funcs = load_inv(t, t->ptr, t->vm, offsetof(wasm_jit_vm, funcs));
        push(t, load_inv(t, t->ptr, funcs, 8u * im.a));
        break;
    }
    case OP_PREFIX_FC: {
        uint32_t sub;
        if (!wasm_read_u32(&t->r, &sub)) return false;
        return translate_fc(t, sub);
    }
    case OP_PREFIX_FD: {
        uint32_t sub;
        if (!wasm_read_u32(&t->r, &sub)) return false;
        return translate_fd(t, sub);
    }
    default: t->fail = "unknown instruction"; return false;
    }
    return true;
}

/* ---- functions ----------------------------------------------------------------- */

/* Whether a body has loops and calls: a function with neither ends soon
 * and within the stack margin, so it needs no checks at entry. */
static void scan_body(tr *t, const wasm_funcdef *fd, bool *loops, bool *calls) {
    wasm_reader r;
    wasm_reader_init(&r, t->m->bytes, fd->body, fd->body_end);
    *loops = *calls = false;
    uint8_t op;
    while (wasm_read_u8(&r, &op)) {
        unsigned kind = imm_op[op];
        if (op == OP_LOOP) *loops = true;
        if (op == OP_CALL || op == OP_CALL_INDIRECT) *calls = true;
        if (op == OP_PREFIX_FC || op == OP_PREFIX_FD) {
            uint32_t sub;
            if (!wasm_read_u32(&r, &sub)) break;
            kind = op == OP_PREFIX_FC ? imm_fc[sub & 31] : imm_fd[sub & 255];
        }
        imm im;
        if (!read_imm(&r, kind, &im)) break;
    }
}

static bool translate_func(tr *t, uint32_t d) {
    const aw_module *m = t->m;
    const wasm_funcdef *fd = &m->funcs[d];
    const wasm_functype *ft = &m->types[fd->type];
    t->func_index = m->nfunc_imports + d;
    t->fn = t->fns[d];
    t->sp = 0;
    t->nctl = 0;
    memset(t->simd_tmp, 0, sizeof t->simd_tmp);
    t->op_offset = fd->body_offset;

    LLVMBasicBlockRef entry = new_bb(t, "entry"), body = new_bb(t, "body");
    LLVMPositionBuilderAtEnd(t->ab, entry);
    LLVMPositionBuilderAtEnd(t->b, body);
    t->vm = LLVMGetParam(t->fn, 0);

    t->nlocals = ft->nparams + fd->nlocals;
    t->locals = malloc((t->nlocals + 1) * sizeof *t->locals);
    t->local_types = malloc((t->nlocals + 1) * sizeof *t->local_types);
    if (!t->locals || !t->local_types) abort();
    for (uint32_t i = 0; i < t->nlocals; i++) {
        aw_valtype ty = i < ft->nparams ? ft->types[i] : fd->local_types[i - ft->nparams];
        t->local_types[i] = ty;
        t->locals[i] = alloca_of(t, vt(t, ty));
        LLVMValueRef init = i < ft->nparams ? LLVMGetParam(t->fn, i + 1) : LLVMConstNull(vt(t, ty));
        LLVMBuildStore(t->b, init, t->locals[i]);
    }
    t->store = load_inv(t, t->ptr, t->vm, offsetof(wasm_jit_vm, store));
    if (m->nmems) {
        t->mem = load_inv(t, t->ptr, t->vm, offsetof(wasm_jit_vm, mem0));
        t->mem0obj = load_inv(t, t->ptr, t->vm, offsetof(wasm_jit_vm, mem0obj));
    }
    bool loops, calls;
    scan_body(t, fd, &loops, &calls);
    if (calls) {
        emit_stack_check(t);
        emit_check(t);
    }

    /* the function's own frame: its label is the return */
    ctrl *fc = push_ctrl(t, K_FUNC, 0);
    fc->nresults = ft->nresults;
    fc->results = wasm_functype_results(ft);
    fc->res_slots = fc->label_slots = make_slots(t, fc->nresults, fc->results);
    fc->height = 0;

    wasm_reader_init(&t->r, m->bytes, fd->body, fd->body_end);
    bool ok = translate_body(t);
    if (ok) {
        ctrl *c = &t->ctl[0];
        if (c->end_reached) {
            LLVMPositionBuilderAtEnd(t->b, c->end_bb);
            LLVMValueRef rv[ft->nresults + 1];
            for (uint32_t i = 0; i < ft->nresults; i++)
                rv[i] = LLVMBuildLoad2(t->b, vt(t, c->results[i]), c->res_slots[i], "");
            if (ft->nresults == 0) LLVMBuildRetVoid(t->b);
            else if (ft->nresults == 1) LLVMBuildRet(t->b, rv[0]);
            else LLVMBuildAggregateRet(t->b, rv, ft->nresults);
        } else {
            LLVMDeleteBasicBlock(c->end_bb);
        }
    }
    LLVMPositionBuilderAtEnd(t->ab, entry);
    LLVMBuildBr(t->ab, body);
    /* on success only the function's frame is left (popped at its end) */
    uint32_t left = t->nctl ? t->nctl : 1;
    for (uint32_t i = 0; i < left; i++) free_ctrl(&t->ctl[i]);
    t->nctl = 0;
    free(t->locals);
    free(t->local_types);
    return ok;
}

/* void wN(vm, slots): the slot convention for calls from C. */
static LLVMValueRef make_wrapper(tr *t, uint32_t d) {
    const aw_module *m = t->m;
    const wasm_functype *ft = &m->types[m->funcs[d].type];
    LLVMTypeRef ps[2] = {t->ptr, t->ptr};
    char name[32];
    snprintf(name, sizeof name, "w%u", d);
    LLVMValueRef w = LLVMAddFunction(t->mod, name, LLVMFunctionType(t->voidt, ps, 2, 0));
    LLVMSetLinkage(w, LLVMInternalLinkage);
    LLVMPositionBuilderAtEnd(t->b, LLVMAppendBasicBlockInContext(t->c, w, "entry"));
    LLVMValueRef slots = LLVMGetParam(w, 1);
    LLVMValueRef args[ft->nparams + 1];
    args[0] = LLVMGetParam(w, 0);
    from_slots(t, slots, ft->types, ft->nparams, args + 1);
    LLVMValueRef r = LLVMBuildCall2(t->b, t->fntys[m->funcs[d].type], t->fns[d], args, ft->nparams + 1, "");
    LLVMValueRef rv[ft->nresults + 1];
    if (ft->nresults == 1) rv[0] = r;
    for (uint32_t i = 0; ft->nresults > 1 && i < ft->nresults; i++) rv[i] = LLVMBuildExtractValue(t->b, r, i, "");
    to_slots(t, slots, wasm_functype_results(ft), ft->nresults, rv);
    LLVMBuildRetVoid(t->b);
    return w;
}

LLVMModuleRef wasm_llvm_translate(const aw_module *m, LLVMContextRef ctx, bool explicit_bounds,
                                  bool loop_checks, aw_error *err) {
    return wasm_llvm_translate_part(m, ctx, explicit_bounds, loop_checks, NULL, err);
}

LLVMModuleRef wasm_llvm_translate_part(const aw_module *m, LLVMContextRef ctx, bool explicit_bounds,
                                       bool loop_checks, const wasm_llvm_part *part, aw_error *err) {
    tr t = {0};
    t.loop_checks = loop_checks;
    t.part = part;
    t.m = m;
    t.c = ctx;
    t.explicit_bounds = explicit_bounds;
    t.mod = LLVMModuleCreateWithNameInContext("wasm", ctx);
    t.b = LLVMCreateBuilderInContext(ctx);
    t.ab = LLVMCreateBuilderInContext(ctx);
    t.i1 = LLVMInt1TypeInContext(ctx);
    t.i8 = LLVMInt8TypeInContext(ctx);
    t.i16 = LLVMInt16TypeInContext(ctx);
    t.i32 = LLVMInt32TypeInContext(ctx);
    t.i64 = LLVMInt64TypeInContext(ctx);
    t.f32 = LLVMFloatTypeInContext(ctx);
    t.f64 = LLVMDoubleTypeInContext(ctx);
    t.v128 = LLVMVectorType(t.i64, 2);
    t.ptr = LLVMPointerTypeInContext(ctx, 0);
    t.voidt = LLVMVoidTypeInContext(ctx);
    t.md_invariant = LLVMGetMDKindIDInContext(ctx, "invariant.load", 14);
    t.md_empty = LLVMMetadataAsValue(ctx, LLVMMDNodeInContext2(ctx, NULL, 0));
    t.md_memload = LLVMGetMDKindIDInContext(ctx, "aw.memload", 10);
    tbaa_init(&t);

    uint32_t ndefs = m->nfuncs - m->nfunc_imports;
    uint32_t lo = part ? part->lo : 0, hi = part ? part->hi : ndefs;
    t.fns = calloc(ndefs + 1, sizeof *t.fns);
    t.fntys = calloc(m->ntypes + 1, sizeof *t.fntys);
    LLVMValueRef *tab = calloc(2 * ndefs + 1, sizeof *tab);
    if (!t.fns || !t.fntys || !tab) abort();
    for (uint32_t i = 0; i < m->ntypes; i++) t.fntys[i] = fn_type(&t, &m->types[i]);
    unsigned nounwind = LLVMGetEnumAttributeKindForName("nounwind", 8);
    for (uint32_t d = 0; d < ndefs; d++) {
        char name[32];
        snprintf(name, sizeof name, "f%u", m->nfunc_imports + d);
        t.fns[d] = LLVMAddFunction(t.mod, name, t.fntys[m->funcs[d].type]);
        /* parts call each other's functions by name */
        if (!part || part->whole) LLVMSetLinkage(t.fns[d], LLVMInternalLinkage);
        LLVMAddAttributeAtIndex(t.fns[d], LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(ctx, nounwind, 0));
        /* Recursion must use the stack (the spec's exhaustion tests): no
         * tail-recursion elimination, no sibling calls. llvm_checks.c also
         * bounds loops that contain their function's own entry check, but
         * LLVM can move that check out of the loop tail recursion makes. */
        /* AW_LLVM_TRE=1: allow it (measuring only: the spec's
         * skip-stack-guard-page then spins instead of exhausting) */
        if (getenv("AW_LLVM_TRE")) continue;
        LLVMAddAttributeAtIndex(t.fns[d], LLVMAttributeFunctionIndex,
                                LLVMCreateStringAttribute(ctx, "disable-tail-calls", 18, "true", 4));
    }
    bool ok = true;
    for (uint32_t d = lo; ok && d < hi; d++) {
        ok = translate_func(&t, d) && !t.fail;
        if (!ok)
            wasm_error_set(err, AW_ERR_RESOURCE, m->nfunc_imports + d, t.op_offset,
                           "compiled tier: cannot translate: %s", t.fail ? t.fail : t.r.error ? t.r.error : "?");
    }
    for (uint32_t d = lo; ok && d < hi; d++) {
        tab[2 * (d - lo)] = t.fns[d];
        tab[2 * (d - lo) + 1] = make_wrapper(&t, d);
    }
    /* with explicit bounds checks a trap never depends on a load running */
    /* AW_LLVM_LOSE_TRAPS=1: leave them plain (only to see the fuzzer find
     * the traps LLVM loses) */
    if (ok && !explicit_bounds && !getenv("AW_LLVM_LOSE_TRAPS")) ok = wasm_llvm_keep_loads(t.mod, t.md_memload, err);
    if (ok) {
        LLVMTypeRef aty = LLVMArrayType(t.ptr, 2 * (hi - lo));
        LLVMValueRef g = LLVMAddGlobal(t.mod, aty, "aw_fntab");
        LLVMSetInitializer(g, LLVMConstArray(t.ptr, tab, 2 * (hi - lo)));
        LLVMSetGlobalConstant(g, 1);
    }
    free(tab);
    free(t.fns);
    free(t.fntys);
    free(t.stk);
    free(t.ctl);
    LLVMDisposeBuilder(t.b);
    LLVMDisposeBuilder(t.ab);
    if (!ok) {
        LLVMDisposeModule(t.mod);
        return NULL;
    }
    return t.mod;
}

#else
typedef int wasm_llvm_translate_unused; /* built without LLVM */
#endif
