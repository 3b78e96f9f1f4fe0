/*
 * kernels.h — dot products and matrix products on quantised weights.
 *
 * As in llama.cpp, a weight type is paired with a "vec-dot type" for the
 * activations: Q8_0 and Q4_0 weights multiply Q8_0-quantised activations,
 * Q4_K and Q6_K multiply Q8_K, F16 multiplies F16, BF16 multiplies BF16, F32
 * multiplies F32. Quantising activations once per matmul makes the inner
 * loops integer dot products, and using the same pairing as the reference
 * keeps both engines' results close.
 *
 * Implementations: portable C (kernels.c) and AVX2+FMA+F16C
 * (kernels_avx2.c, compiled with target attributes and chosen at run time).
 */
#ifndef AI_KERNELS_H
#define AI_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ai/threadpool.h"
#include "ai/quant.h"

typedef struct {
    const void *data;
    uint32_t type;
    int cols;           /* row length (ne[0]) */
    int rows;           /* ne[1] */
    size_t row_bytes;
    /* Q4_0, Q4_K, Q8_0 and Q6_K, AVX2 kernels only: rows 0 .. rows/8*8-1 again,
     * repacked eight rows at a time (ai_block_q4_0x8, ai_block_q4_kx8,
     * ai_block_q8_0x8, ai_block_q6_kx8) by
     * ai_weight_repack; the rest of the rows are read from `data`. NULL
     * when not repacked. Owned. */
    void *packed;
} ai_weight;

/* Eight Q4_0 rows' blocks of the same 32 columns, interleaved so one AVX2
 * register holds 4 columns of all 8 rows: byte qs[32*c + 4*r + k] is byte
 * 4*c + k of row r's block (low nibble: column 4c+k, high: 16+4c+k). A
 * multiply-add against 4 activation bytes broadcast to every lane then
 * leaves each row's partial sum in its own 32-bit lane: no horizontal
 * sums, and the 8 row scales convert in one instruction. Same size as the
 * 8 original blocks. */
typedef struct { ai_f16 d[8]; uint8_t qs[128]; } ai_block_q4_0x8;

/* The same for eight Q4_K rows over 256 columns, with the 6-bit scales
 * and mins unpacked at load (per row they cost as much as the products):
 * scales[j][r]: sub-block j of row r; mins[j/2][2r + j%2]; qs[p][c][4r+k]
 * is byte 32p + 4c + k of row r's nibbles (low nibble: sub-block 2p, high:
 * 2p+1). 1184 bytes for 8 x 144. */
typedef struct {
    ai_f16 d[8], dmin[8];
    uint8_t scales[8][8];
    uint8_t mins[4][16];
    uint8_t qs[4][8][32];
} ai_block_q4_kx8;

/* The same for eight Q8_0 rows: qs[32*c + 4*r + k] is byte 4*c + k of row
 * r's block (c < 8). The weights stay signed, so products use the sign
 * trick on each 32-byte load. Same size as the 8 original blocks. */
typedef struct { ai_f16 d[8]; int8_t qs[256]; } ai_block_q8_0x8;

/* Eight Q6_K rows over 256 columns for generation, unpacked at load to
 * one byte per weight (q + 32, 0..63: the bit-plane unpacking cost as
 * much as the products): qs[c][4r+k] is column 4c+k of row r; scales
 * [j][2r] and [j][2r+1] both hold row r's scale of columns 16j..16j+15,
 * so one sign-extension gives it in both 16-bit halves of lane r.
 * 2320 bytes for 8 x 210: speed bought with memory. */
typedef struct {
    ai_f16 d[8];
    int8_t scales[16][16];
    uint8_t qs[64][32];
} ai_block_q6_kx8;

/* Repacks w for the selected kernels when they have a faster layout for
 * its type (Q4_0 under AVX2) and returns true; otherwise, or out of
 * memory, leaves it as it is: both layouts give the same results. Rows
 * 0 .. rows/8*8-1 of `data` are then no longer read by products. */
bool ai_weight_repack(ai_weight *w);
void ai_weight_release(ai_weight *w);
/* Bytes of w->packed (0 when not repacked). */
size_t ai_weight_packed_bytes(const ai_weight *w);

/* s = dot(w row of n elements, activation row x in the vec-dot type) */
typedef void (*ai_vec_dot_fn)(int n, float *s, const void *w, const void *x);

uint32_t ai_vec_dot_type(uint32_t wtype);
/* Converts n floats into the vec-dot type for weights of type wtype. */
void ai_quantize_act(uint32_t wtype, const float *x, void *out, int n);
ai_vec_dot_fn ai_get_vec_dot(uint32_t wtype);
/* Name of the kernel set in use ("avx2" or "scalar"). AI_NO_SIMD=1 in the
 * environment forces the scalar kernels (tests compare the two). */
const char *ai_kernels_name(void);

/* Bytes of scratch ai_matmul needs for n activation rows of `cols` elements. */
size_t ai_matmul_scratch(uint32_t wtype, int cols, int n);
/* out[t*w->rows + r] = W[r] . x[t*w->cols ...] for t < n, rows split over
 * the pool's threads. scratch: ai_matmul_scratch bytes. */
void ai_matmul(ai_pool *pool, const ai_weight *w, const float *x, int n, float *out, void *scratch);
/* Same with activations already converted (ai_quantize_act): lets q, k and
 * v (or gate and up) share one quantisation. */
void ai_matmul_q(ai_pool *pool, const ai_weight *w, const void *xq, int n, float *out);

/* Scalar reference dot products, also used by the tests. */
void ai_vec_dot_scalar(uint32_t wtype, int n, float *s, const void *w, const void *x);

/* AVX2 set (kernels_avx2.c); NULL entries when the type has none. */
ai_vec_dot_fn ai_avx2_vec_dot(uint32_t wtype);
/* AVX2 multi-row kernels: 4 weight rows against one activation row. */
typedef void (*ai_vec_dot4_fn)(int n, float *s, const void *w, size_t row_bytes, const void *x);
ai_vec_dot4_fn ai_avx2_vec_dot4(uint32_t wtype);
/* AVX2 tile kernels for prompts: `rows` weight rows x `toks` activation
 * rows (xb bytes apart); results at s[t * ldo + r]. */
typedef void (*ai_tile_fn)(int n, float *s, size_t ldo, const void *w, size_t row_bytes, const void *x, size_t xb);
typedef struct { ai_tile_fn fn; int rows, toks; } ai_tile;
ai_tile ai_avx2_tile(uint32_t wtype);
/* AVX2 kernels on repacked weights (ai_block_q4_0x8, ai_block_q4_kx8):
 * 8 rows x 1 or 4 tokens, nb blocks. For Q4_0, ysum[t * ys_stride + i] is
 * the sum of token t's block i of activations, which turns the unsigned
 * nibbles into q - 8 (Q4_K ignores it: Q8_K carries its own sums). */
typedef void (*ai_packed_fn)(int nb, float *s, size_t ldo, const void *w, const void *x, size_t xb,
                             const int16_t *ysum, int ys_stride);
ai_packed_fn ai_avx2_packed(uint32_t wtype, int toks);

/* Half-precision helpers for the F16 KV cache. */
typedef void (*ai_mad_f16_fn)(int n, float *y, float a, const ai_f16 *x);  /* y += a*x */
typedef void (*ai_to_f16_fn)(int n, ai_f16 *y, const float *x);
ai_mad_f16_fn ai_get_mad_f16(void);
ai_to_f16_fn ai_get_to_f16(void);
ai_mad_f16_fn ai_avx2_mad_f16(void);
ai_to_f16_fn ai_avx2_to_f16(void);

#endif
