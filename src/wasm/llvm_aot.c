/*
 * llvm_aot.c — ahead-of-time compilation (part of the LLVM plugin): a
 * module's defined functions to x86-64 ELF relocatable objects, which
 * aot_file.c packs into an artifact and aot_elf.c loads without LLVM.
 *
 * The code is the JIT's (same translator, pipeline, static relocations and
 * the JIT's large code model, so that every address is a 64-bit absolute
 * relocation), except that runtime addresses become symbols of the
 * artifact ABI (aot.h) instead of constants.
 *
 * Big modules are split into parts of PART_FUNCS functions, each its own
 * LLVM context, module and object, compiled by up to one thread per core:
 * LLVM's time grows faster than linearly with a module's size, and the
 * parts run in parallel. Parts call each other's functions by name.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wasm/aot.h"

#ifdef AW_HAVE_LLVM

#include <llvm-c/Core.h>
#include <pthread.h>

#include "wasm/llvm_pipeline.h"
#include "wasm/llvm_translate.h"
#include "wasm/simd.h"

/* Functions per part of a big module; a module of at most this many is
 * one part (its functions stay internal, exactly as the JIT compiles). */
#define PART_FUNCS 500
/* Above this many bytes of code, parts are compiled at the quick level
 * (llvm_pipeline.h): O2 or even O1 on a 16 MB module costs minutes. */
#define QUICK_CODE_BYTES (4u << 20)

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A symbol reference: an external global (data) or function (code). */
static LLVMValueRef extern_ref(LLVMModuleRef mod, const char *name, bool code) {
    LLVMContextRef c = LLVMGetModuleContext(mod);
    if (code) {
        LLVMValueRef f = LLVMGetNamedFunction(mod, name);
        if (!f) f = LLVMAddFunction(mod, name, LLVMFunctionType(LLVMVoidTypeInContext(c), NULL, 0, 0));
        return f;
    }
    LLVMValueRef g = LLVMGetNamedGlobal(mod, name);
    if (!g) g = LLVMAddGlobal(mod, LLVMInt8TypeInContext(c), name);
    return g;
}

static LLVMValueRef offset_ref(LLVMModuleRef mod, const char *name, uint64_t off) {
    LLVMContextRef c = LLVMGetModuleContext(mod);
    LLVMValueRef base = extern_ref(mod, name, false);
    if (!off) return base;
    LLVMValueRef idx = LLVMConstInt(LLVMInt64TypeInContext(c), off, 0);
    return LLVMConstGEP2(LLVMInt8TypeInContext(c), base, &idx, 1);
}

LLVMValueRef wasm_llvm_aot_ref(LLVMModuleRef mod, const aw_module *m, const void *p) {
    uintptr_t a = (uintptr_t)p;
    uintptr_t types = (uintptr_t)m->types, bytes = (uintptr_t)m->bytes;
    if (m->ntypes && a >= types && a < types + m->ntypes * sizeof *m->types)
        return offset_ref(mod, "aw_types", a - types);
    if (a >= bytes && a < bytes + m->len) return offset_ref(mod, "aw_modbytes", a - bytes);
    char name[64];
    if (wasm_aot_runtime_name(p, name, sizeof name)) return extern_ref(mod, name, true);
    return NULL;
}

/* ---- one part ------------------------------------------------------------ */

typedef struct job {
    const aw_module *m;
    int level;
    bool explicit_bounds, loop_checks, whole;
    uint32_t nparts;
    wasm_aot_obj *objs;
    atomic_uint next;     /* the next part to take */
    atomic_bool failed;
    pthread_mutex_t lock; /* guards err */
    aw_error *err;
} job;

static void part_failed(job *j, const aw_error *e) {
    pthread_mutex_lock(&j->lock);
    if (!atomic_exchange(&j->failed, true)) *j->err = *e;
    pthread_mutex_unlock(&j->lock);
}

static bool compile_part(job *j, wasm_aot_obj *o, aw_error *err) {
    LLVMContextRef ctx = LLVMContextCreate();
    wasm_llvm_part part = {o->lo, o->hi, j->whole};
    LLVMModuleRef mod = wasm_llvm_translate_part(j->m, ctx, j->explicit_bounds, false, &part, err);
    if (!mod) {
        LLVMContextDispose(ctx);
        return false;
    }
    char *why = NULL;
    LLVMCodeGenOptLevel cg = j->level >= 2 ? LLVMCodeGenLevelDefault
                           : j->level == 1 ? LLVMCodeGenLevelLess : LLVMCodeGenLevelNone;
    if (getenv("AW_AOT_CG")) cg = (LLVMCodeGenOptLevel)atoi(getenv("AW_AOT_CG")); /* for measuring */
    /* static relocations and the JIT's (large) code model: every address a
     * 64-bit absolute, resolved by aot_elf.c wherever the code lands */
    LLVMTargetMachineRef tm = wasm_llvm_host_machine(cg, LLVMRelocStatic, LLVMCodeModelLarge, &why);
    bool ok = tm != NULL;
    if (!ok) wasm_llvm_fail(err, "no target machine for this host", why);
    if (ok) {
        wasm_llvm_set_target(mod, tm);
        ok = wasm_llvm_optimise(mod, tm, j->level, err);
    }
    if (ok) wasm_llvm_late_checks(mod, j->m, j->loop_checks);
    LLVMMemoryBufferRef buf = NULL;
    if (ok && LLVMTargetMachineEmitToMemoryBuffer(tm, mod, LLVMObjectFile, &why, &buf))
        ok = wasm_llvm_fail(err, "generating code", why);
    if (ok) {
        o->len = LLVMGetBufferSize(buf);
        o->data = malloc(o->len ? o->len : 1);
        if (o->data) memcpy(o->data, LLVMGetBufferStart(buf), o->len);
        else ok = wasm_llvm_fail(err, "out of memory for the object", NULL);
    }
    if (buf) LLVMDisposeMemoryBuffer(buf);
    if (tm) LLVMDisposeTargetMachine(tm);
    LLVMDisposeModule(mod);
    LLVMContextDispose(ctx);
    return ok;
}

static void *worker(void *arg) {
    job *j = arg;
    for (;;) {
        uint32_t k = atomic_fetch_add(&j->next, 1);
        if (k >= j->nparts || atomic_load(&j->failed)) return NULL;
        aw_error e;
        memset(&e, 0, sizeof e);
        if (!compile_part(j, &j->objs[k], &e)) part_failed(j, &e);
    }
}

static uint32_t thread_count(uint32_t nparts) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    const char *env = getenv("AW_AOT_THREADS"); /* for measuring */
    if (env && atoi(env) > 0) n = atoi(env);
    if (n < 1) n = 1;
    if (n > 16) n = 16;
    return (uint32_t)n < nparts ? (uint32_t)n : nparts;
}

static uint64_t code_bytes(const aw_module *m) {
    uint64_t n = 0;
    for (uint32_t d = 0; d < m->nfuncs - m->nfunc_imports; d++)
        n += (uint64_t)(m->funcs[d].body_end - m->funcs[d].body);
    return n;
}

static bool host_strings(wasm_aot_code *out, aw_error *err) {
    char *triple = LLVMGetDefaultTargetTriple(), *cpu = LLVMGetHostCPUName();
    char *features = LLVMGetHostCPUFeatures();
    snprintf(out->triple, sizeof out->triple, "%s", triple);
    snprintf(out->cpu, sizeof out->cpu, "%s", cpu);
    out->features = strdup(features);
    LLVMDisposeMessage(triple);
    LLVMDisposeMessage(cpu);
    LLVMDisposeMessage(features);
    if (!out->features) return wasm_llvm_fail(err, "out of memory", NULL);
    return true;
}

bool wasm_aot_compile(const aw_module *m, const aw_load_options *opts, wasm_aot_code *out,
                      aw_error *err) {
    memset(out, 0, sizeof *out);
#if !defined(__x86_64__)
    (void)m, (void)opts;
    wasm_error_set(err, AW_ERR_RESOURCE, WASM_NONE, UINT64_MAX,
                   "ahead-of-time compilation supports x86-64 only (the JIT works here: "
                   "run with --tier compiled)");
    return false;
#else
    wasm_llvm_init();
    double t0 = now_ms();
    uint32_t ndefs = m->nfuncs - m->nfunc_imports;
    job j = {.m = m, .err = err};
    j.level = wasm_llvm_opt_level(opts);
    /* AW_AOT_QUICK=1: the quick level whatever the size (for testing) */
    if ((opts->opt_level <= 0 && !getenv("AW_LLVM_OPT") && code_bytes(m) > QUICK_CODE_BYTES) ||
        getenv("AW_AOT_QUICK"))
        j.level = WASM_LLVM_QUICK;
    j.explicit_bounds = wasm_llvm_explicit_bounds(opts);
    j.loop_checks = wasm_llvm_loop_checks(opts);
    uint32_t per = PART_FUNCS;
    const char *env = getenv("AW_AOT_PART_FUNCS"); /* for measuring */
    if (env && atoi(env) > 0) per = (uint32_t)atoi(env);
    j.nparts = ndefs <= per ? 1 : (ndefs + per - 1) / per;
    j.whole = j.nparts == 1;
    j.objs = calloc(j.nparts, sizeof *j.objs);
    if (!j.objs || !host_strings(out, err)) {
        free(j.objs);
        wasm_aot_code_free(out);
        return j.objs ? false : wasm_llvm_fail(err, "out of memory", NULL);
    }
    for (uint32_t k = 0; k < j.nparts; k++) {
        j.objs[k].lo = k * per;
        j.objs[k].hi = k + 1 == j.nparts ? ndefs : (k + 1) * per;
    }
    pthread_mutex_init(&j.lock, NULL);
    uint32_t nthreads = thread_count(j.nparts);
    pthread_t th[16];
    uint32_t started = 0;
    for (uint32_t i = 1; i < nthreads; i++)
        if (pthread_create(&th[started], NULL, worker, &j) == 0) started++;
    worker(&j); /* this thread works too */
    for (uint32_t i = 0; i < started; i++) pthread_join(th[i], NULL);
    pthread_mutex_destroy(&j.lock);
    out->objs = j.objs;
    out->nobjs = j.nparts;
    out->explicit_bounds = j.explicit_bounds;
    out->compile_ms = now_ms() - t0;
    if (atomic_load(&j.failed)) {
        wasm_aot_code_free(out);
        return false;
    }
    if (getenv("AW_LLVM_TIME"))
        fprintf(stderr, "compiled tier (ahead of time): %u functions in %u parts, %u threads, %s%d: %.1f ms\n",
                ndefs, j.nparts, nthreads, j.level == WASM_LLVM_QUICK ? "quick" : "O",
                j.level == WASM_LLVM_QUICK ? 0 : j.level, out->compile_ms);
    return true;
#endif
}

#else /* built without LLVM */

bool wasm_aot_compile(const aw_module *m, const aw_load_options *opts, wasm_aot_code *out,
                      aw_error *err) {
    (void)m, (void)opts;
    memset(out, 0, sizeof *out);
    wasm_error_set(err, AW_ERR_RESOURCE, WASM_NONE, UINT64_MAX,
                   "the compiled tier is not built into this binary (not built with LLVM: "
                   "install llvm-19-dev and rebuild)");
    return false;
}

#endif
