/*
 * anywhere/ai.h — Anywhere's inference engine: GGUF models on the CPU.
 *
 * Standalone library (src/ai): load a GGUF model, create a context (KV cache
 * + scratch), feed tokens with ai_eval, sample with an ai_sampler, or embed.
 *
 *   char err[256];
 *   ai_model *m = ai_model_load("model.gguf", err, sizeof err);
 *   ai_context *c = ai_context_new(m, &(ai_context_params){.n_ctx = 2048}, err, sizeof err);
 *   float *logits = malloc(sizeof(float) * ai_model_n_vocab(m));
 *   ai_eval(c, prompt, n_prompt, 0, logits);          // batched prompt
 *   int32_t t = ai_sampler_sample(s, logits); ai_sampler_accept(s, t);
 *   ai_eval(c, &t, 1, n_prompt, logits);              // one token at a time
 *
 * Thread safety: a model is read-only after load and may be shared by several
 * contexts; a context and a sampler belong to one thread at a time.
 * Tokenization lives in the tokenizer module (it reads the metadata through
 * ai_model_gguf()).
 */
#ifndef ANYWHERE_AI_H
#define ANYWHERE_AI_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ai_model ai_model;
typedef struct ai_context ai_context;
typedef struct ai_sampler ai_sampler;
struct ai_gguf; /* src/ai/gguf.h */

/* ---- models ---- */

/* Loads (memory-maps) a GGUF model. NULL with a message in err on failure
 * (unknown architecture, missing tensor, bad shape, truncated file...). */
ai_model *ai_model_load(const char *path, char *err, size_t errlen);
void ai_model_free(ai_model *m);

/* The parsed GGUF file (metadata for the tokenizer and chat templates). */
const struct ai_gguf *ai_model_gguf(const ai_model *m);

typedef struct {
    const char *arch;     /* "llama", "qwen2", ... (owned by the model) */
    const char *name;     /* general.name or "" */
    int n_vocab;
    int n_ctx_train;      /* <arch>.context_length */
    int n_embd;           /* embedding / hidden size */
    int n_layer;
    int n_head, n_head_kv;
    int n_ff;
    uint64_t n_params;    /* number of weights */
    uint64_t file_size;
    const char *ftype;    /* dominant tensor type name, e.g. "Q4_K" */
    int bos, eos;         /* -1 when absent */
    bool add_bos;         /* tokenizer.ggml.add_bos_token (default true for llama) */
    int pooling;          /* ai_pooling for embeddings */
} ai_model_info;

typedef enum { AI_POOL_MEAN = 1, AI_POOL_CLS = 2, AI_POOL_LAST = 3 } ai_pooling;

void ai_model_get_info(const ai_model *m, ai_model_info *out);
int ai_model_n_vocab(const ai_model *m);
int ai_model_n_embd(const ai_model *m);

/* ---- contexts ---- */

typedef struct {
    int n_ctx;       /* KV cache length in tokens; 0 = min(n_ctx_train, 4096) */
    int n_threads;   /* 0 = number of online CPUs */
    int n_batch;     /* tokens per forward chunk in ai_eval; 0 = 512 */
} ai_context_params;

ai_context *ai_context_new(ai_model *m, const ai_context_params *p, char *err, size_t errlen);
void ai_context_free(ai_context *c);
int ai_context_n_ctx(const ai_context *c);
void ai_context_set_threads(ai_context *c, int n_threads);

/* Runs tokens[0..n) at positions pos..pos+n-1 through the model, appending
 * them to the KV cache (entries at positions >= pos are overwritten, so
 * re-evaluating from an earlier pos rewinds). Writes the logits of the last
 * token (n_vocab floats) to logits_out when it is non-NULL.
 * Returns 0, or -1 when pos+n exceeds n_ctx or a token id is out of range
 * (message in ai_context_error). */
int ai_eval(ai_context *c, const int32_t *tokens, int n, int pos, float *logits_out);
/* Same, writing logits for every token: logits_out has n * n_vocab floats. */
int ai_eval_all(ai_context *c, const int32_t *tokens, int n, int pos, float *logits_out);
const char *ai_context_error(const ai_context *c);

/* Abort hook: ai_eval, ai_eval_all and the embedding calls ask fn(ud)
 * before every layer of every batch and stop when it returns true, with
 * AI_ABORTED (message "evaluation aborted"). The KV cache then holds a
 * partial evaluation: re-evaluate from pos before relying on it. fn runs
 * on the calling thread; NULL removes the hook. */
#define AI_ABORTED (-2)
typedef bool (*ai_abort_fn)(void *ud);
void ai_context_set_abort(ai_context *c, ai_abort_fn fn, void *ud);

/* Bytes the context allocated: KV cache plus activation scratch (the
 * model's weights are counted by the model). */
size_t ai_context_memory(const ai_context *c);
/* Bytes the model holds beyond its file mapping (repacked weights, float
 * copies of small tensors). */
size_t ai_model_memory(const ai_model *m);

/* Embedding of a token sequence (evaluated from position 0, cache reset):
 * pooled as the model's metadata says (mean by default, last token for
 * decoder LLMs configured that way), L2-normalised. out has n_embd floats. */
int ai_embed(ai_context *c, const int32_t *tokens, int n, float *out);
/* Same, through a temporary KV cache of n tokens: the context's cache
 * (a conversation being generated) is left as it was. */
int ai_embed_keep_cache(ai_context *c, const int32_t *tokens, int n, float *out);

/* ---- sampling ---- */

typedef struct {
    float temperature;        /* <= 0: greedy (argmax) */
    int top_k;                /* <= 0: off */
    float top_p;              /* >= 1: off */
    float min_p;              /* <= 0: off */
    float repeat_penalty;     /* 1: off (llama.cpp semantics: divide positive logits) */
    float presence_penalty;   /* 0: off */
    float frequency_penalty;  /* 0: off */
    int repeat_last_n;        /* window for penalties; 0: off, -1: n_ctx */
    uint64_t seed;
} ai_sampler_params;

/* Ollama's defaults: temperature 0.8, top_k 40, top_p 0.9, min_p 0,
 * repeat_penalty 1.1, repeat_last_n 64, seed from the clock. */
void ai_sampler_params_default(ai_sampler_params *p);
ai_sampler *ai_sampler_new(const ai_sampler_params *p, int n_vocab);
void ai_sampler_free(ai_sampler *s);
/* Picks a token from logits (n_vocab floats; modified in place). When
 * every logit is -inf or NaN (all masked) it returns the first index whose
 * logit is not NaN, or 0: never a NaN-driven draw. */
int32_t ai_sampler_sample(ai_sampler *s, float *logits);
/* Records a token (prompt or generated) in the penalty window. */
void ai_sampler_accept(ai_sampler *s, int32_t token);
void ai_sampler_reset(ai_sampler *s);

/* log-softmax of logits into out (both n floats); helper for tests/clients. */
void ai_log_softmax(const float *logits, int n, float *out);

#ifdef __cplusplus
}
#endif
#endif
