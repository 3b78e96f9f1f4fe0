/*
 * simd.c — semantics of Wasm's fixed-width SIMD (0xFD) instructions.
 *
 * Every operation reads its inputs into local wasm_v128 values, computes a
 * fresh result and copies it out, so dst may alias any operand. Lane-wise
 * families are stamped out by a few generator macros (MAP1, MAP2, CMP,
 * SHIFT, ...) from a named per-lane operation: a plain C operator macro
 * (ADD, MIN) or a small typed helper (add_sat_s8, f32_min) that carries
 * the spec's edge cases. Integer arithmetic that could overflow is done in
 * unsigned or wider types: the build runs under UBSan.
 *
 * Floats: plain C arithmetic on IEEE types gives the spec's results,
 * including NaN propagation (a NaN result is quiet, and canonical when
 * the inputs are). Operations that must return an operand's exact bits
 * (abs, neg, pmin, pmax, lane moves) work on the integer lanes.
 *
 * Layout: the engine runs on little-endian hosts, where the bytes of the
 * two slots of a v128 are exactly the 16 lane bytes of the value.
 */
#include "wasm/simd.h"

#include "wasm/fround.h"
#include "wasm/opcodes.h"

#include <math.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "simd.c maps slot bytes to lanes directly: little-endian hosts only"
#endif
_Static_assert(sizeof(wasm_slot) == 8, "a v128 is two 8-byte slots");
_Static_assert(sizeof(wasm_v128) == 16, "v128 is 16 bytes");

/* ---- moving values in and out of slots ---------------------------------- */

static inline wasm_v128 v_get(const wasm_slot *s) {
    wasm_v128 v;
    memcpy(&v, s, sizeof v);
    return v;
}

static inline void v_put(wasm_slot *s, const wasm_v128 *v) { memcpy(s, v, sizeof *v); }

static inline wasm_v128 v_zero(void) { return (wasm_v128){.u64 = {0, 0}}; }

/* Scalars: an i32 (or f32's bits) is the low 32 bits of its slot. */
static inline uint32_t s_u32(const wasm_slot *s) { return s->i32; }
static inline uint64_t s_u64(const wasm_slot *s) { return s->i64; }
static inline void put_u32(wasm_slot *s, uint32_t v) { s->i64 = v; }
static inline void put_u64(wasm_slot *s, uint64_t v) { s->i64 = v; }

#define SIMD_ARGS wasm_slot *dst, const wasm_slot *a, const wasm_slot *b, const wasm_slot *c, const uint8_t *imm
#define IGNORE_ARGS ((void)a, (void)b, (void)c, (void)imm)

/* ---- generators for the lane-wise families ------------------------------ */

/* r[i] = FN(x[i]) for lanes 0..N-1 (other lanes 0) */
#define MAP1(name, n, out, in, fn)                                                                \
    static void name(SIMD_ARGS) {                                                                 \
        IGNORE_ARGS;                                                                              \
        wasm_v128 x = v_get(a), r = v_zero();                                                     \
        for (int i = 0; i < (n); i++) r.out[i] = fn(x.in[i]);                                     \
        v_put(dst, &r);                                                                           \
    }

/* r[i] = FN(x[i], y[i]) */
#define MAP2(name, n, out, in, fn)                                                                \
    static void name(SIMD_ARGS) {                                                                 \
        IGNORE_ARGS;                                                                              \
        wasm_v128 x = v_get(a), y = v_get(b), r;                                                  \
        for (int i = 0; i < (n); i++) r.out[i] = fn(x.in[i], y.in[i]);                            \
        v_put(dst, &r);                                                                           \
    }

/* r[i] = all ones if x[i] OP y[i], else 0 */
#define CMP(name, n, out, out_t, in, op)                                                          \
    static void name(SIMD_ARGS) {                                                                 \
        IGNORE_ARGS;                                                                              \
        wasm_v128 x = v_get(a), y = v_get(b), r;                                                  \
        for (int i = 0; i < (n); i++) r.out[i] = (out_t)-(int)(x.in[i] op y.in[i]);               \
        v_put(dst, &r);                                                                           \
    }

/* r[i] = x[i] OP (count mod lane width) */
#define SHIFT(name, n, lane, lane_t, bits, op)                                                    \
    static void name(SIMD_ARGS) {                                                                 \
        IGNORE_ARGS;                                                                              \
        wasm_v128 x = v_get(a), r;                                                                \
        uint32_t k = s_u32(b) & ((bits) - 1);                                                     \
        for (int i = 0; i < (n); i++) r.lane[i] = (lane_t)(x.lane[i] op k);                       \
        v_put(dst, &r);                                                                           \
    }

/* r[i] = x[i + off], widened (extend_low/high) */
#define WIDEN(name, n, out, in, off)                                                              \
    static void name(SIMD_ARGS) {                                                                 \
        IGNORE_ARGS;                                                                              \
        wasm_v128 x = v_get(a), r;                                                                \
        for (int i = 0; i < (n); i++) r.out[i] = x.in[i + (off)];                                 \
        v_put(dst, &r);                                                                           \
    }

/* r[i] = x[i + off] * y[i + off] in the wider type (extmul_low/high) */
#define EXTMUL(name, n, out, out_t, in, off)                                                      \
    static void name(SIMD_ARGS) {                                                                 \
        IGNORE_ARGS;                                                                              \
        wasm_v128 x = v_get(a), y = v_get(b), r;                                                  \
        for (int i = 0; i < (n); i++) r.out[i] = (out_t)((out_t)x.in[i + (off)] * (out_t)y.in[i + (off)]); \
        v_put(dst, &r);                                                                           \
    }

/* r[i] = x[2i] + x[2i+1] in the wider type */
#define EXTADD(name, n, out, out_t, in)                                                           \
    static void name(SIMD_ARGS) {                                                                 \
        IGNORE_ARGS;                                                                              \
        wasm_v128 x = v_get(a), r;                                                                \
        for (int i = 0; i < (n); i++) r.out[i] = (out_t)((out_t)x.in[2 * i] + (out_t)x.in[2 * i + 1]); \
        v_put(dst, &r);                                                                           \
    }

/* Pseudo-min/max: r[i] = (x[i] OP y[i] as floats) ? y[i] : x[i], moving bits. */
#define PSELECT(name, n, fl, bits, op)                                                            \
    static void name(SIMD_ARGS) {                                                                 \
        IGNORE_ARGS;                                                                              \
        wasm_v128 x = v_get(a), y = v_get(b), r;                                                  \
        for (int i = 0; i < (n); i++) r.bits[i] = (y.fl[i] op x.fl[i]) ? y.bits[i] : x.bits[i];  \
        v_put(dst, &r);                                                                           \
    }

/* ---- per-lane operations ------------------------------------------------ */

#define ADD(x, y) ((x) + (y))
#define SUB(x, y) ((x) - (y))
#define MUL(x, y) ((x) * (y))
#define DIV(x, y) ((x) / (y))
#define MIN(x, y) ((x) < (y) ? (x) : (y))
#define MAX(x, y) ((x) > (y) ? (x) : (y))
#define AVGR(x, y) (((x) + (y) + 1) >> 1) /* operands promote to int: no overflow */
#define NEG(x) (0 - (x))
#define TO_F32(x) ((float)(x))
#define TO_F64(x) ((double)(x))

static inline int clamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

static inline int8_t add_sat_s8(int8_t x, int8_t y) { return (int8_t)clamp(x + y, INT8_MIN, INT8_MAX); }
static inline uint8_t add_sat_u8(uint8_t x, uint8_t y) { return (uint8_t)clamp(x + y, 0, UINT8_MAX); }
static inline int8_t sub_sat_s8(int8_t x, int8_t y) { return (int8_t)clamp(x - y, INT8_MIN, INT8_MAX); }
static inline uint8_t sub_sat_u8(uint8_t x, uint8_t y) { return (uint8_t)clamp(x - y, 0, UINT8_MAX); }
static inline int16_t add_sat_s16(int16_t x, int16_t y) { return (int16_t)clamp(x + y, INT16_MIN, INT16_MAX); }
static inline uint16_t add_sat_u16(uint16_t x, uint16_t y) { return (uint16_t)clamp(x + y, 0, UINT16_MAX); }
static inline int16_t sub_sat_s16(int16_t x, int16_t y) { return (int16_t)clamp(x - y, INT16_MIN, INT16_MAX); }
static inline uint16_t sub_sat_u16(uint16_t x, uint16_t y) { return (uint16_t)clamp(x - y, 0, UINT16_MAX); }

/* 65535 * 65535 overflows int, to which uint16_t operands promote. */
static inline uint16_t mul_u16(uint16_t x, uint16_t y) { return (uint16_t)((uint32_t)x * y); }

/* (x * y + 2^14) >> 15, saturated: only -32768 * -32768 overflows. */
static inline int16_t q15mulr(int16_t x, int16_t y) {
    int32_t p = ((int32_t)x * y + 0x4000) >> 15; /* arithmetic shift (gcc, clang) */
    return (int16_t)(p > INT16_MAX ? INT16_MAX : p);
}

/* abs and neg of the most negative value wrap to itself: compute unsigned. */
static inline uint8_t abs_s8(int8_t x) { return (uint8_t)(x < 0 ? 0u - (uint8_t)x : (uint8_t)x); }
static inline uint16_t abs_s16(int16_t x) { return (uint16_t)(x < 0 ? 0u - (uint16_t)x : (uint16_t)x); }
static inline uint32_t abs_s32(int32_t x) { return x < 0 ? 0u - (uint32_t)x : (uint32_t)x; }
static inline uint64_t abs_s64(int64_t x) { return x < 0 ? 0u - (uint64_t)x : (uint64_t)x; }

static inline uint8_t popcnt8(uint8_t x) { return (uint8_t)__builtin_popcount(x); }

/* Float abs/neg only touch the sign bit, even for NaN. */
static inline uint32_t abs_f32_bits(uint32_t x) { return x & 0x7FFFFFFFu; }
static inline uint32_t neg_f32_bits(uint32_t x) { return x ^ 0x80000000u; }
static inline uint64_t abs_f64_bits(uint64_t x) { return x & 0x7FFFFFFFFFFFFFFFull; }
static inline uint64_t neg_f64_bits(uint64_t x) { return x ^ 0x8000000000000000ull; }

/* min/max: NaN if either is NaN (x + y yields a quiet NaN from the
 * inputs, canonical when they are); -0 orders below +0. */
static inline float f32_min(float x, float y) {
    if (isnan(x) || isnan(y)) return x + y;
    if (x == y) return signbit(x) ? x : y;
    return x < y ? x : y;
}
static inline float f32_max(float x, float y) {
    if (isnan(x) || isnan(y)) return x + y;
    if (x == y) return signbit(x) ? y : x;
    return x > y ? x : y;
}
static inline double f64_min(double x, double y) {
    if (isnan(x) || isnan(y)) return x + y;
    if (x == y) return signbit(x) ? x : y;
    return x < y ? x : y;
}
static inline double f64_max(double x, double y) {
    if (isnan(x) || isnan(y)) return x + y;
    if (x == y) return signbit(x) ? y : x;
    return x > y ? x : y;
}

/* trunc_sat: NaN -> 0, out of range -> the nearest bound. Every f32 is
 * exact as a double, so the f32 forms go through the f64 ones. */
static inline int32_t sat_s32(double v) {
    if (isnan(v)) return 0;
    if (v <= -2147483649.0) return INT32_MIN;
    if (v >= 2147483648.0) return INT32_MAX;
    return (int32_t)v;
}
static inline uint32_t sat_u32(double v) {
    if (isnan(v) || v <= -1.0) return 0;
    if (v >= 4294967296.0) return UINT32_MAX;
    return (uint32_t)v;
}

/* ---- shuffle, swizzle, splat, lanes ------------------------------------- */

static void i8x16_shuffle(SIMD_ARGS) {
    IGNORE_ARGS;
    uint8_t both[32], r[16];
    memcpy(both, a, 16);
    memcpy(both + 16, b, 16);
    for (int i = 0; i < 16; i++) r[i] = both[imm[i] & 31]; /* validated < 32 */
    memcpy(dst, r, 16);
}

static void i8x16_swizzle(SIMD_ARGS) {
    IGNORE_ARGS;
    wasm_v128 x = v_get(a), s = v_get(b), r;
    for (int i = 0; i < 16; i++) r.u8[i] = s.u8[i] < 16 ? x.u8[s.u8[i]] : 0;
    v_put(dst, &r);
}

#define SPLAT(name, n, lane, lane_t, read)                                                        \
    static void name(SIMD_ARGS) {                                                                 \
        IGNORE_ARGS;                                                                              \
        lane_t v = (lane_t)read(a);                                                               \
        wasm_v128 r;                                                                              \
        for (int i = 0; i < (n); i++) r.lane[i] = v;                                              \
        v_put(dst, &r);                                                                           \
    }
SPLAT(i8x16_splat, 16, u8, uint8_t, s_u32)
SPLAT(i16x8_splat, 8, u16, uint16_t, s_u32)
SPLAT(i32x4_splat, 4, u32, uint32_t, s_u32)
SPLAT(i64x2_splat, 2, u64, uint64_t, s_u64)
SPLAT(f32x4_splat, 4, u32, uint32_t, s_u32)
SPLAT(f64x2_splat, 2, u64, uint64_t, s_u64)

/* extract_lane: the lane index is the immediate (validated < n; masked
 * anyway so a bad index can never read outside the vector). */
#define EXTRACT(name, n, lane, lane_t, put)                                                       \
    static void name(SIMD_ARGS) {                                                                 \
        IGNORE_ARGS;                                                                              \
        wasm_v128 x = v_get(a);                                                                   \
        put(dst, (lane_t)x.lane[imm[0] & ((n) - 1)]);                                             \
    }
EXTRACT(i8x16_extract_lane_s, 16, i8, uint32_t, put_u32) /* int8 -> uint32 sign-extends */
EXTRACT(i8x16_extract_lane_u, 16, u8, uint32_t, put_u32)
EXTRACT(i16x8_extract_lane_s, 8, i16, uint32_t, put_u32)
EXTRACT(i16x8_extract_lane_u, 8, u16, uint32_t, put_u32)
EXTRACT(i32x4_extract_lane, 4, u32, uint32_t, put_u32)
EXTRACT(i64x2_extract_lane, 2, u64, uint64_t, put_u64)
EXTRACT(f32x4_extract_lane, 4, u32, uint32_t, put_u32)
EXTRACT(f64x2_extract_lane, 2, u64, uint64_t, put_u64)

#define REPLACE(name, n, lane, lane_t, read)                                                      \
    static void name(SIMD_ARGS) {                                                                 \
        IGNORE_ARGS;                                                                              \
        wasm_v128 r = v_get(a);                                                                   \
        r.lane[imm[0] & ((n) - 1)] = (lane_t)read(b);                                             \
        v_put(dst, &r);                                                                           \
    }
REPLACE(i8x16_replace_lane, 16, u8, uint8_t, s_u32)
REPLACE(i16x8_replace_lane, 8, u16, uint16_t, s_u32)
REPLACE(i32x4_replace_lane, 4, u32, uint32_t, s_u32)
REPLACE(i64x2_replace_lane, 2, u64, uint64_t, s_u64)
REPLACE(f32x4_replace_lane, 4, u32, uint32_t, s_u32)
REPLACE(f64x2_replace_lane, 2, u64, uint64_t, s_u64)

/* ---- comparisons -------------------------------------------------------- */

CMP(i8x16_eq, 16, u8, uint8_t, u8, ==)
CMP(i8x16_ne, 16, u8, uint8_t, u8, !=)
CMP(i8x16_lt_s, 16, u8, uint8_t, i8, <)
CMP(i8x16_lt_u, 16, u8, uint8_t, u8, <)
CMP(i8x16_gt_s, 16, u8, uint8_t, i8, >)
CMP(i8x16_gt_u, 16, u8, uint8_t, u8, >)
CMP(i8x16_le_s, 16, u8, uint8_t, i8, <=)
CMP(i8x16_le_u, 16, u8, uint8_t, u8, <=)
CMP(i8x16_ge_s, 16, u8, uint8_t, i8, >=)
CMP(i8x16_ge_u, 16, u8, uint8_t, u8, >=)
CMP(i16x8_eq, 8, u16, uint16_t, u16, ==)
CMP(i16x8_ne, 8, u16, uint16_t, u16, !=)
CMP(i16x8_lt_s, 8, u16, uint16_t, i16, <)
CMP(i16x8_lt_u, 8, u16, uint16_t, u16, <)
CMP(i16x8_gt_s, 8, u16, uint16_t, i16, >)
CMP(i16x8_gt_u, 8, u16, uint16_t, u16, >)
CMP(i16x8_le_s, 8, u16, uint16_t, i16, <=)
CMP(i16x8_le_u, 8, u16, uint16_t, u16, <=)
CMP(i16x8_ge_s, 8, u16, uint16_t, i16, >=)
CMP(i16x8_ge_u, 8, u16, uint16_t, u16, >=)
CMP(i32x4_eq, 4, u32, uint32_t, u32, ==)
CMP(i32x4_ne, 4, u32, uint32_t, u32, !=)
CMP(i32x4_lt_s, 4, u32, uint32_t, i32, <)
CMP(i32x4_lt_u, 4, u32, uint32_t, u32, <)
CMP(i32x4_gt_s, 4, u32, uint32_t, i32, >)
CMP(i32x4_gt_u, 4, u32, uint32_t, u32, >)
CMP(i32x4_le_s, 4, u32, uint32_t, i32, <=)
CMP(i32x4_le_u, 4, u32, uint32_t, u32, <=)
CMP(i32x4_ge_s, 4, u32, uint32_t, i32, >=)
CMP(i32x4_ge_u, 4, u32, uint32_t, u32, >=)
CMP(i64x2_eq, 2, u64, uint64_t, u64, ==)
CMP(i64x2_ne, 2, u64, uint64_t, u64, !=)
CMP(i64x2_lt_s, 2, u64, uint64_t, i64, <)
CMP(i64x2_gt_s, 2, u64, uint64_t, i64, >)
CMP(i64x2_le_s, 2, u64, uint64_t, i64, <=)
CMP(i64x2_ge_s, 2, u64, uint64_t, i64, >=)
/* Float comparisons with a NaN are false, except ne. */
CMP(f32x4_eq, 4, u32, uint32_t, f32, ==)
CMP(f32x4_ne, 4, u32, uint32_t, f32, !=)
CMP(f32x4_lt, 4, u32, uint32_t, f32, <)
CMP(f32x4_gt, 4, u32, uint32_t, f32, >)
CMP(f32x4_le, 4, u32, uint32_t, f32, <=)
CMP(f32x4_ge, 4, u32, uint32_t, f32, >=)
CMP(f64x2_eq, 2, u64, uint64_t, f64, ==)
CMP(f64x2_ne, 2, u64, uint64_t, f64, !=)
CMP(f64x2_lt, 2, u64, uint64_t, f64, <)
CMP(f64x2_gt, 2, u64, uint64_t, f64, >)
CMP(f64x2_le, 2, u64, uint64_t, f64, <=)
CMP(f64x2_ge, 2, u64, uint64_t, f64, >=)

/* ---- bitwise ------------------------------------------------------------ */

#define NOT(x) (~(x))
#define AND(x, y) ((x) & (y))
#define ANDNOT(x, y) ((x) & ~(y))
#define OR(x, y) ((x) | (y))
#define XOR(x, y) ((x) ^ (y))
MAP1(v128_not, 2, u64, u64, NOT)
MAP2(v128_and, 2, u64, u64, AND)
MAP2(v128_andnot, 2, u64, u64, ANDNOT)
MAP2(v128_or, 2, u64, u64, OR)
MAP2(v128_xor, 2, u64, u64, XOR)

static void v128_bitselect(SIMD_ARGS) {
    IGNORE_ARGS;
    wasm_v128 x = v_get(a), y = v_get(b), m = v_get(c), r;
    for (int i = 0; i < 2; i++) r.u64[i] = (x.u64[i] & m.u64[i]) | (y.u64[i] & ~m.u64[i]);
    v_put(dst, &r);
}

static void v128_any_true(SIMD_ARGS) {
    IGNORE_ARGS;
    wasm_v128 x = v_get(a);
    put_u32(dst, (x.u64[0] | x.u64[1]) != 0);
}

#define ALL_TRUE(name, n, lane)                                                                   \
    static void name(SIMD_ARGS) {                                                                 \
        IGNORE_ARGS;                                                                              \
        wasm_v128 x = v_get(a);                                                                   \
        uint32_t all = 1;                                                                         \
        for (int i = 0; i < (n); i++) all &= x.lane[i] != 0;                                      \
        put_u32(dst, all);                                                                        \
    }
ALL_TRUE(i8x16_all_true, 16, u8)
ALL_TRUE(i16x8_all_true, 8, u16)
ALL_TRUE(i32x4_all_true, 4, u32)
ALL_TRUE(i64x2_all_true, 2, u64)

/* bitmask: bit i of the result is the sign bit of lane i */
#define BITMASK(name, n, lane)                                                                    \
    static void name(SIMD_ARGS) {                                                                 \
        IGNORE_ARGS;                                                                              \
        wasm_v128 x = v_get(a);                                                                   \
        uint32_t mask = 0;                                                                        \
        for (int i = 0; i < (n); i++) mask |= (uint32_t)(x.lane[i] < 0) << i;                     \
        put_u32(dst, mask);                                                                       \
    }
BITMASK(i8x16_bitmask, 16, i8)
BITMASK(i16x8_bitmask, 8, i16)
BITMASK(i32x4_bitmask, 4, i32)
BITMASK(i64x2_bitmask, 2, i64)

/* ---- integer arithmetic ------------------------------------------------- */

MAP1(i8x16_abs, 16, u8, i8, abs_s8)
MAP1(i8x16_neg, 16, u8, u8, NEG)
MAP1(i8x16_popcnt, 16, u8, u8, popcnt8)
MAP2(i8x16_add, 16, u8, u8, ADD)
MAP2(i8x16_add_sat_s, 16, i8, i8, add_sat_s8)
MAP2(i8x16_add_sat_u, 16, u8, u8, add_sat_u8)
MAP2(i8x16_sub, 16, u8, u8, SUB)
MAP2(i8x16_sub_sat_s, 16, i8, i8, sub_sat_s8)
MAP2(i8x16_sub_sat_u, 16, u8, u8, sub_sat_u8)
MAP2(i8x16_min_s, 16, i8, i8, MIN)
MAP2(i8x16_min_u, 16, u8, u8, MIN)
MAP2(i8x16_max_s, 16, i8, i8, MAX)
MAP2(i8x16_max_u, 16, u8, u8, MAX)
MAP2(i8x16_avgr_u, 16, u8, u8, AVGR)

MAP1(i16x8_abs, 8, u16, i16, abs_s16)
MAP1(i16x8_neg, 8, u16, u16, NEG)
MAP2(i16x8_q15mulr_sat_s, 8, i16, i16, q15mulr)
MAP2(i16x8_add, 8, u16, u16, ADD)
MAP2(i16x8_add_sat_s, 8, i16, i16, add_sat_s16)
MAP2(i16x8_add_sat_u, 8, u16, u16, add_sat_u16)
MAP2(i16x8_sub, 8, u16, u16, SUB)
MAP2(i16x8_sub_sat_s, 8, i16, i16, sub_sat_s16)
MAP2(i16x8_sub_sat_u, 8, u16, u16, sub_sat_u16)
MAP2(i16x8_mul, 8, u16, u16, mul_u16)
MAP2(i16x8_min_s, 8, i16, i16, MIN)
MAP2(i16x8_min_u, 8, u16, u16, MIN)
MAP2(i16x8_max_s, 8, i16, i16, MAX)
MAP2(i16x8_max_u, 8, u16, u16, MAX)
MAP2(i16x8_avgr_u, 8, u16, u16, AVGR)

MAP1(i32x4_abs, 4, u32, i32, abs_s32)
MAP1(i32x4_neg, 4, u32, u32, NEG)
MAP2(i32x4_add, 4, u32, u32, ADD)
MAP2(i32x4_sub, 4, u32, u32, SUB)
MAP2(i32x4_mul, 4, u32, u32, MUL)
MAP2(i32x4_min_s, 4, i32, i32, MIN)
MAP2(i32x4_min_u, 4, u32, u32, MIN)
MAP2(i32x4_max_s, 4, i32, i32, MAX)
MAP2(i32x4_max_u, 4, u32, u32, MAX)

MAP1(i64x2_abs, 2, u64, i64, abs_s64)
MAP1(i64x2_neg, 2, u64, u64, NEG)
MAP2(i64x2_add, 2, u64, u64, ADD)
MAP2(i64x2_sub, 2, u64, u64, SUB)
MAP2(i64x2_mul, 2, u64, u64, MUL)

/* Shifts: left and logical right on unsigned lanes, arithmetic right on
 * signed ones (>> of a negative value is arithmetic in gcc and clang). */
SHIFT(i8x16_shl, 16, u8, uint8_t, 8, <<)
SHIFT(i8x16_shr_s, 16, i8, int8_t, 8, >>)
SHIFT(i8x16_shr_u, 16, u8, uint8_t, 8, >>)
SHIFT(i16x8_shl, 8, u16, uint16_t, 16, <<)
SHIFT(i16x8_shr_s, 8, i16, int16_t, 16, >>)
SHIFT(i16x8_shr_u, 8, u16, uint16_t, 16, >>)
SHIFT(i32x4_shl, 4, u32, uint32_t, 32, <<)
SHIFT(i32x4_shr_s, 4, i32, int32_t, 32, >>)
SHIFT(i32x4_shr_u, 4, u32, uint32_t, 32, >>)
SHIFT(i64x2_shl, 2, u64, uint64_t, 64, <<)
SHIFT(i64x2_shr_s, 2, i64, int64_t, 64, >>)
SHIFT(i64x2_shr_u, 2, u64, uint64_t, 64, >>)

/* i32x4.dot_i16x8_s: pairwise products summed; only
 * (-32768)^2 * 2 = 2^31 overflows, and it wraps. */
static void i32x4_dot_i16x8_s(SIMD_ARGS) {
    IGNORE_ARGS;
    wasm_v128 x = v_get(a), y = v_get(b), r;
    for (int i = 0; i < 4; i++) {
        int32_t lo = x.i16[2 * i] * y.i16[2 * i], hi = x.i16[2 * i + 1] * y.i16[2 * i + 1];
        r.u32[i] = (uint32_t)lo + (uint32_t)hi;
    }
    v_put(dst, &r);
}

/* Narrowing saturates each signed input lane into the smaller lane type. */
#define NARROW(name, n, out, out_t, in, lo, hi)                                                   \
    static void name(SIMD_ARGS) {                                                                 \
        IGNORE_ARGS;                                                                              \
        wasm_v128 x = v_get(a), y = v_get(b), r;                                                  \
        for (int i = 0; i < (n); i++) {                                                           \
            r.out[i] = (out_t)(x.in[i] < (lo) ? (lo) : x.in[i] > (hi) ? (hi) : x.in[i]);          \
            r.out[i + (n)] = (out_t)(y.in[i] < (lo) ? (lo) : y.in[i] > (hi) ? (hi) : y.in[i]);    \
        }                                                                                         \
        v_put(dst, &r);                                                                           \
    }
NARROW(i8x16_narrow_i16x8_s, 8, i8, int8_t, i16, INT8_MIN, INT8_MAX)
NARROW(i8x16_narrow_i16x8_u, 8, u8, uint8_t, i16, 0, UINT8_MAX)
NARROW(i16x8_narrow_i32x4_s, 4, i16, int16_t, i32, INT16_MIN, INT16_MAX)
NARROW(i16x8_narrow_i32x4_u, 4, u16, uint16_t, i32, 0, UINT16_MAX)

WIDEN(i16x8_extend_low_i8x16_s, 8, i16, i8, 0)
WIDEN(i16x8_extend_high_i8x16_s, 8, i16, i8, 8)
WIDEN(i16x8_extend_low_i8x16_u, 8, u16, u8, 0)
WIDEN(i16x8_extend_high_i8x16_u, 8, u16, u8, 8)
WIDEN(i32x4_extend_low_i16x8_s, 4, i32, i16, 0)
WIDEN(i32x4_extend_high_i16x8_s, 4, i32, i16, 4)
WIDEN(i32x4_extend_low_i16x8_u, 4, u32, u16, 0)
WIDEN(i32x4_extend_high_i16x8_u, 4, u32, u16, 4)
WIDEN(i64x2_extend_low_i32x4_s, 2, i64, i32, 0)
WIDEN(i64x2_extend_high_i32x4_s, 2, i64, i32, 2)
WIDEN(i64x2_extend_low_i32x4_u, 2, u64, u32, 0)
WIDEN(i64x2_extend_high_i32x4_u, 2, u64, u32, 2)

EXTADD(i16x8_extadd_pairwise_i8x16_s, 8, i16, int16_t, i8)
EXTADD(i16x8_extadd_pairwise_i8x16_u, 8, u16, uint16_t, u8)
EXTADD(i32x4_extadd_pairwise_i16x8_s, 4, i32, int32_t, i16)
EXTADD(i32x4_extadd_pairwise_i16x8_u, 4, u32, uint32_t, u16)

/* Products of two widened lanes fit the wider type, except that the
 * unsigned 16-bit case must not be computed in (promoted) int. */
EXTMUL(i16x8_extmul_low_i8x16_s, 8, i16, int16_t, i8, 0)
EXTMUL(i16x8_extmul_high_i8x16_s, 8, i16, int16_t, i8, 8)
EXTMUL(i16x8_extmul_low_i8x16_u, 8, u16, uint16_t, u8, 0)
EXTMUL(i16x8_extmul_high_i8x16_u, 8, u16, uint16_t, u8, 8)
EXTMUL(i32x4_extmul_low_i16x8_s, 4, i32, int32_t, i16, 0)
EXTMUL(i32x4_extmul_high_i16x8_s, 4, i32, int32_t, i16, 4)
EXTMUL(i32x4_extmul_low_i16x8_u, 4, u32, uint32_t, u16, 0)
EXTMUL(i32x4_extmul_high_i16x8_u, 4, u32, uint32_t, u16, 4)
EXTMUL(i64x2_extmul_low_i32x4_s, 2, i64, int64_t, i32, 0)
EXTMUL(i64x2_extmul_high_i32x4_s, 2, i64, int64_t, i32, 2)
EXTMUL(i64x2_extmul_low_i32x4_u, 2, u64, uint64_t, u32, 0)
EXTMUL(i64x2_extmul_high_i32x4_u, 2, u64, uint64_t, u32, 2)

/* ---- floating point ----------------------------------------------------- */

MAP1(f32x4_abs, 4, u32, u32, abs_f32_bits)
MAP1(f32x4_neg, 4, u32, u32, neg_f32_bits)
MAP1(f32x4_sqrt, 4, f32, f32, __builtin_sqrtf)
MAP1(f32x4_ceil, 4, f32, f32, wasm_ceil_f32)
MAP1(f32x4_floor, 4, f32, f32, wasm_floor_f32)
MAP1(f32x4_trunc, 4, f32, f32, wasm_trunc_f32)
MAP1(f32x4_nearest, 4, f32, f32, wasm_nearest_f32)
MAP2(f32x4_add, 4, f32, f32, ADD)
MAP2(f32x4_sub, 4, f32, f32, SUB)
MAP2(f32x4_mul, 4, f32, f32, MUL)
MAP2(f32x4_div, 4, f32, f32, DIV)
MAP2(f32x4_min, 4, f32, f32, f32_min)
MAP2(f32x4_max, 4, f32, f32, f32_max)
PSELECT(f32x4_pmin, 4, f32, u32, <) /* b < a ? b : a */
PSELECT(f32x4_pmax, 4, f32, u32, >) /* a < b ? b : a */

MAP1(f64x2_abs, 2, u64, u64, abs_f64_bits)
MAP1(f64x2_neg, 2, u64, u64, neg_f64_bits)
MAP1(f64x2_sqrt, 2, f64, f64, __builtin_sqrt)
MAP1(f64x2_ceil, 2, f64, f64, wasm_ceil_f64)
MAP1(f64x2_floor, 2, f64, f64, wasm_floor_f64)
MAP1(f64x2_trunc, 2, f64, f64, wasm_trunc_f64)
MAP1(f64x2_nearest, 2, f64, f64, wasm_nearest_f64)
MAP2(f64x2_add, 2, f64, f64, ADD)
MAP2(f64x2_sub, 2, f64, f64, SUB)
MAP2(f64x2_mul, 2, f64, f64, MUL)
MAP2(f64x2_div, 2, f64, f64, DIV)
MAP2(f64x2_min, 2, f64, f64, f64_min)
MAP2(f64x2_max, 2, f64, f64, f64_max)
PSELECT(f64x2_pmin, 2, f64, u64, <)
PSELECT(f64x2_pmax, 2, f64, u64, >)

/* Conversions. C's int->float conversions round to nearest even, as the
 * spec wants; the _zero and _low forms use lanes 0-1 (MAP1 zeroes the rest). */
MAP1(i32x4_trunc_sat_f32x4_s, 4, i32, f32, sat_s32)
MAP1(i32x4_trunc_sat_f32x4_u, 4, u32, f32, sat_u32)
MAP1(i32x4_trunc_sat_f64x2_s_zero, 2, i32, f64, sat_s32)
MAP1(i32x4_trunc_sat_f64x2_u_zero, 2, u32, f64, sat_u32)
MAP1(f32x4_convert_i32x4_s, 4, f32, i32, TO_F32)
MAP1(f32x4_convert_i32x4_u, 4, f32, u32, TO_F32)
MAP1(f64x2_convert_low_i32x4_s, 2, f64, i32, TO_F64)
MAP1(f64x2_convert_low_i32x4_u, 2, f64, u32, TO_F64)
MAP1(f32x4_demote_f64x2_zero, 2, f32, f64, TO_F32)
MAP1(f64x2_promote_low_f32x4, 2, f64, f32, TO_F64)

/* ---- the operation table ------------------------------------------------ */

const wasm_simd_fn wasm_simd_ops[256] = {
    [OP_I8X16_SHUFFLE] = i8x16_shuffle,
    [OP_I8X16_SWIZZLE] = i8x16_swizzle,
    [OP_I8X16_SPLAT] = i8x16_splat,
    [OP_I16X8_SPLAT] = i16x8_splat,
    [OP_I32X4_SPLAT] = i32x4_splat,
    [OP_I64X2_SPLAT] = i64x2_splat,
    [OP_F32X4_SPLAT] = f32x4_splat,
    [OP_F64X2_SPLAT] = f64x2_splat,
    [OP_I8X16_EXTRACT_LANE_S] = i8x16_extract_lane_s,
    [OP_I8X16_EXTRACT_LANE_U] = i8x16_extract_lane_u,
    [OP_I8X16_REPLACE_LANE] = i8x16_replace_lane,
    [OP_I16X8_EXTRACT_LANE_S] = i16x8_extract_lane_s,
    [OP_I16X8_EXTRACT_LANE_U] = i16x8_extract_lane_u,
    [OP_I16X8_REPLACE_LANE] = i16x8_replace_lane,
    [OP_I32X4_EXTRACT_LANE] = i32x4_extract_lane,
    [OP_I32X4_REPLACE_LANE] = i32x4_replace_lane,
    [OP_I64X2_EXTRACT_LANE] = i64x2_extract_lane,
    [OP_I64X2_REPLACE_LANE] = i64x2_replace_lane,
    [OP_F32X4_EXTRACT_LANE] = f32x4_extract_lane,
    [OP_F32X4_REPLACE_LANE] = f32x4_replace_lane,
    [OP_F64X2_EXTRACT_LANE] = f64x2_extract_lane,
    [OP_F64X2_REPLACE_LANE] = f64x2_replace_lane,

    [OP_I8X16_EQ] = i8x16_eq,     [OP_I8X16_NE] = i8x16_ne,
    [OP_I8X16_LT_S] = i8x16_lt_s, [OP_I8X16_LT_U] = i8x16_lt_u,
    [OP_I8X16_GT_S] = i8x16_gt_s, [OP_I8X16_GT_U] = i8x16_gt_u,
    [OP_I8X16_LE_S] = i8x16_le_s, [OP_I8X16_LE_U] = i8x16_le_u,
    [OP_I8X16_GE_S] = i8x16_ge_s, [OP_I8X16_GE_U] = i8x16_ge_u,
    [OP_I16X8_EQ] = i16x8_eq,     [OP_I16X8_NE] = i16x8_ne,
    [OP_I16X8_LT_S] = i16x8_lt_s, [OP_I16X8_LT_U] = i16x8_lt_u,
    [OP_I16X8_GT_S] = i16x8_gt_s, [OP_I16X8_GT_U] = i16x8_gt_u,
    [OP_I16X8_LE_S] = i16x8_le_s, [OP_I16X8_LE_U] = i16x8_le_u,
    [OP_I16X8_GE_S] = i16x8_ge_s, [OP_I16X8_GE_U] = i16x8_ge_u,
    [OP_I32X4_EQ] = i32x4_eq,     [OP_I32X4_NE] = i32x4_ne,
    [OP_I32X4_LT_S] = i32x4_lt_s, [OP_I32X4_LT_U] = i32x4_lt_u,
    [OP_I32X4_GT_S] = i32x4_gt_s, [OP_I32X4_GT_U] = i32x4_gt_u,
    [OP_I32X4_LE_S] = i32x4_le_s, [OP_I32X4_LE_U] = i32x4_le_u,
    [OP_I32X4_GE_S] = i32x4_ge_s, [OP_I32X4_GE_U] = i32x4_ge_u,
    [OP_I64X2_EQ] = i64x2_eq,     [OP_I64X2_NE] = i64x2_ne,
    [OP_I64X2_LT_S] = i64x2_lt_s, [OP_I64X2_GT_S] = i64x2_gt_s,
    [OP_I64X2_LE_S] = i64x2_le_s, [OP_I64X2_GE_S] = i64x2_ge_s,
    [OP_F32X4_EQ] = f32x4_eq,     [OP_F32X4_NE] = f32x4_ne,
    [OP_F32X4_LT] = f32x4_lt,     [OP_F32X4_GT] = f32x4_gt,
    [OP_F32X4_LE] = f32x4_le,     [OP_F32X4_GE] = f32x4_ge,
    [OP_F64X2_EQ] = f64x2_eq,     [OP_F64X2_NE] = f64x2_ne,
    [OP_F64X2_LT] = f64x2_lt,     [OP_F64X2_GT] = f64x2_gt,
    [OP_F64X2_LE] = f64x2_le,     [OP_F64X2_GE] = f64x2_ge,

    [OP_V128_NOT] = v128_not,
    [OP_V128_AND] = v128_and,
    [OP_V128_ANDNOT] = v128_andnot,
    [OP_V128_OR] = v128_or,
    [OP_V128_XOR] = v128_xor,
    [OP_V128_BITSELECT] = v128_bitselect,
    [OP_V128_ANY_TRUE] = v128_any_true,

    [OP_F32X4_DEMOTE_F64X2_ZERO] = f32x4_demote_f64x2_zero,
    [OP_F64X2_PROMOTE_LOW_F32X4] = f64x2_promote_low_f32x4,

    [OP_I8X16_ABS] = i8x16_abs,
    [OP_I8X16_NEG] = i8x16_neg,
    [OP_I8X16_POPCNT] = i8x16_popcnt,
    [OP_I8X16_ALL_TRUE] = i8x16_all_true,
    [OP_I8X16_BITMASK] = i8x16_bitmask,
    [OP_I8X16_NARROW_I16X8_S] = i8x16_narrow_i16x8_s,
    [OP_I8X16_NARROW_I16X8_U] = i8x16_narrow_i16x8_u,
    [OP_F32X4_CEIL] = f32x4_ceil,
    [OP_F32X4_FLOOR] = f32x4_floor,
    [OP_F32X4_TRUNC] = f32x4_trunc,
    [OP_F32X4_NEAREST] = f32x4_nearest,
    [OP_I8X16_SHL] = i8x16_shl,
    [OP_I8X16_SHR_S] = i8x16_shr_s,
    [OP_I8X16_SHR_U] = i8x16_shr_u,
    [OP_I8X16_ADD] = i8x16_add,
    [OP_I8X16_ADD_SAT_S] = i8x16_add_sat_s,
    [OP_I8X16_ADD_SAT_U] = i8x16_add_sat_u,
    [OP_I8X16_SUB] = i8x16_sub,
    [OP_I8X16_SUB_SAT_S] = i8x16_sub_sat_s,
    [OP_I8X16_SUB_SAT_U] = i8x16_sub_sat_u,
    [OP_F64X2_CEIL] = f64x2_ceil,
    [OP_F64X2_FLOOR] = f64x2_floor,
    [OP_I8X16_MIN_S] = i8x16_min_s,
    [OP_I8X16_MIN_U] = i8x16_min_u,
    [OP_I8X16_MAX_S] = i8x16_max_s,
    [OP_I8X16_MAX_U] = i8x16_max_u,
    [OP_F64X2_TRUNC] = f64x2_trunc,
    [OP_I8X16_AVGR_U] = i8x16_avgr_u,
    [OP_I16X8_EXTADD_PAIRWISE_I8X16_S] = i16x8_extadd_pairwise_i8x16_s,
    [OP_I16X8_EXTADD_PAIRWISE_I8X16_U] = i16x8_extadd_pairwise_i8x16_u,
    [OP_I32X4_EXTADD_PAIRWISE_I16X8_S] = i32x4_extadd_pairwise_i16x8_s,
    [OP_I32X4_EXTADD_PAIRWISE_I16X8_U] = i32x4_extadd_pairwise_i16x8_u,

    [OP_I16X8_ABS] = i16x8_abs,
    [OP_I16X8_NEG] = i16x8_neg,
    [OP_I16X8_Q15MULR_SAT_S] = i16x8_q15mulr_sat_s,
    [OP_I16X8_ALL_TRUE] = i16x8_all_true,
    [OP_I16X8_BITMASK] = i16x8_bitmask,
    [OP_I16X8_NARROW_I32X4_S] = i16x8_narrow_i32x4_s,
    [OP_I16X8_NARROW_I32X4_U] = i16x8_narrow_i32x4_u,
    [OP_I16X8_EXTEND_LOW_I8X16_S] = i16x8_extend_low_i8x16_s,
    [OP_I16X8_EXTEND_HIGH_I8X16_S] = i16x8_extend_high_i8x16_s,
    [OP_I16X8_EXTEND_LOW_I8X16_U] = i16x8_extend_low_i8x16_u,
    [OP_I16X8_EXTEND_HIGH_I8X16_U] = i16x8_extend_high_i8x16_u,
    [OP_I16X8_SHL] = i16x8_shl,
    [OP_I16X8_SHR_S] = i16x8_shr_s,
    [OP_I16X8_SHR_U] = i16x8_shr_u,
    [OP_I16X8_ADD] = i16x8_add,
    [OP_I16X8_ADD_SAT_S] = i16x8_add_sat_s,
    [OP_I16X8_ADD_SAT_U] = i16x8_add_sat_u,
    [OP_I16X8_SUB] = i16x8_sub,
    [OP_I16X8_SUB_SAT_S] = i16x8_sub_sat_s,
    [OP_I16X8_SUB_SAT_U] = i16x8_sub_sat_u,
    [OP_F64X2_NEAREST] = f64x2_nearest,
    [OP_I16X8_MUL] = i16x8_mul,
    [OP_I16X8_MIN_S] = i16x8_min_s,
    [OP_I16X8_MIN_U] = i16x8_min_u,
    [OP_I16X8_MAX_S] = i16x8_max_s,
    [OP_I16X8_MAX_U] = i16x8_max_u,
    [OP_I16X8_AVGR_U] = i16x8_avgr_u,
    [OP_I16X8_EXTMUL_LOW_I8X16_S] = i16x8_extmul_low_i8x16_s,
    [OP_I16X8_EXTMUL_HIGH_I8X16_S] = i16x8_extmul_high_i8x16_s,
    [OP_I16X8_EXTMUL_LOW_I8X16_U] = i16x8_extmul_low_i8x16_u,
    [OP_I16X8_EXTMUL_HIGH_I8X16_U] = i16x8_extmul_high_i8x16_u,

    [OP_I32X4_ABS] = i32x4_abs,
    [OP_I32X4_NEG] = i32x4_neg,
    [OP_I32X4_ALL_TRUE] = i32x4_all_true,
    [OP_I32X4_BITMASK] = i32x4_bitmask,
    [OP_I32X4_EXTEND_LOW_I16X8_S] = i32x4_extend_low_i16x8_s,
    [OP_I32X4_EXTEND_HIGH_I16X8_S] = i32x4_extend_high_i16x8_s,
    [OP_I32X4_EXTEND_LOW_I16X8_U] = i32x4_extend_low_i16x8_u,
    [OP_I32X4_EXTEND_HIGH_I16X8_U] = i32x4_extend_high_i16x8_u,
    [OP_I32X4_SHL] = i32x4_shl,
    [OP_I32X4_SHR_S] = i32x4_shr_s,
    [OP_I32X4_SHR_U] = i32x4_shr_u,
    [OP_I32X4_ADD] = i32x4_add,
    [OP_I32X4_SUB] = i32x4_sub,
    [OP_I32X4_MUL] = i32x4_mul,
    [OP_I32X4_MIN_S] = i32x4_min_s,
    [OP_I32X4_MIN_U] = i32x4_min_u,
    [OP_I32X4_MAX_S] = i32x4_max_s,
    [OP_I32X4_MAX_U] = i32x4_max_u,
    [OP_I32X4_DOT_I16X8_S] = i32x4_dot_i16x8_s,
    [OP_I32X4_EXTMUL_LOW_I16X8_S] = i32x4_extmul_low_i16x8_s,
    [OP_I32X4_EXTMUL_HIGH_I16X8_S] = i32x4_extmul_high_i16x8_s,
    [OP_I32X4_EXTMUL_LOW_I16X8_U] = i32x4_extmul_low_i16x8_u,
    [OP_I32X4_EXTMUL_HIGH_I16X8_U] = i32x4_extmul_high_i16x8_u,

    [OP_I64X2_ABS] = i64x2_abs,
    [OP_I64X2_NEG] = i64x2_neg,
    [OP_I64X2_ALL_TRUE] = i64x2_all_true,
    [OP_I64X2_BITMASK] = i64x2_bitmask,
    [OP_I64X2_EXTEND_LOW_I32X4_S] = i64x2_extend_low_i32x4_s,
    [OP_I64X2_EXTEND_HIGH_I32X4_S] = i64x2_extend_high_i32x4_s,
    [OP_I64X2_EXTEND_LOW_I32X4_U] = i64x2_extend_low_i32x4_u,
    [OP_I64X2_EXTEND_HIGH_I32X4_U] = i64x2_extend_high_i32x4_u,
    [OP_I64X2_SHL] = i64x2_shl,
    [OP_I64X2_SHR_S] = i64x2_shr_s,
    [OP_I64X2_SHR_U] = i64x2_shr_u,
    [OP_I64X2_ADD] = i64x2_add,
    [OP_I64X2_SUB] = i64x2_sub,
    [OP_I64X2_MUL] = i64x2_mul,
    [OP_I64X2_EXTMUL_LOW_I32X4_S] = i64x2_extmul_low_i32x4_s,
    [OP_I64X2_EXTMUL_HIGH_I32X4_S] = i64x2_extmul_high_i32x4_s,
    [OP_I64X2_EXTMUL_LOW_I32X4_U] = i64x2_extmul_low_i32x4_u,
    [OP_I64X2_EXTMUL_HIGH_I32X4_U] = i64x2_extmul_high_i32x4_u,

    [OP_F32X4_ABS] = f32x4_abs,
    [OP_F32X4_NEG] = f32x4_neg,
    [OP_F32X4_SQRT] = f32x4_sqrt,
    [OP_F32X4_ADD] = f32x4_add,
    [OP_F32X4_SUB] = f32x4_sub,
    [OP_F32X4_MUL] = f32x4_mul,
    [OP_F32X4_DIV] = f32x4_div,
    [OP_F32X4_MIN] = f32x4_min,
    [OP_F32X4_MAX] = f32x4_max,
    [OP_F32X4_PMIN] = f32x4_pmin,
    [OP_F32X4_PMAX] = f32x4_pmax,
    [OP_F64X2_ABS] = f64x2_abs,
    [OP_F64X2_NEG] = f64x2_neg,
    [OP_F64X2_SQRT] = f64x2_sqrt,
    [OP_F64X2_ADD] = f64x2_add,
    [OP_F64X2_SUB] = f64x2_sub,
    [OP_F64X2_MUL] = f64x2_mul,
    [OP_F64X2_DIV] = f64x2_div,
    [OP_F64X2_MIN] = f64x2_min,
    [OP_F64X2_MAX] = f64x2_max,
    [OP_F64X2_PMIN] = f64x2_pmin,
    [OP_F64X2_PMAX] = f64x2_pmax,
    [OP_I32X4_TRUNC_SAT_F32X4_S] = i32x4_trunc_sat_f32x4_s,
    [OP_I32X4_TRUNC_SAT_F32X4_U] = i32x4_trunc_sat_f32x4_u,
    [OP_F32X4_CONVERT_I32X4_S] = f32x4_convert_i32x4_s,
    [OP_F32X4_CONVERT_I32X4_U] = f32x4_convert_i32x4_u,
    [OP_I32X4_TRUNC_SAT_F64X2_S_ZERO] = i32x4_trunc_sat_f64x2_s_zero,
    [OP_I32X4_TRUNC_SAT_F64X2_U_ZERO] = i32x4_trunc_sat_f64x2_u_zero,
    [OP_F64X2_CONVERT_LOW_I32X4_S] = f64x2_convert_low_i32x4_s,
    [OP_F64X2_CONVERT_LOW_I32X4_U] = f64x2_convert_low_i32x4_u,
};

/* ---- loads -------------------------------------------------------------- */

#define LOAD_ARGS wasm_slot *dst, const uint8_t *mem, const wasm_slot *vec, uint32_t lane
#define IGNORE_LOAD_ARGS ((void)vec, (void)lane)

static void load128(LOAD_ARGS) {
    IGNORE_LOAD_ARGS;
    memcpy(dst, mem, 16);
}

/* loadNxM_s/u: 8 bytes, each N-bit lane widened to 2N bits */
#define LOAD_WIDEN(name, n, out, in)                                                              \
    static void name(LOAD_ARGS) {                                                                 \
        IGNORE_LOAD_ARGS;                                                                         \
        wasm_v128 t, r;                                                                           \
        memcpy(&t, mem, 8);                                                                       \
        for (int i = 0; i < (n); i++) r.out[i] = t.in[i];                                         \
        v_put(dst, &r);                                                                           \
    }
LOAD_WIDEN(load8x8_s, 8, i16, i8)
LOAD_WIDEN(load8x8_u, 8, u16, u8)
LOAD_WIDEN(load16x4_s, 4, i32, i16)
LOAD_WIDEN(load16x4_u, 4, u32, u16)
LOAD_WIDEN(load32x2_s, 2, i64, i32)
LOAD_WIDEN(load32x2_u, 2, u64, u32)

#define LOAD_SPLAT(name, n, lane, lane_t)                                                         \
    static void name(LOAD_ARGS) {                                                                 \
        IGNORE_LOAD_ARGS;                                                                         \
        lane_t v;                                                                                 \
        memcpy(&v, mem, sizeof v);                                                                \
        wasm_v128 r;                                                                              \
        for (int i = 0; i < (n); i++) r.lane[i] = v;                                              \
        v_put(dst, &r);                                                                           \
    }
LOAD_SPLAT(load8_splat, 16, u8, uint8_t)
LOAD_SPLAT(load16_splat, 8, u16, uint16_t)
LOAD_SPLAT(load32_splat, 4, u32, uint32_t)
LOAD_SPLAT(load64_splat, 2, u64, uint64_t)

#define LOAD_ZERO(name, size)                                                                     \
    static void name(LOAD_ARGS) {                                                                 \
        IGNORE_LOAD_ARGS;                                                                         \
        wasm_v128 r = v_zero();                                                                   \
        memcpy(&r, mem, size);                                                                    \
        v_put(dst, &r);                                                                           \
    }
LOAD_ZERO(load32_zero, 4)
LOAD_ZERO(load64_zero, 8)

/* load*_lane: vec with lane `lane` replaced by the bytes at mem. */
#define LOAD_LANE(name, size)                                                                     \
    static void name(LOAD_ARGS) {                                                                 \
        wasm_v128 r = v_get(vec);                                                                 \
        memcpy(&r.u8[(lane & (16 / (size) - 1)) * (size)], mem, size);                            \
        v_put(dst, &r);                                                                           \
    }
LOAD_LANE(load8_lane, 1)
LOAD_LANE(load16_lane, 2)
LOAD_LANE(load32_lane, 4)
LOAD_LANE(load64_lane, 8)

const wasm_simd_load_fn wasm_simd_loads[256] = {
    [OP_V128_LOAD] = load128,
    [OP_V128_LOAD8X8_S] = load8x8_s,
    [OP_V128_LOAD8X8_U] = load8x8_u,
    [OP_V128_LOAD16X4_S] = load16x4_s,
    [OP_V128_LOAD16X4_U] = load16x4_u,
    [OP_V128_LOAD32X2_S] = load32x2_s,
    [OP_V128_LOAD32X2_U] = load32x2_u,
    [OP_V128_LOAD8_SPLAT] = load8_splat,
    [OP_V128_LOAD16_SPLAT] = load16_splat,
    [OP_V128_LOAD32_SPLAT] = load32_splat,
    [OP_V128_LOAD64_SPLAT] = load64_splat,
    [OP_V128_LOAD32_ZERO] = load32_zero,
    [OP_V128_LOAD64_ZERO] = load64_zero,
    [OP_V128_LOAD8_LANE] = load8_lane,
    [OP_V128_LOAD16_LANE] = load16_lane,
    [OP_V128_LOAD32_LANE] = load32_lane,
    [OP_V128_LOAD64_LANE] = load64_lane,
};

uint32_t wasm_simd_access_size(uint32_t op) {
    switch (op) {
    case OP_V128_LOAD:
    case OP_V128_STORE:
        return 16;
    case OP_V128_LOAD8X8_S:
    case OP_V128_LOAD8X8_U:
    case OP_V128_LOAD16X4_S:
    case OP_V128_LOAD16X4_U:
    case OP_V128_LOAD32X2_S:
    case OP_V128_LOAD32X2_U:
    case OP_V128_LOAD64_SPLAT:
    case OP_V128_LOAD64_ZERO:
    case OP_V128_LOAD64_LANE:
    case OP_V128_STORE64_LANE:
        return 8;
    case OP_V128_LOAD32_SPLAT:
    case OP_V128_LOAD32_ZERO:
    case OP_V128_LOAD32_LANE:
    case OP_V128_STORE32_LANE:
        return 4;
    case OP_V128_LOAD16_SPLAT:
    case OP_V128_LOAD16_LANE:
    case OP_V128_STORE16_LANE:
        return 2;
    case OP_V128_LOAD8_SPLAT:
    case OP_V128_LOAD8_LANE:
    case OP_V128_STORE8_LANE:
        return 1;
    default:
        return 0;
    }
}
