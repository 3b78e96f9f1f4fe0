/* metrics.c — counters and histograms for /metrics (see metrics.h). */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/metrics.h"

static const double latency_bounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                        0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
#define NLAT (sizeof latency_bounds / sizeof latency_bounds[0])
static const double inst_bounds[] = {0.000001, 0.000002, 0.000003, 0.000005, 0.00001, 0.00002,
                                     0.00005, 0.0001, 0.001, 0.01};
#define NINST (sizeof inst_bounds / sizeof inst_bounds[0])
/* Fine instantiation histogram for quantiles: 100 ns steps up to 100 us. */
#define FINE 1000

typedef struct route_stats {
    char *label;
    atomic_ulong status[600];
} route_stats;

struct app_metrics {
    route_stats *routes;
    size_t nroutes; /* including the "no route" slot */
    atomic_ulong lat[NLAT + 1];
    atomic_ulong lat_sum_ns, lat_count;
    atomic_ulong inst[NINST + 1];
    atomic_ulong inst_sum_ns, inst_count;
    atomic_ulong inst_fine[FINE + 1];
    atomic_ulong traps[AW_TRAP_KIND_COUNT];
    atomic_ulong rejected;
    atomic_long inflight;
};

app_metrics *app_metrics_new(const char *const *routes, size_t n) {
    app_metrics *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->routes = calloc(n + 1, sizeof *m->routes);
    if (!m->routes) { free(m); return NULL; }
    m->nroutes = n + 1;
    for (size_t i = 0; i <= n; i++) m->routes[i].label = strdup(i < n ? routes[i] : "(none)");
    return m;
}

void app_metrics_free(app_metrics *m) {
    if (!m) return;
    for (size_t i = 0; i < m->nroutes; i++) free(m->routes[i].label);
    free(m->routes);
    free(m);
}

#define ADD(x, v) atomic_fetch_add_explicit(&(x), (v), memory_order_relaxed)
#define GET(x) atomic_load_explicit(&(x), memory_order_relaxed)

void app_metrics_request(app_metrics *m, size_t route, int status, uint64_t ns) {
    if (route >= m->nroutes) route = m->nroutes - 1;
    if (status >= 100 && status < 600) ADD(m->routes[route].status[status], 1);
    size_t b = 0;
    while (b < NLAT && (double)ns / 1e9 > latency_bounds[b]) b++;
    ADD(m->lat[b], 1);
    ADD(m->lat_sum_ns, ns);
    ADD(m->lat_count, 1);
}

void app_metrics_instantiate(app_metrics *m, uint64_t ns) {
    size_t b = 0;
    while (b < NINST && (double)ns / 1e9 > inst_bounds[b]) b++;
    ADD(m->inst[b], 1);
    ADD(m->inst_sum_ns, ns);
    ADD(m->inst_count, 1);
    size_t f = ns / 100;
    ADD(m->inst_fine[f < FINE ? f : FINE], 1);
}

void app_metrics_trap(app_metrics *m, aw_trapkind kind) {
    if ((unsigned)kind < AW_TRAP_KIND_COUNT) ADD(m->traps[kind], 1);
}

void app_metrics_rejected(app_metrics *m) { ADD(m->rejected, 1); }

long app_metrics_inflight_add(app_metrics *m, long d) {
    return atomic_fetch_add_explicit(&m->inflight, d, memory_order_relaxed) + d;
}

double app_metrics_instantiate_quantile(app_metrics *m, double q) {
    unsigned long total = 0, seen = 0;
    for (size_t i = 0; i <= FINE; i++) total += GET(m->inst_fine[i]);
    if (!total) return 0;
    for (size_t i = 0; i <= FINE; i++) {
        seen += GET(m->inst_fine[i]);
        if ((double)seen >= q * (double)total) return (double)i * 100 + 50;
    }
    return FINE * 100.0;
}

typedef struct buf {
    char *p;
    size_t n, cap;
    int ok;
} buf;

static void put(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(buf *b, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (k < 0) { b->ok = 0; return; }
        if ((size_t)k < b->cap - b->n) { b->n += (size_t)k; return; }
        char *g = realloc(b->p, b->cap * 2 + (size_t)k);
        if (!g) { b->ok = 0; return; }
        b->p = g, b->cap = b->cap * 2 + (size_t)k;
    }
}

static void histogram(buf *b, const char *name, const char *help, const double *bounds, size_t n,
                      atomic_ulong *counts, unsigned long sum_ns, unsigned long count) {
    put(b, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
    unsigned long cum = 0;
    for (size_t i = 0; i < n; i++) {
        cum += GET(counts[i]);
        put(b, "%s_bucket{le=\"%g\"} %lu\n", name, bounds[i], cum);
    }
    cum += GET(counts[n]);
    put(b, "%s_bucket{le=\"+Inf\"} %lu\n%s_sum %.9f\n%s_count %lu\n", name, cum, name, (double)sum_ns / 1e9, name, count);
}

static void label_escaped(buf *b, const char *s) {
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') put(b, "\\%c", *s);
        else if (*s == '\n') put(b, "\\n");
        else put(b, "%c", *s);
    }
}

char *app_metrics_render(app_metrics *m, size_t *len) {
    buf b = {malloc(8192), 0, 8192, 1};
    if (!b.p) return NULL;
    put(&b, "# HELP anywhere_http_requests_total HTTP requests by route and status.\n"
            "# TYPE anywhere_http_requests_total counter\n");
    for (size_t r = 0; r < m->nroutes; r++)
        for (int s = 100; s < 600; s++) {
            unsigned long v = GET(m->routes[r].status[s]);
            if (!v) continue;
            put(&b, "anywhere_http_requests_total{route=\"");
            label_escaped(&b, m->routes[r].label);
            put(&b, "\",status=\"%d\"} %lu\n", s, v);
        }
    histogram(&b, "anywhere_http_request_duration_seconds", "Time from a complete request to its response.",
              latency_bounds, NLAT, m->lat, GET(m->lat_sum_ns), GET(m->lat_count));
    histogram(&b, "anywhere_instantiate_seconds", "Fresh instance per request: store, instantiation and teardown.",
              inst_bounds, NINST, m->inst, GET(m->inst_sum_ns), GET(m->inst_count));
    put(&b, "# HELP anywhere_instantiate_p50_seconds Median instantiation + teardown time.\n"
            "# TYPE anywhere_instantiate_p50_seconds gauge\nanywhere_instantiate_p50_seconds %.9f\n",
        app_metrics_instantiate_quantile(m, 0.5) / 1e9);
    put(&b, "# HELP anywhere_guest_traps_total Guest traps by kind.\n# TYPE anywhere_guest_traps_total counter\n");
    for (int k = 1; k < AW_TRAP_KIND_COUNT; k++)
        put(&b, "anywhere_guest_traps_total{kind=\"%s\"} %lu\n", aw_trap_message((aw_trapkind)k), GET(m->traps[k]));
    put(&b, "# HELP anywhere_instances_in_flight Instances running now.\n# TYPE anywhere_instances_in_flight gauge\n"
            "anywhere_instances_in_flight %ld\n", (long)GET(m->inflight));
    put(&b, "# HELP anywhere_requests_rejected_total Requests answered 503 because max instances were running.\n"
            "# TYPE anywhere_requests_rejected_total counter\nanywhere_requests_rejected_total %lu\n", GET(m->rejected));
    if (!b.ok) { free(b.p); return NULL; }
    *len = b.n;
    return b.p;
}
