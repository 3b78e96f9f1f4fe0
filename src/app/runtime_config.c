/* runtime_config.c — `--runtime-config-file`: Spin's runtime-config.toml,
 * read into the host's configuration (src/host/host.h).
 *
 *   [key_value_store.NAME]   type = "spin" (SQLite; path) | "redis" (url)
 *   [llm_compute]            the backend of every model not listed below:
 *                            type = "local" | "ollama" | "openai" | "remote_http"
 *                            (Spin's remote_http + api_type = "open_ai" is openai),
 *                            url, auth_token
 *   [llm_models."NAME"]      one model's backend: type, url, auth_token,
 *                            path (local GGUF file), model (the server's name)
 *   [outbound_http]          connection_pooling, max_concurrent_requests,
 *                            timeout_ms, max_response_bytes
 *
 * Relative paths are relative to the file's directory, as in Spin. Every
 * unknown section or key is an error naming the file and line. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/toml.h"
#include "host/host.h"

typedef struct {
    const char *file;
    char *dir;
    char *err;
    size_t errlen;
} rctx;

static bool fail(rctx *c, const toml_value *v, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(rctx *c, const toml_value *v, const char *fmt, ...) {
    int k = snprintf(c->err, c->errlen, "%s:%d: ", c->file, v ? toml_pos_of(v).line : 1);
    va_list ap;
    va_start(ap, fmt);
    if (k >= 0 && (size_t)k < c->errlen) vsnprintf(c->err + k, c->errlen - (size_t)k, fmt, ap);
    va_end(ap);
    return false;
}

static bool str(rctx *c, const toml_value *v, const char *where, char **out) {
    const char *s = toml_string(v, NULL);
    if (!s) return fail(c, v, "%s: expected a string, found %s", where, toml_type_name(toml_type_of(v)));
    free(*out);
    return (*out = strdup(s)) != NULL;
}

static bool path(rctx *c, const toml_value *v, const char *where, char **out) {
    char *s = NULL;
    if (!str(c, v, where, &s)) return false;
    if (s[0] == '/') { free(*out); *out = s; return true; }
    free(*out);
    bool ok = asprintf(out, "%s/%s", c->dir, s) >= 0;
    free(s);
    return ok;
}

static bool read_kv(rctx *c, const toml_value *t, host_config *h) {
    for (size_t i = 0; i < toml_table_len(t); i++) {
        const char *name = toml_table_key(t, i, NULL);
        const toml_value *s = toml_table_value(t, i);
        if (toml_type_of(s) != TOML_TABLE) return fail(c, s, "[key_value_store.%s]: expected a table", name);
        host_kv_config *g = realloc(h->kv, (h->nkv + 1) * sizeof *g);
        if (!g) return false;
        h->kv = g;
        host_kv_config *kv = &h->kv[h->nkv++];
        memset(kv, 0, sizeof *kv);
        kv->name = strdup(name);
        char *type = NULL;
        for (size_t j = 0; j < toml_table_len(s); j++) {
            const char *k = toml_table_key(s, j, NULL);
            const toml_value *v = toml_table_value(s, j);
            bool ok;
            if (!strcmp(k, "type")) ok = str(c, v, "type", &type);
            else if (!strcmp(k, "path")) ok = path(c, v, "path", &kv->path);
            else if (!strcmp(k, "url")) ok = str(c, v, "url", &kv->url);
            else { free(type); return fail(c, v, "[key_value_store.%s]: unknown key '%s'; expected type, path, url", name, k); }
            if (!ok) { free(type); return false; }
        }
        bool ok = true;
        if (!type || !strcmp(type, "spin") || !strcmp(type, "sqlite")) kv->type = HOST_KV_SQLITE;
        else if (!strcmp(type, "redis")) kv->type = HOST_KV_REDIS;
        else ok = fail(c, s, "[key_value_store.%s]: type '%s' is not supported (\"spin\" or \"redis\")", name, type);
        free(type);
        if (ok && kv->type == HOST_KV_REDIS && !kv->url) ok = fail(c, s, "[key_value_store.%s]: a redis store needs url", name);
        if (!ok) return false;
    }
    return true;
}

/* One backend table: [llm_compute] (model NULL) or [llm_models.NAME]. */
static bool read_llm(rctx *c, const toml_value *t, const char *model, const char *sec, host_config *h) {
    host_llm_config *g = realloc(h->llm, (h->nllm + 1) * sizeof *g);
    if (!g) return false;
    h->llm = g;
    host_llm_config *l = &h->llm[h->nllm++];
    memset(l, 0, sizeof *l);
    if (model && !(l->model = strdup(model))) return false;
    char *type = NULL, *api = NULL;
    bool ok = true;
    for (size_t j = 0; ok && j < toml_table_len(t); j++) {
        const char *k = toml_table_key(t, j, NULL);
        const toml_value *v = toml_table_value(t, j);
        if (!strcmp(k, "type")) ok = str(c, v, "type", &type);
        else if (!strcmp(k, "url")) ok = str(c, v, "url", &l->url);
        else if (!strcmp(k, "auth_token")) ok = str(c, v, "auth_token", &l->auth_token);
        else if (!strcmp(k, "api_type")) ok = str(c, v, "api_type", &api);
        else if (!strcmp(k, "path") && model) ok = path(c, v, "path", &l->path);
        else if (!strcmp(k, "model") && model) ok = str(c, v, "model", &l->remote_model);
        else ok = fail(c, v, "%s: unknown key '%s'; expected type, url, auth_token, api_type%s", sec, k, model ? ", path, model" : "");
    }
    if (ok) {
        if (!type || !strcmp(type, "local") || !strcmp(type, "spin")) l->type = HOST_LLM_LOCAL;
        else if (!strcmp(type, "ollama")) l->type = HOST_LLM_OLLAMA;
        else if (!strcmp(type, "openai")) l->type = HOST_LLM_OPENAI;
        else if (!strcmp(type, "remote_http"))
            l->type = api && !strcmp(api, "open_ai") ? HOST_LLM_OPENAI : HOST_LLM_REMOTE_HTTP;
        else ok = fail(c, t, "%s: type '%s' is not one of local, ollama, openai, remote_http", sec, type);
        if (ok && l->type != HOST_LLM_LOCAL && !l->url) ok = fail(c, t, "%s: type '%s' needs url", sec, type);
    }
    free(type), free(api);
    return ok;
}

static bool read_outbound(rctx *c, const toml_value *t, host_config *h) {
    for (size_t j = 0; j < toml_table_len(t); j++) {
        const char *k = toml_table_key(t, j, NULL);
        const toml_value *v = toml_table_value(t, j);
        if (!strcmp(k, "connection_pooling")) {
            if (toml_type_of(v) != TOML_BOOL) return fail(c, v, "[outbound_http] connection_pooling: expected true or false");
            h->connection_pooling = toml_bool(v);
            continue;
        }
        if (toml_type_of(v) != TOML_INTEGER || toml_int(v) < 0)
            return fail(c, v, "[outbound_http] %s: expected a non-negative integer", k);
        int64_t n = toml_int(v);
        if (!strcmp(k, "max_concurrent_requests")) h->max_concurrent = (int)(n > 100000 ? 100000 : n);
        else if (!strcmp(k, "timeout_ms")) h->timeout_ms = (long)n;
        else if (!strcmp(k, "max_response_bytes")) h->max_response_bytes = (size_t)n;
        else return fail(c, v, "[outbound_http]: unknown key '%s'; expected connection_pooling, max_concurrent_requests, "
                         "timeout_ms, max_response_bytes", k);
    }
    return true;
}

bool app_runtime_config_load(const char *file, host_config *h, char *err, size_t errlen) {
    FILE *f = fopen(file, "rb");
    if (!f) { snprintf(err, errlen, "%s: %s", file, strerror(errno)); return false; }
    char *text = NULL;
    size_t cap = 0, n = 0, k;
    do {
        if (n == cap) {
            char *g = realloc(text, cap = cap ? cap * 2 : 4096);
            if (!g) break;
            text = g;
        }
        k = fread(text + n, 1, cap - n, f);
        n += k;
    } while (k);
    fclose(f);
    toml_error terr;
    toml_value *root = toml_parse(text ? text : "", n, file, &terr);
    free(text);
    if (!root) { snprintf(err, errlen, "%s", terr.message); return false; }
    char real[4096];
    rctx c = {file, NULL, err, errlen};
    if (realpath(file, real)) {
        char *slash = strrchr(real, '/');
        *slash = 0;
        c.dir = strdup(real[0] ? real : "/");
    }
    bool ok = c.dir != NULL;
    for (size_t i = 0; ok && i < toml_table_len(root); i++) {
        const char *key = toml_table_key(root, i, NULL);
        const toml_value *v = toml_table_value(root, i);
        if (toml_type_of(v) != TOML_TABLE) ok = fail(&c, v, "'%s': expected a table", key);
        else if (!strcmp(key, "key_value_store")) ok = read_kv(&c, v, h);
        else if (!strcmp(key, "llm_compute")) ok = read_llm(&c, v, NULL, "[llm_compute]", h);
        else if (!strcmp(key, "llm_models")) {
            for (size_t j = 0; ok && j < toml_table_len(v); j++) {
                char sec[200];
                const char *m = toml_table_key(v, j, NULL);
                snprintf(sec, sizeof sec, "[llm_models.\"%.150s\"]", m);
                const toml_value *mt = toml_table_value(v, j);
                ok = toml_type_of(mt) == TOML_TABLE ? read_llm(&c, mt, m, sec, h) : fail(&c, mt, "%s: expected a table", sec);
            }
        } else if (!strcmp(key, "outbound_http")) ok = read_outbound(&c, v, h);
        else ok = fail(&c, v, "[%s] is not supported; expected key_value_store, llm_compute, llm_models, outbound_http", key);
    }
    free(c.dir);
    toml_free(root);
    return ok;
}
