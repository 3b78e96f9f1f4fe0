/*
 * threadpool.h — a small fixed-size pthread pool for data-parallel loops.
 *
 * ai_pool_run(p, fn, arg, n) calls fn(arg, i, thread) for every i < n,
 * spread over the caller plus the workers, and returns when all are done.
 * Workers spin briefly between jobs (a token's forward pass issues hundreds
 * of short jobs) and then sleep on a condition variable.
 */
#ifndef AI_THREADPOOL_H
#define AI_THREADPOOL_H

typedef struct ai_pool ai_pool;
typedef void (*ai_task_fn)(void *arg, int i, int thread);

ai_pool *ai_pool_new(int n_threads);   /* n_threads includes the caller */
void ai_pool_free(ai_pool *p);
int ai_pool_threads(const ai_pool *p);
void ai_pool_run(ai_pool *p, ai_task_fn fn, void *arg, int n);

#endif
