/*
 * synth.h — synthetic GGUF models: random weights, real architecture
 * metadata and a byte-fallback SentencePiece-style vocabulary. Used by
 * `anywhere model synth` and the tests (no weights can be downloaded).
 */
#ifndef AI_SYNTH_H
#define AI_SYNTH_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef struct {
    const char *arch;        /* "llama" (default) or "qwen2" */
    const char *type;        /* f32 f16 bf16 q8_0 q4_0 q4_k q6_k q4_k_m (default f32) */
    int dim, layers, heads, kv_heads, vocab, ff, ctx;
    float rope_base, rms_eps;
    bool tied;               /* omit output.weight */
    uint64_t seed;
    const char *name;
} ai_synth_params;

void ai_synth_defaults(ai_synth_params *p);
/* Writes the model to path. Returns 0, or -1 with a message in err. */
int ai_synth(const ai_synth_params *p, const char *path, char *err, size_t errlen);

#endif
