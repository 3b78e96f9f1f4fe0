/*
 * forward.c — contexts (KV cache, scratch) and the llama/qwen2 forward pass:
 *
 *   x = embed(tokens)
 *   per layer:  x += Wo · attention(rope(Wq·n(x)), rope(Wk·n(x)), Wv·n(x))
 *               x += Wdown · (silu(Wgate·n(x)) * Wup·n(x))
 *   logits = Wout · n(x)
 *
 * A batch of tokens goes through each stage together so every weight matrix
 * is read once per batch (prompt processing), and one token at a time for
 * generation. The KV cache is F16 like llama.cpp's default, which also
 * halves its memory traffic; query and attention weights are rounded to
 * F16 before meeting it, as llama.cpp's F16 matrix products do.
 */
#include "ai/libm.h"
#include "ai/model.h"
#include "ai/quant.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ai_context {
    ai_model *m;
    ai_pool *pool;
    int n_ctx, n_batch, n_threads;
    ai_f16 *kc, *vc;        /* [layer][n_ctx][n_head_kv * head_dim] */
    /* activations for one batch */
    float *x, *xb, *q, *k, *v, *att, *hb, *hb2, *logits;
    float *scores;          /* per thread, n_ctx floats */
    ai_f16 *q16;            /* per thread, head_dim halves */
    void *qx;               /* quantised activations */
    size_t bytes;           /* everything above, for ai_context_memory */
    ai_abort_fn abort_fn;   /* asked between layers; NULL: never abort */
    void *abort_ud;
    bool aborted;           /* set by forward_batch when abort_fn said so */
    char err[256];
};

static void *xalloc(size_t n) {
    void *p = NULL;
    if (posix_memalign(&p, 64, n ? n : 64) != 0) return NULL;
    return p;
}

/* Counted allocation: the context reports what it holds (Ollama's /api/ps). */
static void *ctx_alloc(ai_context *c, size_t n) {
    void *p = xalloc(n);
    if (p) c->bytes += n ? n : 64;
    return p;
}

ai_context *ai_context_new(ai_model *m, const ai_context_params *p, char *err, size_t errlen) {
    ai_context_params def = {0};
    if (!p) p = &def;
    const ai_hparams *hp = &m->hp;
    ai_context *c = calloc(1, sizeof *c);
    c->m = m;
    c->n_ctx = p->n_ctx > 0 ? p->n_ctx : (hp->n_ctx_train < 4096 ? hp->n_ctx_train : 4096);
    c->n_batch = p->n_batch > 0 ? p->n_batch : 512;
    if (c->n_batch > c->n_ctx) c->n_batch = c->n_ctx;
    c->n_threads = p->n_threads > 0 ? p->n_threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (c->n_threads < 1) c->n_threads = 1;
    c->pool = ai_pool_new(c->n_threads);
    size_t kv = (size_t)hp->n_layer * c->n_ctx * hp->n_head_kv * hp->head_dim;
    size_t B = c->n_batch, qd = (size_t)hp->n_head * hp->head_dim, kvd = (size_t)hp->n_head_kv * hp->head_dim;
    size_t widest = hp->n_ff > hp->n_embd ? hp->n_ff : hp->n_embd;
    if (qd > widest) widest = qd;
    c->kc = ctx_alloc(c, kv * sizeof(ai_f16));
    c->vc = ctx_alloc(c, kv * sizeof(ai_f16));
    c->x = ctx_alloc(c, B * hp->n_embd * sizeof(float));
    c->xb = ctx_alloc(c, B * widest * sizeof(float));
    c->q = ctx_alloc(c, B * qd * sizeof(float));
    c->k = ctx_alloc(c, B * kvd * sizeof(float));
    c->v = ctx_alloc(c, B * kvd * sizeof(float));
    c->att = ctx_alloc(c, B * qd * sizeof(float));
    c->hb = ctx_alloc(c, B * hp->n_ff * sizeof(float));
    c->hb2 = ctx_alloc(c, B * hp->n_ff * sizeof(float));
    c->logits = ctx_alloc(c, (size_t)hp->n_vocab * sizeof(float));
    c->scores = ctx_alloc(c, (size_t)c->n_threads * c->n_ctx * sizeof(float));
    c->q16 = ctx_alloc(c, (size_t)c->n_threads * hp->head_dim * sizeof(ai_f16));
    /* F32 activations are the largest vec-dot form: 4 bytes per element */
    c->qx = ctx_alloc(c, B * widest * sizeof(float) + 4096);
    if (!c->kc || !c->vc || !c->x || !c->xb || !c->q || !c->k || !c->v || !c->att || !c->hb || !c->hb2 ||
        !c->logits || !c->scores || !c->q16 || !c->qx || !c->pool) {
        snprintf(err, errlen, "out of memory allocating a context of %d tokens", c->n_ctx);
        ai_context_free(c);
        return NULL;
    }
    memset(c->kc, 0, kv * sizeof(ai_f16));
    memset(c->vc, 0, kv * sizeof(ai_f16));
    return c;
}

void ai_context_free(ai_context *c) {
    if (!c) return;
    ai_pool_free(c->pool);
    free(c->kc); free(c->vc); free(c->x); free(c->xb); free(c->q); free(c->k); free(c->v);
    free(c->att); free(c->hb); free(c->hb2); free(c->logits); free(c->scores); free(c->q16); free(c->qx);
    free(c);
}

int ai_context_n_ctx(const ai_context *c) { return c->n_ctx; }
size_t ai_context_memory(const ai_context *c) { return c->bytes; }

void ai_context_set_abort(ai_context *c, ai_abort_fn fn, void *ud) {
    c->abort_fn = fn;
    c->abort_ud = ud;
}
const char *ai_context_error(const ai_context *c) { return c->err; }

void ai_context_set_threads(ai_context *c, int n) {
    if (n < 1 || n == c->n_threads) return;
    /* scratch is sized per thread: only shrink in place, grow by reallocating */
    if (n > c->n_threads) {
        float *s = xalloc((size_t)n * c->n_ctx * sizeof(float));
        ai_f16 *q = xalloc((size_t)n * c->m->hp.head_dim * sizeof(ai_f16));
        if (!s || !q) { free(s); free(q); return; }
        free(c->scores); free(c->q16);
        c->bytes += (size_t)(n - c->n_threads) * (c->n_ctx * sizeof(float) + c->m->hp.head_dim * sizeof(ai_f16));
        c->scores = s; c->q16 = q;
    }
    ai_pool_free(c->pool);
    c->pool = ai_pool_new(n);
    c->n_threads = n;
}

/* ---- stages ---- */

static void embed_tokens(const ai_model *m, const int32_t *tok, int n, float *x) {
    const ai_type_traits *t = ai_type_traits_of(m->tok_embd.type);
    for (int i = 0; i < n; i++)
        t->to_float((const uint8_t *)m->tok_embd.data + (size_t)tok[i] * m->tok_embd.row_bytes, x + (size_t)i * m->hp.n_embd, m->hp.n_embd);
}

/* RMSNorm as llama.cpp computes it: mean of squares accumulated in double. */
static void rmsnorm(float *o, const float *x, const float *w, int n, float eps) {
    double ss = 0;
    for (int i = 0; i < n; i++) ss += (double)x[i] * x[i];
    float scale = 1.0f / sqrtf((float)(ss / n) + eps);
    for (int i = 0; i < n; i++) o[i] = (x[i] * scale) * w[i];
}

/* Matrix products that share their input: quantise the activations once
 * when the weights agree on the vec-dot type. */
static void matmul_many(ai_context *c, const ai_weight *const *w, float *const *out, int count, const float *x, int n) {
    uint32_t vt = UINT32_MAX;
    for (int i = 0; i < count; i++) {
        uint32_t t = ai_vec_dot_type(w[i]->type);
        if (t != vt) {
            size_t xb = ai_row_bytes(t, w[i]->cols);
            for (int j = 0; j < n; j++) ai_quantize_act(w[i]->type, x + (size_t)j * w[i]->cols, (uint8_t *)c->qx + j * xb, w[i]->cols);
            vt = t;
        }
        ai_matmul_q(c->pool, w[i], c->qx, n, out[i]);
    }
}

/* Rotary embedding, computed like ggml's rope cache: theta for pair i is
 * pos * base^(-2i/n_rot), built by repeated multiplication. */
static void rope(const ai_model *m, float *vec, int n_heads, int pos) {
    const ai_hparams *hp = &m->hp;
    const ai_libm *M = ai_libm_get();
    float theta_scale = M->pow32(hp->rope_base, -2.0f / hp->n_rot);
    float theta = (float)pos;
    for (int i = 0; i < hp->n_rot / 2; i++) {
        float ff = m->rope_freqs ? m->rope_freqs[i] : 1.0f;
        float t = hp->rope_freq_scale * (theta / ff);
        float cs = M->cos32(t), sn = M->sin32(t);
        for (int h = 0; h < n_heads; h++) {
            float *v = vec + (size_t)h * hp->head_dim;
            int a = hp->rope_neox ? i : 2 * i, b = hp->rope_neox ? i + hp->n_rot / 2 : 2 * i + 1;
            float x0 = v[a], x1 = v[b];
            v[a] = x0 * cs - x1 * sn;
            v[b] = x0 * sn + x1 * cs;
        }
        theta *= theta_scale;
    }
}

typedef struct {
    ai_context *c;
    int layer, pos, n;
} attn_job;

/* One (token, head) pair: causal softmax attention over the cache. */
static void attn_task(void *arg, int task, int thread) {
    const attn_job *j = arg;
    ai_context *c = j->c;
    const ai_hparams *hp = &c->m->hp;
    int t = task / hp->n_head, h = task % hp->n_head;
    int hd = hp->head_dim, kvd = hp->n_head_kv * hd, kvh = h / (hp->n_head / hp->n_head_kv);
    int p = j->pos + t;
    const float *q = c->q + (size_t)t * hp->n_head * hd + (size_t)h * hd;
    ai_f16 *q16 = c->q16 + (size_t)thread * hd;
    float *sc = c->scores + (size_t)thread * c->n_ctx;
    ai_get_to_f16()(hd, q16, q);
    const ai_f16 *kbase = c->kc + (size_t)j->layer * c->n_ctx * kvd + (size_t)kvh * hd;
    const ai_f16 *vbase = c->vc + (size_t)j->layer * c->n_ctx * kvd + (size_t)kvh * hd;
    ai_vec_dot_fn dot = ai_get_vec_dot(AI_TYPE_F16);
    float scale = 1.0f / sqrtf((float)hd), max = -INFINITY;
    for (int s = 0; s <= p; s++) {
        dot(hd, &sc[s], kbase + (size_t)s * kvd, q16);
        sc[s] *= scale;
        if (sc[s] > max) max = sc[s];
    }
    double sum = 0;
    float (*exp32)(float) = ai_libm_get()->exp32;
    for (int s = 0; s <= p; s++) { sc[s] = exp32(sc[s] - max); sum += sc[s]; }
    float inv = (float)(1.0 / sum);
    float *o = c->att + (size_t)t * hp->n_head * hd + (size_t)h * hd;
    memset(o, 0, sizeof(float) * hd);
    ai_mad_f16_fn mad = ai_get_mad_f16();
    for (int s = 0; s <= p; s++) {
        float w = ai_f16_to_f32(ai_f32_to_f16(sc[s] * inv));
        mad(hd, o, w, vbase + (size_t)s * kvd);
    }
}

static void attention(ai_context *c, int l, int pos, int n) {
    const ai_model *m = c->m;
    const ai_hparams *hp = &m->hp;
    const ai_layer *L = &m->layers[l];
    int E = hp->n_embd, hd = hp->head_dim, qd = hp->n_head * hd, kvd = hp->n_head_kv * hd;
    for (int t = 0; t < n; t++) rmsnorm(c->xb + (size_t)t * E, c->x + (size_t)t * E, L->attn_norm, E, hp->rms_eps);
    const ai_weight *w[] = {&L->wq, &L->wk, &L->wv};
    float *out[] = {c->q, c->k, c->v};
    matmul_many(c, w, out, 3, c->xb, n);
    for (int t = 0; t < n; t++) {
        float *q = c->q + (size_t)t * qd, *k = c->k + (size_t)t * kvd, *v = c->v + (size_t)t * kvd;
        if (L->bq) {
            for (int i = 0; i < qd; i++) q[i] += L->bq[i];
            for (int i = 0; i < kvd; i++) { k[i] += L->bk[i]; v[i] += L->bv[i]; }
        }
        rope(m, q, hp->n_head, pos + t);
        rope(m, k, hp->n_head_kv, pos + t);
        size_t at = ((size_t)l * c->n_ctx + pos + t) * kvd;
        ai_get_to_f16()(kvd, c->kc + at, k);
        ai_get_to_f16()(kvd, c->vc + at, v);
    }
    attn_job j = {c, l, pos, n};
    ai_pool_run(c->pool, attn_task, &j, n * hp->n_head);
    const ai_weight *wo[] = {&L->wo};
    float *o[] = {c->xb};
    matmul_many(c, wo, o, 1, c->att, n);
    for (size_t i = 0; i < (size_t)n * E; i++) c->x[i] += c->xb[i];
}

static void feed_forward(ai_context *c, int l, int n) {
    const ai_hparams *hp = &c->m->hp;
    const ai_layer *L = &c->m->layers[l];
    int E = hp->n_embd, F = hp->n_ff;
    for (int t = 0; t < n; t++) rmsnorm(c->xb + (size_t)t * E, c->x + (size_t)t * E, L->ffn_norm, E, hp->rms_eps);
    const ai_weight *w[] = {&L->w_gate, &L->w_up};
    float *out[] = {c->hb, c->hb2};
    matmul_many(c, w, out, 2, c->xb, n);
    float (*exp32)(float) = ai_libm_get()->exp32;
    for (size_t i = 0; i < (size_t)n * F; i++) {
        float g = c->hb[i];
        c->hb[i] = g / (1.0f + exp32(-g)) * c->hb2[i];
    }
    const ai_weight *wd[] = {&L->w_down};
    float *o[] = {c->xb};
    matmul_many(c, wd, o, 1, c->hb, n);
    for (size_t i = 0; i < (size_t)n * E; i++) c->x[i] += c->xb[i];
}

/* Runs one batch (n <= n_batch). Leaves the final hidden states in c->x.
 * Returns -1 when the abort hook stopped it (a layer is the unit: a long
 * prompt's batch stops within one layer's time). */
static int forward_batch(ai_context *c, const int32_t *tok, int n, int pos) {
    embed_tokens(c->m, tok, n, c->x);
    for (int l = 0; l < c->m->hp.n_layer; l++) {
        if (c->abort_fn && c->abort_fn(c->abort_ud)) {
            snprintf(c->err, sizeof c->err, "evaluation aborted");
            return -1;
        }
        attention(c, l, pos, n);
        feed_forward(c, l, n);
    }
    return 0;
}

static int check(ai_context *c, const int32_t *tok, int n, int pos) {
    if (n <= 0 || pos < 0 || pos > c->n_ctx - n) {
        snprintf(c->err, sizeof c->err, "context overflow: %d tokens at position %d exceed the context of %d", n, pos, c->n_ctx);
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (tok[i] < 0 || tok[i] >= c->m->hp.n_vocab) {
            snprintf(c->err, sizeof c->err, "token %d at index %d is outside the vocabulary of %d", tok[i], i, c->m->hp.n_vocab);
            return -1;
        }
    return 0;
}

/* Logits for the token at row t of the current batch into out. */
static void logits_row(ai_context *c, int t, float *out) {
    const ai_model *m = c->m;
    int E = m->hp.n_embd;
    rmsnorm(c->xb, c->x + (size_t)t * E, m->output_norm, E, m->hp.rms_eps);
    ai_matmul(c->pool, &m->output, c->xb, 1, out, c->qx);
}

static int eval(ai_context *c, const int32_t *tok, int n, int pos, float *logits, bool all) {
    if (check(c, tok, n, pos)) return -1;
    int V = c->m->hp.n_vocab;
    for (int done = 0; done < n; done += c->n_batch) {
        int b = n - done < c->n_batch ? n - done : c->n_batch;
        if (forward_batch(c, tok + done, b, pos + done)) return AI_ABORTED;
        if (!logits) continue;
        if (all) for (int t = 0; t < b; t++) logits_row(c, t, logits + (size_t)(done + t) * V);
        else if (done + b == n) logits_row(c, b - 1, logits);
    }
    return 0;
}

int ai_eval(ai_context *c, const int32_t *tok, int n, int pos, float *logits) { return eval(c, tok, n, pos, logits, false); }
int ai_eval_all(ai_context *c, const int32_t *tok, int n, int pos, float *logits) { return eval(c, tok, n, pos, logits, true); }

int ai_embed(ai_context *c, const int32_t *tok, int n, float *out) {
    if (check(c, tok, n, 0)) return -1;
    const ai_model *m = c->m;
    int E = m->hp.n_embd;
    memset(out, 0, sizeof(float) * E);
    for (int done = 0; done < n; done += c->n_batch) {
        int b = n - done < c->n_batch ? n - done : c->n_batch;
        if (forward_batch(c, tok + done, b, done)) return AI_ABORTED;
        for (int t = 0; t < b; t++) {
            int idx = done + t;
            bool take = m->pooling == AI_POOL_MEAN || (m->pooling == AI_POOL_CLS && idx == 0) ||
                        (m->pooling == AI_POOL_LAST && idx == n - 1);
            if (!take) continue;
            rmsnorm(c->xb, c->x + (size_t)t * E, m->output_norm, E, m->hp.rms_eps);
            for (int i = 0; i < E; i++) out[i] += c->xb[i];
        }
    }
    double ss = 0;
    for (int i = 0; i < E; i++) ss += (double)out[i] * out[i];
    float inv = ss > 0 ? (float)(1.0 / sqrt(ss)) : 0.f;
    for (int i = 0; i < E; i++) out[i] *= inv; /* mean pooling's 1/n cancels in the normalisation */
    return 0;
}

/* The context's cache arrays are [layer][n_ctx][kvd]: a temporary pair
 * sized for n tokens stands in for them while the embedding runs. */
int ai_embed_keep_cache(ai_context *c, const int32_t *tok, int n, float *out) {
    if (check(c, tok, n, 0)) return -1;
    const ai_hparams *hp = &c->m->hp;
    size_t kv = (size_t)hp->n_layer * n * hp->n_head_kv * hp->head_dim * sizeof(ai_f16);
    ai_f16 *k = xalloc(kv), *v = xalloc(kv);
    if (!k || !v) {
        free(k); free(v);
        snprintf(c->err, sizeof c->err, "out of memory for the embedding's cache of %d tokens", n);
        return -1;
    }
    ai_f16 *kc = c->kc, *vc = c->vc;
    int n_ctx = c->n_ctx;
    c->kc = k; c->vc = v; c->n_ctx = n;
    int rc = ai_embed(c, tok, n, out);
    c->kc = kc; c->vc = vc; c->n_ctx = n_ctx;
    free(k); free(v);
    return rc;
}
