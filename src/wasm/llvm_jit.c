/*
 * llvm_jit.c — the compiled tier's driver: aw_module_load_ex, LLVM set-up,
 * the optimisation pipeline and ORC LLJIT. One LLJIT per module, freed with
 * it, so that modules come and go independently (and from any thread: each
 * has its own LLVM context).
 *
 * Built without LLVM (no llvm-config-19 at build time), aw_module_load_ex
 * refuses AW_TIER_COMPILED with a clear message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wasm/llvm_jit.h"
#include "wasm/tierup.h"

#ifdef AW_HAVE_LLVM
static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}
#endif

aw_tier aw_module_tier(const aw_module *m) {
    return m->jit ? AW_TIER_COMPILED : m->tierup ? AW_TIER_AUTO : AW_TIER_INTERP;
}

aw_module *aw_module_load_ex(const uint8_t *bytes, size_t len, const aw_load_options *opts,
                             aw_error *err) {
    aw_error scratch;
    if (!err) err = &scratch;
    if (!opts || opts->tier == AW_TIER_INTERP) return aw_module_load(bytes, len, err);
    if (opts->tier == AW_TIER_AUTO) return wasm_tierup_attach(aw_module_load(bytes, len, err), opts);
    if (!aw_compiled_tier_available()) {
        memset(err, 0, sizeof *err);
        wasm_error_set(err, AW_ERR_RESOURCE, WASM_NONE, UINT64_MAX,
                       "the compiled tier is not built into this binary (not built with LLVM: "
                       "install llvm-19-dev and rebuild)");
        return NULL;
    }
    /* The interpreter's translation is kept: it is cheap beside LLVM, and
     * the module stays valid for every API that expects it. */
    aw_module *m = aw_module_load(bytes, len, err);
    if (!m) return NULL;
    if (!wasm_jit_compile(m, opts, err)) {
        aw_module_release(m);
        return NULL;
    }
    return m;
}

#ifdef AW_HAVE_LLVM

#include <llvm-c/Analysis.h>
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <pthread.h>

#include "wasm/llvm_pipeline.h"
#include "wasm/llvm_translate.h"

bool aw_compiled_tier_available(void) { return true; }

static void jit_release(wasm_jit_module *jm);

static void llvm_init(void) {
    LLVMInitializeNativeTarget();
    LLVMInitializeNativeAsmPrinter();
    LLVMInitializeNativeAsmParser(); /* the inline asm of the checks */
}

void wasm_llvm_init(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, llvm_init);
}

bool wasm_llvm_fail(aw_error *err, const char *what, char *msg) {
    wasm_error_set(err, AW_ERR_RESOURCE, WASM_NONE, UINT64_MAX, "compiled tier: %s: %s", what,
                   msg ? msg : "?");
    if (msg) LLVMDisposeMessage(msg);
    return false;
}
bool wasm_llvm_fail_error(aw_error *err, const char *what, LLVMErrorRef e) {
    return wasm_llvm_fail(err, what, LLVMGetErrorMessage(e));
}

LLVMTargetMachineRef wasm_llvm_host_machine(LLVMCodeGenOptLevel level, LLVMRelocMode reloc,
                                            LLVMCodeModel model, char **why) {
    char *triple = LLVMGetDefaultTargetTriple();
    LLVMTargetRef target;
    LLVMTargetMachineRef tm = NULL;
    if (!LLVMGetTargetFromTriple(triple, &target, why)) {
        char *cpu = LLVMGetHostCPUName(), *features = LLVMGetHostCPUFeatures();
        tm = LLVMCreateTargetMachine(target, triple, cpu, features, level, reloc, model);
        LLVMDisposeMessage(cpu);
        LLVMDisposeMessage(features);
    }
    LLVMDisposeMessage(triple);
    return tm;
}
static LLVMTargetMachineRef host_machine(LLVMCodeGenOptLevel level, char **why) {
    return wasm_llvm_host_machine(level, LLVMRelocDefault, LLVMCodeModelJITDefault, why);
}

/* The optimisation pipeline: O2 by default; tiny modules (the spec tests'
 * are mostly a few functions) need no more than O1 to run well, and it
 * keeps loading fast. */
bool wasm_llvm_optimise(LLVMModuleRef mod, LLVMTargetMachineRef tm, int level, aw_error *err) {
    const char *pipe = level == WASM_LLVM_QUICK ? "function(mem2reg,simplifycfg)"
                     : level <= 0 ? "default<O0>" : level == 1 ? "default<O1>"
                     : level == 2 ? "default<O2>" : "default<O3>";
    if (getenv("AW_LLVM_PASSES")) pipe = getenv("AW_LLVM_PASSES"); /* for measuring */
    LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
    LLVMPassBuilderOptionsSetLoopVectorization(po, level >= 2);
    LLVMPassBuilderOptionsSetSLPVectorization(po, level >= 2);
    LLVMErrorRef e = LLVMRunPasses(mod, pipe, tm, po);
    LLVMDisposePassBuilderOptions(po);
    if (e) return wasm_llvm_fail_error(err, "optimising", e);
    return true;
}

int wasm_llvm_opt_level(const aw_load_options *opts) {
    int level = opts->opt_level > 0 ? opts->opt_level : 2;
    const char *env = getenv("AW_LLVM_OPT"); /* for measuring: 0..3 */
    if (env && *env >= '0' && *env <= '3') level = *env - '0';
    return level > 3 ? 3 : level;
}
bool wasm_llvm_explicit_bounds(const aw_load_options *opts) {
    return opts->explicit_bounds_checks || getenv("AW_LLVM_EXPLICIT_BOUNDS");
}
bool wasm_llvm_loop_checks(const aw_load_options *opts) {
    return !opts->unchecked_loops && !getenv("AW_LLVM_UNCHECKED_LOOPS");
}

void wasm_llvm_set_target(LLVMModuleRef mod, LLVMTargetMachineRef tm) {
    LLVMTargetDataRef td = LLVMCreateTargetDataLayout(tm);
    char *layout = LLVMCopyStringRepOfTargetData(td);
    LLVMSetDataLayout(mod, layout);
    LLVMDisposeMessage(layout);
    LLVMDisposeTargetData(td);
    char *triple = LLVMGetTargetMachineTriple(tm);
    LLVMSetTarget(mod, triple);
    LLVMDisposeMessage(triple);
}

bool wasm_jit_compile(aw_module *m, const aw_load_options *opts, aw_error *err) {
    wasm_llvm_init();
    double t0 = now_ms();
    int level = wasm_llvm_opt_level(opts);
    bool explicit_bounds = wasm_llvm_explicit_bounds(opts);

    LLVMOrcThreadSafeContextRef tsc = LLVMOrcCreateNewThreadSafeContext();
    LLVMContextRef ctx = LLVMOrcThreadSafeContextGetContext(tsc);
    bool loop_checks = wasm_llvm_loop_checks(opts);
    /* loops are checked after optimisation (llvm_checks.c), not here */
    LLVMModuleRef mod = wasm_llvm_translate(m, ctx, explicit_bounds, false, err);
    if (!mod) {
        LLVMOrcDisposeThreadSafeContext(tsc);
        return false;
    }
    char *why = NULL;
    if (getenv("AW_LLVM_VERIFY") && LLVMVerifyModule(mod, LLVMReturnStatusAction, &why)) {
        if (getenv("AW_LLVM_DUMP")) LLVMDumpModule(mod);
        LLVMDisposeModule(mod);
        LLVMOrcDisposeThreadSafeContext(tsc);
        return wasm_llvm_fail(err, "invalid IR (a translator bug)", why);
    }
    if (why) LLVMDisposeMessage(why), why = NULL;

    LLVMTargetMachineRef tm = host_machine(LLVMCodeGenLevelDefault, &why);
    LLVMTargetMachineRef jtm = tm ? host_machine(level >= 2 ? LLVMCodeGenLevelDefault : LLVMCodeGenLevelLess, &why) : NULL;
    if (!tm || !jtm) {
        if (tm) LLVMDisposeTargetMachine(tm);
        LLVMDisposeModule(mod);
        LLVMOrcDisposeThreadSafeContext(tsc);
        return wasm_llvm_fail(err, "no target machine for this host", why);
    }
    wasm_llvm_set_target(mod, tm);
    double t1 = now_ms();
    bool ok = wasm_llvm_optimise(mod, tm, level, err);
    double t2 = now_ms();
    LLVMDisposeTargetMachine(tm);
    if (ok) wasm_llvm_late_checks(mod, m, loop_checks);
    if (ok && getenv("AW_LLVM_VERIFY") && LLVMVerifyModule(mod, LLVMReturnStatusAction, &why)) {
        LLVMDisposeTargetMachine(jtm);
        LLVMDisposeModule(mod);
        LLVMOrcDisposeThreadSafeContext(tsc);
        return wasm_llvm_fail(err, "invalid IR after the loop checks", why);
    }
    if (why) LLVMDisposeMessage(why), why = NULL;
    if (getenv("AW_LLVM_DUMP")) LLVMDumpModule(mod);
    if (!ok) {
        LLVMDisposeTargetMachine(jtm);
        LLVMDisposeModule(mod);
        LLVMOrcDisposeThreadSafeContext(tsc);
        return false;
    }

    LLVMOrcLLJITBuilderRef jb = LLVMOrcCreateLLJITBuilder();
    LLVMOrcLLJITBuilderSetJITTargetMachineBuilder(jb, LLVMOrcJITTargetMachineBuilderCreateFromTargetMachine(jtm));
    LLVMOrcLLJITRef jit;
    LLVMErrorRef e = LLVMOrcCreateLLJIT(&jit, jb);
    if (e) {
        LLVMDisposeModule(mod);
        LLVMOrcDisposeThreadSafeContext(tsc);
        return wasm_llvm_fail_error(err, "creating the JIT", e);
    }
    LLVMOrcThreadSafeModuleRef tsm = LLVMOrcCreateNewThreadSafeModule(mod, tsc);
    LLVMOrcDisposeThreadSafeContext(tsc); /* the module holds it now */
    e = LLVMOrcLLJITAddLLVMIRModule(jit, LLVMOrcLLJITGetMainJITDylib(jit), tsm);
    if (e) {
        LLVMOrcDisposeThreadSafeModule(tsm);
        LLVMOrcDisposeLLJIT(jit);
        return wasm_llvm_fail_error(err, "adding code to the JIT", e);
    }
    LLVMOrcExecutorAddress addr = 0;
    uint32_t ndefs = m->nfuncs - m->nfunc_imports;
    if (ndefs) {
        e = LLVMOrcLLJITLookup(jit, &addr, "aw_fntab");
        if (e) {
            LLVMOrcDisposeLLJIT(jit);
            return wasm_llvm_fail_error(err, "generating code", e);
        }
    }
    wasm_jit_module *jm = calloc(1, sizeof *jm);
    void **natives = calloc(ndefs + 1, sizeof *natives);
    wasm_jit_slots_fn *wrappers = calloc(ndefs + 1, sizeof *wrappers);
    if (!jm || !natives || !wrappers) {
        free(jm), free(natives), free(wrappers);
        LLVMOrcDisposeLLJIT(jit);
        wasm_error_set(err, AW_ERR_RESOURCE, WASM_NONE, UINT64_MAX, "out of memory");
        return false;
    }
    void *const *tab = (void *const *)(uintptr_t)addr;
    for (uint32_t d = 0; d < ndefs; d++) {
        natives[d] = tab[2 * d];
        memcpy(&wrappers[d], &tab[2 * d + 1], sizeof wrappers[d]);
    }
    jm->engine = jit;
    jm->release = jit_release;
    jm->ndefs = ndefs;
    jm->native = natives;
    jm->wrappers = wrappers;
    jm->explicit_bounds = explicit_bounds;
    jm->compile_ms = now_ms() - t0;
    m->jit = jm;
    if (getenv("AW_LLVM_TIME"))
        fprintf(stderr, "compiled tier: %u functions in %.1f ms (translate %.1f, optimise %.1f, codegen %.1f)\n",
                ndefs, jm->compile_ms, t1 - t0, t2 - t1, now_ms() - t2);
    return true;
}

static void jit_release(wasm_jit_module *jm) {
    LLVMOrcDisposeLLJIT(jm->engine);
    free(jm->native);
    free(jm->wrappers);
    free(jm);
}

#else /* built without LLVM */

bool aw_compiled_tier_available(void) { return false; }

bool wasm_jit_compile(aw_module *m, const aw_load_options *opts, aw_error *err) {
    (void)m, (void)opts;
    wasm_error_set(err, AW_ERR_RESOURCE, WASM_NONE, UINT64_MAX, "not built with LLVM");
    return false;
}

#endif
