/*
 * test_compiled.c — the LLVM-compiled tier through the public API: calls in
 * both directions with host functions, traps with their kinds, stack
 * exhaustion, deadlines and fuel in loops. Skipped (reported as passed
 * with a note) when the binary is built without LLVM.
 */
#include <stdio.h>
#include <string.h>

#include "anywhere/compile.h"
#include "anywhere/wasm.h"

static int passed, failed;
#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (c) passed++;                                                                           \
        else {                                                                                     \
            failed++;                                                                              \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);                 \
        }                                                                                          \
    } while (0)

/* (import "env" "host" (func (param i32) (result i32))) (memory 1)
 * spin: (loop (br 0)); rec: (call rec); oob: (i32.load (i32.const 70000));
 * viahost: host(x) + 1 */
static const unsigned char mod[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0d, 0x03, 0x60, 0x01, 0x7f, 0x01, 0x7f,
    0x60, 0x00, 0x00, 0x60, 0x00, 0x01, 0x7f, 0x02, 0x0c, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x04, 0x68,
    0x6f, 0x73, 0x74, 0x00, 0x00, 0x03, 0x05, 0x04, 0x01, 0x01, 0x02, 0x00, 0x05, 0x03, 0x01, 0x00,
    0x01, 0x07, 0x1e, 0x04, 0x04, 0x73, 0x70, 0x69, 0x6e, 0x00, 0x01, 0x03, 0x72, 0x65, 0x63, 0x00,
    0x02, 0x03, 0x6f, 0x6f, 0x62, 0x00, 0x03, 0x07, 0x76, 0x69, 0x61, 0x68, 0x6f, 0x73, 0x74, 0x00,
    0x04, 0x0a, 0x22, 0x04, 0x07, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b, 0x04, 0x00, 0x10, 0x02,
    0x0b, 0x09, 0x00, 0x41, 0xf0, 0xa2, 0x04, 0x28, 0x02, 0x00, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x10,
    0x00, 0x41, 0x01, 0x6a, 0x0b};

static int host_double(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    CHECK(aw_caller_memory(c) != NULL); /* the compiled caller's instance */
    slots[0] = (uint32_t)((uint32_t)slots[0] * 2);
    return 0;
}

static aw_errkind call0(aw_store *s, aw_instance *inst, const char *name, aw_error *err) {
    aw_val r[1];
    return aw_call(s, aw_instance_func(inst, name), NULL, 0, r, 1, err);
}

int main(void) {
    if (!aw_compiled_tier_available()) {
        aw_error err;
        aw_load_options o = {.tier = AW_TIER_COMPILED};
        CHECK(aw_module_load_ex(mod, sizeof mod, &o, &err) == NULL);
        CHECK(strstr(err.message, "not built with LLVM") != NULL);
        printf("compiled tier not built: only its error message checked\n");
        printf("%d passed, %d failed\n", passed, failed);
        return failed != 0;
    }
    aw_error err;
    aw_load_options o = {.tier = AW_TIER_COMPILED};
    aw_module *m = aw_module_load_ex(mod, sizeof mod, &o, &err);
    CHECK(m != NULL);
    if (!m) {
        fprintf(stderr, "%s\n", err.message);
        printf("%d passed, %d failed\n", passed, failed);
        return 1;
    }
    CHECK(aw_module_tier(m) == AW_TIER_COMPILED);
    aw_valtype i32 = AW_I32;
    aw_func *h = aw_func_new_host(&i32, 1, &i32, 1, host_double, NULL, "host");
    aw_extern imp = {.kind = AW_EXTERN_FUNC, .of.func = h};
    aw_store *s = aw_store_new(NULL);
    aw_instance *inst = aw_instantiate(s, m, &imp, 1, &err);
    CHECK(inst != NULL);

    /* wasm -> host -> result */
    aw_val arg = AW_I32_VAL(20), res[1];
    CHECK(aw_call(s, aw_instance_func(inst, "viahost"), &arg, 1, res, 1, &err) == AW_OK);
    CHECK(res[0].of.i32 == 41);

    /* traps, and the store keeps working after each */
    CHECK(call0(s, inst, "oob", &err) == AW_ERR_TRAP && err.trap == AW_TRAP_MEMORY_OOB);
    CHECK(aw_call(s, aw_instance_func(inst, "rec"), NULL, 0, res, 0, &err) == AW_ERR_TRAP &&
          err.trap == AW_TRAP_STACK_EXHAUSTED);
    CHECK(aw_call(s, aw_instance_func(inst, "viahost"), &arg, 1, res, 1, &err) == AW_OK);

    /* a loop that never calls is still interruptible and metered */
    aw_store_set_timeout(s, 20 * 1000 * 1000);
    CHECK(aw_call(s, aw_instance_func(inst, "spin"), NULL, 0, res, 0, &err) == AW_ERR_TRAP &&
          err.trap == AW_TRAP_INTERRUPTED);
    aw_store_set_timeout(s, 0);
    aw_store_free(s);

    aw_store_config cfg = {.fuel = 100000};
    s = aw_store_new(&cfg);
    inst = aw_instantiate(s, m, &imp, 1, &err);
    CHECK(aw_call(s, aw_instance_func(inst, "spin"), NULL, 0, res, 0, &err) == AW_ERR_TRAP &&
          err.trap == AW_TRAP_OUT_OF_FUEL);
    aw_store_free(s);
    aw_module_release(m);
    aw_func_free_host(h);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
