/*
 * kernels_avx2.c — AVX2 + FMA + F16C dot products. Every function carries a
 * target attribute, so this file builds with the project's portable flags
 * and these kernels only run after kernels.c has checked the CPU.
 *
 * Signed int8 x int8 products use the usual trick: maddubs needs an unsigned
 * first operand, so |a| * (b with a's sign) is the same product.
 * Integer sums stay exact; floats enter once per block, as in the formats'
 * definitions.
 */
#include "ai/kernels.h"
#include "ai/quant.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define TARGET __attribute__((target("avx2,fma,f16c")))
/* Fully unrolls the short fixed loops over rows, tokens and sub-blocks
 * so their accumulators live in registers (gcc -O2 keeps such arrays on
 * the stack otherwise). */
#define UNROLL _Pragma("GCC unroll 8")

TARGET static inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

TARGET static inline float h2f(ai_f16 h) { return _cvtsh_ss(h); }

TARGET static inline __m256i sum_i8_pairs(__m256i x, __m256i y) {
    __m256i dot = _mm256_maddubs_epi16(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
    return _mm256_madd_epi16(dot, _mm256_set1_epi16(1));
}

/* 32 nibbles -> 32 bytes: low nibbles of bytes 0..15 first, then high. */
TARGET static inline __m256i nibbles_32(const uint8_t *p) {
    __m128i t = _mm_loadu_si128((const __m128i *)p);
    __m256i b = _mm256_insertf128_si256(_mm256_castsi128_si256(t), _mm_srli_epi16(t, 4), 1);
    return _mm256_and_si256(b, _mm256_set1_epi8(0xf));
}

/* ---- Q8_0 / Q4_0 against Q8_0 ---- */

TARGET static void dot_q8_0(int n, float *s, const void *w, const void *x) {
    const ai_block_q8_0 *a = w, *b = x;
    __m256 acc = _mm256_setzero_ps();
    for (int i = 0; i < n / AI_QK; i++) {
        __m256 d = _mm256_set1_ps(h2f(a[i].d) * h2f(b[i].d));
        __m256i p = sum_i8_pairs(_mm256_loadu_si256((const __m256i *)a[i].qs), _mm256_loadu_si256((const __m256i *)b[i].qs));
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(p), acc);
    }
    *s = hsum(acc);
}

TARGET static void dot4_q8_0(int n, float *s, const void *w, size_t rb, const void *x) {
    const ai_block_q8_0 *b = x;
    const ai_block_q8_0 *a0 = w, *a1 = (const void *)((const uint8_t *)w + rb),
                        *a2 = (const void *)((const uint8_t *)w + 2 * rb), *a3 = (const void *)((const uint8_t *)w + 3 * rb);
    __m256 c0 = _mm256_setzero_ps(), c1 = c0, c2 = c0, c3 = c0;
    for (int i = 0; i < n / AI_QK; i++) {
        __m256i y = _mm256_loadu_si256((const __m256i *)b[i].qs);
        float dy = h2f(b[i].d);
#define ROW(a, c) c = _mm256_fmadd_ps(_mm256_set1_ps(h2f(a[i].d) * dy), \
                       _mm256_cvtepi32_ps(sum_i8_pairs(_mm256_loadu_si256((const __m256i *)a[i].qs), y)), c)
        ROW(a0, c0); ROW(a1, c1); ROW(a2, c2); ROW(a3, c3);
#undef ROW
    }
    s[0] = hsum(c0); s[1] = hsum(c1); s[2] = hsum(c2); s[3] = hsum(c3);
}

TARGET static void dot_q4_0(int n, float *s, const void *w, const void *x) {
    const ai_block_q4_0 *a = w;
    const ai_block_q8_0 *b = x;
    __m256 acc = _mm256_setzero_ps();
    const __m256i off = _mm256_set1_epi8(8);
    for (int i = 0; i < n / AI_QK; i++) {
        __m256 d = _mm256_set1_ps(h2f(a[i].d) * h2f(b[i].d));
        __m256i q = _mm256_sub_epi8(nibbles_32(a[i].qs), off);
        __m256i p = sum_i8_pairs(q, _mm256_loadu_si256((const __m256i *)b[i].qs));
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(p), acc);
    }
    *s = hsum(acc);
}

TARGET static void dot4_q4_0(int n, float *s, const void *w, size_t rb, const void *x) {
    const ai_block_q8_0 *b = x;
    const ai_block_q4_0 *a0 = w, *a1 = (const void *)((const uint8_t *)w + rb),
                        *a2 = (const void *)((const uint8_t *)w + 2 * rb), *a3 = (const void *)((const uint8_t *)w + 3 * rb);
    __m256 c0 = _mm256_setzero_ps(), c1 = c0, c2 = c0, c3 = c0;
    const __m256i off = _mm256_set1_epi8(8);
    for (int i = 0; i < n / AI_QK; i++) {
        __m256i y = _mm256_loadu_si256((const __m256i *)b[i].qs);
        float dy = h2f(b[i].d);
#define ROW(a, c) c = _mm256_fmadd_ps(_mm256_set1_ps(h2f(a[i].d) * dy), \
                       _mm256_cvtepi32_ps(sum_i8_pairs(_mm256_sub_epi8(nibbles_32(a[i].qs), off), y)), c)
        ROW(a0, c0); ROW(a1, c1); ROW(a2, c2); ROW(a3, c3);
#undef ROW
    }
    s[0] = hsum(c0); s[1] = hsum(c1); s[2] = hsum(c2); s[3] = hsum(c3);
}

/* 4 weight rows x 2 activation rows (prompt processing): each weight
 * block is loaded and unpacked once for two tokens and each activation
 * block once for four rows. s[t * ldo + r] receives row r . token t. */
#define TILE42(NAME, BT, UNPACK)                                                                           \
    TARGET static void NAME(int n, float *s, size_t ldo, const void *w, size_t rb, const void *x, size_t xb) { \
        const ai_block_q8_0 *y0 = x, *y1 = (const void *)((const uint8_t *)x + xb);                        \
        const BT *a[4];                                                                                    \
        for (int r = 0; r < 4; r++) a[r] = (const void *)((const uint8_t *)w + r * rb);                    \
        __m256 c[4][2];                                                                                    \
        for (int r = 0; r < 4; r++) c[r][0] = c[r][1] = _mm256_setzero_ps();                               \
        for (int i = 0; i < n / AI_QK; i++) {                                                              \
            __m256i v0 = _mm256_loadu_si256((const __m256i *)y0[i].qs);                                    \
            __m256i v1 = _mm256_loadu_si256((const __m256i *)y1[i].qs);                                    \
            __m256 d0 = _mm256_set1_ps(h2f(y0[i].d)), d1 = _mm256_set1_ps(h2f(y1[i].d));                   \
            for (int r = 0; r < 4; r++) {                                                                  \
                __m256i q = UNPACK;                                                                        \
                __m256i aq = _mm256_sign_epi8(q, q);                                                       \
                __m256 dw = _mm256_set1_ps(h2f(a[r][i].d));                                                \
                __m256i p0 = _mm256_madd_epi16(_mm256_maddubs_epi16(aq, _mm256_sign_epi8(v0, q)), _mm256_set1_epi16(1)); \
                __m256i p1 = _mm256_madd_epi16(_mm256_maddubs_epi16(aq, _mm256_sign_epi8(v1, q)), _mm256_set1_epi16(1)); \
                c[r][0] = _mm256_fmadd_ps(_mm256_mul_ps(dw, d0), _mm256_cvtepi32_ps(p0), c[r][0]);         \
                c[r][1] = _mm256_fmadd_ps(_mm256_mul_ps(dw, d1), _mm256_cvtepi32_ps(p1), c[r][1]);         \
            }                                                                                              \
        }                                                                                                  \
        for (int r = 0; r < 4; r++) { s[r] = hsum(c[r][0]); s[ldo + r] = hsum(c[r][1]); }                  \
    }

TILE42(tile42_q8_0, ai_block_q8_0, _mm256_loadu_si256((const __m256i *)a[r][i].qs))
TILE42(tile42_q4_0, ai_block_q4_0, _mm256_sub_epi8(nibbles_32(a[r][i].qs), _mm256_set1_epi8(8)))

/* ---- Q4_0 repacked eight rows at a time (ai_block_q4_0x8) ---- */

/* 8 rows x T tokens. The nibbles stay unsigned (0..15) so maddubs takes
 * them as they are; q - 8 is restored per block by subtracting 8 x the
 * activation block's sum. The 8 multiply-adds of a block fit in int16
 * (|8 x 2 x 15 x 128| < 32768), so one madd per block widens them. */
TARGET static inline __attribute__((always_inline)) void
q4_0x8_tile(int T, int nb, float *s, size_t ldo, const void *wv, const void *x, size_t xb,
            const int16_t *ysum, int ys_stride) {
    const ai_block_q4_0x8 *w = wv;
    const __m256i m4 = _mm256_set1_epi8(0xf), ones = _mm256_set1_epi16(1);
    __m256 acc[4];
    UNROLL
    for (int t = 0; t < T; t++) acc[t] = _mm256_setzero_ps();
    for (int i = 0; i < nb; i++) {
        __m256i q[8];
        UNROLL
        for (int c = 0; c < 4; c++) {
            _mm_prefetch((const char *)(w + i + 12) + 48 * c, _MM_HINT_T0); /* as in q4_kx8_tile */
            __m256i v = _mm256_loadu_si256((const __m256i *)(w[i].qs + 32 * c));
            q[2 * c] = _mm256_and_si256(v, m4);
            q[2 * c + 1] = _mm256_and_si256(_mm256_srli_epi16(v, 4), m4);
        }
        __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)w[i].d));
        UNROLL
        for (int t = 0; t < T; t++) {
            const ai_block_q8_0 *y = (const ai_block_q8_0 *)((const uint8_t *)x + t * xb) + i;
            __m256i p = _mm256_setzero_si256();
            UNROLL
            for (int c = 0; c < 4; c++) {
                int32_t lo, hi;
                memcpy(&lo, y->qs + 4 * c, 4);
                memcpy(&hi, y->qs + 16 + 4 * c, 4);
                p = _mm256_add_epi16(p, _mm256_maddubs_epi16(q[2 * c], _mm256_set1_epi32(lo)));
                p = _mm256_add_epi16(p, _mm256_maddubs_epi16(q[2 * c + 1], _mm256_set1_epi32(hi)));
            }
            __m256i isum = _mm256_sub_epi32(_mm256_madd_epi16(p, ones), _mm256_set1_epi32(8 * ysum[t * ys_stride + i]));
            acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(dw, _mm256_set1_ps(h2f(y->d))), _mm256_cvtepi32_ps(isum), acc[t]);
        }
    }
    UNROLL
    for (int t = 0; t < T; t++) _mm256_storeu_ps(s + t * ldo, acc[t]);
}

/* 8 Q4_K rows x T tokens. Per sub-block, 8 maddubs (unsigned nibbles x
 * 4 broadcast activations) add up in int16 (8 x 2 x 15 x 128 < 32768),
 * then one madd applies the 8 rows' scales; the mins meet Q8_K's
 * per-16 sums once per block. */
TARGET static inline __attribute__((always_inline)) void
q4_kx8_tile(int T, int nb, float *s, size_t ldo, const void *wv, const void *x, size_t xb) {
    const ai_block_q4_kx8 *w = wv;
    const __m256i m4 = _mm256_set1_epi8(0xf);
    __m256 acc[4];
    UNROLL
    for (int t = 0; t < T; t++) acc[t] = _mm256_setzero_ps();
    for (int i = 0; i < nb; i++) {
        const ai_block_q8_k *y[4];
        __m256i sumi[4];
        UNROLL
        for (int t = 0; t < T; t++) {
            y[t] = (const ai_block_q8_k *)((const uint8_t *)x + t * xb) + i;
            sumi[t] = _mm256_setzero_si256();
        }
        for (int j = 0; j < 8; j++) {
            /* the block after next, an eighth per sub-block: generation
             * streams the weights once, and hardware prefetchers stop at
             * page boundaries */
            const char *pf = (const char *)(w + i + 2) + 148 * j;
            _mm_prefetch(pf, _MM_HINT_T0);
            _mm_prefetch(pf + 64, _MM_HINT_T0);
            _mm_prefetch(pf + 128, _MM_HINT_T0);
            /* row r's scale in both 16-bit halves of lane r */
            __m256i sv = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)w[i].scales[j]));
            sv = _mm256_or_si256(sv, _mm256_slli_epi32(sv, 16));
            __m256i p[4];
            UNROLL
            for (int t = 0; t < T; t++) p[t] = _mm256_setzero_si256();
            UNROLL
            for (int c = 0; c < 8; c++) {
                __m256i v = _mm256_loadu_si256((const __m256i *)w[i].qs[j / 2][c]);
                __m256i q = _mm256_and_si256(j & 1 ? _mm256_srli_epi16(v, 4) : v, m4);
                UNROLL
                for (int t = 0; t < T; t++) {
                    int32_t y4;
                    memcpy(&y4, y[t]->qs + 32 * j + 4 * c, 4);
                    p[t] = _mm256_add_epi16(p[t], _mm256_maddubs_epi16(q, _mm256_set1_epi32(y4)));
                }
            }
            UNROLL
            for (int t = 0; t < T; t++) sumi[t] = _mm256_add_epi32(sumi[t], _mm256_madd_epi16(p[t], sv));
        }
        __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)w[i].d));
        __m256 dmin = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)w[i].dmin));
        UNROLL
        for (int t = 0; t < T; t++) {
            /* sums of the 8 sub-blocks' activations, paired as the mins are */
            int32_t bs[4];
            _mm_storeu_si128((__m128i *)bs, _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)y[t]->bsums),
                                                           _mm_loadu_si128((const __m128i *)(y[t]->bsums + 8))));
            __m256i mi = _mm256_setzero_si256();
            UNROLL
            for (int jp = 0; jp < 4; jp++)
                mi = _mm256_add_epi32(mi, _mm256_madd_epi16(_mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)w[i].mins[jp])),
                                                            _mm256_set1_epi32(bs[jp])));
            __m256 yd = _mm256_set1_ps(y[t]->d);
            acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(d, yd), _mm256_cvtepi32_ps(sumi[t]), acc[t]);
            acc[t] = _mm256_fnmadd_ps(_mm256_mul_ps(dmin, yd), _mm256_cvtepi32_ps(mi), acc[t]);
        }
    }
    UNROLL
    for (int t = 0; t < T; t++) _mm256_storeu_ps(s + t * ldo, acc[t]);
}

/* 8 Q8_0 rows x 1 token, in exactly the float order of the row-at-a-time
 * kernel (and llama.cpp's): there, lane c of the accumulator sums the
 * products of columns 4c..4c+3 block after block, and a horizontal sum
 * ends the row. Here 32-byte load c holds those columns for 8 rows, so
 * accumulator c (one lane per row) does the same, and vertical adds in
 * hsum's pairing finish all 8 rows at once. Bit-identical results keep
 * Q8_0's token-by-token parity with llama.cpp exact; the gain is one
 * sequential stream, one scale conversion for 8 rows and no per-row
 * horizontal sums. Both sides are signed: the sign trick per load, and
 * each maddubs widened at once (two could overflow int16). */
TARGET static void q8_0x8_1(int nb, float *s, size_t ldo, const void *wv, const void *x, size_t xb,
                            const int16_t *ysum, int ys_stride) {
    (void)ldo; (void)xb; (void)ysum; (void)ys_stride;
    const ai_block_q8_0x8 *w = wv;
    const ai_block_q8_0 *y = x;
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc[8];
    UNROLL
    for (int c = 0; c < 8; c++) acc[c] = _mm256_setzero_ps();
    for (int i = 0; i < nb; i++) {
        __m256 d = _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)w[i].d)), _mm256_set1_ps(h2f(y[i].d)));
        UNROLL
        for (int c = 0; c < 8; c++) {
            _mm_prefetch((const char *)(w + i + 6) + 39 * c, _MM_HINT_T0); /* as in q4_kx8_tile */
            __m256i q = _mm256_loadu_si256((const __m256i *)(w[i].qs + 32 * c));
            int32_t y4;
            memcpy(&y4, y[i].qs + 4 * c, 4);
            __m256i m = _mm256_maddubs_epi16(_mm256_sign_epi8(q, q), _mm256_sign_epi8(_mm256_set1_epi32(y4), q));
            acc[c] = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(_mm256_madd_epi16(m, ones)), acc[c]);
        }
    }
    /* hsum's order: ((4+0) + (6+2)) + ((5+1) + (7+3)) */
    __m256 r = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(acc[4], acc[0]), _mm256_add_ps(acc[6], acc[2])),
                             _mm256_add_ps(_mm256_add_ps(acc[5], acc[1]), _mm256_add_ps(acc[7], acc[3])));
    _mm256_storeu_ps(s, r);
}

/* 4 tokens: the single-token kernel 4 times, the 8 rows' blocks staying
 * in L1 between calls (exactness needs 8 accumulators per token). */
TARGET static void q8_0x8_4(int nb, float *s, size_t ldo, const void *w, const void *x, size_t xb,
                            const int16_t *ysum, int ys_stride) {
    for (int t = 0; t < 4; t++) q8_0x8_1(nb, s + t * ldo, ldo, w, (const uint8_t *)x + t * xb, xb, ysum, ys_stride);
}

/* 8 Q6_K rows x 1 token. Per 16-column sub-block, four maddubs of
 * unsigned q + 32 (0..63) against 4 broadcast activation bytes, summed two
 * by two in int16 (2 x 2 x 63 x 127 < 32768), then one madd per pair
 * applies the 8 rows' scales; the +32 comes back out once per block
 * through Q8_K's 16-column sums. */
TARGET static void q6_kx8_1(int nb, float *s, size_t ldo, const void *wv, const void *x, size_t xb,
                            const int16_t *ysum, int ys_stride) {
    (void)ldo; (void)xb; (void)ysum; (void)ys_stride;
    const ai_block_q6_kx8 *w = wv;
    const ai_block_q8_k *y = x;
    __m256 acc = _mm256_setzero_ps();
    for (int i = 0; i < nb; i++) {
        __m256i sumi = _mm256_setzero_si256(), offi = _mm256_setzero_si256();
        UNROLL
        for (int j = 0; j < 16; j++) {
            const char *pf = (const char *)(w + i + 1) + 145 * j; /* as in q4_kx8_tile */
            _mm_prefetch(pf, _MM_HINT_T0);
            _mm_prefetch(pf + 64, _MM_HINT_T0);
            __m256i sv = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)w[i].scales[j]));
            __m256i p[2];
            UNROLL
            for (int h = 0; h < 2; h++) {
                int32_t ya, yb;
                memcpy(&ya, y[i].qs + 16 * j + 8 * h, 4);
                memcpy(&yb, y[i].qs + 16 * j + 8 * h + 4, 4);
                p[h] = _mm256_add_epi16(
                    _mm256_maddubs_epi16(_mm256_loadu_si256((const __m256i *)w[i].qs[4 * j + 2 * h]), _mm256_set1_epi32(ya)),
                    _mm256_maddubs_epi16(_mm256_loadu_si256((const __m256i *)w[i].qs[4 * j + 2 * h + 1]), _mm256_set1_epi32(yb)));
            }
            sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(_mm256_madd_epi16(p[0], sv), _mm256_madd_epi16(p[1], sv)));
            offi = _mm256_add_epi32(offi, _mm256_madd_epi16(sv, _mm256_set1_epi32((uint16_t)y[i].bsums[j])));
        }
        __m256 d = _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)w[i].d)), _mm256_set1_ps(y[i].d));
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(_mm256_sub_epi32(sumi, _mm256_slli_epi32(offi, 5))), acc);
    }
    _mm256_storeu_ps(s, acc);
}

/* Prompts: four single-token passes over the 8 rows (kept in L2). */
TARGET static void q6_kx8_4(int nb, float *s, size_t ldo, const void *w, const void *x, size_t xb,
                            const int16_t *ysum, int ys_stride) {
    for (int t = 0; t < 4; t++) q6_kx8_1(nb, s + t * ldo, ldo, w, (const uint8_t *)x + t * xb, xb, ysum, ys_stride);
}

#define PACKED_KERNEL(NAME, CALL) \
    TARGET static void NAME(int nb, float *s, size_t ldo, const void *w, const void *x, size_t xb, const int16_t *ysum, int ys_stride) { \
        (void)ysum; (void)ys_stride; CALL; }
PACKED_KERNEL(q4_0x8_1, q4_0x8_tile(1, nb, s, ldo, w, x, xb, ysum, ys_stride))
PACKED_KERNEL(q4_0x8_4, q4_0x8_tile(4, nb, s, ldo, w, x, xb, ysum, ys_stride))
PACKED_KERNEL(q4_kx8_1, q4_kx8_tile(1, nb, s, ldo, w, x, xb))
PACKED_KERNEL(q4_kx8_4, q4_kx8_tile(4, nb, s, ldo, w, x, xb))

ai_packed_fn ai_avx2_packed(uint32_t wtype, int toks) {
    if (wtype == AI_TYPE_Q4_0) return toks == 4 ? q4_0x8_4 : toks == 1 ? q4_0x8_1 : NULL;
    if (wtype == AI_TYPE_Q4_K) return toks == 4 ? q4_kx8_4 : toks == 1 ? q4_kx8_1 : NULL;
    if (wtype == AI_TYPE_Q8_0) return toks == 4 ? q8_0x8_4 : toks == 1 ? q8_0x8_1 : NULL;
    if (wtype == AI_TYPE_Q6_K) return toks == 4 ? q6_kx8_4 : toks == 1 ? q6_kx8_1 : NULL;
    return NULL;
}

/* y += a * x for F16 x (attention's weighted sum of V rows). */
TARGET static void mad_f16(int n, float *y, float a, const ai_f16 *x) {
    __m256 va = _mm256_set1_ps(a);
    int i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i))), _mm256_loadu_ps(y + i)));
    for (; i < n; i++) y[i] += a * h2f(x[i]);
}

/* F32 -> F16, round to nearest even (the same rounding as ai_f32_to_f16). */
TARGET static void to_f16(int n, ai_f16 *y, const float *x) {
    int i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(y + i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; i++) y[i] = ai_f32_to_f16(x[i]);
}

ai_mad_f16_fn ai_avx2_mad_f16(void) { return mad_f16; }
ai_to_f16_fn ai_avx2_to_f16(void) { return to_f16; }

/* ---- K-quants against Q8_K ---- */

/* Unpacks the 12 scale bytes of a Q4_K block into 8 scales (bytes 0..7)
 * and 8 mins (bytes 8..15) with word-wide masks: the layout quant.c's
 * q4_k_scale_min decodes one sub-block at a time. */
static inline void q4_k_unpack(const uint8_t *q, uint32_t u[4]) {
    uint32_t a[3];
    memcpy(a, q, 12);
    const uint32_t m6 = 0x3f3f3f3f, m4 = 0x0f0f0f0f, m2 = 0x03030303;
    u[0] = a[0] & m6;                                      /* scales 0..3 */
    u[1] = (a[2] & m4) | (((a[0] >> 6) & m2) << 4);        /* scales 4..7 */
    u[2] = a[1] & m6;                                      /* mins 0..3 */
    u[3] = ((a[2] >> 4) & m4) | (((a[1] >> 6) & m2) << 4); /* mins 4..7 */
}


TARGET static void dot_q4_k(int n, float *s, const void *w, const void *x) {
    const ai_block_q4_k *a = w;
    const ai_block_q8_k *b = x;
    const __m256i m4 = _mm256_set1_epi8(0xf);
    __m256 acc = _mm256_setzero_ps();
    __m128 accm = _mm_setzero_ps();
    for (int i = 0; i < n / AI_QK_K; i++) {
        uint32_t u[4];
        q4_k_unpack(a[i].scales, u);
        const uint8_t *sc = (const uint8_t *)u;
        /* mins: sum over sub-blocks of m_j * (sum of its 32 activations) */
        __m128i bs = _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)b[i].bsums), _mm_loadu_si128((const __m128i *)(b[i].bsums + 8)));
        __m128i mins = _mm_cvtepu8_epi16(_mm_loadl_epi64((const __m128i *)(sc + 8)));
        accm = _mm_fmadd_ps(_mm_set1_ps(b[i].d * h2f(a[i].dmin)), _mm_cvtepi32_ps(_mm_madd_epi16(mins, bs)), accm);
        __m256i sumi = _mm256_setzero_si256();
        for (int j = 0; j < 4; j++) {
            __m256i q4 = _mm256_loadu_si256((const __m256i *)(a[i].qs + 32 * j));
            __m256i lo = _mm256_and_si256(q4, m4), hi = _mm256_and_si256(_mm256_srli_epi16(q4, 4), m4);
            __m256i pl = _mm256_maddubs_epi16(lo, _mm256_loadu_si256((const __m256i *)(b[i].qs + 64 * j)));
            __m256i ph = _mm256_maddubs_epi16(hi, _mm256_loadu_si256((const __m256i *)(b[i].qs + 64 * j + 32)));
            pl = _mm256_madd_epi16(pl, _mm256_set1_epi16(sc[2 * j]));
            ph = _mm256_madd_epi16(ph, _mm256_set1_epi16(sc[2 * j + 1]));
            sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(pl, ph));
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(b[i].d * h2f(a[i].d)), _mm256_cvtepi32_ps(sumi), acc);
    }
    __m128 m = _mm_add_ps(accm, _mm_movehl_ps(accm, accm));
    m = _mm_add_ss(m, _mm_movehdup_ps(m));
    *s = hsum(acc) - _mm_cvtss_f32(m);
}

/* One Q6_K row: as tile14_q6_k, the -32 offset comes from Q8_K's
 * 16-element sums once per block instead of a second maddubs per product. */
TARGET static void dot_q6_k(int n, float *s, const void *w, const void *x) {
    const ai_block_q6_k *a = w;
    const ai_block_q8_k *b = x;
    const __m256i m4 = _mm256_set1_epi8(0xf), m2 = _mm256_set1_epi8(3);
    __m256 acc = _mm256_setzero_ps();
    for (int i = 0; i < n / AI_QK_K; i++) {
        __m256i sumi = _mm256_setzero_si256();
        UNROLL
        for (int h = 0; h < 2; h++) {
            const uint8_t *ql = a[i].ql + 64 * h, *qh = a[i].qh + 32 * h;
            const int8_t *sc = a[i].scales + 8 * h, *y = b[i].qs + 128 * h;
            __m256i l1 = _mm256_loadu_si256((const __m256i *)ql), l2 = _mm256_loadu_si256((const __m256i *)(ql + 32));
            __m256i hb = _mm256_loadu_si256((const __m256i *)qh);
            __m256i q[4];
            q[0] = _mm256_or_si256(_mm256_and_si256(l1, m4), _mm256_slli_epi16(_mm256_and_si256(hb, m2), 4));
            q[1] = _mm256_or_si256(_mm256_and_si256(l2, m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2), m2), 4));
            q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 4), m2), 4));
            q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l2, 4), m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 6), m2), 4));
            UNROLL
            for (int k = 0; k < 4; k++) {
                __m256i yk = _mm256_loadu_si256((const __m256i *)(y + 32 * k));
                __m256i scv = _mm256_set_m128i(_mm_set1_epi16(sc[2 * k + 1]), _mm_set1_epi16(sc[2 * k]));
                sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(_mm256_maddubs_epi16(q[k], yk), scv));
            }
        }
        __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)a[i].scales));
        __m256i off = _mm256_slli_epi32(_mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)b[i].bsums), sc16), 5);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(b[i].d * h2f(a[i].d)), _mm256_cvtepi32_ps(_mm256_sub_epi32(sumi, off)), acc);
    }
    *s = hsum(acc);
}

/* 1 weight row x 4 tokens for prompts: a Q4_K block's scales and
 * nibbles are unpacked once and used for four activation rows (they cost
 * as much as the products themselves in the one-token kernel). */
TARGET static void tile14_q4_k(int n, float *s, size_t ldo, const void *w, size_t rb, const void *x, size_t xb) {
    (void)rb;
    const ai_block_q4_k *a = w;
    const __m256i m4 = _mm256_set1_epi8(0xf);
    __m256 acc[4];
    UNROLL
    for (int t = 0; t < 4; t++) acc[t] = _mm256_setzero_ps();
    for (int i = 0; i < n / AI_QK_K; i++) {
        uint32_t u[4];
        q4_k_unpack(a[i].scales, u);
        const uint8_t *sc = (const uint8_t *)u;
        const ai_block_q8_k *y[4];
        UNROLL
        for (int t = 0; t < 4; t++) y[t] = (const ai_block_q8_k *)((const uint8_t *)x + t * xb) + i;
        __m256i sumi[4];
        UNROLL
        for (int t = 0; t < 4; t++) sumi[t] = _mm256_setzero_si256();
        UNROLL
        for (int j = 0; j < 4; j++) {
            __m256i q4 = _mm256_loadu_si256((const __m256i *)(a[i].qs + 32 * j));
            __m256i lo = _mm256_and_si256(q4, m4), hi = _mm256_and_si256(_mm256_srli_epi16(q4, 4), m4);
            __m256i sl = _mm256_set1_epi16(sc[2 * j]), sh = _mm256_set1_epi16(sc[2 * j + 1]);
            UNROLL
            for (int t = 0; t < 4; t++) {
                __m256i pl = _mm256_maddubs_epi16(lo, _mm256_loadu_si256((const __m256i *)(y[t]->qs + 64 * j)));
                __m256i ph = _mm256_maddubs_epi16(hi, _mm256_loadu_si256((const __m256i *)(y[t]->qs + 64 * j + 32)));
                sumi[t] = _mm256_add_epi32(sumi[t], _mm256_add_epi32(_mm256_madd_epi16(pl, sl), _mm256_madd_epi16(ph, sh)));
            }
        }
        /* mins: sum over sub-blocks of m_j * (sum of its 32 activations),
         * in the low half of a vector subtracted from the same accumulator */
        __m128i mins = _mm_cvtepu8_epi16(_mm_loadl_epi64((const __m128i *)(sc + 8)));
        float d = h2f(a[i].d), dmin = h2f(a[i].dmin);
        UNROLL
        for (int t = 0; t < 4; t++) {
            __m128i bs = _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)y[t]->bsums), _mm_loadu_si128((const __m128i *)(y[t]->bsums + 8)));
            __m256i m = _mm256_set_m128i(_mm_setzero_si128(), _mm_madd_epi16(mins, bs));
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(y[t]->d * d), _mm256_cvtepi32_ps(sumi[t]), acc[t]);
            acc[t] = _mm256_fnmadd_ps(_mm256_set1_ps(y[t]->d * dmin), _mm256_cvtepi32_ps(m), acc[t]);
        }
    }
    UNROLL
    for (int t = 0; t < 4; t++) s[t * ldo] = hsum(acc[t]);
}

/* 1 weight row x 4 tokens of Q6_K. The -32 offset is applied once per
 * block from Q8_K's 16-element sums (sum of scale x bsum), not per
 * product, so the 6-bit values go into maddubs unsigned as they are. */
TARGET static void tile14_q6_k(int n, float *s, size_t ldo, const void *w, size_t rb, const void *x, size_t xb) {
    (void)rb;
    const ai_block_q6_k *a = w;
    const __m256i m4 = _mm256_set1_epi8(0xf), m2 = _mm256_set1_epi8(3);
    __m256 acc[4];
    UNROLL
    for (int t = 0; t < 4; t++) acc[t] = _mm256_setzero_ps();
    for (int i = 0; i < n / AI_QK_K; i++) {
        const ai_block_q8_k *y[4];
        UNROLL
        for (int t = 0; t < 4; t++) y[t] = (const ai_block_q8_k *)((const uint8_t *)x + t * xb) + i;
        __m256i sumi[4];
        UNROLL
        for (int t = 0; t < 4; t++) sumi[t] = _mm256_setzero_si256();
        UNROLL
        for (int h = 0; h < 2; h++) {
            const uint8_t *ql = a[i].ql + 64 * h, *qh = a[i].qh + 32 * h;
            const int8_t *sc = a[i].scales + 8 * h;
            __m256i l1 = _mm256_loadu_si256((const __m256i *)ql), l2 = _mm256_loadu_si256((const __m256i *)(ql + 32));
            __m256i hb = _mm256_loadu_si256((const __m256i *)qh);
            __m256i q[4];
            q[0] = _mm256_or_si256(_mm256_and_si256(l1, m4), _mm256_slli_epi16(_mm256_and_si256(hb, m2), 4));
            q[1] = _mm256_or_si256(_mm256_and_si256(l2, m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2), m2), 4));
            q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 4), m2), 4));
            q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l2, 4), m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 6), m2), 4));
            UNROLL
            for (int k = 0; k < 4; k++) {
                __m256i scv = _mm256_set_m128i(_mm_set1_epi16(sc[2 * k + 1]), _mm_set1_epi16(sc[2 * k]));
                UNROLL
                for (int t = 0; t < 4; t++) {
                    __m256i yk = _mm256_loadu_si256((const __m256i *)(y[t]->qs + 128 * h + 32 * k));
                    sumi[t] = _mm256_add_epi32(sumi[t], _mm256_madd_epi16(_mm256_maddubs_epi16(q[k], yk), scv));
                }
            }
        }
        __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)a[i].scales));
        float d = h2f(a[i].d);
        UNROLL
        for (int t = 0; t < 4; t++) {
            __m256i off = _mm256_slli_epi32(_mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)y[t]->bsums), sc16), 5);
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(y[t]->d * d), _mm256_cvtepi32_ps(_mm256_sub_epi32(sumi[t], off)), acc[t]);
        }
    }
    UNROLL
    for (int t = 0; t < 4; t++) s[t * ldo] = hsum(acc[t]);
}

/* ---- float formats ---- */

TARGET static void dot_f32(int n, float *s, const void *w, const void *x) {
    const float *a = w, *b = x;
    __m256 c0 = _mm256_setzero_ps(), c1 = c0;
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        c0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), c0);
        c1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), c1);
    }
    float sum = hsum(_mm256_add_ps(c0, c1));
    for (; i < n; i++) sum += a[i] * b[i];
    *s = sum;
}

TARGET static void dot_f16(int n, float *s, const void *w, const void *x) {
    const ai_f16 *a = w, *b = x;
    __m256 c0 = _mm256_setzero_ps(), c1 = c0;
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        c0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(a + i))),
                             _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b + i))), c0);
        c1 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(a + i + 8))),
                             _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b + i + 8))), c1);
    }
    float sum = hsum(_mm256_add_ps(c0, c1));
    for (; i < n; i++) sum += h2f(a[i]) * h2f(b[i]);
    *s = sum;
}

TARGET static inline __m256 bf16x8(const uint16_t *p) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p)), 16));
}

TARGET static void dot_bf16(int n, float *s, const void *w, const void *x) {
    const uint16_t *a = w, *b = x;
    __m256 c0 = _mm256_setzero_ps();
    int i = 0;
    for (; i + 8 <= n; i += 8) c0 = _mm256_fmadd_ps(bf16x8(a + i), bf16x8(b + i), c0);
    float sum = hsum(c0);
    for (; i < n; i++) sum += ai_bf16_to_f32(a[i]) * ai_bf16_to_f32(b[i]);
    *s = sum;
}

ai_vec_dot_fn ai_avx2_vec_dot(uint32_t wtype) {
    switch (wtype) {
    case AI_TYPE_F32: return dot_f32;
    case AI_TYPE_F16: return dot_f16;
    case AI_TYPE_BF16: return dot_bf16;
    case AI_TYPE_Q8_0: return dot_q8_0;
    case AI_TYPE_Q4_0: return dot_q4_0;
    case AI_TYPE_Q4_K: return dot_q4_k;
    case AI_TYPE_Q6_K: return dot_q6_k;
    default: return NULL;
    }
}

ai_tile ai_avx2_tile(uint32_t wtype) {
    switch (wtype) {
    case AI_TYPE_Q8_0: return (ai_tile){tile42_q8_0, 4, 2};
    case AI_TYPE_Q4_0: return (ai_tile){tile42_q4_0, 4, 2};
    case AI_TYPE_Q4_K: return (ai_tile){tile14_q4_k, 1, 4};
    case AI_TYPE_Q6_K: return (ai_tile){tile14_q6_k, 1, 4};
    default: return (ai_tile){NULL, 0, 0};
    }
}

ai_vec_dot4_fn ai_avx2_vec_dot4(uint32_t wtype) {
    switch (wtype) {
    case AI_TYPE_Q8_0: return dot4_q8_0;
    case AI_TYPE_Q4_0: return dot4_q4_0;
    default: return NULL;
    }
}

#else
ai_mad_f16_fn ai_avx2_mad_f16(void) { return NULL; }
ai_to_f16_fn ai_avx2_to_f16(void) { return NULL; }
ai_tile ai_avx2_tile(uint32_t wtype) { (void)wtype; return (ai_tile){NULL, 0, 0}; }
ai_packed_fn ai_avx2_packed(uint32_t wtype, int toks) { (void)wtype; (void)toks; return NULL; }
ai_vec_dot_fn ai_avx2_vec_dot(uint32_t wtype) { (void)wtype; return NULL; }
ai_tile ai_avx2_tile(uint32_t wtype) {
    switch (wtype) {
    case AI_TYPE_Q8_0: return (ai_tile){tile42_q8_0, 4, 2};
    case AI_TYPE_Q4_0: return (ai_tile){tile42_q4_0, 4, 2};
    case AI_TYPE_Q4_K: return (ai_tile){tile14_q4_k, 1, 4};
    case AI_TYPE_Q6_K: return (ai_tile){tile14_q6_k, 1, 4};
    default: return (ai_tile){NULL, 0, 0};
    }
}

ai_vec_dot4_fn ai_avx2_vec_dot4(uint32_t wtype) { (void)wtype; return NULL; }
#endif
