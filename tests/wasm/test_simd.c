/*
 * test_simd.c — unit tests of the SIMD semantics in src/wasm/simd.c,
 * aimed at the edge cases: NaN propagation, signed zeros, saturation
 * boundaries, narrowing, q15mulr overflow, shuffle and swizzle indices,
 * rounding ties, trunc_sat of NaN/inf/bounds, loads, operand aliasing.
 * Prints one line per failure and "N passed, N failed" last.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "wasm/opcodes.h"
#include "wasm/simd.h"

static int passed, failed;

static void check(int ok, const char *what, int line) {
    if (ok) {
        passed++;
    } else {
        failed++;
        printf("FAIL line %d: %s\n", line, what);
    }
}
#define CHECK(cond) check((cond) != 0, #cond, __LINE__)

/* ---- building and running ------------------------------------------------ */

static wasm_v128 i8s(const int8_t v[16]) { wasm_v128 r; for (int i = 0; i < 16; i++) r.i8[i] = v[i]; return r; }
static wasm_v128 i16s(int16_t a, int16_t b, int16_t c, int16_t d, int16_t e, int16_t f, int16_t g, int16_t h) {
    wasm_v128 r;
    int16_t v[8] = {a, b, c, d, e, f, g, h};
    memcpy(r.i16, v, 16);
    return r;
}
static wasm_v128 i32s(int32_t a, int32_t b, int32_t c, int32_t d) {
    wasm_v128 r;
    r.i32[0] = a, r.i32[1] = b, r.i32[2] = c, r.i32[3] = d;
    return r;
}
static wasm_v128 u32s(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
    wasm_v128 r;
    r.u32[0] = a, r.u32[1] = b, r.u32[2] = c, r.u32[3] = d;
    return r;
}
static wasm_v128 u64s(uint64_t a, uint64_t b) {
    wasm_v128 r;
    r.u64[0] = a, r.u64[1] = b;
    return r;
}
static wasm_v128 f32s(float a, float b, float c, float d) {
    wasm_v128 r;
    r.f32[0] = a, r.f32[1] = b, r.f32[2] = c, r.f32[3] = d;
    return r;
}
static wasm_v128 f64s(double a, double b) {
    wasm_v128 r;
    r.f64[0] = a, r.f64[1] = b;
    return r;
}

/* Runs a vector op with up to three vector operands. */
static wasm_v128 run3(uint32_t op, wasm_v128 x, wasm_v128 y, wasm_v128 z, const uint8_t *imm) {
    wasm_slot a[2], b[2], c[2], d[2];
    memcpy(a, &x, 16), memcpy(b, &y, 16), memcpy(c, &z, 16);
    memset(d, 0xAB, sizeof d);
    wasm_simd_ops[op](d, a, b, c, imm);
    wasm_v128 r;
    memcpy(&r, d, 16);
    return r;
}
static wasm_v128 run2(uint32_t op, wasm_v128 x, wasm_v128 y) { return run3(op, x, y, u64s(0, 0), NULL); }
static wasm_v128 run1(uint32_t op, wasm_v128 x) { return run3(op, x, u64s(0, 0), u64s(0, 0), NULL); }

/* A vector op with a scalar second operand (shifts, replace_lane). */
static wasm_v128 run_vs(uint32_t op, wasm_v128 x, uint64_t s, const uint8_t *imm) {
    wasm_slot a[2], b[1] = {{.i64 = s}}, d[2];
    memcpy(a, &x, 16);
    wasm_simd_ops[op](d, a, b, NULL, imm);
    wasm_v128 r;
    memcpy(&r, d, 16);
    return r;
}
/* splat: the scalar is the first operand. */
static wasm_v128 run_splat(uint32_t op, uint64_t s) {
    wasm_slot a[1] = {{.i64 = s}}, d[2];
    wasm_simd_ops[op](d, a, NULL, NULL, NULL);
    wasm_v128 r;
    memcpy(&r, d, 16);
    return r;
}
/* A vector op with a scalar result (extract_lane, bitmask, tests). */
static uint64_t run_to_scalar(uint32_t op, wasm_v128 x, const uint8_t *imm) {
    wasm_slot a[2], d[1] = {{.i64 = 0xDEADBEEFDEADBEEFull}};
    memcpy(a, &x, 16);
    wasm_simd_ops[op](d, a, NULL, NULL, imm);
    return d[0].i64;
}

static int same(wasm_v128 x, wasm_v128 y) { return memcmp(&x, &y, 16) == 0; }

static float f32_of(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static double f64_of(uint64_t u) { double f; memcpy(&f, &u, 8); return f; }

/* The spec's NaN classes: canonical has only the quiet bit in its
 * payload; arithmetic has at least the quiet bit. Either sign. */
static int canon32(uint32_t u) { return (u & 0x7FFFFFFFu) == 0x7FC00000u; }
static int arith32(uint32_t u) { return (u & 0x7FC00000u) == 0x7FC00000u; }
static int canon64(uint64_t u) { return (u & 0x7FFFFFFFFFFFFFFFull) == 0x7FF8000000000000ull; }
static int arith64(uint64_t u) { return (u & 0x7FF8000000000000ull) == 0x7FF8000000000000ull; }

#define NAN32 0x7FC00000u
#define SNAN32 0x7FA00000u /* signalling, payload 0x200000 */
#define NAN64 0x7FF8000000000000ull
#define SNAN64 0x7FF4000000000000ull

/* ---- tests ----------------------------------------------------------------- */

static void test_table_complete(void) {
    /* Every pure SIMD op has a function; every load has a loader; access sizes match. */
#define CHECK_ENTRY(sym, code, imm, sig, name)                                                              \
    {                                                                                                        \
        int is_mem = WASM_IMM_##imm == WASM_IMM_MEMARG || WASM_IMM_##imm == WASM_IMM_MEMARG_LANE;            \
        int is_load = is_mem && strcmp(sig, "iv_") != 0;                                                     \
        int is_const = WASM_IMM_##imm == WASM_IMM_V128;                                                      \
        check((wasm_simd_ops[code] != NULL) == (!is_mem && !is_const), "ops entry: " name, __LINE__);        \
        check((wasm_simd_loads[code] != NULL) == is_load, "loads entry: " name, __LINE__);                   \
        check((wasm_simd_access_size(code) != 0) == is_mem, "access size: " name, __LINE__);                 \
    }
    WASM_OPS_FD(CHECK_ENTRY)
#undef CHECK_ENTRY
    CHECK(wasm_simd_access_size(OP_V128_LOAD) == 16);
    CHECK(wasm_simd_access_size(OP_V128_LOAD16X4_U) == 8);
    CHECK(wasm_simd_access_size(OP_V128_LOAD16_SPLAT) == 2);
    CHECK(wasm_simd_access_size(OP_V128_LOAD32_ZERO) == 4);
    CHECK(wasm_simd_access_size(OP_V128_STORE8_LANE) == 1);
    CHECK(wasm_simd_access_size(OP_V128_STORE64_LANE) == 8);
    CHECK(wasm_simd_access_size(OP_I8X16_ADD) == 0);
}

static void test_float_min_max(void) {
    wasm_v128 r;
    r = run2(OP_F32X4_MIN, f32s(-0.0f, 0.0f, 1.0f, -INFINITY), f32s(0.0f, -0.0f, f32_of(NAN32), 3.0f));
    CHECK(r.u32[0] == 0x80000000u && r.u32[1] == 0x80000000u);
    CHECK(canon32(r.u32[2]));
    CHECK(r.f32[3] == -INFINITY);
    r = run2(OP_F32X4_MAX, f32s(-0.0f, 0.0f, f32_of(SNAN32), 2.0f), f32s(0.0f, -0.0f, 1.0f, f32_of(NAN32 | 0x80000000u)));
    CHECK(r.u32[0] == 0 && r.u32[1] == 0);
    CHECK(arith32(r.u32[2]));
    CHECK(canon32(r.u32[3]));
    r = run2(OP_F64X2_MIN, f64s(0.0, f64_of(SNAN64)), f64s(-0.0, 5.0));
    CHECK(r.u64[0] == 0x8000000000000000ull && arith64(r.u64[1]));
    r = run2(OP_F64X2_MAX, f64s(-0.0, 1.0), f64s(0.0, f64_of(NAN64)));
    CHECK(r.u64[0] == 0 && canon64(r.u64[1]));
}

static void test_pmin_pmax(void) {
    /* pmin(a, b) = b < a ? b : a: returns operand bits unchanged, NaN included. */
    wasm_v128 r = run2(OP_F32X4_PMIN, f32s(f32_of(SNAN32), 1.0f, -0.0f, 2.0f), f32s(1.0f, f32_of(SNAN32), 0.0f, 1.0f));
    CHECK(r.u32[0] == SNAN32 && r.f32[1] == 1.0f && r.u32[2] == 0x80000000u && r.f32[3] == 1.0f);
    r = run2(OP_F32X4_PMAX, f32s(f32_of(SNAN32), 1.0f, -0.0f, 2.0f), f32s(1.0f, f32_of(SNAN32), 0.0f, 1.0f));
    CHECK(r.u32[0] == SNAN32 && r.f32[1] == 1.0f && r.u32[2] == 0x80000000u && r.f32[3] == 2.0f);
    r = run2(OP_F64X2_PMIN, f64s(0.0, 3.0), f64s(-0.0, f64_of(SNAN64)));
    CHECK(r.u64[0] == 0 && r.f64[1] == 3.0);
    r = run2(OP_F64X2_PMAX, f64s(f64_of(SNAN64), 3.0), f64s(1.0, 4.0));
    CHECK(r.u64[0] == SNAN64 && r.f64[1] == 4.0);
}

static void test_float_arith(void) {
    wasm_v128 r = run2(OP_F32X4_ADD, f32s(INFINITY, f32_of(NAN32), f32_of(SNAN32), 1.5f),
                       f32s(-INFINITY, 1.0f, 1.0f, 2.25f));
    CHECK(canon32(r.u32[0]) && canon32(r.u32[1]) && arith32(r.u32[2]) && r.f32[3] == 3.75f);
    r = run2(OP_F32X4_DIV, f32s(0.0f, 1.0f, -1.0f, 6.0f), f32s(0.0f, 0.0f, 0.0f, 3.0f));
    CHECK(canon32(r.u32[0]) && r.f32[1] == INFINITY && r.f32[2] == -INFINITY && r.f32[3] == 2.0f);
    r = run1(OP_F32X4_SQRT, f32s(-1.0f, 4.0f, -0.0f, f32_of(SNAN32)));
    CHECK(canon32(r.u32[0]) && r.f32[1] == 2.0f && r.u32[2] == 0x80000000u && arith32(r.u32[3]));
    r = run2(OP_F64X2_MUL, f64s(0.0, f64_of(SNAN64)), f64s(INFINITY, 2.0));
    CHECK(canon64(r.u64[0]) && arith64(r.u64[1]));
    /* abs and neg only flip the sign bit, even of a signalling NaN */
    r = run1(OP_F32X4_ABS, u32s(0xFFA00001u, 0x80000000u, 0xBF800000u, 0x3F800000u));
    CHECK(same(r, u32s(0x7FA00001u, 0, 0x3F800000u, 0x3F800000u)));
    r = run1(OP_F64X2_NEG, u64s(SNAN64, 0));
    CHECK(same(r, u64s(SNAN64 | 0x8000000000000000ull, 0x8000000000000000ull)));
}

static void test_rounding(void) {
    wasm_v128 r = run1(OP_F32X4_NEAREST, f32s(0.5f, 1.5f, -2.5f, -0.4f));
    CHECK(r.u32[0] == 0 && r.f32[1] == 2.0f && r.f32[2] == -2.0f && r.u32[3] == 0x80000000u);
    r = run1(OP_F64X2_NEAREST, f64s(2.5, 4503599627370495.5));
    CHECK(r.f64[0] == 2.0 && r.f64[1] == 4503599627370496.0);
    r = run1(OP_F32X4_CEIL, f32s(-0.5f, 0.1f, f32_of(SNAN32), -INFINITY));
    CHECK(r.u32[0] == 0x80000000u && r.f32[1] == 1.0f && arith32(r.u32[2]) && r.f32[3] == -INFINITY);
    r = run1(OP_F32X4_FLOOR, f32s(-0.5f, 0.5f, -0.0f, 8388607.5f));
    CHECK(r.f32[0] == -1.0f && r.u32[1] == 0 && r.u32[2] == 0x80000000u && r.f32[3] == 8388607.0f);
    r = run1(OP_F64X2_TRUNC, f64s(-1.9, f64_of(NAN64)));
    CHECK(r.f64[0] == -1.0 && canon64(r.u64[1]));
    /* a signalling NaN comes out quiet from every rounding op */
    static const uint32_t rounding32[] = {OP_F32X4_CEIL, OP_F32X4_FLOOR, OP_F32X4_TRUNC, OP_F32X4_NEAREST, OP_F32X4_SQRT};
    for (size_t i = 0; i < sizeof rounding32 / sizeof *rounding32; i++) {
        r = run1(rounding32[i], u32s(SNAN32, SNAN32 | 0x80000000u, NAN32, 0xFFC00000u));
        CHECK(arith32(r.u32[0]) && arith32(r.u32[1]) && canon32(r.u32[2]) && canon32(r.u32[3]));
    }
    static const uint32_t rounding64[] = {OP_F64X2_CEIL, OP_F64X2_FLOOR, OP_F64X2_TRUNC, OP_F64X2_NEAREST, OP_F64X2_SQRT};
    for (size_t i = 0; i < sizeof rounding64 / sizeof *rounding64; i++) {
        r = run1(rounding64[i], u64s(SNAN64, NAN64));
        CHECK(arith64(r.u64[0]) && canon64(r.u64[1]));
    }
}

static void test_trunc_sat(void) {
    wasm_v128 r = run1(OP_I32X4_TRUNC_SAT_F32X4_S, f32s(f32_of(NAN32), INFINITY, -INFINITY, -2147483648.0f));
    CHECK(same(r, i32s(0, INT32_MAX, INT32_MIN, INT32_MIN)));
    r = run1(OP_I32X4_TRUNC_SAT_F32X4_S, f32s(2147483520.0f, 2147483648.0f, -1.9f, f32_of(0xFFC00000u)));
    CHECK(same(r, i32s(2147483520, INT32_MAX, -1, 0)));
    r = run1(OP_I32X4_TRUNC_SAT_F32X4_U, f32s(-0.9f, -1.0f, 4294967040.0f, 4294967296.0f));
    CHECK(same(r, u32s(0, 0, 4294967040u, UINT32_MAX)));
    r = run1(OP_I32X4_TRUNC_SAT_F64X2_S_ZERO, f64s(-2147483648.9, 2147483647.9));
    CHECK(same(r, i32s(INT32_MIN, INT32_MAX, 0, 0)));
    r = run1(OP_I32X4_TRUNC_SAT_F64X2_S_ZERO, f64s(-2147483649.0, f64_of(NAN64)));
    CHECK(same(r, i32s(INT32_MIN, 0, 0, 0)));
    r = run1(OP_I32X4_TRUNC_SAT_F64X2_U_ZERO, f64s(4294967295.9, -INFINITY));
    CHECK(same(r, u32s(UINT32_MAX, 0, 0, 0)));
}

static void test_conversions(void) {
    /* 16777217 is not an f32: ties round to even */
    wasm_v128 r = run1(OP_F32X4_CONVERT_I32X4_S, i32s(16777217, -16777219, INT32_MIN, 1));
    CHECK(r.f32[0] == 16777216.0f && r.f32[1] == -16777220.0f && r.f32[2] == -2147483648.0f && r.f32[3] == 1.0f);
    r = run1(OP_F32X4_CONVERT_I32X4_U, u32s(UINT32_MAX, 0x80000080u, 0x80000081u, 0));
    CHECK(r.f32[0] == 4294967296.0f && r.f32[1] == 2147483648.0f && r.f32[2] == 2147483904.0f && r.u32[3] == 0);
    r = run1(OP_F64X2_CONVERT_LOW_I32X4_S, i32s(-1, INT32_MIN, 7, 7));
    CHECK(r.f64[0] == -1.0 && r.f64[1] == -2147483648.0);
    r = run1(OP_F64X2_CONVERT_LOW_I32X4_U, i32s(-1, 2, 7, 7));
    CHECK(r.f64[0] == 4294967295.0 && r.f64[1] == 2.0);
    r = run1(OP_F32X4_DEMOTE_F64X2_ZERO, f64s(f64_of(NAN64), 1e300));
    CHECK(canon32(r.u32[0]) && r.f32[1] == INFINITY && r.u32[2] == 0 && r.u32[3] == 0);
    r = run1(OP_F64X2_PROMOTE_LOW_F32X4, f32s(f32_of(NAN32), -0.0f, 9.0f, 9.0f));
    CHECK(canon64(r.u64[0]) && r.u64[1] == 0x8000000000000000ull);
}

static void test_saturating(void) {
    int8_t a[16] = {127, -128, 100, -100, 1, -1, 0, 127, 0, 0, 0, 0, 0, 0, 0, 0};
    int8_t b[16] = {1, -1, 100, -100, -1, 1, 0, -128, 0, 0, 0, 0, 0, 0, 0, 0};
    wasm_v128 r = run2(OP_I8X16_ADD_SAT_S, i8s(a), i8s(b));
    CHECK(r.i8[0] == 127 && r.i8[1] == -128 && r.i8[2] == 127 && r.i8[3] == -128 && r.i8[4] == 0 && r.i8[7] == -1);
    r = run2(OP_I8X16_SUB_SAT_S, i8s(a), i8s(b));
    CHECK(r.i8[0] == 126 && r.i8[1] == -127 && r.i8[2] == 0 && r.i8[4] == 2 && r.i8[5] == -2 && r.i8[7] == 127);
    r = run2(OP_I8X16_ADD_SAT_U, i8s(a), i8s(b)); /* 0xFF + 0x01 etc. */
    CHECK(r.u8[1] == 255 && r.u8[4] == 255 && r.u8[0] == 128);
    r = run2(OP_I8X16_SUB_SAT_U, i8s(a), i8s(b));
    CHECK(r.u8[0] == 126 && r.u8[4] == 0 && r.u8[7] == 0);
    r = run2(OP_I16X8_ADD_SAT_S, i16s(32767, -32768, 5, 0, 0, 0, 0, 0), i16s(1, -1, -6, 0, 0, 0, 0, 0));
    CHECK(r.i16[0] == 32767 && r.i16[1] == -32768 && r.i16[2] == -1);
    r = run2(OP_I16X8_SUB_SAT_U, i16s(5, -1, 0, 0, 0, 0, 0, 0), i16s(6, 1, 0, 0, 0, 0, 0, 0));
    CHECK(r.u16[0] == 0 && r.u16[1] == 65534);
    r = run2(OP_I16X8_ADD_SAT_U, i16s(-1, 1, 0, 0, 0, 0, 0, 0), i16s(-1, 1, 0, 0, 0, 0, 0, 0));
    CHECK(r.u16[0] == 65535 && r.u16[1] == 2);
}

static void test_narrow(void) {
    wasm_v128 r = run2(OP_I8X16_NARROW_I16X8_S, i16s(128, -129, 127, -128, 0, 300, -300, 1),
                       i16s(-1, 32767, -32768, 5, 0, 0, 0, 0));
    CHECK(r.i8[0] == 127 && r.i8[1] == -128 && r.i8[2] == 127 && r.i8[3] == -128 && r.i8[5] == 127 &&
          r.i8[6] == -128 && r.i8[7] == 1 && r.i8[8] == -1 && r.i8[9] == 127 && r.i8[10] == -128 && r.i8[11] == 5);
    r = run2(OP_I8X16_NARROW_I16X8_U, i16s(256, -1, 255, 0, 0, 0, 0, 0), i16s(-32768, 32767, 7, 0, 0, 0, 0, 0));
    CHECK(r.u8[0] == 255 && r.u8[1] == 0 && r.u8[2] == 255 && r.u8[8] == 0 && r.u8[9] == 255 && r.u8[10] == 7);
    r = run2(OP_I16X8_NARROW_I32X4_S, i32s(32768, -32769, 1, -1), i32s(INT32_MAX, INT32_MIN, 0, 0));
    CHECK(same(r, i16s(32767, -32768, 1, -1, 32767, -32768, 0, 0)));
    r = run2(OP_I16X8_NARROW_I32X4_U, i32s(65536, -1, 65535, 3), i32s(INT32_MAX, INT32_MIN, 0, 0));
    CHECK(same(r, i16s(-1, 0, -1, 3, -1, 0, 0, 0)));
}

static void test_q15mulr_dot(void) {
    wasm_v128 r = run2(OP_I16X8_Q15MULR_SAT_S, i16s(-32768, 32767, 16384, -16384, 1, -1, 0, 3),
                       i16s(-32768, 32767, 16384, 16384, 16384, 16384, 9, -32768));
    /* (-32768)^2 saturates; (x*y + 0x4000) >> 15 rounds half up */
    CHECK(same(r, i16s(32767, 32766, 8192, -8192, 1, 0, 0, -3)));
    r = run2(OP_I32X4_DOT_I16X8_S, i16s(-32768, -32768, 1, 2, 3, 4, 32767, 32767),
             i16s(-32768, -32768, 5, 6, -7, 8, 32767, 32767));
    CHECK(same(r, i32s(INT32_MIN, 17, 11, 2147352578)));
}

static void test_shuffle_swizzle(void) {
    int8_t av[16], bv[16];
    for (int i = 0; i < 16; i++) av[i] = (int8_t)i, bv[i] = (int8_t)(100 + i);
    uint8_t lanes[16] = {0, 16, 31, 15, 17, 1, 30, 2, 3, 4, 5, 6, 20, 21, 22, 23};
    wasm_v128 r = run3(OP_I8X16_SHUFFLE, i8s(av), i8s(bv), u64s(0, 0), lanes);
    int8_t want[16] = {0, 100, 115, 15, 101, 1, 114, 2, 3, 4, 5, 6, 104, 105, 106, 107};
    CHECK(same(r, i8s(want)));
    int8_t idx[16] = {15, 16, -1, 0, 17, 127, -128, 5, 1, 2, 3, 4, 32, 8, 9, 10};
    r = run2(OP_I8X16_SWIZZLE, i8s(av), i8s(idx));
    int8_t want2[16] = {15, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 0, 8, 9, 10};
    CHECK(same(r, i8s(want2)));
}

static void test_shifts(void) {
    wasm_v128 r = run_vs(OP_I8X16_SHL, u64s(0x8101010101010101ull, 0), 9, NULL); /* 9 mod 8 = 1 */
    CHECK(r.u64[0] == 0x0202020202020202ull);
    r = run_vs(OP_I8X16_SHR_S, u64s(0x80808080808080FFull, 0), 7, NULL);
    CHECK(r.u64[0] == 0xFFFFFFFFFFFFFFFFull);
    r = run_vs(OP_I16X8_SHR_U, i16s(-1, -32768, 0, 0, 0, 0, 0, 0), 0xFFFFFFFFull, NULL); /* 15 */
    CHECK(r.u16[0] == 1 && r.u16[1] == 1);
    r = run_vs(OP_I32X4_SHR_S, i32s(INT32_MIN, -8, 8, 1), 33, NULL);
    CHECK(same(r, i32s(-1073741824, -4, 4, 0)));
    r = run_vs(OP_I64X2_SHL, u64s(1, 3), 64 + 63, NULL);
    CHECK(same(r, u64s(0x8000000000000000ull, 0x8000000000000000ull)));
    r = run_vs(OP_I64X2_SHR_S, u64s(0x8000000000000000ull, 4), 64, NULL);
    CHECK(same(r, u64s(0x8000000000000000ull, 4)));
}

static void test_integer_misc(void) {
    int8_t a[16] = {-128, 127, -1, 0, 5, -5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    wasm_v128 r = run1(OP_I8X16_ABS, i8s(a));
    CHECK(r.u8[0] == 0x80 && r.u8[1] == 127 && r.u8[2] == 1 && r.u8[5] == 5);
    r = run1(OP_I8X16_NEG, i8s(a));
    CHECK(r.u8[0] == 0x80 && r.i8[1] == -127 && r.i8[2] == 1);
    r = run1(OP_I32X4_ABS, i32s(INT32_MIN, -1, 1, 0));
    CHECK(same(r, i32s(INT32_MIN, 1, 1, 0)));
    r = run1(OP_I64X2_NEG, u64s(0x8000000000000000ull, 1));
    CHECK(same(r, u64s(0x8000000000000000ull, UINT64_MAX)));
    r = run1(OP_I8X16_POPCNT, u64s(0xFF0F0301ull, 0x80));
    CHECK(r.u8[0] == 1 && r.u8[1] == 2 && r.u8[2] == 4 && r.u8[3] == 8 && r.u8[8] == 1);
    r = run2(OP_I8X16_AVGR_U, u64s(0xFF00FFull, 0), u64s(0xFF01FEull, 0));
    CHECK(r.u8[0] == 255 && r.u8[1] == 1 && r.u8[2] == 255);
    r = run2(OP_I16X8_AVGR_U, i16s(-1, 0, 3, 0, 0, 0, 0, 0), i16s(-1, 1, 4, 0, 0, 0, 0, 0));
    CHECK(r.u16[0] == 65535 && r.u16[1] == 1 && r.u16[2] == 4);
    r = run2(OP_I16X8_MUL, i16s(-1, 300, -32768, 0, 0, 0, 0, 0), i16s(-1, 300, -1, 0, 0, 0, 0, 0));
    CHECK(r.i16[0] == 1 && r.u16[1] == (uint16_t)90000 && r.i16[2] == -32768);
    r = run2(OP_I64X2_MUL, u64s(UINT64_MAX, 1ull << 32), u64s(UINT64_MAX, 1ull << 32));
    CHECK(same(r, u64s(1, 0)));
    r = run2(OP_I32X4_MIN_U, i32s(-1, 0, 5, 7), i32s(1, 0, -5, 8));
    CHECK(same(r, i32s(1, 0, 5, 7)));
    r = run2(OP_I32X4_MAX_S, i32s(-1, 0, 5, INT32_MIN), i32s(1, 0, -5, 8));
    CHECK(same(r, i32s(1, 0, 5, 8)));
}

static void test_extend_extmul_extadd(void) {
    int8_t a[16] = {-128, 127, -1, 0, 1, 2, 3, 4, -5, 6, 7, 8, 9, 10, 11, -12};
    wasm_v128 r = run1(OP_I16X8_EXTEND_LOW_I8X16_S, i8s(a));
    CHECK(same(r, i16s(-128, 127, -1, 0, 1, 2, 3, 4)));
    r = run1(OP_I16X8_EXTEND_HIGH_I8X16_U, i8s(a));
    CHECK(same(r, i16s(251, 6, 7, 8, 9, 10, 11, 244)));
    r = run1(OP_I64X2_EXTEND_HIGH_I32X4_S, i32s(0, 0, -2, 3));
    CHECK(same(r, u64s((uint64_t)-2, 3)));
    r = run1(OP_I64X2_EXTEND_LOW_I32X4_U, i32s(-2, 3, 0, 0));
    CHECK(same(r, u64s(0xFFFFFFFEull, 3)));
    r = run2(OP_I16X8_EXTMUL_LOW_I8X16_S, i8s(a), i8s(a));
    CHECK(same(r, i16s(16384, 16129, 1, 0, 1, 4, 9, 16)));
    r = run2(OP_I16X8_EXTMUL_HIGH_I8X16_U, i8s(a), i8s(a));
    CHECK(r.u16[0] == 251 * 251 && r.u16[7] == 244 * 244);
    r = run2(OP_I32X4_EXTMUL_LOW_I16X8_U, i16s(-1, 2, 0, 0, 0, 0, 0, 0), i16s(-1, 3, 0, 0, 0, 0, 0, 0));
    CHECK(same(r, u32s(0xFFFE0001u, 6, 0, 0)));
    r = run2(OP_I64X2_EXTMUL_HIGH_I32X4_S, i32s(0, 0, INT32_MIN, -1), i32s(0, 0, INT32_MIN, 5));
    CHECK(same(r, u64s(0x4000000000000000ull, (uint64_t)-5)));
    r = run2(OP_I64X2_EXTMUL_LOW_I32X4_U, i32s(-1, 2, 0, 0), i32s(-1, 3, 0, 0));
    CHECK(same(r, u64s(0xFFFFFFFE00000001ull, 6)));
    r = run1(OP_I16X8_EXTADD_PAIRWISE_I8X16_S, i8s(a));
    CHECK(same(r, i16s(-1, -1, 3, 7, 1, 15, 19, -1)));
    r = run1(OP_I16X8_EXTADD_PAIRWISE_I8X16_U, u64s(UINT64_MAX, UINT64_MAX));
    CHECK(same(r, i16s(510, 510, 510, 510, 510, 510, 510, 510)));
    r = run1(OP_I32X4_EXTADD_PAIRWISE_I16X8_S, i16s(-32768, -32768, 32767, 32767, 1, -2, 0, 0));
    CHECK(same(r, i32s(-65536, 65534, -1, 0)));
    r = run1(OP_I32X4_EXTADD_PAIRWISE_I16X8_U, i16s(-1, -1, 0, 0, 0, 0, 0, 0));
    CHECK(same(r, i32s(131070, 0, 0, 0)));
}

static void test_compare(void) {
    wasm_v128 r = run2(OP_F32X4_EQ, f32s(f32_of(NAN32), 0.0f, 1.0f, 2.0f), f32s(f32_of(NAN32), -0.0f, 2.0f, 2.0f));
    CHECK(same(r, u32s(0, UINT32_MAX, 0, UINT32_MAX)));
    r = run2(OP_F32X4_NE, f32s(f32_of(NAN32), 0.0f, 1.0f, 2.0f), f32s(f32_of(NAN32), -0.0f, 2.0f, 2.0f));
    CHECK(same(r, u32s(UINT32_MAX, 0, UINT32_MAX, 0)));
    r = run2(OP_F64X2_LE, f64s(f64_of(NAN64), -0.0), f64s(1.0, 0.0));
    CHECK(same(r, u64s(0, UINT64_MAX)));
    int8_t a[16] = {-1, 1, -128, 127, 0};
    int8_t b[16] = {1, -1, 127, -128, 0};
    r = run2(OP_I8X16_LT_S, i8s(a), i8s(b));
    CHECK(r.u8[0] == 0xFF && r.u8[1] == 0 && r.u8[2] == 0xFF && r.u8[3] == 0 && r.u8[4] == 0);
    r = run2(OP_I8X16_LT_U, i8s(a), i8s(b));
    CHECK(r.u8[0] == 0 && r.u8[1] == 0xFF && r.u8[2] == 0 && r.u8[3] == 0xFF && r.u8[4] == 0);
    r = run2(OP_I64X2_GE_S, u64s((uint64_t)-1, 5), u64s(0, 5));
    CHECK(same(r, u64s(0, UINT64_MAX)));
    r = run2(OP_I16X8_GT_U, i16s(-1, 1, 0, 0, 0, 0, 0, 0), i16s(1, -1, 0, 0, 0, 0, 0, 0));
    CHECK(same(r, i16s(-1, 0, 0, 0, 0, 0, 0, 0)));
}

static void test_bitwise_and_tests(void) {
    wasm_v128 r = run3(OP_V128_BITSELECT, u64s(0xAAAAAAAAAAAAAAAAull, 1), u64s(0x5555555555555555ull, 2),
                       u64s(0xFFFF0000FFFF0000ull, 0), NULL);
    CHECK(same(r, u64s(0xAAAA5555AAAA5555ull, 2)));
    r = run2(OP_V128_ANDNOT, u64s(0xFF, 0xF0), u64s(0x0F, 0xFF));
    CHECK(same(r, u64s(0xF0, 0)));
    r = run1(OP_V128_NOT, u64s(0, UINT64_MAX));
    CHECK(same(r, u64s(UINT64_MAX, 0)));
    CHECK(run_to_scalar(OP_V128_ANY_TRUE, u64s(0, 1ull << 63), NULL) == 1);
    CHECK(run_to_scalar(OP_V128_ANY_TRUE, u64s(0, 0), NULL) == 0);
    CHECK(run_to_scalar(OP_I8X16_ALL_TRUE, u64s(UINT64_MAX, 0xFF00FFFFFFFFFFFFull), NULL) == 0);
    CHECK(run_to_scalar(OP_I8X16_ALL_TRUE, u64s(0x0101010101010101ull, 0x8080808080808080ull), NULL) == 1);
    CHECK(run_to_scalar(OP_I16X8_ALL_TRUE, u64s(0x0001000100010100ull, 0x8000800080000001ull), NULL) == 1);
    CHECK(run_to_scalar(OP_I32X4_ALL_TRUE, i32s(1, 2, 0, 4), NULL) == 0);
    CHECK(run_to_scalar(OP_I64X2_ALL_TRUE, u64s(1ull << 40, 1), NULL) == 1);
    CHECK(run_to_scalar(OP_I8X16_BITMASK, u64s(0x80, 0xFF00000000000000ull), NULL) == 0x8001);
    CHECK(run_to_scalar(OP_I16X8_BITMASK, i16s(-1, 0, -32768, 32767, 0, 0, 0, -2), NULL) == 0x85);
    CHECK(run_to_scalar(OP_I32X4_BITMASK, i32s(-1, 0, INT32_MIN, 1), NULL) == 5);
    CHECK(run_to_scalar(OP_I64X2_BITMASK, u64s(1, 1ull << 63), NULL) == 2);
}

static void test_lanes_and_splats(void) {
    uint8_t lane;
    int8_t a[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -2};
    lane = 15;
    CHECK(run_to_scalar(OP_I8X16_EXTRACT_LANE_S, i8s(a), &lane) == 0xFFFFFFFEull);
    CHECK(run_to_scalar(OP_I8X16_EXTRACT_LANE_U, i8s(a), &lane) == 0xFE);
    lane = 7;
    CHECK(run_to_scalar(OP_I16X8_EXTRACT_LANE_S, i16s(0, 0, 0, 0, 0, 0, 0, -32768), &lane) == 0xFFFF8000ull);
    CHECK(run_to_scalar(OP_I16X8_EXTRACT_LANE_U, i16s(0, 0, 0, 0, 0, 0, 0, -32768), &lane) == 0x8000);
    lane = 1;
    CHECK(run_to_scalar(OP_I64X2_EXTRACT_LANE, u64s(1, 0x123456789ull), &lane) == 0x123456789ull);
    lane = 2;
    CHECK(run_to_scalar(OP_F32X4_EXTRACT_LANE, u32s(0, 0, SNAN32, 0), &lane) == SNAN32);
    lane = 3;
    wasm_v128 r = run_vs(OP_I8X16_REPLACE_LANE, u64s(0, 0), 0x1234, &lane);
    CHECK(same(r, u64s(0x34000000ull, 0)));
    lane = 1;
    r = run_vs(OP_F64X2_REPLACE_LANE, u64s(7, 7), SNAN64, &lane);
    CHECK(same(r, u64s(7, SNAN64)));
    r = run_splat(OP_I16X8_SPLAT, 0xABCD1234ull);
    CHECK(same(r, u64s(0x1234123412341234ull, 0x1234123412341234ull)));
    r = run_splat(OP_F32X4_SPLAT, SNAN32);
    CHECK(same(r, u32s(SNAN32, SNAN32, SNAN32, SNAN32)));
    r = run_splat(OP_I8X16_SPLAT, 0xFFFFFF80ull);
    CHECK(same(r, u64s(0x8080808080808080ull, 0x8080808080808080ull)));
    r = run_splat(OP_F64X2_SPLAT, SNAN64);
    CHECK(same(r, u64s(SNAN64, SNAN64)));
    r = run_splat(OP_I64X2_SPLAT, 0x8000000000000001ull);
    CHECK(same(r, u64s(0x8000000000000001ull, 0x8000000000000001ull)));
}

static void test_aliasing(void) {
    /* dst == a == b: every op must read its inputs before writing */
    wasm_slot v[2];
    wasm_v128 x = i32s(1, 2, 3, 4);
    memcpy(v, &x, 16);
    wasm_simd_ops[OP_I32X4_ADD](v, v, v, NULL, NULL);
    CHECK(v[0].i64 == (2ull | 4ull << 32) && v[1].i64 == (6ull | 8ull << 32));
    uint8_t rev[16] = {15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
    x = u64s(0x0706050403020100ull, 0x0F0E0D0C0B0A0908ull);
    memcpy(v, &x, 16);
    wasm_simd_ops[OP_I8X16_SHUFFLE](v, v, v, NULL, rev);
    CHECK(v[0].i64 == 0x08090A0B0C0D0E0Full && v[1].i64 == 0x0001020304050607ull);
    memcpy(v, &x, 16);
    wasm_simd_ops[OP_I8X16_NARROW_I16X8_S](v, v, v, NULL, NULL);
    CHECK(v[0].i64 == 0x7F7F7F7F7F7F7F7Full);
}

static void test_loads(void) {
    uint8_t mem[17];
    for (int i = 0; i < 17; i++) mem[i] = (uint8_t)(0xF0 + i);
    wasm_slot d[2], vec[2] = {{.i64 = 0x1111111111111111ull}, {.i64 = 0x2222222222222222ull}};
    wasm_v128 r;
    wasm_simd_loads[OP_V128_LOAD](d, mem + 1, NULL, 0); /* unaligned */
    CHECK(d[0].i64 == 0xF8F7F6F5F4F3F2F1ull && d[1].i64 == 0x00FFFEFDFCFBFAF9ull);
    wasm_simd_loads[OP_V128_LOAD8X8_S](d, mem, NULL, 0);
    memcpy(&r, d, 16);
    CHECK(same(r, i16s(-16, -15, -14, -13, -12, -11, -10, -9)));
    wasm_simd_loads[OP_V128_LOAD8X8_U](d, mem, NULL, 0);
    memcpy(&r, d, 16);
    CHECK(same(r, i16s(0xF0, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7)));
    wasm_simd_loads[OP_V128_LOAD16X4_S](d, mem, NULL, 0);
    memcpy(&r, d, 16);
    CHECK(same(r, i32s((int16_t)0xF1F0, (int16_t)0xF3F2, (int16_t)0xF5F4, (int16_t)0xF7F6)));
    wasm_simd_loads[OP_V128_LOAD32X2_U](d, mem, NULL, 0);
    CHECK(d[0].i64 == 0xF3F2F1F0ull && d[1].i64 == 0xF7F6F5F4ull);
    wasm_simd_loads[OP_V128_LOAD32X2_S](d, mem, NULL, 0);
    CHECK(d[0].i64 == 0xFFFFFFFFF3F2F1F0ull);
    wasm_simd_loads[OP_V128_LOAD16_SPLAT](d, mem + 3, NULL, 0);
    CHECK(d[0].i64 == 0xF4F3F4F3F4F3F4F3ull && d[1].i64 == d[0].i64);
    wasm_simd_loads[OP_V128_LOAD64_SPLAT](d, mem, NULL, 0);
    CHECK(d[0].i64 == 0xF7F6F5F4F3F2F1F0ull && d[1].i64 == d[0].i64);
    wasm_simd_loads[OP_V128_LOAD32_ZERO](d, mem, NULL, 0);
    CHECK(d[0].i64 == 0xF3F2F1F0ull && d[1].i64 == 0);
    wasm_simd_loads[OP_V128_LOAD64_ZERO](d, mem, NULL, 0);
    CHECK(d[0].i64 == 0xF7F6F5F4F3F2F1F0ull && d[1].i64 == 0);
    wasm_simd_loads[OP_V128_LOAD8_LANE](d, mem, vec, 9);
    CHECK(d[0].i64 == 0x1111111111111111ull && d[1].i64 == 0x222222222222F022ull);
    wasm_simd_loads[OP_V128_LOAD16_LANE](d, mem, vec, 0);
    CHECK(d[0].i64 == 0x111111111111F1F0ull && d[1].i64 == 0x2222222222222222ull);
    wasm_simd_loads[OP_V128_LOAD64_LANE](vec, mem, vec, 1); /* in place */
    CHECK(vec[0].i64 == 0x1111111111111111ull && vec[1].i64 == 0xF7F6F5F4F3F2F1F0ull);
    wasm_simd_loads[OP_V128_LOAD32_LANE](d, mem, vec, 3);
    CHECK(d[1].i64 == 0xF3F2F1F0F3F2F1F0ull);
}

int main(void) {
    test_table_complete();
    test_float_min_max();
    test_pmin_pmax();
    test_float_arith();
    test_rounding();
    test_trunc_sat();
    test_conversions();
    test_saturating();
    test_narrow();
    test_q15mulr_dot();
    test_shuffle_swizzle();
    test_shifts();
    test_integer_misc();
    test_extend_extmul_extadd();
    test_compare();
    test_bitwise_and_tests();
    test_lanes_and_splats();
    test_aliasing();
    test_loads();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
