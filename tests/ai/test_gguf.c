/*
 * test_gguf.c — the GGUF reader on hand-built files: every metadata type
 * (scalars and arrays), v2 and v3, custom alignment, tensor infos; every
 * truncation of a valid file and a list of corruptions must give an error
 * naming a byte offset (each parse reads an exact-size heap copy, so
 * AddressSanitizer would catch any read past the end); the writer's files
 * read back.
 */
#include "ai/gguf.h"
#include "ai/quant.h"
#include "ai/synth.h"
#include "check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct { uint8_t *p; size_t n; } buf;
static void put(buf *b, const void *v, size_t n) { b->p = realloc(b->p, b->n + n); memcpy(b->p + b->n, v, n); b->n += n; }
static void u8(buf *b, uint8_t v) { put(b, &v, 1); }
static void u32(buf *b, uint32_t v) { put(b, &v, 4); }
static void u64(buf *b, uint64_t v) { put(b, &v, 8); }
static void str(buf *b, const char *s) { u64(b, strlen(s)); put(b, s, strlen(s)); }
static void key(buf *b, const char *k, uint32_t t) { str(b, k); u32(b, t); }

/* A file with one key per scalar type, arrays of several types, a custom
 * alignment and two tensors. */
static buf build(uint32_t version) {
    buf b = {0};
    put(&b, "GGUF", 4);
    u32(&b, version);
    u64(&b, 2);   /* tensors */
    u64(&b, 17);  /* kvs */
    key(&b, "t.u8", AI_GGUF_U8); u8(&b, 200);
    key(&b, "t.i8", AI_GGUF_I8); u8(&b, (uint8_t)-5);
    key(&b, "t.u16", AI_GGUF_U16); { uint16_t v = 60000; put(&b, &v, 2); }
    key(&b, "t.i16", AI_GGUF_I16); { int16_t v = -300; put(&b, &v, 2); }
    key(&b, "t.u32", AI_GGUF_U32); u32(&b, 4000000000u);
    key(&b, "t.i32", AI_GGUF_I32); { int32_t v = -70000; put(&b, &v, 4); }
    key(&b, "t.f32", AI_GGUF_F32); { float v = 1.5f; put(&b, &v, 4); }
    key(&b, "t.bool", AI_GGUF_BOOL); u8(&b, 1);
    key(&b, "t.str", AI_GGUF_STRING); str(&b, "héllo");
    key(&b, "t.u64", AI_GGUF_U64); u64(&b, 1ull << 40);
    key(&b, "t.i64", AI_GGUF_I64); u64(&b, (uint64_t)-9);
    key(&b, "t.f64", AI_GGUF_F64); { double v = -2.25; put(&b, &v, 8); }
    key(&b, "t.astr", AI_GGUF_ARRAY); u32(&b, AI_GGUF_STRING); u64(&b, 3); str(&b, "a"); str(&b, ""); str(&b, "<0x0A>");
    key(&b, "t.af32", AI_GGUF_ARRAY); u32(&b, AI_GGUF_F32); u64(&b, 2); { float v[2] = {0.5f, -1}; put(&b, v, 8); }
    key(&b, "t.ai16", AI_GGUF_ARRAY); u32(&b, AI_GGUF_I16); u64(&b, 2); { int16_t v[2] = {-1, 7}; put(&b, v, 4); }
    key(&b, "t.aempty", AI_GGUF_ARRAY); u32(&b, AI_GGUF_U8); u64(&b, 0);
    key(&b, "general.alignment", AI_GGUF_U32); u32(&b, 64);
    /* tensor infos: a 64-float vector and a 64x2 Q8_0 matrix */
    str(&b, "vec"); u32(&b, 1); u64(&b, 64); u32(&b, AI_TYPE_F32); u64(&b, 0);
    str(&b, "mat"); u32(&b, 2); u64(&b, 64); u64(&b, 2); u32(&b, AI_TYPE_Q8_0); u64(&b, 256);
    while (b.n % 64) u8(&b, 0);
    for (int i = 0; i < 64; i++) { float f = (float)i; put(&b, &f, 4); }
    for (int r = 0; r < 2; r++)
        for (int blk = 0; blk < 2; blk++) {
            ai_f16 d = ai_f32_to_f16(0.5f);
            put(&b, &d, 2);
            for (int j = 0; j < 32; j++) u8(&b, (uint8_t)(j - 16));
        }
    return b;
}

static ai_gguf *parse_copy(const uint8_t *p, size_t n, char *err, size_t errlen, uint8_t **copy) {
    *copy = malloc(n ? n : 1);
    memcpy(*copy, p, n);
    return ai_gguf_parse(*copy, n, "t.gguf", err, errlen);
}

static void test_values(uint32_t version) {
    buf b = build(version);
    char err[256];
    uint8_t *copy;
    ai_gguf *g = parse_copy(b.p, b.n, err, sizeof err, &copy);
    CHECK(g != NULL, "v%u parse: %s", version, err);
    if (!g) { free(copy); free(b.p); return; }
    uint32_t u; int64_t i; float f; bool bo; ai_gguf_str s;
    CHECK(ai_gguf_get_u32(g, "t.u8", &u) && u == 200, "u8");
    CHECK(ai_gguf_get_i64(g, "t.i8", &i) && i == -5, "i8");
    CHECK(ai_gguf_get_u32(g, "t.u16", &u) && u == 60000, "u16");
    CHECK(ai_gguf_get_i64(g, "t.i16", &i) && i == -300, "i16");
    CHECK(ai_gguf_get_u32(g, "t.u32", &u) && u == 4000000000u, "u32");
    CHECK(ai_gguf_get_i64(g, "t.i32", &i) && i == -70000, "i32");
    CHECK(!ai_gguf_get_u32(g, "t.i32", &u), "negative value is not a u32");
    CHECK(ai_gguf_get_f32(g, "t.f32", &f) && f == 1.5f, "f32");
    CHECK(ai_gguf_get_bool(g, "t.bool", &bo) && bo, "bool");
    CHECK(ai_gguf_get_str(g, "t.str", &s) && s.len == 6 && !memcmp(s.ptr, "héllo", 6), "string");
    CHECK(ai_gguf_get_i64(g, "t.u64", &i) && i == 1ll << 40, "u64");
    CHECK(!ai_gguf_get_u32(g, "t.u64", &u), "u64 too big for u32");
    CHECK(ai_gguf_get_i64(g, "t.i64", &i) && i == -9, "i64");
    CHECK(ai_gguf_get_f32(g, "t.f64", &f) && f == -2.25f, "f64");
    char *dup = ai_gguf_dup_str(g, "t.str");
    CHECK(dup && !strcmp(dup, "héllo"), "dup_str");
    free(dup);
    const ai_gguf_kv *a = ai_gguf_get_arr(g, "t.astr", AI_GGUF_STRING);
    CHECK(a && a->v.arr.n == 3, "string array");
    if (a) {
        ai_gguf_str s2 = ai_gguf_arr_str(a, 2), s1 = ai_gguf_arr_str(a, 1);
        CHECK(s2.len == 6 && !memcmp(s2.ptr, "<0x0A>", 6) && s1.len == 0, "string array elements");
    }
    a = ai_gguf_get_arr(g, "t.af32", AI_GGUF_F32);
    CHECK(a && ai_gguf_arr_f64(a, 0) == 0.5 && ai_gguf_arr_f64(a, 1) == -1, "f32 array");
    a = ai_gguf_get_arr(g, "t.ai16", AI_GGUF_TYPE_COUNT);
    CHECK(a && ai_gguf_arr_i64(a, 0) == -1 && ai_gguf_arr_i64(a, 1) == 7, "i16 array");
    CHECK(ai_gguf_get_arr(g, "t.ai16", AI_GGUF_F32) == NULL, "array element type filter");
    a = ai_gguf_get_arr(g, "t.aempty", AI_GGUF_U8);
    CHECK(a && a->v.arr.n == 0, "empty array");
    CHECK(ai_gguf_alignment(g) == 64, "alignment");
    CHECK(ai_gguf_tensor_count(g) == 2, "tensor count");
    const ai_gguf_tensor *t = ai_gguf_find_tensor(g, "mat");
    CHECK(t && t->ne[0] == 64 && t->ne[1] == 2 && t->type == AI_TYPE_Q8_0 && t->nbytes == 136, "tensor info");
    if (t) {
        float row[64];
        ai_type_traits_of(t->type)->to_float(t->data, row, 64);
        CHECK(row[0] == -8.f && row[31] == 7.5f, "tensor data at its aligned offset");
    }
    const ai_gguf_tensor *v = ai_gguf_find_tensor(g, "vec");
    CHECK(v && ((const float *)v->data)[63] == 63.f, "f32 tensor data");
    ai_gguf_close(g);
    free(copy);

    /* every truncation fails cleanly, naming where */
    int bad = 0;
    for (size_t n = 0; n < b.n; n++) {
        g = parse_copy(b.p, n, err, sizeof err, &copy);
        if (g || !strstr(err, "t.gguf:")) bad++;
        if (g) ai_gguf_close(g);
        free(copy);
    }
    CHECK(bad == 0, "v%u: %d truncations were not rejected with a message", version, bad);
    free(b.p);
}

static void expect_error(buf *b, const char *what, const char *needle) {
    char err[256] = "";
    uint8_t *copy;
    ai_gguf *g = parse_copy(b->p, b->n, err, sizeof err, &copy);
    CHECK(!g && strstr(err, needle), "%s: expected an error containing '%s', got '%s'", what, needle, g ? "(parsed)" : err);
    if (g) ai_gguf_close(g);
    free(copy);
}

/* offset of the first byte of the tensor-info section entry named s */
static size_t find(const buf *b, const char *s) {
    size_t n = strlen(s);
    for (size_t i = 0; i + n <= b->n; i++) if (!memcmp(b->p + i, s, n)) return i;
    return 0;
}

static void test_corruptions(void) {
    buf b = build(3);
    uint8_t save[16];
    #define PATCH(off, val, sz) do { memcpy(save, b.p + (off), sz); uint64_t v_ = (val); memcpy(b.p + (off), &v_, sz); } while (0)
    #define UNDO(off, sz) memcpy(b.p + (off), save, sz)
    PATCH(0, 0x46554746, 4); expect_error(&b, "bad magic", "bad magic"); UNDO(0, 4);
    PATCH(4, 1, 4); expect_error(&b, "version 1", "unsupported GGUF version 1"); UNDO(4, 4);
    PATCH(8, 1ull << 40, 8); expect_error(&b, "huge tensor count", "more than"); UNDO(8, 8);
    PATCH(16, 1ull << 40, 8); expect_error(&b, "huge kv count", "more than"); UNDO(16, 8);
    size_t k = find(&b, "t.u8") - 8;
    PATCH(k, 1ull << 50, 8); expect_error(&b, "huge key length", "runs past the end"); UNDO(k, 8);
    PATCH(k + 12, 99, 4); expect_error(&b, "unknown type", "unknown type 99"); UNDO(k + 12, 4);
    size_t a = find(&b, "t.astr") + 6 + 4; /* element type of the string array */
    PATCH(a, AI_GGUF_ARRAY, 4); expect_error(&b, "nested array", "unsupported element type"); UNDO(a, 4);
    PATCH(a + 4, 1ull << 60, 8); expect_error(&b, "huge string array", "more than the file can hold"); UNDO(a + 4, 8);
    size_t al = find(&b, "general.alignment") + 17 + 4;
    PATCH(al, 48, 4); expect_error(&b, "alignment 48", "power of two"); UNDO(al, 4);
    size_t m = find(&b, "mat") + 3; /* n_dims, ne0, ne1, type, offset */
    PATCH(m, 5, 4); expect_error(&b, "5 dims", "dimensions"); UNDO(m, 4);
    PATCH(m + 4, 48, 8); expect_error(&b, "row not a multiple of the block", "not a multiple"); UNDO(m + 4, 8);
    PATCH(m + 4, 0, 8); expect_error(&b, "zero dim", "invalid shape"); UNDO(m + 4, 8);
    PATCH(m + 20, 77, 4); expect_error(&b, "unknown tensor type", "unsupported type 77"); UNDO(m + 20, 4);
    PATCH(m + 24, 96, 8); expect_error(&b, "misaligned offset", "not aligned"); UNDO(m + 24, 8);
    PATCH(m + 24, 1 << 20, 8); expect_error(&b, "offset past the end", "runs past the end"); UNDO(m + 24, 8);
    size_t v = find(&b, "vec");
    memcpy(b.p + v, "mat", 3); expect_error(&b, "duplicate", "duplicate tensor"); memcpy(b.p + v, "vec", 3);
    free(b.p);
}

static void test_writer(void) {
    ai_synth_params p;
    ai_synth_defaults(&p);
    p.type = "q4_k_m";
    p.vocab = 400;
    const char *path = "/tmp/aw_test_gguf.gguf";
    char err[256];
    CHECK(ai_synth(&p, path, err, sizeof err) == 0, "synth: %s", err);
    ai_gguf *g = ai_gguf_open(path, err, sizeof err);
    CHECK(g != NULL, "open: %s", err);
    if (!g) return;
    uint32_t u;
    CHECK(ai_gguf_get_u32(g, "llama.embedding_length", &u) && u == 256, "embedding_length");
    const ai_gguf_kv *tok = ai_gguf_get_arr(g, "tokenizer.ggml.tokens", AI_GGUF_STRING);
    CHECK(tok && tok->v.arr.n == 400, "tokens array");
    if (tok) { ai_gguf_str s = ai_gguf_arr_str(tok, 3); CHECK(s.len == 6 && !memcmp(s.ptr, "<0x00>", 6), "byte token"); }
    CHECK(ai_gguf_get_arr(g, "tokenizer.ggml.scores", AI_GGUF_F32) && ai_gguf_get_arr(g, "tokenizer.ggml.token_type", AI_GGUF_I32), "scores and types");
    const ai_gguf_tensor *t = ai_gguf_find_tensor(g, "blk.1.ffn_down.weight");
    CHECK(t && t->type == AI_TYPE_Q6_K && t->ne[1] == 256, "q4_k_m keeps ffn_down in Q6_K");
    t = ai_gguf_find_tensor(g, "blk.0.attn_q.weight");
    CHECK(t && t->type == AI_TYPE_Q4_K, "q4_k_m attn_q in Q4_K");
    ai_gguf_close(g);
    CHECK(ai_gguf_open("/nonexistent/x.gguf", err, sizeof err) == NULL && strstr(err, "/nonexistent/x.gguf"), "missing file names the path");
    remove(path);
}

int main(void) {
    test_values(2);
    test_values(3);
    test_corruptions();
    test_writer();
    return check_done("test_gguf");
}
