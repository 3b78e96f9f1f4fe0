/*
 * synth.c — see synth.h.
 *
 * Weights are uniform in ±sqrt(3/fan_in) (unit variance through each
 * matrix), so activations neither vanish nor explode and next-token
 * distributions are far from flat: a useful signal for parity tests.
 */
#include "ai/synth.h"
#include "ai/gguf.h"
#include "ai/quant.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ai_synth_defaults(ai_synth_params *p) {
    *p = (ai_synth_params){.arch = "llama", .type = "f32", .dim = 256, .layers = 2, .heads = 4, .kv_heads = 2,
                           .vocab = 512, .ff = 0, .ctx = 2048, .rope_base = 10000.f, .rms_eps = 1e-5f, .seed = 1,
                           .name = "anywhere-synth"};
}

static uint64_t next(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static float uniform(uint64_t *s) { return (float)((next(s) >> 40) * 0x1p-24) * 2.f - 1.f; }

/* The vocabulary: <unk> <s> </s>, the 256 byte tokens, then pieces made
 * of letters with and without the SentencePiece word marker "▁". */
static char **make_vocab(int n, float **scores, int32_t **types) {
    char **v = calloc(n, sizeof *v);
    *scores = calloc(n, sizeof **scores);
    *types = calloc(n, sizeof **types);
    const char *special[] = {"<unk>", "<s>", "</s>"};
    int k = 0;
    for (; k < 3; k++) { v[k] = strdup(special[k]); (*types)[k] = k == 0 ? 2 : 3; }
    for (int b = 0; b < 256 && k < n; b++, k++) {
        char buf[8];
        snprintf(buf, sizeof buf, "<0x%02X>", b);
        v[k] = strdup(buf);
        (*types)[k] = 6;
    }
    static const char letters[] = "etaoinshrdlucmfwypvbgkjqxz";
    const char *marker = "\xe2\x96\x81"; /* U+2581 */
    /* single letters, then marker+letters, then 2- and 3-letter strings */
    for (int len = 1; len <= 4 && k < n; len++) {
        int combos = 1;
        for (int i = 0; i < len; i++) combos *= 26;
        for (int withm = 0; withm < 2 && k < n; withm++)
            for (int c = 0; c < combos && k < n; c++) {
                char buf[16] = "";
                if (withm) strcat(buf, marker);
                int x = c;
                size_t at = strlen(buf);
                for (int i = 0; i < len; i++) { buf[at++] = letters[x % 26]; x /= 26; }
                buf[at] = 0;
                v[k] = strdup(buf);
                (*types)[k] = 1;
                (*scores)[k] = -(float)k;
                k++;
            }
        if (len == 1 && k < n) { v[k] = strdup(marker); (*types)[k] = 1; (*scores)[k] = -(float)k; k++; }
    }
    for (; k < n; k++) { /* only for absurdly large vocabularies */
        char buf[24];
        snprintf(buf, sizeof buf, "<extra_%d>", k);
        v[k] = strdup(buf);
        (*types)[k] = 5;
    }
    return v;
}

typedef struct {
    ai_gguf_writer *w;
    uint64_t rng;
    char *err;
    size_t errlen;
} synth;

static void add_matrix(synth *s, const char *name, int cols, int rows, uint32_t type, float scale) {
    size_t n = (size_t)cols * rows;
    float *f = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) f[i] = uniform(&s->rng) * scale;
    size_t nb = ai_row_bytes(type, cols) * rows;
    void *q = malloc(nb);
    const ai_type_traits *t = ai_type_traits_of(type);
    for (int r = 0; r < rows; r++) t->from_float(f + (size_t)r * cols, (uint8_t *)q + ai_row_bytes(type, cols) * r, cols);
    uint64_t ne[2] = {(uint64_t)cols, (uint64_t)rows};
    ai_gguf_w_tensor(s->w, name, type, 2, ne, q, nb);
    free(f);
    free(q);
}

static void add_vector(synth *s, const char *name, int n, float base, float spread) {
    float *f = malloc(n * sizeof(float));
    for (int i = 0; i < n; i++) f[i] = base + spread * uniform(&s->rng);
    uint64_t ne[1] = {(uint64_t)n};
    ai_gguf_w_tensor(s->w, name, AI_TYPE_F32, 1, ne, f, n * sizeof(float));
    free(f);
}

/* llama.cpp's general.file_type numbering */
static int file_type(const char *t) {
    static const struct { const char *n; int v; } ft[] = {
        {"f32", 0}, {"f16", 1}, {"q4_0", 2}, {"q8_0", 7}, {"q4_k", 15}, {"q4_k_m", 15}, {"q6_k", 18}, {"bf16", 32}};
    for (size_t i = 0; i < sizeof ft / sizeof ft[0]; i++) if (!strcasecmp(ft[i].n, t)) return ft[i].v;
    return 0;
}

int ai_synth(const ai_synth_params *p, const char *path, char *err, size_t errlen) {
    bool mixed = !strcasecmp(p->type, "q4_k_m");
    int type = mixed ? AI_TYPE_Q4_K : ai_type_from_name(p->type);
    if (type < 0 || type == AI_TYPE_Q8_K) { snprintf(err, errlen, "unknown tensor type '%s' (f32 f16 bf16 q8_0 q4_0 q4_k q6_k q4_k_m)", p->type); return -1; }
    bool qwen = !strcmp(p->arch, "qwen2");
    if (!qwen && strcmp(p->arch, "llama") != 0) { snprintf(err, errlen, "unknown architecture '%s' (llama, qwen2)", p->arch); return -1; }
    int ff = p->ff > 0 ? p->ff : (p->dim * 8 / 3 + 255) / 256 * 256;
    int blk = ai_type_traits_of(type)->block;
    if (mixed) blk = AI_QK_K;
    if (p->dim <= 0 || p->layers <= 0 || p->heads <= 0 || p->kv_heads <= 0 || p->heads % p->kv_heads || p->dim % p->heads ||
        (p->dim / p->heads) % 2) {
        snprintf(err, errlen, "bad shape: dim %d must split into %d heads of even size, heads %d into kv-heads %d", p->dim, p->heads, p->heads, p->kv_heads);
        return -1;
    }
    if (p->dim % blk || ff % blk) {
        snprintf(err, errlen, "%s needs --dim (%d) and the feed-forward size (%d) to be multiples of %d", p->type, p->dim, ff, blk);
        return -1;
    }
    if (p->vocab < 259 + 27) { snprintf(err, errlen, "--vocab must be at least 286 (specials, 256 bytes, letters)"); return -1; }
    synth s = {.w = ai_gguf_writer_new(), .rng = p->seed, .err = err, .errlen = errlen};
    ai_gguf_writer *w = s.w;
    char key[128];
#define K(suffix) (snprintf(key, sizeof key, "%s." suffix, p->arch), key)
    ai_gguf_w_str(w, "general.architecture", p->arch);
    ai_gguf_w_str(w, "general.name", p->name ? p->name : "anywhere-synth");
    ai_gguf_w_u32(w, "general.file_type", (uint32_t)file_type(p->type));
    ai_gguf_w_u32(w, "general.quantization_version", 2);
    ai_gguf_w_u32(w, K("context_length"), (uint32_t)p->ctx);
    ai_gguf_w_u32(w, K("embedding_length"), (uint32_t)p->dim);
    ai_gguf_w_u32(w, K("block_count"), (uint32_t)p->layers);
    ai_gguf_w_u32(w, K("feed_forward_length"), (uint32_t)ff);
    ai_gguf_w_u32(w, K("attention.head_count"), (uint32_t)p->heads);
    ai_gguf_w_u32(w, K("attention.head_count_kv"), (uint32_t)p->kv_heads);
    ai_gguf_w_u32(w, K("rope.dimension_count"), (uint32_t)(p->dim / p->heads));
    ai_gguf_w_f32(w, K("rope.freq_base"), p->rope_base);
    ai_gguf_w_f32(w, K("attention.layer_norm_rms_epsilon"), p->rms_eps);
    ai_gguf_w_u32(w, K("vocab_size"), (uint32_t)p->vocab);
#undef K
    float *scores;
    int32_t *types;
    char **vocab = make_vocab(p->vocab, &scores, &types);
    ai_gguf_w_str(w, "tokenizer.ggml.model", "llama");
    ai_gguf_w_arr_str(w, "tokenizer.ggml.tokens", (const char *const *)vocab, p->vocab);
    ai_gguf_w_arr_f32(w, "tokenizer.ggml.scores", scores, p->vocab);
    ai_gguf_w_arr_i32(w, "tokenizer.ggml.token_type", types, p->vocab);
    ai_gguf_w_u32(w, "tokenizer.ggml.unknown_token_id", 0);
    ai_gguf_w_u32(w, "tokenizer.ggml.bos_token_id", 1);
    ai_gguf_w_u32(w, "tokenizer.ggml.eos_token_id", 2);
    ai_gguf_w_bool(w, "tokenizer.ggml.add_bos_token", true);
    ai_gguf_w_bool(w, "tokenizer.ggml.add_eos_token", false);
    for (int i = 0; i < p->vocab; i++) free(vocab[i]);
    free(vocab); free(scores); free(types);

    int hd = p->dim / p->heads, kvd = p->kv_heads * hd;
    uint32_t t_hi = mixed ? AI_TYPE_Q6_K : (uint32_t)type; /* Q4_K_M keeps a few tensors in Q6_K */
    float sd = sqrtf(3.f / p->dim), sf = sqrtf(3.f / ff);
    add_matrix(&s, "token_embd.weight", p->dim, p->vocab, type, p->tied ? 3.f : 1.f);
    add_vector(&s, "output_norm.weight", p->dim, 1.f, 0.1f);
    /* 3x the unit scale: logits with a spread of a few nats, so next-token
     * distributions are peaked like a trained model's, not flat */
    if (!p->tied) add_matrix(&s, "output.weight", p->dim, p->vocab, t_hi, 3 * sd);
    char name[96];
    for (int l = 0; l < p->layers; l++) {
#define N(x) (snprintf(name, sizeof name, "blk.%d." x, l), name)
        add_vector(&s, N("attn_norm.weight"), p->dim, 1.f, 0.1f);
        add_matrix(&s, N("attn_q.weight"), p->dim, p->dim, type, sd);
        add_matrix(&s, N("attn_k.weight"), p->dim, kvd, type, sd);
        add_matrix(&s, N("attn_v.weight"), p->dim, kvd, t_hi, sd);
        if (qwen) {
            add_vector(&s, N("attn_q.bias"), p->dim, 0.f, 0.2f);
            add_vector(&s, N("attn_k.bias"), kvd, 0.f, 0.2f);
            add_vector(&s, N("attn_v.bias"), kvd, 0.f, 0.2f);
        }
        add_matrix(&s, N("attn_output.weight"), p->dim, p->dim, type, sd);
        add_vector(&s, N("ffn_norm.weight"), p->dim, 1.f, 0.1f);
        add_matrix(&s, N("ffn_gate.weight"), p->dim, ff, type, sd);
        add_matrix(&s, N("ffn_up.weight"), p->dim, ff, type, sd);
        add_matrix(&s, N("ffn_down.weight"), ff, p->dim, t_hi, sf);
#undef N
    }
    int rc = ai_gguf_writer_save(w, path, err, errlen);
    ai_gguf_writer_free(w);
    return rc;
}
