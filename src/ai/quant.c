/*
 * quant.c — element types: half-precision conversions, dequantisation
 * (bit-exact with the ggml block definitions, see quant.h) and quantisation
 * (for the GGUF writer and for activations).
 */
#include "ai/quant.h"

#include <math.h>
#include <string.h>

/* fmaxf and fminf (a NaN operand yields the other), inline: libm is not
 * linked (ai/libm.h), and lrintf, which rounds to nearest even like
 * nearbyintf, compiles to one instruction with -fno-math-errno. */
static inline float max_f(float a, float b) { return a != a ? b : b > a ? b : a; }
static inline float min_f(float a, float b) { return a != a ? b : b < a ? b : a; }

static uint32_t f2u(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static float u2f(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

float ai_f16_to_f32(ai_f16 h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
    if (exp == 0x1f) return u2f(sign | 0x7f800000 | (man << 13));          /* inf/nan */
    if (exp == 0) {                                                         /* zero/subnormal */
        float v = (float)man * 0x1p-24f;
        return sign ? -v : v;
    }
    return u2f(sign | ((exp + 112) << 23) | (man << 13));
}

ai_f16 ai_f32_to_f16(float f) {
    uint32_t u = f2u(f), sign = (u >> 16) & 0x8000;
    uint32_t a = u & 0x7fffffff;
    if (a >= 0x7f800000) return (ai_f16)(sign | 0x7c00 | (a > 0x7f800000 ? 0x200 : 0));
    if (a >= 0x477ff000) return (ai_f16)(sign | 0x7c00);                   /* rounds to inf */
    if (a < 0x38800000) {                                                   /* subnormal half */
        /* value / 2^-24 rounded to nearest even integer */
        float v = u2f(a) * 0x1p24f;
        return (ai_f16)(sign | (uint32_t)lrintf(v));
    }
    uint32_t r = a + 0xfff + ((a >> 13) & 1);                               /* round to nearest even */
    return (ai_f16)(sign | ((r - 0x38000000) >> 13));
}

float ai_bf16_to_f32(uint16_t h) { return u2f((uint32_t)h << 16); }

uint16_t ai_f32_to_bf16(float f) {
    uint32_t u = f2u(f);
    if ((u & 0x7fffffff) > 0x7f800000) return (uint16_t)((u >> 16) | 64); /* quiet nan */
    return (uint16_t)((u + 0x7fff + ((u >> 16) & 1)) >> 16);
}

/* ---- to float ---- */

static void f32_to_float(const void *src, float *dst, int64_t n) { memcpy(dst, src, n * sizeof(float)); }
static void f16_to_float(const void *src, float *dst, int64_t n) {
    const ai_f16 *s = src;
    for (int64_t i = 0; i < n; i++) dst[i] = ai_f16_to_f32(s[i]);
}
static void bf16_to_float(const void *src, float *dst, int64_t n) {
    const uint16_t *s = src;
    for (int64_t i = 0; i < n; i++) dst[i] = ai_bf16_to_f32(s[i]);
}

static void q8_0_to_float(const void *src, float *dst, int64_t n) {
    const ai_block_q8_0 *b = src;
    for (int64_t i = 0; i < n / AI_QK; i++, b++) {
        float d = ai_f16_to_f32(b->d);
        for (int j = 0; j < AI_QK; j++) *dst++ = d * b->qs[j];
    }
}

static void q4_0_to_float(const void *src, float *dst, int64_t n) {
    const ai_block_q4_0 *b = src;
    for (int64_t i = 0; i < n / AI_QK; i++, b++, dst += AI_QK) {
        float d = ai_f16_to_f32(b->d);
        for (int j = 0; j < AI_QK / 2; j++) {
            dst[j] = ((b->qs[j] & 0xf) - 8) * d;
            dst[j + AI_QK / 2] = ((b->qs[j] >> 4) - 8) * d;
        }
    }
}

/* The 12 scale bytes of Q4_K pack eight 6-bit scales and eight 6-bit mins:
 * sub-blocks 0..3 in the low 6 bits of bytes 0..3 (scales) and 4..7 (mins),
 * sub-blocks 4..7 in the nibbles of bytes 8..11 plus the top 2 bits of 0..7. */
static void q4_k_scale_min(int j, const uint8_t *q, uint8_t *sc, uint8_t *m) {
    if (j < 4) {
        *sc = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *sc = (q[j + 4] & 0xf) | ((q[j - 4] >> 6) << 4);
        *m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

static void q4_k_to_float(const void *src, float *dst, int64_t n) {
    const ai_block_q4_k *b = src;
    for (int64_t i = 0; i < n / AI_QK_K; i++, b++) {
        float d = ai_f16_to_f32(b->d), dmin = ai_f16_to_f32(b->dmin);
        const uint8_t *q = b->qs;
        for (int j = 0; j < AI_QK_K; j += 64, q += 32) {
            uint8_t sc, m;
            q4_k_scale_min(j / 32, b->scales, &sc, &m);
            float d1 = d * sc, m1 = dmin * m;
            q4_k_scale_min(j / 32 + 1, b->scales, &sc, &m);
            float d2 = d * sc, m2 = dmin * m;
            for (int l = 0; l < 32; l++) *dst++ = d1 * (q[l] & 0xf) - m1;
            for (int l = 0; l < 32; l++) *dst++ = d2 * (q[l] >> 4) - m2;
        }
    }
}

static void q6_k_to_float(const void *src, float *dst, int64_t n) {
    const ai_block_q6_k *b = src;
    for (int64_t i = 0; i < n / AI_QK_K; i++, b++) {
        float d = ai_f16_to_f32(b->d);
        const uint8_t *ql = b->ql, *qh = b->qh;
        const int8_t *sc = b->scales;
        for (int h = 0; h < AI_QK_K; h += 128, dst += 128, ql += 64, qh += 32, sc += 8) {
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int q1 = (int8_t)((ql[l] & 0xf) | (((qh[l] >> 0) & 3) << 4)) - 32;
                int q2 = (int8_t)((ql[l + 32] & 0xf) | (((qh[l] >> 2) & 3) << 4)) - 32;
                int q3 = (int8_t)((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                int q4 = (int8_t)((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                dst[l] = d * sc[is] * q1;
                dst[l + 32] = d * sc[is + 2] * q2;
                dst[l + 64] = d * sc[is + 4] * q3;
                dst[l + 96] = d * sc[is + 6] * q4;
            }
        }
    }
}

static void q8_k_to_float(const void *src, float *dst, int64_t n) {
    const ai_block_q8_k *b = src;
    for (int64_t i = 0; i < n / AI_QK_K; i++, b++)
        for (int j = 0; j < AI_QK_K; j++) *dst++ = b->d * b->qs[j];
}

/* ---- from float ---- */

static void f32_from_float(const float *src, void *dst, int64_t n) { memcpy(dst, src, n * sizeof(float)); }
static void f16_from_float(const float *src, void *dst, int64_t n) {
    ai_f16 *d = dst;
    for (int64_t i = 0; i < n; i++) d[i] = ai_f32_to_f16(src[i]);
}
static void bf16_from_float(const float *src, void *dst, int64_t n) {
    uint16_t *d = dst;
    for (int64_t i = 0; i < n; i++) d[i] = ai_f32_to_bf16(src[i]);
}

/* Activations: like llama.cpp's AVX2 path — scale 127/amax, round to
 * nearest even — so both engines see the same integers. */
void ai_quantize_q8_0(const float *x, ai_block_q8_0 *y, int64_t n) {
    for (int64_t i = 0; i < n / AI_QK; i++, x += AI_QK) {
        float amax = 0;
        for (int j = 0; j < AI_QK; j++) amax = max_f(amax, fabsf(x[j]));
        float d = amax / 127.f, id = amax != 0 ? 127.f / amax : 0.f;
        y[i].d = ai_f32_to_f16(d);
        for (int j = 0; j < AI_QK; j++) y[i].qs[j] = (int8_t)lrintf(x[j] * id);
    }
}

static void q8_0_from_float(const float *src, void *dst, int64_t n) { ai_quantize_q8_0(src, dst, n); }

void ai_quantize_q8_k(const float *x, ai_block_q8_k *y, int64_t n) {
    for (int64_t i = 0; i < n / AI_QK_K; i++, x += AI_QK_K) {
        float max = 0, amax = 0;
        for (int j = 0; j < AI_QK_K; j++) {
            float ax = fabsf(x[j]);
            if (ax > amax) { amax = ax; max = x[j]; }
        }
        if (amax == 0) { memset(&y[i], 0, sizeof y[i]); continue; }
        float iscale = -127.f / max;
        for (int j = 0; j < AI_QK_K; j++) {
            int v = (int)lrintf(iscale * x[j]);
            y[i].qs[j] = (int8_t)(v < 127 ? v : 127);
        }
        for (int j = 0; j < AI_QK_K / 16; j++) {
            int s = 0;
            for (int l = 0; l < 16; l++) s += y[i].qs[j * 16 + l];
            y[i].bsums[j] = (int16_t)s;
        }
        y[i].d = 1 / iscale;
    }
}

static void q8_k_from_float(const float *src, void *dst, int64_t n) { ai_quantize_q8_k(src, dst, n); }

/* Weights: the reference rounding of the format (max by magnitude maps to -8). */
static void q4_0_from_float(const float *x, void *dst, int64_t n) {
    ai_block_q4_0 *y = dst;
    for (int64_t i = 0; i < n / AI_QK; i++, x += AI_QK) {
        float amax = 0, max = 0;
        for (int j = 0; j < AI_QK; j++)
            if (fabsf(x[j]) > amax) { amax = fabsf(x[j]); max = x[j]; }
        float d = max / -8, id = d ? 1 / d : 0;
        y[i].d = ai_f32_to_f16(d);
        for (int j = 0; j < AI_QK / 2; j++) {
            int a = (int)(x[j] * id + 8.5f), b = (int)(x[j + AI_QK / 2] * id + 8.5f);
            a = a < 15 ? a : 15;
            b = b < 15 ? b : 15;
            y[i].qs[j] = (uint8_t)(a | (b << 4));
        }
    }
}

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Q4_K: per 32-weight sub-block an affine map min..max -> 0..15; the eight
 * scales and mins are themselves quantised to 6 bits against d and dmin.
 * Simpler than llama.cpp's iterative search, but every block it writes is
 * a valid Q4_K block, which is all the synthetic models need. */
static void q4_k_from_float(const float *x, void *dst, int64_t n) {
    ai_block_q4_k *y = dst;
    for (int64_t i = 0; i < n / AI_QK_K; i++, x += AI_QK_K) {
        float scale[8], minv[8], max_scale = 0, max_min = 0;
        for (int s = 0; s < 8; s++) {
            float lo = x[s * 32], hi = x[s * 32];
            for (int l = 1; l < 32; l++) { lo = min_f(lo, x[s * 32 + l]); hi = max_f(hi, x[s * 32 + l]); }
            if (lo > 0) lo = 0;
            scale[s] = (hi - lo) / 15;
            minv[s] = -lo;
            max_scale = max_f(max_scale, scale[s]);
            max_min = max_f(max_min, minv[s]);
        }
        float d = max_scale / 63, dmin = max_min / 63;
        y[i].d = ai_f32_to_f16(d);
        y[i].dmin = ai_f32_to_f16(dmin);
        d = ai_f16_to_f32(y[i].d);
        dmin = ai_f16_to_f32(y[i].dmin);
        uint8_t ls[8], lm[8];
        for (int s = 0; s < 8; s++) {
            ls[s] = (uint8_t)clampi(d ? (int)lrintf(scale[s] / d) : 0, 0, 63);
            lm[s] = (uint8_t)clampi(dmin ? (int)lrintf(minv[s] / dmin) : 0, 0, 63);
        }
        for (int j = 0; j < 4; j++) {
            y[i].scales[j] = ls[j] | ((ls[j + 4] >> 4) << 6);
            y[i].scales[j + 4] = lm[j] | ((lm[j + 4] >> 4) << 6);
            y[i].scales[j + 8] = (ls[j + 4] & 0xf) | ((lm[j + 4] & 0xf) << 4);
        }
        uint8_t q[AI_QK_K];
        for (int s = 0; s < 8; s++) {
            float sd = d * ls[s], sm = dmin * lm[s];
            for (int l = 0; l < 32; l++)
                q[s * 32 + l] = (uint8_t)clampi(sd ? (int)lrintf((x[s * 32 + l] + sm) / sd) : 0, 0, 15);
        }
        for (int j = 0; j < AI_QK_K; j += 64)
            for (int l = 0; l < 32; l++) y[i].qs[j / 2 + l] = q[j + l] | (q[j + 32 + l] << 4);
    }
}

/* Q6_K: per 16-weight sub-block a symmetric scale (q in -32..31), the 16
 * scales quantised to int8 against d. */
static void q6_k_from_float(const float *x, void *dst, int64_t n) {
    ai_block_q6_k *y = dst;
    for (int64_t i = 0; i < n / AI_QK_K; i++, x += AI_QK_K) {
        float scale[16], amax_scale = 0;
        for (int s = 0; s < 16; s++) {
            float amax = 0, max = 0;
            for (int l = 0; l < 16; l++)
                if (fabsf(x[s * 16 + l]) > amax) { amax = fabsf(x[s * 16 + l]); max = x[s * 16 + l]; }
            scale[s] = max / -32;
            if (fabsf(scale[s]) > amax_scale) amax_scale = fabsf(scale[s]);
        }
        float d = amax_scale / 127;
        y[i].d = ai_f32_to_f16(d);
        d = ai_f16_to_f32(y[i].d);
        uint8_t q[AI_QK_K];
        for (int s = 0; s < 16; s++) {
            int sc = clampi(d ? (int)lrintf(scale[s] / d) : 0, -128, 127);
            y[i].scales[s] = (int8_t)sc;
            float sd = d * sc;
            for (int l = 0; l < 16; l++)
                q[s * 16 + l] = (uint8_t)(clampi(sd ? (int)lrintf(x[s * 16 + l] / sd) : 0, -32, 31) + 32);
        }
        for (int h = 0; h < AI_QK_K; h += 128) {
            uint8_t *ql = y[i].ql + h / 2, *qh = y[i].qh + h / 4;
            for (int l = 0; l < 32; l++) {
                uint8_t q1 = q[h + l], q2 = q[h + l + 32], q3 = q[h + l + 64], q4 = q[h + l + 96];
                ql[l] = (q1 & 0xf) | ((q3 & 0xf) << 4);
                ql[l + 32] = (q2 & 0xf) | ((q4 & 0xf) << 4);
                qh[l] = (q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6);
            }
        }
    }
}

static const ai_type_traits traits[] = {
    {"F32", 1, 4, f32_to_float, f32_from_float},
    {"F16", 1, 2, f16_to_float, f16_from_float},
    {"BF16", 1, 2, bf16_to_float, bf16_from_float},
    {"Q8_0", AI_QK, sizeof(ai_block_q8_0), q8_0_to_float, q8_0_from_float},
    {"Q4_0", AI_QK, sizeof(ai_block_q4_0), q4_0_to_float, q4_0_from_float},
    {"Q4_K", AI_QK_K, sizeof(ai_block_q4_k), q4_k_to_float, q4_k_from_float},
    {"Q6_K", AI_QK_K, sizeof(ai_block_q6_k), q6_k_to_float, q6_k_from_float},
    {"Q8_K", AI_QK_K, sizeof(ai_block_q8_k), q8_k_to_float, q8_k_from_float},
};
static const int trait_ids[] = {AI_TYPE_F32, AI_TYPE_F16, AI_TYPE_BF16, AI_TYPE_Q8_0,
                                AI_TYPE_Q4_0, AI_TYPE_Q4_K, AI_TYPE_Q6_K, AI_TYPE_Q8_K};

_Static_assert(sizeof(ai_block_q8_0) == 34, "Q8_0 block is 34 bytes");
_Static_assert(sizeof(ai_block_q4_0) == 18, "Q4_0 block is 18 bytes");
_Static_assert(sizeof(ai_block_q4_k) == 144, "Q4_K block is 144 bytes");
_Static_assert(sizeof(ai_block_q6_k) == 210, "Q6_K block is 210 bytes");
_Static_assert(sizeof(ai_block_q8_k) == 292, "Q8_K block is 292 bytes");

const ai_type_traits *ai_type_traits_of(uint32_t type) {
    for (size_t i = 0; i < sizeof trait_ids / sizeof trait_ids[0]; i++)
        if ((uint32_t)trait_ids[i] == type) return &traits[i];
    return NULL;
}

int ai_type_from_name(const char *name) {
    for (size_t i = 0; i < sizeof trait_ids / sizeof trait_ids[0]; i++)
        if (!strcasecmp(traits[i].name, name)) return trait_ids[i];
    return -1;
}

size_t ai_row_bytes(uint32_t type, int64_t n) {
    const ai_type_traits *t = ai_type_traits_of(type);
    return t ? (size_t)(n / t->block) * t->block_bytes : 0;
}
