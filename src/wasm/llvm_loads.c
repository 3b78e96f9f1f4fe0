/*
 * llvm_loads.c — keeps the out-of-bounds traps of loads whose value LLVM
 * may never need.
 *
 * With guard pages a load of linear memory traps by faulting, so the trap
 * happens only if the load runs. LLVM takes loads for side-effect-free: it
 * deletes one whose value is unused (a load into a local never read, a
 * value left on the stack by `br` or `unreachable`) and sinks one into the
 * only block that uses it (a local read on one arm of an `if`). Either way
 * an out-of-bounds access that traps in the interpreter would not trap, or
 * trap later with another kind.
 *
 * So, before optimisation and after mem2reg has turned locals into SSA
 * values, each load of linear memory is checked: it stays a plain load
 * (optimised, vectorised) when its value is live — reaches a store, call,
 * return or branch — and is anchored in its own block: it flows, through
 * instructions of that block, into such an instruction there, the address
 * of another memory access, or a phi along an edge leaving the block.
 * Anything else becomes a volatile load, which LLVM neither deletes nor
 * moves: a few of them, mostly in code that compilers of real programs do
 * not emit (optimised wasm has no dead loads), so the cost is small.
 *
 * A call's result brings the callee's loads along: a load that reaches
 * the callee's `ret` is live there, but LLVM deletes a call of a function
 * it finds pure whose result is dropped (`call $f` then `unreachable`),
 * and an inlined callee's loads are dead or movable in such a caller. So
 * the result of a call of a wasm function that is not live and anchored by
 * the same rules is stored, volatile, to a stack slot of its own: one
 * store, but the call stays where it is and its loads, inlined or not,
 * stay live. (Not an empty asm statement taking the value: no constraint
 * takes a multi-value result, a struct.)
 *
 * It remains a heuristic: LLVM could still fold a value away (x * 0, a
 * branch whose two arms become the same). fuzz/fuzz_diff.c compares the
 * tiers' traps on random modules to find such cases.
 */
#ifdef AW_HAVE_LLVM

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <llvm-c/Transforms/PassBuilder.h>

#include "wasm/llvm_translate.h"

typedef struct fnset {
    LLVMValueRef *insts; /* sorted by address */
    size_t n;
    uint8_t *live;
} fnset;

static int cmp_ptr(const void *a, const void *b) {
    uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;
    return x < y ? -1 : x > y;
}

static size_t index_of(const fnset *f, LLVMValueRef v) {
    LLVMValueRef *p = bsearch(&v, f->insts, f->n, sizeof *f->insts, cmp_ptr);
    return p ? (size_t)(p - f->insts) : f->n;
}

/* Instructions LLVM keeps for their effect (a store may still die to
 * another store over it: the heuristic's known gap). */
static bool is_root(LLVMValueRef i) {
    switch (LLVMGetInstructionOpcode(i)) {
    case LLVMStore:
    case LLVMCall:
    case LLVMRet:
    case LLVMBr:
    case LLVMSwitch:
    case LLVMUnreachable:
    case LLVMAtomicRMW:
    case LLVMAtomicCmpXchg:
    case LLVMFence: return true;
    case LLVMLoad: return LLVMGetVolatile(i);
    default: return false;
    }
}

/* Whether two values compute the same thing: the same value, or the same
 * pure operation on the same operands (each access computes its address
 * afresh, CSE merges them later). */
static bool same_value(LLVMValueRef a, LLVMValueRef b, int depth) {
    if (a == b) return true;
    if (depth == 0 || !LLVMIsAInstruction(a) || !LLVMIsAInstruction(b)) return false;
    LLVMOpcode op = LLVMGetInstructionOpcode(a);
    if (op != LLVMGetInstructionOpcode(b) || LLVMTypeOf(a) != LLVMTypeOf(b)) return false;
    if (op != LLVMGetElementPtr && op != LLVMAdd && op != LLVMZExt) return false;
    int n = LLVMGetNumOperands(a);
    if (n != LLVMGetNumOperands(b)) return false;
    for (int i = 0; i < n; i++)
        if (!same_value(LLVMGetOperand(a, (unsigned)i), LLVMGetOperand(b, (unsigned)i), depth - 1)) return false;
    return true;
}

/* Whether anything between two instructions of one block may write
 * memory (too far apart to look: taken for no, the safe answer here). */
static bool writes_between(LLVMValueRef a, LLVMValueRef b) {
    int steps = 0;
    /* backwards from b: the nearest write is usually close */
    for (LLVMValueRef i = LLVMGetPreviousInstruction(b); i && i != a; i = LLVMGetPreviousInstruction(i)) {
        if (++steps > 512) return false;
        LLVMOpcode op = LLVMGetInstructionOpcode(i);
        if (op == LLVMStore || op == LLVMCall || op == LLVMAtomicRMW || op == LLVMAtomicCmpXchg) return true;
    }
    return false;
}

/* `store (load p), p` with no write in between stores nothing new: LLVM
 * deletes it, and then the load. Such a store keeps only its address
 * alive. (Across blocks it is taken for one too: rare, and safe.) */
static bool stores_back(LLVMValueRef st, unsigned memload) {
    LLVMValueRef v = LLVMGetOperand(st, 0);
    if (!LLVMIsALoadInst(v) || !LLVMGetMetadata(v, memload) ||
        !same_value(LLVMGetOperand(v, 0), LLVMGetOperand(st, 1), 6))
        return false;
    return LLVMGetInstructionParent(v) != LLVMGetInstructionParent(st) || !writes_between(v, st);
}

/* Liveness from the roots back through operands (phis included). */
static void mark_live(fnset *f, unsigned memload) {
    size_t *work = malloc((f->n + 1) * sizeof *work), top = 0;
    if (!work) abort();
    for (size_t k = 0; k < f->n; k++)
        if (is_root(f->insts[k])) f->live[k] = 1, work[top++] = k;
    while (top) {
        LLVMValueRef i = f->insts[work[--top]];
        int n = LLVMGetNumOperands(i);
        bool back = LLVMGetInstructionOpcode(i) == LLVMStore && stores_back(i, memload);
        for (int o = back ? 1 : 0; o < n; o++) {
            LLVMValueRef v = LLVMGetOperand(i, (unsigned)o);
            if (!v || !LLVMIsAInstruction(v)) continue;
            size_t k = index_of(f, v);
            if (k < f->n && !f->live[k]) f->live[k] = 1, work[top++] = k;
        }
    }
    free(work);
}

/* How block `to` relates to block `from` that holds a load: instcombine
 * sinks an instruction only into a block whose unique predecessor is its
 * own, so a use in a block with several predecessors (a loop, a join)
 * pins it (PINNED). A block reached from `from` through unique
 * predecessors that each end in an unconditional branch runs whenever
 * `from` does (STRAIGHT). Anything else is an arm of a branch the load
 * could be sunk into (ARM). */
enum { PINNED, STRAIGHT, ARM };

static int relation(LLVMBasicBlockRef from, LLVMBasicBlockRef to) {
    bool straight = true;
    for (int steps = 0; steps < 16; steps++) {
        LLVMBasicBlockRef pred = NULL;
        unsigned npred = 0;
        for (LLVMUseRef u = LLVMGetFirstUse(LLVMBasicBlockAsValue(to)); u && npred < 2; u = LLVMGetNextUse(u)) {
            LLVMValueRef user = LLVMGetUser(u);
            if (!LLVMIsAInstruction(user) || !LLVMIsATerminatorInst(user)) continue;
            LLVMBasicBlockRef p = LLVMGetInstructionParent(user);
            if (!pred) pred = p, npred = 1;
            else if (p != pred) npred = 2;
        }
        if (npred != 1) return PINNED;
        if (LLVMGetNumSuccessors(LLVMGetBasicBlockTerminator(pred)) != 1) straight = false;
        if (pred == from) return straight ? STRAIGHT : ARM;
        to = pred;
    }
    return ARM;
}

/* Whether load ld is pinned where it is: its value flows, through
 * instructions of its block (or blocks that always follow it), into a
 * root, another memory access, a phi along an edge from there, or any use
 * in a block with several predecessors. */
static bool anchored(LLVMValueRef ld, unsigned memload) {
    enum { MAX = 512 };
    LLVMValueRef work[MAX];
    size_t top = 0, seen = 0;
    LLVMBasicBlockRef bb = LLVMGetInstructionParent(ld);
    work[top++] = ld;
    while (top) {
        LLVMValueRef v = work[--top];
        for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
            LLVMValueRef user = LLVMGetUser(u);
            if (!LLVMIsAInstruction(user)) continue;
            if (LLVMIsAPHINode(user)) {
                unsigned n = LLVMCountIncoming(user);
                for (unsigned k = 0; k < n; k++) {
                    LLVMBasicBlockRef from = LLVMGetIncomingBlock(user, k);
                    if (LLVMGetIncomingValue(user, k) == v && (from == bb || relation(bb, from) != ARM)) return true;
                }
                continue;
            }
            LLVMBasicBlockRef ub = LLVMGetInstructionParent(user);
            int rel = ub == bb ? STRAIGHT : relation(bb, ub);
            if (rel == PINNED) return true;
            if (rel == ARM) continue;
            if (LLVMGetInstructionOpcode(user) == LLVMStore && stores_back(user, memload)) continue;
            if (is_root(user) || (LLVMIsALoadInst(user) && LLVMGetMetadata(user, memload))) return true;
            if (++seen >= MAX || top == MAX) return false; /* too far to tell: keep it */
            work[top++] = user;
        }
    }
    return false;
}

/* Gives call c's result, when c calls a function defined in the module
 * and nothing keeps the result, a use that LLVM cannot drop (see the top
 * of the file). */
static void keep_call(LLVMValueRef c) {
    LLVMValueRef callee = LLVMGetCalledValue(c);
    if (!callee || !LLVMIsAFunction(callee) || LLVMIsDeclaration(callee)) return;
    LLVMTypeRef t = LLVMTypeOf(c);
    if (LLVMGetTypeKind(t) == LLVMVoidTypeKind) return;
    LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(LLVMGetBasicBlockParent(LLVMGetInstructionParent(c)));
    LLVMBuilderRef b = LLVMCreateBuilderInContext(LLVMGetTypeContext(t));
    LLVMPositionBuilderBefore(b, LLVMGetFirstInstruction(entry));
    LLVMValueRef slot = LLVMBuildAlloca(b, t, "kept");
    LLVMPositionBuilder(b, LLVMGetInstructionParent(c), LLVMGetNextInstruction(c));
    LLVMSetVolatile(LLVMBuildStore(b, c, slot), 1);
    LLVMDisposeBuilder(b);
}

static void keep_fn(LLVMValueRef fn, unsigned memload) {
    fnset f = {0};
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
        for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) f.n++;
    f.insts = malloc((f.n + 1) * sizeof *f.insts);
    f.live = calloc(f.n + 1, 1);
    if (!f.insts || !f.live) abort();
    size_t k = 0;
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
        for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i)) f.insts[k++] = i;
    qsort(f.insts, f.n, sizeof *f.insts, cmp_ptr);
    mark_live(&f, memload);
    for (k = 0; k < f.n; k++) {
        LLVMValueRef i = f.insts[k];
        if (LLVMIsACallInst(i) && !anchored(i, memload)) keep_call(i);
        if (!LLVMIsALoadInst(i) || !LLVMGetMetadata(i, memload) || LLVMGetVolatile(i)) continue;
        if (!f.live[k] || !anchored(i, memload)) {
            LLVMSetVolatile(i, 1);
            if (getenv("AW_LLVM_KEEP_DEBUG")) {
                char *str = LLVMPrintValueToString(i);
                fprintf(stderr, "kept (%s): %s in %s\n", f.live[k] ? "movable" : "dead", str, LLVMGetValueName(fn));
                if (getenv("AW_LLVM_KEEP_DEBUG")[0] == '2') {
                    char *fs = LLVMPrintValueToString(fn);
                    fprintf(stderr, "%s\n", fs);
                    LLVMDisposeMessage(fs);
                }
                LLVMDisposeMessage(str);
                for (LLVMUseRef u = LLVMGetFirstUse(i); u; u = LLVMGetNextUse(u)) {
                    str = LLVMPrintValueToString(LLVMGetUser(u));
                    fprintf(stderr, "   used by %s in %s\n", str, LLVMGetBasicBlockName(LLVMGetInstructionParent(LLVMGetUser(u))));
                    LLVMDisposeMessage(str);
                }
            }
        }
    }
    free(f.insts);
    free(f.live);
}

bool wasm_llvm_keep_loads(LLVMModuleRef mod, unsigned memload, aw_error *err) {
    /* locals to SSA first: a load stored to a local is used only if the
     * local is read */
    LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
    LLVMErrorRef e = LLVMRunPasses(mod, "function(mem2reg)", NULL, po);
    LLVMDisposePassBuilderOptions(po);
    if (e) {
        char *msg = LLVMGetErrorMessage(e);
        wasm_error_set(err, AW_ERR_RESOURCE, WASM_NONE, UINT64_MAX, "compiled tier: mem2reg: %s", msg);
        LLVMDisposeErrorMessage(msg);
        return false;
    }
    for (LLVMValueRef fn = LLVMGetFirstFunction(mod); fn; fn = LLVMGetNextFunction(fn))
        if (!LLVMIsDeclaration(fn)) keep_fn(fn, memload);
    return true;
}

#else
typedef int wasm_llvm_loads_unused; /* built without LLVM */
#endif
