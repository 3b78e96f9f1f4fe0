/*
 * test_validate.c — unit tests of the function-body validator (validate.c)
 * on small hand-assembled bodies, in a hand-built module: no decoder needed.
 * Prints "N passed, N failed" last.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wasm/module.h"
#include "wasm/opcodes.h"

static int passed, failed;

/* ---- a fixed module to validate bodies against ------------------------------- */

enum { T_V_V, T_I_I, T_II_I, T_V_II, T_I_V, T_V_I, T_IL_F, T_V_F, T_V_V128, NTYPES };

static aw_valtype k_typebuf[][4] = {
    [T_V_V] = {0},
    [T_I_I] = {AW_I32, AW_I32},
    [T_II_I] = {AW_I32, AW_I32, AW_I32},
    [T_V_II] = {AW_I32, AW_I32},
    [T_I_V] = {AW_I32},
    [T_V_I] = {AW_I32},
    [T_IL_F] = {AW_I32, AW_I64, AW_F32},
    [T_V_F] = {AW_F32},
    [T_V_V128] = {AW_V128},
};
static const uint32_t k_arity[][2] = {
    [T_V_V] = {0, 0}, [T_I_I] = {1, 1}, [T_II_I] = {2, 1}, [T_V_II] = {0, 2}, [T_I_V] = {1, 0},
    [T_V_I] = {0, 1}, [T_IL_F] = {2, 1}, [T_V_F] = {0, 1}, [T_V_V128] = {0, 1},
};

#define BODY_AT 0x20

typedef struct tmod {
    aw_module m;
    wasm_functype types[NTYPES];
    uint32_t func_types[3];
    wasm_funcdef funcs[2];
    wasm_tabletype tables[2];
    aw_limits mems[1];
    wasm_globaltype globals[2];
    wasm_elemseg elems[2];
    wasm_dataseg datas[1];
    bool declared[3];
    aw_valtype locals[8];
    uint8_t bytes[16384];
} tmod;

/* Module: types above; func 0 imported (T_I_I); func 1 defined (the body
 * under test), func 2 defined (T_V_V); tables: 0 funcref, 1 externref;
 * one memory; globals: 0 immutable i32, 1 mutable i64; elems: 0 funcref,
 * 1 externref; one data segment with a datacount section. Function 0 is
 * declared (ref.func may name it), 2 is not. */
static void tmod_init(tmod *t, uint32_t type, const aw_valtype *locals, uint32_t nlocals, const uint8_t *body,
                      size_t len) {
    memset(t, 0, sizeof *t);
    aw_module *m = &t->m;
    for (int i = 0; i < NTYPES; i++) {
        t->types[i].nparams = k_arity[i][0];
        t->types[i].nresults = k_arity[i][1];
        t->types[i].types = k_typebuf[i];
    }
    m->types = t->types, m->ntypes = NTYPES;
    t->func_types[0] = T_I_I, t->func_types[1] = type, t->func_types[2] = T_V_V;
    m->nfuncs = 3, m->nfunc_imports = 1, m->func_types = t->func_types, m->funcs = t->funcs;
    t->tables[0] = (wasm_tabletype){AW_FUNCREF, {1, WASM_NO_MAX}};
    t->tables[1] = (wasm_tabletype){AW_EXTERNREF, {1, WASM_NO_MAX}};
    m->tables = t->tables, m->ntables = 2;
    t->mems[0] = (aw_limits){1, WASM_NO_MAX};
    m->mems = t->mems, m->nmems = 1;
    t->globals[0] = (wasm_globaltype){AW_I32, false};
    t->globals[1] = (wasm_globaltype){AW_I64, true};
    m->globals = t->globals, m->nglobals = 2;
    t->elems[0].type = AW_FUNCREF, t->elems[1].type = AW_EXTERNREF;
    m->elems = t->elems, m->nelems = 2;
    m->datas = t->datas, m->ndatas = 1, m->has_datacount = true, m->datacount = 1;
    t->declared[0] = true;
    m->func_declared = t->declared;
    if (nlocals) memcpy(t->locals, locals, nlocals * sizeof *locals);
    memcpy(t->bytes + BODY_AT, body, len);
    m->bytes = t->bytes, m->len = BODY_AT + len;
    wasm_funcdef *f = &t->funcs[0];
    f->type = type, f->nlocals = nlocals, f->local_types = t->locals;
    f->body = t->bytes + BODY_AT, f->body_end = f->body + len, f->body_offset = BODY_AT;
    static const uint8_t empty[] = {OP_END};
    memcpy(t->bytes + 16000, empty, 1);
    t->funcs[1] = (wasm_funcdef){.type = T_V_V, .body = t->bytes + 16000, .body_end = t->bytes + 16001, .body_offset = 16000};
}

/* ---- checking ------------------------------------------------------------------ */

static tmod g_mod;
static bool g_no_datacount; /* validate the next body as if the module had no datacount section */ /* large; static to keep it off the stack (tests are single-threaded) */

static void check(int line, aw_errkind want, const char *phrase, uint32_t type, const aw_valtype *locals,
                  uint32_t nlocals, const uint8_t *body, size_t len) {
    tmod_init(&g_mod, type, locals, nlocals, body, len);
    if (g_no_datacount) g_mod.m.has_datacount = false, g_no_datacount = false;
    aw_error err;
    memset(&err, 0, sizeof err);
    bool ok = wasm_validate_func(&g_mod.m, 0, &err);
    aw_errkind got = ok ? AW_OK : err.kind;
    bool good = got == want && (ok || !phrase || strstr(err.message, phrase));
    if (good) {
        passed++;
        return;
    }
    failed++;
    printf("FAIL line %d: want kind %d \"%s\", got kind %d: %s\n", line, want, phrase ? phrase : "", got,
           ok ? "(valid)" : err.message);
}

#define L(...) ((const aw_valtype[]){__VA_ARGS__}), (uint32_t)(sizeof((const aw_valtype[]){__VA_ARGS__}) / sizeof(aw_valtype))
#define NOLOCALS NULL, 0
#define B(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})
#define OK(type, locals, body) check(__LINE__, AW_OK, NULL, type, locals, body)
#define INVALID(phrase, type, locals, body) check(__LINE__, AW_ERR_INVALID, phrase, type, locals, body)
#define MALFORMED(phrase, type, locals, body) check(__LINE__, AW_ERR_MALFORMED, phrase, type, locals, body)

enum { I32C = OP_I32_CONST, I64C = OP_I64_CONST, F32C = OP_F32_CONST, END = OP_END, FC = 0xFC, FD = 0xFD };

static void test_basics(void) {
    OK(T_V_V, NOLOCALS, B(END));
    OK(T_II_I, NOLOCALS, B(OP_LOCAL_GET, 0, OP_LOCAL_GET, 1, OP_I32_ADD, END));
    INVALID("type mismatch", T_V_V, NOLOCALS, B(I32C, 1, END));
    INVALID("type mismatch", T_V_I, NOLOCALS, B(END));
    INVALID("i32.add expects [i32 i32] but got [i64 i32]", T_V_I, NOLOCALS,
            B(I64C, 1, I32C, 2, OP_I32_ADD, END));
    INVALID("type mismatch", T_V_I, NOLOCALS, B(I32C, 1, OP_I32_ADD, END));
    OK(T_V_F, NOLOCALS, B(F32C, 0, 0, 0x80, 0x3f, END));
    INVALID("unknown local", T_I_V, L(AW_I64), B(OP_LOCAL_GET, 2, OP_DROP, END));
    OK(T_I_V, L(AW_I64), B(OP_LOCAL_GET, 1, OP_LOCAL_SET, 1, END));
    INVALID("type mismatch", T_I_V, L(AW_I64), B(OP_LOCAL_GET, 0, OP_LOCAL_SET, 1, END));
    OK(T_V_I, L(AW_I32), B(I32C, 5, OP_LOCAL_TEE, 0, END));
    OK(T_IL_F, NOLOCALS, B(OP_LOCAL_GET, 1, OP_F32_CONVERT_I64_S, END));
}

static void test_encoding(void) {
    MALFORMED("END opcode expected", T_V_V, NOLOCALS, B(I32C, 1, OP_DROP));
    MALFORMED("unexpected end", T_V_V, NOLOCALS, B(I32C));
    MALFORMED("section size mismatch", T_V_V, NOLOCALS, B(END, OP_NOP));
    MALFORMED("illegal opcode", T_V_V, NOLOCALS, B(0x06, END));
    MALFORMED("illegal opcode", T_V_V, NOLOCALS, B(0xFF, END));
    MALFORMED("illegal opcode", T_V_V, NOLOCALS, B(FC, 0x12, END));
    MALFORMED("illegal opcode", T_V_V, NOLOCALS, B(FD, 0x9A, 0x01, END));
    MALFORMED("integer representation too long", T_V_I, NOLOCALS, B(I32C, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, END));
    MALFORMED("integer too large", T_V_I, NOLOCALS, B(I32C, 0x80, 0x80, 0x80, 0x80, 0x70, END));
    OK(T_V_I, NOLOCALS, B(I32C, 0x80, 0x80, 0x80, 0x80, 0x78, END));
    MALFORMED("zero byte expected", T_V_I, NOLOCALS, B(OP_MEMORY_SIZE, 0x01, END));
    MALFORMED("zero byte expected", T_V_I, NOLOCALS, B(OP_MEMORY_SIZE, 0x80, 0x00, END));
    OK(T_V_I, NOLOCALS, B(OP_MEMORY_SIZE, 0x00, END));
    MALFORMED("zero byte expected", T_V_V, NOLOCALS,
              B(I32C, 0, I32C, 0, I32C, 0, FC, OP_MEMORY_COPY, 0, 1, END));
    MALFORMED("illegal opcode", T_V_V, NOLOCALS, B(OP_ELSE, END));
    /* malformed after invalid: the malformed error wins */
    MALFORMED("illegal opcode", T_V_V, NOLOCALS, B(OP_I32_ADD, 0x06, END));
    MALFORMED("section size mismatch", T_V_V, NOLOCALS, B(OP_I32_ADD, END, OP_NOP));
    INVALID("type mismatch", T_V_V, NOLOCALS, B(OP_BLOCK, 0x40, OP_I32_ADD, END, END));
    /* the call_indirect table index may be an overlong LEB */
    OK(T_V_V, NOLOCALS, B(I32C, 0, OP_CALL_INDIRECT, T_V_V, 0x80, 0x00, END));
    /* prefixed sub-opcodes are LEB u32 too */
    OK(T_V_I, NOLOCALS, B(F32C, 0, 0, 0, 0, FC, 0x80, 0x00, END));
    MALFORMED("malformed reference type", T_V_V, NOLOCALS, B(OP_REF_NULL, 0x7F, OP_DROP, END));
}

static void test_blocks(void) {
    OK(T_V_I, NOLOCALS, B(OP_BLOCK, AW_I32, I32C, 1, END, END));
    INVALID("type mismatch", T_V_I, NOLOCALS, B(OP_BLOCK, AW_I32, END, END));
    INVALID("type mismatch", T_V_I, NOLOCALS, B(OP_BLOCK, AW_I32, I32C, 1, I32C, 1, END, END));
    OK(T_V_I, NOLOCALS, B(OP_LOOP, AW_I32, I32C, 1, END, END));
    /* multi-value: block type index with params */
    OK(T_V_I, NOLOCALS, B(I32C, 1, I32C, 2, OP_BLOCK, T_II_I, OP_I32_ADD, END, END));
    INVALID("type mismatch", T_V_I, NOLOCALS, B(I32C, 1, OP_BLOCK, T_II_I, OP_I32_ADD, END, END));
    OK(T_V_II, NOLOCALS, B(OP_BLOCK, T_V_II, I32C, 1, I32C, 2, END, END));
    INVALID("unknown type", T_V_V, NOLOCALS, B(OP_BLOCK, 0x20, END, END));
    MALFORMED("malformed", T_V_V, NOLOCALS, B(OP_BLOCK, 0x7A, END, END));
    /* if/else */
    OK(T_I_I, NOLOCALS, B(OP_LOCAL_GET, 0, OP_IF, AW_I32, I32C, 1, OP_ELSE, I32C, 2, END, END));
    INVALID("type mismatch", T_I_I, NOLOCALS, B(OP_LOCAL_GET, 0, OP_IF, AW_I32, I32C, 1, END, END));
    OK(T_I_I, NOLOCALS, B(OP_LOCAL_GET, 0, OP_LOCAL_GET, 0, OP_IF, T_I_I, END, END));
    INVALID("type mismatch", T_I_I, NOLOCALS, B(I64C, 0, OP_IF, 0x40, END, I32C, 0, END));
    INVALID("type mismatch", T_I_I, NOLOCALS, B(OP_LOCAL_GET, 0, OP_IF, AW_I32, I32C, 1, OP_ELSE, END, END));
    MALFORMED("illegal opcode", T_I_V, NOLOCALS, B(OP_LOCAL_GET, 0, OP_IF, 0x40, OP_ELSE, OP_ELSE, END, END));
    /* loop labels take the start types */
    OK(T_V_V, NOLOCALS, B(OP_LOOP, 0x40, OP_BR, 0, END, END));
    OK(T_V_V, NOLOCALS, B(I32C, 1, OP_LOOP, T_I_V, OP_BR, 0, END, END));
    OK(T_V_I, NOLOCALS, B(OP_LOOP, AW_I32, OP_BR, 0, END, END));
    INVALID("type mismatch", T_V_V, NOLOCALS, B(OP_LOOP, T_I_V, OP_BR, 0, END, END));
}

static void test_branches(void) {
    OK(T_V_I, NOLOCALS, B(OP_BLOCK, AW_I32, I32C, 1, OP_BR, 0, END, END));
    INVALID("unknown label", T_V_V, NOLOCALS, B(OP_BR, 1, END));
    OK(T_V_V, NOLOCALS, B(OP_BR, 0, END));
    OK(T_V_I, NOLOCALS, B(I32C, 1, OP_BR, 0, END));
    INVALID("type mismatch", T_V_I, NOLOCALS, B(I64C, 1, OP_BR, 0, END));
    OK(T_V_I, NOLOCALS, B(OP_BLOCK, AW_I32, I32C, 1, I32C, 0, OP_BR_IF, 0, END, END));
    INVALID("type mismatch", T_V_I, NOLOCALS, B(OP_BLOCK, AW_I32, I32C, 0, OP_BR_IF, 0, END, END));
    OK(T_V_V, NOLOCALS, B(OP_BLOCK, 0x40, I32C, 0, OP_BR_TABLE, 2, 0, 1, 0, END, END));
    INVALID("unknown label", T_V_V, NOLOCALS, B(OP_BLOCK, 0x40, I32C, 0, OP_BR_TABLE, 1, 0, 2, END, END));
    INVALID("type mismatch", T_V_V, NOLOCALS,
            B(OP_BLOCK, AW_I32, I32C, 1, I32C, 0, OP_BR_TABLE, 1, 0, 1, END, OP_DROP, END));
    OK(T_V_I, NOLOCALS, B(OP_BLOCK, AW_I32, I32C, 1, I32C, 0, OP_BR_TABLE, 1, 0, 1, END, END));
    /* br_table in unreachable code: arity must agree, types compatible */
    OK(T_V_I, NOLOCALS, B(OP_BLOCK, AW_I32, OP_UNREACHABLE, OP_BR_TABLE, 1, 0, 1, END, END));
    INVALID("type mismatch", T_V_I, NOLOCALS,
            B(OP_BLOCK, AW_F32, OP_UNREACHABLE, OP_BR_TABLE, 1, 0, 1, OP_DROP, END, I32C, 0, END));
    INVALID("type mismatch", T_V_V, NOLOCALS,
            B(OP_LOOP, 0x40, OP_BLOCK, AW_I32, OP_UNREACHABLE, OP_BR_TABLE, 1, 0, 1, END, OP_DROP, END, END));
    OK(T_V_I, NOLOCALS, B(I32C, 1, OP_RETURN, END));
    INVALID("type mismatch", T_V_I, NOLOCALS, B(OP_RETURN, END));
    OK(T_V_I, NOLOCALS, B(OP_BLOCK, 0x40, I32C, 1, OP_RETURN, END, I32C, 1, END));
}

static void test_unreachable(void) {
    OK(T_V_I, NOLOCALS, B(OP_UNREACHABLE, END));
    OK(T_V_I, NOLOCALS, B(OP_UNREACHABLE, OP_I32_ADD, END));
    OK(T_V_V, NOLOCALS, B(OP_UNREACHABLE, OP_DROP, OP_DROP, END));
    INVALID("type mismatch", T_V_I, NOLOCALS, B(OP_UNREACHABLE, I64C, 0, OP_I32_ADD, END));
    INVALID("type mismatch", T_V_I, NOLOCALS, B(OP_UNREACHABLE, I64C, 0, END));
    OK(T_V_I, NOLOCALS, B(OP_UNREACHABLE, OP_SELECT, END));
    OK(T_V_I, NOLOCALS, B(OP_UNREACHABLE, I32C, 1, OP_SELECT, END));
    OK(T_V_I, NOLOCALS, B(OP_UNREACHABLE, OP_SELECT, OP_I64_EQZ, END));
    INVALID("type mismatch", T_V_I, NOLOCALS, B(OP_UNREACHABLE, I64C, 0, OP_SELECT, OP_I32_EQZ, END));
    OK(T_V_V, NOLOCALS, B(OP_UNREACHABLE, OP_REF_IS_NULL, OP_DROP, END));
    /* unreachability is per frame */
    INVALID("type mismatch", T_V_V, NOLOCALS, B(OP_UNREACHABLE, OP_BLOCK, 0x40, OP_I32_ADD, OP_DROP, END, END));
    OK(T_V_V, NOLOCALS, B(OP_BR, 0, OP_BLOCK, 0x40, END, I32C, 0, OP_DROP, END));
}

static void test_parametric(void) {
    OK(T_V_I, NOLOCALS, B(I32C, 1, I32C, 2, I32C, 0, OP_SELECT, END));
    INVALID("type mismatch", T_V_I, NOLOCALS, B(I32C, 1, I64C, 2, I32C, 0, OP_SELECT, END));
    INVALID("type mismatch", T_V_V, NOLOCALS,
            B(OP_REF_NULL, AW_FUNCREF, OP_REF_NULL, AW_FUNCREF, I32C, 0, OP_SELECT, OP_DROP, END));
    INVALID("type mismatch", T_V_V, NOLOCALS,
            B(OP_UNREACHABLE, OP_REF_NULL, AW_FUNCREF, I32C, 0, OP_SELECT, OP_DROP, END));
    OK(T_V_V, NOLOCALS,
       B(OP_REF_NULL, AW_FUNCREF, OP_REF_NULL, AW_FUNCREF, I32C, 0, OP_SELECT_T, 1, AW_FUNCREF, OP_DROP, END));
    INVALID("invalid result arity", T_V_V, NOLOCALS, B(I32C, 0, I32C, 0, I32C, 0, OP_SELECT_T, 0, OP_DROP, END));
    INVALID("invalid result arity", T_V_V, NOLOCALS,
            B(I32C, 0, I32C, 0, I32C, 0, OP_SELECT_T, 2, AW_I32, AW_I32, OP_DROP, END));
    INVALID("type mismatch", T_V_I, NOLOCALS, B(I32C, 1, I32C, 2, I32C, 0, OP_SELECT_T, 1, AW_I64, END));
    INVALID("type mismatch", T_V_V, NOLOCALS, B(OP_DROP, END));
    OK(T_V_V128, L(AW_V128), B(OP_LOCAL_GET, 0, OP_LOCAL_GET, 0, I32C, 0, OP_SELECT, END));
    INVALID("type mismatch", T_V_V128, L(AW_V128), B(OP_LOCAL_GET, 0, I32C, 0, I32C, 0, OP_SELECT, END));
}

static void test_variables(void) {
    OK(T_V_I, NOLOCALS, B(OP_GLOBAL_GET, 0, END));
    INVALID("unknown global", T_V_I, NOLOCALS, B(OP_GLOBAL_GET, 2, END));
    INVALID("global is immutable", T_V_V, NOLOCALS, B(I32C, 0, OP_GLOBAL_SET, 0, END));
    OK(T_V_V, NOLOCALS, B(I64C, 0, OP_GLOBAL_SET, 1, END));
    INVALID("type mismatch", T_V_V, NOLOCALS, B(I32C, 0, OP_GLOBAL_SET, 1, END));
}

static void test_calls(void) {
    OK(T_V_I, NOLOCALS, B(I32C, 1, OP_CALL, 0, END));
    INVALID("type mismatch", T_V_I, NOLOCALS, B(OP_CALL, 0, END));
    INVALID("unknown function", T_V_V, NOLOCALS, B(OP_CALL, 3, END));
    OK(T_V_I, NOLOCALS, B(I32C, 1, I32C, 0, OP_CALL_INDIRECT, T_I_I, 0, END));
    INVALID("unknown table", T_V_I, NOLOCALS, B(I32C, 1, I32C, 0, OP_CALL_INDIRECT, T_I_I, 5, END));
    INVALID("type mismatch", T_V_I, NOLOCALS, B(I32C, 1, I32C, 0, OP_CALL_INDIRECT, T_I_I, 1, END));
    INVALID("unknown type", T_V_I, NOLOCALS, B(I32C, 1, I32C, 0, OP_CALL_INDIRECT, 40, 0, END));
}

static void test_memory(void) {
    OK(T_V_I, NOLOCALS, B(I32C, 0, OP_I32_LOAD, 2, 0, END));
    INVALID("alignment must not be larger than natural", T_V_I, NOLOCALS, B(I32C, 0, OP_I32_LOAD, 3, 0, END));
    INVALID("alignment must not be larger than natural", T_V_I, NOLOCALS, B(I32C, 0, OP_I32_LOAD8_U, 1, 0, END));
    OK(T_V_V, NOLOCALS, B(I32C, 0, I64C, 0, OP_I64_STORE, 3, 0x80, 0x80, 0x04, END));
    MALFORMED("integer too large", T_V_I, NOLOCALS, B(I32C, 0, OP_I32_LOAD, 2, 0x80, 0x80, 0x80, 0x80, 0x10, END));
    INVALID("type mismatch", T_V_V, NOLOCALS, B(I64C, 0, I64C, 0, OP_I64_STORE, 3, 0, END));
    OK(T_V_I, NOLOCALS, B(I32C, 1, OP_MEMORY_GROW, 0, END));
    OK(T_V_V, NOLOCALS, B(I32C, 0, I32C, 0, I32C, 0, FC, OP_MEMORY_INIT, 0, 0, END));
    INVALID("unknown data segment", T_V_V, NOLOCALS, B(I32C, 0, I32C, 0, I32C, 0, FC, OP_MEMORY_INIT, 1, 0, END));
    OK(T_V_V, NOLOCALS, B(FC, OP_DATA_DROP, 0, END));
    INVALID("unknown data segment", T_V_V, NOLOCALS, B(FC, OP_DATA_DROP, 1, END));
    g_no_datacount = true;
    MALFORMED("data count section required", T_V_V, NOLOCALS, B(FC, OP_DATA_DROP, 0, END));
    g_no_datacount = true;
    MALFORMED("data count section required", T_V_V, NOLOCALS,
              B(I32C, 0, I32C, 0, I32C, 0, FC, OP_MEMORY_INIT, 0, 0, END));
    OK(T_V_V, NOLOCALS, B(I32C, 0, I32C, 0, I32C, 0, FC, OP_MEMORY_FILL, 0, END));
    INVALID("type mismatch", T_V_V, NOLOCALS, B(I32C, 0, I64C, 0, I32C, 0, FC, OP_MEMORY_FILL, 0, END));
}

static void test_tables_refs(void) {
    OK(T_V_V, NOLOCALS, B(I32C, 0, OP_TABLE_GET, 0, OP_DROP, END));
    INVALID("unknown table", T_V_V, NOLOCALS, B(I32C, 0, OP_TABLE_GET, 2, OP_DROP, END));
    OK(T_V_V, NOLOCALS, B(I32C, 0, OP_REF_NULL, AW_EXTERNREF, OP_TABLE_SET, 1, END));
    INVALID("type mismatch", T_V_V, NOLOCALS, B(I32C, 0, OP_REF_NULL, AW_FUNCREF, OP_TABLE_SET, 1, END));
    OK(T_V_I, NOLOCALS, B(OP_REF_NULL, AW_FUNCREF, I32C, 1, FC, OP_TABLE_GROW, 0, END));
    INVALID("type mismatch", T_V_I, NOLOCALS, B(OP_REF_NULL, AW_FUNCREF, I32C, 1, FC, OP_TABLE_GROW, 1, END));
    OK(T_V_V, NOLOCALS, B(I32C, 0, OP_REF_NULL, AW_FUNCREF, I32C, 1, FC, OP_TABLE_FILL, 0, END));
    OK(T_V_I, NOLOCALS, B(FC, OP_TABLE_SIZE, 1, END));
    INVALID("unknown table", T_V_I, NOLOCALS, B(FC, OP_TABLE_SIZE, 3, END));
    OK(T_V_V, NOLOCALS, B(I32C, 0, I32C, 0, I32C, 0, FC, OP_TABLE_COPY, 0, 0, END));
    INVALID("type mismatch", T_V_V, NOLOCALS, B(I32C, 0, I32C, 0, I32C, 0, FC, OP_TABLE_COPY, 0, 1, END));
    OK(T_V_V, NOLOCALS, B(I32C, 0, I32C, 0, I32C, 0, FC, OP_TABLE_INIT, 1, 1, END));
    INVALID("type mismatch", T_V_V, NOLOCALS, B(I32C, 0, I32C, 0, I32C, 0, FC, OP_TABLE_INIT, 1, 0, END));
    INVALID("unknown elem segment", T_V_V, NOLOCALS, B(I32C, 0, I32C, 0, I32C, 0, FC, OP_TABLE_INIT, 2, 0, END));
    OK(T_V_V, NOLOCALS, B(FC, OP_ELEM_DROP, 1, END));
    INVALID("unknown elem segment", T_V_V, NOLOCALS, B(FC, OP_ELEM_DROP, 2, END));
    OK(T_V_I, NOLOCALS, B(OP_REF_FUNC, 0, OP_REF_IS_NULL, END));
    INVALID("undeclared function reference", T_V_V, NOLOCALS, B(OP_REF_FUNC, 2, OP_DROP, END));
    INVALID("unknown function", T_V_V, NOLOCALS, B(OP_REF_FUNC, 9, OP_DROP, END));
    INVALID("type mismatch", T_V_I, NOLOCALS, B(I32C, 0, OP_REF_IS_NULL, END));
}

static void test_simd(void) {
#define V0 FD, OP_V128_CONST, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    OK(T_V_V128, NOLOCALS, B(V0, V0, FD, OP_I32X4_ADD, 0x01, END));
    OK(T_V_I, NOLOCALS, B(V0, FD, OP_I8X16_EXTRACT_LANE_U, 15, END));
    INVALID("invalid lane index", T_V_I, NOLOCALS, B(V0, FD, OP_I8X16_EXTRACT_LANE_U, 16, END));
    INVALID("invalid lane index", T_V_I, NOLOCALS, B(V0, FD, OP_I64X2_EXTRACT_LANE, 2, OP_I32_WRAP_I64, END));
    OK(T_V_V128, NOLOCALS, B(V0, I64C, 0, FD, OP_I64X2_REPLACE_LANE, 1, END));
    INVALID("type mismatch", T_V_V128, NOLOCALS, B(V0, I32C, 0, FD, OP_I64X2_REPLACE_LANE, 1, END));
    OK(T_V_V128, NOLOCALS, B(V0, V0, FD, OP_I8X16_SHUFFLE, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 31, END));
    INVALID("invalid lane index", T_V_V128, NOLOCALS,
            B(V0, V0, FD, OP_I8X16_SHUFFLE, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 32, END));
    OK(T_V_V128, NOLOCALS, B(I32C, 0, FD, OP_V128_LOAD, 4, 0, END));
    INVALID("alignment must not be larger than natural", T_V_V128, NOLOCALS, B(I32C, 0, FD, OP_V128_LOAD, 5, 0, END));
    INVALID("alignment must not be larger than natural", T_V_V128, NOLOCALS,
            B(I32C, 0, FD, OP_V128_LOAD8X8_S, 4, 0, END));
    OK(T_V_V128, NOLOCALS, B(I32C, 0, V0, FD, OP_V128_LOAD16_LANE, 1, 0, 7, END));
    INVALID("invalid lane index", T_V_V128, NOLOCALS, B(I32C, 0, V0, FD, OP_V128_LOAD16_LANE, 1, 0, 8, END));
    INVALID("alignment must not be larger than natural", T_V_V128, NOLOCALS,
            B(I32C, 0, V0, FD, OP_V128_LOAD16_LANE, 2, 0, 0, END));
    OK(T_V_V, NOLOCALS, B(I32C, 0, V0, FD, OP_V128_STORE64_LANE, 3, 0, 1, END));
    OK(T_V_V128, NOLOCALS, B(V0, I32C, 3, FD, OP_I16X8_SHL, 0x01, END));
    OK(T_V_V128, NOLOCALS, B(V0, V0, V0, FD, OP_V128_BITSELECT, 0x01, END));
    OK(T_V_I, NOLOCALS, B(V0, FD, OP_I64X2_ALL_TRUE, 0x01, END));
    OK(T_V_V128, NOLOCALS, B(V0, FD, OP_F64X2_CONVERT_LOW_I32X4_U, 0x01, END));
    /* the sub-opcode is a u32 LEB: 0x0C as 0x8C 0x00 */
    OK(T_V_V128, NOLOCALS, B(FD, 0x8C, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, END));
#undef V0
}

/* A deep body: nested blocks beyond the inline stacks, and a long one. */
static void test_deep_and_speed(void) {
    enum { DEPTH = 1000 };
    static uint8_t body[3 * DEPTH + 16];
    size_t n = 0;
    for (int i = 0; i < DEPTH; i++) body[n++] = OP_BLOCK, body[n++] = AW_I32;
    body[n++] = I32C, body[n++] = 7;
    for (int i = 0; i < DEPTH; i++) body[n++] = END;
    body[n++] = END;
    check(__LINE__, AW_OK, NULL, T_V_I, NULL, 0, body, n);

    /* Speed: a 1 MiB body of arithmetic, validated repeatedly. */
    size_t cap = 1 << 20, len = 0;
    uint8_t *big = malloc(cap + 16);
    big[len++] = I32C, big[len++] = 1;
    while (len + 8 < cap) {
        big[len++] = OP_LOCAL_GET, big[len++] = 0;
        big[len++] = OP_I32_ADD;
        big[len++] = I32C, big[len++] = 0x55;
        big[len++] = OP_I32_XOR;
    }
    big[len++] = END;
    tmod *t = malloc(sizeof *t);
    memset(t, 0, sizeof *t);
    tmod_init(t, T_I_I, NULL, 0, (const uint8_t[]){END}, 1);
    t->funcs[0].body = big, t->funcs[0].body_end = big + len, t->funcs[0].body_offset = 0;
    struct timespec a, b;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a); /* CPU time: the machine is shared */
    aw_error err;
    int reps = 20;
    bool ok = true;
    for (int i = 0; i < reps; i++) ok &= wasm_validate_func(&t->m, 0, &err);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    double mbps = (double)len * reps / s / 1e6;
    printf("validate speed: %.0f MB/s\n", mbps);
    if (ok) passed++;
    else failed++, printf("FAIL speed body invalid: %s\n", err.message);
    free(t);
    free(big);
}

/* Random bodies: instruction-like byte soup (valid opcodes, small
 * immediates, nesting) must be accepted or rejected, never crash; run under
 * the sanitizers by `make SAN=1 test`. Counts how many were valid. */
static void test_random_bodies(void) {
    static const uint8_t ops[] = {
        OP_UNREACHABLE, OP_NOP, OP_BLOCK, OP_LOOP, OP_IF, OP_ELSE, END, END, END, OP_BR, OP_BR_IF, OP_BR_TABLE,
        OP_RETURN, OP_CALL, OP_CALL_INDIRECT, OP_DROP, OP_SELECT, OP_SELECT_T, OP_LOCAL_GET, OP_LOCAL_SET,
        OP_LOCAL_TEE, OP_GLOBAL_GET, OP_GLOBAL_SET, OP_TABLE_GET, OP_TABLE_SET, OP_I32_LOAD, OP_I64_STORE,
        OP_MEMORY_SIZE, OP_MEMORY_GROW, I32C, I32C, I32C, I64C, F32C, OP_I32_ADD, OP_I32_EQZ, OP_I64_ADD,
        OP_F32_ADD, OP_I32_WRAP_I64, OP_REF_NULL, OP_REF_IS_NULL, OP_REF_FUNC, FC, FD, FD, 0x06, 0xFF};
    uint64_t x = 0x9E3779B97F4A7C15ull;
    int valid = 0, runs = 4000;
    uint8_t body[512];
    for (int k = 0; k < runs; k++) {
        size_t n = 0, len = 1 + (size_t)(x % 120);
        unsigned depth = 0;
        while (n < len) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            uint8_t op = ops[x % sizeof ops];
            if (op == END && depth == 0) continue;
            body[n++] = op;
            if (op == END) depth--;
            if (op == OP_BLOCK || op == OP_LOOP || op == OP_IF) {
                static const uint8_t bts[] = {0x40, 0x40, AW_I32, AW_I64, T_I_I, T_V_I, T_V_II, 0x7A};
                body[n++] = bts[(x >> 12) % sizeof bts];
                depth++;
                continue;
            }
            unsigned nimm = (unsigned)(x >> 20) % 4;
            for (unsigned i = 0; i < nimm && n < len; i++) {
                uint8_t v = (uint8_t)(x >> (28 + 8 * i));
                body[n++] = (x >> 62) ? (uint8_t)(v % 3) : v;
            }
        }
        for (unsigned i = 0; i <= depth; i++) body[n++] = END;
        tmod_init(&g_mod, (uint32_t)(x >> 44) % 2 ? T_V_V : (uint32_t)(x >> 40) % NTYPES, (const aw_valtype[]){AW_I32, AW_F64}, 2, body, n);
        aw_error err;
        valid += wasm_validate_func(&g_mod.m, 0, &err);
    }
    printf("random bodies: %d of %d valid\n", valid, runs);
    passed++;
}

/* module.c owns wasm_error_set; this weak stand-in lets the test link
 * without it (the real one wins when linked). */
__attribute__((weak)) void wasm_error_set(aw_error *err, aw_errkind kind, uint32_t func, uint64_t offset,
                                          const char *fmt, ...) {
    va_list ap;
    err->kind = kind, err->func_index = func, err->offset = offset;
    int n = snprintf(err->message, sizeof err->message, "in function %u at byte 0x%llx: ", func,
                     (unsigned long long)offset);
    va_start(ap, fmt);
    vsnprintf(err->message + n, sizeof err->message - (size_t)n, fmt, ap);
    va_end(ap);
}

int main(void) {
    test_basics();
    test_encoding();
    test_blocks();
    test_branches();
    test_unreachable();
    test_parametric();
    test_variables();
    test_calls();
    test_memory();
    test_tables_refs();
    test_simd();
    test_deep_and_speed();
    test_random_bodies();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
