/*
 * llvm_checks.c — fuel and interrupt checks on the loops of optimised code.
 *
 * A check at every Wasm loop header, put in before optimisation, is a
 * call-like barrier that keeps LLVM from unrolling and vectorising the
 * loop (matmul ran 2.4x native with it, 1.14x without). So the translator
 * leaves loops unchecked and this pass, run after the optimiser, puts one
 * check on every back edge of the optimised control flow: once per
 * unrolled or vectorised iteration, and never in a loop LLVM removed. Every
 * cycle of a control-flow graph contains a back edge of any depth-first
 * search, so no loop escapes; cycles through calls pass function entries,
 * which the translator checks. A back edge whose source block calls a
 * function that checks at its entry needs no check of its own: every
 * iteration runs one (fib's loop around its recursive call).
 *
 * The check itself (wasm_llvm_emit_check, also used by the translator for
 * function entries) is plain IR: two loads and a branch weighted cold.
 *
 * Tail recursion. The optimiser may turn a recursive call into a loop
 * (fib's second call becomes one: half the calls of the source, as native
 * clang does). Recursion that never ends must still trap "call stack
 * exhausted" rather than spin, so each such loop (its header is the block
 * LLVM's tailcallelim names "tailrecurse") counts its iterations per call
 * and traps when they pass the store's call-depth limit: the interpreter
 * would have trapped there too. Calls are then all made plain (no "tail"
 * marker, no sibling calls in codegen), so recursion between functions
 * uses the native stack, which the entry check limits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef AW_HAVE_LLVM
#include "wasm/llvm_translate.h"

typedef struct lc {
    LLVMContextRef c;
    LLVMModuleRef mod;
    LLVMBuilderRef b;
    LLVMTypeRef i8, i32, i64, ptr, voidt;
    /* the function being worked on */
    LLVMValueRef fn, vm, counter;
    uint32_t func_index;
} lc;

static LLVMValueRef c32(lc *l, uint64_t v) { return LLVMConstInt(l->i32, v, 0); }
static LLVMValueRef c64(lc *l, uint64_t v) { return LLVMConstInt(l->i64, v, 0); }

static LLVMValueRef at(lc *l, LLVMValueRef p, uint64_t off) {
    LLVMValueRef idx = c64(l, off);
    return LLVMBuildGEP2(l->b, l->i8, p, &idx, 1, "");
}

/* A helper called through the vm field at off (see wasm_jit_vm). */
static LLVMValueRef call_vm(lc *l, size_t off, LLVMTypeRef ret, LLVMValueRef *args, unsigned n) {
    LLVMTypeRef ptys[4];
    for (unsigned i = 0; i < n; i++) ptys[i] = LLVMTypeOf(args[i]);
    LLVMTypeRef fty = LLVMFunctionType(ret, ptys, n, 0);
    LLVMValueRef f = LLVMBuildLoad2(l->b, l->ptr, at(l, l->vm, off), "");
    return LLVMBuildCall2(l->b, fty, f, args, n, "");
}

static LLVMValueRef tagged(LLVMValueRef inst, LLVMValueRef tbaa) {
    if (tbaa) LLVMSetMetadata(inst, LLVMGetMDKindIDInContext(LLVMGetTypeContext(LLVMTypeOf(inst)), "tbaa", 4), tbaa);
    return inst;
}

static void set_weights(LLVMContextRef c, LLVMValueRef br, uint32_t taken, uint32_t not_taken) {
    LLVMTypeRef i32 = LLVMInt32TypeInContext(c);
    LLVMMetadataRef md[3] = {LLVMMDStringInContext2(c, "branch_weights", 14),
                             LLVMValueAsMetadata(LLVMConstInt(i32, taken, 0)),
                             LLVMValueAsMetadata(LLVMConstInt(i32, not_taken, 0))};
    LLVMSetMetadata(br, LLVMGetMDKindIDInContext(c, "prof", 4), LLVMMetadataAsValue(c, LLVMMDNodeInContext2(c, md, 3)));
}

/* fuel_enabled and the interrupt flag in one aligned 8-byte word
 * (little-endian), as runtime.h lays them out today */
#define FLAGS_PAIRED                                                                                  \
    (offsetof(aw_store, interrupt) == offsetof(aw_store, fuel_enabled) + 4 &&                         \
     offsetof(aw_store, fuel_enabled) % 8 == 0 && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)

/* Plain IR, not inline asm: LLVM parsed the asm again for every check
 * (~30% of compile time), and an asm block that decremented the fuel
 * counter unconditionally chained every call of a recursive function
 * through one memory location (fib ran 4x native). Now the fast path only
 * reads: fuel is counted in the cold block, so a store without fuel never
 * writes. The interrupt flag is read volatile: another thread writes it,
 * and the load must neither be merged with another check's nor hoisted out
 * of a loop. */
unsigned wasm_llvm_emit_check(LLVMBuilderRef b, LLVMValueRef vm, LLVMValueRef store, uint32_t func,
                              uint64_t offset, uint32_t entry_of, LLVMValueRef tbaa, LLVMBasicBlockRef cont,
                              LLVMBasicBlockRef preds[3]) {
    LLVMBasicBlockRef here = LLVMGetInsertBlock(b);
    LLVMValueRef fn = LLVMGetBasicBlockParent(here);
    LLVMContextRef c = LLVMGetTypeContext(LLVMTypeOf(vm));
    LLVMTypeRef i8 = LLVMInt8TypeInContext(c), i32 = LLVMInt32TypeInContext(c), i64 = LLVMInt64TypeInContext(c);
    LLVMTypeRef ptr = LLVMPointerTypeInContext(c, 0);
    LLVMValueRef off, intr, en, any, flags;
    if (FLAGS_PAIRED) {
        /* one 8-byte load: fuel_enabled in the low byte, the interrupt
         * flag in the high half (the store is calloc'd: padding is 0,
         * masked off anyway) */
        off = LLVMConstInt(i64, offsetof(aw_store, fuel_enabled), 0);
        flags = LLVMBuildLoad2(b, i64, LLVMBuildGEP2(b, i8, store, &off, 1, ""), "flags");
        any = LLVMBuildAnd(b, flags, LLVMConstInt(i64, 0xFFFFFFFF000000FFull, 0), "");
        en = LLVMBuildTrunc(b, flags, i8, "metered");
        intr = LLVMBuildTrunc(b, LLVMBuildLShr(b, flags, LLVMConstInt(i64, 32, 0), ""), i32, "interrupt");
        any = LLVMBuildICmp(b, LLVMIntNE, any, LLVMConstInt(i64, 0, 0), "");
    } else {
        off = LLVMConstInt(i64, offsetof(aw_store, interrupt), 0);
        flags = intr = LLVMBuildLoad2(b, i32, LLVMBuildGEP2(b, i8, store, &off, 1, ""), "interrupt");
        off = LLVMConstInt(i64, offsetof(aw_store, fuel_enabled), 0);
        en = tagged(LLVMBuildLoad2(b, i8, LLVMBuildGEP2(b, i8, store, &off, 1, ""), "metered"), tbaa);
        any = LLVMBuildOr(b, LLVMBuildZExt(b, en, i32, ""), intr, "");
        any = LLVMBuildICmp(b, LLVMIntNE, any, LLVMConstInt(i32, 0, 0), "");
    }
    /* volatile: another thread writes the interrupt flag */
    LLVMSetVolatile(flags, 1);
    if (entry_of != UINT32_MAX) {
        LLVMMetadataRef idx = LLVMValueAsMetadata(LLVMConstInt(i32, entry_of, 0));
        LLVMSetMetadata(flags, LLVMGetMDKindIDInContext(c, WASM_LLVM_ENTRY_MD, strlen(WASM_LLVM_ENTRY_MD)),
                        LLVMMetadataAsValue(c, LLVMMDNodeInContext2(c, &idx, 1)));
    }
    LLVMBasicBlockRef count = LLVMAppendBasicBlockInContext(c, fn, "count");
    LLVMBasicBlockRef slow = LLVMAppendBasicBlockInContext(c, fn, "check");
    set_weights(c, LLVMBuildCondBr(b, any, count, cont), 1, 100000);

    LLVMPositionBuilderAtEnd(b, count);
    off = LLVMConstInt(i64, offsetof(aw_store, fuel), 0);
    LLVMValueRef fp = LLVMBuildGEP2(b, i8, store, &off, 1, "");
    LLVMValueRef fuel = tagged(LLVMBuildLoad2(b, i64, fp, "fuel"), tbaa);
    LLVMValueRef nf = LLVMBuildSub(b, fuel, LLVMBuildZExt(b, LLVMBuildAnd(b, en, LLVMConstInt(i8, 1, 0), ""), i64, ""), "");
    tagged(LLVMBuildStore(b, nf, fp), tbaa);
    LLVMValueRef bad = LLVMBuildOr(b, LLVMBuildICmp(b, LLVMIntSLT, nf, LLVMConstInt(i64, 0, 0), ""),
                                   LLVMBuildICmp(b, LLVMIntNE, intr, LLVMConstInt(i32, 0, 0), ""), "");
    set_weights(c, LLVMBuildCondBr(b, bad, slow, cont), 1, 1000);

    LLVMPositionBuilderAtEnd(b, slow);
    off = LLVMConstInt(i64, offsetof(wasm_jit_vm, check_fn), 0);
    LLVMValueRef f = LLVMBuildLoad2(b, ptr, LLVMBuildGEP2(b, i8, vm, &off, 1, ""), "");
    LLVMTypeRef ptys[3] = {ptr, i32, i64};
    LLVMValueRef args[3] = {vm, LLVMConstInt(i32, func, 0), LLVMConstInt(i64, offset, 0)};
    LLVMValueRef call = LLVMBuildCall2(b, LLVMFunctionType(LLVMVoidTypeInContext(c), ptys, 3, 0), f, args, 3, "");
    unsigned cold = LLVMGetEnumAttributeKindForName("cold", 4);
    LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(c, cold, 0));
    LLVMBuildBr(b, cont);
    preds[0] = here, preds[1] = count, preds[2] = slow;
    return 3;
}

/* Whether a block holds the entry check of function `self` (the
 * translator's mark). */
static bool has_entry_mark(LLVMBasicBlockRef bb, unsigned kind, uint32_t self) {
    for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
        if (LLVMGetInstructionOpcode(i) != LLVMLoad) continue;
        LLVMValueRef md = LLVMGetMetadata(i, kind);
        if (!md) continue;
        LLVMValueRef idx = LLVMGetOperand(md, 0);
        if (idx && LLVMIsAConstantInt(idx) && LLVMConstIntGetZExtValue(idx) == self) return true;
    }
    return false;
}

/* The phis of hdr that had an incoming edge from src get it from each of
 * the new predecessors instead (LLVM-C cannot change an incoming block, so
 * each such phi is rebuilt). */
static void repoint_phis(lc *l, LLVMBasicBlockRef hdr, LLVMBasicBlockRef src, LLVMBasicBlockRef *preds,
                         unsigned npreds) {
    LLVMValueRef phi = LLVMGetFirstInstruction(hdr);
    while (phi && LLVMGetInstructionOpcode(phi) == LLVMPHI) {
        LLVMValueRef next = LLVMGetNextInstruction(phi);
        unsigned n = LLVMCountIncoming(phi);
        LLVMValueRef *vals = malloc((n + npreds) * sizeof *vals);
        LLVMBasicBlockRef *bbs = malloc((n + npreds) * sizeof *bbs);
        if (!vals || !bbs) abort();
        unsigned k = 0;
        bool seen = false;
        for (unsigned i = 0; i < n; i++) {
            LLVMValueRef v = LLVMGetIncomingValue(phi, i);
            LLVMBasicBlockRef bb = LLVMGetIncomingBlock(phi, i);
            if (bb != src) {
                vals[k] = v, bbs[k++] = bb;
            } else if (!seen) {
                seen = true;
                for (unsigned p = 0; p < npreds; p++) vals[k] = v, bbs[k++] = preds[p];
            }
        }
        LLVMPositionBuilderBefore(l->b, phi);
        LLVMValueRef np = LLVMBuildPhi(l->b, LLVMTypeOf(phi), "");
        LLVMAddIncoming(np, vals, bbs, k);
        LLVMReplaceAllUsesWith(phi, np);
        LLVMInstructionEraseFromParent(phi);
        free(vals);
        free(bbs);
        phi = next;
    }
}

static void trap_unless(lc *l, LLVMValueRef ok, uint32_t kind) {
    LLVMBasicBlockRef bad = LLVMAppendBasicBlockInContext(l->c, l->fn, "exhausted");
    LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(l->c, l->fn, "");
    LLVMBuildCondBr(l->b, ok, cont, bad);
    LLVMPositionBuilderAtEnd(l->b, bad);
    LLVMValueRef args[4] = {l->vm, c32(l, kind), c32(l, l->func_index), c64(l, UINT64_MAX)};
    LLVMValueRef call = call_vm(l, offsetof(wasm_jit_vm, trap_fn), l->voidt, args, 4);
    unsigned nr = LLVMGetEnumAttributeKindForName("noreturn", 8);
    LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(l->c, nr, 0));
    LLVMBuildUnreachable(l->b);
    LLVMPositionBuilderAtEnd(l->b, cont);
}

/* The back edge src -> hdr goes through a check instead. */
static void check_edge(lc *l, LLVMBasicBlockRef src, LLVMBasicBlockRef hdr, bool tre, bool fuel) {
    LLVMValueRef term = LLVMGetBasicBlockTerminator(src);
    unsigned ns = LLVMGetNumSuccessors(term);
    bool found = false;
    for (unsigned i = 0; i < ns; i++) found |= LLVMGetSuccessor(term, i) == hdr;
    if (!found) return; /* a duplicate edge, already done */
    if (!tre && !fuel) return;

    LLVMBasicBlockRef chk = LLVMAppendBasicBlockInContext(l->c, l->fn, "backedge");
    LLVMPositionBuilderAtEnd(l->b, chk);
    if (tre) {
        if (!l->counter) {
            LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(l->fn);
            LLVMBuilderRef eb = LLVMCreateBuilderInContext(l->c);
            LLVMPositionBuilderBefore(eb, LLVMGetFirstInstruction(entry));
            l->counter = LLVMBuildAlloca(eb, l->i32, "tailcalls");
            LLVMBuildStore(eb, c32(l, 0), l->counter);
            LLVMDisposeBuilder(eb);
        }
        LLVMValueRef n = LLVMBuildAdd(l->b, LLVMBuildLoad2(l->b, l->i32, l->counter, ""), c32(l, 1), "");
        LLVMBuildStore(l->b, n, l->counter);
        LLVMValueRef store = LLVMBuildLoad2(l->b, l->ptr, at(l, l->vm, offsetof(wasm_jit_vm, store)), "");
        LLVMValueRef lim = LLVMBuildLoad2(l->b, l->i32,
                                          at(l, store, offsetof(aw_store, config.max_call_depth)), "");
        trap_unless(l, LLVMBuildICmp(l->b, LLVMIntULE, n, lim, ""), AW_TRAP_STACK_EXHAUSTED);
    }
    LLVMBasicBlockRef preds[3];
    unsigned np = 0;
    if (fuel) {
        LLVMValueRef store = LLVMBuildLoad2(l->b, l->ptr, at(l, l->vm, offsetof(wasm_jit_vm, store)), "");
        np = wasm_llvm_emit_check(l->b, l->vm, store, l->func_index, UINT64_MAX, UINT32_MAX, NULL, hdr, preds);
    } else {
        preds[np++] = LLVMGetInsertBlock(l->b);
        LLVMBuildBr(l->b, hdr);
    }
    for (unsigned i = 0; i < ns; i++)
        if (LLVMGetSuccessor(term, i) == hdr) LLVMSetSuccessor(term, i, chk);
    repoint_phis(l, hdr, src, preds, np);
}

/* Back edges of a depth-first search from the entry block, each with
 * whether its natural loop (the blocks that reach its source without
 * passing its header) holds a function entry: a loop made from tail
 * recursion. */
typedef struct edge { LLVMBasicBlockRef src, dst; size_t si, di; bool tre; } edge;

static int cmp_ptr(const void *a, const void *b) {
    uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;
    return x < y ? -1 : x > y;
}

static size_t index_of(LLVMBasicBlockRef *sorted, size_t n, LLVMBasicBlockRef bb) {
    LLVMBasicBlockRef *p = bsearch(&bb, sorted, n, sizeof *sorted, cmp_ptr);
    return p ? (size_t)(p - sorted) : n;
}

typedef struct cfg {
    size_t n;
    LLVMBasicBlockRef *bbs;  /* sorted by address */
    size_t *pred_start, *preds; /* predecessors of block i: preds[pred_start[i] .. pred_start[i+1]) */
    bool *mark;              /* holds the entry check */
} cfg;

static void cfg_build(cfg *g, LLVMValueRef fn, unsigned mark_kind, uint32_t self) {
    size_t n = g->n = LLVMCountBasicBlocks(fn);
    g->bbs = malloc((n + 1) * sizeof *g->bbs);
    g->pred_start = calloc(n + 2, sizeof *g->pred_start);
    g->mark = calloc(n + 1, sizeof *g->mark);
    if (!g->bbs || !g->pred_start || !g->mark) abort();
    LLVMGetBasicBlocks(fn, g->bbs);
    qsort(g->bbs, n, sizeof *g->bbs, cmp_ptr);
    size_t ne = 0;
    for (size_t b = 0; b < n; b++) {
        LLVMValueRef term = LLVMGetBasicBlockTerminator(g->bbs[b]);
        unsigned ns = term ? LLVMGetNumSuccessors(term) : 0;
        for (unsigned j = 0; j < ns; j++) g->pred_start[index_of(g->bbs, n, LLVMGetSuccessor(term, j)) + 1]++;
        ne += ns;
        g->mark[b] = has_entry_mark(g->bbs[b], mark_kind, self);
    }
    for (size_t b = 0; b < n; b++) g->pred_start[b + 1] += g->pred_start[b];
    g->preds = malloc((ne + 1) * sizeof *g->preds);
    size_t *fill = calloc(n + 1, sizeof *fill);
    if (!g->preds || !fill) abort();
    for (size_t b = 0; b < n; b++) {
        LLVMValueRef term = LLVMGetBasicBlockTerminator(g->bbs[b]);
        unsigned ns = term ? LLVMGetNumSuccessors(term) : 0;
        for (unsigned j = 0; j < ns; j++) {
            size_t s = index_of(g->bbs, n, LLVMGetSuccessor(term, j));
            g->preds[g->pred_start[s] + fill[s]++] = b;
        }
    }
    free(fill);
}

static void cfg_free(cfg *g) {
    free(g->bbs);
    free(g->pred_start);
    free(g->preds);
    free(g->mark);
}

/* Whether the natural loop of src -> hdr holds a marked block. */
static bool loop_has_entry(const cfg *g, size_t src, size_t hdr, uint8_t *seen, size_t *work) {
    if (g->mark[hdr] || g->mark[src]) return true;
    if (src == hdr) return false; /* a loop of one block */
    memset(seen, 0, g->n);
    seen[hdr] = seen[src] = 1;
    size_t top = 0;
    work[top++] = src;
    bool found = false;
    while (top && !found) {
        size_t b = work[--top];
        for (size_t k = g->pred_start[b]; k < g->pred_start[b + 1]; k++) {
            size_t p = g->preds[k];
            if (seen[p]) continue;
            seen[p] = 1;
            if (g->mark[p]) found = true;
            work[top++] = p;
        }
    }
    return found;
}

static size_t back_edges(LLVMValueRef fn, unsigned mark_kind, uint32_t self, edge **out) {
    cfg g;
    cfg_build(&g, fn, mark_kind, self);
    size_t n = g.n, ne = 0, cap = n + 1;
    uint8_t *color = calloc(n + 1, 1);              /* 0 white, 1 on the stack, 2 done */
    struct { size_t bb; unsigned next; } *stk = malloc((n + 1) * sizeof *stk);
    edge *edges = malloc(cap * sizeof *edges);
    if (!color || !stk || !edges) abort();
    bool any_mark = false;
    for (size_t b = 0; b < n; b++) any_mark |= g.mark[b];
    size_t sp = 0;
    stk[sp].bb = index_of(g.bbs, n, LLVMGetEntryBasicBlock(fn));
    stk[sp++].next = 0;
    color[stk[0].bb] = 1;
    while (sp) {
        size_t b = stk[sp - 1].bb;
        LLVMValueRef term = LLVMGetBasicBlockTerminator(g.bbs[b]);
        unsigned ns = term ? LLVMGetNumSuccessors(term) : 0;
        if (stk[sp - 1].next == ns) {
            color[b] = 2;
            sp--;
            continue;
        }
        LLVMBasicBlockRef s = LLVMGetSuccessor(term, stk[sp - 1].next++);
        size_t si = index_of(g.bbs, n, s);
        if (color[si] == 1) {
            if (ne == cap) {
                cap *= 2;
                edges = realloc(edges, cap * sizeof *edges);
                if (!edges) abort();
            }
            edges[ne].src = g.bbs[b], edges[ne].dst = s;
            edges[ne].si = b, edges[ne].di = si;
            edges[ne++].tre = false;
        } else if (color[si] == 0) {
            color[si] = 1;
            stk[sp].bb = si;
            stk[sp++].next = 0;
        }
    }
    if (any_mark) {
        size_t *work = malloc((n + 1) * sizeof *work);
        if (!work) abort();
        for (size_t e = 0; e < ne; e++)
            edges[e].tre = loop_has_entry(&g, edges[e].si, edges[e].di, color, work);
        free(work);
    }
    free(color);
    free(stk);
    cfg_free(&g);
    *out = edges;
    return ne;
}

/* The functions whose every call runs their own entry check: fN whose
 * body still holds the check marked N (sorted, for calls_checked). */
static size_t checked_functions(LLVMModuleRef mod, unsigned mark_kind, LLVMValueRef **out) {
    size_t n = 0, cap = 16;
    LLVMValueRef *fns = malloc(cap * sizeof *fns);
    if (!fns) abort();
    for (LLVMValueRef fn = LLVMGetFirstFunction(mod); fn; fn = LLVMGetNextFunction(fn)) {
        size_t len;
        const char *name = LLVMGetValueName2(fn, &len);
        if (LLVMIsDeclaration(fn) || len < 2 || name[0] != 'f') continue;
        uint32_t self = (uint32_t)strtoul(name + 1, NULL, 10);
        bool marked = false;
        for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb && !marked; bb = LLVMGetNextBasicBlock(bb))
            marked = has_entry_mark(bb, mark_kind, self);
        if (!marked) continue;
        if (n == cap) {
            cap *= 2;
            fns = realloc(fns, cap * sizeof *fns);
            if (!fns) abort();
        }
        fns[n++] = fn;
    }
    qsort(fns, n, sizeof *fns, cmp_ptr);
    *out = fns;
    return n;
}

/* Whether block bb calls a function of checked[]: a back edge from it
 * then passes a fuel and interrupt check on every iteration already (a
 * loop around a call, such as the one tail recursion leaves in fib). */
static bool calls_checked(LLVMBasicBlockRef bb, LLVMValueRef *checked, size_t n) {
    for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
        if (LLVMGetInstructionOpcode(i) != LLVMCall) continue;
        LLVMValueRef callee = LLVMGetCalledValue(i);
        if (bsearch(&callee, checked, n, sizeof *checked, cmp_ptr)) return true;
    }
    return false;
}

void wasm_llvm_late_checks(LLVMModuleRef mod, const aw_module *m, bool loop_checks) {
    lc l = {0};
    l.mod = mod;
    l.c = LLVMGetModuleContext(mod);
    l.b = LLVMCreateBuilderInContext(l.c);
    l.i8 = LLVMInt8TypeInContext(l.c);
    l.i32 = LLVMInt32TypeInContext(l.c);
    l.i64 = LLVMInt64TypeInContext(l.c);
    l.ptr = LLVMPointerTypeInContext(l.c, 0);
    l.voidt = LLVMVoidTypeInContext(l.c);
    unsigned mark_kind = LLVMGetMDKindIDInContext(l.c, WASM_LLVM_ENTRY_MD, strlen(WASM_LLVM_ENTRY_MD));
    LLVMAttributeRef notail = LLVMCreateStringAttribute(l.c, "disable-tail-calls", 18, "true", 4);
    LLVMValueRef *checked;
    size_t nchecked = checked_functions(mod, mark_kind, &checked);
    for (LLVMValueRef fn = LLVMGetFirstFunction(mod); fn; fn = LLVMGetNextFunction(fn)) {
        if (LLVMIsDeclaration(fn)) continue;
        LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, notail);
        for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
            for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i))
                if (LLVMGetInstructionOpcode(i) == LLVMCall) LLVMSetTailCall(i, 0);
        /* fN is function N; wD the slots wrapper of defined function D,
         * into which the optimiser may have inlined it, loops and all */
        size_t len;
        const char *name = LLVMGetValueName2(fn, &len);
        if (len < 2 || (name[0] != 'f' && name[0] != 'w')) continue;
        l.fn = fn;
        l.func_index = (uint32_t)strtoul(name + 1, NULL, 10) + (name[0] == 'w' ? m->nfunc_imports : 0);
        l.vm = LLVMGetParam(fn, 0);
        l.counter = NULL;
        edge *edges;
        size_t ne = back_edges(fn, mark_kind, l.func_index, &edges);
        if (ne) {
            /* what the optimiser inferred without the checks no longer holds */
            static const char *const stale[] = {"memory", "nosync", "nofree", "willreturn"};
            for (size_t k = 0; k < sizeof stale / sizeof *stale; k++)
                LLVMRemoveEnumAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                                               LLVMGetEnumAttributeKindForName(stale[k], strlen(stale[k])));
            for (size_t e = 0; e < ne; e++)
                check_edge(&l, edges[e].src, edges[e].dst, edges[e].tre,
                           loop_checks && !calls_checked(edges[e].src, checked, nchecked));
        }
        free(edges);
    }
    free(checked);
    LLVMDisposeBuilder(l.b);
}

#else
typedef int wasm_llvm_checks_unused; /* built without LLVM */
#endif
