/*
 * bench/load.c — how fast a module loads (decode + validate + translate):
 * builds a synthetic module in memory, about 16 MB of code in 17,000
 * functions of mixed integer, float, memory, control and call code, and
 * times aw_module_load on it, best of REPS. Prints MB/s of module bytes,
 * by the wall clock and by the process's CPU time (all threads, kernel
 * time included): on a shared machine the CPU figure is the steadier one
 * for a single-threaded load (AW_LOAD_THREADS=1). Every function is
 * translated at load (AW_TRANSLATE=eager, set here unless given): lazily
 * a load only validates, and this measures the whole work.
 *
 *   load [FUNCTIONS [REPS]]
 *   load -o FILE [FUNCTIONS]     writes the module instead (make bench-compile)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "anywhere/wasm.h"

typedef struct buf {
    uint8_t *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *data, size_t n) {
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p) {
            perror("realloc");
            exit(1);
        }
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
}

static void byte(buf *b, uint8_t x) {
    put(b, &x, 1);
}

static void uleb(buf *b, uint64_t v) {
    do {
        uint8_t x = v & 0x7f;
        v >>= 7;
        byte(b, x | (v ? 0x80 : 0));
    } while (v);
}

static void sleb(buf *b, int64_t v) {
    for (;;) {
        uint8_t x = v & 0x7f;
        v >>= 7; /* arithmetic shift: gcc and clang define it */
        if ((v == 0 && !(x & 0x40)) || (v == -1 && (x & 0x40))) {
            byte(b, x);
            return;
        }
        byte(b, x | 0x80);
    }
}

static void section(buf *m, uint8_t id, const buf *content) {
    byte(m, id);
    uleb(m, content->n);
    put(m, content->p, content->n);
}

/* One stack-neutral piece of code; locals: 0,1 params i32, 2,3 i32, 4 f64. */
static void piece(buf *b, uint32_t k, uint32_t nfuncs, uint32_t self) {
    switch (k % 6) {
    case 0: /* arithmetic */
        put(b, "\x20\x00\x20\x01\x6a\x21\x02", 7);                    /* l2 = l0 + l1 */
        put(b, "\x20\x02\x41", 3), sleb(b, (int32_t)(k * 2654435761u)); /* l0 = l2 * K ^ l1 */
        put(b, "\x6c\x20\x01\x73\x21\x00", 6);
        break;
    case 1: /* a block with a conditional exit */
        put(b, "\x02\x40\x20\x00\x0d\x00\x20\x01\x41\x01\x6a\x21\x01\x0b", 14);
        break;
    case 2: /* a counted loop */
        put(b, "\x03\x40\x20\x03\x41\x01\x6b\x22\x03\x0d\x00\x0b", 12);
        break;
    case 3: /* memory */
        put(b, "\x20\x00\x28\x02\x04\x21\x03", 7);       /* l3 = i32.load offset=4 (l0) */
        put(b, "\x20\x01\x20\x03\x36\x02\x08", 7);       /* i32.store offset=8 l1 l3 */
        break;
    case 4: /* floats */
        put(b, "\x20\x04\x20\x00\xb7\xa0\x44", 7);       /* l4 = l4 + f64(l0) * C */
        double c = 1.0 + k;
        put(b, &c, 8);
        put(b, "\xa2\x21\x04", 3);
        break;
    case 5: /* a call and an if */
        put(b, "\x20\x00\x20\x01\x10", 5), uleb(b, (self + 1 + k) % nfuncs);
        put(b, "\x04\x40\x20\x02\x41\x07\x71\x21\x02\x05\x20\x03\x41\x01\x74\x21\x03\x0b", 18);
        break;
    }
}

static buf build(uint32_t nfuncs, size_t body_bytes) {
    buf m = {0}, s = {0};
    put(&m, "\0asm\1\0\0\0", 8);
    /* type 0: (i32 i32) -> i32 */
    put(&s, "\x01\x60\x02\x7f\x7f\x01\x7f", 7);
    section(&m, 1, &s);
    s.n = 0;
    uleb(&s, nfuncs);
    for (uint32_t i = 0; i < nfuncs; i++) byte(&s, 0);
    section(&m, 3, &s);
    s.n = 0;
    put(&s, "\x01\x00\x01", 3); /* memory 1 */
    section(&m, 5, &s);
    s.n = 0;
    put(&s, "\x01\x03run\x00\x00", 7); /* export func 0 */
    section(&m, 7, &s);
    s.n = 0;
    uleb(&s, nfuncs);
    buf body = {0};
    for (uint32_t i = 0; i < nfuncs; i++) {
        body.n = 0;
        put(&body, "\x02\x02\x7f\x01\x7c", 5); /* locals: 2 i32, 1 f64 */
        for (uint32_t k = i; body.n < body_bytes; k++) piece(&body, k, nfuncs, i);
        put(&body, "\x20\x02\x0b", 3); /* result: l2 */
        uleb(&s, body.n);
        put(&s, body.p, body.n);
    }
    section(&m, 10, &s);
    free(s.p);
    free(body.p);
    return m;
}

static double clock_s(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    setenv("AW_TRANSLATE", "eager", 0);
    if (argc > 2 && !strcmp(argv[1], "-o")) {
        buf m = build(argc > 3 ? (uint32_t)atoi(argv[3]) : 17000, 16u * 1000 * 1000 / 17000);
        FILE *f = fopen(argv[2], "wb");
        if (!f || fwrite(m.p, 1, m.n, f) != m.n || fclose(f) != 0) {
            perror(argv[2]);
            return 1;
        }
        free(m.p);
        return 0;
    }
    uint32_t nfuncs = argc > 1 ? (uint32_t)atoi(argv[1]) : 17000;
    int reps = argc > 2 ? atoi(argv[2]) : 3;
    if (nfuncs < 1 || reps < 1) {
        fprintf(stderr, "usage: load [FUNCTIONS [REPS]]\n");
        return 2;
    }
    buf m = build(nfuncs, 16u * 1000 * 1000 / 17000);
    double best = 1e30, best_cpu = 1e30;
    for (int r = 0; r < reps; r++) {
        aw_error err;
        double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        aw_module *mod = aw_module_load(m.p, m.n, &err);
        double t = clock_s(CLOCK_MONOTONIC) - t0, cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
        if (!mod) {
            fprintf(stderr, "load: the generated module does not load: %s\n", err.message);
            return 1;
        }
        aw_module_release(mod);
        if (t < best) best = t;
        if (cpu < best_cpu) best_cpu = cpu;
    }
    printf("load: %.1f MB, %u functions: %.3f s, %.0f MB/s (CPU time %.3f s, %.0f MB/s)\n", (double)m.n / 1e6,
           nfuncs, best, (double)m.n / 1e6 / best, best_cpu, (double)m.n / 1e6 / best_cpu);
    free(m.p);
    return 0;
}
