/*
 * threadpool.c — see threadpool.h. One job at a time; tasks are handed out
 * through an atomic counter so uneven tasks balance themselves.
 */
#include "ai/threadpool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#else
#define cpu_relax() ((void)0)
#endif

/* Iterations a worker spins waiting for the next job before sleeping:
 * long enough to bridge the gap between the matmuls of one forward pass,
 * short enough not to burn a core while the model is idle. */
#define SPIN_LIMIT 20000
/* After this many pause-spins a waiting thread yields its core instead:
 * on a machine with more runnable threads than cores, pure spinning would
 * keep the very thread being waited for off the CPU. */
#define SPIN_BEFORE_YIELD 256

static void backoff(int *spins) {
    if (++*spins < SPIN_BEFORE_YIELD) cpu_relax();
    else sched_yield();
}

typedef struct { ai_pool *pool; int id; } worker_arg;

struct ai_pool {
    int n;
    pthread_t *threads;
    worker_arg *args;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_uint gen;
    atomic_int next, busy;
    atomic_bool quit;
    ai_task_fn fn;
    void *arg;
    int n_tasks;
};

static void do_tasks(ai_pool *p, int id) {
    int i;
    while ((i = atomic_fetch_add(&p->next, 1)) < p->n_tasks) p->fn(p->arg, i, id);
}

static void *worker(void *a) {
    worker_arg *wa = a;
    ai_pool *p = wa->pool;
    unsigned seen = 0;
    for (;;) {
        int spins = 0;
        while (atomic_load(&p->gen) == seen && !atomic_load(&p->quit) && spins < SPIN_LIMIT) backoff(&spins);
        if (atomic_load(&p->gen) == seen && !atomic_load(&p->quit)) {
            pthread_mutex_lock(&p->mu);
            while (atomic_load(&p->gen) == seen && !atomic_load(&p->quit)) pthread_cond_wait(&p->cv, &p->mu);
            pthread_mutex_unlock(&p->mu);
        }
        if (atomic_load(&p->quit)) break;
        seen = atomic_load(&p->gen);
        do_tasks(p, wa->id);
        atomic_fetch_sub(&p->busy, 1);
    }
    return NULL;
}

ai_pool *ai_pool_new(int n_threads) {
    ai_pool *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->n = n_threads < 1 ? 1 : n_threads;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->threads = calloc(p->n, sizeof *p->threads);
    p->args = calloc(p->n, sizeof *p->args);
    for (int i = 1; i < p->n; i++) {
        p->args[i] = (worker_arg){p, i};
        if (pthread_create(&p->threads[i], NULL, worker, &p->args[i]) != 0) { p->n = i; break; }
    }
    return p;
}

void ai_pool_free(ai_pool *p) {
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->quit, true);
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 1; i < p->n; i++) pthread_join(p->threads[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->threads);
    free(p->args);
    free(p);
}

int ai_pool_threads(const ai_pool *p) { return p ? p->n : 1; }

void ai_pool_run(ai_pool *p, ai_task_fn fn, void *arg, int n) {
    if (!p || p->n == 1 || n <= 1) {
        for (int i = 0; i < n; i++) fn(arg, i, 0);
        return;
    }
    p->fn = fn;
    p->arg = arg;
    p->n_tasks = n;
    atomic_store(&p->next, 0);
    atomic_store(&p->busy, p->n - 1);
    pthread_mutex_lock(&p->mu);
    atomic_fetch_add(&p->gen, 1);
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    do_tasks(p, 0);
    int spins = 0;
    while (atomic_load(&p->busy) > 0) backoff(&spins);
}
