/* serve_http.c — the server's front: routing, JSON replies and errors in
 * each API's shape, and the process around them (signals, the idle model
 * reaper). */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "serve/serve.h"

void serve_timestamp(char *buf, size_t n) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, n, "%s.%09ldZ", date, ts.tv_nsec);
}

void serve_reply_json(http_response *res, int status, cJSON *obj) {
    char *body = cJSON_PrintUnformatted(obj);
    cJSON_Delete(obj);
    if (!body) {
        http_respond(res, 500, "application/json", "{\"error\":\"out of memory\"}", 25);
        return;
    }
    http_respond(res, status, "application/json; charset=utf-8", body, strlen(body));
    free(body);
}

void serve_reply_error(http_response *res, int status, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", msg);
    serve_reply_json(res, status, o);
}

void serve_reply_openai_error(http_response *res, int status, const char *type, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *o = cJSON_CreateObject(), *e = cJSON_AddObjectToObject(o, "error");
    cJSON_AddStringToObject(e, "message", msg);
    cJSON_AddStringToObject(e, "type", type);
    cJSON_AddNullToObject(e, "param");
    cJSON_AddNullToObject(e, "code");
    serve_reply_json(res, status, o);
}

static int is(const http_request *r, const char *method, const char *path) {
    return r->path_len == strlen(path) && !memcmp(r->path, path, r->path_len) &&
           r->method_len == strlen(method) && !memcmp(r->method, method, r->method_len);
}

static int path_is(const http_request *r, const char *path) {
    return r->path_len == strlen(path) && !memcmp(r->path, path, r->path_len);
}

void serve_handle(const http_request *req, http_response *res, void *ud) {
    serve_state *s = ud;
    long long t0 = serve_now_ns();
    int get = req->method_len == 3 && !memcmp(req->method, "GET", 3);
    int head = req->method_len == 4 && !memcmp(req->method, "HEAD", 4);
    if ((get || head) && path_is(req, "/")) http_respond(res, 200, "text/plain; charset=utf-8", "Ollama is running", 17);
    else if ((get || head) && path_is(req, "/api/version")) http_respond(res, 200, "application/json", "{\"version\":\"0.1.0\"}", 19);
    else if (get && path_is(req, "/api/tags")) serve_ollama_tags(s, res);
    else if (get && path_is(req, "/api/ps")) serve_ollama_ps(s, res);
    else if (is(req, "POST", "/api/show")) serve_ollama_show(s, req, res);
    else if (is(req, "POST", "/api/generate")) serve_ollama_generate(s, req, res, 0);
    else if (is(req, "POST", "/api/chat")) serve_ollama_generate(s, req, res, 1);
    else if (is(req, "POST", "/api/embed")) serve_ollama_embed(s, req, res, 0);
    else if (is(req, "POST", "/api/embeddings")) serve_ollama_embed(s, req, res, 1);
    else if (is(req, "POST", "/v1/chat/completions")) serve_openai_complete(s, req, res, 1);
    else if (is(req, "POST", "/v1/completions")) serve_openai_complete(s, req, res, 0);
    else if (is(req, "POST", "/v1/embeddings")) serve_openai_embeddings(s, req, res);
    else if (get && path_is(req, "/v1/models")) serve_openai_models(s, res, NULL);
    else if (get && req->path_len > 11 && !memcmp(req->path, "/v1/models/", 11)) {
        char name[512];
        snprintf(name, sizeof name, "%.*s", (int)(req->path_len - 11), req->path + 11);
        serve_openai_models(s, res, name);
    } else if (path_is(req, "/api/pull") || path_is(req, "/api/push") || path_is(req, "/api/create") ||
               path_is(req, "/api/copy") || path_is(req, "/api/delete") || path_is(req, "/api/blobs"))
        serve_reply_error(res, 501, "%.*s is not supported by anywhere serve-model: it serves local GGUF files", (int)req->path_len, req->path);
    else {
        static const char *const known[] = {"/api/tags", "/api/ps", "/api/show", "/api/generate", "/api/chat", "/api/embed",
                                            "/api/embeddings", "/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/models"};
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            if (path_is(req, known[i])) {
                serve_reply_error(res, 405, "method %.*s not allowed on %s", (int)req->method_len, req->method, known[i]);
                goto logged;
            }
        serve_reply_error(res, 404, "no route %.*s %.*s", (int)req->method_len, req->method, (int)req->path_len, req->path);
    }
logged:
    fprintf(stderr, "serve-model: %s %.*s %.*s %.1f ms\n", req->peer, (int)req->method_len, req->method, (int)req->path_len,
            req->path, (double)(serve_now_ns() - t0) / 1e6);
}

/* The signal handler needs to reach the server: the one process-wide
 * pointer, set once before signals are installed. */
static http_server *volatile signal_target;

static void on_signal(int sig) {
    (void)sig;
    if (signal_target) http_server_stop(signal_target);
}

static void *reaper_main(void *arg) {
    serve_state *s = arg;
    for (int tick = 0; atomic_load(&s->running); tick++) {
        if (tick % 10 == 0) serve_registry_reap(&s->reg); /* each second */
        usleep(100000);
    }
    return NULL;
}

int serve_run(const serve_config *cfg) {
    char err[1024];
    /* Every answer is JSON: a missing libcjson is reported now, not by the
     * first request's worker (json.h would exit the whole server there). */
    if (!aw_json_load(err, sizeof err)) {
        fprintf(stderr, "anywhere serve-model: %s\n", err);
        return 1;
    }
    serve_state *s = calloc(1, sizeof *s);
    if (!s) return 1;
    serve_registry_init(&s->reg, cfg->ollama_dir, cfg->threads);
    for (int i = 0; i < cfg->n_models; i++)
        if (serve_registry_add(&s->reg, cfg->models[i], err, sizeof err)) {
            fprintf(stderr, "anywhere serve-model: %s\n", err);
            serve_registry_free(&s->reg);
            free(s);
            return 1;
        }
    http_server_config hc = {.listen = cfg->listen, .handler = serve_handle, .ud = s,
                             /* Requests wait for their model on a worker; enough of them that
                              * queued generations do not hold up /api/tags and friends. */
                             .workers = 128};
    s->http = http_server_new(&hc, err, sizeof err);
    if (!s->http) {
        fprintf(stderr, "anywhere serve-model: %s\n", err);
        serve_registry_free(&s->reg);
        free(s);
        return 1;
    }
    char *names = serve_registry_names(&s->reg);
    fprintf(stderr, "anywhere serve-model: listening on %s (port %d); models: %s\n", cfg->listen, http_server_port(s->http),
            names && *names ? names : "(none)");
    free(names);
    signal_target = s->http;
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    pthread_t reaper;
    atomic_store(&s->running, 1);
    int have_reaper = pthread_create(&reaper, NULL, reaper_main, s) == 0;
    http_server_run(s->http);
    signal_target = NULL;
    atomic_store(&s->running, 0);
    if (have_reaper) pthread_join(reaper, NULL);
    http_server_free(s->http);
    serve_registry_free(&s->reg);
    free(s);
    fprintf(stderr, "anywhere serve-model: stopped\n");
    return 0;
}
