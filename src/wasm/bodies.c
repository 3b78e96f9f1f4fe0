/*
 * bodies.c — validating and translating every function body of a module
 * being loaded, on a few threads when there is enough code to share.
 *
 * Bodies are independent: each is validated and translated on its own
 * (validate.c reads the module only; compile.c gives each thread its own
 * buffers and arena). Threads claim batches of consecutive functions from
 * a shared counter, so the result is the same whichever thread translates
 * which body. Errors stay deterministic: once function i fails, the other
 * threads still finish every function below i (they may hold an earlier
 * failure) and skip the ones above; the failure with the lowest index is
 * the one reported, as a single-threaded load would report it.
 *
 * AW_LOAD_THREADS=N caps the threads (1: load on the calling thread only).
 *
 * Translation is lazy by default: every body is validated here, as the spec
 * wants a module checked whole before it runs, but translated only on its
 * first call (interp.h, LAZY TRANSLATION). A program calls a fraction of
 * its functions (a C hello world links printf's whole machinery), and
 * translating is two thirds of a load's work: lazily, `anywhere run
 * hello.wasm` executes 40% fewer instructions. AW_TRANSLATE=eager
 * translates every body here instead (the spec tests and fuzzers use it, so
 * that the translator meets every function they load, called or not).
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wasm/module.h"

#define LOAD_MAX_THREADS 8
/* Below this much code per thread, a thread costs more than it saves. */
#define LOAD_BYTES_PER_THREAD ((uint64_t)1 << 20)
/* Functions per claim: few enough claims to keep the counter cold,
 * small enough batches to keep the threads' shares even. */
#define LOAD_BATCH 16u

typedef struct load_job load_job;

typedef struct load_worker {
    load_job *job;
    uint32_t index;     /* compile.c worker number */
    uint32_t failed_at; /* the function (among definitions) that failed, or WASM_NONE */
    aw_error err;
} load_worker;

struct load_job {
    aw_module *m;
    uint32_t ndefs;
    bool lazy;           /* validate only (translate_lazily) */
    atomic_uint next;    /* the first function of the next unclaimed batch */
    atomic_uint stop_at; /* the lowest failed function so far (WASM_NONE: none) */
    load_worker workers[LOAD_MAX_THREADS];
};

static bool body_load(aw_module *m, uint32_t worker, uint32_t i, bool lazy, aw_error *err) {
    return wasm_validate_func(m, i, err) && (lazy || wasm_compile_func(m, worker, i, err));
}

static bool translate_lazily(void) {
    const char *v = getenv("AW_TRANSLATE");
    return !v || strcmp(v, "eager") != 0;
}

static void lower_stop(load_job *job, uint32_t i) {
    unsigned cur = atomic_load_explicit(&job->stop_at, memory_order_relaxed);
    while (i < cur && !atomic_compare_exchange_weak(&job->stop_at, &cur, i)) {
    }
}

static void *worker_run(void *arg) {
    load_worker *w = arg;
    load_job *job = w->job;
    for (;;) {
        uint32_t first = atomic_fetch_add_explicit(&job->next, LOAD_BATCH, memory_order_relaxed);
        if (first >= job->ndefs) break;
        uint32_t end = job->ndefs - first < LOAD_BATCH ? job->ndefs : first + LOAD_BATCH;
        for (uint32_t i = first; i < end; i++) {
            /* Functions above a failure are not needed (but those below are). */
            if (i > atomic_load_explicit(&job->stop_at, memory_order_relaxed)) return NULL;
            if (!body_load(job->m, w->index, i, job->lazy, &w->err)) {
                w->failed_at = i;
                lower_stop(job, i);
                return NULL;
            }
        }
    }
    return NULL;
}

/* How many threads: AW_LOAD_THREADS if set (1..LOAD_MAX_THREADS), else one
 * per CPU this process may run on, up to the cap; never more than the
 * code can keep busy. */
static uint32_t thread_count(const aw_module *m, uint32_t ndefs) {
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < ndefs; i++) bytes += (uint64_t)(m->funcs[i].body_end - m->funcs[i].body);
    uint64_t by_size = bytes / LOAD_BYTES_PER_THREAD;
    uint64_t by_count = ndefs / LOAD_BATCH;
    uint64_t most = by_size < by_count ? by_size : by_count;
    if (most < 2) return 1; /* small modules (most): no system call to count CPUs */
    cpu_set_t cpus;
    long n = sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? CPU_COUNT(&cpus) : sysconf(_SC_NPROCESSORS_ONLN);
    const char *env = getenv("AW_LOAD_THREADS");
    if (env && *env) {
        char *end;
        long v = strtol(env, &end, 10);
        if (*end == '\0' && v >= 1) n = v;
    }
    if (n < 1) n = 1;
    if (n > LOAD_MAX_THREADS) n = LOAD_MAX_THREADS;
    if ((uint64_t)n > most) n = (long)most;
    return (uint32_t)n;
}

static bool load_serial(aw_module *m, uint32_t ndefs, bool lazy, aw_error *err) {
    for (uint32_t i = 0; i < ndefs; i++)
        if (!body_load(m, 0, i, lazy, err)) return false;
    return true;
}

bool wasm_load_bodies(aw_module *m, aw_error *err) {
    uint32_t ndefs = m->nfuncs - m->nfunc_imports;
    uint32_t nthreads = thread_count(m, ndefs);
    bool lazy = translate_lazily();
    if (!wasm_compile_begin(m, nthreads, lazy, err)) return false;
    bool ok;
    if (nthreads == 1) {
        ok = load_serial(m, ndefs, lazy, err);
    } else {
        load_job *job = calloc(1, sizeof *job);
        if (!job) {
            wasm_error_set(err, AW_ERR_RESOURCE, WASM_NONE, UINT64_MAX, "out of memory loading a module");
            return false;
        }
        job->m = m;
        job->ndefs = ndefs;
        job->lazy = lazy;
        atomic_init(&job->next, 0);
        atomic_init(&job->stop_at, WASM_NONE);
        pthread_t tids[LOAD_MAX_THREADS];
        bool started[LOAD_MAX_THREADS] = {false};
        for (uint32_t t = 0; t < nthreads; t++) {
            load_worker *w = &job->workers[t];
            w->job = job, w->index = t, w->failed_at = WASM_NONE;
            w->err = *err;
        }
        /* Thread 0 is this one; a thread that cannot start leaves its
         * share to the others (they claim until nothing is left). */
        for (uint32_t t = 1; t < nthreads; t++)
            started[t] = pthread_create(&tids[t], NULL, worker_run, &job->workers[t]) == 0;
        worker_run(&job->workers[0]);
        for (uint32_t t = 1; t < nthreads; t++)
            if (started[t]) pthread_join(tids[t], NULL);
        const load_worker *first = NULL;
        for (uint32_t t = 0; t < nthreads; t++)
            if (job->workers[t].failed_at != WASM_NONE &&
                (!first || job->workers[t].failed_at < first->failed_at))
                first = &job->workers[t];
        ok = first == NULL;
        if (first) *err = first->err;
        free(job);
    }
    wasm_compile_end(m);
    return ok;
}
