/*
 * test_runtime.c — the runtime's unit tests: stores and limits, host
 * functions and the caller API, aw_call, linking, memories, tables, globals,
 * segment initialisation, interrupts from another thread, and many
 * instantiations (with and without the copy-on-write memory image).
 *
 * The modules are embedded as bytes; their text is in the comments
 * (compiled with wat2wasm). Prints "N passed, N failed" last.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "anywhere/wasm.h"

#include "check.h"

/*
 * (module
 *   (import "env" "add" (func $add (param i32 i32) (result i32)))
 *   (import "env" "fail" (func $fail))
 *   (import "env" "exit" (func $exit (param i32)))
 *   (memory (export "mem") 1 4)
 *   (global $g (export "g") (mut i32) (i32.const 7))
 *   (table (export "tab") 2 funcref)
 *   (elem (i32.const 0) $twice)
 *   (data (i32.const 16) "hello")
 *   (func $twice (export "twice") (param i32) (result i32)
 *     (call $add (local.get 0) (local.get 0)))
 *   (func (export "fail") (call $fail))
 *   (func (export "exit") (param i32) (call $exit (local.get 0)))
 *   (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
 *   (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
 *   (func (export "store") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
 *   (func (export "spin") (loop $l (br $l)))
 *   (func (export "types") (param i64 f32 f64) (result f64 f32 i64)
 *     (local.get 2) (local.get 1) (local.get 0)))
 *
 * (module
 *   (import "env" "tab" (table 4 funcref))
 *   (import "env" "mem" (memory 1))
 *   (func $f (result i32) (i32.const 99))
 *   (elem (i32.const 1) $f)
 *   (data (i32.const 0) "ab")
 *   (data (i32.const 65535) "xy"))          ;; traps: out of bounds
 *
 * (module                                    ;; + a data section added by data_module()
 *   (memory (export "mem") 2)
 *   (global $g (export "started") (mut i32) (i32.const 0))
 *   (global (export "k") i64 (i64.const -5))
 *   (func $start (global.set $g (i32.add (global.get $g) (i32.load (i32.const 8)))))
 *   (start $start))
 */
static const uint8_t host_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x21, 0x06, 0x60, 0x02, 0x7f, 0x7f, 0x01,
    0x7f, 0x60, 0x00, 0x00, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x02, 0x7f,
    0x7f, 0x00, 0x60, 0x03, 0x7e, 0x7d, 0x7c, 0x03, 0x7c, 0x7d, 0x7e, 0x02, 0x21, 0x03, 0x03, 0x65,
    0x6e, 0x76, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00, 0x03, 0x65, 0x6e, 0x76, 0x04, 0x66, 0x61, 0x69,
    0x6c, 0x00, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x04, 0x65, 0x78, 0x69, 0x74, 0x00, 0x02, 0x03, 0x09,
    0x08, 0x03, 0x01, 0x02, 0x03, 0x03, 0x04, 0x01, 0x05, 0x04, 0x04, 0x01, 0x70, 0x00, 0x02, 0x05,
    0x04, 0x01, 0x01, 0x01, 0x04, 0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x07, 0x0b, 0x07, 0x4c, 0x0b,
    0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x01, 0x67, 0x03, 0x00, 0x03, 0x74, 0x61, 0x62, 0x01, 0x00,
    0x05, 0x74, 0x77, 0x69, 0x63, 0x65, 0x00, 0x03, 0x04, 0x66, 0x61, 0x69, 0x6c, 0x00, 0x04, 0x04,
    0x65, 0x78, 0x69, 0x74, 0x00, 0x05, 0x04, 0x67, 0x72, 0x6f, 0x77, 0x00, 0x06, 0x04, 0x6c, 0x6f,
    0x61, 0x64, 0x00, 0x07, 0x05, 0x73, 0x74, 0x6f, 0x72, 0x65, 0x00, 0x08, 0x04, 0x73, 0x70, 0x69,
    0x6e, 0x00, 0x09, 0x05, 0x74, 0x79, 0x70, 0x65, 0x73, 0x00, 0x0a, 0x09, 0x07, 0x01, 0x00, 0x41,
    0x00, 0x0b, 0x01, 0x03, 0x0a, 0x40, 0x08, 0x08, 0x00, 0x20, 0x00, 0x20, 0x00, 0x10, 0x00, 0x0b,
    0x04, 0x00, 0x10, 0x01, 0x0b, 0x06, 0x00, 0x20, 0x00, 0x10, 0x02, 0x0b, 0x06, 0x00, 0x20, 0x00,
    0x40, 0x00, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x2d, 0x00, 0x00, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x20,
    0x01, 0x3a, 0x00, 0x00, 0x0b, 0x07, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b, 0x08, 0x00, 0x20,
    0x02, 0x20, 0x01, 0x20, 0x00, 0x0b, 0x0b, 0x0b, 0x01, 0x00, 0x41, 0x10, 0x0b, 0x05, 0x68, 0x65,
    0x6c, 0x6c, 0x6f,
};
static const uint8_t link_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, 0x02,
    0x18, 0x02, 0x03, 0x65, 0x6e, 0x76, 0x03, 0x74, 0x61, 0x62, 0x01, 0x70, 0x00, 0x04, 0x03, 0x65,
    0x6e, 0x76, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x01, 0x03, 0x02, 0x01, 0x00, 0x09, 0x07, 0x01,
    0x00, 0x41, 0x01, 0x0b, 0x01, 0x00, 0x0a, 0x07, 0x01, 0x05, 0x00, 0x41, 0xe3, 0x00, 0x0b, 0x0b,
    0x11, 0x02, 0x00, 0x41, 0x00, 0x0b, 0x02, 0x61, 0x62, 0x00, 0x41, 0xff, 0xff, 0x03, 0x0b, 0x02,
    0x78, 0x79,
};
static const uint8_t start_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02,
    0x01, 0x00, 0x05, 0x03, 0x01, 0x00, 0x02, 0x06, 0x0b, 0x02, 0x7f, 0x01, 0x41, 0x00, 0x0b, 0x7e,
    0x00, 0x42, 0x7b, 0x0b, 0x07, 0x15, 0x03, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x07, 0x73, 0x74,
    0x61, 0x72, 0x74, 0x65, 0x64, 0x03, 0x00, 0x01, 0x6b, 0x03, 0x01, 0x08, 0x01, 0x00, 0x0a, 0x0e,
    0x01, 0x0c, 0x00, 0x23, 0x00, 0x41, 0x08, 0x28, 0x02, 0x00, 0x6a, 0x24, 0x00, 0x0b,
};

/* ---- helpers ---------------------------------------------------------- */

static aw_module *load(const uint8_t *bytes, size_t len) {
    aw_error err;
    aw_module *m = aw_module_load(bytes, len, &err);
    if (!m) printf("load failed: %s\n", err.message);
    return m;
}

static void put_uleb(uint8_t **p, uint64_t v) {
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        *(*p)++ = b | (v ? 0x80 : 0);
    } while (v);
}

static void put_sleb(uint8_t **p, int64_t v) {
    for (;;) {
        uint8_t b = v & 0x7f;
        v >>= 7;
        bool done = (v == 0 && !(b & 0x40)) || (v == -1 && (b & 0x40));
        *(*p)++ = b | (done ? 0 : 0x80);
        if (done) return;
    }
}

/* start_wasm plus a data section: `big` bytes at 0 (a pattern, with the
 * i32 5 at address 8, which the start function adds to "started"), and
 * "tail" at 70000. */
static uint8_t *data_module(uint32_t big, size_t *len) {
    uint8_t *out = malloc(sizeof start_wasm + big + 64), *p = out;
    memcpy(p, start_wasm, sizeof start_wasm);
    p += sizeof start_wasm;
    uint8_t body[32], *q = body;
    *p++ = 11;
    uint8_t *seg = malloc(big + 64), *s = seg;
    put_uleb(&s, 2);
    *s++ = 0, *s++ = 0x41, put_sleb(&s, 0), *s++ = 0x0b, put_uleb(&s, big);
    for (uint32_t i = 0; i < big; i++) *s++ = (uint8_t)(i * 7 + 1);
    if (big >= 12) memcpy(s - big + 8, "\x05\0\0\0", 4);
    *s++ = 0, *s++ = 0x41, put_sleb(&s, 70000), *s++ = 0x0b, put_uleb(&s, 4);
    memcpy(s, "tail", 4), s += 4;
    put_uleb(&q, (uint64_t)(s - seg));
    memcpy(p, body, (size_t)(q - body)), p += q - body;
    memcpy(p, seg, (size_t)(s - seg)), p += s - seg;
    free(seg);
    *len = (size_t)(p - out);
    return out;
}

/* ---- host functions --------------------------------------------------- */

/* The instance that last called host_add (NULL when the embedder did). */
static aw_instance *last_caller;

static int host_add(aw_caller *c, uint64_t *slots, void *data) {
    int *calls = data;
    (*calls)++;
    last_caller = aw_caller_instance(c);
    if (!aw_caller_store(c) || (last_caller && !aw_caller_memory(c)))
        return aw_caller_trap(c, "caller API returned NULL");
    slots[0] = (uint32_t)((uint32_t)slots[0] + (uint32_t)slots[1]);
    return 0;
}

static int host_fail(aw_caller *c, uint64_t *slots, void *data) {
    (void)slots, (void)data;
    return aw_caller_trap(c, "boom %d", 42);
}

static int host_exit(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    return aw_caller_exit(c, (int32_t)slots[0]);
}

typedef struct host_env {
    aw_func *add, *fail, *exit;
    int calls;
} host_env;

static void host_env_init(host_env *h) {
    static const aw_valtype ii[2] = {AW_I32, AW_I32}, i[1] = {AW_I32};
    h->calls = 0;
    h->add = aw_func_new_host(ii, 2, i, 1, host_add, &h->calls, "add");
    h->fail = aw_func_new_host(NULL, 0, NULL, 0, host_fail, NULL, "fail");
    h->exit = aw_func_new_host(i, 1, NULL, 0, host_exit, NULL, NULL);
}

static void host_env_free(host_env *h) {
    aw_func_free_host(h->add);
    aw_func_free_host(h->fail);
    aw_func_free_host(h->exit);
}

static aw_instance *host_instance(aw_store *s, aw_module *m, host_env *h) {
    aw_extern imports[3] = {
        {AW_EXTERN_FUNC, {.func = h->add}},
        {AW_EXTERN_FUNC, {.func = h->fail}},
        {AW_EXTERN_FUNC, {.func = h->exit}},
    };
    aw_error err;
    aw_instance *inst = aw_instantiate(s, m, imports, 3, &err);
    if (!inst) printf("instantiate failed: %s\n", err.message);
    return inst;
}

static aw_errkind call1(aw_store *s, aw_instance *inst, const char *name, aw_val *args, size_t n,
                        aw_val *res, aw_error *err) {
    aw_func *f = aw_instance_func(inst, name);
    if (!f) return AW_ERR_LINK;
    return aw_call(s, f, args, n, res, 4, err);
}

/* ---- tests ------------------------------------------------------------ */

static void test_trap_messages(void) {
    CHECK(!strcmp(aw_trap_message(AW_TRAP_DIV_ZERO), "integer divide by zero"));
    CHECK(!strcmp(aw_trap_message(AW_TRAP_MEMORY_OOB), "out of bounds memory access"));
    CHECK(!strcmp(aw_trap_message(AW_TRAP_INDIRECT_TYPE), "indirect call type mismatch"));
    CHECK(!strcmp(aw_trap_message(AW_TRAP_STACK_EXHAUSTED), "call stack exhausted"));
    CHECK(aw_trap_message((aw_trapkind)999) != NULL);
}

static void test_store(void) {
    aw_store *s = aw_store_new(NULL);
    CHECK(s != NULL);
    int x;
    aw_store_set_user_data(s, &x);
    CHECK(aw_store_user_data(s) == &x);
    CHECK(aw_store_fuel(s) == UINT64_MAX);
    aw_store_set_fuel(s, 100);
    CHECK(aw_store_fuel(s) == 100);
    aw_store_set_fuel(s, 0);
    CHECK(aw_store_fuel(s) == UINT64_MAX);
    aw_store_set_timeout(s, 1000000000); /* freed while watched */
    aw_store_free(s);
    aw_store_free(NULL);
}

static void test_host(aw_module *m) {
    host_env h;
    host_env_init(&h);
    aw_store *s = aw_store_new(NULL);
    aw_instance *inst = host_instance(s, m, &h);
    CHECK(inst != NULL);
    if (!inst) goto out;
    aw_error err;
    aw_val a[3], r[4];
    a[0] = AW_I32_VAL(21);
    CHECK(call1(s, inst, "twice", a, 1, r, &err) == AW_OK && r[0].type == AW_I32 && r[0].of.i32 == 42);
    CHECK(h.calls == 1 && last_caller == inst);
    CHECK(call1(s, inst, "fail", NULL, 0, r, &err) == AW_ERR_TRAP);
    CHECK(err.kind == AW_ERR_TRAP && err.trap == AW_TRAP_HOST && !strcmp(err.message, "boom 42"));
    a[0] = AW_I32_VAL(3);
    CHECK(call1(s, inst, "exit", a, 1, r, &err) == AW_ERR_EXIT && err.exit_code == 3);
    /* the store still works after a trap and an exit */
    a[0] = AW_I32_VAL(-4);
    CHECK(call1(s, inst, "twice", a, 1, r, &err) == AW_OK && r[0].of.i32 == -8);

    a[0] = AW_I64_VAL(-1234567890123LL), a[1] = AW_F32_VAL(1.5f), a[2] = AW_F64_VAL(-2.25);
    CHECK(call1(s, inst, "types", a, 3, r, &err) == AW_OK);
    CHECK(r[0].type == AW_F64 && r[0].of.f64 == -2.25);
    CHECK(r[1].type == AW_F32 && r[1].of.f32 == 1.5f);
    CHECK(r[2].type == AW_I64 && r[2].of.i64 == -1234567890123LL);

    /* arity and type checks */
    CHECK(call1(s, inst, "twice", a, 0, r, &err) == AW_ERR_INVALID);
    a[0] = AW_I64_VAL(1);
    CHECK(call1(s, inst, "twice", a, 1, r, &err) == AW_ERR_INVALID);
    aw_func *twice = aw_instance_func(inst, "twice");
    a[0] = AW_I32_VAL(1);
    CHECK(aw_call(s, twice, a, 1, r, 0, &err) == AW_ERR_INVALID);

    /* exports and their types */
    CHECK(twice && aw_func_name(twice) && !strcmp(aw_func_name(twice), "twice"));
    aw_functype ft = aw_func_type(twice);
    CHECK(ft.nparams == 1 && ft.nresults == 1 && ft.params[0] == AW_I32 && ft.results[0] == AW_I32);
    CHECK(aw_instance_func(inst, "nope") == NULL);
    CHECK(aw_instance_func(inst, "mem") == NULL);
    CHECK(aw_instance_memory(inst, "mem") != NULL);
    CHECK(aw_instance_module(inst) == m);
    aw_extern e;
    CHECK(aw_instance_export(inst, "g", &e) && e.kind == AW_EXTERN_GLOBAL);
    CHECK(aw_instance_export_n(inst, "twice!", 5, &e) && e.of.func == twice);
    CHECK(!aw_instance_export_n(inst, "twice", 4, &e));

    /* globals */
    aw_global *g = aw_instance_global(inst, "g");
    bool mut = false;
    CHECK(g && aw_global_type(g, &mut) == AW_I32 && mut);
    CHECK(g && aw_global_get(g).of.i32 == 7);
    CHECK(g && aw_global_set(g, AW_I32_VAL(8)) && aw_global_get(g).of.i32 == 8);
    CHECK(g && !aw_global_set(g, AW_I64_VAL(8)));

    /* the table: elem put twice at 0 */
    aw_table *t = aw_instance_table(inst, "tab");
    aw_val v;
    CHECK(t && aw_table_size(t) == 2);
    CHECK(t && aw_table_get(t, 0, &v) && v.type == AW_FUNCREF && v.of.funcref == twice);
    CHECK(t && aw_table_get(t, 1, &v) && v.of.funcref == NULL);
    CHECK(t && !aw_table_get(t, 2, &v));
    CHECK(t && aw_table_set(t, 1, (aw_val){.type = AW_FUNCREF, .of.funcref = h.add}));
    CHECK(t && !aw_table_set(t, 1, (aw_val){.type = AW_EXTERNREF, .of.externref = 1}));
    a[0] = AW_I32_VAL(5), a[1] = AW_I32_VAL(6);
    CHECK(t && aw_table_get(t, 1, &v) && aw_call(s, v.of.funcref, a, 2, r, 1, &err) == AW_OK &&
          r[0].of.i32 == 11);
    CHECK(last_caller == NULL);

    /* memory: data at 16, loads and stores both ways */
    aw_memory *mem = aw_instance_memory(inst, "mem");
    CHECK(mem && aw_memory_pages(mem) == 1 && aw_memory_size(mem) == 65536);
    CHECK(mem && !memcmp(aw_memory_data(mem) + 16, "hello", 5));
    a[0] = AW_I32_VAL(17);
    CHECK(call1(s, inst, "load", a, 1, r, &err) == AW_OK && r[0].of.i32 == 'e');
    a[0] = AW_I32_VAL(100), a[1] = AW_I32_VAL(0x1ab);
    CHECK(call1(s, inst, "store", a, 2, r, &err) == AW_OK && mem && aw_memory_data(mem)[100] == 0xab);
    a[0] = AW_I32_VAL(65536);
    CHECK(call1(s, inst, "load", a, 1, r, &err) == AW_ERR_TRAP && err.trap == AW_TRAP_MEMORY_OOB);
    a[0] = AW_I32_VAL(1);
    CHECK(call1(s, inst, "grow", a, 1, r, &err) == AW_OK && r[0].of.i32 == 1);
    a[0] = AW_I32_VAL(65536);
    CHECK(call1(s, inst, "load", a, 1, r, &err) == AW_OK && r[0].of.i32 == 0);
    a[0] = AW_I32_VAL(3); /* max is 4 */
    CHECK(call1(s, inst, "grow", a, 1, r, &err) == AW_OK && r[0].of.i32 == -1);
    a[0] = AW_I32_VAL(2);
    CHECK(call1(s, inst, "grow", a, 1, r, &err) == AW_OK && r[0].of.i32 == 2);
out:
    aw_store_free(s);
    host_env_free(&h);
}

/* A memory bomb stops at the store's cap; growth just fails. */
static void test_memory_cap(aw_module *m) {
    host_env h;
    host_env_init(&h);
    aw_store_config cfg = {.max_memory_pages = 2};
    aw_store *s = aw_store_new(&cfg);
    aw_instance *inst = host_instance(s, m, &h);
    CHECK(inst != NULL);
    aw_error err;
    aw_val a[1], r[4];
    if (inst) {
        a[0] = AW_I32_VAL(1);
        CHECK(call1(s, inst, "grow", a, 1, r, &err) == AW_OK && r[0].of.i32 == 1);
        CHECK(call1(s, inst, "grow", a, 1, r, &err) == AW_OK && r[0].of.i32 == -1);
        a[0] = AW_I32_VAL(-1);
        CHECK(call1(s, inst, "grow", a, 1, r, &err) == AW_OK && r[0].of.i32 == -1);
    }
    /* a module whose memory starts over the cap does not instantiate */
    aw_store_config tiny = {.max_memory_pages = 1};
    aw_store *s1 = aw_store_new(&tiny);
    size_t len;
    uint8_t *bytes = data_module(16, &len);
    aw_module *dm = load(bytes, len);
    free(bytes);
    CHECK(dm && !aw_instantiate(s1, dm, NULL, 0, &err) && err.kind == AW_ERR_RESOURCE &&
          strstr(err.message, "cap"));
    aw_store_free(s1);
    if (dm) aw_module_release(dm);
    /* embedder-made memories obey the cap and their own max */
    CHECK(aw_memory_new(s, (aw_limits){3, UINT32_MAX}) == NULL);
    aw_memory *mem = aw_memory_new(s, (aw_limits){0, 1});
    CHECK(mem && aw_memory_grow(mem, 2) == -1 && aw_memory_grow(mem, 1) == 0);
    CHECK(mem && aw_memory_grow(mem, 1) == -1 && aw_memory_pages(mem) == 1);
    aw_store_free(s);

    s = aw_store_new(NULL);
    mem = aw_memory_new(s, (aw_limits){1, UINT32_MAX});
    CHECK(mem && aw_memory_grow(mem, 0) == 1);
    CHECK(mem && aw_memory_grow(mem, 65536) == -1);
    CHECK(mem && aw_memory_grow(mem, 65535) == 1 && aw_memory_size(mem) == 65536ull * 65536);
    if (mem) aw_memory_data(mem)[aw_memory_size(mem) - 1] = 1;
    CHECK(mem && aw_memory_grow(mem, 1) == -1);
    aw_store_free(s);
    host_env_free(&h);
}

static void test_tables_globals(void) {
    aw_store *s = aw_store_new(NULL);
    aw_table *t = aw_table_new(s, AW_EXTERNREF, (aw_limits){3, 10});
    aw_val v;
    CHECK(t && aw_table_size(t) == 3);
    CHECK(t && aw_table_set(t, 2, (aw_val){.type = AW_EXTERNREF, .of.externref = 1234}));
    CHECK(t && aw_table_get(t, 2, &v) && v.type == AW_EXTERNREF && v.of.externref == 1234);
    CHECK(t && !aw_table_set(t, 3, (aw_val){.type = AW_EXTERNREF, .of.externref = 1}));
    CHECK(aw_table_new(s, AW_I32, (aw_limits){1, 1}) == NULL);

    aw_global *g = aw_global_new(s, AW_F64_VAL(1.5), true);
    bool mut = false;
    CHECK(g && aw_global_type(g, &mut) == AW_F64 && mut && aw_global_get(g).of.f64 == 1.5);
    CHECK(g && aw_global_set(g, AW_F64_VAL(2.5)) && aw_global_get(g).of.f64 == 2.5);
    aw_global *k = aw_global_new(s, AW_I64_VAL(-3), false);
    CHECK(k && !aw_global_set(k, AW_I64_VAL(1)) && aw_global_get(k).of.i64 == -3);
    aw_val v128 = {.type = AW_V128};
    for (int i = 0; i < 16; i++) v128.of.v128[i] = (uint8_t)i;
    aw_global *vg = aw_global_new(s, v128, false);
    CHECK(vg && !memcmp(aw_global_get(vg).of.v128, v128.of.v128, 16));
    aw_store_free(s);
}

/* Import checks, and the partial effects of an instantiation that traps. */
static void test_link(aw_module *host_m) {
    aw_module *m = load(link_wasm, sizeof link_wasm);
    CHECK(m != NULL);
    if (!m) return;
    aw_store *s = aw_store_new(NULL);
    aw_error err;
    aw_table *small = aw_table_new(s, AW_FUNCREF, (aw_limits){3, UINT32_MAX});
    aw_table *tab = aw_table_new(s, AW_FUNCREF, (aw_limits){4, 8});
    aw_table *ext = aw_table_new(s, AW_EXTERNREF, (aw_limits){4, 8});
    aw_memory *mem = aw_memory_new(s, (aw_limits){1, 2});
    aw_extern imports[2] = {{AW_EXTERN_TABLE, {.table = tab}}, {AW_EXTERN_MEMORY, {.memory = mem}}};

    CHECK(aw_instantiate(s, m, imports, 1, &err) == NULL && err.kind == AW_ERR_LINK &&
          strstr(err.message, "unknown import"));
    imports[0].of.table = small;
    CHECK(aw_instantiate(s, m, imports, 2, &err) == NULL && err.kind == AW_ERR_LINK &&
          strstr(err.message, "incompatible import type"));
    imports[0].of.table = ext;
    CHECK(aw_instantiate(s, m, imports, 2, &err) == NULL && err.kind == AW_ERR_LINK);
    imports[0] = (aw_extern){AW_EXTERN_MEMORY, {.memory = mem}};
    CHECK(aw_instantiate(s, m, imports, 2, &err) == NULL && err.kind == AW_ERR_LINK);
    imports[0] = (aw_extern){AW_EXTERN_TABLE, {.table = NULL}};
    CHECK(aw_instantiate(s, m, imports, 2, &err) == NULL && err.kind == AW_ERR_LINK &&
          strstr(err.message, "unknown import"));

    /* right types: the elem segment and the first data segment land, the
     * second traps, and what landed stays */
    imports[0].of.table = tab;
    CHECK(aw_instantiate(s, m, imports, 2, &err) == NULL && err.kind == AW_ERR_TRAP &&
          err.trap == AW_TRAP_MEMORY_OOB);
    aw_val v, r[1];
    CHECK(aw_table_get(tab, 1, &v) && v.of.funcref != NULL);
    CHECK(v.of.funcref && aw_call(s, v.of.funcref, NULL, 0, r, 1, &err) == AW_OK && r[0].of.i32 == 99);
    CHECK(!memcmp(aw_memory_data(mem), "ab", 2));

    /* a host function's type must match exactly */
    host_env h;
    host_env_init(&h);
    aw_extern wrong[3] = {{AW_EXTERN_FUNC, {.func = h.exit}},
                          {AW_EXTERN_FUNC, {.func = h.fail}},
                          {AW_EXTERN_FUNC, {.func = h.exit}}};
    CHECK(aw_instantiate(s, host_m, wrong, 3, &err) == NULL && err.kind == AW_ERR_LINK);
    aw_store_free(s);
    host_env_free(&h);
    aw_module_release(m);
}

typedef struct spin_job {
    aw_store *s;
    unsigned delay_ms;
} spin_job;

static void *interrupter(void *arg) {
    spin_job *j = arg;
    usleep(j->delay_ms * 1000);
    aw_store_interrupt(j->s);
    return NULL;
}

static double ms_since(const struct timespec *t0) {
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1e3 + (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static void test_limits(aw_module *m) {
    host_env h;
    host_env_init(&h);
    aw_error err;
    aw_val a[1], r[4];

    /* interrupt from another thread */
    aw_store *s = aw_store_new(NULL);
    aw_instance *inst = host_instance(s, m, &h);
    pthread_t t;
    spin_job job = {s, 20};
    pthread_create(&t, NULL, interrupter, &job);
    CHECK(inst && call1(s, inst, "spin", NULL, 0, r, &err) == AW_ERR_TRAP &&
          err.trap == AW_TRAP_INTERRUPTED);
    pthread_join(t, NULL);
    aw_store_free(s);

    /* a deadline, then re-armed */
    s = aw_store_new(NULL);
    inst = host_instance(s, m, &h);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    aw_store_set_timeout(s, 30 * 1000000ull);
    CHECK(inst && call1(s, inst, "spin", NULL, 0, r, &err) == AW_ERR_TRAP &&
          err.trap == AW_TRAP_INTERRUPTED);
    double ms = ms_since(&t0);
    CHECK(ms >= 29 && ms < 2000);
    aw_store_set_timeout(s, 0);
    a[0] = AW_I32_VAL(2);
    CHECK(inst && call1(s, inst, "twice", a, 1, r, &err) == AW_OK && r[0].of.i32 == 4);
    aw_store_set_timeout(s, 10 * 1000000ull);
    CHECK(inst && call1(s, inst, "spin", NULL, 0, r, &err) == AW_ERR_TRAP &&
          err.trap == AW_TRAP_INTERRUPTED);
    aw_store_free(s);

    /* deadlines still work in a child after fork (the thread does not
     * survive fork; a new one starts) */
    pid_t pid = fork();
    if (pid == 0) {
        alarm(10); /* a child whose deadline never fires dies here */
        aw_store *cs = aw_store_new(NULL);
        aw_instance *ci = host_instance(cs, m, &h);
        aw_store_set_timeout(cs, 10 * 1000000ull);
        bool ok = ci && call1(cs, ci, "spin", NULL, 0, r, &err) == AW_ERR_TRAP &&
                  err.trap == AW_TRAP_INTERRUPTED;
        _exit(ok ? 0 : 1);
    }
    int status = -1;
    waitpid(pid, &status, 0);
    CHECK(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* fuel */
    aw_store_config cfg = {.fuel = 100000};
    s = aw_store_new(&cfg);
    inst = host_instance(s, m, &h);
    CHECK(aw_store_fuel(s) <= 100000);
    CHECK(inst && call1(s, inst, "spin", NULL, 0, r, &err) == AW_ERR_TRAP &&
          err.trap == AW_TRAP_OUT_OF_FUEL);
    CHECK(aw_store_fuel(s) == 0);
    aw_store_set_fuel(s, 1000);
    a[0] = AW_I32_VAL(2);
    CHECK(inst && call1(s, inst, "twice", a, 1, r, &err) == AW_OK && r[0].of.i32 == 4);
    CHECK(aw_store_fuel(s) < 1000 && aw_store_fuel(s) > 0);
    aw_store_free(s);
    host_env_free(&h);
}

/* The start function runs per instance; each instance has its own memory
 * (copy-on-write from the image when the data is big enough). */
static void check_data_instance(aw_store *s, aw_module *m, uint32_t big, bool fresh) {
    aw_error err;
    aw_instance *inst = aw_instantiate(s, m, NULL, 0, &err);
    CHECK(inst != NULL);
    if (!inst) {
        printf("  %s\n", err.message);
        return;
    }
    aw_global *g = aw_instance_global(inst, "started");
    CHECK(g && aw_global_get(g).of.i32 == 5);
    aw_global *k = aw_instance_global(inst, "k");
    CHECK(k && aw_global_get(k).of.i64 == -5);
    aw_memory *mem = aw_instance_memory(inst, "mem");
    uint8_t *d = mem ? aw_memory_data(mem) : NULL;
    CHECK(d && aw_memory_pages(mem) == 2);
    if (!d) return;
    bool same = true;
    for (uint32_t i = 0; i < big; i++)
        if (d[i] != (i >= 8 && i < 12 ? (i == 8 ? 5 : 0) : (uint8_t)(i * 7 + 1))) same = false;
    CHECK(same);
    CHECK(!memcmp(d + 70000, "tail", 4) && d[70004] == 0 && d[big] == 0);
    CHECK(!fresh || d[13] == (uint8_t)(13 * 7 + 1));
    d[13] = 0xEE; /* must not show through in the next instance */
    d[131071] = 1;
}

static void test_data_and_start(uint32_t big) {
    size_t len;
    uint8_t *bytes = data_module(big, &len);
    aw_module *m = load(bytes, len);
    free(bytes);
    CHECK(m != NULL);
    if (!m) return;
    aw_store *s = aw_store_new(NULL);
    for (int i = 0; i < 3; i++) check_data_instance(s, m, big, true);
    aw_store_free(s);
    int ok = 0;
    for (int i = 0; i < 2000; i++) {
        s = aw_store_new(NULL);
        aw_error err;
        aw_instance *inst = aw_instantiate(s, m, NULL, 0, &err);
        aw_memory *mem = inst ? aw_instance_memory(inst, "mem") : NULL;
        /* pooled memories come back fresh: contents, size and protection */
        if (mem && aw_memory_data(mem)[13] == (uint8_t)(13 * 7 + 1) && aw_memory_pages(mem) == 2 &&
            aw_memory_data(mem)[70000] == 't' && aw_memory_data(mem)[131071] == 0)
            ok++;
        if (mem) {
            aw_memory_data(mem)[13] = 0;
            aw_memory_data(mem)[70000] = 0;
            aw_memory_data(mem)[131071] = 9;
            if (i % 3 == 0 && aw_memory_grow(mem, 1) == 2) aw_memory_data(mem)[131072] = 1;
        }
        aw_store_free(s);
    }
    CHECK(ok == 2000);
    aw_module_release(m);
}

typedef struct inst_job {
    aw_module *m;
    int ok;
} inst_job;

static void *instantiate_many(void *arg) {
    inst_job *j = arg;
    for (int i = 0; i < 300; i++) {
        aw_store *s = aw_store_new(NULL);
        aw_error err;
        aw_instance *inst = aw_instantiate(s, j->m, NULL, 0, &err);
        aw_global *g = inst ? aw_instance_global(inst, "started") : NULL;
        if (g && aw_global_get(g).of.i32 == 5) j->ok++;
        aw_store_free(s);
    }
    return NULL;
}

/* Fresh modules instantiated from several threads at once: the image is
 * built by whichever thread gets there first. */
static void test_threads(void) {
    for (int round = 0; round < 2; round++) {
        size_t len;
        uint8_t *bytes = data_module(round ? 40000 : 16, &len);
        aw_module *m = load(bytes, len);
        free(bytes);
        CHECK(m != NULL);
        if (!m) return;
        pthread_t t[4];
        inst_job jobs[4];
        for (int i = 0; i < 4; i++) {
            jobs[i] = (inst_job){m, 0};
            pthread_create(&t[i], NULL, instantiate_many, &jobs[i]);
        }
        int ok = 0;
        for (int i = 0; i < 4; i++) {
            pthread_join(t[i], NULL);
            ok += jobs[i].ok;
        }
        CHECK(ok == 1200);
        aw_module_release(m);
    }
}

int main(void) {
    test_trap_messages();
    test_store();
    test_tables_globals();
    aw_module *host_m = load(host_wasm, sizeof host_wasm);
    CHECK(host_m != NULL);
    if (host_m) {
        test_host(host_m);
        test_memory_cap(host_m);
        test_link(host_m);
        test_limits(host_m);
        aw_module_release(host_m);
    }
    test_data_and_start(16);    /* segments copied */
    test_data_and_start(40000); /* copy-on-write image */
    test_threads();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
