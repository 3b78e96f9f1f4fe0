/*
 * tierup.c — AW_TIER_AUTO: start in the interpreter, compile in the
 * background, switch to compiled code without any call waiting for LLVM.
 *
 * 1. Load: the module is loaded for the interpreter (aw_module_load) and
 *    gets a wasm_tierup (m->tierup). Nothing of LLVM is touched: the plugin
 *    is not even opened, so a short run costs what an interpreted one does.
 * 2. Count: the interpreter's fuel/interrupt slow path, which runs every
 *    few thousand instructions anyway, calls wasm_tierup_tick. Once the
 *    module's instances together have run `threshold` instructions (0: at
 *    load), one thread wins a compare-and-swap and starts a compiling
 *    thread.
 * 3. Compile: the thread compiles the whole module with the LLVM tier
 *    (wasm_jit_compile on a shallow copy of the module, so that m->jit,
 *    which other threads read without synchronisation, is never written)
 *    and publishes the code with a release store of `jit`, then `phase`.
 * 4. Switch: the next tick of a running instance (acquire load) attaches
 *    the code to it: wasm_jit_instance_attach builds the instance's vm and
 *    turns its defined functions into entries of compiled code (their host
 *    becomes wasm_jit_enter), and inst->tier says so, which the
 *    interpreter's CALL checks. Exports, tables and calls from other
 *    instances reach the aw_func objects, so they switch with them. Frames
 *    already running stay interpreted until they return (no on-stack
 *    replacement): a long loop that calls nothing finishes in the
 *    interpreter. Instances made afterwards start compiled
 *    (wasm_tierup_instance_init).
 *
 * Memory, tables and globals are the instance's own objects in both tiers,
 * so nothing is copied at the switch. Traps, the call depth and interrupts
 * behave the same on either side. Fuel does not: the interpreter counts
 * instructions, compiled code calls and loop iterations; so a store with a
 * fuel limit never switches (and never starts a compilation), and a run
 * with --fuel N stops where the interpreter would.
 *
 * Ending: freeing the module waits for its compilation (joins the thread).
 * A process may end while one runs only through _exit (see
 * aw_compile_in_flight in anywhere/compile.h).
 *
 * Environment, for tests and measurements: AW_TIER_THRESHOLD=N (instructions
 * before compiling; 0 = at load), AW_TIER_SYNC=1 (compile on the thread that
 * reaches the threshold, which waits: makes the switch deterministic),
 * AW_DEBUG_TIER=1 (say on stderr what happens).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wasm/interp.h"
#include "wasm/llvm_jit.h"
#include "wasm/tierup.h"

/* About 4 million instructions: a few milliseconds of interpretation. A
 * program that ends sooner never pays for LLVM (loading it alone costs
 * tens of milliseconds of CPU); one that runs longer gets compiled code
 * while it keeps running. */
#define DEFAULT_THRESHOLD (1ull << 22)

/* An interpreted frame's call enters compiled code (about 10-15 ns: a
 * sigsetjmp, the host-call protocol) only when the callee may do enough
 * work to repay it: it loops, calls, or is at least this long (words of
 * interpreter code; a straight-line function runs fewer instructions). */
#define CROSS_MIN_WORDS 64

enum { PHASE_IDLE, PHASE_COMPILING, PHASE_READY, PHASE_FAILED };

typedef struct wasm_tierup {
    aw_module *m;
    aw_load_options opts;        /* for the compiled tier */
    uint64_t threshold;          /* interpreted instructions before compiling */
    bool sync, debug;
    atomic_int phase;
    atomic_uint_fast64_t ran;    /* interpreted instructions counted so far */
    atomic_bool cancel;          /* the module is being freed */
    _Atomic(wasm_jit_module *) jit; /* the code, once ready (release / acquire) */
    uint8_t *cross;              /* per function index (see CROSS_MIN_WORDS); with jit */
    pthread_t thread;
    atomic_bool joinable;        /* thread was started (release / acquire) */
    double compile_ms;
} wasm_tierup;

/* Process-wide by nature: the number of compilations running now, asked
 * by aw_compile_in_flight() on the way out of a program that has no module
 * at hand any more. */
static atomic_int in_flight;

bool aw_compile_in_flight(void) { return atomic_load_explicit(&in_flight, memory_order_acquire) > 0; }

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static uint64_t env_count(const char *name, uint64_t dflt) {
    const char *v = getenv(name);
    if (!v || !*v) return dflt;
    char *end;
    unsigned long long n = strtoull(v, &end, 0);
    return *end ? dflt : (uint64_t)n;
}

/* ---- compiling --------------------------------------------------------------- */

/* Whether interpreted code fn may loop or call: a scan of its words for
 * those handlers (LOOP shares its handler with ENTER, the first word). An
 * immediate that happens to equal one only makes the answer yes, which is
 * always correct, merely slower. */
static bool loops_or_calls(const wasm_fn *fn, const wasm_code *code, const void *const *h) {
    for (uint32_t i = 1; i < fn->ncode; i++) {
        const void *w = code[i].h;
        if (w == h[IOP_LOOP] || w == h[IOP_CALL] || w == h[IOP_CALL_ANY] || w == h[IOP_CALL_INDIRECT])
            return true;
    }
    return false;
}

static uint8_t *cross_table(const aw_module *m) {
    uint8_t *cross = calloc(m->nfuncs, 1);
    if (!cross) return NULL;
    const void *const *h = wasm_interp_handlers();
    for (uint32_t i = m->nfunc_imports; i < m->nfuncs; i++) {
        const wasm_fn *fn = __atomic_load_n(&m->funcs[i - m->nfunc_imports].code, __ATOMIC_ACQUIRE);
        const wasm_code *code = fn ? wasm_fn_code(fn) : NULL; /* before ncode (interp.h) */
        /* Not translated yet (never called): compiled code from the start. */
        cross[i] = !fn || !wasm_fn_translated(fn, code) || fn->ncode >= CROSS_MIN_WORDS ||
                   loops_or_calls(fn, code, h);
    }
    return cross;
}

/* Compiles, then publishes: the code (jit), the end of the work
 * (in_flight), and last the phase, so that whoever sees the phase change
 * also sees the other two. */
static void compile_now(wasm_tierup *t) {
    int phase = PHASE_FAILED;
    wasm_jit_module *jm = NULL;
    aw_error err;
    memset(&err, 0, sizeof err);
    if (!atomic_load_explicit(&t->cancel, memory_order_acquire)) {
        /* A shallow copy: the same decoded arrays (so the addresses the
         * code bakes in, e.g. of function types, are the module's own), and
         * a jit field of its own. The fields copied that other threads may
         * write (refcount, image) are never read through the copy. */
        aw_module shadow;
        memcpy(&shadow, t->m, sizeof shadow);
        shadow.jit = NULL;
        shadow.tierup = NULL;
        double t0 = now_ms();
        t->cross = cross_table(t->m);
        if (!t->cross) snprintf(err.message, sizeof err.message, "out of memory");
        else if (wasm_jit_compile(&shadow, &t->opts, &err)) jm = shadow.jit, phase = PHASE_READY;
        t->compile_ms = now_ms() - t0;
    }
    if (t->debug && phase == PHASE_READY)
        fprintf(stderr, "tier: compiled %u functions in %.1f ms\n", t->m->nfuncs - t->m->nfunc_imports,
                t->compile_ms);
    else if (t->debug && err.message[0])
        fprintf(stderr, "tier: staying in the interpreter: %s\n", err.message);
    atomic_store_explicit(&t->jit, jm, memory_order_release);
    atomic_fetch_sub_explicit(&in_flight, 1, memory_order_release);
    atomic_store_explicit(&t->phase, phase, memory_order_release);
}

static void *compile_main(void *arg) {
    compile_now(arg);
    return NULL;
}

/* Starts the compilation unless another thread already did. */
static void start(wasm_tierup *t, uint64_t ran) {
    int idle = PHASE_IDLE;
    if (!atomic_compare_exchange_strong(&t->phase, &idle, PHASE_COMPILING)) return;
    atomic_fetch_add_explicit(&in_flight, 1, memory_order_acq_rel);
    if (t->debug)
        fprintf(stderr, "tier: compiling %s after %llu interpreted instructions\n",
                t->sync ? "now" : "in the background", (unsigned long long)ran);
    if (t->sync) {
        compile_now(t);
        return;
    }
    /* LLVM recurses deeply on big functions: a roomy stack. */
    pthread_attr_t attr;
    bool attr_ok = pthread_attr_init(&attr) == 0;
    if (attr_ok) pthread_attr_setstacksize(&attr, 16u << 20);
    int rc = pthread_create(&t->thread, attr_ok ? &attr : NULL, compile_main, t);
    if (attr_ok) pthread_attr_destroy(&attr);
    if (rc == 0) {
        atomic_store_explicit(&t->joinable, true, memory_order_release);
        return;
    }
    if (t->debug) fprintf(stderr, "tier: staying in the interpreter: cannot start a thread\n");
    atomic_store_explicit(&t->phase, PHASE_FAILED, memory_order_release);
    atomic_fetch_sub_explicit(&in_flight, 1, memory_order_release);
}

/* ---- switching ------------------------------------------------------------------ */

static void switch_instance(wasm_tierup *t, aw_instance *inst, const char *how) {
    wasm_jit_module *jm = atomic_load_explicit(&t->jit, memory_order_acquire);
    aw_error err;
    memset(&err, 0, sizeof err);
    if (jm && wasm_jit_instance_attach(inst, jm, &err)) {
        inst->tier_cross = t->cross;
        inst->tier = WASM_TIER_SWITCHED;
        if (t->debug)
            fprintf(stderr, "tier: %s after %llu interpreted instructions\n", how,
                    (unsigned long long)atomic_load_explicit(&t->ran, memory_order_relaxed));
        return;
    }
    /* e.g. memory 0 without the guard region compiled code relies on */
    inst->tier = WASM_TIER_STAY;
    if (t->debug) fprintf(stderr, "tier: instance stays in the interpreter: %s\n", err.message);
}

void wasm_tierup_tick(aw_instance *inst, uint32_t instructions) {
    wasm_tierup *t = inst->module->tierup;
    if (inst->store->fuel_enabled) return; /* see the top of this file */
    int phase = atomic_load_explicit(&t->phase, memory_order_acquire);
    if (phase == PHASE_IDLE) {
        uint64_t ran = atomic_fetch_add_explicit(&t->ran, instructions, memory_order_relaxed) + instructions;
        if (ran >= t->threshold) start(t, ran);
        phase = atomic_load_explicit(&t->phase, memory_order_acquire);
    }
    if (phase == PHASE_READY) switch_instance(t, inst, "switched to compiled code");
    else if (phase == PHASE_FAILED) inst->tier = WASM_TIER_STAY;
}

void wasm_tierup_crossed(aw_instance *inst, uint32_t func) {
    const wasm_tierup *t = inst->module->tierup;
    inst->tier_crossed = true;
    if (t && t->debug)
        fprintf(stderr, "tier: an interpreted frame's call of function %u enters compiled code\n", func);
}

void wasm_tierup_instance_init(aw_instance *inst) {
    wasm_tierup *t = inst->module->tierup;
    if (inst->store->fuel_enabled) return;
    if (atomic_load_explicit(&t->phase, memory_order_acquire) == PHASE_READY)
        switch_instance(t, inst, "new instance starts in compiled code");
}

bool aw_module_tier_ready(const aw_module *m) {
    const wasm_tierup *t = m->tierup;
    if (!t) return m->jit != NULL;
    return atomic_load_explicit(&t->phase, memory_order_acquire) == PHASE_READY;
}

/* ---- loading and freeing ----------------------------------------------------- */

aw_module *wasm_tierup_attach(aw_module *m, const aw_load_options *opts) {
    if (!m || m->nfuncs == m->nfunc_imports) return m; /* nothing to compile */
#ifndef AW_LLVM_PLUGIN
    /* Linked in or absent: asking costs nothing (as a plugin, it would
     * load LLVM here; the compiling thread finds out instead). */
    if (!aw_compiled_tier_available()) return m;
#endif
    wasm_tierup *t = calloc(1, sizeof *t);
    if (!t) return m; /* the interpreter alone still runs it */
    t->m = m;
    t->opts = *opts;
    t->opts.tier = AW_TIER_COMPILED;
    t->threshold = env_count("AW_TIER_THRESHOLD", DEFAULT_THRESHOLD);
    t->sync = env_count("AW_TIER_SYNC", 0) != 0;
    t->debug = env_count("AW_DEBUG_TIER", 0) != 0;
    atomic_init(&t->phase, PHASE_IDLE);
    atomic_init(&t->ran, 0);
    atomic_init(&t->cancel, false);
    atomic_init(&t->jit, NULL);
    atomic_init(&t->joinable, false);
    m->tierup = t;
    if (t->threshold == 0) start(t, 0);
    return m;
}

void wasm_tierup_free(aw_module *m) {
    wasm_tierup *t = m->tierup;
    if (!t) return;
    atomic_store_explicit(&t->cancel, true, memory_order_release);
    if (atomic_load_explicit(&t->joinable, memory_order_acquire)) pthread_join(t->thread, NULL);
    wasm_jit_module *jm = atomic_load_explicit(&t->jit, memory_order_acquire);
    if (jm) {
        aw_module holder; /* wasm_jit_free takes the module that holds the code */
        memset(&holder, 0, sizeof holder);
        holder.jit = jm;
        wasm_jit_free(&holder);
    }
    free(t->cross);
    free(t);
    m->tierup = NULL;
}
