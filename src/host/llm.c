/* llm.c — the llm capability: which backend serves a model, generation
 * streams, and the guest API anywhere_llm_v1.
 *
 *   infer(model, mlen, prompt, plen, params, usage) -> text length | error
 *       params: 0 for Spin's defaults, or a 24-byte struct {u32 max_tokens,
 *       f32 repeat_penalty, u32 repeat_penalty_last_n_token_count,
 *       f32 temperature, u32 top_k, f32 top_p}; usage: 0 or 8 bytes
 *       {u32 prompt_token_count, u32 generated_token_count}
 *   text(offset, buf, cap) -> bytes left from offset   (the last infer's text)
 *   embed(model, mlen, texts, ntexts, usage) -> dimensions | error
 *       texts: ntexts x {u32 ptr, u32 len}; usage: 0 or {u32 prompt_token_count}
 *   embedding(index, buf, cap_floats) -> dimensions     (f32 little-endian)
 *   stream_start(model, mlen, prompt, plen, params) -> handle | error
 *   stream_next(h, buf, cap) -> piece length | 0 at the end | error
 *       (a piece longer than cap is cut: the rest comes next time)
 *   stream_usage(h, usage) -> 0
 *   stream_close(h) -> 0
 *
 * Only models in the component's ai_models are reachable (-2 otherwise).
 * Errors: -3 model-not-supported (no backend), -6 runtime-error (message
 * via last_error). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host/internal.h"

struct host_llm {
    const host_config *cfg;
    host_llm_local *local;
};

void host_llm_params_default(host_llm_params *p) {
    *p = (host_llm_params){.max_tokens = 100, .repeat_penalty = 1.1f, .repeat_last_n = 64,
                           .temperature = 0.8f, .top_k = 40, .top_p = 0.9f};
}

host_llm *host_llm_new(const host_config *cfg, char *err, size_t errlen) {
    host_llm *l = calloc(1, sizeof *l);
    if (!l || !(l->local = host_llm_local_new(cfg->llm_threads))) {
        free(l);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    l->cfg = cfg;
    return l;
}

host_llm_local *host_llm_local_of(host_llm *l) { return l->local; }

void host_llm_free(host_llm *l) {
    host_llm_local_free(l->local);
    free(l);
}

/* The configuration serving MODEL: its own entry, the default entry, or
 * NULL for the built-in default (local). */
static const host_llm_config *config_for(host_llm *l, const char *model) {
    const host_llm_config *def = NULL;
    for (size_t i = 0; i < l->cfg->nllm; i++) {
        if (l->cfg->llm[i].model && !strcmp(l->cfg->llm[i].model, model)) return &l->cfg->llm[i];
        if (!l->cfg->llm[i].model) def = &l->cfg->llm[i];
    }
    return def;
}

bool host_llm_check(host_llm *l, const char *model, char *err, size_t errlen) {
    const host_llm_config *c = config_for(l, model);
    if (c && c->type != HOST_LLM_LOCAL) {
        if (!c->url) { snprintf(err, errlen, "model '%s': the llm backend needs a url", model); return false; }
        return true;
    }
    char path[4096];
    struct stat st;
    if (c && c->path && c->model) snprintf(path, sizeof path, "%s", c->path);
    else snprintf(path, sizeof path, "%s/ai-models/%s.gguf", l->cfg->state_dir ? l->cfg->state_dir : ".anywhere", model);
    char e[512];
    if (stat(path, &st) == 0) return host_llm_local_add(l->local, model, path, err, errlen);
    if (host_llm_local_add(l->local, model, NULL, e, sizeof e)) return true; /* an Ollama store name */
    snprintf(err, errlen, "model '%s': no GGUF file at %s, no such model in the Ollama store, and no [llm_models.\"%s\"] "
             "in the runtime config file", model, path, model);
    return false;
}

int host_llm_infer(host_llm *l, const char *model, const char *prompt, const host_llm_params *p, host_emit emit,
                   void *ud, host_llm_usage *u, char *err, size_t errlen) {
    memset(u, 0, sizeof *u);
    const host_llm_config *c = config_for(l, model);
    if (c && c->type != HOST_LLM_LOCAL)
        return host_llm_remote_infer(c, model, prompt, p, emit, ud, u, l->cfg->timeout_ms * 10, err, errlen);
    if (!host_llm_check(l, model, err, errlen)) return HOST_ERR_NO_SUCH;
    return host_llm_local_infer(l->local, model, prompt, p, emit, ud, u, err, errlen);
}

int host_llm_embed(host_llm *l, const char *model, const char *const *texts, size_t n, float **out, size_t *dims,
                   uint32_t *prompt_tokens, char *err, size_t errlen) {
    *prompt_tokens = 0;
    const host_llm_config *c = config_for(l, model);
    if (c && c->type != HOST_LLM_LOCAL)
        return host_llm_remote_embed(c, model, texts, n, out, dims, prompt_tokens, l->cfg->timeout_ms * 10, err, errlen);
    if (!host_llm_check(l, model, err, errlen)) return HOST_ERR_NO_SUCH;
    return host_llm_local_embed(l->local, model, texts, n, out, dims, prompt_tokens, err, errlen);
}

/* ---- streams: a generation on its own thread ---------------------------- */

typedef struct piece {
    char *text;
    size_t n;
    struct piece *next;
} piece;

struct host_stream {
    host_llm *l;
    char *model, *prompt;
    host_llm_params params;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    piece *head, *tail;
    bool done, cancel;
    int rc;
    char err[512];
    host_llm_usage usage;
};

static int stream_emit(void *ud, const char *text, size_t n) {
    host_stream *s = ud;
    if (!n) return 0; /* an empty piece would read as the end */
    piece *p = malloc(sizeof *p);
    char *t = malloc(n ? n : 1);
    pthread_mutex_lock(&s->mu);
    bool cancel = s->cancel;
    if (p && t && !cancel) {
        memcpy(t, text, n);
        *p = (piece){t, n, NULL};
        if (s->tail) s->tail->next = p;
        else s->head = p;
        s->tail = p;
        p = NULL, t = NULL;
        pthread_cond_signal(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
    free(p), free(t);
    return cancel ? -1 : 0;
}

static void *stream_main(void *arg) {
    host_stream *s = arg;
    host_llm_usage u;
    char err[512] = "";
    int rc = host_llm_infer(s->l, s->model, s->prompt, &s->params, stream_emit, s, &u, err, sizeof err);
    pthread_mutex_lock(&s->mu);
    s->done = true, s->rc = rc, s->usage = u;
    snprintf(s->err, sizeof s->err, "%s", err);
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

host_stream *host_stream_start(host_llm *l, const char *model, const char *prompt, const host_llm_params *p) {
    host_stream *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->l = l, s->params = *p;
    s->model = strdup(model), s->prompt = strdup(prompt);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (!s->model || !s->prompt || pthread_create(&s->thread, NULL, stream_main, s)) {
        free(s->model), free(s->prompt);
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->cv);
        free(s);
        return NULL;
    }
    return s;
}

int host_stream_next(host_stream *s, char **text, size_t *n, char *err, size_t errlen) {
    pthread_mutex_lock(&s->mu);
    while (!s->head && !s->done) pthread_cond_wait(&s->cv, &s->mu);
    piece *p = s->head;
    int r = 0;
    if (p) {
        s->head = p->next;
        if (!s->head) s->tail = NULL;
        *text = p->text, *n = p->n;
        free(p);
        r = 1;
    } else if (s->rc) {
        snprintf(err, errlen, "%s", s->err);
        r = s->rc;
    }
    pthread_mutex_unlock(&s->mu);
    return r;
}

void host_stream_usage(host_stream *s, host_llm_usage *u) {
    pthread_mutex_lock(&s->mu);
    *u = s->usage;
    pthread_mutex_unlock(&s->mu);
}

void host_stream_free(host_stream *s) {
    pthread_mutex_lock(&s->mu);
    s->cancel = true;
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    for (piece *p = s->head, *q; p; p = q) q = p->next, free(p->text), free(p);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s->model), free(s->prompt);
    free(s);
}

/* ---- the guest API ------------------------------------------------------ */

typedef struct {
    char *s;
    size_t n, cap;
} text_buf;

static int collect(void *ud, const char *text, size_t n) {
    text_buf *b = ud;
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->n + n + 1) * 2;
        char *g = realloc(b->s, cap);
        if (!g) return -1;
        b->s = g, b->cap = cap;
    }
    memcpy(b->s + b->n, text, n);
    b->n += n;
    b->s[b->n] = 0;
    return 0;
}

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static void wr32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24); }
static float rdf(const uint8_t *p) { uint32_t u = rd32(p); float f; memcpy(&f, &u, 4); return f; }

/* Reads the params struct at addr (0: defaults). False: outside memory. */
static bool read_params(aw_caller *c, uint32_t addr, host_llm_params *p) {
    host_llm_params_default(p);
    if (!addr) return true;
    const uint8_t *b = host_mem(c, addr, 24);
    if (!b) return false;
    *p = (host_llm_params){rd32(b), rdf(b + 4), rd32(b + 8), rdf(b + 12), rd32(b + 16), rdf(b + 20)};
    return true;
}

/* The model named by guest bytes, if granted; NULL after setting slots[0]. */
static char *model_of(aw_caller *c, host_call *k, uint64_t *slots, bool *trap) {
    char *model = host_strdup_guest(c, (uint32_t)slots[0], (uint32_t)slots[1]);
    *trap = !model;
    if (!model) return NULL;
    if (!k || !host_granted(k->g->ai_models, k->g->nai, model)) {
        slots[0] = (uint32_t)(k ? host_fail(k, HOST_ERR_DENIED, "model '%.100s' is not in component '%s''s ai_models", model,
                                            k->g->component) : HOST_ERR_DENIED);
        free(model);
        return NULL;
    }
    return model;
}

static int h_infer(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    host_call *k = host_call_of(c);
    bool trap;
    host_llm_params p;
    char *prompt = host_strdup_guest(c, (uint32_t)slots[2], (uint32_t)slots[3]);
    uint32_t usage_at = (uint32_t)slots[5];
    uint8_t *usage = usage_at ? host_mem(c, usage_at, 8) : NULL;
    if (!prompt || !read_params(c, (uint32_t)slots[4], &p) || (usage_at && !usage)) {
        free(prompt);
        return aw_caller_trap(c, "anywhere_llm_v1.infer: argument outside memory");
    }
    char *model = model_of(c, k, slots, &trap);
    if (!model) { free(prompt); return trap ? aw_caller_trap(c, "anywhere_llm_v1.infer: model outside memory") : 0; }
    text_buf b = {0};
    host_llm_usage u;
    char e[512];
    int r = host_llm_infer(k->h->llm, model, prompt, &p, collect, &b, &u, e, sizeof e);
    if (r) {
        host_fail(k, r, "model '%s': %s", model, e);
        host_log(k->h, "component '%s': llm infer on '%s': %s", k->g->component, model, e);
        free(b.s);
    } else {
        free(k->llm_text);
        k->llm_text = b.s, k->llm_len = b.n;
        r = (int)(b.n > INT32_MAX ? INT32_MAX : b.n);
        usage = usage_at ? host_mem(c, usage_at, 8) : NULL; /* memory may not move, but be safe */
        if (usage) wr32(usage, u.prompt_tokens), wr32(usage + 4, u.generated_tokens);
    }
    free(model), free(prompt);
    slots[0] = (uint32_t)r;
    return 0;
}

static int h_text(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    host_call *k = host_call_of(c);
    return host_give(c, (uint32_t)slots[1], (uint32_t)slots[2], k && k->llm_text ? k->llm_text : "", k ? k->llm_len : 0,
                     (uint32_t)slots[0], slots);
}

static int h_embed(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    host_call *k = host_call_of(c);
    uint32_t n = (uint32_t)slots[3], usage_at = (uint32_t)slots[4];
    const uint8_t *list = host_mem(c, (uint32_t)slots[2], n * 8u);
    if (!list || n > 1u << 20 || (usage_at && !host_mem(c, usage_at, 4)))
        return aw_caller_trap(c, "anywhere_llm_v1.embed: argument outside memory");
    char **texts = calloc(n ? n : 1, sizeof *texts);
    if (!texts) return aw_caller_trap(c, "out of memory");
    for (uint32_t i = 0; i < n; i++)
        if (!(texts[i] = host_strdup_guest(c, rd32(list + 8 * i), rd32(list + 8 * i + 4)))) {
            for (uint32_t j = 0; j < i; j++) free(texts[j]);
            free(texts);
            return aw_caller_trap(c, "anywhere_llm_v1.embed: text %u outside memory", i);
        }
    bool trap;
    char *model = model_of(c, k, slots, &trap);
    int r = 0;
    if (model) {
        float *v = NULL;
        size_t dims = 0;
        uint32_t pt = 0;
        char e[512];
        r = host_llm_embed(k->h->llm, model, (const char *const *)texts, n, &v, &dims, &pt, e, sizeof e);
        if (r) {
            host_fail(k, r, "model '%s': %s", model, e);
            host_log(k->h, "component '%s': llm embed on '%s': %s", k->g->component, model, e);
        } else {
            free(k->embeddings);
            k->embeddings = v, k->nembeddings = n, k->dims = dims;
            r = (int)dims;
            if (usage_at) wr32(host_mem(c, usage_at, 4), pt);
        }
        slots[0] = (uint32_t)r;
    }
    for (uint32_t i = 0; i < n; i++) free(texts[i]);
    free(texts);
    free(model);
    return trap ? aw_caller_trap(c, "anywhere_llm_v1.embed: model outside memory") : 0;
}

static int h_embedding(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    host_call *k = host_call_of(c);
    uint32_t i = (uint32_t)slots[0], buf = (uint32_t)slots[1], cap = (uint32_t)slots[2];
    if (!k || i >= k->nembeddings) { slots[0] = (uint32_t)HOST_ERR_INVALID; return 0; }
    size_t n = k->dims < cap ? k->dims : cap;
    uint8_t *dst = host_mem(c, buf, (uint32_t)(n * 4));
    if (!dst) return aw_caller_trap(c, "anywhere_llm_v1.embedding: buffer outside memory");
    for (size_t j = 0; j < n; j++) {
        uint32_t u;
        memcpy(&u, &k->embeddings[i * k->dims + j], 4);
        wr32(dst + 4 * j, u);
    }
    slots[0] = (uint32_t)k->dims;
    return 0;
}

static int h_stream_start(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    host_call *k = host_call_of(c);
    host_llm_params p;
    char *prompt = host_strdup_guest(c, (uint32_t)slots[2], (uint32_t)slots[3]);
    if (!prompt || !read_params(c, (uint32_t)slots[4], &p)) {
        free(prompt);
        return aw_caller_trap(c, "anywhere_llm_v1.stream_start: argument outside memory");
    }
    bool trap;
    char *model = model_of(c, k, slots, &trap);
    if (model) {
        int slot = -1;
        for (int i = 0; i < HOST_MAX_HANDLES && slot < 0; i++)
            if (!k->streams[i]) slot = i;
        if (slot < 0) slots[0] = (uint32_t)host_fail(k, HOST_ERR_FULL, "more than %d streams open", HOST_MAX_HANDLES);
        else if (!(k->streams[slot] = host_stream_start(k->h->llm, model, prompt, &p)))
            slots[0] = (uint32_t)host_fail(k, HOST_ERR_RUNTIME, "cannot start a generation thread");
        else slots[0] = (uint32_t)slot;
    }
    free(model), free(prompt);
    return trap ? aw_caller_trap(c, "anywhere_llm_v1.stream_start: model outside memory") : 0;
}


static host_stream *stream_of(host_call *k, uint64_t h) {
    return k && (uint32_t)h < HOST_MAX_HANDLES ? k->streams[(uint32_t)h] : NULL;
}

static int h_stream_next(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    host_call *k = host_call_of(c);
    host_stream *s = stream_of(k, slots[0]);
    uint32_t buf = (uint32_t)slots[1], cap = (uint32_t)slots[2];
    if (!s) { slots[0] = (uint32_t)HOST_ERR_INVALID; return 0; }
    if (!k->stream_rest[slots[0]].text) {
        char *text = NULL, e[512];
        size_t n = 0;
        int r = host_stream_next(s, &text, &n, e, sizeof e);
        if (r <= 0) {
            slots[0] = (uint32_t)(r < 0 ? host_fail(k, r, "%s", e) : 0);
            return 0;
        }
        k->stream_rest[slots[0]] = (host_piece){text, n, 0};
    }
    host_piece *p = &k->stream_rest[slots[0]];
    size_t n = p->n - p->off < cap ? p->n - p->off : cap;
    uint8_t *dst = host_mem(c, buf, (uint32_t)n);
    if (!dst) return aw_caller_trap(c, "anywhere_llm_v1.stream_next: buffer outside memory");
    memcpy(dst, p->text + p->off, n);
    p->off += n;
    if (p->off == p->n) free(p->text), *p = (host_piece){0};
    slots[0] = (uint32_t)n;
    return 0;
}

static int h_stream_usage(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    host_stream *s = stream_of(host_call_of(c), slots[0]);
    uint8_t *u = host_mem(c, (uint32_t)slots[1], 8);
    if (!u) return aw_caller_trap(c, "anywhere_llm_v1.stream_usage: buffer outside memory");
    if (!s) { slots[0] = (uint32_t)HOST_ERR_INVALID; return 0; }
    host_llm_usage x;
    host_stream_usage(s, &x);
    wr32(u, x.prompt_tokens), wr32(u + 4, x.generated_tokens);
    slots[0] = 0;
    return 0;
}

static int h_stream_close(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    host_call *k = host_call_of(c);
    host_stream *s = stream_of(k, slots[0]);
    if (s) {
        host_stream_free(s);
        k->streams[(uint32_t)slots[0]] = NULL;
        free(k->stream_rest[slots[0]].text);
        k->stream_rest[slots[0]] = (host_piece){0};
    }
    slots[0] = 0;
    return 0;
}

bool host_define_llm(aw_linker *l) {
    static const aw_valtype i6[6] = {AW_I32, AW_I32, AW_I32, AW_I32, AW_I32, AW_I32};
    static const struct { const char *name; uint32_t np; aw_host_fn fn; } defs[] = {
        {"infer", 6, h_infer}, {"text", 3, h_text}, {"embed", 5, h_embed}, {"embedding", 3, h_embedding},
        {"stream_start", 5, h_stream_start}, {"stream_next", 3, h_stream_next}, {"stream_usage", 2, h_stream_usage},
        {"stream_close", 1, h_stream_close},
    };
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
        if (!aw_linker_define_func(l, "anywhere_llm_v1", defs[i].name, i6, defs[i].np, i6, 1, defs[i].fn, NULL)) return false;
    return true;
}
