/*
 * bench/aot.c — what ahead-of-time compilation buys (`make bench-aot`):
 *
 *   aot [MODULE.wasm [ITERATIONS]]
 *
 * For MODULE (default: a one-function module built here): the time to load
 * it in the interpreter (aw_module_load), to JIT-compile it
 * (aw_module_load_ex, AW_TIER_COMPILED; the first includes loading the
 * LLVM plugin, reported apart), to compile an artifact, and to load that
 * artifact (aw_module_load_artifact), best of 5 each. Then, on the
 * one-function module, p50 in µs of store + instantiate + one call + store
 * free, interpreted against loaded from an artifact.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "anywhere/compile.h"
#include "anywhere/wasm.h"

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add), memory 1 */
static const uint8_t add_module[] = {
    0, 'a', 's', 'm', 1, 0, 0, 0,
    1, 7, 1, 0x60, 2, 0x7f, 0x7f, 1, 0x7f,
    3, 2, 1, 0,
    5, 3, 1, 0, 1,
    7, 7, 1, 3, 'a', 'd', 'd', 0, 0,
    10, 9, 1, 7, 0, 0x20, 0, 0x20, 1, 0x6a, 0x0b,
};

static uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = n > 0 ? malloc((size_t)n) : NULL;
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void die(const char *what, const aw_error *err) {
    fprintf(stderr, "aot: %s: %s\n", what, err->message);
    exit(1);
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* p50 µs of store + instantiate + add(1, 2) + store free. */
static double instance_cost(aw_module *m, int iters) {
    double *t = malloc((size_t)iters * sizeof *t);
    if (!t) exit(1);
    for (int i = 0; i < iters; i++) {
        aw_error err;
        double t0 = now_us();
        aw_store *s = aw_store_new(NULL);
        aw_instance *inst = aw_instantiate(s, m, NULL, 0, &err);
        if (!inst) die("instantiate", &err);
        aw_val args[2] = {AW_I32_VAL(1), AW_I32_VAL(2)}, res[1];
        if (aw_call(s, aw_instance_func(inst, "add"), args, 2, res, 1, &err) != AW_OK || res[0].of.i32 != 3)
            die("call", &err);
        aw_store_free(s);
        t[i] = now_us() - t0;
    }
    qsort(t, (size_t)iters, sizeof *t, cmp);
    double p50 = t[iters / 2];
    free(t);
    return p50;
}

int main(int argc, char **argv) {
    size_t len = sizeof add_module;
    uint8_t *bytes = argc > 1 ? read_file(argv[1], &len) : (uint8_t *)add_module;
    int iters = argc > 2 ? atoi(argv[2]) : 5000;
    if (!bytes || iters < 1) {
        fprintf(stderr, "usage: aot [MODULE.wasm [ITERATIONS]]\n");
        return 2;
    }
    aw_error err;
    aw_load_options co = {.tier = AW_TIER_COMPILED};
    double best[4] = {1e30, 1e30, 1e30, 1e30}, first_jit = 0;
    uint8_t *art = NULL;
    size_t alen = 0;
    for (int r = 0; r < 5; r++) {
        double t0 = now_us();
        aw_module *m = aw_module_load(bytes, len, &err);
        double t1 = now_us();
        if (!m) die("load", &err);
        aw_module_release(m);
        m = aw_module_load_ex(bytes, len, &co, &err);
        double t2 = now_us();
        if (!m) die("JIT", &err);
        aw_module_release(m);
        free(art);
        if (!aw_compile_artifact(bytes, len, NULL, &art, &alen, &err)) die("compile", &err);
        double t3 = now_us();
        m = aw_module_load_artifact(art, alen, "artifact", &err);
        double t4 = now_us();
        if (!m) die("load artifact", &err);
        aw_module_release(m);
        double d[4] = {t1 - t0, t2 - t1, t3 - t2, t4 - t3};
        if (r == 0) first_jit = d[1];
        for (int k = 0; k < 4; k++)
            if (d[k] < best[k]) best[k] = d[k];
    }
    printf("%s (%zu bytes), best of 5:\n", argc > 1 ? argv[1] : "add module", len);
    printf("  interpreter load     %10.2f ms\n", best[0] / 1e3);
    printf("  JIT compile          %10.2f ms (the first, with loading the plugin: %.2f ms)\n",
           best[1] / 1e3, first_jit / 1e3);
    printf("  compile artifact     %10.2f ms (%zu bytes)\n", best[2] / 1e3, alen);
    printf("  load artifact        %10.2f ms (%.0fx faster than the JIT)\n", best[3] / 1e3,
           best[1] / best[3]);

    aw_module *mi = aw_module_load(add_module, sizeof add_module, &err);
    free(art);
    if (!mi || !aw_compile_artifact(add_module, sizeof add_module, NULL, &art, &alen, &err)) die("add", &err);
    aw_module *ma = aw_module_load_artifact(art, alen, "artifact", &err);
    if (!ma) die("add artifact", &err);
    instance_cost(mi, iters / 10 + 1); /* warm-up */
    double pi = instance_cost(mi, iters), pa = instance_cost(ma, iters);
    printf("store + instantiate + call + free, p50 of %d: interpreter %.2f us, artifact %.2f us\n",
           iters, pi, pa);
    aw_module_release(mi);
    aw_module_release(ma);
    free(art);
    if (argc > 1) free(bytes);
    return 0;
}
