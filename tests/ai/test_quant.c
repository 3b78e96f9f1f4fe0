/*
 * test_quant.c — element types: half conversions against the hardware
 * (F16C) over all 65536 halves, dequantisation bit-exact against an
 * element-by-element decoder written from the format definitions, round
 * trips, and every SIMD dot product against the scalar reference.
 */
#include "ai/kernels.h"
#include "ai/quant.h"
#include "check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 12345;
static uint32_t rnd(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return (uint32_t)(rng >> 16); }
static float frand(void) { return (rnd() % 2000001) / 1000000.f - 1.f; }
static uint32_t bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

/* A random finite positive half in a sane range, for block scales. */
static ai_f16 rand_scale(void) { return ai_f32_to_f16(0.001f + (rnd() % 1000) / 10000.f); }

/* ---- element-wise decoders straight from the definitions ---- */

static float elem_q8_0(const uint8_t *row, int i) {
    const uint8_t *b = row + (i / 32) * 34;
    ai_f16 d = (ai_f16)(b[0] | b[1] << 8);
    return ai_f16_to_f32(d) * (float)(int8_t)b[2 + i % 32];
}

static float elem_q4_0(const uint8_t *row, int i) {
    const uint8_t *b = row + (i / 32) * 18;
    ai_f16 d = (ai_f16)(b[0] | b[1] << 8);
    int j = i % 32;
    int q = j < 16 ? (b[2 + j] & 15) : (b[2 + j - 16] >> 4);
    return (float)(q - 8) * ai_f16_to_f32(d);
}

static float elem_q4_k(const uint8_t *row, int i) {
    const uint8_t *b = row + (i / 256) * 144;
    float d = ai_f16_to_f32((ai_f16)(b[0] | b[1] << 8)), dmin = ai_f16_to_f32((ai_f16)(b[2] | b[3] << 8));
    const uint8_t *s = b + 4, *qs = b + 16;
    int j = i % 256, sub = j / 32;
    int sc, m;
    if (sub < 4) { sc = s[sub] & 63; m = s[sub + 4] & 63; }
    else { sc = (s[sub + 4] & 15) | ((s[sub - 4] >> 6) << 4); m = (s[sub + 4] >> 4) | ((s[sub] >> 6) << 4); }
    /* 64-weight chunk c uses bytes 32c..32c+31: low nibbles first, then high */
    int c = j / 64, l = j % 32;
    int q = (j % 64) < 32 ? (qs[32 * c + l] & 15) : (qs[32 * c + l] >> 4);
    return (d * sc) * q - (dmin * m);
}

static float elem_q6_k(const uint8_t *row, int i) {
    const uint8_t *b = row + (i / 256) * 210;
    const uint8_t *ql = b, *qh = b + 128;
    const int8_t *sc = (const int8_t *)(b + 192);
    float d = ai_f16_to_f32((ai_f16)(b[208] | b[209] << 8));
    int j = i % 256, h = j / 128, r = j % 128, quarter = r / 32, l = r % 32;
    int low = quarter == 0 ? ql[64 * h + l] & 15 : quarter == 1 ? ql[64 * h + l + 32] & 15
            : quarter == 2 ? ql[64 * h + l] >> 4 : ql[64 * h + l + 32] >> 4;
    int high = (qh[32 * h + l] >> (2 * quarter)) & 3;
    int q = (low | high << 4) - 32;
    return d * sc[j / 16] * q;
}

static void test_halves(void) {
    int bad = 0;
    for (uint32_t h = 0; h < 65536; h++) {
        float f = ai_f16_to_f32((ai_f16)h);
        float ref;
#if defined(__F16C__)
        ref = _cvtsh_ss((unsigned short)h);
#else
        /* independent formula */
        int e = (h >> 10) & 31, m = h & 1023;
        ref = e == 0 ? ldexpf((float)m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexpf((float)(m | 1024), e - 25);
        if (h & 0x8000) ref = -ref;
#endif
        if (isnan(ref) ? !isnan(f) : bits(f) != bits(ref)) bad++;
        if (!isnan(f) && ai_f32_to_f16(f) != h) bad++;
    }
    CHECK(bad == 0, "f16 round trip over all halves: %d mismatches", bad);
    /* rounding: ties to even */
    CHECK(ai_f32_to_f16(1.0f + 0x1p-11f) == 0x3c00, "1+2^-11 rounds to even (1.0)");
    CHECK(ai_f32_to_f16(1.0f + 3 * 0x1p-11f) == 0x3c02, "1+3*2^-11 rounds to even (up)");
    CHECK(ai_f32_to_f16(65520.f) == 0x7c00, "65520 overflows to inf");
    CHECK(ai_f32_to_f16(0x1p-25f) == 0, "2^-25 rounds to zero (tie to even)");
    CHECK(ai_f32_to_f16(0x1p-24f * 1.5f) == 2, "1.5*2^-24 rounds to 2 (tie to even)");
    CHECK(ai_bf16_to_f32(ai_f32_to_bf16(1.0f)) == 1.0f, "bf16 1.0");
    CHECK(ai_f32_to_bf16(1.0f + 0x1p-8f) == 0x3f80, "bf16 tie to even");
}

typedef float (*elem_fn)(const uint8_t *, int);

static void test_dequant(uint32_t type, elem_fn elem, int n) {
    const ai_type_traits *t = ai_type_traits_of(type);
    size_t nb = ai_row_bytes(type, n);
    uint8_t *raw = malloc(nb);
    for (size_t i = 0; i < nb; i++) raw[i] = (uint8_t)rnd();
    /* replace the scales with finite values (random bits could be NaN/inf) */
    for (int b = 0; b < n / t->block; b++) {
        uint8_t *blk = raw + (size_t)b * t->block_bytes;
        ai_f16 s1 = rand_scale(), s2 = rand_scale();
        if (type == AI_TYPE_Q6_K) memcpy(blk + 208, &s1, 2);
        else memcpy(blk, &s1, 2);
        if (type == AI_TYPE_Q4_K) memcpy(blk + 2, &s2, 2);
    }
    float *out = malloc(sizeof(float) * n);
    t->to_float(raw, out, n);
    int bad = 0;
    for (int i = 0; i < n; i++) if (bits(out[i]) != bits(elem(raw, i))) bad++;
    CHECK(bad == 0, "%s dequantisation: %d of %d values differ from the definition", t->name, bad, n);
    free(raw);
    free(out);
}

/* Quantise random data and check the error bound of each format. */
static void test_roundtrip(uint32_t type, float tol) {
    int n = 1024;
    const ai_type_traits *t = ai_type_traits_of(type);
    float *x = malloc(sizeof(float) * n), *y = malloc(sizeof(float) * n);
    for (int i = 0; i < n; i++) x[i] = frand();
    void *q = malloc(ai_row_bytes(type, n));
    t->from_float(x, q, n);
    t->to_float(q, y, n);
    float maxerr = 0;
    for (int i = 0; i < n; i++) maxerr = fmaxf(maxerr, fabsf(x[i] - y[i]));
    CHECK(maxerr <= tol, "%s round trip max error %g > %g", t->name, maxerr, tol);
    free(x); free(y); free(q);
}

/* SIMD dot products against the scalar reference, and against the float
 * dot of the dequantised operands. */
static void test_dots(uint32_t type, int n) {
    const ai_type_traits *t = ai_type_traits_of(type);
    float *w = malloc(sizeof(float) * n), *x = malloc(sizeof(float) * n), *wd = malloc(sizeof(float) * n), *xd = malloc(sizeof(float) * n);
    for (int i = 0; i < n; i++) { w[i] = frand(); x[i] = frand(); }
    void *wq = malloc(ai_row_bytes(type, n) * 4), *xq = malloc(ai_row_bytes(ai_vec_dot_type(type), n) + 64);
    for (int r = 0; r < 4; r++) t->from_float(w, (uint8_t *)wq + r * ai_row_bytes(type, n), n);
    ai_quantize_act(type, x, xq, n);
    t->to_float(wq, wd, n);
    ai_type_traits_of(ai_vec_dot_type(type))->to_float(xq, xd, n);
    double exact = 0;
    for (int i = 0; i < n; i++) exact += (double)wd[i] * xd[i];
    float ref, fast;
    ai_vec_dot_scalar(type, n, &ref, wq, xq);
    ai_get_vec_dot(type)(n, &fast, wq, xq);
    CHECK(fabs(ref - exact) <= 1e-4 * (1 + fabs(exact)), "%s scalar dot %g vs exact %g", t->name, ref, exact);
    CHECK(fabsf(ref - fast) <= 1e-4f * (1 + fabsf(ref)), "%s %s dot %g vs scalar %g", t->name, ai_kernels_name(), fast, ref);
    ai_vec_dot4_fn d4 = ai_avx2_vec_dot4(type);
    if (d4 && !strcmp(ai_kernels_name(), "avx2")) {
        float s4[4];
        d4(n, s4, wq, ai_row_bytes(type, n), xq);
        CHECK(s4[0] == fast && s4[3] == fast, "%s dot4 %g %g vs %g", t->name, s4[0], s4[3], fast);
    }
    free(w); free(x); free(wd); free(xd); free(wq); free(xq);
}

/* The threaded matmul (tiles, multi-row kernels, repacked weights and their
 * leftover rows and tokens) against the scalar dot of every (row, token). */
static void test_matmul(uint32_t type, int cols, int rows, int n, int threads) {
    const ai_type_traits *t = ai_type_traits_of(type);
    size_t rb = ai_row_bytes(type, cols), xb = ai_row_bytes(ai_vec_dot_type(type), cols);
    float *f = malloc(sizeof(float) * cols * (rows > n ? rows : n));
    ai_weight w = {.type = type, .cols = cols, .rows = rows, .row_bytes = rb};
    uint8_t *wq = malloc(rb * rows), *xq = malloc(xb * n);
    for (int i = 0; i < cols * rows; i++) f[i] = frand();
    for (int r = 0; r < rows; r++) t->from_float(f + (size_t)r * cols, wq + r * rb, cols);
    for (int i = 0; i < cols * n; i++) f[i] = frand();
    for (int k = 0; k < n; k++) ai_quantize_act(type, f + (size_t)k * cols, xq + k * xb, cols);
    w.data = wq;
    ai_weight_repack(&w);
    bool packable = type == AI_TYPE_Q4_0 || type == AI_TYPE_Q4_K || type == AI_TYPE_Q8_0 || type == AI_TYPE_Q6_K;
    if (packable && rows >= 8 && !strcmp(ai_kernels_name(), "avx2"))
        CHECK(w.packed != NULL && ai_weight_packed_bytes(&w) > 0, "%s weights repacked for the AVX2 kernels", t->name);
    float *out = malloc(sizeof(float) * rows * n);
    ai_pool *pool = ai_pool_new(threads);
    ai_matmul_q(pool, &w, xq, n, out);
    int bad = 0;
    for (int k = 0; k < n; k++)
        for (int r = 0; r < rows; r++) {
            float ref;
            ai_vec_dot_scalar(type, cols, &ref, wq + r * rb, xq + k * xb);
            float got = out[(size_t)k * rows + r];
            if (!(fabsf(got - ref) <= 1e-4f * (1 + fabsf(ref))) && bad++ < 3)
                CHECK(0, "%s matmul %dx%d, %d tokens%s: row %d token %d: %g vs scalar %g", t->name, rows, cols, n,
                      w.packed ? " (repacked)" : "", r, k, got, ref);
        }
    CHECK(bad == 0, "%s matmul: %d wrong", t->name, bad);
    ai_pool_free(pool);
    ai_weight_release(&w);
    free(f); free(wq); free(xq); free(out);
}

int main(void) {
    test_halves();
    test_dequant(AI_TYPE_Q8_0, elem_q8_0, 4096);
    test_dequant(AI_TYPE_Q4_0, elem_q4_0, 4096);
    test_dequant(AI_TYPE_Q4_K, elem_q4_k, 4096);
    test_dequant(AI_TYPE_Q6_K, elem_q6_k, 4096);
    test_roundtrip(AI_TYPE_F16, 1e-3f);
    test_roundtrip(AI_TYPE_BF16, 4e-3f);
    test_roundtrip(AI_TYPE_Q8_0, 1.0f / 127 * 0.51f + 1e-3f);
    test_roundtrip(AI_TYPE_Q4_0, 1.0f / 8 * 1.01f);
    test_roundtrip(AI_TYPE_Q4_K, 2.0f / 15 * 0.75f);
    test_roundtrip(AI_TYPE_Q6_K, 1.0f / 32 * 1.01f);
    uint32_t types[] = {AI_TYPE_F32, AI_TYPE_F16, AI_TYPE_BF16, AI_TYPE_Q8_0, AI_TYPE_Q4_0, AI_TYPE_Q4_K, AI_TYPE_Q6_K};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        test_dots(types[i], 256);
        test_dots(types[i], 2048);
    }
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        test_matmul(types[i], 512, 75, 1, 1);   /* generation */
        test_matmul(types[i], 512, 75, 11, 2);  /* a prompt: tiles plus leftover rows and tokens */
        test_matmul(types[i], 256, 8, 6, 1);
    }
    int t = ai_type_from_name("q4_k");
    CHECK(t == AI_TYPE_Q4_K, "type name lookup");
    return check_done("test_quant");
}
