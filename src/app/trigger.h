/* trigger.h — the HTTP trigger: serves an app with src/http, a fresh
 * instance per request, health routes, /metrics on an admin address, an
 * access log, and the limits (deadline, memory, concurrent instances). */
#ifndef AW_APP_TRIGGER_H
#define AW_APP_TRIGGER_H

#include <stdio.h>

#include "app/app.h"

typedef struct app_server_opts {
    const char *listen;        /* "127.0.0.1:3000" */
    const char *admin_listen;  /* NULL: no admin server */
    uint64_t deadline_ms;      /* per request; 0 = none */
    uint32_t max_memory_mb;    /* per linear memory; 0 = 4 GiB (the spec) */
    int max_instances;         /* concurrent; beyond: 503 + Retry-After */
    size_t max_body_bytes;     /* request bodies; 413 beyond */
    int loops;                 /* event loop threads; 0 = CPUs */
    FILE *access_log;          /* NULL: none */
    FILE *log;                 /* startup messages and errors */
    const char *runtime_config;/* Spin's runtime-config.toml, or NULL */
    const char *state_dir;     /* key-value files, local models; NULL: APPDIR/.anywhere */
} app_server_opts;

typedef struct app_server app_server;

/* Prepares every component and binds the addresses. */
app_server *app_server_new(app *a, const app_server_opts *o, char *err, size_t errlen);
int app_server_port(const app_server *s);
int app_server_admin_port(const app_server *s);
/* Serves until app_server_stop; in-flight requests finish first. */
int app_server_run(app_server *s);
void app_server_stop(app_server *s); /* async-signal-safe */
void app_server_free(app_server *s);
/* Instantiates component I (with its executor's entry not called) N times
 * and returns the median ns of store + instantiate + teardown. */
double app_server_bench_instantiate(app_server *s, size_t component, int n);
/* How a component's instances start, for the figure above: "" or a note
 * beginning with ", " (from the snapshot after _initialize, or not). */
const char *app_server_init_mode(const app_server *s, size_t component);

#endif
