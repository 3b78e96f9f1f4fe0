/*
 * decode.c — the binary format: bytes -> struct aw_module, plus the
 * module-level validation rules (index spaces, limits, constant
 * expressions, exports, start, segments). Function bodies are left to
 * validate.c and compile.c; here we only find them and expand their locals.
 *
 * Error precedence follows the spec, where decoding precedes validation:
 * a malformed module is reported as malformed even when an earlier part of
 * it is also invalid. So validation errors found on the way are recorded
 * (the first one wins) and returned only once decoding has succeeded.
 *
 * Reads inside a section are bounded by the end of the module, not of the
 * section, and the section's size is checked afterwards, as the reference
 * interpreter does; that is what makes the spec's error wording come out
 * right (an over-long LEB128 straddling a section end is "integer
 * representation too long", not "unexpected end"). Whatever is allocated
 * from a count is first bounded by the bytes that could encode it.
 *
 * Speed: one pass over the module (two over the locals declarations of the
 * code section), arrays allocated once per section, no allocation per
 * function body or instruction.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm/module.h"
#include "wasm/opcodes.h"
#include "wasm/reader.h"

/* Locals: per-function cap (as other engines use; the spec allows 2^32-1)
 * and a cap on the expanded total, so a small module cannot make us
 * allocate gigabytes of local types. */
#define MAX_FUNC_LOCALS 50000u
#define MAX_TOTAL_LOCALS (1u << 24)

typedef struct dec {
    aw_module *m;
    wasm_reader r;           /* over the whole module */
    aw_error *err;
    aw_error inv;            /* first validation error, reported after decoding */
    bool has_inv;
    bool in_section;
    const uint8_t *sec_end;  /* end of the section being read */
    uint32_t nfunc_decls;    /* entries in the function section */
    bool saw_code;
    bool saw_data;
    const uint8_t *names, *names_end; /* payload of the "name" custom section */
} dec;

/* ---- errors -------------------------------------------------------------- */

static uint64_t off_of(const dec *d, const uint8_t *at) { return (uint64_t)(at - d->m->bytes); }

static bool malformed_at(dec *d, const uint8_t *at, const char *msg) {
    wasm_error_set(d->err, AW_ERR_MALFORMED, WASM_NONE, off_of(d, at), "%s", msg);
    return false;
}

/* A read from the reader failed: report its reason where it stopped. */
static bool read_failed(dec *d) {
    const char *why = d->r.error ? d->r.error : "unexpected end";
    if (d->in_section && strcmp(why, "unexpected end") == 0) why = "unexpected end of section or function";
    return malformed_at(d, d->r.p, why);
}

/* Record a validation error; only the first is kept. */
static void invalid(dec *d, const uint8_t *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void invalid(dec *d, const uint8_t *at, const char *fmt, ...) {
    if (d->has_inv) return;
    char buf[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    wasm_error_set(&d->inv, AW_ERR_INVALID, WASM_NONE, off_of(d, at), "%s", buf);
    d->has_inv = true;
}

static bool out_of_memory(dec *d) {
    wasm_error_set(d->err, AW_ERR_RESOURCE, WASM_NONE, UINT64_MAX, "out of memory while decoding");
    return false;
}

#define RD(x)                                                                                       \
    do {                                                                                            \
        if (!(x)) return read_failed(d);                                                           \
    } while (0)
#define TRY(x)                                                                                      \
    do {                                                                                            \
        if (!(x)) return false;                                                                     \
    } while (0)

/* Bytes left in the current section (reads may run past its end). */
static size_t sec_left(const dec *d) { return d->r.p < d->sec_end ? (size_t)(d->sec_end - d->r.p) : 0; }

/* ---- small readers --------------------------------------------------------- */

/* A well-formed UTF-8 sequence: no overlong forms, no surrogates, <= U+10FFFF. */
static bool utf8_valid(const uint8_t *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        uint32_t cp, min;
        if ((c & 0xE0) == 0xC0) len = 2, cp = c & 0x1F, min = 0x80;
        else if ((c & 0xF0) == 0xE0) len = 3, cp = c & 0x0F, min = 0x800;
        else if ((c & 0xF8) == 0xF0) len = 4, cp = c & 0x07, min = 0x10000;
        else return false;
        if (n - i < len) return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

/* Value types are read as s7, as the spec's grammar has it, so an
 * over-long encoding is "integer representation too long". */
static bool read_valtype(dec *d, aw_valtype *out) {
    const uint8_t *at = d->r.p;
    int64_t v;
    RD(wasm_read_sleb(&d->r, 7, &v));
    switch (v) {
    case -0x01: *out = AW_I32; return true;
    case -0x02: *out = AW_I64; return true;
    case -0x03: *out = AW_F32; return true;
    case -0x04: *out = AW_F64; return true;
    case -0x05: *out = AW_V128; return true;
    case -0x10: *out = AW_FUNCREF; return true;
    case -0x11: *out = AW_EXTERNREF; return true;
    default: return malformed_at(d, at, "malformed value type");
    }
}

static bool read_reftype(dec *d, aw_valtype *out) {
    const uint8_t *at = d->r.p;
    int64_t v;
    RD(wasm_read_sleb(&d->r, 7, &v));
    if (v == -0x10) *out = AW_FUNCREF;
    else if (v == -0x11) *out = AW_EXTERNREF;
    else return malformed_at(d, at, "malformed reference type");
    return true;
}

/* A vector length, bounded by the bytes left (each entry takes at least
 * min_bytes), so that allocating from it is safe. Sections pass 1: a
 * partial last entry must be reported for what is wrong with it. */
static bool read_count(dec *d, uint32_t *n, size_t min_bytes) {
    RD(wasm_read_u32(&d->r, n));
    if ((uint64_t)*n * min_bytes > wasm_reader_left(&d->r))
        return malformed_at(d, d->r.p, "unexpected end of section or function");
    return true;
}

/* A name: length-prefixed UTF-8 that must lie within the current section. */
static bool read_name(dec *d, const uint8_t **s, uint32_t *len) {
    RD(wasm_read_u32(&d->r, len));
    if (*len > sec_left(d))
        return malformed_at(d, d->r.p, "length out of bounds");
    *s = d->r.p;
    d->r.p += *len;
    if (!utf8_valid(*s, *len)) return malformed_at(d, *s, "malformed UTF-8 encoding");
    return true;
}

/* Limits: the flag is a 1-bit LEB128 (so 0x02 is "integer too large"). */
static bool read_limits(dec *d, aw_limits *lim, bool *bounded) {
    uint64_t flag;
    RD(wasm_read_uleb(&d->r, 1, &flag));
    RD(wasm_read_u32(&d->r, &lim->min));
    lim->max = WASM_NO_MAX;
    *bounded = flag == 1;
    if (*bounded) RD(wasm_read_u32(&d->r, &lim->max));
    return true;
}

static bool read_tabletype(dec *d, wasm_tabletype *t) {
    TRY(read_reftype(d, &t->elem));
    const uint8_t *at = d->r.p;
    bool bounded;
    TRY(read_limits(d, &t->limits, &bounded));
    if (bounded && t->limits.min > t->limits.max)
        invalid(d, at, "size minimum must not be greater than maximum");
    return true;
}

static bool read_memtype(dec *d, aw_limits *lim) {
    const uint8_t *at = d->r.p;
    bool bounded;
    TRY(read_limits(d, lim, &bounded));
    if (lim->min > WASM_MAX_PAGES || (bounded && lim->max > WASM_MAX_PAGES))
        invalid(d, at, "memory size must be at most 65536 pages (4GiB)");
    else if (bounded && lim->min > lim->max)
        invalid(d, at, "size minimum must not be greater than maximum");
    return true;
}

static bool read_globaltype(dec *d, wasm_globaltype *g) {
    TRY(read_valtype(d, &g->type));
    const uint8_t *at = d->r.p;
    uint8_t mut;
    RD(wasm_read_u8(&d->r, &mut));
    if (mut > 1) return malformed_at(d, at, "malformed mutability");
    g->mutable_ = mut == 1;
    return true;
}

/* ---- instructions, for constant expressions ------------------------------ */

/* Immediate kind + 1 for each opcode; 0 marks an illegal opcode. */
#define IMM_ENTRY(sym, code, imm, sig, name) [code] = WASM_IMM_##imm + 1,
static const uint8_t op_imm[256] = {WASM_OPS(IMM_ENTRY)};
static const uint8_t op_imm_fc[32] = {WASM_OPS_FC(IMM_ENTRY)};
static const uint8_t op_imm_fd[256] = {WASM_OPS_FD(IMM_ENTRY)};
#undef IMM_ENTRY

static bool expect_zero(dec *d) {
    const uint8_t *at = d->r.p;
    uint8_t b;
    RD(wasm_read_u8(&d->r, &b));
    if (b != 0) return malformed_at(d, at, "zero byte expected");
    return true;
}

static bool skip_u32s(dec *d, unsigned n) {
    uint32_t v;
    for (unsigned i = 0; i < n; i++) RD(wasm_read_u32(&d->r, &v));
    return true;
}

static bool skip_bytes(dec *d, size_t n) {
    const uint8_t *b;
    RD(wasm_read_bytes(&d->r, n, &b));
    return true;
}

/* Step over the immediates of an instruction that a constant expression
 * may not contain, so that decoding can go on to find the real end. */
static bool skip_imm(dec *d, unsigned imm) {
    int64_t s;
    uint32_t n;
    aw_valtype t;
    switch (imm) {
    case WASM_IMM_NONE: return true;
    case WASM_IMM_BLOCK: /* 0x40, a value type, or an s33 type index */
        if (d->r.p < d->r.end && *d->r.p == WASM_BLOCKTYPE_EMPTY) return skip_bytes(d, 1);
        if (d->r.p < d->r.end && (*d->r.p & 0xC0) == 0x40) return read_valtype(d, &t);
        RD(wasm_read_s33(&d->r, &s));
        return true;
    case WASM_IMM_LABEL: case WASM_IMM_FUNC: case WASM_IMM_LOCAL: case WASM_IMM_GLOBAL:
    case WASM_IMM_TABLE: case WASM_IMM_DATA: case WASM_IMM_ELEM:
        return skip_u32s(d, 1);
    case WASM_IMM_CALL_INDIRECT: case WASM_IMM_MEMARG: case WASM_IMM_ELEM_TABLE:
    case WASM_IMM_TABLE_TABLE:
        return skip_u32s(d, 2);
    case WASM_IMM_BR_TABLE:
        TRY(read_count(d, &n, 1));
        return skip_u32s(d, n + 1);
    case WASM_IMM_SELECT_T:
        TRY(read_count(d, &n, 1));
        for (uint32_t i = 0; i < n; i++) TRY(read_valtype(d, &t));
        return true;
    case WASM_IMM_MEMIDX: return expect_zero(d);
    case WASM_IMM_I32: RD(wasm_read_sleb(&d->r, 32, &s)); return true;
    case WASM_IMM_I64: RD(wasm_read_sleb(&d->r, 64, &s)); return true;
    case WASM_IMM_F32: return skip_bytes(d, 4);
    case WASM_IMM_F64: return skip_bytes(d, 8);
    case WASM_IMM_REFTYPE: return read_reftype(d, &t);
    case WASM_IMM_DATA_MEM: TRY(skip_u32s(d, 1)); return expect_zero(d);
    case WASM_IMM_MEM_MEM: TRY(expect_zero(d)); return expect_zero(d);
    case WASM_IMM_V128: case WASM_IMM_SHUFFLE: return skip_bytes(d, 16);
    case WASM_IMM_LANE: return skip_bytes(d, 1);
    case WASM_IMM_MEMARG_LANE: TRY(skip_u32s(d, 2)); return skip_bytes(d, 1);
    default: return true;
    }
}

/* Reads a non-constant instruction's opcode (after `op`) and immediates.
 * Sets *nest when it opens a block. Unknown opcodes are malformed. */
static bool skip_other_instr(dec *d, const uint8_t *at, uint8_t op, bool *nest) {
    unsigned imm;
    if (op == OP_PREFIX_FC || op == OP_PREFIX_FD) {
        uint32_t sub;
        RD(wasm_read_u32(&d->r, &sub));
        if (op == OP_PREFIX_FC) imm = sub < 32 ? op_imm_fc[sub] : 0;
        else imm = sub < 256 ? op_imm_fd[sub] : 0;
    } else {
        imm = op_imm[op];
    }
    if (imm == 0) return malformed_at(d, at, "illegal opcode");
    *nest = op == OP_BLOCK || op == OP_LOOP || op == OP_IF;
    return skip_imm(d, imm - 1);
}

/* A constant expression of type `want`. Wasm 2.0 allows one constant
 * instruction then `end`; the whole instruction sequence is decoded (as the
 * spec does) and then validated: first that every instruction is constant,
 * then that the sequence has type [want]. ref.func marks C.refs. */
static bool read_constexpr(dec *d, wasm_constexpr *ce, aw_valtype want) {
    aw_module *m = d->m;
    const uint8_t *start = d->r.p, *problem_at = NULL, *badfunc_at = NULL;
    char problem[64] = "";
    uint32_t depth = 0, ninstr = 0, badfunc = 0;
    aw_valtype got = 0;
    memset(ce, 0, sizeof *ce);
    for (;;) {
        const uint8_t *at = d->r.p;
        uint8_t op;
        RD(wasm_read_u8(&d->r, &op));
        if (op == OP_END) {
            if (depth == 0) break;
            depth--;
            ninstr++;
            continue;
        }
        wasm_constexpr c = {.op = op};
        aw_valtype t = 0;
        bool is_const = true;
        switch (op) {
        case WASM_CONST_I32: {
            int32_t v;
            RD(wasm_read_s32(&d->r, &v));
            memcpy(c.bytes, &v, 4);
            t = AW_I32;
            break;
        }
        case WASM_CONST_I64: {
            int64_t v;
            RD(wasm_read_s64(&d->r, &v));
            memcpy(c.bytes, &v, 8);
            t = AW_I64;
            break;
        }
        case WASM_CONST_F32: {
            const uint8_t *b;
            RD(wasm_read_bytes(&d->r, 4, &b));
            memcpy(c.bytes, b, 4);
            t = AW_F32;
            break;
        }
        case WASM_CONST_F64: {
            const uint8_t *b;
            RD(wasm_read_bytes(&d->r, 8, &b));
            memcpy(c.bytes, b, 8);
            t = AW_F64;
            break;
        }
        case WASM_CONST_REF_NULL:
            TRY(read_reftype(d, &t));
            c.index = t;
            break;
        case WASM_CONST_REF_FUNC:
            RD(wasm_read_u32(&d->r, &c.index));
            t = AW_FUNCREF;
            if (c.index >= m->nfuncs) {
                if (!badfunc_at) badfunc_at = at, badfunc = c.index;
            } else if (m->func_declared) {
                m->func_declared[c.index] = true;
            }
            break;
        case WASM_CONST_GLOBAL_GET:
            RD(wasm_read_u32(&d->r, &c.index));
            /* Only imported globals are visible to constant expressions. */
            if (c.index >= m->nglobal_imports) {
                if (!problem_at) snprintf(problem, sizeof problem, "unknown global %u", c.index), problem_at = at;
            } else {
                t = m->globals[c.index].type;
                if (m->globals[c.index].mutable_ && !problem_at)
                    snprintf(problem, sizeof problem, "constant expression required"), problem_at = at;
            }
            break;
        case OP_PREFIX_FD: {
            /* v128.const is constant; any other SIMD instruction is not */
            const uint8_t *save = d->r.p;
            uint32_t sub;
            RD(wasm_read_u32(&d->r, &sub));
            if (sub == OP_V128_CONST) {
                const uint8_t *b;
                RD(wasm_read_bytes(&d->r, 16, &b));
                memcpy(c.bytes, b, 16);
                t = AW_V128;
                break;
            }
            d->r.p = save;
            is_const = false;
            break;
        }
        default:
            is_const = false;
            break;
        }
        if (!is_const) {
            bool nest = false;
            TRY(skip_other_instr(d, at, op, &nest));
            if (nest) depth++;
            if (!problem_at) snprintf(problem, sizeof problem, "constant expression required"), problem_at = at;
        }
        if (ninstr == 0) *ce = c, got = t;
        ninstr++;
    }
    if (problem_at) invalid(d, problem_at, "%s", problem);
    else if (badfunc_at) invalid(d, badfunc_at, "unknown function %u", badfunc);
    else if (ninstr != 1 || got != want) invalid(d, start, "type mismatch: constant expression must have type [%s]",
                                                 want == AW_I32 ? "i32" : want == AW_I64 ? "i64"
                                                 : want == AW_F32 ? "f32" : want == AW_F64 ? "f64"
                                                 : want == AW_V128 ? "v128" : want == AW_FUNCREF ? "funcref"
                                                 : "externref");
    return true;
}

/* ---- index spaces ---------------------------------------------------------- */

/* Grow an index-space array from its imported part to imports + n. */
static bool grow_space(dec *d, void **arr, size_t elem, uint32_t nimp, uint32_t n) {
    size_t total = (size_t)nimp + n;
    void *p = realloc(*arr, (total ? total : 1) * elem);
    if (!p) return out_of_memory(d);
    *arr = p;
    return true;
}

static bool ensure_declared(dec *d) {
    if (d->m->func_declared) return true;
    d->m->func_declared = calloc(d->m->nfuncs ? d->m->nfuncs : 1, sizeof(bool));
    return d->m->func_declared ? true : out_of_memory(d);
}

/* ---- sections -------------------------------------------------------------- */

static bool sec_type(dec *d) {
    aw_module *m = d->m;
    uint32_t n;
    TRY(read_count(d, &n, 1));
    /* One block: the types, then every param/result type (each took a byte
     * within this section, so the section's size bounds them). */
    size_t room = sec_left(d);
    m->types = malloc(n * sizeof(wasm_functype) + room * sizeof(aw_valtype) + 1);
    if (!m->types) return out_of_memory(d);
    aw_valtype *vt = (aw_valtype *)(m->types + n), *vt_end = vt + room;
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *at = d->r.p;
        int64_t form;
        RD(wasm_read_sleb(&d->r, 7, &form));
        if (form != -0x20) return malformed_at(d, at, "malformed function type");
        wasm_functype *t = &m->types[i];
        t->types = vt;
        t->param_slots = t->result_slots = 0;
        for (int part = 0; part < 2; part++) {
            uint32_t c;
            TRY(read_count(d, &c, 1));
            if (c > (size_t)(vt_end - vt)) return malformed_at(d, d->r.p, "section size mismatch");
            uint32_t slots = 0;
            for (uint32_t k = 0; k < c; k++) {
                TRY(read_valtype(d, vt));
                slots += wasm_valtype_slots(*vt++);
            }
            if (part == 0) t->nparams = c, t->param_slots = slots;
            else t->nresults = c, t->result_slots = slots;
        }
        m->ntypes = i + 1;
    }
    return true;
}

static bool sec_import(dec *d) {
    aw_module *m = d->m;
    uint32_t n;
    TRY(read_count(d, &n, 1));
    size_t room = sec_left(d) + 2u * n; /* names + their NULs */
    m->imports = malloc(n * sizeof(wasm_import) + room + 1);
    if (!m->imports) return out_of_memory(d);
    char *str = (char *)(m->imports + n);
    for (uint32_t i = 0; i < n; i++) {
        wasm_import *im = &m->imports[i];
        const uint8_t *s1, *s2;
        TRY(read_name(d, &s1, &im->module_len));
        TRY(read_name(d, &s2, &im->name_len));
        im->module = memcpy(str, s1, im->module_len), str += im->module_len, *str++ = 0;
        im->name = memcpy(str, s2, im->name_len), str += im->name_len, *str++ = 0;
        const uint8_t *at = d->r.p;
        uint8_t kind;
        RD(wasm_read_u8(&d->r, &kind));
        im->kind = (aw_externkind)kind;
        switch (kind) {
        case AW_EXTERN_FUNC:
            at = d->r.p;
            RD(wasm_read_u32(&d->r, &im->of.func_type));
            if (im->of.func_type >= m->ntypes) invalid(d, at, "unknown type %u", im->of.func_type);
            m->nfunc_imports++;
            break;
        case AW_EXTERN_TABLE: TRY(read_tabletype(d, &im->of.table)); m->ntable_imports++; break;
        case AW_EXTERN_MEMORY: TRY(read_memtype(d, &im->of.memory)); m->nmem_imports++; break;
        case AW_EXTERN_GLOBAL: TRY(read_globaltype(d, &im->of.global)); m->nglobal_imports++; break;
        default: return malformed_at(d, at, "malformed import kind");
        }
        m->nimports = i + 1;
    }
    /* The imported parts of the index spaces. */
    m->func_types = malloc((m->nfunc_imports ? m->nfunc_imports : 1) * sizeof(uint32_t));
    m->tables = malloc((m->ntable_imports ? m->ntable_imports : 1) * sizeof(wasm_tabletype));
    m->mems = malloc((m->nmem_imports ? m->nmem_imports : 1) * sizeof(aw_limits));
    m->globals = malloc((m->nglobal_imports ? m->nglobal_imports : 1) * sizeof(wasm_globaltype));
    if (!m->func_types || !m->tables || !m->mems || !m->globals) return out_of_memory(d);
    uint32_t nf = 0, nt = 0, nm = 0, ng = 0;
    for (uint32_t i = 0; i < n; i++) {
        const wasm_import *im = &m->imports[i];
        switch (im->kind) {
        case AW_EXTERN_FUNC: m->func_types[nf++] = im->of.func_type; break;
        case AW_EXTERN_TABLE: m->tables[nt++] = im->of.table; break;
        case AW_EXTERN_MEMORY: m->mems[nm++] = im->of.memory; break;
        case AW_EXTERN_GLOBAL: m->globals[ng++] = im->of.global; break;
        }
    }
    m->nfuncs = nf, m->ntables = nt, m->nmems = nm, m->nglobals = ng;
    if (nm > 1) invalid(d, d->r.p, "multiple memories");
    return true;
}

static bool sec_function(dec *d) {
    aw_module *m = d->m;
    uint32_t n;
    TRY(read_count(d, &n, 1));
    TRY(grow_space(d, (void **)&m->func_types, sizeof(uint32_t), m->nfunc_imports, n));
    m->funcs = calloc(n ? n : 1, sizeof(wasm_funcdef));
    if (!m->funcs) return out_of_memory(d);
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *at = d->r.p;
        uint32_t t;
        RD(wasm_read_u32(&d->r, &t));
        if (t >= m->ntypes) invalid(d, at, "unknown type %u", t);
        m->func_types[m->nfunc_imports + i] = t;
        m->funcs[i].type = t;
        d->nfunc_decls = i + 1;
        m->nfuncs = m->nfunc_imports + i + 1;
    }
    return true;
}

static bool sec_table(dec *d) {
    aw_module *m = d->m;
    uint32_t n;
    TRY(read_count(d, &n, 1));
    TRY(grow_space(d, (void **)&m->tables, sizeof(wasm_tabletype), m->ntable_imports, n));
    for (uint32_t i = 0; i < n; i++) {
        TRY(read_tabletype(d, &m->tables[m->ntable_imports + i]));
        m->ntables = m->ntable_imports + i + 1;
    }
    return true;
}

static bool sec_memory(dec *d) {
    aw_module *m = d->m;
    uint32_t n;
    TRY(read_count(d, &n, 1));
    TRY(grow_space(d, (void **)&m->mems, sizeof(aw_limits), m->nmem_imports, n));
    for (uint32_t i = 0; i < n; i++) {
        TRY(read_memtype(d, &m->mems[m->nmem_imports + i]));
        m->nmems = m->nmem_imports + i + 1;
    }
    if (m->nmems > 1) invalid(d, d->r.p, "multiple memories");
    return true;
}

static bool sec_global(dec *d) {
    aw_module *m = d->m;
    uint32_t n;
    TRY(read_count(d, &n, 1));
    TRY(ensure_declared(d));
    TRY(grow_space(d, (void **)&m->globals, sizeof(wasm_globaltype), m->nglobal_imports, n));
    m->global_inits = calloc(n ? n : 1, sizeof(wasm_constexpr));
    if (!m->global_inits) return out_of_memory(d);
    for (uint32_t i = 0; i < n; i++) {
        wasm_globaltype *g = &m->globals[m->nglobal_imports + i];
        TRY(read_globaltype(d, g));
        TRY(read_constexpr(d, &m->global_inits[i], g->type));
        m->nglobals = m->nglobal_imports + i + 1;
    }
    return true;
}

static int cmp_export(const void *a, const void *b) {
    const wasm_export *x = *(wasm_export *const *)a, *y = *(wasm_export *const *)b;
    if (x->name_len != y->name_len) return x->name_len < y->name_len ? -1 : 1;
    int c = memcmp(x->name, y->name, x->name_len);
    if (c) return c;
    return x < y ? -1 : x > y; /* stable: report the later duplicate */
}

static void check_export_names(dec *d, const uint8_t *sec_start) {
    aw_module *m = d->m;
    if (m->nexports < 2) return;
    wasm_export **v = malloc(m->nexports * sizeof *v);
    if (!v) return; /* only a check; without memory the load fails later anyway */
    for (uint32_t i = 0; i < m->nexports; i++) v[i] = &m->exports[i];
    if (m->nexports > 16) {
        qsort(v, m->nexports, sizeof *v, cmp_export);
    } else { /* the same order by insertion: qsort's first use touches pages worth 10 us */
        for (uint32_t i = 1; i < m->nexports; i++)
            for (uint32_t j = i; j > 0 && cmp_export(&v[j - 1], &v[j]) > 0; j--) {
                wasm_export *t = v[j];
                v[j] = v[j - 1], v[j - 1] = t;
            }
    }
    for (uint32_t i = 1; i < m->nexports; i++)
        if (v[i]->name_len == v[i - 1]->name_len && memcmp(v[i]->name, v[i - 1]->name, v[i]->name_len) == 0) {
            invalid(d, sec_start, "duplicate export name \"%s\"", v[i]->name);
            break;
        }
    free(v);
}

static bool sec_export(dec *d) {
    aw_module *m = d->m;
    const uint8_t *sec_start = d->r.p;
    uint32_t n;
    TRY(read_count(d, &n, 1));
    TRY(ensure_declared(d));
    size_t room = sec_left(d) + n;
    m->exports = malloc(n * sizeof(wasm_export) + room + 1);
    if (!m->exports) return out_of_memory(d);
    char *str = (char *)(m->exports + n);
    static const char *const what[] = {"function", "table", "memory", "global"};
    for (uint32_t i = 0; i < n; i++) {
        wasm_export *ex = &m->exports[i];
        const uint8_t *s;
        TRY(read_name(d, &s, &ex->name_len));
        ex->name = memcpy(str, s, ex->name_len), str += ex->name_len, *str++ = 0;
        const uint8_t *at = d->r.p;
        uint8_t kind;
        RD(wasm_read_u8(&d->r, &kind));
        if (kind > 3) return malformed_at(d, at, "malformed export kind");
        ex->kind = (aw_externkind)kind;
        at = d->r.p;
        RD(wasm_read_u32(&d->r, &ex->index));
        uint32_t limit = kind == AW_EXTERN_FUNC ? m->nfuncs : kind == AW_EXTERN_TABLE ? m->ntables
                       : kind == AW_EXTERN_MEMORY ? m->nmems : m->nglobals;
        if (ex->index >= limit) invalid(d, at, "unknown %s %u", what[kind], ex->index);
        else if (kind == AW_EXTERN_FUNC) m->func_declared[ex->index] = true;
        m->nexports = i + 1;
    }
    check_export_names(d, sec_start);
    return true;
}

static bool sec_start(dec *d) {
    aw_module *m = d->m;
    const uint8_t *at = d->r.p;
    RD(wasm_read_u32(&d->r, &m->start));
    if (m->start >= m->nfuncs) {
        invalid(d, at, "unknown function %u", m->start);
    } else {
        uint32_t t = m->func_types[m->start];
        if (t < m->ntypes && (m->types[t].nparams || m->types[t].nresults))
            invalid(d, at, "start function must have type [] -> []");
    }
    return true;
}

static bool read_elem_kind(dec *d, aw_valtype *t) {
    const uint8_t *at = d->r.p;
    uint8_t k;
    RD(wasm_read_u8(&d->r, &k));
    if (k != 0) return malformed_at(d, at, "malformed element kind");
    *t = AW_FUNCREF;
    return true;
}

static bool read_elem(dec *d, wasm_elemseg *seg) {
    aw_module *m = d->m;
    const uint8_t *at = d->r.p;
    uint32_t flags;
    RD(wasm_read_u32(&d->r, &flags));
    if (flags > 7) return malformed_at(d, at, "malformed elements segment kind");
    /* bit 0: passive/declarative; bit 1: explicit table (active) or
     * declarative; bit 2: items are expressions */
    bool passive_or_decl = flags & 1, exprs = flags & 4;
    seg->mode = !passive_or_decl ? WASM_SEG_ACTIVE : (flags & 2) ? WASM_SEG_DECLARATIVE : WASM_SEG_PASSIVE;
    seg->type = AW_FUNCREF;
    const uint8_t *table_at = d->r.p;
    if (seg->mode == WASM_SEG_ACTIVE) {
        if (flags & 2) RD(wasm_read_u32(&d->r, &seg->table));
        TRY(read_constexpr(d, &seg->offset, AW_I32));
    }
    if (passive_or_decl || (flags & 2)) {
        if (exprs) TRY(read_reftype(d, &seg->type));
        else TRY(read_elem_kind(d, &seg->type));
    }
    uint32_t n;
    TRY(read_count(d, &n, exprs ? 2 : 1));
    seg->items = calloc(n ? n : 1, sizeof(wasm_constexpr));
    if (!seg->items) return out_of_memory(d);
    for (uint32_t i = 0; i < n; i++) {
        wasm_constexpr *it = &seg->items[i];
        if (exprs) {
            TRY(read_constexpr(d, it, seg->type));
        } else {
            const uint8_t *iat = d->r.p;
            it->op = WASM_CONST_REF_FUNC;
            RD(wasm_read_u32(&d->r, &it->index));
            if (it->index >= m->nfuncs) invalid(d, iat, "unknown function %u", it->index);
            else m->func_declared[it->index] = true;
        }
        seg->count = i + 1;
    }
    if (seg->mode == WASM_SEG_ACTIVE) {
        if (seg->table >= m->ntables) invalid(d, table_at, "unknown table %u", seg->table);
        else if (m->tables[seg->table].elem != seg->type)
            invalid(d, table_at, "type mismatch: element segment's type does not match table %u", seg->table);
    }
    return true;
}

static bool sec_elem(dec *d) {
    aw_module *m = d->m;
    uint32_t n;
    TRY(read_count(d, &n, 1));
    TRY(ensure_declared(d));
    m->elems = calloc(n ? n : 1, sizeof(wasm_elemseg));
    if (!m->elems) return out_of_memory(d);
    for (uint32_t i = 0; i < n; i++) {
        m->nelems = i + 1; /* counted first: read_elem may have allocated */
        TRY(read_elem(d, &m->elems[i]));
    }
    return true;
}

static bool sec_datacount(dec *d) {
    d->m->has_datacount = true;
    RD(wasm_read_u32(&d->r, &d->m->datacount));
    return true;
}

/* The locals declaration of one body: counts them into *nlocals, or, with
 * out != NULL, also writes their types. Stops at the first instruction. */
static bool read_locals(dec *d, const uint8_t *body_end, uint32_t *nlocals, aw_valtype *out) {
    const uint8_t *at = d->r.p;
    uint32_t groups;
    RD(wasm_read_u32(&d->r, &groups));
    uint64_t total = 0;
    for (uint32_t g = 0; g < groups; g++) {
        uint32_t c;
        aw_valtype t;
        RD(wasm_read_u32(&d->r, &c));
        TRY(read_valtype(d, &t));
        total += c;
        if (total > MAX_FUNC_LOCALS) return malformed_at(d, at, "too many locals");
        if (d->r.p > body_end) return malformed_at(d, at, "section size mismatch");
        if (out)
            for (uint32_t k = 0; k < c; k++) *out++ = t;
    }
    *nlocals = (uint32_t)total;
    return true;
}

/* One entry of the code section: size, locals, body. */
static bool read_code_entry(dec *d, wasm_funcdef *f, aw_valtype *locals_out) {
    uint32_t size;
    RD(wasm_read_u32(&d->r, &size));
    if (size > wasm_reader_left(&d->r)) return malformed_at(d, d->r.p, "length out of bounds");
    const uint8_t *end = d->r.p + size;
    TRY(read_locals(d, end, &f->nlocals, locals_out));
    f->body = d->r.p;
    f->body_end = end;
    f->body_offset = off_of(d, f->body);
    /* A body ends with `end`. The validator checks the structure; this
     * catches the missing one early, worded as the reference interpreter
     * words it (it reads on past the body to look for the `end`). */
    if (end == f->body || end[-1] != OP_END) {
        const char *why = end == d->r.end      ? "unexpected end of section or function"
                          : end == d->sec_end ? "section size mismatch"
                                              : "END opcode expected";
        return malformed_at(d, end, why);
    }
    d->r.p = end;
    return true;
}

static bool sec_code(dec *d) {
    aw_module *m = d->m;
    const uint8_t *at = d->r.p;
    uint32_t n;
    TRY(read_count(d, &n, 1));
    if (n != d->nfunc_decls) return malformed_at(d, at, "function and code section have inconsistent lengths");
    d->saw_code = true;
    /* Pass 1 finds the bodies and counts locals; pass 2 expands them into
     * one array for the whole module. funcs[0].local_types is that array's
     * start (wasm_module_free_decoded frees it through it). */
    const uint8_t *first = d->r.p;
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        TRY(read_code_entry(d, &m->funcs[i], NULL));
        total += m->funcs[i].nlocals;
        if (total > MAX_TOTAL_LOCALS) return malformed_at(d, m->funcs[i].body, "too many locals");
    }
    if (n == 0) return true;
    const uint8_t *after = d->r.p;
    aw_valtype *lt = malloc((total ? total : 1) * sizeof(aw_valtype));
    if (!lt) return out_of_memory(d);
    d->r.p = first;
    for (uint32_t i = 0; i < n; i++) {
        wasm_funcdef *f = &m->funcs[i];
        f->local_types = lt;
        uint32_t size, cnt;
        RD(wasm_read_u32(&d->r, &size));
        TRY(read_locals(d, f->body_end, &cnt, lt));
        lt += cnt;
        d->r.p = f->body_end;
    }
    d->r.p = after;
    return true;
}

static bool read_data(dec *d, wasm_dataseg *seg) {
    aw_module *m = d->m;
    const uint8_t *at = d->r.p;
    uint32_t flags;
    RD(wasm_read_u32(&d->r, &flags));
    if (flags > 2) return malformed_at(d, at, "malformed data segment kind");
    seg->mode = flags == 1 ? WASM_SEG_PASSIVE : WASM_SEG_ACTIVE;
    seg->memory = 0;
    const uint8_t *mem_at = d->r.p;
    if (flags == 2) RD(wasm_read_u32(&d->r, &seg->memory));
    if (seg->mode == WASM_SEG_ACTIVE) {
        TRY(read_constexpr(d, &seg->offset, AW_I32));
        if (seg->memory >= m->nmems) invalid(d, mem_at, "unknown memory %u", seg->memory);
    }
    RD(wasm_read_u32(&d->r, &seg->len));
    RD(wasm_read_bytes(&d->r, seg->len, &seg->bytes));
    return true;
}

static bool sec_data(dec *d) {
    aw_module *m = d->m;
    const uint8_t *at = d->r.p;
    uint32_t n;
    TRY(read_count(d, &n, 1));
    if (m->has_datacount && n != m->datacount)
        return malformed_at(d, at, "data count and data section have inconsistent lengths");
    d->saw_data = true;
    m->datas = calloc(n ? n : 1, sizeof(wasm_dataseg));
    if (!m->datas) return out_of_memory(d);
    for (uint32_t i = 0; i < n; i++) {
        TRY(read_data(d, &m->datas[i]));
        m->ndatas = i + 1;
    }
    return true;
}

/* A custom section: a name, then anything. Only "name" is looked at, after
 * everything else (it may come before the function section). */
static bool sec_custom(dec *d) {
    wasm_reader saved = d->r;
    d->r.end = d->sec_end; /* the name must lie within the section */
    uint32_t len;
    const uint8_t *s;
    RD(wasm_read_u32(&d->r, &len));
    RD(wasm_read_bytes(&d->r, len, &s));
    if (!utf8_valid(s, len)) return malformed_at(d, s, "malformed UTF-8 encoding");
    if (len == 4 && memcmp(s, "name", 4) == 0) d->names = d->r.p, d->names_end = d->sec_end;
    d->r = saved;
    d->r.p = d->sec_end;
    return true;
}

/* ---- the "name" section, best effort ----------------------------------- */

static void parse_func_names(aw_module *m, const uint8_t *p, const uint8_t *end) {
    if (m->nfuncs == 0) return;
    wasm_reader r;
    wasm_reader_init(&r, m->bytes, p, end);
    while (!wasm_reader_eof(&r)) {
        uint8_t id;
        uint32_t size;
        const uint8_t *sub;
        if (!wasm_read_u8(&r, &id) || !wasm_read_u32(&r, &size) || !wasm_read_bytes(&r, size, &sub)) return;
        if (id != 1) continue; /* 1: function names */
        wasm_reader s;
        wasm_reader_init(&s, m->bytes, sub, sub + size);
        uint32_t n;
        if (!wasm_read_u32(&s, &n) || n > size) return;
        /* pointers, then the strings with their NULs, in one block */
        char **names = calloc(1, m->nfuncs * sizeof(char *) + size + n);
        if (!names) return;
        char *str = (char *)(names + m->nfuncs);
        for (uint32_t i = 0; i < n; i++) {
            uint32_t idx, len;
            const uint8_t *b;
            if (!wasm_read_u32(&s, &idx) || !wasm_read_u32(&s, &len) || !wasm_read_bytes(&s, len, &b)) break;
            if (idx >= m->nfuncs || names[idx] || !utf8_valid(b, len)) continue;
            names[idx] = memcpy(str, b, len);
            str += len, *str++ = 0;
        }
        free(m->func_names);
        m->func_names = names;
        return;
    }
}

/* ---- the module ------------------------------------------------------------ */

/* Section ids in the order they must appear (datacount, 12, comes before
 * code); 0 for ids that do not exist. */
static const uint8_t section_rank[13] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};

static bool read_section(dec *d, uint8_t id) {
    switch (id) {
    case 1: return sec_type(d);
    case 2: return sec_import(d);
    case 3: return sec_function(d);
    case 4: return sec_table(d);
    case 5: return sec_memory(d);
    case 6: return sec_global(d);
    case 7: return sec_export(d);
    case 8: return sec_start(d);
    case 9: return sec_elem(d);
    case 10: return sec_code(d);
    case 11: return sec_data(d);
    case 12: return sec_datacount(d);
    default: return sec_custom(d);
    }
}

static bool read_header(dec *d) {
    const uint8_t *b;
    if (!wasm_read_bytes(&d->r, 4, &b)) return malformed_at(d, d->r.p, "unexpected end");
    if (memcmp(b, "\0asm", 4) != 0) return malformed_at(d, b, "magic header not detected");
    if (!wasm_read_bytes(&d->r, 4, &b)) return malformed_at(d, d->r.p, "unexpected end");
    if (memcmp(b, "\1\0\0\0", 4) != 0) return malformed_at(d, b, "unknown binary version");
    return true;
}

static bool decode_sections(dec *d) {
    aw_module *m = d->m;
    TRY(read_header(d));
    unsigned last_rank = 0;
    while (!wasm_reader_eof(&d->r)) {
        const uint8_t *at = d->r.p;
        uint8_t id;
        RD(wasm_read_u8(&d->r, &id));
        if (id > 12) return malformed_at(d, at, "malformed section id");
        uint32_t size;
        RD(wasm_read_u32(&d->r, &size));
        if (size > wasm_reader_left(&d->r)) return malformed_at(d, d->r.p, "length out of bounds");
        d->sec_end = d->r.p + size;
        if (id != 0) {
            if (section_rank[id] <= last_rank)
                return malformed_at(d, at, "unexpected content after last section");
            last_rank = section_rank[id];
        }
        d->in_section = true;
        TRY(read_section(d, id));
        d->in_section = false;
        if (d->r.p != d->sec_end) return malformed_at(d, d->sec_end, "section size mismatch");
    }
    if (d->nfunc_decls != 0 && !d->saw_code)
        return malformed_at(d, d->r.p, "function and code section have inconsistent lengths");
    if (m->has_datacount && !d->saw_data && m->datacount != 0)
        return malformed_at(d, d->r.p, "data count and data section have inconsistent lengths");
    return true;
}

/* Index spaces that no section filled still need their arrays. */
static bool finish_spaces(dec *d) {
    aw_module *m = d->m;
    if (!m->func_types) m->func_types = calloc(1, sizeof(uint32_t));
    if (!m->funcs) m->funcs = calloc(1, sizeof(wasm_funcdef));
    if (!m->func_types || !m->funcs) return out_of_memory(d);
    return ensure_declared(d);
}

bool wasm_decode(aw_module *m, aw_error *err) {
    dec d = {.m = m, .err = err};
    wasm_reader_init(&d.r, m->bytes, m->bytes, m->bytes + m->len);
    d.sec_end = d.r.end;
    m->start = WASM_NONE;
    if (!decode_sections(&d) || !finish_spaces(&d)) return false;
    if (d.has_inv) {
        *err = d.inv;
        return false;
    }
    if (d.names) parse_func_names(m, d.names, d.names_end);
    return true;
}

void wasm_module_free_decoded(aw_module *m) {
    free(m->types);
    free(m->imports);
    free(m->func_types);
    if (m->funcs) {
        /* funcs[0].local_types is the start of the module's locals array
         * (funcs always has at least one, zeroed, entry) */
        free(m->funcs[0].local_types);
        free(m->funcs);
    }
    free(m->tables);
    free(m->mems);
    free(m->globals);
    free(m->global_inits);
    free(m->exports);
    if (m->elems)
        for (uint32_t i = 0; i < m->nelems; i++) free(m->elems[i].items);
    free(m->elems);
    free(m->datas);
    free(m->func_declared);
    free(m->func_names);
    m->types = NULL, m->imports = NULL, m->func_types = NULL, m->funcs = NULL;
    m->tables = NULL, m->mems = NULL, m->globals = NULL, m->global_inits = NULL;
    m->exports = NULL, m->elems = NULL, m->datas = NULL, m->func_declared = NULL, m->func_names = NULL;
    m->ntypes = m->nimports = m->nfuncs = m->ntables = m->nmems = m->nglobals = 0;
    m->nexports = m->nelems = m->ndatas = 0;
}
