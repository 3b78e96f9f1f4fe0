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
 * which the translator checks.
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
    LLVMAttributeRef meminacc;
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

#if defined(__x86_64__)
/* The check as x86-64 inline asm, $0 = result, $1 = the store. Without
 * fuel it is two loads and no store: a read-modify-write of the fuel
 * counter on every iteration would chain the iterations through memory
 * (store forwarding, ~5 cycles), which cost tight loops 2-4x. */
void wasm_llvm_check_asm(char *buf, size_t size, uint32_t entry_of) {
    /* $1 is the vm (live anyway for calls), not the store: one register
     * fewer held across the function */
    /* At function entry branch-free (its branches cost fib ~1.6x): fuel
     * -= fuel_enabled, then sign | interrupt. In loops no store unless
     * metered. */
    int n = entry_of != UINT32_MAX ? snprintf(buf, size,
                     "movq %zu($1), %%rcx\n\tmovzbl %zu(%%rcx), ${0:k}\n\tsubq ${0:q}, %zu(%%rcx)\n\t"
                     "sets ${0:b}\n\torl %zu(%%rcx), ${0:k}",
                     offsetof(wasm_jit_vm, store), offsetof(aw_store, fuel_enabled),
                     offsetof(aw_store, fuel), offsetof(aw_store, interrupt)) : snprintf(buf, size,
                     "movq %zu($1), ${0:q}\n\tcmpb $$0, %zu(${0:q})\n\tje 2f\n\t"
                     "subq $$1, %zu(${0:q})\n\tjs 3f\n"
                     "2:\n\tmovl %zu(${0:q}), ${0:k}\n\tjmp 1f\n"
                     "3:\n\tmovl $$1, ${0:k}\n1:",
                     offsetof(wasm_jit_vm, store), offsetof(aw_store, fuel_enabled),
                     offsetof(aw_store, fuel), offsetof(aw_store, interrupt));
    if (entry_of != UINT32_MAX && n > 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, "\n\t%s%u", WASM_LLVM_ENTRY_MARK, entry_of);
}
#endif

/* fuel -= 1 when metered; true when fuel < 0 or the interrupt flag is set
 * (the same test as the translator's function-entry check). */
static LLVMValueRef check_cond(lc *l) {
#if defined(__x86_64__)
    char code[320];
    wasm_llvm_check_asm(code, sizeof code, UINT32_MAX);
    const char *cons = "=&r,r,~{flags}";
    LLVMTypeRef fty = LLVMFunctionType(l->i32, &l->ptr, 1, 0);
    LLVMValueRef asmv = LLVMGetInlineAsm(fty, code, strlen(code), (char *)cons, strlen(cons), 1, 0,
                                         LLVMInlineAsmDialectATT, 0);
    LLVMValueRef call = LLVMBuildCall2(l->b, fty, asmv, &l->vm, 1, "");
    LLVMAddCallSiteAttribute(call, LLVMAttributeFunctionIndex, l->meminacc);
    return LLVMBuildICmp(l->b, LLVMIntNE, call, c32(l, 0), "");
#else
    /* no optimisation runs after this pass: plain volatile accesses */
    LLVMValueRef store = LLVMBuildLoad2(l->b, l->ptr, at(l, l->vm, offsetof(wasm_jit_vm, store)), "");
    LLVMValueRef intr = LLVMBuildLoad2(l->b, l->i32, at(l, store, offsetof(aw_store, interrupt)), "");
    LLVMSetVolatile(intr, 1);
    LLVMValueRef en = LLVMBuildLoad2(l->b, l->i8, at(l, store, offsetof(aw_store, fuel_enabled)), "");
    LLVMValueRef fp = at(l, store, offsetof(aw_store, fuel));
    LLVMValueRef fuel = LLVMBuildLoad2(l->b, l->i64, fp, "");
    LLVMValueRef nf = LLVMBuildSub(l->b, fuel, LLVMBuildZExt(l->b, LLVMBuildAnd(l->b, en, LLVMConstInt(l->i8, 1, 0), ""), l->i64, ""), "");
    LLVMBuildStore(l->b, nf, fp);
    return LLVMBuildOr(l->b, LLVMBuildICmp(l->b, LLVMIntNE, intr, c32(l, 0), ""),
                       LLVMBuildICmp(l->b, LLVMIntSLT, nf, c64(l, 0), ""), "");
#endif
}

/* Whether a block holds the entry check of function `self` (the
 * translator's mark). */
static bool has_entry_mark(LLVMBasicBlockRef bb, const char *self) {
    for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) {
        if (LLVMGetInstructionOpcode(i) != LLVMCall) continue;
        LLVMValueRef callee = LLVMGetCalledValue(i);
        if (!LLVMIsAInlineAsm(callee)) continue;
        size_t len;
        const char *code = LLVMGetInlineAsmAsmString(callee, &len);
        size_t k = strlen(self);
        if (code && len >= k && memcmp(code + len - k, self, k) == 0) return true;
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
    LLVMBasicBlockRef preds[2];
    unsigned np = 0;
    if (fuel) {
        LLVMValueRef bad = check_cond(l);
        LLVMBasicBlockRef slow = LLVMAppendBasicBlockInContext(l->c, l->fn, "check");
        preds[np++] = LLVMGetInsertBlock(l->b);
        LLVMBuildCondBr(l->b, bad, slow, hdr);
        LLVMPositionBuilderAtEnd(l->b, slow);
        LLVMValueRef args[3] = {l->vm, c32(l, l->func_index), c64(l, UINT64_MAX)};
        call_vm(l, offsetof(wasm_jit_vm, check_fn), l->voidt, args, 3);
        preds[np++] = slow;
        LLVMBuildBr(l->b, hdr);
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

static void cfg_build(cfg *g, LLVMValueRef fn, const char *self) {
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
        g->mark[b] = self && has_entry_mark(g->bbs[b], self);
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

static size_t back_edges(LLVMValueRef fn, const char *self, edge **out) {
    cfg g;
    cfg_build(&g, fn, self);
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
    l.meminacc = LLVMCreateEnumAttribute(l.c, LLVMGetEnumAttributeKindForName("memory", 6), 3u << 2);
    LLVMAttributeRef notail = LLVMCreateStringAttribute(l.c, "disable-tail-calls", 18, "true", 4);
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
        char self[64];
        snprintf(self, sizeof self, "%s%u", WASM_LLVM_ENTRY_MARK, l.func_index);
        size_t ne = back_edges(fn, self, &edges);
        if (ne) {
            /* what the optimiser inferred without the checks no longer holds */
            static const char *const stale[] = {"memory", "nosync", "nofree", "willreturn"};
            for (size_t k = 0; k < sizeof stale / sizeof *stale; k++)
                LLVMRemoveEnumAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                                               LLVMGetEnumAttributeKindForName(stale[k], strlen(stale[k])));
            for (size_t e = 0; e < ne; e++) check_edge(&l, edges[e].src, edges[e].dst, edges[e].tre, loop_checks);
        }
        free(edges);
    }
    LLVMDisposeBuilder(l.b);
}

#else
typedef int wasm_llvm_checks_unused; /* built without LLVM */
#endif
