/*
 * test_load.c — loading big modules on several threads (bodies.c):
 * the translation is the same as a single-threaded load's, the code runs,
 * and an invalid module reports its lowest-numbered invalid function with
 * the same message a single-threaded load gives, even when a later
 * function fails first in time. AW_LOAD_THREADS picks the thread count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm/interp.h"
#include "wasm/module.h"

#include "check.h"

/* ---- building modules ------------------------------------------------------ */

typedef struct buf {
    uint8_t *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *data, size_t n) {
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p) abort();
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
}

static void uleb(buf *b, uint64_t v) {
    do {
        uint8_t x = v & 0x7f;
        v >>= 7;
        x |= v ? 0x80 : 0;
        put(b, &x, 1);
    } while (v);
}

static void section(buf *m, uint8_t id, const buf *content) {
    put(m, &id, 1);
    uleb(m, content->n);
    put(m, content->p, content->n);
}

/* Stack-neutral code over local 0 (the i32 param) and local 1 (an i32). */
static void piece(buf *b, uint32_t k) {
    /* l0 += 7; block br_if; two blocks and a br_table; if/else */
    static const char *const code[] = {
        "\x20\x00\x41\x07\x6a\x21\x00",
        "\x02\x40\x20\x00\x0d\x00\x0b",
        "\x02\x40\x02\x40\x20\x00\x41\x03\x71\x0e\x02\x00\x01\x00\x0b\x20\x00\x41\x01\x73\x21\x00\x0b",
        "\x20\x00\x04\x40\x20\x00\x41\x05\x6c\x21\x00\x05\x20\x01\x41\x01\x6a\x21\x01\x0b",
    };
    static const size_t len[] = {7, 7, 23, 20};
    put(b, code[k % 4], len[k % 4]);
}

enum { BODY_VALID, BODY_INVALID_FIRST, BODY_INVALID_LAST };

/* A body of about `size` bytes; invalid ones have an i32.add without
 * operands first, or an i32.add of an i32 and an i64 last. */
static void body(buf *s, uint32_t i, size_t size, int kind) {
    buf b = {0};
    put(&b, "\x01\x01\x7f", 3); /* one i32 local */
    if (kind == BODY_INVALID_FIRST) put(&b, "\x6a", 1);
    for (uint32_t k = i; b.n < size; k++) piece(&b, k);
    put(&b, "\x20\x00\x20\x01\x6a", 5); /* l0 + l1 */
    if (kind == BODY_INVALID_LAST) put(&b, "\x42\x00\x6a", 3);
    put(&b, "\x0b", 1);
    uleb(s, b.n);
    put(s, b.p, b.n);
    free(b.p);
}

/* n functions (i32) -> i32, exported as f0 and flast; kinds[i] (or valid
 * when kinds is NULL), sizes[i] bytes (or `size`). */
static buf module(uint32_t n, size_t size, const int *kinds, const size_t *sizes) {
    buf m = {0}, s = {0};
    put(&m, "\0asm\1\0\0\0", 8);
    put(&s, "\x01\x60\x01\x7f\x01\x7f", 6);
    section(&m, 1, &s);
    s.n = 0;
    uleb(&s, n);
    for (uint32_t i = 0; i < n; i++) put(&s, "\x00", 1);
    section(&m, 3, &s);
    s.n = 0;
    put(&s, "\x02\x02" "f0\x00\x00" "\x05" "flast\x00", 13);
    uleb(&s, n - 1);
    section(&m, 7, &s);
    s.n = 0;
    uleb(&s, n);
    for (uint32_t i = 0; i < n; i++) body(&s, i, sizes ? sizes[i] : size, kinds ? kinds[i] : BODY_VALID);
    section(&m, 10, &s);
    free(s.p);
    return m;
}

static aw_module *load(const buf *m, const char *threads, aw_error *err) {
    setenv("AW_LOAD_THREADS", threads, 1);
    return aw_module_load(m->p, m->n, err);
}

/* ---- the same translation ---------------------------------------------------- */

/* Word w of function i of a and b: equal once pointers into each module's
 * own code (branch targets) and function table (calls) are made relative. */
static bool same_word(const aw_module *a, const aw_module *b, uint32_t i, uint32_t w) {
    const wasm_fn *fa = a->funcs[i].code, *fb = b->funcs[i].code;
    const wasm_fn *fns_a = a->funcs[0].code, *fns_b = b->funcs[0].code;
    uint32_t n = a->nfuncs - a->nfunc_imports;
    const wasm_code x = fa->code[w], y = fb->code[w];
    if ((const wasm_code *)x.p >= fa->code && (const wasm_code *)x.p < fa->code + fa->ncode)
        return (const wasm_code *)x.p - fa->code == (const wasm_code *)y.p - fb->code;
    if ((const wasm_fn *)x.p >= fns_a && (const wasm_fn *)x.p < fns_a + n)
        return (const wasm_fn *)x.p - fns_a == (const wasm_fn *)y.p - fns_b;
    return x.u == y.u;
}

static bool same_translation(const aw_module *a, const aw_module *b) {
    if (a->nfuncs != b->nfuncs) return false;
    for (uint32_t i = 0; i < a->nfuncs - a->nfunc_imports; i++) {
        const wasm_fn *fa = a->funcs[i].code, *fb = b->funcs[i].code;
        if (fa->ncode == 0) return false; /* untranslated: nothing compared */
        if (fa->ncode != fb->ncode || fa->ntraps != fb->ntraps || fa->nslots != fb->nslots ||
            fa->entry_fuel != fb->entry_fuel || fa->func_index != fb->func_index)
            return false;
        if (memcmp(fa->traps, fb->traps, fa->ntraps * sizeof *fa->traps) != 0) return false;
        for (uint32_t w = 0; w < fa->ncode; w++)
            if (!same_word(a, b, i, w)) return false;
    }
    return true;
}

static int32_t call(aw_module *m, const char *name, int32_t arg) {
    aw_error err;
    aw_store *s = aw_store_new(NULL);
    aw_instance *inst = aw_instantiate(s, m, NULL, 0, &err);
    int32_t r = -1;
    aw_func *f = inst ? aw_instance_func(inst, name) : NULL;
    aw_val args[1] = {{.type = AW_I32, .of.i32 = arg}}, res[1];
    if (f && aw_call(s, f, args, 1, res, 1, &err) == AW_OK) r = res[0].of.i32;
    aw_store_free(s);
    return r;
}

static void test_valid(void) {
    buf m = module(400, 11000, NULL, NULL); /* 4.4 MB: work for 4 threads */
    aw_error e1, e4;
    aw_module *one = load(&m, "1", &e1), *four = load(&m, "4", &e4);
    CHECK(one != NULL && four != NULL);
    if (!one) printf("  %s\n", e1.message);
    if (one && four) {
        CHECK(same_translation(one, four));
        CHECK(call(one, "f0", 7) == call(four, "f0", 7) && call(four, "f0", 7) != -1);
        CHECK(call(one, "flast", 7) == call(four, "flast", 7) && call(four, "flast", 7) != -1);
    }
    aw_module_release(one);
    aw_module_release(four);
    free(m.p);
}

/* Loads with 1 and with `threads` threads: both fail naming function
 * `want`, with the same message. */
static void expect_first(const buf *m, const char *threads, uint32_t want) {
    aw_error e1, en;
    aw_module *one = load(m, "1", &e1), *many = load(m, threads, &en);
    CHECK(one == NULL && many == NULL);
    CHECK(e1.kind == AW_ERR_INVALID && e1.func_index == want);
    CHECK(en.kind == AW_ERR_INVALID && en.func_index == want);
    CHECK(en.offset == e1.offset && strcmp(en.message, e1.message) == 0);
    CHECK(strstr(en.message, "type mismatch") != NULL);
    if (strcmp(en.message, e1.message) != 0) printf("  1 thread: %s\n  %s threads: %s\n", e1.message, threads, en.message);
    aw_module_release(one);
    aw_module_release(many);
}

static void test_first_error(void) {
    enum { N = 200 };
    int kinds[N];
    size_t sizes[N];
    /* Function 5 is big and fails at its end; every function from 16 on
     * (other threads' batches) fails at its first instruction, long before. */
    for (uint32_t i = 0; i < N; i++) {
        kinds[i] = i < 16 ? BODY_VALID : BODY_INVALID_FIRST;
        sizes[i] = 200;
    }
    kinds[5] = BODY_INVALID_LAST;
    sizes[5] = 4500000;
    buf m = module(N, 0, kinds, sizes);
    expect_first(&m, "4", 5);
    free(m.p);

    /* Two invalid functions in the middle of a valid module. */
    for (uint32_t i = 0; i < N; i++) kinds[i] = BODY_VALID, sizes[i] = 25000;
    kinds[133] = BODY_INVALID_LAST;
    kinds[171] = BODY_INVALID_FIRST;
    m = module(N, 0, kinds, sizes);
    expect_first(&m, "3", 133);
    free(m.p);
}

/* ---- the prologue before the body ------------------------------------------ */

/* f(x) reads three locals (1, 3, 5) before writing them, in three runs:
 * the prologue that zeroes them is longer than the room left in front of
 * the body, which then moves (compile.c's place). h(x) first fills the
 * same frame slots with 99. f's branch and trap site must move with it. */
static void test_long_prologue(void) {
    buf m = {0}, s = {0};
    put(&m, "\0asm\1\0\0\0", 8);
    put(&s, "\x01\x60\x01\x7f\x01\x7f", 6);
    section(&m, 1, &s);
    s.n = 0;
    put(&s, "\x03\x00\x00\x00", 4);
    section(&m, 3, &s);
    s.n = 0;
    put(&s, "\x01\x03run\x00\x00", 7);
    section(&m, 7, &s);
    static const uint8_t run[] = {0x00, 0x20, 0x00, 0x10, 0x01, 0x1a, 0x20, 0x00, 0x10, 0x02, 0x0b};
    static const uint8_t h[] = {0x01, 0x05, 0x7f, 0x41, 0xe3, 0x00, 0x21, 0x01, 0x41, 0xe3, 0x00, 0x21, 0x02,
                                0x41, 0xe3, 0x00, 0x21, 0x03, 0x41, 0xe3, 0x00, 0x21, 0x04, 0x41, 0xe3, 0x00,
                                0x21, 0x05, 0x20, 0x01, 0x0b};
    static const uint8_t f[] = {0x01, 0x05, 0x7f,
                                0x41, 0x05, 0x21, 0x02, 0x41, 0x06, 0x21, 0x04,      /* l2 = 5, l4 = 6 */
                                0x02, 0x40, 0x20, 0x00, 0x41, 0x01, 0x46, 0x0d, 0x00, /* block: x == 1? out */
                                0x41, 0xe8, 0x07, 0x20, 0x00, 0x6d, 0x21, 0x02, 0x0b, /* l2 = 1000 / x */
                                0x20, 0x01, 0x20, 0x03, 0x6a, 0x20, 0x05, 0x6a,       /* l1 + l3 + l5 */
                                0x20, 0x02, 0x6a, 0x20, 0x04, 0x6a, 0x0b};            /* + l2 + l4 */
    s.n = 0;
    put(&s, "\x03", 1);
    uleb(&s, sizeof run), put(&s, run, sizeof run);
    uleb(&s, sizeof h), put(&s, h, sizeof h);
    uleb(&s, sizeof f), put(&s, f, sizeof f);
    section(&m, 10, &s);
    uint64_t div_at = m.n - s.n; /* the code section's content starts here */
    div_at += 1 + 1 + sizeof run + 1 + sizeof h + 1 + 25; /* count, sizes, bodies: f's i32.div_s */
    aw_error err;
    aw_module *mod = load(&m, "1", &err);
    CHECK(mod != NULL);
    if (mod) {
        CHECK(call(mod, "run", 1) == 11);
        CHECK(call(mod, "run", 2) == 506);
        aw_store *st = aw_store_new(NULL);
        aw_instance *inst = aw_instantiate(st, mod, NULL, 0, &err);
        aw_val arg = {.type = AW_I32, .of.i32 = 0}, res;
        CHECK(inst && aw_call(st, aw_instance_func(inst, "run"), &arg, 1, &res, 1, &err) == AW_ERR_TRAP);
        CHECK(err.trap == AW_TRAP_DIV_ZERO && err.func_index == 2 && err.offset == div_at);
        if (err.offset != div_at) printf("  trap at 0x%llx, want 0x%llx: %s\n", (unsigned long long)err.offset,
                                         (unsigned long long)div_at, err.message);
        aw_store_free(st);
    }
    aw_module_release(mod);
    free(m.p);
    free(s.p);
}

int main(void) {
    /* Translate at load (bodies.c): the code of 1 and 4 loading threads is
     * what is compared, and lazily there would be none yet. */
    setenv("AW_TRANSLATE", "eager", 1);
    test_long_prologue();
    test_valid();
    test_first_error();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
