/*
 * test_tierup.c — AW_TIER_AUTO through the embedding API (src/wasm/tierup.c):
 * an instance starts interpreted and switches to compiled code at a call;
 * instances made afterwards start compiled; a store with a fuel limit
 * stays interpreted; results and traps are those of the interpreter; a
 * module freed while its compilation runs waits for it. The switch is
 * made deterministic with AW_TIER_SYNC (read when a module is loaded).
 * Without the compiled tier, AW_TIER_AUTO must simply be the interpreter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "anywhere/compile.h"
#include "anywhere/wasm.h"
#include "wasm/runtime.h"

static int passed, failed;
#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (c) passed++;                                                                           \
        else {                                                                                     \
            failed++;                                                                              \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c);                          \
        }                                                                                          \
    } while (0)

#include "lcg_module.h"

static aw_module *load(aw_tier tier) {
    aw_error err;
    aw_load_options o = {.tier = tier};
    aw_module *m = aw_module_load_ex(mod, sizeof mod, &o, &err);
    if (!m) fprintf(stderr, "load: %s\n", err.message);
    return m;
}

/* run(n) in a new instance of m in s; the instance through *out. */
static int32_t run(aw_store *s, aw_module *m, int32_t n, aw_instance **out) {
    aw_error err;
    aw_instance *inst = aw_instantiate(s, m, NULL, 0, &err);
    if (out) *out = inst;
    if (!inst) return -1;
    aw_val a[1] = {AW_I32_VAL(n)}, r[1];
    if (aw_call(s, aw_instance_func(inst, "run"), a, 1, r, 1, &err) != AW_OK) return -1;
    return r[0].of.i32;
}

static aw_trapkind divide(aw_store *s, aw_instance *inst, int32_t a, int32_t b) {
    aw_error err;
    aw_val args[2] = {AW_I32_VAL(a), AW_I32_VAL(b)}, r[1];
    if (aw_call(s, aw_instance_func(inst, "div"), args, 2, r, 1, &err) == AW_OK) return AW_TRAP_NONE;
    return err.trap;
}

int main(void) {
    aw_module *mi = load(AW_TIER_INTERP);
    aw_store *si = aw_store_new(NULL);
    const int32_t want = run(si, mi, 20000, NULL);
    CHECK(want != -1);

    if (!aw_compiled_tier_available()) {
        aw_module *m = load(AW_TIER_AUTO);
        aw_store *s = aw_store_new(NULL);
        CHECK(m && run(s, m, 20000, NULL) == want);
        aw_store_free(s);
        aw_module_release(m);
        printf("compiled tier not built: AW_TIER_AUTO checked as the interpreter\n");
        goto done;
    }

    /* Switch mid-instance: the threshold is passed inside run(), whose own
     * frame stays interpreted while its calls of work() go compiled. */
    setenv("AW_TIER_SYNC", "1", 1);
    setenv("AW_TIER_THRESHOLD", "100000", 1);
    aw_module *m = load(AW_TIER_AUTO);
    CHECK(m && aw_module_tier(m) == AW_TIER_AUTO);
    CHECK(m && !aw_module_tier_ready(m));
    aw_store *s1 = aw_store_new(NULL);
    aw_instance *i1 = NULL;
    CHECK(run(s1, m, 20000, &i1) == want);
    CHECK(aw_module_tier_ready(m));
    CHECK(i1 && i1->tier == WASM_TIER_SWITCHED);
    CHECK(i1 && run(s1, m, 20000, NULL) == want); /* again, compiled from the start */
    CHECK(i1 && divide(s1, i1, 7, 0) == AW_TRAP_DIV_ZERO);
    CHECK(i1 && divide(s1, i1, INT32_MIN, -1) == AW_TRAP_INT_OVERFLOW);
    CHECK(i1 && divide(s1, i1, 7, 2) == AW_TRAP_NONE);

    /* A new instance starts compiled; with a fuel limit it stays interpreted. */
    aw_store *s2 = aw_store_new(NULL);
    aw_instance *i2 = NULL;
    CHECK(run(s2, m, 20000, &i2) == want);
    CHECK(i2 && i2->tier == WASM_TIER_SWITCHED);
    aw_store_config fuel = {.fuel = 1000000000};
    aw_store *s3 = aw_store_new(&fuel);
    aw_instance *i3 = NULL;
    CHECK(run(s3, m, 20000, &i3) == want);
    CHECK(i3 && i3->tier == WASM_TIER_INTERP);
    aw_store_free(s1);
    aw_store_free(s2);
    aw_store_free(s3);
    aw_module_release(m);

    /* In the background: compiled from load on; released at once, while it
     * compiles: must wait for it, then nothing is in flight. */
    unsetenv("AW_TIER_SYNC");
    setenv("AW_TIER_THRESHOLD", "0", 1);
    m = load(AW_TIER_AUTO);
    CHECK(m != NULL);
    aw_module_release(m);
    CHECK(!aw_compile_in_flight());

    /* ... and kept: instances run while it compiles; poll until it is
     * ready (no assertion on how long that takes). */
    m = load(AW_TIER_AUTO);
    aw_store *s4 = aw_store_new(NULL);
    bool same = true;
    for (int i = 0; i < 600000 && m && !aw_module_tier_ready(m); i++) {
        same = same && run(s4, m, 200, NULL) == run(si, mi, 200, NULL);
        if (i % 64 == 63) nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    CHECK(same);
    CHECK(m && aw_module_tier_ready(m));
    CHECK(!aw_compile_in_flight());
    aw_instance *i4 = NULL;
    CHECK(run(s4, m, 20000, &i4) == want);
    CHECK(i4 && i4->tier == WASM_TIER_SWITCHED);
    aw_store_free(s4);
    aw_module_release(m);
    unsetenv("AW_TIER_THRESHOLD");

done:
    aw_store_free(si);
    aw_module_release(mi);
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
