/*
 * opcodes.h — every instruction of Wasm 2.0 core, as X-macro tables.
 * Generated once by a script and maintained by hand since.
 *
 *   WASM_OPS(X)     one-byte opcodes          X(SYM, code, IMM, "sig", "name")
 *   WASM_OPS_FC(X)  0xFC-prefixed (u32 code)  same shape
 *   WASM_OPS_FD(X)  0xFD-prefixed SIMD        same shape
 *
 * IMM names the immediate operands (see wasm_imm). sig gives the operand
 * types of "simple" instructions as PARAMS_RESULTS with i=i32 l=i64 f=f32
 * d=f64 v=v128 ("ii_i" pops two i32, pushes one); "*" marks instructions
 * whose typing the validator and translator handle by hand (control,
 * variables, references, parametric, table.grow/fill).
 */
#ifndef AW_WASM_OPCODES_H
#define AW_WASM_OPCODES_H

/* Immediate kinds. */
typedef enum wasm_imm {
    WASM_IMM_NONE,
    WASM_IMM_BLOCK,         /* blocktype: 0x40, a valtype, or s33 type index */
    WASM_IMM_LABEL,         /* u32 label depth */
    WASM_IMM_BR_TABLE,      /* vec(u32) + u32 default */
    WASM_IMM_FUNC,          /* u32 function index */
    WASM_IMM_CALL_INDIRECT, /* u32 type index, u32 table index (may be overlong) */
    WASM_IMM_SELECT_T,      /* vec(valtype), length 1 */
    WASM_IMM_LOCAL,         /* u32 local index */
    WASM_IMM_GLOBAL,        /* u32 global index */
    WASM_IMM_TABLE,         /* u32 table index */
    WASM_IMM_MEMARG,        /* u32 align, u32 offset */
    WASM_IMM_MEMIDX,        /* byte 0x00 (memory index) */
    WASM_IMM_I32,           /* s32 */
    WASM_IMM_I64,           /* s64 */
    WASM_IMM_F32,           /* 4 bytes */
    WASM_IMM_F64,           /* 8 bytes */
    WASM_IMM_REFTYPE,       /* reftype byte */
    WASM_IMM_DATA_MEM,      /* u32 data index, byte 0x00 */
    WASM_IMM_DATA,          /* u32 data index */
    WASM_IMM_MEM_MEM,       /* byte 0x00, byte 0x00 */
    WASM_IMM_ELEM_TABLE,    /* u32 elem index, u32 table index */
    WASM_IMM_ELEM,          /* u32 elem index */
    WASM_IMM_TABLE_TABLE,   /* u32 dst table, u32 src table */
    WASM_IMM_V128,          /* 16 bytes */
    WASM_IMM_SHUFFLE,       /* 16 lane bytes, each < 32 */
    WASM_IMM_LANE,          /* lane byte */
    WASM_IMM_MEMARG_LANE,   /* memarg + lane byte */
} wasm_imm;

#define WASM_OPS(X) \
    X(OP_UNREACHABLE, 0x00, NONE, "*", "unreachable") \
    X(OP_NOP, 0x01, NONE, "_", "nop") \
    X(OP_BLOCK, 0x02, BLOCK, "*", "block") \
    X(OP_LOOP, 0x03, BLOCK, "*", "loop") \
    X(OP_IF, 0x04, BLOCK, "*", "if") \
    X(OP_ELSE, 0x05, NONE, "*", "else") \
    X(OP_END, 0x0B, NONE, "*", "end") \
    X(OP_BR, 0x0C, LABEL, "*", "br") \
    X(OP_BR_IF, 0x0D, LABEL, "*", "br_if") \
    X(OP_BR_TABLE, 0x0E, BR_TABLE, "*", "br_table") \
    X(OP_RETURN, 0x0F, NONE, "*", "return") \
    X(OP_CALL, 0x10, FUNC, "*", "call") \
    X(OP_CALL_INDIRECT, 0x11, CALL_INDIRECT, "*", "call_indirect") \
    X(OP_DROP, 0x1A, NONE, "*", "drop") \
    X(OP_SELECT, 0x1B, NONE, "*", "select") \
    X(OP_SELECT_T, 0x1C, SELECT_T, "*", "select_t") \
    X(OP_LOCAL_GET, 0x20, LOCAL, "*", "local.get") \
    X(OP_LOCAL_SET, 0x21, LOCAL, "*", "local.set") \
    X(OP_LOCAL_TEE, 0x22, LOCAL, "*", "local.tee") \
    X(OP_GLOBAL_GET, 0x23, GLOBAL, "*", "global.get") \
    X(OP_GLOBAL_SET, 0x24, GLOBAL, "*", "global.set") \
    X(OP_TABLE_GET, 0x25, TABLE, "*", "table.get") \
    X(OP_TABLE_SET, 0x26, TABLE, "*", "table.set") \
    X(OP_I32_LOAD, 0x28, MEMARG, "i_i", "i32.load") \
    X(OP_I64_LOAD, 0x29, MEMARG, "i_l", "i64.load") \
    X(OP_F32_LOAD, 0x2A, MEMARG, "i_f", "f32.load") \
    X(OP_F64_LOAD, 0x2B, MEMARG, "i_d", "f64.load") \
    X(OP_I32_LOAD8_S, 0x2C, MEMARG, "i_i", "i32.load8_s") \
    X(OP_I32_LOAD8_U, 0x2D, MEMARG, "i_i", "i32.load8_u") \
    X(OP_I32_LOAD16_S, 0x2E, MEMARG, "i_i", "i32.load16_s") \
    X(OP_I32_LOAD16_U, 0x2F, MEMARG, "i_i", "i32.load16_u") \
    X(OP_I64_LOAD8_S, 0x30, MEMARG, "i_l", "i64.load8_s") \
    X(OP_I64_LOAD8_U, 0x31, MEMARG, "i_l", "i64.load8_u") \
    X(OP_I64_LOAD16_S, 0x32, MEMARG, "i_l", "i64.load16_s") \
    X(OP_I64_LOAD16_U, 0x33, MEMARG, "i_l", "i64.load16_u") \
    X(OP_I64_LOAD32_S, 0x34, MEMARG, "i_l", "i64.load32_s") \
    X(OP_I64_LOAD32_U, 0x35, MEMARG, "i_l", "i64.load32_u") \
    X(OP_I32_STORE, 0x36, MEMARG, "ii_", "i32.store") \
    X(OP_I64_STORE, 0x37, MEMARG, "il_", "i64.store") \
    X(OP_F32_STORE, 0x38, MEMARG, "if_", "f32.store") \
    X(OP_F64_STORE, 0x39, MEMARG, "id_", "f64.store") \
    X(OP_I32_STORE8, 0x3A, MEMARG, "ii_", "i32.store8") \
    X(OP_I32_STORE16, 0x3B, MEMARG, "ii_", "i32.store16") \
    X(OP_I64_STORE8, 0x3C, MEMARG, "il_", "i64.store8") \
    X(OP_I64_STORE16, 0x3D, MEMARG, "il_", "i64.store16") \
    X(OP_I64_STORE32, 0x3E, MEMARG, "il_", "i64.store32") \
    X(OP_MEMORY_SIZE, 0x3F, MEMIDX, "_i", "memory.size") \
    X(OP_MEMORY_GROW, 0x40, MEMIDX, "i_i", "memory.grow") \
    X(OP_I32_CONST, 0x41, I32, "_i", "i32.const") \
    X(OP_I64_CONST, 0x42, I64, "_l", "i64.const") \
    X(OP_F32_CONST, 0x43, F32, "_f", "f32.const") \
    X(OP_F64_CONST, 0x44, F64, "_d", "f64.const") \
    X(OP_I32_EQZ, 0x45, NONE, "i_i", "i32.eqz") \
    X(OP_I32_EQ, 0x46, NONE, "ii_i", "i32.eq") \
    X(OP_I32_NE, 0x47, NONE, "ii_i", "i32.ne") \
    X(OP_I32_LT_S, 0x48, NONE, "ii_i", "i32.lt_s") \
    X(OP_I32_LT_U, 0x49, NONE, "ii_i", "i32.lt_u") \
    X(OP_I32_GT_S, 0x4A, NONE, "ii_i", "i32.gt_s") \
    X(OP_I32_GT_U, 0x4B, NONE, "ii_i", "i32.gt_u") \
    X(OP_I32_LE_S, 0x4C, NONE, "ii_i", "i32.le_s") \
    X(OP_I32_LE_U, 0x4D, NONE, "ii_i", "i32.le_u") \
    X(OP_I32_GE_S, 0x4E, NONE, "ii_i", "i32.ge_s") \
    X(OP_I32_GE_U, 0x4F, NONE, "ii_i", "i32.ge_u") \
    X(OP_I64_EQZ, 0x50, NONE, "l_i", "i64.eqz") \
    X(OP_I64_EQ, 0x51, NONE, "ll_i", "i64.eq") \
    X(OP_I64_NE, 0x52, NONE, "ll_i", "i64.ne") \
    X(OP_I64_LT_S, 0x53, NONE, "ll_i", "i64.lt_s") \
    X(OP_I64_LT_U, 0x54, NONE, "ll_i", "i64.lt_u") \
    X(OP_I64_GT_S, 0x55, NONE, "ll_i", "i64.gt_s") \
    X(OP_I64_GT_U, 0x56, NONE, "ll_i", "i64.gt_u") \
    X(OP_I64_LE_S, 0x57, NONE, "ll_i", "i64.le_s") \
    X(OP_I64_LE_U, 0x58, NONE, "ll_i", "i64.le_u") \
    X(OP_I64_GE_S, 0x59, NONE, "ll_i", "i64.ge_s") \
    X(OP_I64_GE_U, 0x5A, NONE, "ll_i", "i64.ge_u") \
    X(OP_F32_EQ, 0x5B, NONE, "ff_i", "f32.eq") \
    X(OP_F32_NE, 0x5C, NONE, "ff_i", "f32.ne") \
    X(OP_F32_LT, 0x5D, NONE, "ff_i", "f32.lt") \
    X(OP_F32_GT, 0x5E, NONE, "ff_i", "f32.gt") \
    X(OP_F32_LE, 0x5F, NONE, "ff_i", "f32.le") \
    X(OP_F32_GE, 0x60, NONE, "ff_i", "f32.ge") \
    X(OP_F64_EQ, 0x61, NONE, "dd_i", "f64.eq") \
    X(OP_F64_NE, 0x62, NONE, "dd_i", "f64.ne") \
    X(OP_F64_LT, 0x63, NONE, "dd_i", "f64.lt") \
    X(OP_F64_GT, 0x64, NONE, "dd_i", "f64.gt") \
    X(OP_F64_LE, 0x65, NONE, "dd_i", "f64.le") \
    X(OP_F64_GE, 0x66, NONE, "dd_i", "f64.ge") \
    X(OP_I32_CLZ, 0x67, NONE, "i_i", "i32.clz") \
    X(OP_I32_CTZ, 0x68, NONE, "i_i", "i32.ctz") \
    X(OP_I32_POPCNT, 0x69, NONE, "i_i", "i32.popcnt") \
    X(OP_I32_ADD, 0x6A, NONE, "ii_i", "i32.add") \
    X(OP_I32_SUB, 0x6B, NONE, "ii_i", "i32.sub") \
    X(OP_I32_MUL, 0x6C, NONE, "ii_i", "i32.mul") \
    X(OP_I32_DIV_S, 0x6D, NONE, "ii_i", "i32.div_s") \
    X(OP_I32_DIV_U, 0x6E, NONE, "ii_i", "i32.div_u") \
    X(OP_I32_REM_S, 0x6F, NONE, "ii_i", "i32.rem_s") \
    X(OP_I32_REM_U, 0x70, NONE, "ii_i", "i32.rem_u") \
    X(OP_I32_AND, 0x71, NONE, "ii_i", "i32.and") \
    X(OP_I32_OR, 0x72, NONE, "ii_i", "i32.or") \
    X(OP_I32_XOR, 0x73, NONE, "ii_i", "i32.xor") \
    X(OP_I32_SHL, 0x74, NONE, "ii_i", "i32.shl") \
    X(OP_I32_SHR_S, 0x75, NONE, "ii_i", "i32.shr_s") \
    X(OP_I32_SHR_U, 0x76, NONE, "ii_i", "i32.shr_u") \
    X(OP_I32_ROTL, 0x77, NONE, "ii_i", "i32.rotl") \
    X(OP_I32_ROTR, 0x78, NONE, "ii_i", "i32.rotr") \
    X(OP_I64_CLZ, 0x79, NONE, "l_l", "i64.clz") \
    X(OP_I64_CTZ, 0x7A, NONE, "l_l", "i64.ctz") \
    X(OP_I64_POPCNT, 0x7B, NONE, "l_l", "i64.popcnt") \
    X(OP_I64_ADD, 0x7C, NONE, "ll_l", "i64.add") \
    X(OP_I64_SUB, 0x7D, NONE, "ll_l", "i64.sub") \
    X(OP_I64_MUL, 0x7E, NONE, "ll_l", "i64.mul") \
    X(OP_I64_DIV_S, 0x7F, NONE, "ll_l", "i64.div_s") \
    X(OP_I64_DIV_U, 0x80, NONE, "ll_l", "i64.div_u") \
    X(OP_I64_REM_S, 0x81, NONE, "ll_l", "i64.rem_s") \
    X(OP_I64_REM_U, 0x82, NONE, "ll_l", "i64.rem_u") \
    X(OP_I64_AND, 0x83, NONE, "ll_l", "i64.and") \
    X(OP_I64_OR, 0x84, NONE, "ll_l", "i64.or") \
    X(OP_I64_XOR, 0x85, NONE, "ll_l", "i64.xor") \
    X(OP_I64_SHL, 0x86, NONE, "ll_l", "i64.shl") \
    X(OP_I64_SHR_S, 0x87, NONE, "ll_l", "i64.shr_s") \
    X(OP_I64_SHR_U, 0x88, NONE, "ll_l", "i64.shr_u") \
    X(OP_I64_ROTL, 0x89, NONE, "ll_l", "i64.rotl") \
    X(OP_I64_ROTR, 0x8A, NONE, "ll_l", "i64.rotr") \
    X(OP_F32_ABS, 0x8B, NONE, "f_f", "f32.abs") \
    X(OP_F32_NEG, 0x8C, NONE, "f_f", "f32.neg") \
    X(OP_F32_CEIL, 0x8D, NONE, "f_f", "f32.ceil") \
    X(OP_F32_FLOOR, 0x8E, NONE, "f_f", "f32.floor") \
    X(OP_F32_TRUNC, 0x8F, NONE, "f_f", "f32.trunc") \
    X(OP_F32_NEAREST, 0x90, NONE, "f_f", "f32.nearest") \
    X(OP_F32_SQRT, 0x91, NONE, "f_f", "f32.sqrt") \
    X(OP_F32_ADD, 0x92, NONE, "ff_f", "f32.add") \
    X(OP_F32_SUB, 0x93, NONE, "ff_f", "f32.sub") \
    X(OP_F32_MUL, 0x94, NONE, "ff_f", "f32.mul") \
    X(OP_F32_DIV, 0x95, NONE, "ff_f", "f32.div") \
    X(OP_F32_MIN, 0x96, NONE, "ff_f", "f32.min") \
    X(OP_F32_MAX, 0x97, NONE, "ff_f", "f32.max") \
    X(OP_F32_COPYSIGN, 0x98, NONE, "ff_f", "f32.copysign") \
    X(OP_F64_ABS, 0x99, NONE, "d_d", "f64.abs") \
    X(OP_F64_NEG, 0x9A, NONE, "d_d", "f64.neg") \
    X(OP_F64_CEIL, 0x9B, NONE, "d_d", "f64.ceil") \
    X(OP_F64_FLOOR, 0x9C, NONE, "d_d", "f64.floor") \
    X(OP_F64_TRUNC, 0x9D, NONE, "d_d", "f64.trunc") \
    X(OP_F64_NEAREST, 0x9E, NONE, "d_d", "f64.nearest") \
    X(OP_F64_SQRT, 0x9F, NONE, "d_d", "f64.sqrt") \
    X(OP_F64_ADD, 0xA0, NONE, "dd_d", "f64.add") \
    X(OP_F64_SUB, 0xA1, NONE, "dd_d", "f64.sub") \
    X(OP_F64_MUL, 0xA2, NONE, "dd_d", "f64.mul") \
    X(OP_F64_DIV, 0xA3, NONE, "dd_d", "f64.div") \
    X(OP_F64_MIN, 0xA4, NONE, "dd_d", "f64.min") \
    X(OP_F64_MAX, 0xA5, NONE, "dd_d", "f64.max") \
    X(OP_F64_COPYSIGN, 0xA6, NONE, "dd_d", "f64.copysign") \
    X(OP_I32_WRAP_I64, 0xA7, NONE, "l_i", "i32.wrap_i64") \
    X(OP_I32_TRUNC_F32_S, 0xA8, NONE, "f_i", "i32.trunc_f32_s") \
    X(OP_I32_TRUNC_F32_U, 0xA9, NONE, "f_i", "i32.trunc_f32_u") \
    X(OP_I32_TRUNC_F64_S, 0xAA, NONE, "d_i", "i32.trunc_f64_s") \
    X(OP_I32_TRUNC_F64_U, 0xAB, NONE, "d_i", "i32.trunc_f64_u") \
    X(OP_I64_EXTEND_I32_S, 0xAC, NONE, "i_l", "i64.extend_i32_s") \
    X(OP_I64_EXTEND_I32_U, 0xAD, NONE, "i_l", "i64.extend_i32_u") \
    X(OP_I64_TRUNC_F32_S, 0xAE, NONE, "f_l", "i64.trunc_f32_s") \
    X(OP_I64_TRUNC_F32_U, 0xAF, NONE, "f_l", "i64.trunc_f32_u") \
    X(OP_I64_TRUNC_F64_S, 0xB0, NONE, "d_l", "i64.trunc_f64_s") \
    X(OP_I64_TRUNC_F64_U, 0xB1, NONE, "d_l", "i64.trunc_f64_u") \
    X(OP_F32_CONVERT_I32_S, 0xB2, NONE, "i_f", "f32.convert_i32_s") \
    X(OP_F32_CONVERT_I32_U, 0xB3, NONE, "i_f", "f32.convert_i32_u") \
    X(OP_F32_CONVERT_I64_S, 0xB4, NONE, "l_f", "f32.convert_i64_s") \
    X(OP_F32_CONVERT_I64_U, 0xB5, NONE, "l_f", "f32.convert_i64_u") \
    X(OP_F32_DEMOTE_F64, 0xB6, NONE, "d_f", "f32.demote_f64") \
    X(OP_F64_CONVERT_I32_S, 0xB7, NONE, "i_d", "f64.convert_i32_s") \
    X(OP_F64_CONVERT_I32_U, 0xB8, NONE, "i_d", "f64.convert_i32_u") \
    X(OP_F64_CONVERT_I64_S, 0xB9, NONE, "l_d", "f64.convert_i64_s") \
    X(OP_F64_CONVERT_I64_U, 0xBA, NONE, "l_d", "f64.convert_i64_u") \
    X(OP_F64_PROMOTE_F32, 0xBB, NONE, "f_d", "f64.promote_f32") \
    X(OP_I32_REINTERPRET_F32, 0xBC, NONE, "f_i", "i32.reinterpret_f32") \
    X(OP_I64_REINTERPRET_F64, 0xBD, NONE, "d_l", "i64.reinterpret_f64") \
    X(OP_F32_REINTERPRET_I32, 0xBE, NONE, "i_f", "f32.reinterpret_i32") \
    X(OP_F64_REINTERPRET_I64, 0xBF, NONE, "l_d", "f64.reinterpret_i64") \
    X(OP_I32_EXTEND8_S, 0xC0, NONE, "i_i", "i32.extend8_s") \
    X(OP_I32_EXTEND16_S, 0xC1, NONE, "i_i", "i32.extend16_s") \
    X(OP_I64_EXTEND8_S, 0xC2, NONE, "l_l", "i64.extend8_s") \
    X(OP_I64_EXTEND16_S, 0xC3, NONE, "l_l", "i64.extend16_s") \
    X(OP_I64_EXTEND32_S, 0xC4, NONE, "l_l", "i64.extend32_s") \
    X(OP_REF_NULL, 0xD0, REFTYPE, "*", "ref.null") \
    X(OP_REF_IS_NULL, 0xD1, NONE, "*", "ref.is_null") \
    X(OP_REF_FUNC, 0xD2, FUNC, "*", "ref.func")

#define WASM_OPS_FC(X) \
    X(OP_I32_TRUNC_SAT_F32_S, 0x00, NONE, "f_i", "i32.trunc_sat_f32_s") \
    X(OP_I32_TRUNC_SAT_F32_U, 0x01, NONE, "f_i", "i32.trunc_sat_f32_u") \
    X(OP_I32_TRUNC_SAT_F64_S, 0x02, NONE, "d_i", "i32.trunc_sat_f64_s") \
    X(OP_I32_TRUNC_SAT_F64_U, 0x03, NONE, "d_i", "i32.trunc_sat_f64_u") \
    X(OP_I64_TRUNC_SAT_F32_S, 0x04, NONE, "f_l", "i64.trunc_sat_f32_s") \
    X(OP_I64_TRUNC_SAT_F32_U, 0x05, NONE, "f_l", "i64.trunc_sat_f32_u") \
    X(OP_I64_TRUNC_SAT_F64_S, 0x06, NONE, "d_l", "i64.trunc_sat_f64_s") \
    X(OP_I64_TRUNC_SAT_F64_U, 0x07, NONE, "d_l", "i64.trunc_sat_f64_u") \
    X(OP_MEMORY_INIT, 0x08, DATA_MEM, "iii_", "memory.init") \
    X(OP_DATA_DROP, 0x09, DATA, "_", "data.drop") \
    X(OP_MEMORY_COPY, 0x0A, MEM_MEM, "iii_", "memory.copy") \
    X(OP_MEMORY_FILL, 0x0B, MEMIDX, "iii_", "memory.fill") \
    X(OP_TABLE_INIT, 0x0C, ELEM_TABLE, "iii_", "table.init") \
    X(OP_ELEM_DROP, 0x0D, ELEM, "_", "elem.drop") \
    X(OP_TABLE_COPY, 0x0E, TABLE_TABLE, "iii_", "table.copy") \
    X(OP_TABLE_GROW, 0x0F, TABLE, "*", "table.grow") \
    X(OP_TABLE_SIZE, 0x10, TABLE, "_i", "table.size") \
    X(OP_TABLE_FILL, 0x11, TABLE, "*", "table.fill")

#define WASM_OPS_FD(X) \
    X(OP_V128_LOAD, 0x00, MEMARG, "i_v", "v128.load") \
    X(OP_V128_LOAD8X8_S, 0x01, MEMARG, "i_v", "v128.load8x8_s") \
    X(OP_V128_LOAD8X8_U, 0x02, MEMARG, "i_v", "v128.load8x8_u") \
    X(OP_V128_LOAD16X4_S, 0x03, MEMARG, "i_v", "v128.load16x4_s") \
    X(OP_V128_LOAD16X4_U, 0x04, MEMARG, "i_v", "v128.load16x4_u") \
    X(OP_V128_LOAD32X2_S, 0x05, MEMARG, "i_v", "v128.load32x2_s") \
    X(OP_V128_LOAD32X2_U, 0x06, MEMARG, "i_v", "v128.load32x2_u") \
    X(OP_V128_LOAD8_SPLAT, 0x07, MEMARG, "i_v", "v128.load8_splat") \
    X(OP_V128_LOAD16_SPLAT, 0x08, MEMARG, "i_v", "v128.load16_splat") \
    X(OP_V128_LOAD32_SPLAT, 0x09, MEMARG, "i_v", "v128.load32_splat") \
    X(OP_V128_LOAD64_SPLAT, 0x0A, MEMARG, "i_v", "v128.load64_splat") \
    X(OP_V128_STORE, 0x0B, MEMARG, "iv_", "v128.store") \
    X(OP_V128_CONST, 0x0C, V128, "_v", "v128.const") \
    X(OP_I8X16_SHUFFLE, 0x0D, SHUFFLE, "vv_v", "i8x16.shuffle") \
    X(OP_I8X16_SWIZZLE, 0x0E, NONE, "vv_v", "i8x16.swizzle") \
    X(OP_I8X16_SPLAT, 0x0F, NONE, "i_v", "i8x16.splat") \
    X(OP_I16X8_SPLAT, 0x10, NONE, "i_v", "i16x8.splat") \
    X(OP_I32X4_SPLAT, 0x11, NONE, "i_v", "i32x4.splat") \
    X(OP_I64X2_SPLAT, 0x12, NONE, "l_v", "i64x2.splat") \
    X(OP_F32X4_SPLAT, 0x13, NONE, "f_v", "f32x4.splat") \
    X(OP_F64X2_SPLAT, 0x14, NONE, "d_v", "f64x2.splat") \
    X(OP_I8X16_EXTRACT_LANE_S, 0x15, LANE, "v_i", "i8x16.extract_lane_s") \
    X(OP_I8X16_EXTRACT_LANE_U, 0x16, LANE, "v_i", "i8x16.extract_lane_u") \
    X(OP_I8X16_REPLACE_LANE, 0x17, LANE, "vi_v", "i8x16.replace_lane") \
    X(OP_I16X8_EXTRACT_LANE_S, 0x18, LANE, "v_i", "i16x8.extract_lane_s") \
    X(OP_I16X8_EXTRACT_LANE_U, 0x19, LANE, "v_i", "i16x8.extract_lane_u") \
    X(OP_I16X8_REPLACE_LANE, 0x1A, LANE, "vi_v", "i16x8.replace_lane") \
    X(OP_I32X4_EXTRACT_LANE, 0x1B, LANE, "v_i", "i32x4.extract_lane") \
    X(OP_I32X4_REPLACE_LANE, 0x1C, LANE, "vi_v", "i32x4.replace_lane") \
    X(OP_I64X2_EXTRACT_LANE, 0x1D, LANE, "v_l", "i64x2.extract_lane") \
    X(OP_I64X2_REPLACE_LANE, 0x1E, LANE, "vl_v", "i64x2.replace_lane") \
    X(OP_F32X4_EXTRACT_LANE, 0x1F, LANE, "v_f", "f32x4.extract_lane") \
    X(OP_F32X4_REPLACE_LANE, 0x20, LANE, "vf_v", "f32x4.replace_lane") \
    X(OP_F64X2_EXTRACT_LANE, 0x21, LANE, "v_d", "f64x2.extract_lane") \
    X(OP_F64X2_REPLACE_LANE, 0x22, LANE, "vd_v", "f64x2.replace_lane") \
    X(OP_I8X16_EQ, 0x23, NONE, "vv_v", "i8x16.eq") \
    X(OP_I8X16_NE, 0x24, NONE, "vv_v", "i8x16.ne") \
    X(OP_I8X16_LT_S, 0x25, NONE, "vv_v", "i8x16.lt_s") \
    X(OP_I8X16_LT_U, 0x26, NONE, "vv_v", "i8x16.lt_u") \
    X(OP_I8X16_GT_S, 0x27, NONE, "vv_v", "i8x16.gt_s") \
    X(OP_I8X16_GT_U, 0x28, NONE, "vv_v", "i8x16.gt_u") \
    X(OP_I8X16_LE_S, 0x29, NONE, "vv_v", "i8x16.le_s") \
    X(OP_I8X16_LE_U, 0x2A, NONE, "vv_v", "i8x16.le_u") \
    X(OP_I8X16_GE_S, 0x2B, NONE, "vv_v", "i8x16.ge_s") \
    X(OP_I8X16_GE_U, 0x2C, NONE, "vv_v", "i8x16.ge_u") \
    X(OP_I16X8_EQ, 0x2D, NONE, "vv_v", "i16x8.eq") \
    X(OP_I16X8_NE, 0x2E, NONE, "vv_v", "i16x8.ne") \
    X(OP_I16X8_LT_S, 0x2F, NONE, "vv_v", "i16x8.lt_s") \
    X(OP_I16X8_LT_U, 0x30, NONE, "vv_v", "i16x8.lt_u") \
    X(OP_I16X8_GT_S, 0x31, NONE, "vv_v", "i16x8.gt_s") \
    X(OP_I16X8_GT_U, 0x32, NONE, "vv_v", "i16x8.gt_u") \
    X(OP_I16X8_LE_S, 0x33, NONE, "vv_v", "i16x8.le_s") \
    X(OP_I16X8_LE_U, 0x34, NONE, "vv_v", "i16x8.le_u") \
    X(OP_I16X8_GE_S, 0x35, NONE, "vv_v", "i16x8.ge_s") \
    X(OP_I16X8_GE_U, 0x36, NONE, "vv_v", "i16x8.ge_u") \
    X(OP_I32X4_EQ, 0x37, NONE, "vv_v", "i32x4.eq") \
    X(OP_I32X4_NE, 0x38, NONE, "vv_v", "i32x4.ne") \
    X(OP_I32X4_LT_S, 0x39, NONE, "vv_v", "i32x4.lt_s") \
    X(OP_I32X4_LT_U, 0x3A, NONE, "vv_v", "i32x4.lt_u") \
    X(OP_I32X4_GT_S, 0x3B, NONE, "vv_v", "i32x4.gt_s") \
    X(OP_I32X4_GT_U, 0x3C, NONE, "vv_v", "i32x4.gt_u") \
    X(OP_I32X4_LE_S, 0x3D, NONE, "vv_v", "i32x4.le_s") \
    X(OP_I32X4_LE_U, 0x3E, NONE, "vv_v", "i32x4.le_u") \
    X(OP_I32X4_GE_S, 0x3F, NONE, "vv_v", "i32x4.ge_s") \
    X(OP_I32X4_GE_U, 0x40, NONE, "vv_v", "i32x4.ge_u") \
    X(OP_F32X4_EQ, 0x41, NONE, "vv_v", "f32x4.eq") \
    X(OP_F32X4_NE, 0x42, NONE, "vv_v", "f32x4.ne") \
    X(OP_F32X4_LT, 0x43, NONE, "vv_v", "f32x4.lt") \
    X(OP_F32X4_GT, 0x44, NONE, "vv_v", "f32x4.gt") \
    X(OP_F32X4_LE, 0x45, NONE, "vv_v", "f32x4.le") \
    X(OP_F32X4_GE, 0x46, NONE, "vv_v", "f32x4.ge") \
    X(OP_F64X2_EQ, 0x47, NONE, "vv_v", "f64x2.eq") \
    X(OP_F64X2_NE, 0x48, NONE, "vv_v", "f64x2.ne") \
    X(OP_F64X2_LT, 0x49, NONE, "vv_v", "f64x2.lt") \
    X(OP_F64X2_GT, 0x4A, NONE, "vv_v", "f64x2.gt") \
    X(OP_F64X2_LE, 0x4B, NONE, "vv_v", "f64x2.le") \
    X(OP_F64X2_GE, 0x4C, NONE, "vv_v", "f64x2.ge") \
    X(OP_V128_NOT, 0x4D, NONE, "v_v", "v128.not") \
    X(OP_V128_AND, 0x4E, NONE, "vv_v", "v128.and") \
    X(OP_V128_ANDNOT, 0x4F, NONE, "vv_v", "v128.andnot") \
    X(OP_V128_OR, 0x50, NONE, "vv_v", "v128.or") \
    X(OP_V128_XOR, 0x51, NONE, "vv_v", "v128.xor") \
    X(OP_V128_BITSELECT, 0x52, NONE, "vvv_v", "v128.bitselect") \
    X(OP_V128_ANY_TRUE, 0x53, NONE, "v_i", "v128.any_true") \
    X(OP_V128_LOAD8_LANE, 0x54, MEMARG_LANE, "iv_v", "v128.load8_lane") \
    X(OP_V128_LOAD16_LANE, 0x55, MEMARG_LANE, "iv_v", "v128.load16_lane") \
    X(OP_V128_LOAD32_LANE, 0x56, MEMARG_LANE, "iv_v", "v128.load32_lane") \
    X(OP_V128_LOAD64_LANE, 0x57, MEMARG_LANE, "iv_v", "v128.load64_lane") \
    X(OP_V128_STORE8_LANE, 0x58, MEMARG_LANE, "iv_", "v128.store8_lane") \
    X(OP_V128_STORE16_LANE, 0x59, MEMARG_LANE, "iv_", "v128.store16_lane") \
    X(OP_V128_STORE32_LANE, 0x5A, MEMARG_LANE, "iv_", "v128.store32_lane") \
    X(OP_V128_STORE64_LANE, 0x5B, MEMARG_LANE, "iv_", "v128.store64_lane") \
    X(OP_V128_LOAD32_ZERO, 0x5C, MEMARG, "i_v", "v128.load32_zero") \
    X(OP_V128_LOAD64_ZERO, 0x5D, MEMARG, "i_v", "v128.load64_zero") \
    X(OP_F32X4_DEMOTE_F64X2_ZERO, 0x5E, NONE, "v_v", "f32x4.demote_f64x2_zero") \
    X(OP_F64X2_PROMOTE_LOW_F32X4, 0x5F, NONE, "v_v", "f64x2.promote_low_f32x4") \
    X(OP_I8X16_ABS, 0x60, NONE, "v_v", "i8x16.abs") \
    X(OP_I8X16_NEG, 0x61, NONE, "v_v", "i8x16.neg") \
    X(OP_I8X16_POPCNT, 0x62, NONE, "v_v", "i8x16.popcnt") \
    X(OP_I8X16_ALL_TRUE, 0x63, NONE, "v_i", "i8x16.all_true") \
    X(OP_I8X16_BITMASK, 0x64, NONE, "v_i", "i8x16.bitmask") \
    X(OP_I8X16_NARROW_I16X8_S, 0x65, NONE, "vv_v", "i8x16.narrow_i16x8_s") \
    X(OP_I8X16_NARROW_I16X8_U, 0x66, NONE, "vv_v", "i8x16.narrow_i16x8_u") \
    X(OP_F32X4_CEIL, 0x67, NONE, "v_v", "f32x4.ceil") \
    X(OP_F32X4_FLOOR, 0x68, NONE, "v_v", "f32x4.floor") \
    X(OP_F32X4_TRUNC, 0x69, NONE, "v_v", "f32x4.trunc") \
    X(OP_F32X4_NEAREST, 0x6A, NONE, "v_v", "f32x4.nearest") \
    X(OP_I8X16_SHL, 0x6B, NONE, "vi_v", "i8x16.shl") \
    X(OP_I8X16_SHR_S, 0x6C, NONE, "vi_v", "i8x16.shr_s") \
    X(OP_I8X16_SHR_U, 0x6D, NONE, "vi_v", "i8x16.shr_u") \
    X(OP_I8X16_ADD, 0x6E, NONE, "vv_v", "i8x16.add") \
    X(OP_I8X16_ADD_SAT_S, 0x6F, NONE, "vv_v", "i8x16.add_sat_s") \
    X(OP_I8X16_ADD_SAT_U, 0x70, NONE, "vv_v", "i8x16.add_sat_u") \
    X(OP_I8X16_SUB, 0x71, NONE, "vv_v", "i8x16.sub") \
    X(OP_I8X16_SUB_SAT_S, 0x72, NONE, "vv_v", "i8x16.sub_sat_s") \
    X(OP_I8X16_SUB_SAT_U, 0x73, NONE, "vv_v", "i8x16.sub_sat_u") \
    X(OP_F64X2_CEIL, 0x74, NONE, "v_v", "f64x2.ceil") \
    X(OP_F64X2_FLOOR, 0x75, NONE, "v_v", "f64x2.floor") \
    X(OP_I8X16_MIN_S, 0x76, NONE, "vv_v", "i8x16.min_s") \
    X(OP_I8X16_MIN_U, 0x77, NONE, "vv_v", "i8x16.min_u") \
    X(OP_I8X16_MAX_S, 0x78, NONE, "vv_v", "i8x16.max_s") \
    X(OP_I8X16_MAX_U, 0x79, NONE, "vv_v", "i8x16.max_u") \
    X(OP_F64X2_TRUNC, 0x7A, NONE, "v_v", "f64x2.trunc") \
    X(OP_I8X16_AVGR_U, 0x7B, NONE, "vv_v", "i8x16.avgr_u") \
    X(OP_I16X8_EXTADD_PAIRWISE_I8X16_S, 0x7C, NONE, "v_v", "i16x8.extadd_pairwise_i8x16_s") \
    X(OP_I16X8_EXTADD_PAIRWISE_I8X16_U, 0x7D, NONE, "v_v", "i16x8.extadd_pairwise_i8x16_u") \
    X(OP_I32X4_EXTADD_PAIRWISE_I16X8_S, 0x7E, NONE, "v_v", "i32x4.extadd_pairwise_i16x8_s") \
    X(OP_I32X4_EXTADD_PAIRWISE_I16X8_U, 0x7F, NONE, "v_v", "i32x4.extadd_pairwise_i16x8_u") \
    X(OP_I16X8_ABS, 0x80, NONE, "v_v", "i16x8.abs") \
    X(OP_I16X8_NEG, 0x81, NONE, "v_v", "i16x8.neg") \
    X(OP_I16X8_Q15MULR_SAT_S, 0x82, NONE, "vv_v", "i16x8.q15mulr_sat_s") \
    X(OP_I16X8_ALL_TRUE, 0x83, NONE, "v_i", "i16x8.all_true") \
    X(OP_I16X8_BITMASK, 0x84, NONE, "v_i", "i16x8.bitmask") \
    X(OP_I16X8_NARROW_I32X4_S, 0x85, NONE, "vv_v", "i16x8.narrow_i32x4_s") \
    X(OP_I16X8_NARROW_I32X4_U, 0x86, NONE, "vv_v", "i16x8.narrow_i32x4_u") \
    X(OP_I16X8_EXTEND_LOW_I8X16_S, 0x87, NONE, "v_v", "i16x8.extend_low_i8x16_s") \
    X(OP_I16X8_EXTEND_HIGH_I8X16_S, 0x88, NONE, "v_v", "i16x8.extend_high_i8x16_s") \
    X(OP_I16X8_EXTEND_LOW_I8X16_U, 0x89, NONE, "v_v", "i16x8.extend_low_i8x16_u") \
    X(OP_I16X8_EXTEND_HIGH_I8X16_U, 0x8A, NONE, "v_v", "i16x8.extend_high_i8x16_u") \
    X(OP_I16X8_SHL, 0x8B, NONE, "vi_v", "i16x8.shl") \
    X(OP_I16X8_SHR_S, 0x8C, NONE, "vi_v", "i16x8.shr_s") \
    X(OP_I16X8_SHR_U, 0x8D, NONE, "vi_v", "i16x8.shr_u") \
    X(OP_I16X8_ADD, 0x8E, NONE, "vv_v", "i16x8.add") \
    X(OP_I16X8_ADD_SAT_S, 0x8F, NONE, "vv_v", "i16x8.add_sat_s") \
    X(OP_I16X8_ADD_SAT_U, 0x90, NONE, "vv_v", "i16x8.add_sat_u") \
    X(OP_I16X8_SUB, 0x91, NONE, "vv_v", "i16x8.sub") \
    X(OP_I16X8_SUB_SAT_S, 0x92, NONE, "vv_v", "i16x8.sub_sat_s") \
    X(OP_I16X8_SUB_SAT_U, 0x93, NONE, "vv_v", "i16x8.sub_sat_u") \
    X(OP_F64X2_NEAREST, 0x94, NONE, "v_v", "f64x2.nearest") \
    X(OP_I16X8_MUL, 0x95, NONE, "vv_v", "i16x8.mul") \
    X(OP_I16X8_MIN_S, 0x96, NONE, "vv_v", "i16x8.min_s") \
    X(OP_I16X8_MIN_U, 0x97, NONE, "vv_v", "i16x8.min_u") \
    X(OP_I16X8_MAX_S, 0x98, NONE, "vv_v", "i16x8.max_s") \
    X(OP_I16X8_MAX_U, 0x99, NONE, "vv_v", "i16x8.max_u") \
    X(OP_I16X8_AVGR_U, 0x9B, NONE, "vv_v", "i16x8.avgr_u") \
    X(OP_I16X8_EXTMUL_LOW_I8X16_S, 0x9C, NONE, "vv_v", "i16x8.extmul_low_i8x16_s") \
    X(OP_I16X8_EXTMUL_HIGH_I8X16_S, 0x9D, NONE, "vv_v", "i16x8.extmul_high_i8x16_s") \
    X(OP_I16X8_EXTMUL_LOW_I8X16_U, 0x9E, NONE, "vv_v", "i16x8.extmul_low_i8x16_u") \
    X(OP_I16X8_EXTMUL_HIGH_I8X16_U, 0x9F, NONE, "vv_v", "i16x8.extmul_high_i8x16_u") \
    X(OP_I32X4_ABS, 0xA0, NONE, "v_v", "i32x4.abs") \
    X(OP_I32X4_NEG, 0xA1, NONE, "v_v", "i32x4.neg") \
    X(OP_I32X4_ALL_TRUE, 0xA3, NONE, "v_i", "i32x4.all_true") \
    X(OP_I32X4_BITMASK, 0xA4, NONE, "v_i", "i32x4.bitmask") \
    X(OP_I32X4_EXTEND_LOW_I16X8_S, 0xA7, NONE, "v_v", "i32x4.extend_low_i16x8_s") \
    X(OP_I32X4_EXTEND_HIGH_I16X8_S, 0xA8, NONE, "v_v", "i32x4.extend_high_i16x8_s") \
    X(OP_I32X4_EXTEND_LOW_I16X8_U, 0xA9, NONE, "v_v", "i32x4.extend_low_i16x8_u") \
    X(OP_I32X4_EXTEND_HIGH_I16X8_U, 0xAA, NONE, "v_v", "i32x4.extend_high_i16x8_u") \
    X(OP_I32X4_SHL, 0xAB, NONE, "vi_v", "i32x4.shl") \
    X(OP_I32X4_SHR_S, 0xAC, NONE, "vi_v", "i32x4.shr_s") \
    X(OP_I32X4_SHR_U, 0xAD, NONE, "vi_v", "i32x4.shr_u") \
    X(OP_I32X4_ADD, 0xAE, NONE, "vv_v", "i32x4.add") \
    X(OP_I32X4_SUB, 0xB1, NONE, "vv_v", "i32x4.sub") \
    X(OP_I32X4_MUL, 0xB5, NONE, "vv_v", "i32x4.mul") \
    X(OP_I32X4_MIN_S, 0xB6, NONE, "vv_v", "i32x4.min_s") \
    X(OP_I32X4_MIN_U, 0xB7, NONE, "vv_v", "i32x4.min_u") \
    X(OP_I32X4_MAX_S, 0xB8, NONE, "vv_v", "i32x4.max_s") \
    X(OP_I32X4_MAX_U, 0xB9, NONE, "vv_v", "i32x4.max_u") \
    X(OP_I32X4_DOT_I16X8_S, 0xBA, NONE, "vv_v", "i32x4.dot_i16x8_s") \
    X(OP_I32X4_EXTMUL_LOW_I16X8_S, 0xBC, NONE, "vv_v", "i32x4.extmul_low_i16x8_s") \
    X(OP_I32X4_EXTMUL_HIGH_I16X8_S, 0xBD, NONE, "vv_v", "i32x4.extmul_high_i16x8_s") \
    X(OP_I32X4_EXTMUL_LOW_I16X8_U, 0xBE, NONE, "vv_v", "i32x4.extmul_low_i16x8_u") \
    X(OP_I32X4_EXTMUL_HIGH_I16X8_U, 0xBF, NONE, "vv_v", "i32x4.extmul_high_i16x8_u") \
    X(OP_I64X2_ABS, 0xC0, NONE, "v_v", "i64x2.abs") \
    X(OP_I64X2_NEG, 0xC1, NONE, "v_v", "i64x2.neg") \
    X(OP_I64X2_ALL_TRUE, 0xC3, NONE, "v_i", "i64x2.all_true") \
    X(OP_I64X2_BITMASK, 0xC4, NONE, "v_i", "i64x2.bitmask") \
    X(OP_I64X2_EXTEND_LOW_I32X4_S, 0xC7, NONE, "v_v", "i64x2.extend_low_i32x4_s") \
    X(OP_I64X2_EXTEND_HIGH_I32X4_S, 0xC8, NONE, "v_v", "i64x2.extend_high_i32x4_s") \
    X(OP_I64X2_EXTEND_LOW_I32X4_U, 0xC9, NONE, "v_v", "i64x2.extend_low_i32x4_u") \
    X(OP_I64X2_EXTEND_HIGH_I32X4_U, 0xCA, NONE, "v_v", "i64x2.extend_high_i32x4_u") \
    X(OP_I64X2_SHL, 0xCB, NONE, "vi_v", "i64x2.shl") \
    X(OP_I64X2_SHR_S, 0xCC, NONE, "vi_v", "i64x2.shr_s") \
    X(OP_I64X2_SHR_U, 0xCD, NONE, "vi_v", "i64x2.shr_u") \
    X(OP_I64X2_ADD, 0xCE, NONE, "vv_v", "i64x2.add") \
    X(OP_I64X2_SUB, 0xD1, NONE, "vv_v", "i64x2.sub") \
    X(OP_I64X2_MUL, 0xD5, NONE, "vv_v", "i64x2.mul") \
    X(OP_I64X2_EQ, 0xD6, NONE, "vv_v", "i64x2.eq") \
    X(OP_I64X2_NE, 0xD7, NONE, "vv_v", "i64x2.ne") \
    X(OP_I64X2_LT_S, 0xD8, NONE, "vv_v", "i64x2.lt_s") \
    X(OP_I64X2_GT_S, 0xD9, NONE, "vv_v", "i64x2.gt_s") \
    X(OP_I64X2_LE_S, 0xDA, NONE, "vv_v", "i64x2.le_s") \
    X(OP_I64X2_GE_S, 0xDB, NONE, "vv_v", "i64x2.ge_s") \
    X(OP_I64X2_EXTMUL_LOW_I32X4_S, 0xDC, NONE, "vv_v", "i64x2.extmul_low_i32x4_s") \
    X(OP_I64X2_EXTMUL_HIGH_I32X4_S, 0xDD, NONE, "vv_v", "i64x2.extmul_high_i32x4_s") \
    X(OP_I64X2_EXTMUL_LOW_I32X4_U, 0xDE, NONE, "vv_v", "i64x2.extmul_low_i32x4_u") \
    X(OP_I64X2_EXTMUL_HIGH_I32X4_U, 0xDF, NONE, "vv_v", "i64x2.extmul_high_i32x4_u") \
    X(OP_F32X4_ABS, 0xE0, NONE, "v_v", "f32x4.abs") \
    X(OP_F32X4_NEG, 0xE1, NONE, "v_v", "f32x4.neg") \
    X(OP_F32X4_SQRT, 0xE3, NONE, "v_v", "f32x4.sqrt") \
    X(OP_F32X4_ADD, 0xE4, NONE, "vv_v", "f32x4.add") \
    X(OP_F32X4_SUB, 0xE5, NONE, "vv_v", "f32x4.sub") \
    X(OP_F32X4_MUL, 0xE6, NONE, "vv_v", "f32x4.mul") \
    X(OP_F32X4_DIV, 0xE7, NONE, "vv_v", "f32x4.div") \
    X(OP_F32X4_MIN, 0xE8, NONE, "vv_v", "f32x4.min") \
    X(OP_F32X4_MAX, 0xE9, NONE, "vv_v", "f32x4.max") \
    X(OP_F32X4_PMIN, 0xEA, NONE, "vv_v", "f32x4.pmin") \
    X(OP_F32X4_PMAX, 0xEB, NONE, "vv_v", "f32x4.pmax") \
    X(OP_F64X2_ABS, 0xEC, NONE, "v_v", "f64x2.abs") \
    X(OP_F64X2_NEG, 0xED, NONE, "v_v", "f64x2.neg") \
    X(OP_F64X2_SQRT, 0xEF, NONE, "v_v", "f64x2.sqrt") \
    X(OP_F64X2_ADD, 0xF0, NONE, "vv_v", "f64x2.add") \
    X(OP_F64X2_SUB, 0xF1, NONE, "vv_v", "f64x2.sub") \
    X(OP_F64X2_MUL, 0xF2, NONE, "vv_v", "f64x2.mul") \
    X(OP_F64X2_DIV, 0xF3, NONE, "vv_v", "f64x2.div") \
    X(OP_F64X2_MIN, 0xF4, NONE, "vv_v", "f64x2.min") \
    X(OP_F64X2_MAX, 0xF5, NONE, "vv_v", "f64x2.max") \
    X(OP_F64X2_PMIN, 0xF6, NONE, "vv_v", "f64x2.pmin") \
    X(OP_F64X2_PMAX, 0xF7, NONE, "vv_v", "f64x2.pmax") \
    X(OP_I32X4_TRUNC_SAT_F32X4_S, 0xF8, NONE, "v_v", "i32x4.trunc_sat_f32x4_s") \
    X(OP_I32X4_TRUNC_SAT_F32X4_U, 0xF9, NONE, "v_v", "i32x4.trunc_sat_f32x4_u") \
    X(OP_F32X4_CONVERT_I32X4_S, 0xFA, NONE, "v_v", "f32x4.convert_i32x4_s") \
    X(OP_F32X4_CONVERT_I32X4_U, 0xFB, NONE, "v_v", "f32x4.convert_i32x4_u") \
    X(OP_I32X4_TRUNC_SAT_F64X2_S_ZERO, 0xFC, NONE, "v_v", "i32x4.trunc_sat_f64x2_s_zero") \
    X(OP_I32X4_TRUNC_SAT_F64X2_U_ZERO, 0xFD, NONE, "v_v", "i32x4.trunc_sat_f64x2_u_zero") \
    X(OP_F64X2_CONVERT_LOW_I32X4_S, 0xFE, NONE, "v_v", "f64x2.convert_low_i32x4_s") \
    X(OP_F64X2_CONVERT_LOW_I32X4_U, 0xFF, NONE, "v_v", "f64x2.convert_low_i32x4_u")

/* Opcode enums: OP_I32_ADD = 0x6A; prefixed ones carry their sub-opcode. */
#define WASM_OP_ENUM(sym, code, imm, sig, name) sym = code,
enum wasm_op { WASM_OPS(WASM_OP_ENUM) };
enum wasm_op_fc { WASM_OPS_FC(WASM_OP_ENUM) };
enum wasm_op_fd { WASM_OPS_FD(WASM_OP_ENUM) };
#undef WASM_OP_ENUM

#define OP_PREFIX_FC 0xFC
#define OP_PREFIX_FD 0xFD

#endif
