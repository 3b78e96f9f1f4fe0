/* tokenizer_gguf.c — reads the tokenizer.ggml.* keys llama.cpp's converters
 * write and hands them to ai_tokenizer_new. */
#include <stdio.h>
#include <stdlib.h>

#include "ai/gguf.h"
#include "ai/tokenizer_gguf.h"

static int32_t get_id(const ai_gguf *g, const char *key) {
    int64_t v;
    return ai_gguf_get_i64(g, key, &v) && v >= 0 && v <= INT32_MAX ? (int32_t)v : -1;
}

static int get_flag(const ai_gguf *g, const char *key) {
    bool b;
    return ai_gguf_get_bool(g, key, &b) ? b : -1;
}

ai_tokenizer *ai_tokenizer_from_gguf(const ai_gguf *g, char *err, size_t errlen) {
    ai_vocab_desc d = {0};
    ai_tokenizer *t = NULL;
    ai_str *tokens = NULL, *merges = NULL;
    float *scores = NULL;
    int32_t *types = NULL;
    char *model = ai_gguf_dup_str(g, "tokenizer.ggml.model");
    char *pre = ai_gguf_dup_str(g, "tokenizer.ggml.pre");
    const ai_gguf_kv *tk = ai_gguf_get_arr(g, "tokenizer.ggml.tokens", AI_GGUF_STRING);
    if (!model) { snprintf(err, errlen, "GGUF has no tokenizer.ggml.model"); goto out; }
    if (!tk) { snprintf(err, errlen, "GGUF has no tokenizer.ggml.tokens string array"); goto out; }
    if (tk->v.arr.n == 0 || tk->v.arr.n > INT32_MAX) { snprintf(err, errlen, "tokenizer.ggml.tokens has %llu entries", (unsigned long long)tk->v.arr.n); goto out; }
    uint32_t n = (uint32_t)tk->v.arr.n;
    tokens = malloc(n * sizeof *tokens);
    if (!tokens) { snprintf(err, errlen, "out of memory"); goto out; }
    for (uint32_t i = 0; i < n; i++) {
        ai_gguf_str s = ai_gguf_arr_str(tk, i);
        tokens[i] = (ai_str){s.ptr, (size_t)s.len};
    }
    const ai_gguf_kv *sc = ai_gguf_get_arr(g, "tokenizer.ggml.scores", AI_GGUF_TYPE_COUNT);
    if (sc && sc->v.arr.n == n && sc->v.arr.type != AI_GGUF_STRING && (scores = malloc(n * sizeof *scores)))
        for (uint32_t i = 0; i < n; i++) scores[i] = (float)ai_gguf_arr_f64(sc, i);
    const ai_gguf_kv *ty = ai_gguf_get_arr(g, "tokenizer.ggml.token_type", AI_GGUF_TYPE_COUNT);
    if (ty && ty->v.arr.n == n && ty->v.arr.type != AI_GGUF_STRING && ty->v.arr.type != AI_GGUF_F32 &&
        ty->v.arr.type != AI_GGUF_F64 && (types = malloc(n * sizeof *types)))
        for (uint32_t i = 0; i < n; i++) types[i] = (int32_t)ai_gguf_arr_i64(ty, i);
    const ai_gguf_kv *mk = ai_gguf_get_arr(g, "tokenizer.ggml.merges", AI_GGUF_STRING);
    if (mk && mk->v.arr.n > 0 && mk->v.arr.n <= UINT32_MAX) {
        merges = malloc(mk->v.arr.n * sizeof *merges);
        if (!merges) { snprintf(err, errlen, "out of memory"); goto out; }
        for (uint64_t i = 0; i < mk->v.arr.n; i++) {
            ai_gguf_str s = ai_gguf_arr_str(mk, i);
            merges[i] = (ai_str){s.ptr, (size_t)s.len};
        }
        d.n_merges = (uint32_t)mk->v.arr.n;
    }
    d.model = model;
    d.pre = pre;
    d.n_tokens = n;
    d.tokens = tokens;
    d.scores = scores;
    d.types = types;
    d.merges = merges;
    d.bos = get_id(g, "tokenizer.ggml.bos_token_id");
    d.eos = get_id(g, "tokenizer.ggml.eos_token_id");
    d.eot = get_id(g, "tokenizer.ggml.eot_token_id");
    d.unk = get_id(g, "tokenizer.ggml.unknown_token_id");
    d.pad = get_id(g, "tokenizer.ggml.padding_token_id");
    d.add_bos = get_flag(g, "tokenizer.ggml.add_bos_token");
    d.add_eos = get_flag(g, "tokenizer.ggml.add_eos_token");
    d.add_space_prefix = get_flag(g, "tokenizer.ggml.add_space_prefix");
    t = ai_tokenizer_new(&d, err, errlen);
out:
    free(tokens); free(merges); free(scores); free(types); free(model); free(pre);
    return t;
}
