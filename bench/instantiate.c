/*
 * bench/instantiate.c — what a fresh instance costs: aw_store_new +
 * aw_instantiate + aw_store_free, as the HTTP host does per request.
 *
 *   make && cc -O2 -Iinclude -Isrc bench/instantiate.c build/libanywhere.a \
 *       -lm -lpthread -o build/bench-instantiate && build/bench-instantiate [iterations]
 *
 * Two modules, built here in memory:
 *   hello      1 page of memory, a 14-byte data segment, 1 exported function
 *   realistic  16 pages (1 MiB), 100 KiB of data in 10 segments, 200
 *              functions, 20 globals, a 200-entry table filled by an
 *              element segment, 200 exports
 * For each it prints p50/p99 in µs of instantiate + teardown, and of the
 * same plus a read of every data page (a request that touches its data pays
 * the copy-on-write faults), against the cost of an empty store alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "anywhere/wasm.h"

/* ---- a tiny module writer ---------------------------------------------- */

typedef struct buf {
    uint8_t *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *data, size_t n) {
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        if (!b->p) abort();
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
}

static void byte(buf *b, uint8_t x) { put(b, &x, 1); }

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
        v >>= 7;
        int done = (v == 0 && !(x & 0x40)) || (v == -1 && (x & 0x40));
        byte(b, x | (done ? 0 : 0x80));
        if (done) return;
    }
}

static void name(buf *b, const char *s) {
    uleb(b, strlen(s));
    put(b, s, strlen(s));
}

static void section(buf *mod, uint8_t id, buf *content) {
    byte(mod, id);
    uleb(mod, content->n);
    put(mod, content->p, content->n);
    content->n = 0;
}

/* nfuncs functions of type [] -> [i32] each returning its index; a memory
 * of `pages`; nglobals mutable i32 globals; a table holding every function;
 * nsegs data segments of seg_bytes each, spread over the memory. */
static buf build(uint32_t nfuncs, uint32_t pages, uint32_t nglobals, uint32_t nsegs,
                 uint32_t seg_bytes) {
    buf m = {0}, s = {0};
    put(&m, "\0asm\1\0\0\0", 8);
    uleb(&s, 1), byte(&s, 0x60), uleb(&s, 0), uleb(&s, 1), byte(&s, 0x7f);
    section(&m, 1, &s);
    uleb(&s, nfuncs);
    for (uint32_t i = 0; i < nfuncs; i++) uleb(&s, 0);
    section(&m, 3, &s);
    uleb(&s, 1), byte(&s, 0x70), byte(&s, 0), uleb(&s, nfuncs);
    section(&m, 4, &s);
    uleb(&s, 1), byte(&s, 0), uleb(&s, pages);
    section(&m, 5, &s);
    uleb(&s, nglobals);
    for (uint32_t i = 0; i < nglobals; i++)
        byte(&s, 0x7f), byte(&s, 1), byte(&s, 0x41), sleb(&s, i * 3), byte(&s, 0x0b);
    section(&m, 6, &s);
    uleb(&s, nfuncs + 1);
    name(&s, "mem"), byte(&s, 0x02), uleb(&s, 0);
    for (uint32_t i = 0; i < nfuncs; i++) {
        char n[16] = "run";
        if (i) snprintf(n, sizeof n, "f%u", i);
        name(&s, n), byte(&s, 0), uleb(&s, i);
    }
    section(&m, 7, &s);
    uleb(&s, 1), byte(&s, 0), byte(&s, 0x41), sleb(&s, 0), byte(&s, 0x0b), uleb(&s, nfuncs);
    for (uint32_t i = 0; i < nfuncs; i++) uleb(&s, i);
    section(&m, 9, &s);
    uleb(&s, nfuncs);
    for (uint32_t i = 0; i < nfuncs; i++) {
        buf body = {0};
        uleb(&body, 0), byte(&body, 0x41), sleb(&body, i), byte(&body, 0x0b);
        uleb(&s, body.n), put(&s, body.p, body.n);
        free(body.p);
    }
    section(&m, 10, &s);
    uleb(&s, nsegs);
    uint64_t stride = nsegs ? (uint64_t)pages * 65536 / nsegs / 2 : 0;
    for (uint32_t i = 0; i < nsegs; i++) {
        byte(&s, 0), byte(&s, 0x41), sleb(&s, (int64_t)(i * stride)), byte(&s, 0x0b);
        uleb(&s, seg_bytes);
        for (uint32_t k = 0; k < seg_bytes; k++) byte(&s, (uint8_t)(k * 13 + i));
    }
    section(&m, 11, &s);
    free(s.p);
    return m;
}

/* ---- measuring -------------------------------------------------------- */

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Where the page reads go, so that they are not optimised away. */
static volatile uint8_t sink;

typedef enum { STORE_ONLY, STORE_TIMEOUT, INSTANTIATE, INSTANTIATE_TOUCH } mode;

static int measure(const char *label, aw_module *m, mode md, int iters) {
    uint64_t *t = malloc(iters * sizeof *t);
    for (int i = 0; i < iters; i++) {
        uint64_t t0 = now_ns();
        aw_store *s = aw_store_new(NULL);
        if (md == STORE_TIMEOUT) aw_store_set_timeout(s, 1000000000u);
        if (md >= INSTANTIATE) {
            aw_error err;
            aw_instance *inst = aw_instantiate(s, m, NULL, 0, &err);
            if (!inst) {
                fprintf(stderr, "instantiate: %s\n", err.message);
                free(t);
                return 1;
            }
            if (md == INSTANTIATE_TOUCH) {
                aw_memory *mem = aw_instance_memory(inst, "mem");
                uint8_t *d = aw_memory_data(mem);
                for (uint64_t off = 0; off < aw_memory_size(mem); off += 4096) sink += d[off];
            }
        }
        aw_store_free(s);
        t[i] = now_ns() - t0;
    }
    qsort(t, iters, sizeof *t, cmp_u64);
    printf("%-50s p50 %8.2f us   p99 %8.2f us\n", label, t[iters / 2] / 1e3,
           t[iters * 99 / 100] / 1e3);
    free(t);
    return 0;
}

static int bench(const char *label, buf bytes, int iters) {
    aw_error err;
    aw_module *m = aw_module_load(bytes.p, bytes.n, &err);
    free(bytes.p);
    if (!m) {
        fprintf(stderr, "%s: %s\n", label, err.message);
        return 1;
    }
    char l[96];
    snprintf(l, sizeof l, "%s: first instantiation (builds image)", label);
    uint64_t t0 = now_ns();
    aw_store *s = aw_store_new(NULL);
    aw_instantiate(s, m, NULL, 0, &err); /* builds the module's image */
    aw_store_free(s);
    printf("%-50s     %8.2f us\n", l, (now_ns() - t0) / 1e3);
    int rc = 0;
    snprintf(l, sizeof l, "  %s: instantiate + teardown", label);
    rc |= measure(l, m, INSTANTIATE, iters);
    snprintf(l, sizeof l, "  %s: ... + read every page", label);
    rc |= measure(l, m, INSTANTIATE_TOUCH, iters);
    aw_module_release(m);
    return rc;
}

int main(int argc, char **argv) {
    int iters = argc > 1 ? atoi(argv[1]) : 20000;
    if (iters < 100) iters = 100;
    int rc = measure("empty store (new + free)", NULL, STORE_ONLY, iters);
    rc |= measure("empty store with a 1 s deadline", NULL, STORE_TIMEOUT, iters);
    rc |= bench("hello", build(1, 1, 0, 1, 14), iters);
    rc |= bench("realistic", build(200, 16, 20, 10, 10240), iters);
    return rc;
}
