/*
 * simd.h — semantics of the fixed-width SIMD (0xFD) instructions, as plain
 * functions over slots, used by the interpreter (interp.c) through tables
 * indexed by the 0xFD sub-opcode. simd.c owns them.
 *
 * Operand shapes follow the sig column of opcodes.h:
 *   v_v, vv_v, vvv_v       a, b, c are v128 operands (2 slots each)
 *   v_i, v_l, v_f, v_d     lane extraction / tests: dst is one scalar slot
 *   vi_v, vl_v, vf_v, vd_v replace_lane (b is the scalar) and shifts (b is the i32 count)
 *   i_v, l_v, f_v, d_v     splat: a is the scalar
 *   vv_v with SHUFFLE      imm points to the 16 lane bytes
 * imm points to the instruction's immediate bytes (lane index, shuffle
 * lanes) or is NULL. dst may alias any operand: read all inputs first.
 * Floating-point results follow the spec exactly (NaN propagation may
 * return any NaN; canonical where the spec requires it).
 */
#ifndef AW_WASM_SIMD_H
#define AW_WASM_SIMD_H

#include "wasm/runtime.h"

typedef union wasm_v128 {
    uint8_t u8[16];
    int8_t i8[16];
    uint16_t u16[8];
    int16_t i16[8];
    uint32_t u32[4];
    int32_t i32[4];
    uint64_t u64[2];
    int64_t i64[2];
    float f32[4];
    double f64[2];
} wasm_v128;

typedef void (*wasm_simd_fn)(wasm_slot *dst, const wasm_slot *a, const wasm_slot *b, const wasm_slot *c,
                             const uint8_t *imm);

/* Pure operations, by sub-opcode; NULL for memory instructions and v128.const. */
extern const wasm_simd_fn wasm_simd_ops[256];

/* Loads: mem points at the bytes the instruction reads (bounds already
 * checked by the caller, wasm_simd_access_size(op) of them). For the
 * *_lane loads, vec is the input vector and lane the lane index. */
typedef void (*wasm_simd_load_fn)(wasm_slot *dst, const uint8_t *mem, const wasm_slot *vec, uint32_t lane);
extern const wasm_simd_load_fn wasm_simd_loads[256]; /* non-NULL exactly for the load ops */

/* Bytes of memory a load/store sub-opcode touches (16, 8, 4, 2, 1), 0 otherwise. */
uint32_t wasm_simd_access_size(uint32_t op);

#endif
