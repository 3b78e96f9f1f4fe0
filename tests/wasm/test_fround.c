/*
 * test_fround.c — src/wasm/fround.h against libm (which the test links and
 * the engine does not): every rounding function, bit for bit, on the
 * values where rounding goes wrong (halves, the last fractional powers of
 * two, signed zeros, infinities, NaNs, subnormals) and on a few million
 * random bit patterns; a NaN must come back quiet.
 */
#include <fenv.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "wasm/fround.h"

static uint64_t bits64(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
static uint32_t bits32(float x) { uint32_t u; memcpy(&u, &x, 4); return u; }
static double from64(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }
static float from32(uint32_t u) { float x; memcpy(&x, &u, 4); return x; }

/* Equal bits, or both NaN with ours quiet. */
static int same64(double ours, double ref) {
    if (ref != ref) return ours != ours && (bits64(ours) & 0x0008000000000000ull);
    return bits64(ours) == bits64(ref);
}
static int same32(float ours, float ref) {
    if (ref != ref) return ours != ours && (bits32(ours) & 0x00400000u);
    return bits32(ours) == bits32(ref);
}

/* Mismatches per function (one CHECK each at the end, not one per value);
 * the first few are printed. */
enum { F_CEIL, F_FLOOR, F_TRUNC, F_NEAREST, F_ROUND, NFUNCS };
static const char *const func_names[NFUNCS] = {"ceil", "floor", "trunc", "nearest", "round"};
static long bad64[NFUNCS], bad32[NFUNCS], checked;
static int printed;

static void check64(double x) {
    const double ours[NFUNCS] = {wasm_ceil_f64(x), wasm_floor_f64(x), wasm_trunc_f64(x), wasm_nearest_f64(x),
                                 wasm_round_f64(x)};
    const double ref[NFUNCS] = {ceil(x), floor(x), trunc(x), nearbyint(x), round(x)};
    checked++;
    for (int i = 0; i < NFUNCS; i++) {
        if (same64(ours[i], ref[i])) continue;
        bad64[i]++;
        if (printed++ < 10)
            printf("  %s(%a = 0x%016llx) = %a, libm %a\n", func_names[i], x, (unsigned long long)bits64(x),
                   ours[i], ref[i]);
    }
}

static void check32(float x) {
    const float ours[NFUNCS] = {wasm_ceil_f32(x), wasm_floor_f32(x), wasm_trunc_f32(x), wasm_nearest_f32(x),
                                wasm_round_f32(x)};
    const float ref[NFUNCS] = {ceilf(x), floorf(x), truncf(x), nearbyintf(x), roundf(x)};
    for (int i = 0; i < NFUNCS; i++) {
        if (same32(ours[i], ref[i])) continue;
        bad32[i]++;
        if (printed++ < 10)
            printf("  %sf(%a = 0x%08x) = %a, libm %a\n", func_names[i], (double)x, bits32(x), (double)ours[i],
                   (double)ref[i]);
    }
}

/* xorshift64*: the same sequence every run. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static void edges64(void) {
    const double v[] = {0.0, 0.5, 1.0, 1.5, 2.5, 0.49999999999999994, 0x1p52, 0x1p52 - 0.5, 0x1p52 + 1,
                        0x1p51 + 0.5, 0x1p53, 0x1p1023, 0x1p-1074, 0x1p-1022, 4503599627370495.5,
                        1e300, INFINITY, 0.75, 123456.5, 7.0};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        check64(v[i]);
        check64(-v[i]);
    }
    check64(from64(0x7ff8000000000000ull)); /* quiet NaN */
    check64(from64(0x7ff0000000000001ull)); /* signalling NaN: must come back quiet */
    check64(from64(0xfff4000000000000ull));
    /* every fraction step around 2^52 and around small integers */
    for (int k = -40; k <= 40; k++) {
        check64(0x1p52 + k * 0.5);
        check64(k * 0.25);
        check64(nextafter(k * 0.5, INFINITY));
        check64(nextafter(k * 0.5, -INFINITY));
    }
}

static void edges32(void) {
    const float v[] = {0.0f, 0.5f, 1.0f, 1.5f, 2.5f, 0.49999997f, 0x1p23f, 0x1p23f - 0.5f, 0x1p23f + 1,
                       0x1p22f + 0.5f, 0x1p24f, 0x1p127f, 0x1p-149f, 0x1p-126f, 8388607.5f, 3e38f,
                       INFINITY, 0.75f, 1234.5f, 7.0f};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        check32(v[i]);
        check32(-v[i]);
    }
    check32(from32(0x7fc00000u));
    check32(from32(0x7f800001u));
    check32(from32(0xffa00000u));
    for (int k = -40; k <= 40; k++) {
        check32(0x1p23f + k * 0.5f);
        check32(k * 0.25f);
        check32(nextafterf(k * 0.5f, INFINITY));
        check32(nextafterf(k * 0.5f, -INFINITY));
    }
}

int main(void) {
    fesetround(FE_TONEAREST);
    edges64();
    edges32();
    /* Random bit patterns cover NaNs and huge values; random values of
     * moderate size cover the fractional cases, where the work is. */
    for (int i = 0; i < 1000000; i++) {
        uint64_t r = rnd();
        check64(from64(r));
        check32(from32((uint32_t)r));
        check64((double)(int64_t)r / (double)(1ull << (r & 63)));
        check32((float)(int32_t)(r >> 32) / (float)(1u << (r & 31)));
    }
    for (int i = 0; i < NFUNCS; i++) {
        CHECK(bad64[i] == 0);
        CHECK(bad32[i] == 0);
        if (bad64[i] || bad32[i]) printf("  %s: %ld double and %ld float mismatches\n", func_names[i], bad64[i], bad32[i]);
    }
    CHECK(checked > 2000000); /* the loops ran */
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
