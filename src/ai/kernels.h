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
} ai_weight;

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
/* AVX2 tile kernels: 4 weight rows x 2 activation rows (xb bytes apart);
 * results at s[t * ldo + r]. */
typedef void (*ai_tile42_fn)(int n, float *s, size_t ldo, const void *w, size_t row_bytes, const void *x, size_t xb);
ai_tile42_fn ai_avx2_tile42(uint32_t wtype);

/* Half-precision helpers for the F16 KV cache. */
typedef void (*ai_mad_f16_fn)(int n, float *y, float a, const ai_f16 *x);  /* y += a*x */
typedef void (*ai_to_f16_fn)(int n, ai_f16 *y, const float *x);
ai_mad_f16_fn ai_get_mad_f16(void);
ai_to_f16_fn ai_get_to_f16(void);
ai_mad_f16_fn ai_avx2_mad_f16(void);
ai_to_f16_fn ai_avx2_to_f16(void);

#endif
