/* nn.c — WASI-NN preview 1 (module wasi_ephemeral_nn) with WasmEdge's
 * GGML conventions, so programs written for WasmEdge's GGML backend run
 * unchanged:
 *
 *   load(builders, n, encoding, target, *graph)   GGML (6): builder 0 = GGUF bytes
 *   load_by_name(name, len, *graph)               a preloaded model / one in ai_models
 *   load_by_name_with_config(name, len, json, jlen, *graph)
 *   init_execution_context(graph, *ctx)
 *   set_input(ctx, index, tensor*)   index 0: the prompt (u8 tensor);
 *                                    index 1: JSON options (u8), overriding the config
 *   compute(ctx)                     generates the whole answer
 *   get_output(ctx, index, buf, max, *written)   0: text; 1: usage JSON
 *                                    {"input_tokens":N,"output_tokens":M}
 *   compute_single(ctx)              one piece per call; 100 (end of sequence) at the end
 *   get_output_single(ctx, index, buf, max, *written)   the last piece
 *   fini_single(ctx), unload(graph)
 *
 * A tensor is 20 bytes {u32 dims_ptr, u32 dims_len, u32 type, u32 data_ptr,
 * u32 data_len}. The u8 type is 3 in the current witx and WasmEdge and 2 in
 * the old numbering (f16 0, f32 1, u8 2, i32 3); for the text inputs both
 * are accepted as bytes. Options (WasmEdge's names): n-predict (default -1:
 * until the context is full), temp, top-k, top-p, repeat-penalty, repeat-last-n.
 * Errors: 1 invalid argument, 2 invalid encoding, 5 runtime error, 7 too
 * large (a buffer), 8 not found, 100 end of sequence, 102 prompt too long,
 * 103 model not found (also for a model the component is not granted). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include "host/internal.h"
#include "json/json.h"

enum { NN_OK = 0, NN_INVALID = 1, NN_ENCODING = 2, NN_RUNTIME = 5, NN_TOO_LARGE = 7, NN_NOT_FOUND = 8,
       NN_EOS = 100, NN_PROMPT_TOO_LONG = 102, NN_MODEL_NOT_FOUND = 103 };
enum { NN_GGML = 6, NN_MAX = 32 };

typedef struct nn_graph {
    char *model;   /* NULL: free slot */
    char *config;  /* JSON options from load_by_name_with_config */
} nn_graph;

typedef struct nn_ctx {
    int graph;     /* -1: free slot */
    char *prompt;
    char *options; /* JSON from input 1 */
    char *text, *usage;
    size_t text_len;
    host_stream *stream;
    char *piece;
    size_t piece_len;
} nn_ctx;

struct nn_call {
    nn_graph graphs[NN_MAX];
    nn_ctx ctxs[NN_MAX];
};

static host_call *call_of(aw_caller *c, void *data) { return data ? data : host_call_of(c); }

static struct nn_call *nn_of(host_call *k) {
    if (!k) return NULL;
    if (!k->nn && (k->nn = calloc(1, sizeof *k->nn)))
        for (int i = 0; i < NN_MAX; i++) k->nn->ctxs[i].graph = -1;
    return k->nn;
}

static void ctx_clear(nn_ctx *x) {
    free(x->prompt), free(x->options), free(x->text), free(x->usage), free(x->piece);
    if (x->stream) host_stream_free(x->stream);
    memset(x, 0, sizeof *x);
    x->graph = -1;
}

void host_nn_call_free(host_call *k) {
    if (!k || !k->nn) return;
    for (int i = 0; i < NN_MAX; i++) {
        ctx_clear(&k->nn->ctxs[i]);
        free(k->nn->graphs[i].model), free(k->nn->graphs[i].config);
    }
    free(k->nn);
    k->nn = NULL;
}

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

static int put32(aw_caller *c, uint32_t addr, uint32_t v) {
    uint8_t *p = host_mem(c, addr, 4);
    if (!p) return -1;
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
    return 0;
}

static int ret(uint64_t *slots, int code) {
    slots[0] = (uint32_t)code;
    return 0;
}

/* A graph for MODEL (with CONFIG), its id written to *out. */
static int new_graph(aw_caller *c, struct nn_call *n, const char *model, const char *config, uint32_t out, uint64_t *slots) {
    for (int i = 0; i < NN_MAX; i++)
        if (!n->graphs[i].model) {
            if (put32(c, out, (uint32_t)i)) return aw_caller_trap(c, "wasi_ephemeral_nn: graph pointer outside memory");
            n->graphs[i].model = strdup(model);
            n->graphs[i].config = config ? strdup(config) : NULL;
            return ret(slots, n->graphs[i].model ? NN_OK : NN_RUNTIME);
        }
    return ret(slots, NN_TOO_LARGE);
}

static int by_name(aw_caller *c, uint64_t *slots, void *data, uint32_t name, uint32_t nlen, const char *config, uint32_t out) {
    host_call *k = call_of(c, data);
    struct nn_call *n = nn_of(k);
    char *model = host_strdup_guest(c, name, nlen);
    if (!model) return aw_caller_trap(c, "wasi_ephemeral_nn.load_by_name: name outside memory");
    int rc;
    char e[512];
    if (!n) rc = ret(slots, NN_RUNTIME);
    else if (!host_granted(k->g->ai_models, k->g->nai, model)) {
        host_fail(k, HOST_ERR_DENIED, "model '%s' is not preloaded (--nn-preload) or in ai_models", model);
        host_log(k->h, "component '%s': wasi-nn: %s", k->g->component, k->error);
        rc = ret(slots, NN_MODEL_NOT_FOUND);
    } else if (!host_llm_check(k->h->llm, model, e, sizeof e)) {
        host_fail(k, HOST_ERR_NO_SUCH, "%s", e);
        rc = ret(slots, NN_MODEL_NOT_FOUND);
    } else {
        rc = new_graph(c, n, model, config, out, slots);
    }
    free(model);
    return rc;
}

static int h_load_by_name(aw_caller *c, uint64_t *slots, void *data) {
    return by_name(c, slots, data, (uint32_t)slots[0], (uint32_t)slots[1], NULL, (uint32_t)slots[2]);
}

static int h_load_by_name_with_config(aw_caller *c, uint64_t *slots, void *data) {
    char *config = host_strdup_guest(c, (uint32_t)slots[2], (uint32_t)slots[3]);
    if (!config) return aw_caller_trap(c, "wasi_ephemeral_nn.load_by_name_with_config: config outside memory");
    int rc = by_name(c, slots, data, (uint32_t)slots[0], (uint32_t)slots[1], config, (uint32_t)slots[4]);
    free(config);
    return rc;
}

/* load: GGML only; the GGUF bytes become an anonymous in-memory file that
 * the local engine maps like any model file. */
static int h_load(aw_caller *c, uint64_t *slots, void *data) {
    host_call *k = call_of(c, data);
    struct nn_call *n = nn_of(k);
    uint32_t nb = (uint32_t)slots[1], enc = (uint32_t)slots[2];
    const uint8_t *b = host_mem(c, (uint32_t)slots[0], nb * 8u);
    if (!b || nb > 64) return aw_caller_trap(c, "wasi_ephemeral_nn.load: builders outside memory");
    if (enc != NN_GGML) return ret(slots, NN_ENCODING);
    if (!n || nb < 1) return ret(slots, NN_INVALID);
    uint32_t len = rd32(b + 4);
    const uint8_t *bytes = host_mem(c, rd32(b), len);
    if (!bytes) return aw_caller_trap(c, "wasi_ephemeral_nn.load: model bytes outside memory");
    int fd = memfd_create("wasi-nn-model", MFD_CLOEXEC);
    size_t off = 0;
    while (fd >= 0 && off < len) {
        ssize_t w = write(fd, bytes + off, len - off);
        if (w <= 0) break;
        off += (size_t)w;
    }
    char name[64], path[64], e[512];
    static unsigned long counter; /* unique names; only ever incremented */
    snprintf(name, sizeof name, "wasi-nn-load-%lu", __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    int rc;
    /* The registry keeps the model (and so the descriptor) for the host's life. */
    if (fd < 0 || off != len) rc = ret(slots, NN_RUNTIME);
    else if (!host_llm_local_add(host_llm_local_of(k->h->llm), name, path, e, sizeof e)) {
        host_fail(k, HOST_ERR_RUNTIME, "%s", e);
        rc = ret(slots, NN_INVALID);
    } else {
        rc = new_graph(c, n, name, NULL, (uint32_t)slots[4], slots);
    }
    if (fd >= 0 && rc == 0 && slots[0] != NN_OK) close(fd);
    return rc;
}

static nn_ctx *ctx_of(host_call *k, uint64_t id) {
    struct nn_call *n = nn_of(k);
    if (!n || (uint32_t)id >= NN_MAX || n->ctxs[(uint32_t)id].graph < 0) return NULL;
    return &n->ctxs[(uint32_t)id];
}

static int h_init_execution_context(aw_caller *c, uint64_t *slots, void *data) {
    struct nn_call *n = nn_of(call_of(c, data));
    uint32_t g = (uint32_t)slots[0];
    if (!n || g >= NN_MAX || !n->graphs[g].model) return ret(slots, NN_INVALID);
    for (int i = 0; i < NN_MAX; i++)
        if (n->ctxs[i].graph < 0) {
            if (put32(c, (uint32_t)slots[1], (uint32_t)i)) return aw_caller_trap(c, "wasi_ephemeral_nn: context pointer outside memory");
            n->ctxs[i].graph = (int)g;
            return ret(slots, NN_OK);
        }
    return ret(slots, NN_TOO_LARGE);
}

static int h_set_input(aw_caller *c, uint64_t *slots, void *data) {
    nn_ctx *x = ctx_of(call_of(c, data), slots[0]);
    uint32_t index = (uint32_t)slots[1];
    const uint8_t *t = host_mem(c, (uint32_t)slots[2], 20);
    if (!t) return aw_caller_trap(c, "wasi_ephemeral_nn.set_input: tensor outside memory");
    if (!x) return ret(slots, NN_INVALID);
    uint32_t type = rd32(t + 8);
    char *bytes = host_strdup_guest(c, rd32(t + 12), rd32(t + 16));
    if (!bytes) return aw_caller_trap(c, "wasi_ephemeral_nn.set_input: tensor data outside memory");
    if ((type != 2 && type != 3) || index > 1) { free(bytes); return ret(slots, NN_INVALID); }
    char **slot = index == 0 ? &x->prompt : &x->options;
    free(*slot);
    *slot = bytes;
    return ret(slots, NN_OK);
}

/* Options: the graph's config, overridden by input 1. */
static void options(const nn_ctx *x, const nn_graph *g, host_llm_params *p) {
    host_llm_params_default(p);
    p->max_tokens = UINT32_MAX; /* n-predict -1: until the context is full */
    const char *srcs[2] = {g->config, x->options};
    for (int i = 0; i < 2; i++) {
        cJSON *j = srcs[i] ? cJSON_Parse(srcs[i]) : NULL, *v;
        if ((v = cJSON_GetObjectItemCaseSensitive(j, "n-predict")) && cJSON_IsNumber(v))
            p->max_tokens = v->valuedouble < 0 ? UINT32_MAX : (uint32_t)v->valuedouble;
        if ((v = cJSON_GetObjectItemCaseSensitive(j, "temp")) && cJSON_IsNumber(v)) p->temperature = (float)v->valuedouble;
        if ((v = cJSON_GetObjectItemCaseSensitive(j, "top-k")) && cJSON_IsNumber(v)) p->top_k = (uint32_t)v->valuedouble;
        if ((v = cJSON_GetObjectItemCaseSensitive(j, "top-p")) && cJSON_IsNumber(v)) p->top_p = (float)v->valuedouble;
        if ((v = cJSON_GetObjectItemCaseSensitive(j, "repeat-penalty")) && cJSON_IsNumber(v)) p->repeat_penalty = (float)v->valuedouble;
        if ((v = cJSON_GetObjectItemCaseSensitive(j, "repeat-last-n")) && cJSON_IsNumber(v)) p->repeat_last_n = (uint32_t)v->valuedouble;
        cJSON_Delete(j);
    }
}

static int collect(void *ud, const char *s, size_t n) {
    nn_ctx *x = ud;
    char *g = realloc(x->text, x->text_len + n + 1);
    if (!g) return -1;
    memcpy(g + x->text_len, s, n);
    x->text_len += n;
    g[x->text_len] = 0;
    x->text = g;
    return 0;
}

static int code_for(const char *err) { return strstr(err, "more than the context") ? NN_PROMPT_TOO_LONG : NN_RUNTIME; }

static void set_usage(nn_ctx *x, const host_llm_usage *u) {
    free(x->usage);
    if (asprintf(&x->usage, "{\"input_tokens\":%u,\"output_tokens\":%u}", u->prompt_tokens, u->generated_tokens) < 0) x->usage = NULL;
}

static int h_compute(aw_caller *c, uint64_t *slots, void *data) {
    host_call *k = call_of(c, data);
    nn_ctx *x = ctx_of(k, slots[0]);
    if (!x || !x->prompt) return ret(slots, NN_INVALID);
    const nn_graph *g = &k->nn->graphs[x->graph];
    host_llm_params p;
    options(x, g, &p);
    free(x->text);
    x->text = NULL, x->text_len = 0;
    host_llm_usage u;
    char e[512];
    int r = host_llm_infer(k->h->llm, g->model, x->prompt, &p, collect, x, &u, e, sizeof e);
    if (r) {
        host_fail(k, r, "%s", e);
        host_log(k->h, "component '%s': wasi-nn compute on '%s': %s", k->g->component, g->model, e);
        return ret(slots, code_for(e));
    }
    set_usage(x, &u);
    return ret(slots, NN_OK);
}

static int give_output(aw_caller *c, uint64_t *slots, const char *s, size_t len) {
    uint32_t buf = (uint32_t)slots[2], max = (uint32_t)slots[3], written = (uint32_t)slots[4];
    if (len > max) return ret(slots, NN_TOO_LARGE);
    uint8_t *dst = host_mem(c, buf, (uint32_t)len);
    if (!dst || put32(c, written, (uint32_t)len)) return aw_caller_trap(c, "wasi_ephemeral_nn.get_output: buffer outside memory");
    if (len) memcpy(dst, s, len);
    return ret(slots, NN_OK);
}

static int h_get_output(aw_caller *c, uint64_t *slots, void *data) {
    nn_ctx *x = ctx_of(call_of(c, data), slots[0]);
    uint32_t index = (uint32_t)slots[1];
    if (!x || index > 1) return ret(slots, NN_INVALID);
    if (index == 1) return give_output(c, slots, x->usage ? x->usage : "{}", x->usage ? strlen(x->usage) : 2);
    return give_output(c, slots, x->text ? x->text : "", x->text_len);
}

static int h_compute_single(aw_caller *c, uint64_t *slots, void *data) {
    host_call *k = call_of(c, data);
    nn_ctx *x = ctx_of(k, slots[0]);
    if (!x || !x->prompt) return ret(slots, NN_INVALID);
    if (!x->stream) {
        host_llm_params p;
        options(x, &k->nn->graphs[x->graph], &p);
        if (!(x->stream = host_stream_start(k->h->llm, k->nn->graphs[x->graph].model, x->prompt, &p))) return ret(slots, NN_RUNTIME);
    }
    free(x->piece);
    x->piece = NULL, x->piece_len = 0;
    char e[512];
    int r = host_stream_next(x->stream, &x->piece, &x->piece_len, e, sizeof e);
    if (r < 0) { host_fail(k, r, "%s", e); return ret(slots, code_for(e)); }
    if (r == 0) {
        host_llm_usage u;
        host_stream_usage(x->stream, &u);
        set_usage(x, &u);
        return ret(slots, NN_EOS);
    }
    return ret(slots, NN_OK);
}

static int h_get_output_single(aw_caller *c, uint64_t *slots, void *data) {
    nn_ctx *x = ctx_of(call_of(c, data), slots[0]);
    uint32_t index = (uint32_t)slots[1];
    if (!x || index > 1) return ret(slots, NN_INVALID);
    if (index == 1) return give_output(c, slots, x->usage ? x->usage : "{}", x->usage ? strlen(x->usage) : 2);
    return give_output(c, slots, x->piece ? x->piece : "", x->piece_len);
}

static int h_fini_single(aw_caller *c, uint64_t *slots, void *data) {
    nn_ctx *x = ctx_of(call_of(c, data), slots[0]);
    if (!x) return ret(slots, NN_INVALID);
    if (x->stream) host_stream_free(x->stream);
    x->stream = NULL;
    return ret(slots, NN_OK);
}

static int h_unload(aw_caller *c, uint64_t *slots, void *data) {
    struct nn_call *n = nn_of(call_of(c, data));
    uint32_t g = (uint32_t)slots[0];
    if (!n || g >= NN_MAX || !n->graphs[g].model) return ret(slots, NN_INVALID);
    for (int i = 0; i < NN_MAX; i++)
        if (n->ctxs[i].graph == (int)g) ctx_clear(&n->ctxs[i]);
    free(n->graphs[g].model), free(n->graphs[g].config);
    n->graphs[g] = (nn_graph){0};
    return ret(slots, NN_OK);
}

bool host_nn_define(aw_linker *l, host_call *call) {
    static const aw_valtype i5[5] = {AW_I32, AW_I32, AW_I32, AW_I32, AW_I32};
    static const struct { const char *name; uint32_t np; aw_host_fn fn; } defs[] = {
        {"load", 5, h_load}, {"load_by_name", 3, h_load_by_name},
        {"load_by_name_with_config", 5, h_load_by_name_with_config},
        {"init_execution_context", 2, h_init_execution_context}, {"set_input", 3, h_set_input},
        {"compute", 1, h_compute}, {"get_output", 5, h_get_output}, {"compute_single", 1, h_compute_single},
        {"get_output_single", 5, h_get_output_single}, {"fini_single", 1, h_fini_single}, {"unload", 1, h_unload},
    };
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
        if (!aw_linker_define_func(l, "wasi_ephemeral_nn", defs[i].name, i5, defs[i].np, i5, 1, defs[i].fn, call)) return false;
    return true;
}

bool host_define_nn(aw_linker *l) { return host_nn_define(l, NULL); }

/* ---- `anywhere run --nn-preload` ---------------------------------------- */

struct host_nn_preload {
    host *h;
    host_grants grants;
    char **names;
    int n;
    host_call *call;
};

host_nn_preload *host_nn_preload_new(const char *const *specs, int n, char *err, size_t errlen) {
    host_config cfg;
    host_config_init(&cfg);
    host_nn_preload *p = calloc(1, sizeof *p);
    cfg.llm = calloc((size_t)n + 1, sizeof *cfg.llm);
    if (!p || !cfg.llm || !(p->names = calloc((size_t)n + 1, sizeof *p->names))) {
        free(p), host_config_free(&cfg);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        /* NAME:ENCODING:TARGET:PATH, as WasmEdge spells it (the path may hold ':'). */
        const char *s = specs[i], *c1 = strchr(s, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL, *c3 = c2 ? strchr(c2 + 1, ':') : NULL;
        if (!c3 || c1 == s || !c3[1]) {
            snprintf(err, errlen, "--nn-preload '%s': expected NAME:GGML:AUTO|CPU|GPU:PATH.gguf", s);
            goto fail;
        }
        if ((size_t)(c2 - c1 - 1) != 4 || strncasecmp(c1 + 1, "GGML", 4)) {
            snprintf(err, errlen, "--nn-preload '%s': only the GGML encoding is supported", s);
            goto fail;
        }
        host_llm_config *l = &cfg.llm[cfg.nllm++];
        l->model = strndup(s, (size_t)(c1 - s));
        l->type = HOST_LLM_LOCAL;
        l->path = strdup(c3 + 1);
        p->names[p->n++] = strdup(l->model);
    }
    p->grants.component = "wasi-nn";
    p->grants.ai_models = (const char *const *)p->names, p->grants.nai = (size_t)p->n;
    if (!(p->h = host_new(&cfg, err, errlen))) { host_nn_preload_free(p); return NULL; }
    if (!host_check_grants(p->h, &p->grants, err, errlen) || !(p->call = host_call_new(p->h, &p->grants))) {
        host_nn_preload_free(p);
        return NULL;
    }
    return p;
fail:
    host_config_free(&cfg);
    host_nn_preload_free(p);
    return NULL;
}

bool host_nn_preload_define(host_nn_preload *p, aw_linker *l) { return host_nn_define(l, p->call); }

void host_nn_preload_free(host_nn_preload *p) {
    if (!p) return;
    host_call_free(p->call);
    host_free(p->h);
    for (int i = 0; i < p->n; i++) free(p->names[i]);
    free(p->names);
    free(p);
}
