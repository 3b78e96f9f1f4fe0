/* metrics.h — Prometheus metrics of the HTTP trigger: requests by route
 * and status, request latency, instantiation time, traps by kind, instances
 * in flight. Updated with relaxed atomics from every worker thread. */
#ifndef AW_APP_METRICS_H
#define AW_APP_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "anywhere/wasm.h"

typedef struct app_metrics app_metrics;

/* ROUTES[0..n) label the routes; index n is "no route" (404s, health). */
app_metrics *app_metrics_new(const char *const *routes, size_t n);
void app_metrics_free(app_metrics *m);
void app_metrics_request(app_metrics *m, size_t route, int status, uint64_t latency_ns);
void app_metrics_instantiate(app_metrics *m, uint64_t ns);
void app_metrics_trap(app_metrics *m, aw_trapkind kind);
void app_metrics_rejected(app_metrics *m);             /* 503: too many instances */
long app_metrics_inflight_add(app_metrics *m, long d); /* returns the new value */
/* The exposition text (malloc'd), or NULL. */
char *app_metrics_render(app_metrics *m, size_t *len);
/* Quantile Q (0..1) of instantiation time in ns, from the fine histogram. */
double app_metrics_instantiate_quantile(app_metrics *m, double q);

#endif
