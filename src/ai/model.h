/*
 * model.h — the loaded model (hyperparameters from GGUF metadata, weights
 * pointing into the mapping) shared by model.c (loading) and forward.c.
 */
#ifndef AI_MODEL_H
#define AI_MODEL_H

#include "anywhere/ai.h"
#include "ai/gguf.h"
#include "ai/kernels.h"

typedef struct {
    ai_weight wq, wk, wv, wo, w_gate, w_up, w_down;
    const float *attn_norm, *ffn_norm;   /* n_embd floats (owned copies) */
    const float *bq, *bk, *bv;           /* qwen2 attention biases, else NULL */
} ai_layer;

typedef struct {
    int n_vocab, n_embd, n_layer, n_head, n_head_kv, head_dim, n_ff, n_ctx_train;
    int n_rot;              /* rotated dimensions per head */
    float rms_eps;
    float rope_base;
    float rope_freq_scale;  /* 1/factor for linear scaling */
    bool rope_neox;         /* rotate (i, i+n_rot/2) pairs instead of (2i, 2i+1) */
} ai_hparams;

struct ai_model {
    ai_gguf *g;
    char arch[32];
    char *name;
    ai_hparams hp;
    ai_weight tok_embd, output;          /* output == tok_embd when tied */
    const float *output_norm;
    const float *rope_freqs;             /* per-pair frequency divisors, or NULL */
    ai_layer *layers;
    float **owned;                       /* float copies of small tensors */
    int n_owned;
    size_t owned_bytes;
    int bos, eos, pooling;
    bool add_bos;
    uint64_t n_params;
    uint32_t ftype;                      /* most common matrix type */
};

#endif
