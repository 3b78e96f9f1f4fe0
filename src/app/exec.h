/* exec.h — running a component for one HTTP request.
 *
 * A component is prepared once (app_prepare): its module loaded, decoded and
 * translated, its imports resolved against a linker shared by all requests
 * (WASI with the context taken from the store, and the native handler ABI),
 * its files staged for mounting. Each request then gets a fresh store and
 * instance from that prepared module (copy-on-write memory image, pooled
 * reservations), runs, and is thrown away: nothing survives a request.
 *
 * Executors: APP_EXEC_SPIN runs the native handler ABI (docs/apps.md,
 * sdk/c/anywhere.h): the guest exports `anywhere_handle` and imports
 * `anywhere_http_v1.*`. APP_EXEC_WAGI runs a WASI command with CGI over
 * stdio. A future wasi:http (component model) executor fits beside them:
 * it needs only its own app_exec_* entry and import set. */
#ifndef AW_APP_EXEC_H
#define AW_APP_EXEC_H

#include "anywhere/wasi.h"
#include "anywhere/wasm.h"
#include "app/app.h"
#include "app/router.h"
#include "host/host.h"
#include "http/http.h"

/* Limits applied to every instance. */
typedef struct app_limits {
    uint64_t deadline_ns;      /* guest wall-clock deadline per request; 0 = none */
    uint32_t max_memory_pages; /* per linear memory; 0 = the spec's limit */
    size_t max_response_bytes; /* a guest writing more fails the request */
} app_limits;

typedef struct app_prepared {
    const app_component *comp;
    aw_module *module;
    aw_linker *linker;
    aw_extern *imports;        /* resolved once, reused by every instance */
    uint32_t nimports;
    bool uses_wasi;            /* imports wasi_snapshot_preview1 */
    bool has_initialize;       /* exports _initialize (wasi-libc reactor) */
    bool has_handle;           /* exports anywhere_handle */
    bool handle_returns;       /* anywhere_handle returns an i32 */
    bool has_start;            /* exports _start */
    bool snapshot;             /* _initialize ran once at startup: instances start after it */
    char snapshot_note[300];   /* why there is no snapshot, when has_initialize */
    aw_wasi_preopen *preopens;
    int npreopens;
    char *staging;             /* temporary directory of staged files, or NULL */
    char **env;                /* "K=V" from `environment` */
    int nenv;
    app_limits limits;
    host *host;                /* capabilities (shared by the app), or NULL */
    host_grants grants;        /* what this component may reach */
    const char **var_names, **var_values;
} app_prepared;

/* Loads and links C's module against WASI, the handler ABI and the host's
 * capabilities (H, with what C's manifest grants; self_authority is the
 * app's "host:port"). False with a message naming the component. */
bool app_prepare(app_prepared *p, const app *a, const app_component *c, const app_limits *lim, host *h,
                 const char *self_authority, char *err, size_t errlen);
void app_prepared_free(app_prepared *p);

/* What the trigger knows about a request. */
typedef struct app_req {
    const http_request *http;
    const router_match *match;
    const char *host;        /* Host header, or the listen address */
    const char *server_name; /* listen host */
    int server_port;
    const char *full_url;    /* scheme://host/path?query */
} app_req;

typedef struct app_resp_header {
    char *name, *value;
} app_resp_header;

/* A response built by a guest (or by the host for an error). */
typedef struct app_resp {
    int status;
    app_resp_header *headers;
    size_t nheaders, capheaders;
    char *body;
    size_t len, cap;
    /* Outcome, for the log and metrics. */
    aw_trapkind trap;          /* AW_TRAP_NONE unless the guest trapped */
    bool failed;               /* the guest did not produce a response */
    char reason[256];          /* why, for the log */
    uint64_t instantiate_ns;   /* store + instantiate + teardown */
    /* Streaming (the handler ABI's response_flush): where to send, set by
     * the trigger (NULL: no streaming, flush is a no-op); once `streaming`,
     * the head is out, `body` holds only what was written since the last
     * flush and `sent` counts the body bytes already sent. */
    struct http_response *stream_to;
    bool streaming;
    size_t sent;
} app_resp;

void app_resp_free(app_resp *r);
/* trigger.c: sends R's head (once) and the body written so far as a chunk,
 * emptying the body buffer. 0, or -1 when the client is gone or the head
 * cannot be sent (headers too large: r->reason says so). */
int app_resp_flush(app_resp *r);
bool app_resp_header_add(app_resp *r, const char *name, size_t nlen, const char *value, size_t vlen);
bool app_resp_write(app_resp *r, const void *data, size_t len, size_t max);
/* Replaces whatever the guest wrote with an error (status and a text body). */
void app_resp_error(app_resp *r, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Executors: run one request in a fresh instance, filling R. */
void app_exec_native(const app_prepared *p, const app_req *q, app_resp *r);
void app_exec_wagi(const app_prepared *p, const app_trigger *t, const app_req *q, app_resp *r);

/* Store-level state every host function of a request reaches through the
 * store's user data; the WASI context must come first (wasi.h), then the
 * capabilities' call (host_store_data in host/host.h). */
typedef struct app_call {
    aw_wasi *wasi;
    host_call *host;
    const app_req *req;
    app_resp *resp;
    size_t max_response_bytes;
} app_call;

/* native.c: defines the anywhere_http_v1 imports in L. */
bool app_native_define(aw_linker *l);

/* exec.c: a request's store with CALL as its user data: CALL's WASI
 * context (stdout and stderr to the server's log) and capabilities made,
 * the deadline armed. NULL with *status (500/503) and WHY on failure.
 * app_store_free frees the store and what was made in CALL. */
aw_store *app_store_new(const app_prepared *p, app_call *call, int *status, char *why, size_t whylen);
void app_store_free(aw_store *s, app_call *call);

/* exec.c: maps an engine error to a response (status, reason, trap kind). */
void app_resp_engine_error(app_resp *r, const aw_error *err, const char *what);
uint64_t app_now_ns(void);

#endif
