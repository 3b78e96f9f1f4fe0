/*
 * fround.h — rounding to an integral value (Wasm's fNN.ceil, floor, trunc,
 * nearest, and C's ceil & co. for the calls compiled code may make), in
 * plain C instead of libm.
 *
 * Why not libm: it is the only thing the engine needs from it, and each
 * shared library an executable links costs every process start its
 * mapping, relocation and symbol binding (0.27 ms for libm measured on the
 * CI's VM), most of `anywhere run hello.wasm`'s margin over native. On
 * x86-64 without SSE4.1 (the baseline) libm's versions are calls too.
 *
 * Exact for every input: a double of magnitude 2^52 or more (2^23 for a
 * float) is already integral, and below that the integer conversion and
 * the additions used are exact or round exactly once. A NaN comes back
 * quieted (x + x), as the spec's arithmetic NaN rule and C both want; the
 * sign of a zero result is the input's (copysign), as in C. `nearest` and
 * `rint` assume the default rounding mode (to nearest, ties to even), which
 * nothing in the process changes.
 */
#ifndef AW_WASM_FROUND_H
#define AW_WASM_FROUND_H

#include <stdint.h>

static inline double wasm_trunc_f64(double x) {
    if (x != x) return x + x;
    if (!(__builtin_fabs(x) < 0x1p52)) return x;
    return __builtin_copysign((double)(int64_t)x, x);
}

static inline double wasm_floor_f64(double x) {
    if (x != x || !(__builtin_fabs(x) < 0x1p52)) return wasm_trunc_f64(x);
    double t = wasm_trunc_f64(x);
    return t > x ? t - 1.0 : t;
}

static inline double wasm_ceil_f64(double x) {
    if (x != x || !(__builtin_fabs(x) < 0x1p52)) return wasm_trunc_f64(x);
    double t = wasm_trunc_f64(x);
    return t < x ? t + 1.0 : t;
}

/* Ties to even: adding 2^52 leaves no fraction bits, so the addition itself
 * rounds (in the default mode); subtracting it back is exact. */
static inline double wasm_nearest_f64(double x) {
    if (x != x || !(__builtin_fabs(x) < 0x1p52)) return wasm_trunc_f64(x);
    return __builtin_copysign(__builtin_fabs(x) + 0x1p52 - 0x1p52, x); /* never built with -ffast-math */
}

/* C's round: ties away from zero (x - t is exact below 2^52). */
static inline double wasm_round_f64(double x) {
    if (x != x || !(__builtin_fabs(x) < 0x1p52)) return wasm_trunc_f64(x);
    double t = wasm_trunc_f64(x);
    if (__builtin_fabs(x - t) >= 0.5) t += __builtin_copysign(1.0, x);
    return t;
}

static inline float wasm_trunc_f32(float x) {
    if (x != x) return x + x;
    if (!(__builtin_fabsf(x) < 0x1p23f)) return x;
    return __builtin_copysignf((float)(int32_t)x, x);
}

static inline float wasm_floor_f32(float x) {
    if (x != x || !(__builtin_fabsf(x) < 0x1p23f)) return wasm_trunc_f32(x);
    float t = wasm_trunc_f32(x);
    return t > x ? t - 1.0f : t;
}

static inline float wasm_ceil_f32(float x) {
    if (x != x || !(__builtin_fabsf(x) < 0x1p23f)) return wasm_trunc_f32(x);
    float t = wasm_trunc_f32(x);
    return t < x ? t + 1.0f : t;
}

static inline float wasm_nearest_f32(float x) {
    if (x != x || !(__builtin_fabsf(x) < 0x1p23f)) return wasm_trunc_f32(x);
    return __builtin_copysignf(__builtin_fabsf(x) + 0x1p23f - 0x1p23f, x);
}

static inline float wasm_round_f32(float x) {
    if (x != x || !(__builtin_fabsf(x) < 0x1p23f)) return wasm_trunc_f32(x);
    float t = wasm_trunc_f32(x);
    if (__builtin_fabsf(x - t) >= 0.5f) t += __builtin_copysignf(1.0f, x);
    return t;
}

#endif
