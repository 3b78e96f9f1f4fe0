/*
 * quant.h — tensor element types (numbered as ggml numbers them) and their
 * block layouts, conversion to and from float.
 *
 * Block layouts follow the GGUF/ggml format definitions exactly:
 *   Q8_0: 32 weights = f16 d, i8 q[32];                 w = d*q
 *   Q4_0: 32 weights = f16 d, u8 qs[16] (lo nibbles are weights 0..15,
 *         hi nibbles 16..31);                           w = d*(q-8)
 *   Q4_K: 256 weights = f16 d, f16 dmin, u8 scales[12] (8 sub-blocks of 32,
 *         6-bit scale and 6-bit min each), u8 qs[128]; w = d*sc*q - dmin*m
 *   Q6_K: 256 weights = u8 ql[128] (low 4 bits), u8 qh[64] (high 2 bits),
 *         i8 scales[16] (sub-blocks of 16), f16 d;     w = d*sc*(q-32)
 *   Q8_K: 256 values = f32 d, i8 q[256], i16 bsums[16] (activations only)
 */
#ifndef AI_QUANT_H
#define AI_QUANT_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    AI_TYPE_F32 = 0, AI_TYPE_F16 = 1, AI_TYPE_Q4_0 = 2, AI_TYPE_Q8_0 = 8,
    AI_TYPE_Q4_K = 12, AI_TYPE_Q6_K = 14, AI_TYPE_Q8_K = 15, AI_TYPE_BF16 = 30,
} ai_tensor_type;

#define AI_QK 32    /* block size of the _0 formats */
#define AI_QK_K 256 /* super-block size of the K formats */

typedef uint16_t ai_f16;

typedef struct { ai_f16 d; int8_t qs[AI_QK]; } ai_block_q8_0;
typedef struct { ai_f16 d; uint8_t qs[AI_QK / 2]; } ai_block_q4_0;
typedef struct { ai_f16 d, dmin; uint8_t scales[12]; uint8_t qs[AI_QK_K / 2]; } ai_block_q4_k;
typedef struct { uint8_t ql[AI_QK_K / 2]; uint8_t qh[AI_QK_K / 4]; int8_t scales[AI_QK_K / 16]; ai_f16 d; } ai_block_q6_k;
typedef struct { float d; int8_t qs[AI_QK_K]; int16_t bsums[AI_QK_K / 16]; } ai_block_q8_k;

typedef struct {
    const char *name;
    int block;          /* elements per block */
    int block_bytes;    /* bytes per block */
    /* row conversion; n is a multiple of block */
    void (*to_float)(const void *src, float *dst, int64_t n);
    void (*from_float)(const float *src, void *dst, int64_t n);
} ai_type_traits;

/* NULL for types this engine does not support. */
const ai_type_traits *ai_type_traits_of(uint32_t type);
/* Parses "q4_k", "Q8_0", "f16"...; -1 if unknown. */
int ai_type_from_name(const char *name);
size_t ai_row_bytes(uint32_t type, int64_t n);

float ai_f16_to_f32(ai_f16 h);
ai_f16 ai_f32_to_f16(float f);      /* round to nearest even, like F16C */
float ai_bf16_to_f32(uint16_t h);
uint16_t ai_f32_to_bf16(float f);   /* round to nearest even */

/* Activation quantisation for dot products (as llama.cpp does it). */
void ai_quantize_q8_0(const float *x, ai_block_q8_0 *y, int64_t n);
void ai_quantize_q8_k(const float *x, ai_block_q8_k *y, int64_t n);

#endif
