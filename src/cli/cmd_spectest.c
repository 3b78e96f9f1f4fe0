/*
 * cmd_spectest.c — `anywhere spectest FILE.json [--tier interp|compiled] [-v]`:
 * runs one WebAssembly spec test script converted by wast2json.
 *
 * It uses only the public embedding API (anywhere/wasm.h), so it tests the
 * engine exactly as an embedder sees it. All modules of one script live in
 * one store, because scripts share tables, memories and globals between
 * modules through `register`.
 *
 * Counting: every assert_* command passes or fails; `module`, `register` and
 * `action` commands count only when they fail (so that a clean run reports
 * the number of assertions). Text-format assert_malformed/assert_invalid
 * (.wat files) are skipped and counted as such. The last line is
 * "N passed, N failed".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anywhere/compile.h"
#include "anywhere/wasm.h"
#include "cli/commands.h"
#include "json/json.h"

/* A runaway loop in the engine must not hang the whole suite: each call
 * gets this long before it is interrupted and reported. */
#define SPEC_CALL_TIMEOUT_NS (30ull * 1000 * 1000 * 1000)
#define SPEC_MAX_VALS 1024

typedef struct spec_binding {
    char *name;
    aw_instance *inst;
} spec_binding;

typedef struct spec_bindings {
    spec_binding *items;
    size_t len, cap;
} spec_bindings;

enum { SPEC_PRINT, SPEC_PRINT_I32, SPEC_PRINT_I64, SPEC_PRINT_F32, SPEC_PRINT_F64,
       SPEC_PRINT_I32_F32, SPEC_PRINT_F64_F64, SPEC_NPRINT };

/* The state of one script run. */
typedef struct spec_run {
    const char *dir;      /* directory of the JSON file; module files are relative to it */
    const char *file;     /* name printed in failure lines */
    bool verbose;
    aw_load_options load; /* the tier modules load in (--tier) */
    int line;             /* line of the command being run */
    const char *cmd;      /* its type */

    aw_store *store;
    aw_func *print[SPEC_NPRINT]; /* spectest host functions (outlive the store) */
    aw_table *sp_table;
    aw_memory *sp_memory;
    aw_global *sp_global_i32, *sp_global_i64, *sp_global_f32, *sp_global_f64;

    aw_instance *current;    /* the last module instantiated */
    spec_bindings named;     /* $name -> instance */
    spec_bindings registered;/* register "as" -> instance */
    aw_module **modules;     /* released at the end */
    size_t nmodules, capmodules;

    unsigned passed, failed, skipped;
} spec_run;

/* ---- reporting ------------------------------------------------------------ */

static void spec_fail(spec_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void spec_fail(spec_run *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    printf("%s:%d: %s: ", r->file, r->line, r->cmd);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    r->failed++;
}

static void spec_note(spec_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void spec_note(spec_run *r, const char *fmt, ...) {
    if (!r->verbose) return;
    va_list ap;
    va_start(ap, fmt);
    printf("%s:%d: %s: note: ", r->file, r->line, r->cmd);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

static const char *errkind_name(aw_errkind k) {
    switch (k) {
    case AW_OK: return "ok";
    case AW_ERR_MALFORMED: return "malformed";
    case AW_ERR_INVALID: return "invalid";
    case AW_ERR_LINK: return "link error";
    case AW_ERR_TRAP: return "trap";
    case AW_ERR_RESOURCE: return "resource error";
    case AW_ERR_EXIT: return "exit";
    }
    return "unknown error";
}

/* "trap (integer divide by zero): message" and the like. */
static const char *describe_error(const aw_error *err, char *buf, size_t n) {
    if (err->kind == AW_ERR_TRAP) {
        const char *tm = aw_trap_message(err->trap);
        snprintf(buf, n, "trap (%s): %s", tm ? tm : "?", err->message);
    } else {
        snprintf(buf, n, "%s: %s", errkind_name(err->kind), err->message);
    }
    return buf;
}

/* ---- small helpers -------------------------------------------------------- */

static const char *json_str(const cJSON *obj, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool bindings_add(spec_bindings *b, const char *name, aw_instance *inst) {
    for (size_t i = 0; i < b->len; i++)
        if (!strcmp(b->items[i].name, name)) {
            b->items[i].inst = inst;
            return true;
        }
    if (b->len == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 8;
        spec_binding *items = realloc(b->items, cap * sizeof *items);
        if (!items) return false;
        b->items = items;
        b->cap = cap;
    }
    char *copy = strdup(name);
    if (!copy) return false;
    b->items[b->len++] = (spec_binding){copy, inst};
    return true;
}

static aw_instance *bindings_find(const spec_bindings *b, const char *name) {
    for (size_t i = 0; i < b->len; i++)
        if (!strcmp(b->items[i].name, name)) return b->items[i].inst;
    return NULL;
}

static void bindings_free(spec_bindings *b) {
    for (size_t i = 0; i < b->len; i++) free(b->items[i].name);
    free(b->items);
    *b = (spec_bindings){0};
}

static uint8_t *read_whole_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[n] = 0; /* so that text files can be parsed in place */
    *len = n;
    return buf;
}

/* Numbers in wast2json output are decimal strings of the unsigned bit
 * pattern; accept a leading '-' too. */
static bool parse_u64(const char *s, uint64_t *out) {
    if (!s || !*s) return false;
    char *end;
    errno = 0;
    uint64_t v;
    if (*s == '-') v = (uint64_t)strtoll(s, &end, 10);
    else v = strtoull(s, &end, 10);
    if (errno || *end) return false;
    *out = v;
    return true;
}

/* Export names may hold NUL bytes ("\u0000" in the JSON), which a C string
 * from cJSON cannot carry. Before parsing, each such escape inside a string
 * becomes the byte 0xFF, which never occurs in the UTF-8 text wast2json
 * writes; export_lookup turns it back into NUL and passes the length.
 * Works in place: the text only shrinks. Returns the new length. */
#define SPEC_NUL_MARK '\xff'

static size_t mark_nul_escapes(char *text, size_t len) {
    size_t in = 0, out = 0;
    bool in_string = false;
    while (in < len) {
        char c = text[in];
        if (in_string && c == '\\' && in + 1 < len) {
            if (in + 5 < len && !memcmp(text + in + 1, "u0000", 5)) {
                text[out++] = SPEC_NUL_MARK;
                in += 6;
            } else {
                text[out++] = text[in++];
                text[out++] = text[in++];
            }
            continue;
        }
        if (c == '"') in_string = !in_string;
        text[out++] = text[in++];
    }
    text[out] = 0;
    return out;
}

/* Finds an export of `inst` by a name that may carry NUL marks. */
static bool export_lookup(const aw_instance *inst, const char *field, aw_externkind kind, aw_extern *out) {
    size_t len = strlen(field);
    char *name = malloc(len + 1);
    if (!name) return false;
    for (size_t i = 0; i <= len; i++) name[i] = field[i] == SPEC_NUL_MARK ? 0 : field[i];
    bool found = aw_instance_export_n(inst, name, len, out) && out->kind == kind;
    free(name);
    return found;
}

/* ---- values --------------------------------------------------------------- */

static bool parse_valtype(const char *s, aw_valtype *t) {
    static const struct { const char *name; aw_valtype type; } types[] = {
        {"i32", AW_I32}, {"i64", AW_I64}, {"f32", AW_F32}, {"f64", AW_F64},
        {"v128", AW_V128}, {"funcref", AW_FUNCREF}, {"externref", AW_EXTERNREF},
    };
    for (size_t i = 0; s && i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(s, types[i].name)) {
            *t = types[i].type;
            return true;
        }
    return false;
}

/* Lane width in bytes of a v128 lane type ("i8", "f32", ...), or 0. */
static unsigned lane_bytes(const char *lane_type) {
    if (!lane_type || strlen(lane_type) < 2) return 0;
    int bits = atoi(lane_type + 1);
    if ((lane_type[0] != 'i' && lane_type[0] != 'f') || (bits != 8 && bits != 16 && bits != 32 && bits != 64))
        return 0;
    if (lane_type[0] == 'f' && bits < 32) return 0;
    return (unsigned)bits / 8;
}

static void lane_store(uint8_t *p, unsigned width, uint64_t v) {
    for (unsigned i = 0; i < width; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t lane_load(const uint8_t *p, unsigned width) {
    uint64_t v = 0;
    for (unsigned i = 0; i < width; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static bool parse_v128(const cJSON *j, uint8_t out[16]) {
    unsigned w = lane_bytes(json_str(j, "lane_type"));
    const cJSON *lanes = cJSON_GetObjectItemCaseSensitive(j, "value");
    if (!w || !cJSON_IsArray(lanes) || (unsigned)cJSON_GetArraySize(lanes) != 16 / w) return false;
    unsigned i = 0;
    const cJSON *lane;
    cJSON_ArrayForEach(lane, lanes) {
        uint64_t v;
        if (!cJSON_IsString(lane) || !parse_u64(lane->valuestring, &v)) return false;
        lane_store(out + i * w, w, v);
        i++;
    }
    return true;
}

/* An argument: {"type": "i32", "value": "..."}. externref N is the host
 * word N+1, so that 0 stays the null reference. */
static bool parse_arg(const cJSON *j, aw_val *out) {
    memset(out, 0, sizeof *out);
    if (!parse_valtype(json_str(j, "type"), &out->type)) return false;
    if (out->type == AW_V128) return parse_v128(j, out->of.v128);
    const char *s = json_str(j, "value");
    uint64_t v = 0;
    switch (out->type) {
    case AW_FUNCREF:
        /* Only the null funcref can be written in a script. */
        return s && !strcmp(s, "null");
    case AW_EXTERNREF:
        if (s && !strcmp(s, "null")) return true;
        if (!parse_u64(s, &v)) return false;
        out->of.externref = (uintptr_t)v + 1;
        return true;
    case AW_I32:
    case AW_F32:
        if (!parse_u64(s, &v)) return false;
        out->of.i32 = (int32_t)(uint32_t)v;
        return true;
    default:
        if (!parse_u64(s, &v)) return false;
        out->of.i64 = (int64_t)v;
        return true;
    }
}

/* Does a float lane (bits, 32 or 64 wide) match "nan:canonical",
 * "nan:arithmetic" or an exact bit pattern? */
static bool float_matches(const char *want, uint64_t bits, unsigned width) {
    uint64_t sign = width == 4 ? 0x80000000u : 0x8000000000000000u;
    uint64_t canon = width == 4 ? 0x7fc00000u : 0x7ff8000000000000u;
    if (!strcmp(want, "nan:canonical")) return (bits & ~sign) == canon;
    if (!strcmp(want, "nan:arithmetic")) return (bits & canon) == canon;
    uint64_t v;
    if (!parse_u64(want, &v)) return false;
    if (width == 4) v &= 0xffffffffu;
    return v == bits;
}

static bool v128_matches(const cJSON *j, const uint8_t got[16]) {
    const char *lt = json_str(j, "lane_type");
    unsigned w = lane_bytes(lt);
    const cJSON *lanes = cJSON_GetObjectItemCaseSensitive(j, "value");
    if (!w || !cJSON_IsArray(lanes) || (unsigned)cJSON_GetArraySize(lanes) != 16 / w) return false;
    unsigned i = 0;
    const cJSON *lane;
    cJSON_ArrayForEach(lane, lanes) {
        if (!cJSON_IsString(lane)) return false;
        uint64_t bits = lane_load(got + i * w, w);
        if (lt[0] == 'f') {
            if (!float_matches(lane->valuestring, bits, w)) return false;
        } else {
            uint64_t v;
            if (!parse_u64(lane->valuestring, &v)) return false;
            if (w < 8) v &= (1ull << (8 * w)) - 1;
            if (v != bits) return false;
        }
        i++;
    }
    return true;
}

/* Does the value `got` match the expected value `j`? */
static bool value_matches(const cJSON *j, const aw_val *got) {
    aw_valtype t;
    if (!parse_valtype(json_str(j, "type"), &t) || t != got->type) return false;
    const char *s = json_str(j, "value");
    uint64_t v;
    switch (t) {
    case AW_I32:
        return parse_u64(s, &v) && (uint32_t)v == (uint32_t)got->of.i32;
    case AW_I64:
        return parse_u64(s, &v) && v == (uint64_t)got->of.i64;
    case AW_F32:
        return s && float_matches(s, (uint32_t)got->of.i32, 4);
    case AW_F64:
        return s && float_matches(s, (uint64_t)got->of.i64, 8);
    case AW_V128:
        return v128_matches(j, got->of.v128);
    case AW_FUNCREF:
        /* "null", or no value: any non-null reference. */
        if (s && !strcmp(s, "null")) return got->of.funcref == NULL;
        return got->of.funcref != NULL;
    case AW_EXTERNREF:
        if (s && !strcmp(s, "null")) return got->of.externref == 0;
        if (!s) return got->of.externref != 0;
        return parse_u64(s, &v) && got->of.externref == (uintptr_t)v + 1;
    }
    return false;
}

/* Appends to buf (of size n, holding a string) without overflowing. */
static void appendf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void appendf(char *buf, size_t n, const char *fmt, ...) {
    size_t used = strlen(buf);
    if (used + 1 >= n) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, n - used, fmt, ap);
    va_end(ap);
}

/* Formats a result; a v128 is shown in the lane shape of `like` (the
 * expected value) when there is one. */
static void format_value(char *buf, size_t n, const aw_val *v, const cJSON *like) {
    switch (v->type) {
    case AW_I32: appendf(buf, n, "i32:%" PRIu32, (uint32_t)v->of.i32); break;
    case AW_I64: appendf(buf, n, "i64:%" PRIu64, (uint64_t)v->of.i64); break;
    case AW_F32:
        appendf(buf, n, "f32:%" PRIu32 " (%g)", (uint32_t)v->of.i32, (double)v->of.f32);
        break;
    case AW_F64: appendf(buf, n, "f64:%" PRIu64 " (%g)", (uint64_t)v->of.i64, v->of.f64); break;
    case AW_V128: {
        const char *lt = like ? json_str(like, "lane_type") : NULL;
        unsigned w = lane_bytes(lt);
        if (!w) lt = "i32", w = 4;
        appendf(buf, n, "v128 %s:[", lt);
        for (unsigned i = 0; i < 16 / w; i++)
            appendf(buf, n, "%s%" PRIu64, i ? " " : "", lane_load(v->of.v128 + i * w, w));
        appendf(buf, n, "]");
        break;
    }
    case AW_FUNCREF: appendf(buf, n, "funcref:%s", v->of.funcref ? "non-null" : "null"); break;
    case AW_EXTERNREF:
        if (!v->of.externref) appendf(buf, n, "externref:null");
        else appendf(buf, n, "externref:%" PRIuPTR, v->of.externref - 1);
        break;
    default: appendf(buf, n, "<type 0x%x>", (unsigned)v->type); break;
    }
}

static void format_expected(char *buf, size_t n, const cJSON *j) {
    const char *type = json_str(j, "type");
    const cJSON *val = cJSON_GetObjectItemCaseSensitive(j, "value");
    if (cJSON_IsArray(val)) {
        const char *lt = json_str(j, "lane_type");
        appendf(buf, n, "%s %s:[", type ? type : "?", lt ? lt : "?");
        const cJSON *lane;
        bool first = true;
        cJSON_ArrayForEach(lane, val) {
            appendf(buf, n, "%s%s", first ? "" : " ", cJSON_IsString(lane) ? lane->valuestring : "?");
            first = false;
        }
        appendf(buf, n, "]");
    } else {
        appendf(buf, n, "%s:%s", type ? type : "?", cJSON_IsString(val) ? val->valuestring : "non-null");
    }
}

static void format_list(char *buf, size_t n, const aw_val *vals, size_t nvals, const cJSON *expected) {
    buf[0] = 0;
    appendf(buf, n, "(");
    for (size_t i = 0; i < nvals; i++) {
        if (i) appendf(buf, n, " ");
        format_value(buf, n, &vals[i], expected ? cJSON_GetArrayItem(expected, (int)i) : NULL);
    }
    appendf(buf, n, ")");
}

static void format_expected_list(char *buf, size_t n, const cJSON *expected) {
    buf[0] = 0;
    appendf(buf, n, "(");
    const cJSON *e;
    bool first = true;
    cJSON_ArrayForEach(e, expected) {
        if (!first) appendf(buf, n, " ");
        format_expected(buf, n, e);
        first = false;
    }
    appendf(buf, n, ")");
}

/* ---- the "spectest" module ------------------------------------------------ */

static int spectest_print(aw_caller *c, uint64_t *slots, void *data) {
    (void)c, (void)slots, (void)data;
    return 0; /* the tests only check that these can be imported and called */
}

static bool spectest_init(spec_run *r) {
    static const aw_valtype i32[] = {AW_I32}, i64[] = {AW_I64}, f32[] = {AW_F32}, f64[] = {AW_F64},
                            i32_f32[] = {AW_I32, AW_F32}, f64_f64[] = {AW_F64, AW_F64};
    static const struct { const aw_valtype *params; uint32_t n; const char *name; } sigs[SPEC_NPRINT] = {
        [SPEC_PRINT] = {NULL, 0, "print"},
        [SPEC_PRINT_I32] = {i32, 1, "print_i32"},
        [SPEC_PRINT_I64] = {i64, 1, "print_i64"},
        [SPEC_PRINT_F32] = {f32, 1, "print_f32"},
        [SPEC_PRINT_F64] = {f64, 1, "print_f64"},
        [SPEC_PRINT_I32_F32] = {i32_f32, 2, "print_i32_f32"},
        [SPEC_PRINT_F64_F64] = {f64_f64, 2, "print_f64_f64"},
    };
    for (int i = 0; i < SPEC_NPRINT; i++) {
        r->print[i] = aw_func_new_host(sigs[i].params, sigs[i].n, NULL, 0, spectest_print, NULL, sigs[i].name);
        if (!r->print[i]) return false;
    }
    r->sp_table = aw_table_new(r->store, AW_FUNCREF, (aw_limits){10, 20});
    r->sp_memory = aw_memory_new(r->store, (aw_limits){1, 2});
    r->sp_global_i32 = aw_global_new(r->store, AW_I32_VAL(666), false);
    r->sp_global_i64 = aw_global_new(r->store, AW_I64_VAL(666), false);
    r->sp_global_f32 = aw_global_new(r->store, AW_F32_VAL(666.6f), false);
    r->sp_global_f64 = aw_global_new(r->store, AW_F64_VAL(666.6), false);
    return r->sp_table && r->sp_memory && r->sp_global_i32 && r->sp_global_i64 && r->sp_global_f32 &&
           r->sp_global_f64;
}

static bool spectest_export(spec_run *r, const char *name, aw_extern *out) {
    static const char *const prints[SPEC_NPRINT] = {"print", "print_i32", "print_i64", "print_f32",
                                                    "print_f64", "print_i32_f32", "print_f64_f64"};
    for (int i = 0; i < SPEC_NPRINT; i++)
        if (!strcmp(name, prints[i])) {
            *out = (aw_extern){.kind = AW_EXTERN_FUNC, .of.func = r->print[i]};
            return true;
        }
    const struct { const char *name; aw_global *g; } globals[] = {
        {"global_i32", r->sp_global_i32}, {"global_i64", r->sp_global_i64},
        {"global_f32", r->sp_global_f32}, {"global_f64", r->sp_global_f64},
    };
    for (size_t i = 0; i < sizeof globals / sizeof globals[0]; i++)
        if (!strcmp(name, globals[i].name)) {
            *out = (aw_extern){.kind = AW_EXTERN_GLOBAL, .of.global = globals[i].g};
            return true;
        }
    if (!strcmp(name, "table")) {
        *out = (aw_extern){.kind = AW_EXTERN_TABLE, .of.table = r->sp_table};
        return true;
    }
    if (!strcmp(name, "memory")) {
        *out = (aw_extern){.kind = AW_EXTERN_MEMORY, .of.memory = r->sp_memory};
        return true;
    }
    return false;
}

/* ---- modules -------------------------------------------------------------- */

static aw_module *load_module(spec_run *r, const char *filename, aw_error *err) {
    memset(err, 0, sizeof *err);
    char path[4096];
    if (!filename || snprintf(path, sizeof path, "%s/%s", r->dir, filename) >= (int)sizeof path) {
        err->kind = AW_ERR_RESOURCE;
        snprintf(err->message, sizeof err->message, "bad module file name");
        return NULL;
    }
    size_t len = 0;
    uint8_t *bytes = read_whole_file(path, &len);
    if (!bytes) {
        err->kind = AW_ERR_RESOURCE;
        snprintf(err->message, sizeof err->message, "cannot read %.200s: %s", path, strerror(errno));
        return NULL;
    }
    aw_module *m = aw_module_load_ex(bytes, len, &r->load, err);
    free(bytes);
    if (m) {
        if (r->nmodules == r->capmodules) {
            size_t cap = r->capmodules ? r->capmodules * 2 : 16;
            aw_module **mods = realloc(r->modules, cap * sizeof *mods);
            if (!mods) {
                aw_module_release(m);
                err->kind = AW_ERR_RESOURCE;
                snprintf(err->message, sizeof err->message, "out of memory");
                return NULL;
            }
            r->modules = mods;
            r->capmodules = cap;
        }
        r->modules[r->nmodules++] = m;
    } else if (err->kind == AW_OK) {
        err->kind = AW_ERR_MALFORMED; /* the engine forgot to say why */
    }
    return m;
}

static const char *externkind_name(aw_externkind k) {
    switch (k) {
    case AW_EXTERN_FUNC: return "func";
    case AW_EXTERN_TABLE: return "table";
    case AW_EXTERN_MEMORY: return "memory";
    case AW_EXTERN_GLOBAL: return "global";
    }
    return "?";
}

/* Finds each import among "spectest" and the registered instances. An
 * import nobody provides is an "unknown import" link error. */
static aw_instance *instantiate(spec_run *r, aw_module *m, aw_error *err) {
    uint32_t n = aw_module_import_count(m);
    aw_extern *imports = calloc(n ? n : 1, sizeof *imports);
    if (!imports) {
        err->kind = AW_ERR_RESOURCE;
        snprintf(err->message, sizeof err->message, "out of memory");
        return NULL;
    }
    for (uint32_t i = 0; i < n; i++) {
        const char *mod = NULL, *name = NULL;
        aw_externtype type;
        memset(&type, 0, sizeof type);
        aw_module_import(m, i, &mod, &name, &type);
        mod = mod ? mod : "";
        name = name ? name : "";
        bool found;
        if (!strcmp(mod, "spectest")) {
            found = spectest_export(r, name, &imports[i]);
        } else {
            aw_instance *from = bindings_find(&r->registered, mod);
            found = from && aw_instance_export(from, name, &imports[i]);
        }
        if (!found) {
            err->kind = AW_ERR_LINK;
            snprintf(err->message, sizeof err->message, "unknown import \"%s\" \"%s\" (%s)", mod, name,
                     externkind_name(type.kind));
            free(imports);
            return NULL;
        }
    }
    aw_instance *inst = aw_instantiate(r->store, m, imports, n, err);
    free(imports);
    if (!inst && err->kind == AW_OK) err->kind = AW_ERR_LINK;
    return inst;
}

/* ---- actions -------------------------------------------------------------- */

typedef struct spec_result {
    aw_errkind kind;
    aw_error err;
    aw_val vals[SPEC_MAX_VALS];
    size_t nvals;
} spec_result;

static aw_instance *action_instance(spec_run *r, const cJSON *action) {
    const char *name = json_str(action, "module");
    if (!name) return r->current;
    return bindings_find(&r->named, name);
}

/* Runs an invoke or get action. Returns false (after reporting) when the
 * action could not even be attempted; res->kind says how it ended. */
static bool run_action(spec_run *r, const cJSON *action, spec_result *res) {
    memset(&res->err, 0, sizeof res->err);
    res->kind = AW_OK;
    res->nvals = 0;
    const char *type = json_str(action, "type");
    const char *field = json_str(action, "field");
    aw_instance *inst = action ? action_instance(r, action) : NULL;
    if (!type || !field) {
        spec_fail(r, "action without type or field");
        return false;
    }
    if (!inst) {
        spec_fail(r, "no module instance for action on \"%s\"", field);
        return false;
    }
    if (!strcmp(type, "get")) {
        aw_extern e;
        aw_global *g = export_lookup(inst, field, AW_EXTERN_GLOBAL, &e) ? e.of.global : NULL;
        if (!g) {
            spec_fail(r, "no exported global \"%s\"", field);
            return false;
        }
        res->vals[0] = aw_global_get(g);
        res->nvals = 1;
        return true;
    }
    if (strcmp(type, "invoke") != 0) {
        spec_fail(r, "unknown action type \"%s\"", type);
        return false;
    }
    aw_extern e;
    aw_func *f = export_lookup(inst, field, AW_EXTERN_FUNC, &e) ? e.of.func : NULL;
    if (!f) {
        spec_fail(r, "no exported function \"%s\"", field);
        return false;
    }
    aw_functype ft = aw_func_type(f);
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(action, "args");
    int nargs = cJSON_IsArray(args) ? cJSON_GetArraySize(args) : 0;
    if ((uint32_t)nargs != ft.nparams || ft.nparams > SPEC_MAX_VALS || ft.nresults > SPEC_MAX_VALS) {
        spec_fail(r, "\"%s\" takes %u arguments, the script passes %d", field, ft.nparams, nargs);
        return false;
    }
    aw_val argv[SPEC_MAX_VALS];
    int i = 0;
    const cJSON *a;
    cJSON_ArrayForEach(a, args) {
        if (!parse_arg(a, &argv[i]) || argv[i].type != ft.params[i]) {
            spec_fail(r, "bad argument %d for \"%s\" (wants %s)", i, field, aw_valtype_name(ft.params[i]));
            return false;
        }
        i++;
    }
    memset(res->vals, 0, ft.nresults * sizeof res->vals[0]);
    aw_store_set_timeout(r->store, SPEC_CALL_TIMEOUT_NS);
    res->kind = aw_call(r->store, f, argv, (size_t)nargs, res->vals, ft.nresults, &res->err);
    aw_store_set_timeout(r->store, 0);
    /* The result types are the function's, whatever the engine wrote. */
    for (uint32_t k = 0; k < ft.nresults; k++) res->vals[k].type = ft.results[k];
    res->nvals = ft.nresults;
    return true;
}

/* ---- commands ------------------------------------------------------------- */

static void cmd_module(spec_run *r, const cJSON *c) {
    r->current = NULL;
    aw_error err;
    char why[400];
    aw_module *m = load_module(r, json_str(c, "filename"), &err);
    aw_instance *inst = m ? instantiate(r, m, &err) : NULL;
    if (!inst) {
        spec_fail(r, "expected the module to instantiate, got %s", describe_error(&err, why, sizeof why));
        return;
    }
    r->current = inst;
    const char *name = json_str(c, "name");
    if (name && !bindings_add(&r->named, name, inst)) spec_fail(r, "out of memory");
}

static void cmd_register(spec_run *r, const cJSON *c) {
    const char *name = json_str(c, "name");
    const char *as = json_str(c, "as");
    aw_instance *inst = name ? bindings_find(&r->named, name) : r->current;
    if (!as || !inst) {
        spec_fail(r, "nothing to register as \"%s\"", as ? as : "?");
        return;
    }
    if (!bindings_add(&r->registered, as, inst)) spec_fail(r, "out of memory");
}

static void cmd_action(spec_run *r, const cJSON *c) {
    spec_result *res = malloc(sizeof *res);
    char why[400];
    if (!res) {
        spec_fail(r, "out of memory");
        return;
    }
    if (run_action(r, cJSON_GetObjectItemCaseSensitive(c, "action"), res) && res->kind != AW_OK)
        spec_fail(r, "expected the action to complete, got %s", describe_error(&res->err, why, sizeof why));
    free(res);
}

static void cmd_assert_return(spec_run *r, const cJSON *c) {
    spec_result *res = malloc(sizeof *res);
    if (!res) {
        spec_fail(r, "out of memory");
        return;
    }
    const cJSON *expected = cJSON_GetObjectItemCaseSensitive(c, "expected");
    char want[1024], got[1024], why[400];
    format_expected_list(want, sizeof want, expected);
    if (!run_action(r, cJSON_GetObjectItemCaseSensitive(c, "action"), res)) goto done;
    if (res->kind != AW_OK) {
        spec_fail(r, "expected %s, got %s", want, describe_error(&res->err, why, sizeof why));
        goto done;
    }
    bool ok = cJSON_IsArray(expected) && (size_t)cJSON_GetArraySize(expected) == res->nvals;
    for (size_t i = 0; ok && i < res->nvals; i++)
        ok = value_matches(cJSON_GetArrayItem(expected, (int)i), &res->vals[i]);
    if (ok) {
        r->passed++;
    } else {
        format_list(got, sizeof got, res->vals, res->nvals, expected);
        spec_fail(r, "expected %s, got %s", want, got);
    }
done:
    free(res);
}

/* The trap kind a script's message names; AW_TRAP_NONE if unknown. */
static aw_trapkind trap_kind_of_text(const char *text) {
    static const struct { const char *prefix; aw_trapkind kind; } kinds[] = {
        {"unreachable", AW_TRAP_UNREACHABLE},
        {"out of bounds memory access", AW_TRAP_MEMORY_OOB},
        {"out of bounds table access", AW_TRAP_TABLE_OOB},
        {"undefined element", AW_TRAP_UNDEFINED_ELEMENT},
        {"uninitialized element", AW_TRAP_UNINITIALIZED_ELEMENT},
        {"indirect call type mismatch", AW_TRAP_INDIRECT_TYPE},
        {"integer divide by zero", AW_TRAP_DIV_ZERO},
        {"integer overflow", AW_TRAP_INT_OVERFLOW},
        {"invalid conversion to integer", AW_TRAP_INVALID_CONVERSION},
        {"call stack exhausted", AW_TRAP_STACK_EXHAUSTED},
    };
    for (size_t i = 0; text && i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strncmp(text, kinds[i].prefix, strlen(kinds[i].prefix))) return kinds[i].kind;
    return AW_TRAP_NONE;
}

/* Checks that an action or instantiation ended in the trap `text` names. */
static void expect_trap(spec_run *r, aw_errkind kind, const aw_error *err, const char *text) {
    char why[400];
    aw_trapkind want = trap_kind_of_text(text);
    if (kind == AW_OK) {
        spec_fail(r, "expected trap \"%s\", got success", text ? text : "?");
    } else if (kind != AW_ERR_TRAP) {
        spec_fail(r, "expected trap \"%s\", got %s", text ? text : "?", describe_error(err, why, sizeof why));
    } else if (want != AW_TRAP_NONE && err->trap != want) {
        spec_fail(r, "expected trap \"%s\", got %s", text, describe_error(err, why, sizeof why));
    } else {
        r->passed++;
    }
}

static void cmd_assert_trap(spec_run *r, const cJSON *c) {
    spec_result *res = malloc(sizeof *res);
    if (!res) {
        spec_fail(r, "out of memory");
        return;
    }
    if (run_action(r, cJSON_GetObjectItemCaseSensitive(c, "action"), res))
        expect_trap(r, res->kind, &res->err, json_str(c, "text"));
    free(res);
}

static bool is_text_module(const cJSON *c) {
    const char *mt = json_str(c, "module_type");
    return mt && !strcmp(mt, "text");
}

/* assert_malformed / assert_invalid: the binary must be rejected by
 * aw_module_load with the right kind. A wrong kind still passes (the module
 * was rejected) but is noted in -v mode, as is a differing message. */
static void cmd_assert_rejected(spec_run *r, const cJSON *c, aw_errkind want) {
    if (is_text_module(c)) {
        r->skipped++;
        return;
    }
    const char *text = json_str(c, "text");
    aw_error err;
    aw_module *m = load_module(r, json_str(c, "filename"), &err);
    if (m) {
        spec_fail(r, "expected %s module (\"%s\"), but it loaded", errkind_name(want), text ? text : "?");
        return;
    }
    if (err.kind == AW_ERR_RESOURCE && strncmp(err.message, "cannot read", 11) == 0) {
        spec_fail(r, "%s", err.message);
        return;
    }
    r->passed++;
    if (err.kind != want)
        spec_note(r, "expected a %s module (\"%s\"), got %s: %s", errkind_name(want), text ? text : "?",
                  errkind_name(err.kind), err.message);
    else if (text && !strstr(err.message, text))
        spec_note(r, "message differs: expected \"%s\", got \"%s\"", text, err.message);
}

static void cmd_assert_unlinkable(spec_run *r, const cJSON *c) {
    const char *text = json_str(c, "text");
    aw_error err;
    char why[400];
    aw_module *m = load_module(r, json_str(c, "filename"), &err);
    if (!m) {
        spec_fail(r, "expected link error \"%s\", got %s", text ? text : "?", describe_error(&err, why, sizeof why));
        return;
    }
    aw_instance *inst = instantiate(r, m, &err);
    if (inst) {
        spec_fail(r, "expected link error \"%s\", but it instantiated", text ? text : "?");
    } else if (err.kind != AW_ERR_LINK) {
        spec_fail(r, "expected link error \"%s\", got %s", text ? text : "?", describe_error(&err, why, sizeof why));
    } else {
        r->passed++;
        if (text && !strstr(err.message, text))
            spec_note(r, "message differs: expected \"%s\", got \"%s\"", text, err.message);
    }
}

static void cmd_assert_uninstantiable(spec_run *r, const cJSON *c) {
    aw_error err;
    char why[400];
    const char *text = json_str(c, "text");
    aw_module *m = load_module(r, json_str(c, "filename"), &err);
    if (!m) {
        spec_fail(r, "expected trap \"%s\" at instantiation, got %s", text ? text : "?",
                  describe_error(&err, why, sizeof why));
        return;
    }
    aw_instance *inst = instantiate(r, m, &err);
    expect_trap(r, inst ? AW_OK : err.kind, &err, text);
}

static void cmd_assert_exhaustion(spec_run *r, const cJSON *c) {
    spec_result *res = malloc(sizeof *res);
    char why[400];
    if (!res) {
        spec_fail(r, "out of memory");
        return;
    }
    if (run_action(r, cJSON_GetObjectItemCaseSensitive(c, "action"), res)) {
        if (res->kind == AW_ERR_TRAP && res->err.trap == AW_TRAP_STACK_EXHAUSTED)
            r->passed++;
        else if (res->kind == AW_OK)
            spec_fail(r, "expected call stack exhaustion, got success");
        else
            spec_fail(r, "expected call stack exhaustion, got %s", describe_error(&res->err, why, sizeof why));
    }
    free(res);
}

static void run_command(spec_run *r, const cJSON *c) {
    const cJSON *line = cJSON_GetObjectItemCaseSensitive(c, "line");
    r->line = cJSON_IsNumber(line) ? line->valueint : 0;
    r->cmd = json_str(c, "type");
    if (!r->cmd) {
        r->cmd = "?";
        spec_fail(r, "command without a type");
        return;
    }
    const char *t = r->cmd;
    if (!strcmp(t, "module")) cmd_module(r, c);
    else if (!strcmp(t, "register")) cmd_register(r, c);
    else if (!strcmp(t, "action")) cmd_action(r, c);
    else if (!strcmp(t, "assert_return")) cmd_assert_return(r, c);
    else if (!strcmp(t, "assert_trap")) cmd_assert_trap(r, c);
    else if (!strcmp(t, "assert_exhaustion")) cmd_assert_exhaustion(r, c);
    else if (!strcmp(t, "assert_malformed")) cmd_assert_rejected(r, c, AW_ERR_MALFORMED);
    else if (!strcmp(t, "assert_invalid")) cmd_assert_rejected(r, c, AW_ERR_INVALID);
    else if (!strcmp(t, "assert_unlinkable")) cmd_assert_unlinkable(r, c);
    else if (!strcmp(t, "assert_uninstantiable")) cmd_assert_uninstantiable(r, c);
    else spec_fail(r, "unknown command type");
}

/* ---- the command ---------------------------------------------------------- */

static void run_free(spec_run *r) {
    if (r->store) aw_store_free(r->store);
    for (int i = 0; i < SPEC_NPRINT; i++)
        if (r->print[i]) aw_func_free_host(r->print[i]);
    for (size_t i = 0; i < r->nmodules; i++) aw_module_release(r->modules[i]);
    free(r->modules);
    bindings_free(&r->named);
    bindings_free(&r->registered);
}

static int usage(void) {
    fprintf(stderr, "usage: anywhere spectest FILE.json [--tier interp|compiled] [-v]\n");
    return 2;
}

/* Where module files live, and the name failure lines start with (the
 * .wast file the script was converted from, or the JSON file). */
static void script_names(const char *path, const cJSON *root, char *dir, size_t ndir, const char **file) {
    const char *slash = strrchr(path, '/');
    if (slash) snprintf(dir, ndir, "%.*s", (int)(slash - path), path);
    else snprintf(dir, ndir, ".");
    const char *src = json_str(root, "source_filename");
    if (src) {
        const char *s = strrchr(src, '/');
        *file = s ? s + 1 : src;
    } else {
        *file = path;
    }
}

int cmd_spectest(int argc, char **argv) {
    const char *path = NULL, *tier = "interp";
    bool verbose = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) verbose = true;
        else if (!strcmp(argv[i], "--tier") && i + 1 < argc) tier = argv[++i];
        else if (!strncmp(argv[i], "--tier=", 7)) tier = argv[i] + 7;
        else if (argv[i][0] == '-' || path) return usage();
        else path = argv[i];
    }
    if (!path) return usage();
    aw_load_options load = {.tier = AW_TIER_INTERP};
    if (!strcmp(tier, "compiled") && aw_compiled_tier_available()) {
        load.tier = AW_TIER_COMPILED;
    } else if (strcmp(tier, "interp") != 0) {
        fprintf(stderr, "anywhere spectest: tier '%s' is not built into this binary (have: interp%s)\n",
                tier, aw_compiled_tier_available() ? ", compiled" : "");
        return 2;
    }
    size_t len = 0;
    char *text = (char *)read_whole_file(path, &len);
    if (!text) {
        fprintf(stderr, "anywhere spectest: cannot read %s: %s\n", path, strerror(errno));
        return 2;
    }
    len = mark_nul_escapes(text, len);
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    const cJSON *commands = cJSON_GetObjectItemCaseSensitive(root, "commands");
    if (!cJSON_IsArray(commands)) {
        fprintf(stderr, "anywhere spectest: %s: not a wast2json script (no \"commands\" array)\n", path);
        cJSON_Delete(root);
        return 2;
    }

    char dir[4096];
    spec_run r = {.verbose = verbose, .load = load};
    script_names(path, root, dir, sizeof dir, &r.file);
    r.dir = dir;
    r.store = aw_store_new(NULL);
    if (!r.store || !spectest_init(&r)) {
        fprintf(stderr, "anywhere spectest: cannot create the store and the spectest module\n");
        run_free(&r);
        cJSON_Delete(root);
        return 2;
    }
    const cJSON *c;
    cJSON_ArrayForEach(c, commands) {
        run_command(&r, c);
        fflush(stdout); /* so that a crash still shows how far it got */
    }
    printf("%u skipped (text-format modules)\n", r.skipped);
    printf("%u passed, %u failed\n", r.passed, r.failed);
    unsigned failed = r.failed;
    run_free(&r);
    cJSON_Delete(root);
    return failed ? 1 : 0;
}
