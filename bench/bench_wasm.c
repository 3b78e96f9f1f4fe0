/*
 * bench_wasm.c — the interpreter harness: loads a workload module through
 * the public API, instantiates it once and calls its exported `run` REPS
 * times, printing the best time in seconds and the checksum:
 * "SECONDS CHECKSUM". Imports (a workload that reached for WASI) are given
 * host functions that trap, so such a workload fails loudly.
 *
 *   bench_wasm FILE.wasm [REPS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "anywhere/compile.h"
#include "anywhere/wasm.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int trap_import(aw_caller *c, uint64_t *slots, void *data) {
    (void)slots;
    return aw_caller_trap(c, "workload called import %s, which the benchmark does not provide", (const char *)data);
}

static uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: bench_wasm FILE.wasm [REPS]\n");
        return 2;
    }
    int reps = argc > 2 ? atoi(argv[2]) : 3;
    if (reps < 1) reps = 1;
    size_t len = 0;
    uint8_t *bytes = read_file(argv[1], &len);
    if (!bytes) {
        perror(argv[1]);
        return 1;
    }
    aw_error err;
    /* AW_TIER=compiled: the LLVM-compiled tier (include/anywhere/compile.h) */
    const char *tier = getenv("AW_TIER");
    aw_load_options lo = {.tier = tier && !strcmp(tier, "compiled") ? AW_TIER_COMPILED : AW_TIER_INTERP};
    aw_module *m = aw_module_load_ex(bytes, len, &lo, &err);
    free(bytes);
    if (!m) {
        fprintf(stderr, "%s: %s\n", argv[1], err.message);
        return 1;
    }
    uint32_t nimports = aw_module_import_count(m);
    aw_extern *imports = calloc(nimports + 1, sizeof *imports);
    aw_func **hosts = calloc(nimports + 1, sizeof *hosts);
    aw_store *s = aw_store_new(NULL);
    for (uint32_t i = 0; i < nimports; i++) {
        const char *mod, *name;
        aw_externtype t;
        aw_module_import(m, i, &mod, &name, &t);
        if (t.kind != AW_EXTERN_FUNC) {
            fprintf(stderr, "%s: cannot provide import %s.%s\n", argv[1], mod, name);
            return 1;
        }
        hosts[i] = aw_func_new_host(t.func.params, t.func.nparams, t.func.results, t.func.nresults, trap_import,
                                    (void *)name, name);
        imports[i] = (aw_extern){.kind = AW_EXTERN_FUNC, .of.func = hosts[i]};
    }
    aw_instance *inst = aw_instantiate(s, m, imports, nimports, &err);
    aw_func *run = inst ? aw_instance_func(inst, "run") : NULL;
    if (!run) {
        fprintf(stderr, "%s: %s\n", argv[1], inst ? "no exported function run" : err.message);
        return 1;
    }
    double best = 1e30;
    uint64_t sum = 0;
    for (int i = 0; i < reps; i++) {
        aw_val result[1];
        double t0 = now();
        if (aw_call(s, run, NULL, 0, result, 1, &err) != AW_OK) {
            fprintf(stderr, "%s: trap: %s\n", argv[1], err.message);
            return 1;
        }
        double t = now() - t0;
        if (t < best) best = t;
        sum = (uint64_t)result[0].of.i64;
    }
    printf("%.6f %llu\n", best, (unsigned long long)sum);
    aw_store_free(s);
    for (uint32_t i = 0; i < nimports; i++) aw_func_free_host(hosts[i]);
    free(hosts);
    free(imports);
    aw_module_release(m);
    return 0;
}
