/* host.c — the app-wide host, per-request calls, and the helpers every
 * host function uses. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/internal.h"

void host_config_init(host_config *c) {
    memset(c, 0, sizeof *c);
    c->connection_pooling = true;
    c->timeout_ms = 30000;
    c->max_response_bytes = 16u << 20;
}

void host_config_free(host_config *c) {
    free(c->state_dir);
    for (size_t i = 0; i < c->nkv; i++) free(c->kv[i].name), free(c->kv[i].path), free(c->kv[i].url);
    free(c->kv);
    for (size_t i = 0; i < c->nllm; i++) {
        host_llm_config *l = &c->llm[i];
        free(l->model), free(l->path), free(l->url), free(l->auth_token), free(l->remote_model);
    }
    free(c->llm);
    c->kv = NULL, c->llm = NULL, c->state_dir = NULL, c->nkv = c->nllm = 0;
}

host *host_new(const host_config *cfg, char *err, size_t errlen) {
    host *h = calloc(1, sizeof *h);
    if (!h) {
        host_config c = *cfg;
        host_config_free(&c);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    h->cfg = *cfg;
    /* Every store a component may name: those configured, and "default"
     * (an SQLite file in the state directory) unless configured. */
    bool have_default = false;
    for (size_t i = 0; i < cfg->nkv; i++) have_default |= !strcmp(cfg->kv[i].name, "default");
    if (!have_default) {
        host_kv_config *g = realloc(h->cfg.kv, (h->cfg.nkv + 1) * sizeof *g);
        if (!g) { host_free(h); snprintf(err, errlen, "out of memory"); return NULL; }
        h->cfg.kv = g;
        g[h->cfg.nkv++] = (host_kv_config){.name = strdup("default"), .type = HOST_KV_SQLITE};
    }
    for (size_t i = 0; i < h->cfg.nkv; i++)
        if (h->cfg.kv[i].type == HOST_KV_SQLITE && !h->cfg.kv[i].path &&
            asprintf(&h->cfg.kv[i].path, "%s/key_value.db", cfg->state_dir ? cfg->state_dir : ".anywhere") < 0)
            h->cfg.kv[i].path = NULL;
    h->nstores = h->cfg.nkv;
    h->stores = calloc(h->nstores, sizeof *h->stores);
    h->outbound = host_outbound_new(&h->cfg);
    h->llm = host_llm_new(&h->cfg, err, errlen);
    if (!h->stores || !h->outbound || !h->llm) {
        if (h->llm) snprintf(err, errlen, "out of memory");
        host_free(h);
        return NULL;
    }
    for (size_t i = 0; i < h->nstores; i++) {
        h->stores[i].cfg = &h->cfg.kv[i];
        pthread_mutex_init(&h->stores[i].mu, NULL);
    }
    return h;
}

void host_free(host *h) {
    if (!h) return;
    for (size_t i = 0; h->stores && i < h->nstores; i++) {
        if (h->stores[i].backend) h->stores[i].backend->free(h->stores[i].backend);
        pthread_mutex_destroy(&h->stores[i].mu);
    }
    free(h->stores);
    if (h->outbound) host_outbound_free(h->outbound);
    if (h->llm) host_llm_free(h->llm);
    host_config_free(&h->cfg);
    free(h);
}

const host_config *host_config_of(const host *h) { return &h->cfg; }

bool host_check_grants(host *h, const host_grants *g, char *err, size_t errlen) {
    for (size_t i = 0; i < g->nkv; i++) {
        bool found = false;
        for (size_t j = 0; j < h->nstores; j++) found |= !strcmp(h->stores[j].cfg->name, g->kv_stores[i]);
        if (!found) {
            snprintf(err, errlen, "component '%s': key_value_stores names '%s', which is not \"default\" and has no "
                     "[key_value_store.%s] in the runtime config file", g->component, g->kv_stores[i], g->kv_stores[i]);
            return false;
        }
    }
    for (size_t i = 0; i < g->noutbound; i++) {
        host_allow_rule r;
        char e[256];
        if (!host_allow_parse(g->outbound[i], &r, e, sizeof e)) {
            snprintf(err, errlen, "component '%s': allowed_outbound_hosts: %s", g->component, e);
            return false;
        }
    }
    for (size_t i = 0; i < g->nai; i++) {
        char e[512];
        if (!host_llm_check(h->llm, g->ai_models[i], e, sizeof e)) {
            snprintf(err, errlen, "component '%s': ai_models: %s", g->component, e);
            return false;
        }
    }
    return true;
}

host_call *host_call_new(host *h, const host_grants *g) {
    host_call *k = calloc(1, sizeof *k);
    if (!k) return NULL;
    k->h = h, k->g = g;
    if (g->noutbound) {
        k->allow = calloc(g->noutbound, sizeof *k->allow);
        if (!k->allow) { free(k); return NULL; }
        char e[256];
        for (size_t i = 0; i < g->noutbound; i++)
            if (host_allow_parse(g->outbound[i], &k->allow[k->nallow], e, sizeof e)) k->nallow++;
    }
    return k;
}

void host_call_free(host_call *k) {
    if (!k) return;
    for (int i = 0; i < HOST_MAX_HANDLES; i++) {
        if (k->http[i]) host_http_response_free(k->http[i]), free(k->http[i]);
        if (k->streams[i]) host_stream_free(k->streams[i]);
        free(k->stream_rest[i].text);
    }
    host_nn_call_free(k);
    host_kv_call_free(k);
    free(k->allow);
    free(k->llm_text);
    free(k->embeddings);
    free(k);
}

/* ---- helpers ---------------------------------------------------------- */

host_call *host_call_of(aw_caller *c) {
    host_store_data *d = aw_store_user_data(aw_caller_store(c));
    return d ? d->call : NULL;
}

uint8_t *host_mem(aw_caller *c, uint32_t addr, uint32_t len) {
    aw_memory *m = aw_caller_memory(c);
    if (!m) return NULL;
    if ((uint64_t)addr + len > aw_memory_size(m)) return NULL;
    return aw_memory_data(m) + addr;
}

int host_give(aw_caller *c, uint32_t buf, uint32_t cap, const void *src, size_t len, size_t offset, uint64_t *result) {
    if (offset > len) offset = len;
    size_t left = len - offset, n = left < cap ? left : cap;
    uint8_t *dst = host_mem(c, buf, (uint32_t)n);
    if (!dst) return aw_caller_trap(c, "host: buffer [%u, +%zu) is outside memory", buf, n);
    if (n) memcpy(dst, (const uint8_t *)src + offset, n);
    result[0] = (uint32_t)(left > INT32_MAX ? INT32_MAX : left);
    return 0;
}

char *host_strdup_guest(aw_caller *c, uint32_t addr, uint32_t len) {
    const uint8_t *p = host_mem(c, addr, len);
    if (!p) return NULL;
    char *s = malloc((size_t)len + 1);
    if (!s) return NULL;
    memcpy(s, p, len);
    s[len] = 0;
    return s;
}

int host_fail(host_call *k, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(k->error, sizeof k->error, fmt, ap);
    va_end(ap);
    return code;
}

void host_log(host *h, const char *fmt, ...) {
    FILE *out = h->cfg.log ? h->cfg.log : stderr;
    char line[768];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n > sizeof line - 2) n = sizeof line - 2;
    line[n++] = '\n';
    /* One write per line: lines from different workers never interleave. */
    (void)!write(fileno(out), line, (size_t)n);
}

bool host_granted(const char *const *list, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], name)) return true;
    return false;
}

/* last_error(buf, cap) -> len: the message of the last failed call. */
static int h_last_error(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    host_call *k = host_call_of(c);
    const char *e = k ? k->error : "";
    return host_give(c, (uint32_t)slots[0], (uint32_t)slots[1], e, strlen(e), 0, slots);
}

static const char *const modules[] = {"anywhere_variables_v1", "anywhere_kv_v1", "anywhere_outbound_http_v1",
                                      "anywhere_llm_v1"};

bool host_is_module(const char *module) {
    for (size_t i = 0; i < sizeof modules / sizeof modules[0]; i++)
        if (!strcmp(module, modules[i])) return true;
    return !strcmp(module, "wasi_ephemeral_nn");
}

bool host_define(aw_linker *l) {
    static const aw_valtype i2[2] = {AW_I32, AW_I32};
    for (size_t i = 0; i < sizeof modules / sizeof modules[0]; i++)
        if (!aw_linker_define_func(l, modules[i], "last_error", i2, 2, i2, 1, h_last_error, NULL)) return false;
    return host_define_variables(l) && host_define_kv(l) && host_define_outbound(l) && host_define_llm(l) &&
           host_define_nn(l);
}
