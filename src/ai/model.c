/*
 * model.c — loading a GGUF model: architecture, hyperparameters (only from
 * metadata), tensors with their shapes checked against the hyperparameters.
 */
#include "ai/model.h"
#include "ai/quant.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct {
    ai_model *m;
    char *err;
    size_t errlen;
    bool failed;
} loader;

static void lfail(loader *l, const char *fmt, ...) {
    if (l->failed) return;
    l->failed = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->err, l->errlen, fmt, ap);
    va_end(ap);
}

/* "<arch>.<suffix>" */
static const char *akey(const ai_model *m, const char *suffix) {
    static _Thread_local char buf[160]; /* per-thread scratch so loads on several threads don't collide */
    snprintf(buf, sizeof buf, "%s.%s", m->arch, suffix);
    return buf;
}

static int hp_int(loader *l, const char *suffix, int def, bool required) {
    uint32_t v;
    const char *k = akey(l->m, suffix);
    if (ai_gguf_get_u32(l->m->g, k, &v) && v <= 1u << 30) return (int)v;
    if (ai_gguf_find(l->m->g, k)) lfail(l, "metadata %s has a bad type or value", k);
    else if (required) lfail(l, "missing metadata %s", k);
    return def;
}

static float hp_float(loader *l, const char *suffix, float def) {
    float v;
    return ai_gguf_get_f32(l->m->g, akey(l->m, suffix), &v) ? v : def;
}

static const ai_gguf_tensor *tensor(loader *l, const char *name, bool required) {
    const ai_gguf_tensor *t = ai_gguf_find_tensor(l->m->g, name);
    if (!t && required) lfail(l, "missing tensor %s", name);
    return t;
}

/* A matrix of `rows` rows of `cols` elements (GGUF ne = {cols, rows}). */
static ai_weight matrix(loader *l, const char *name, int cols, int rows, bool required) {
    ai_weight w = {0};
    const ai_gguf_tensor *t = tensor(l, name, required);
    if (!t || l->failed) return w;
    if (t->ne[0] != (uint64_t)cols || t->ne[1] != (uint64_t)rows || t->ne[2] != 1 || t->ne[3] != 1) {
        lfail(l, "tensor %s has shape [%llu, %llu], expected [%d, %d]", name,
              (unsigned long long)t->ne[0], (unsigned long long)t->ne[1], cols, rows);
        return w;
    }
    if (!ai_get_vec_dot(t->type)) { lfail(l, "tensor %s: type %u cannot be multiplied", name, t->type); return w; }
    w.data = t->data;
    w.type = t->type;
    w.cols = cols;
    w.rows = rows;
    w.row_bytes = ai_row_bytes(t->type, cols);
    l->m->n_params += (uint64_t)cols * rows;
    return w;
}

/* A vector of n elements converted to owned floats (norms, biases). */
static const float *vector(loader *l, const char *name, int n, bool required) {
    const ai_gguf_tensor *t = tensor(l, name, required);
    if (!t || l->failed) return NULL;
    if (t->ne[0] != (uint64_t)n || t->ne[1] != 1 || t->ne[2] != 1 || t->ne[3] != 1) {
        lfail(l, "tensor %s has %llu elements, expected %d", name, (unsigned long long)t->ne[0], n);
        return NULL;
    }
    float *f = malloc(sizeof(float) * n);
    ai_type_traits_of(t->type)->to_float(t->data, f, n);
    ai_model *m = l->m;
    m->owned = realloc(m->owned, sizeof(float *) * (m->n_owned + 1));
    m->owned[m->n_owned++] = f;
    m->owned_bytes += sizeof(float) * n;
    m->n_params += n;
    return f;
}

static void load_hparams(loader *l) {
    ai_model *m = l->m;
    ai_hparams *hp = &m->hp;
    hp->n_embd = hp_int(l, "embedding_length", 0, true);
    hp->n_layer = hp_int(l, "block_count", 0, true);
    hp->n_ff = hp_int(l, "feed_forward_length", 0, true);
    hp->n_head = hp_int(l, "attention.head_count", 0, true);
    hp->n_head_kv = hp_int(l, "attention.head_count_kv", hp->n_head, false);
    hp->n_ctx_train = hp_int(l, "context_length", 2048, false);
    if (l->failed) return;
    if (hp->n_embd <= 0 || hp->n_layer <= 0 || hp->n_ff <= 0 || hp->n_head <= 0 || hp->n_head_kv <= 0 ||
        hp->n_head % hp->n_head_kv != 0 || hp->n_embd % hp->n_head != 0) {
        lfail(l, "inconsistent hyperparameters: embedding_length %d, head_count %d, head_count_kv %d, block_count %d, feed_forward_length %d",
              hp->n_embd, hp->n_head, hp->n_head_kv, hp->n_layer, hp->n_ff);
        return;
    }
    hp->head_dim = hp_int(l, "attention.key_length", hp->n_embd / hp->n_head, false);
    int vlen = hp_int(l, "attention.value_length", hp->head_dim, false);
    if (vlen != hp->head_dim || hp->head_dim <= 0 || hp->head_dim % 2) {
        lfail(l, "unsupported head sizes: key_length %d, value_length %d", hp->head_dim, vlen);
        return;
    }
    hp->n_rot = hp_int(l, "rope.dimension_count", hp->head_dim, false);
    if (hp->n_rot > hp->head_dim || hp->n_rot % 2) { lfail(l, "rope.dimension_count %d does not fit head size %d", hp->n_rot, hp->head_dim); return; }
    hp->rms_eps = hp_float(l, "attention.layer_norm_rms_epsilon", 1e-5f);
    hp->rope_base = hp_float(l, "rope.freq_base", 10000.f);
    hp->rope_freq_scale = 1.f;
    ai_gguf_str st;
    const char *stype = akey(m, "rope.scaling.type");
    if (ai_gguf_get_str(m->g, stype, &st) && !(st.len == 4 && !memcmp(st.ptr, "none", 4))) {
        if (st.len == 6 && !memcmp(st.ptr, "linear", 6)) {
            float f = hp_float(l, "rope.scaling.factor", 1.f);
            if (f > 0) hp->rope_freq_scale = 1.f / f;
        } else {
            lfail(l, "unsupported rope scaling type '%.*s' (none and linear are)", (int)st.len, st.ptr);
            return;
        }
    } else {
        float f = hp_float(l, "rope.scale_linear", 1.f);
        if (f > 0) hp->rope_freq_scale = 1.f / f;
    }
    hp->rope_neox = strcmp(m->arch, "qwen2") == 0;
}

static void load_tokens_meta(ai_model *m) {
    uint32_t v;
    m->bos = ai_gguf_get_u32(m->g, "tokenizer.ggml.bos_token_id", &v) ? (int)v : -1;
    m->eos = ai_gguf_get_u32(m->g, "tokenizer.ggml.eos_token_id", &v) ? (int)v : -1;
    bool b;
    m->add_bos = ai_gguf_get_bool(m->g, "tokenizer.ggml.add_bos_token", &b) ? b : strcmp(m->arch, "llama") == 0;
    char key[64];
    snprintf(key, sizeof key, "%s.pooling_type", m->arch);
    m->pooling = ai_gguf_get_u32(m->g, key, &v) && v >= 1 && v <= 3 ? (int)v : AI_POOL_MEAN;
}

static void load_tensors(loader *l) {
    ai_model *m = l->m;
    ai_hparams *hp = &m->hp;
    const ai_gguf_tensor *te = tensor(l, "token_embd.weight", true);
    if (l->failed) return;
    hp->n_vocab = (int)te->ne[1];
    if (te->ne[1] > 1u << 24) { lfail(l, "token_embd.weight: vocabulary of %llu is too large", (unsigned long long)te->ne[1]); return; }
    m->tok_embd = matrix(l, "token_embd.weight", hp->n_embd, hp->n_vocab, true);
    m->output_norm = vector(l, "output_norm.weight", hp->n_embd, true);
    m->output = matrix(l, "output.weight", hp->n_embd, hp->n_vocab, false);
    if (!m->output.data) m->output = m->tok_embd; /* tied embeddings */
    m->rope_freqs = vector(l, "rope_freqs.weight", hp->n_rot / 2, false);
    int q = hp->n_head * hp->head_dim, kv = hp->n_head_kv * hp->head_dim;
    bool bias = strcmp(m->arch, "qwen2") == 0;
    m->layers = calloc(hp->n_layer, sizeof *m->layers);
    char name[96];
#define T(fmt) (snprintf(name, sizeof name, "blk.%d." fmt, i), name)
    for (int i = 0; i < hp->n_layer && !l->failed; i++) {
        ai_layer *L = &m->layers[i];
        L->attn_norm = vector(l, T("attn_norm.weight"), hp->n_embd, true);
        L->wq = matrix(l, T("attn_q.weight"), hp->n_embd, q, true);
        L->wk = matrix(l, T("attn_k.weight"), hp->n_embd, kv, true);
        L->wv = matrix(l, T("attn_v.weight"), hp->n_embd, kv, true);
        L->wo = matrix(l, T("attn_output.weight"), q, hp->n_embd, true);
        if (bias) {
            L->bq = vector(l, T("attn_q.bias"), q, true);
            L->bk = vector(l, T("attn_k.bias"), kv, true);
            L->bv = vector(l, T("attn_v.bias"), kv, true);
        }
        L->ffn_norm = vector(l, T("ffn_norm.weight"), hp->n_embd, true);
        L->w_gate = matrix(l, T("ffn_gate.weight"), hp->n_embd, hp->n_ff, true);
        L->w_up = matrix(l, T("ffn_up.weight"), hp->n_embd, hp->n_ff, true);
        L->w_down = matrix(l, T("ffn_down.weight"), hp->n_ff, hp->n_embd, true);
    }
#undef T
}

static ai_weight *layer_weight(ai_layer *L, int k) {
    ai_weight *ws[] = {&L->wq, &L->wk, &L->wv, &L->wo, &L->w_gate, &L->w_up, &L->w_down};
    return ws[k];
}

/* Repacks a matrix for the kernels in use (see ai_weight_repack). The
 * mapped rows it copied are then not read again, except by embedding
 * lookups when the output matrix is tied to the embeddings, which fault
 * them back in from the file: drop them so the model is not resident
 * twice. */
static void repack(ai_weight *w) {
    if (!ai_weight_repack(w)) return;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), p = (uintptr_t)w->data;
    uintptr_t a = (p + page - 1) & ~(page - 1), e = (p + (size_t)(w->rows / 8 * 8) * w->row_bytes) & ~(page - 1);
    if (e > a) madvise((void *)a, e - a, MADV_DONTNEED);
}

static uint32_t dominant_type(const ai_model *m) {
    uint64_t count[64] = {0};
    for (int i = 0; i < m->hp.n_layer; i++) {
        const ai_layer *L = &m->layers[i];
        const ai_weight *ws[] = {&L->wq, &L->wk, &L->wv, &L->wo, &L->w_gate, &L->w_up, &L->w_down};
        for (int k = 0; k < 7; k++) if (ws[k]->type < 64) count[ws[k]->type] += (uint64_t)ws[k]->cols * ws[k]->rows;
    }
    uint32_t best = 0;
    for (uint32_t t = 1; t < 64; t++) if (count[t] > count[best]) best = t;
    return best;
}

ai_model *ai_model_load(const char *path, char *err, size_t errlen) {
    ai_gguf *g = ai_gguf_open(path, err, errlen);
    if (!g) return NULL;
    ai_model *m = calloc(1, sizeof *m);
    m->g = g;
    loader l = {.m = m, .err = err, .errlen = errlen};
    ai_gguf_str arch;
    if (!ai_gguf_get_str(g, "general.architecture", &arch)) {
        lfail(&l, "%s: missing metadata general.architecture", path);
    } else if (!((arch.len == 5 && !memcmp(arch.ptr, "llama", 5)) || (arch.len == 5 && !memcmp(arch.ptr, "qwen2", 5)))) {
        lfail(&l, "%s: unsupported architecture '%.*s' (llama and qwen2 are supported)", path,
              (int)(arch.len > 40 ? 40 : arch.len), arch.ptr);
    } else {
        memcpy(m->arch, arch.ptr, arch.len);
        m->name = ai_gguf_dup_str(g, "general.name");
        load_hparams(&l);
        if (!l.failed) load_tensors(&l);
        if (!l.failed) load_tokens_meta(m);
        if (l.failed && strncmp(err, path, strlen(path)) != 0) {
            /* prefix the file name to messages from the loaders */
            char tmp[512];
            snprintf(tmp, sizeof tmp, "%s: %s", path, err);
            snprintf(err, errlen, "%s", tmp);
        }
    }
    if (l.failed) { ai_model_free(m); return NULL; }
    m->ftype = dominant_type(m);
    /* matrices only (the embedding table is read row by row, unpacked) */
    for (int i = 0; i < m->hp.n_layer; i++)
        for (int k = 0; k < 7; k++) repack(layer_weight(&m->layers[i], k));
    repack(&m->output);
    return m;
}

void ai_model_free(ai_model *m) {
    if (!m) return;
    for (int i = 0; m->layers && i < m->hp.n_layer; i++)
        for (int k = 0; k < 7; k++) ai_weight_release(layer_weight(&m->layers[i], k));
    ai_weight_release(&m->output);
    for (int i = 0; i < m->n_owned; i++) free(m->owned[i]);
    free(m->owned);
    free(m->layers);
    free(m->name);
    ai_gguf_close(m->g);
    free(m);
}

const struct ai_gguf *ai_model_gguf(const ai_model *m) { return m->g; }

size_t ai_model_memory(const ai_model *m) {
    size_t n = ai_weight_packed_bytes(&m->output);
    for (int i = 0; i < m->hp.n_layer; i++)
        for (int k = 0; k < 7; k++) n += ai_weight_packed_bytes(layer_weight(&m->layers[i], k));
    return n + m->owned_bytes;
}
int ai_model_n_vocab(const ai_model *m) { return m->hp.n_vocab; }
int ai_model_n_embd(const ai_model *m) { return m->hp.n_embd; }

void ai_model_get_info(const ai_model *m, ai_model_info *o) {
    memset(o, 0, sizeof *o);
    o->arch = m->arch;
    o->name = m->name ? m->name : "";
    o->n_vocab = m->hp.n_vocab;
    o->n_ctx_train = m->hp.n_ctx_train;
    o->n_embd = m->hp.n_embd;
    o->n_layer = m->hp.n_layer;
    o->n_head = m->hp.n_head;
    o->n_head_kv = m->hp.n_head_kv;
    o->n_ff = m->hp.n_ff;
    o->n_params = m->n_params;
    o->file_size = ai_gguf_file_size(m->g);
    const ai_type_traits *t = ai_type_traits_of(m->ftype);
    o->ftype = t ? t->name : "?";
    o->bos = m->bos;
    o->eos = m->eos;
    o->add_bos = m->add_bos;
    o->pooling = m->pooling;
}
