/* exec.c — preparing a component once, and the response buffer every
 * executor fills. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "anywhere/compile.h"
#include "anywhere/linker.h"
#include "app/exec.h"
#include "app/files.h"

uint64_t app_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool is_component_binary(const uint8_t *b, size_t n) {
    /* A component has layer 1 in the version field: 0d 00 01 00. */
    return n >= 8 && !memcmp(b, "\0asm", 4) && b[6] == 1 && b[7] == 0;
}

/* What C's manifest section grants, as the host sees it. */
static bool fill_grants(app_prepared *p, const app_component *c, host *h, const char *self_authority,
                        char *err, size_t errlen) {
    p->host = h;
    host_grants *g = &p->grants;
    g->component = c->id;
    p->var_names = calloc(c->nvariables + 1, sizeof *p->var_names);
    p->var_values = calloc(c->nvariables + 1, sizeof *p->var_values);
    if (!p->var_names || !p->var_values) { snprintf(err, errlen, "out of memory"); return false; }
    for (size_t i = 0; i < c->nvariables; i++) p->var_names[i] = c->variables[i].key, p->var_values[i] = c->variables[i].value;
    g->var_names = p->var_names, g->var_values = p->var_values, g->nvars = c->nvariables;
    g->kv_stores = (const char *const *)c->key_value_stores.v, g->nkv = c->key_value_stores.n;
    g->outbound = (const char *const *)c->allowed_outbound_hosts.v, g->noutbound = c->allowed_outbound_hosts.n;
    g->ai_models = (const char *const *)c->ai_models.v, g->nai = c->ai_models.n;
    g->self_authority = self_authority;
    return !h || host_check_grants(h, g, err, errlen);
}

aw_store *app_store_new(const app_prepared *p, app_call *call, int *status, char *why, size_t whylen) {
    *status = 503;
    if (p->uses_wasi) {
        /* The guest's stdout and stderr go to the server's stderr (its log). */
        aw_wasi_config wc = {.argc = 1, .argv = (const char *const[]){p->comp->id}, .envc = p->nenv,
                             .env = (const char *const *)p->env, .preopens = p->preopens,
                             .npreopens = p->npreopens, .custom_stdio = true, .stdio = {-1, 2, 2}};
        if (!(call->wasi = aw_wasi_new(&wc, why, whylen))) {
            *status = 500;
            return NULL;
        }
    }
    if (p->host && !(call->host = host_call_new(p->host, &p->grants))) {
        aw_wasi_free(call->wasi), call->wasi = NULL;
        snprintf(why, whylen, "out of memory");
        return NULL;
    }
    aw_store_config sc = {.max_memory_pages = p->limits.max_memory_pages};
    aw_store *s = aw_store_new(&sc);
    if (!s) {
        app_store_free(NULL, call);
        snprintf(why, whylen, "out of memory for a store");
        return NULL;
    }
    aw_store_set_user_data(s, call);
    if (p->limits.deadline_ns) aw_store_set_timeout(s, p->limits.deadline_ns);
    return s;
}

void app_store_free(aw_store *s, app_call *call) {
    if (s) aw_store_free(s);
    host_call_free(call->host);
    aw_wasi_free(call->wasi);
    call->host = NULL, call->wasi = NULL;
}

/* Runs the guest's _initialize once, in a store like a request's but with
 * no request (the handler ABI's functions trap), and makes every later
 * instance start from the state it leaves (aw_module_snapshot), so that
 * requests do not pay for C constructors and wasi-libc's setup. When the
 * initialiser fails or its state cannot be captured, each request runs it
 * as before; snapshot_note says why. What an initialiser does outside its
 * instance (a file it opens, a key it writes) is not replayed: constructors
 * that need a request's world should run lazily instead (docs/apps.md). */
static void take_snapshot(app_prepared *p) {
    app_call call = {NULL, NULL, NULL, NULL, 0};
    int status;
    char why[256];
    aw_store *s = app_store_new(p, &call, &status, why, sizeof why);
    if (!s) {
        snprintf(p->snapshot_note, sizeof p->snapshot_note, "%.250s", why);
        return;
    }
    aw_error err;
    aw_instance *inst = aw_instantiate(s, p->module, p->imports, p->nimports, &err);
    aw_errkind k = inst ? aw_call(s, aw_instance_func(inst, "_initialize"), NULL, 0, NULL, 0, &err) : err.kind;
    if (k == AW_OK && aw_module_snapshot(p->module, inst, &err))
        p->snapshot = true;
    else
        snprintf(p->snapshot_note, sizeof p->snapshot_note, "_initialize: %.250s", err.message);
    app_store_free(s, &call);
}

/* The tier components load in: the interpreter, unless ANYWHERE_TIER says
 * auto or compiled (docs/tiering.md). Freeing the app waits for a
 * background compilation, so the server ends cleanly under auto. */
static aw_tier component_tier(void) {
    const char *t = getenv("ANYWHERE_TIER");
    if (t && !strcmp(t, "auto")) return AW_TIER_AUTO;
    if (t && !strcmp(t, "compiled")) return AW_TIER_COMPILED;
    return AW_TIER_INTERP;
}

bool app_prepare(app_prepared *p, const app *a, const app_component *c, const app_limits *lim, host *h,
                 const char *self_authority, char *err, size_t errlen) {
    memset(p, 0, sizeof *p);
    p->comp = c;
    p->limits = *lim;
    if (!fill_grants(p, c, h, self_authority, err, errlen)) return false;
    size_t len = 0;
    uint8_t *bytes = aw_module_read_file(c->path, true, &len);
    if (!bytes) {
        snprintf(err, errlen, "component '%s': cannot read %s: %s", c->id, c->path,
                 errno == EAGAIN ? "it changed size while being read" : strerror(errno));
        return false;
    }
    if (is_component_binary(bytes, len)) {
        aw_module_buffer_free(bytes, len);
        snprintf(err, errlen, "component '%s': %s is a WebAssembly component (wasi:http); Anywhere runs core modules "
                 "with its native handler ABI or WAGI (see docs/apps.md)", c->id, c->path);
        return false;
    }
    aw_error e;
    aw_load_options lo = {.tier = component_tier()};
    p->module = aw_module_load_buffer_ex(bytes, len, &lo, &e); /* takes bytes */
    if (!p->module) {
        snprintf(err, errlen, "component '%s': %s: %s", c->id, c->path, e.message);
        return false;
    }
    p->linker = aw_linker_new();
    if (!p->linker || !aw_wasi_define(p->linker, NULL) || !app_native_define(p->linker) || !host_define(p->linker)) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    p->nimports = aw_module_import_count(p->module);
    p->imports = calloc(p->nimports ? p->nimports : 1, sizeof *p->imports);
    if (!p->imports) return false;
    for (uint32_t i = 0; i < p->nimports; i++) {
        const char *mod, *name;
        aw_externtype t;
        aw_module_import(p->module, i, &mod, &name, &t);
        if (!strcmp(mod, "wasi_snapshot_preview1")) p->uses_wasi = true;
    }
    if (!aw_linker_resolve(p->linker, p->module, p->imports, &e)) {
        snprintf(err, errlen, "component '%s': %s: %s", c->id, c->path, e.message);
        return false;
    }
    for (uint32_t i = 0; i < aw_module_export_count(p->module); i++) {
        const char *name;
        aw_externtype t;
        aw_module_export(p->module, i, &name, &t);
        if (t.kind != AW_EXTERN_FUNC) continue;
        bool nullary = t.func.nparams == 0;
        if (!strcmp(name, "_initialize") && nullary) p->has_initialize = true;
        if (!strcmp(name, "_start") && nullary) p->has_start = true;
        if (!strcmp(name, "anywhere_handle") && nullary &&
            (t.func.nresults == 0 || (t.func.nresults == 1 && t.func.results[0] == AW_I32))) {
            p->has_handle = true;
            p->handle_returns = t.func.nresults == 1;
        }
    }
    if (!app_files_mount(a, c, &p->preopens, &p->npreopens, &p->staging, err, errlen)) return false;
    p->env = calloc(c->nenvironment + 1, sizeof *p->env);
    if (!p->env) return false;
    for (size_t i = 0; i < c->nenvironment; i++) {
        size_t n = strlen(c->environment[i].key) + strlen(c->environment[i].value) + 2;
        if (!(p->env[i] = malloc(n))) return false;
        snprintf(p->env[i], n, "%s=%s", c->environment[i].key, c->environment[i].value);
        p->nenv++;
    }
    if (p->has_handle && p->has_initialize) take_snapshot(p);
    return true;
}

void app_prepared_free(app_prepared *p) {
    if (p->module) aw_module_release(p->module);
    if (p->linker) aw_linker_free(p->linker);
    free(p->imports);
    app_files_free(p->preopens, p->npreopens, p->staging);
    for (int i = 0; i < p->nenv; i++) free(p->env[i]);
    free(p->env);
    free(p->var_names), free(p->var_values);
    memset(p, 0, sizeof *p);
}

/* ---- responses ---------------------------------------------------------- */

void app_resp_free(app_resp *r) {
    for (size_t i = 0; i < r->nheaders; i++) free(r->headers[i].name), free(r->headers[i].value);
    free(r->headers);
    free(r->body);
    r->headers = NULL, r->nheaders = r->capheaders = 0;
    r->body = NULL, r->len = r->cap = 0;
}

bool app_resp_header_add(app_resp *r, const char *name, size_t nlen, const char *value, size_t vlen) {
    if (r->nheaders == r->capheaders) {
        size_t cap = r->capheaders ? r->capheaders * 2 : 8;
        app_resp_header *g = realloc(r->headers, cap * sizeof *g);
        if (!g) return false;
        r->headers = g, r->capheaders = cap;
    }
    char *n = strndup(name, nlen), *v = strndup(value, vlen);
    if (!n || !v) { free(n); free(v); return false; }
    r->headers[r->nheaders++] = (app_resp_header){n, v};
    return true;
}

bool app_resp_write(app_resp *r, const void *data, size_t len, size_t max) {
    if (max && r->len + len > max) return false;
    if (r->len + len > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->len + len) cap *= 2;
        char *g = realloc(r->body, cap);
        if (!g) return false;
        r->body = g, r->cap = cap;
    }
    memcpy(r->body + r->len, data, len);
    r->len += len;
    return true;
}

void app_resp_error(app_resp *r, int status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof r->reason, fmt, ap);
    va_end(ap);
    app_resp_free(r);
    r->status = status;
    r->failed = true;
    app_resp_header_add(r, "content-type", 12, "text/plain", 10);
    char body[320];
    int n = snprintf(body, sizeof body, "%s\n", http_status_text(status));
    app_resp_write(r, body, (size_t)n, 0);
}

void app_resp_engine_error(app_resp *r, const aw_error *err, const char *what) {
    if (err->kind == AW_ERR_TRAP) {
        r->trap = err->trap;
        if (err->trap == AW_TRAP_INTERRUPTED) {
            app_resp_error(r, 504, "%s: guest deadline passed (%s)", what, err->message);
            r->trap = err->trap;
            return;
        }
        app_resp_error(r, 500, "%s: trap: %s", what, err->message);
        r->trap = err->trap;
        return;
    }
    if (err->kind == AW_ERR_RESOURCE) {
        app_resp_error(r, 500, "%s: resource limit: %s", what, err->message);
        return;
    }
    app_resp_error(r, 500, "%s: %s", what, err->message);
}
