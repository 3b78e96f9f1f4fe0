/*
 * gguf_write.c — a small GGUF v3 writer: metadata and tensors accumulate in
 * memory and are written in one pass (header, kvs, tensor infos, aligned data).
 */
#include "ai/gguf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { uint8_t *p; size_t n, cap; } buf;

typedef struct {
    char *name;
    uint32_t type, n_dims;
    uint64_t ne[4];
    void *data;
    size_t nbytes;
} wtensor;

struct ai_gguf_writer {
    buf kv;            /* serialised key/values */
    uint64_t n_kv;
    wtensor *t;
    size_t n_t, cap_t;
};

#define ALIGN 32

static void put(buf *b, const void *p, size_t n) {
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->n + n) cap *= 2;
        uint8_t *np = realloc(b->p, cap);
        if (!np) abort(); /* out of memory while building a file: nothing sensible to do */
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
}
/* GGUF is little-endian; so are all the machines this runs on (x86-64,
 * aarch64 in LE mode), hence the plain copies. */
static void put_u32(buf *b, uint32_t v) { put(b, &v, 4); }
static void put_u64(buf *b, uint64_t v) { put(b, &v, 8); }
static void put_str(buf *b, const char *s) { size_t n = strlen(s); put_u64(b, n); put(b, s, n); }
static void put_key(ai_gguf_writer *w, const char *key, ai_gguf_type t) { put_str(&w->kv, key); put_u32(&w->kv, t); w->n_kv++; }

ai_gguf_writer *ai_gguf_writer_new(void) { return calloc(1, sizeof(ai_gguf_writer)); }

void ai_gguf_writer_free(ai_gguf_writer *w) {
    if (!w) return;
    for (size_t i = 0; i < w->n_t; i++) { free(w->t[i].name); free(w->t[i].data); }
    free(w->t);
    free(w->kv.p);
    free(w);
}

void ai_gguf_w_u32(ai_gguf_writer *w, const char *key, uint32_t v) { put_key(w, key, AI_GGUF_U32); put_u32(&w->kv, v); }
void ai_gguf_w_i32(ai_gguf_writer *w, const char *key, int32_t v) { put_key(w, key, AI_GGUF_I32); put(&w->kv, &v, 4); }
void ai_gguf_w_f32(ai_gguf_writer *w, const char *key, float v) { put_key(w, key, AI_GGUF_F32); put(&w->kv, &v, 4); }
void ai_gguf_w_bool(ai_gguf_writer *w, const char *key, bool v) { uint8_t b = v; put_key(w, key, AI_GGUF_BOOL); put(&w->kv, &b, 1); }
void ai_gguf_w_str(ai_gguf_writer *w, const char *key, const char *v) { put_key(w, key, AI_GGUF_STRING); put_str(&w->kv, v); }

void ai_gguf_w_arr_str(ai_gguf_writer *w, const char *key, const char *const *v, size_t n) {
    put_key(w, key, AI_GGUF_ARRAY);
    put_u32(&w->kv, AI_GGUF_STRING);
    put_u64(&w->kv, n);
    for (size_t i = 0; i < n; i++) put_str(&w->kv, v[i]);
}
void ai_gguf_w_arr_f32(ai_gguf_writer *w, const char *key, const float *v, size_t n) {
    put_key(w, key, AI_GGUF_ARRAY);
    put_u32(&w->kv, AI_GGUF_F32);
    put_u64(&w->kv, n);
    put(&w->kv, v, n * 4);
}
void ai_gguf_w_arr_i32(ai_gguf_writer *w, const char *key, const int32_t *v, size_t n) {
    put_key(w, key, AI_GGUF_ARRAY);
    put_u32(&w->kv, AI_GGUF_I32);
    put_u64(&w->kv, n);
    put(&w->kv, v, n * 4);
}

void ai_gguf_w_tensor(ai_gguf_writer *w, const char *name, uint32_t type, uint32_t n_dims,
                      const uint64_t *ne, const void *data, size_t nbytes) {
    if (w->n_t == w->cap_t) {
        w->cap_t = w->cap_t ? w->cap_t * 2 : 64;
        w->t = realloc(w->t, w->cap_t * sizeof *w->t);
        if (!w->t) abort();
    }
    wtensor *t = &w->t[w->n_t++];
    memset(t, 0, sizeof *t);
    t->name = strdup(name);
    t->type = type;
    t->n_dims = n_dims;
    for (uint32_t i = 0; i < n_dims && i < 4; i++) t->ne[i] = ne[i];
    t->data = malloc(nbytes ? nbytes : 1);
    if (!t->name || !t->data) abort();
    memcpy(t->data, data, nbytes);
    t->nbytes = nbytes;
}

int ai_gguf_writer_save(ai_gguf_writer *w, const char *path, char *err, size_t errlen) {
    buf h = {0};
    put(&h, "GGUF", 4);
    put_u32(&h, 3);
    put_u64(&h, w->n_t);
    put_u64(&h, w->n_kv);
    put(&h, w->kv.p, w->kv.n);
    uint64_t off = 0;
    for (size_t i = 0; i < w->n_t; i++) {
        wtensor *t = &w->t[i];
        put_str(&h, t->name);
        put_u32(&h, t->n_dims);
        for (uint32_t d = 0; d < t->n_dims; d++) put_u64(&h, t->ne[d]);
        put_u32(&h, t->type);
        put_u64(&h, off);
        off += (t->nbytes + ALIGN - 1) / ALIGN * ALIGN;
    }
    static const uint8_t zeros[ALIGN];
    put(&h, zeros, (ALIGN - h.n % ALIGN) % ALIGN);
    FILE *f = fopen(path, "wb");
    if (!f) { snprintf(err, errlen, "%s: %s", path, strerror(errno)); free(h.p); return -1; }
    bool ok = fwrite(h.p, 1, h.n, f) == h.n;
    for (size_t i = 0; i < w->n_t && ok; i++) {
        wtensor *t = &w->t[i];
        ok = fwrite(t->data, 1, t->nbytes, f) == t->nbytes;
        size_t pad = (ALIGN - t->nbytes % ALIGN) % ALIGN;
        if (ok && pad) ok = fwrite(zeros, 1, pad, f) == pad;
    }
    free(h.p);
    if (fclose(f) != 0) ok = false;
    if (!ok) { snprintf(err, errlen, "%s: write failed: %s", path, strerror(errno)); return -1; }
    return 0;
}
