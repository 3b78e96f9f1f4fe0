/* trigger.c — the HTTP trigger (see trigger.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/exec.h"
#include "app/metrics.h"
#include "app/router.h"
#include "app/trigger.h"
#include "http/http.h"

struct app_server {
    app *a;
    app_server_opts o;
    app_prepared *prepared; /* per component */
    router *routes;
    int *trigger_of_route;  /* route index -> trigger index */
    size_t nroutes;
    app_metrics *metrics;
    http_server *http, *admin;
    char listen_host[256];
    int port;
    host *host;                 /* capabilities shared by every component */
    char self_authority[300];   /* "host:port" for "self" outbound requests */
};

/* ---- responses ---------------------------------------------------------- */

static void send_text(http_response *res, int status, const char *text) {
    http_respond(res, status, "text/plain; charset=utf-8", text, strlen(text));
}

/* Hop-by-hop and framing headers are the server's to write. */
static bool reserved_header(const char *n) {
    return !strcasecmp(n, "content-length") || !strcasecmp(n, "transfer-encoding") || !strcasecmp(n, "connection") ||
           !strcasecmp(n, "keep-alive") || !strcasecmp(n, "upgrade") || !strcasecmp(n, "trailer");
}

static bool headers_fit(const app_resp *r) {
    size_t room = 1800;
    for (size_t i = 0; i < r->nheaders; i++) {
        size_t k = strlen(r->headers[i].name) + strlen(r->headers[i].value) + 4;
        if (k > room) return false;
        room -= k;
    }
    return true;
}

static void add_headers(http_response *res, const app_resp *r) {
    for (size_t i = 0; i < r->nheaders; i++)
        if (!reserved_header(r->headers[i].name)) http_response_header(res, r->headers[i].name, r->headers[i].value);
}

int app_resp_flush(app_resp *r) {
    http_response *res = r->stream_to;
    if (!res) return 0; /* nowhere to stream: everything goes at the end */
    if (!r->streaming) {
        if (!headers_fit(r)) {
            snprintf(r->reason, sizeof r->reason, "the guest's response headers exceed %d bytes", 1800);
            return -1;
        }
        add_headers(res, r);
        r->streaming = true;
        if (http_stream_start(res, r->status, NULL) != 0) return -1;
    }
    int rc = r->len ? http_stream_write(res, r->body, r->len) : (http_client_gone(res) ? -1 : 0);
    r->sent += r->len;
    r->len = 0;
    return rc;
}

static void send_resp(http_response *res, app_resp *r) {
    if (r->streaming) { /* the head is out: send the rest, or just end */
        if (!r->failed) app_resp_flush(r);
        http_stream_end(res);
        return;
    }
    if (!headers_fit(r)) app_resp_error(r, 502, "the guest's response headers exceed %d bytes", 1800);
    add_headers(res, r);
    http_respond(res, r->status, NULL, r->body, r->len);
}

/* ---- the access log ------------------------------------------------------ */

static void access_log(app_server *s, const http_request *req, int status, size_t bytes, uint64_t ns,
                       const char *route, const app_resp *r) {
    FILE *f = s->o.access_log;
    if (!f && !(r && r->failed)) return;
    char line[1024];
    int n = snprintf(line, sizeof line, "%s \"%.*s %.*s%s%.*s HTTP/1.%d\" %d %zu %.3fms%s%s%s%s\n",
                     req->peer ? req->peer : "-", (int)req->method_len, req->method, (int)(req->path_len > 300 ? 300 : req->path_len),
                     req->path, req->query_len ? "?" : "", (int)(req->query_len > 200 ? 200 : req->query_len), req->query,
                     req->minor_version, status, bytes, (double)ns / 1e6, route ? " route=" : "", route ? route : "",
                     r && r->failed ? " error: " : "", r && r->failed ? r->reason : "");
    if (n < 0) return;
    if ((size_t)n >= sizeof line) n = sizeof line - 1, line[n - 1] = '\n';
    /* One write per line, so lines from different workers never interleave. */
    FILE *out = f ? f : s->o.log;
    if (out) (void)!write(fileno(out), line, (size_t)n);
}

/* ---- requests ----------------------------------------------------------- */

static bool path_is(const http_request *q, const char *p) {
    return q->path_len == strlen(p) && !memcmp(q->path, p, q->path_len);
}

static bool well_known(app_server *s, const http_request *req, http_response *res, int *status) {
    static const char spin[] = "/.well-known/spin/", aw[] = "/.well-known/anywhere/";
    bool is_spin = req->path_len >= sizeof spin - 1 && !memcmp(req->path, spin, sizeof spin - 1);
    bool is_aw = req->path_len >= sizeof aw - 1 && !memcmp(req->path, aw, sizeof aw - 1);
    if (!is_spin && !is_aw) return false;
    if (path_is(req, "/.well-known/spin/health") || path_is(req, "/.well-known/anywhere/health")) {
        send_text(res, *status = 200, "OK\n");
    } else if (path_is(req, "/.well-known/spin/info") || path_is(req, "/.well-known/anywhere/info")) {
        char body[512];
        snprintf(body, sizeof body, "{\"application\":{\"name\":\"%s\",\"version\":\"%s\"},\"runtime\":\"anywhere 0.1.0\"}\n",
                 s->a->name, s->a->version ? s->a->version : "");
        http_respond(res, *status = 200, "application/json", body, strlen(body));
    } else {
        send_text(res, *status = 404, "Not Found\n");
    }
    return true;
}

static void handle(const http_request *req, http_response *res, void *ud) {
    app_server *s = ud;
    uint64_t t0 = app_now_ns();
    int status = 0;
    if (well_known(s, req, res, &status)) {
        app_metrics_request(s->metrics, s->nroutes, status, app_now_ns() - t0);
        access_log(s, req, status, 0, app_now_ns() - t0, NULL, NULL);
        return;
    }
    router_match m;
    if (!router_match_path(s->routes, req->path, req->path_len, &m)) {
        send_text(res, 404, "Not Found\n");
        app_metrics_request(s->metrics, s->nroutes, 404, app_now_ns() - t0);
        access_log(s, req, 404, 10, app_now_ns() - t0, NULL, NULL);
        return;
    }
    const app_trigger *t = &s->a->triggers[s->trigger_of_route[m.target]];
    if (t->component < 0) {
        for (size_t i = 0; i < t->nstatic_headers; i++)
            http_response_header(res, t->static_headers[i].key, t->static_headers[i].value);
        size_t len = t->static_body ? strlen(t->static_body) : 0;
        http_respond(res, t->static_status, NULL, t->static_body, len);
        app_metrics_request(s->metrics, (size_t)m.target, t->static_status, app_now_ns() - t0);
        access_log(s, req, t->static_status, len, app_now_ns() - t0, t->route, NULL);
        return;
    }
    app_resp r = {0};
    if (app_metrics_inflight_add(s->metrics, 1) > s->o.max_instances) {
        app_metrics_inflight_add(s->metrics, -1);
        app_metrics_rejected(s->metrics);
        http_response_header(res, "Retry-After", "1");
        app_resp_error(&r, 503, "%d instances are running (--max-instances)", s->o.max_instances);
        send_resp(res, &r);
        app_metrics_request(s->metrics, (size_t)m.target, 503, app_now_ns() - t0);
        access_log(s, req, 503, r.len, app_now_ns() - t0, t->route, &r);
        app_resp_free(&r);
        return;
    }
    const http_header *hh = http_find_header(req->headers, req->num_headers, "host");
    char host[300], url[4096];
    snprintf(host, sizeof host, "%.*s", hh ? (int)hh->value_len : 0, hh ? hh->value : "");
    if (!host[0]) snprintf(host, sizeof host, "%s:%d", s->listen_host, s->port);
    snprintf(url, sizeof url, "http://%s%.*s%s%.*s", host, (int)req->path_len, req->path, req->query_len ? "?" : "",
             (int)req->query_len, req->query);
    app_req q = {req, &m, host, s->listen_host, s->port, url};
    const app_prepared *p = &s->prepared[t->component];
    r.stream_to = res;
    if (t->executor == APP_EXEC_WAGI) app_exec_wagi(p, t, &q, &r);
    else app_exec_native(p, &q, &r);
    app_metrics_inflight_add(s->metrics, -1);
    if (r.instantiate_ns) app_metrics_instantiate(s->metrics, r.instantiate_ns);
    if (r.trap) app_metrics_trap(s->metrics, r.trap);
    send_resp(res, &r);
    uint64_t ns = app_now_ns() - t0;
    app_metrics_request(s->metrics, (size_t)m.target, r.status, ns);
    access_log(s, req, r.status, r.sent + (r.failed && r.streaming ? 0 : r.len), ns, t->route, &r);
    app_resp_free(&r);
}

static void handle_admin(const http_request *req, http_response *res, void *ud) {
    app_server *s = ud;
    if (path_is(req, "/metrics")) {
        size_t len = 0;
        char *text = app_metrics_render(s->metrics, &len);
        if (!text) { send_text(res, 500, "out of memory\n"); return; }
        http_respond(res, 200, "text/plain; version=0.0.4", text, len);
        free(text);
    } else if (path_is(req, "/.well-known/anywhere/health") || path_is(req, "/.well-known/spin/health") ||
               path_is(req, "/health")) {
        send_text(res, 200, "OK\n");
    } else {
        send_text(res, 404, "Not Found (try /metrics)\n");
    }
}

/* ---- setup -------------------------------------------------------------- */

/* The host: the runtime config file if any, the state directory. */
static host *app_host_new(const app *a, const app_server_opts *o, char *err, size_t errlen) {
    host_config hc;
    host_config_init(&hc);
    hc.log = o->log;
    if (o->state_dir) hc.state_dir = realpath(o->state_dir, NULL);
    if (!hc.state_dir && o->state_dir) {
        mkdir(o->state_dir, 0755);
        hc.state_dir = realpath(o->state_dir, NULL);
    }
    if (!hc.state_dir && asprintf(&hc.state_dir, "%s/.anywhere", a->dir) < 0) hc.state_dir = NULL;
    if (!hc.state_dir) { snprintf(err, errlen, "state directory %s: %s", o->state_dir ? o->state_dir : a->dir, strerror(errno)); return NULL; }
    if (o->runtime_config && !app_runtime_config_load(o->runtime_config, &hc, err, errlen)) {
        host_config_free(&hc);
        return NULL;
    }
    return host_new(&hc, err, errlen);
}

app_server *app_server_new(app *a, const app_server_opts *o, char *err, size_t errlen) {
    app_server *s = calloc(1, sizeof *s);
    if (!s) { snprintf(err, errlen, "out of memory"); return NULL; }
    s->a = a, s->o = *o;
    if (s->o.max_instances <= 0) s->o.max_instances = 128;
    s->prepared = calloc(a->ncomponents + 1, sizeof *s->prepared);
    s->routes = router_new();
    s->trigger_of_route = calloc(a->ntriggers + 1, sizeof(int));
    const char **labels = calloc(a->ntriggers + 1, sizeof *labels);
    if (!s->prepared || !s->routes || !s->trigger_of_route || !labels) {
        free(labels);
        snprintf(err, errlen, "out of memory");
        app_server_free(s);
        return NULL;
    }
    app_limits lim = {.deadline_ns = o->deadline_ms * 1000000ull,
                      .max_memory_pages = o->max_memory_mb ? o->max_memory_mb * 16u : 0,
                      .max_response_bytes = 64u << 20};
    if (!(s->host = app_host_new(a, o, err, errlen))) {
        free(labels);
        app_server_free(s);
        return NULL;
    }
    for (size_t i = 0; i < a->ncomponents; i++) {
        if (!app_fetch_source(a, &a->components[i], err, errlen) ||
            !app_prepare(&s->prepared[i], a, &a->components[i], &lim, s->host, s->self_authority, err, errlen)) {
            free(labels);
            app_server_free(s);
            return NULL;
        }
        const app_prepared *p = &s->prepared[i];
        if (p->has_handle && p->has_initialize && !p->snapshot)
            fprintf(stderr, "anywhere up: component '%s': no snapshot after _initialize, it runs per request (%s)\n",
                    p->comp->id, p->snapshot_note);
    }
    for (size_t i = 0; i < a->ntriggers; i++) {
        const app_trigger *t = &a->triggers[i];
        if (t->private_route) continue;
        char e[256];
        if (!router_add(s->routes, t->route, (int)s->nroutes, e, sizeof e)) {
            snprintf(err, errlen, "%s:%d: [[trigger.http]]: %s", a->manifest, t->line, e);
            free(labels);
            app_server_free(s);
            return NULL;
        }
        if (t->component >= 0 && t->executor == APP_EXEC_SPIN && !s->prepared[t->component].has_handle) {
            const app_prepared *p = &s->prepared[t->component];
            snprintf(err, errlen, "%s:%d: route '%s': component '%s' exports no anywhere_handle%s", a->manifest, t->line,
                     t->route, p->comp->id, p->has_start ? " (it is a WASI command: add executor = { type = \"wagi\" })" : "");
            free(labels);
            app_server_free(s);
            return NULL;
        }
        labels[s->nroutes] = t->route;
        s->trigger_of_route[s->nroutes++] = (int)i;
    }
    s->metrics = app_metrics_new(labels, s->nroutes);
    free(labels);
    http_server_config hc = {.listen = o->listen, .loops = o->loops, .workers = s->o.max_instances + 16,
                             .max_body_bytes = o->max_body_bytes, .handler = handle, .ud = s};
    if (!s->metrics || !(s->http = http_server_new(&hc, err, errlen))) {
        app_server_free(s);
        return NULL;
    }
    s->port = http_server_port(s->http);
    const char *colon = strrchr(o->listen, ':');
    snprintf(s->listen_host, sizeof s->listen_host, "%.*s", colon ? (int)(colon - o->listen) : 0, o->listen);
    /* "self" requests go to the address the app listens on, never to what a
     * client's Host header says (Spin's CVE-2024-32980). */
    const char *self_host = s->listen_host;
    if (!self_host[0] || !strcmp(self_host, "0.0.0.0")) self_host = "127.0.0.1";
    else if (!strcmp(self_host, "[::]")) self_host = "[::1]";
    snprintf(s->self_authority, sizeof s->self_authority, "%s:%d", self_host, s->port);
    if (o->admin_listen) {
        http_server_config ac = {.listen = o->admin_listen, .loops = 1, .workers = 2, .handler = handle_admin, .ud = s};
        if (!(s->admin = http_server_new(&ac, err, errlen))) {
            app_server_free(s);
            return NULL;
        }
    }
    return s;
}

int app_server_port(const app_server *s) { return s->port; }
int app_server_admin_port(const app_server *s) { return s->admin ? http_server_port(s->admin) : 0; }

static void *admin_main(void *arg) {
    http_server_run(arg);
    return NULL;
}

int app_server_run(app_server *s) {
    pthread_t admin;
    bool have_admin = s->admin && pthread_create(&admin, NULL, admin_main, s->admin) == 0;
    int rc = http_server_run(s->http);
    if (s->admin) http_server_stop(s->admin);
    if (have_admin) pthread_join(admin, NULL);
    return rc;
}

void app_server_stop(app_server *s) {
    http_server_stop(s->http);
    if (s->admin) http_server_stop(s->admin);
}

void app_server_free(app_server *s) {
    if (!s) return;
    if (s->http) http_server_free(s->http);
    if (s->admin) http_server_free(s->admin);
    if (s->prepared)
        for (size_t i = 0; i < s->a->ncomponents; i++) app_prepared_free(&s->prepared[i]);
    free(s->prepared);
    router_free(s->routes);
    free(s->trigger_of_route);
    app_metrics_free(s->metrics);
    host_free(s->host);
    free(s);
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

const char *app_server_init_mode(const app_server *s, size_t component) {
    const app_prepared *p = &s->prepared[component];
    if (!p->has_initialize || !p->has_handle) return "";
    return p->snapshot ? ", from the snapshot after _initialize" : ", _initialize not included (runs per request)";
}

double app_server_bench_instantiate(app_server *s, size_t component, int n) {
    const app_prepared *p = &s->prepared[component];
    uint64_t *t = calloc((size_t)n, sizeof *t);
    if (!t || n <= 0) { free(t); return -1; }
    aw_store_config sc = {.max_memory_pages = p->limits.max_memory_pages};
    for (int i = 0; i < n; i++) {
        uint64_t t0 = app_now_ns();
        aw_store *st = aw_store_new(&sc);
        aw_error err;
        aw_instance *inst = st ? aw_instantiate(st, p->module, p->imports, p->nimports, &err) : NULL;
        if (st) aw_store_free(st);
        t[i] = app_now_ns() - t0;
        if (!inst) { free(t); return -1; }
    }
    qsort(t, (size_t)n, sizeof *t, cmp_u64);
    double med = (double)t[n / 2];
    free(t);
    return med;
}
