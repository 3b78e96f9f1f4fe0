/*
 * gguf.c — GGUF reader: mmap, a bounds-checked cursor, metadata and tensor
 * index. Layout (little-endian): magic "GGUF", u32 version, u64 n_tensors,
 * u64 n_kv, then n_kv (string key, u32 type, value), then n_tensors
 * (string name, u32 n_dims, u64 ne[n_dims], u32 type, u64 offset), padding to
 * general.alignment, then the data section.
 */
#include "ai/gguf.h"
#include "ai/quant.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct ai_gguf {
    const uint8_t *base;
    size_t size;
    void *map;              /* non-NULL when we own an mmap */
    uint32_t version;
    uint64_t alignment;
    size_t n_kv, n_tensors;
    ai_gguf_kv *kv;
    ai_gguf_tensor *tensors;
    ai_gguf_str *strpool;   /* decoded string arrays, all in one block */
};

/* Reading cursor: every read checks the remaining size first. */
typedef struct {
    const uint8_t *base;
    size_t size, pos;
    const char *name;       /* file name for messages */
    char *err;
    size_t errlen;
    bool failed;
} cursor;

static void fail(cursor *c, const char *fmt, ...) {
    if (c->failed) return;
    c->failed = true;
    if (!c->err || !c->errlen) return;
    int n = snprintf(c->err, c->errlen, "%s: ", c->name);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < c->errlen) vsnprintf(c->err + n, c->errlen - n, fmt, ap);
    va_end(ap);
}

static bool need(cursor *c, uint64_t n, const char *what) {
    if (c->failed) return false;
    if (n > c->size - c->pos) {
        fail(c, "truncated at byte %zu reading %s (needs %llu bytes, file has %zu)",
             c->pos, what, (unsigned long long)n, c->size);
        return false;
    }
    return true;
}

static uint64_t rd_uint(cursor *c, int bytes, const char *what) {
    if (!need(c, bytes, what)) return 0;
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) v |= (uint64_t)c->base[c->pos + i] << (8 * i);
    c->pos += bytes;
    return v;
}

static ai_gguf_str rd_str(cursor *c, const char *what) {
    ai_gguf_str s = {0};
    size_t at = c->pos;
    uint64_t len = rd_uint(c, 8, what);
    if (c->failed) return s;
    if (len > c->size - c->pos) {
        fail(c, "string length %llu at byte %zu runs past the end of the file (%zu bytes) reading %s",
             (unsigned long long)len, at, c->size, what);
        return s;
    }
    s.ptr = (const char *)c->base + c->pos;
    s.len = len;
    c->pos += len;
    return s;
}

static const int scalar_size[AI_GGUF_TYPE_COUNT] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};

const char *ai_gguf_type_name(ai_gguf_type t) {
    static const char *names[] = {"u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool",
                                  "string", "array", "u64", "i64", "f64"};
    return (unsigned)t < AI_GGUF_TYPE_COUNT ? names[t] : "?";
}

static bool is_signed(ai_gguf_type t) {
    return t == AI_GGUF_I8 || t == AI_GGUF_I16 || t == AI_GGUF_I32 || t == AI_GGUF_I64;
}
static bool is_int(ai_gguf_type t) {
    return t <= AI_GGUF_I32 || t == AI_GGUF_U64 || t == AI_GGUF_I64;
}

/* Decodes a little-endian scalar at p. */
static void decode_scalar(ai_gguf_type t, const uint8_t *p, ai_gguf_kv *kv) {
    uint64_t raw = 0;
    for (int i = 0; i < scalar_size[t]; i++) raw |= (uint64_t)p[i] << (8 * i);
    switch (t) {
    case AI_GGUF_I8: kv->v.i = (int8_t)raw; break;
    case AI_GGUF_I16: kv->v.i = (int16_t)raw; break;
    case AI_GGUF_I32: kv->v.i = (int32_t)raw; break;
    case AI_GGUF_I64: kv->v.i = (int64_t)raw; break;
    case AI_GGUF_F32: { float f; uint32_t r = (uint32_t)raw; memcpy(&f, &r, 4); kv->v.f = f; break; }
    case AI_GGUF_F64: { double d; memcpy(&d, &raw, 8); kv->v.f = d; break; }
    default: kv->v.u = raw; break;
    }
}

static void read_value(cursor *c, ai_gguf_kv *kv, uint64_t *n_strings) {
    char what[96];
    snprintf(what, sizeof what, "value of '%.*s'", (int)(kv->key.len > 60 ? 60 : kv->key.len), kv->key.ptr);
    if (kv->type == AI_GGUF_STRING) { kv->v.s = rd_str(c, what); return; }
    if (kv->type != AI_GGUF_ARRAY) {
        if (!need(c, scalar_size[kv->type], what)) return;
        decode_scalar(kv->type, c->base + c->pos, kv);
        c->pos += scalar_size[kv->type];
        return;
    }
    size_t at = c->pos;
    uint32_t et = (uint32_t)rd_uint(c, 4, what);
    uint64_t n = rd_uint(c, 8, what);
    if (c->failed) return;
    if (et >= AI_GGUF_TYPE_COUNT || et == AI_GGUF_ARRAY) {
        fail(c, "array '%.*s' at byte %zu has unsupported element type %u", (int)kv->key.len, kv->key.ptr, at, et);
        return;
    }
    kv->v.arr.type = et;
    kv->v.arr.n = n;
    kv->v.arr.data = c->base + c->pos;
    if (et == AI_GGUF_STRING) {
        /* Walk the strings now so the index later needs no checks; each
         * takes at least 8 bytes, which bounds n by the file size. */
        if (n > (c->size - c->pos) / 8) {
            fail(c, "array '%.*s' at byte %zu claims %llu strings, more than the file can hold",
                 (int)kv->key.len, kv->key.ptr, at, (unsigned long long)n);
            return;
        }
        for (uint64_t i = 0; i < n && !c->failed; i++) rd_str(c, what);
        *n_strings += n;
    } else {
        uint64_t sz = scalar_size[et];
        if (n > (c->size - c->pos) / sz) {
            fail(c, "array '%.*s' at byte %zu: %llu elements of %s run past the end of the file",
                 (int)kv->key.len, kv->key.ptr, at, (unsigned long long)n, ai_gguf_type_name(et));
            return;
        }
        c->pos += n * sz;
    }
}

static void index_strings(ai_gguf *g) {
    size_t k = 0;
    for (size_t i = 0; i < g->n_kv; i++) {
        ai_gguf_kv *kv = &g->kv[i];
        if (kv->type != AI_GGUF_ARRAY || kv->v.arr.type != AI_GGUF_STRING) continue;
        kv->v.arr.strs = g->strpool + k;
        const uint8_t *p = kv->v.arr.data;
        for (uint64_t j = 0; j < kv->v.arr.n; j++) {
            uint64_t len = 0;
            for (int b = 0; b < 8; b++) len |= (uint64_t)p[b] << (8 * b);
            g->strpool[k].ptr = (const char *)p + 8;
            g->strpool[k].len = len;
            p += 8 + len;
            k++;
        }
    }
}

static bool str_eq(ai_gguf_str s, const char *z) {
    size_t n = strlen(z);
    return s.len == n && memcmp(s.ptr, z, n) == 0;
}

static bool parse_tensors(ai_gguf *g, cursor *c) {
    for (size_t i = 0; i < g->n_tensors; i++) {
        ai_gguf_tensor *t = &g->tensors[i];
        size_t at = c->pos;
        t->name = rd_str(c, "tensor name");
        t->n_dims = (uint32_t)rd_uint(c, 4, "tensor n_dims");
        if (c->failed) return false;
        if (t->n_dims == 0 || t->n_dims > 4) {
            fail(c, "tensor '%.*s' at byte %zu has %u dimensions (1..4 allowed)", (int)t->name.len, t->name.ptr, at, t->n_dims);
            return false;
        }
        for (int d = 0; d < 4; d++) t->ne[d] = 1;
        for (uint32_t d = 0; d < t->n_dims; d++) t->ne[d] = rd_uint(c, 8, "tensor dimension");
        t->type = (uint32_t)rd_uint(c, 4, "tensor type");
        t->offset = rd_uint(c, 8, "tensor offset");
        if (c->failed) return false;
        const ai_type_traits *tr = ai_type_traits_of(t->type);
        if (!tr) {
            fail(c, "tensor '%.*s' at byte %zu has unsupported type %u", (int)t->name.len, t->name.ptr, at, t->type);
            return false;
        }
        uint64_t nel = 1;
        for (int d = 0; d < 4; d++) {
            if (t->ne[d] == 0 || t->ne[d] > (1ull << 40) || nel > (1ull << 42) / t->ne[d]) {
                fail(c, "tensor '%.*s' at byte %zu has an invalid shape", (int)t->name.len, t->name.ptr, at);
                return false;
            }
            nel *= t->ne[d];
        }
        if (t->ne[0] % tr->block != 0) {
            fail(c, "tensor '%.*s': row length %llu is not a multiple of the %s block size %d",
                 (int)t->name.len, t->name.ptr, (unsigned long long)t->ne[0], tr->name, tr->block);
            return false;
        }
        t->nbytes = nel / tr->block * tr->block_bytes;
    }
    /* Data section starts at the next multiple of the alignment. */
    uint64_t a = g->alignment;
    uint64_t data = (c->pos + a - 1) / a * a;
    if (data > c->size) {
        fail(c, "truncated: data section would start at byte %llu, file has %zu bytes", (unsigned long long)data, c->size);
        return false;
    }
    for (size_t i = 0; i < g->n_tensors; i++) {
        ai_gguf_tensor *t = &g->tensors[i];
        if (t->offset % a != 0) {
            fail(c, "tensor '%.*s' offset %llu is not aligned to %llu", (int)t->name.len, t->name.ptr,
                 (unsigned long long)t->offset, (unsigned long long)a);
            return false;
        }
        if (t->offset > c->size - data || t->nbytes > c->size - data - t->offset) {
            fail(c, "tensor '%.*s' data (bytes %llu..%llu) runs past the end of the file (%zu bytes)",
                 (int)t->name.len, t->name.ptr, (unsigned long long)(data + t->offset),
                 (unsigned long long)(data + t->offset + t->nbytes), c->size);
            return false;
        }
        t->data = g->base + data + t->offset;
        for (size_t j = 0; j < i; j++)
            if (g->tensors[j].name.len == t->name.len && !memcmp(g->tensors[j].name.ptr, t->name.ptr, t->name.len)) {
                fail(c, "duplicate tensor name '%.*s'", (int)t->name.len, t->name.ptr);
                return false;
            }
    }
    return true;
}

ai_gguf *ai_gguf_parse(const void *buf, size_t size, const char *name, char *err, size_t errlen) {
    cursor c = {.base = buf, .size = size, .name = name ? name : "gguf", .err = err, .errlen = errlen};
    if (err && errlen) err[0] = 0;
    if (!need(&c, 4, "magic")) return NULL;
    if (memcmp(buf, "GGUF", 4) != 0) { fail(&c, "not a GGUF file (bad magic at byte 0)"); return NULL; }
    c.pos = 4;
    uint32_t version = (uint32_t)rd_uint(&c, 4, "version");
    if (c.failed) return NULL;
    if (version != 2 && version != 3) { fail(&c, "unsupported GGUF version %u at byte 4 (2 and 3 are)", version); return NULL; }
    uint64_t n_tensors = rd_uint(&c, 8, "tensor count");
    uint64_t n_kv = rd_uint(&c, 8, "metadata count");
    if (c.failed) return NULL;
    /* Each kv takes >= 8+4+1 bytes and each tensor info >= 8+4+8+4+8. */
    if (n_kv > size / 13 || n_tensors > size / 32) {
        fail(&c, "header claims %llu metadata entries and %llu tensors, more than a %zu-byte file can hold",
             (unsigned long long)n_kv, (unsigned long long)n_tensors, size);
        return NULL;
    }
    ai_gguf *g = calloc(1, sizeof *g);
    g->base = buf; g->size = size; g->version = version; g->alignment = 32;
    g->n_kv = n_kv; g->n_tensors = n_tensors;
    g->kv = calloc(n_kv ? n_kv : 1, sizeof *g->kv);
    g->tensors = calloc(n_tensors ? n_tensors : 1, sizeof *g->tensors);
    uint64_t n_strings = 0;
    for (size_t i = 0; i < n_kv && !c.failed; i++) {
        ai_gguf_kv *kv = &g->kv[i];
        size_t at = c.pos;
        kv->key = rd_str(&c, "metadata key");
        uint32_t t = (uint32_t)rd_uint(&c, 4, "metadata type");
        if (c.failed) break;
        if (t >= AI_GGUF_TYPE_COUNT) {
            fail(&c, "metadata '%.*s' at byte %zu has unknown type %u", (int)(kv->key.len > 80 ? 80 : kv->key.len), kv->key.ptr, at, t);
            break;
        }
        kv->type = t;
        read_value(&c, kv, &n_strings);
    }
    if (!c.failed) {
        const ai_gguf_kv *al = ai_gguf_find(g, "general.alignment");
        if (al) {
            if (!is_int(al->type) || al->v.u == 0 || (al->v.u & (al->v.u - 1)) || al->v.u > (1u << 20))
                fail(&c, "general.alignment must be a power of two (got %s %llu)", ai_gguf_type_name(al->type), (unsigned long long)al->v.u);
            else
                g->alignment = al->v.u;
        }
    }
    if (!c.failed) {
        g->strpool = calloc(n_strings ? n_strings : 1, sizeof *g->strpool);
        index_strings(g);
        parse_tensors(g, &c);
    }
    if (c.failed) { ai_gguf_close(g); return NULL; }
    return g;
}

ai_gguf *ai_gguf_open(const char *path, char *err, size_t errlen) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { snprintf(err, errlen, "%s: %s", path, strerror(errno)); return NULL; }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        close(fd);
        return NULL;
    }
    size_t size = (size_t)st.st_size;
    if (size == 0) { snprintf(err, errlen, "%s: empty file (not GGUF)", path); close(fd); return NULL; }
    void *map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (map == MAP_FAILED) { snprintf(err, errlen, "%s: mmap: %s", path, strerror(errno)); return NULL; }
    ai_gguf *g = ai_gguf_parse(map, size, path, err, errlen);
    if (!g) { munmap(map, size); return NULL; }
    g->map = map;
    return g;
}

void ai_gguf_close(ai_gguf *g) {
    if (!g) return;
    if (g->map) munmap(g->map, g->size);
    free(g->kv); free(g->tensors); free(g->strpool);
    free(g);
}

uint32_t ai_gguf_version(const ai_gguf *g) { return g->version; }
size_t ai_gguf_file_size(const ai_gguf *g) { return g->size; }
uint64_t ai_gguf_alignment(const ai_gguf *g) { return g->alignment; }
size_t ai_gguf_kv_count(const ai_gguf *g) { return g->n_kv; }
const ai_gguf_kv *ai_gguf_kv_at(const ai_gguf *g, size_t i) { return i < g->n_kv ? &g->kv[i] : NULL; }
size_t ai_gguf_tensor_count(const ai_gguf *g) { return g->n_tensors; }
const ai_gguf_tensor *ai_gguf_tensor_at(const ai_gguf *g, size_t i) { return i < g->n_tensors ? &g->tensors[i] : NULL; }

const ai_gguf_kv *ai_gguf_find(const ai_gguf *g, const char *key) {
    for (size_t i = 0; i < g->n_kv; i++)
        if (str_eq(g->kv[i].key, key)) return &g->kv[i];
    return NULL;
}

const ai_gguf_tensor *ai_gguf_find_tensor(const ai_gguf *g, const char *name) {
    for (size_t i = 0; i < g->n_tensors; i++)
        if (str_eq(g->tensors[i].name, name)) return &g->tensors[i];
    return NULL;
}

bool ai_gguf_get_i64(const ai_gguf *g, const char *key, int64_t *out) {
    const ai_gguf_kv *kv = ai_gguf_find(g, key);
    if (!kv) return false;
    if (is_signed(kv->type)) { *out = kv->v.i; return true; }
    if (is_int(kv->type) || kv->type == AI_GGUF_BOOL) {
        if (kv->v.u > INT64_MAX) return false;
        *out = (int64_t)kv->v.u;
        return true;
    }
    return false;
}

bool ai_gguf_get_u32(const ai_gguf *g, const char *key, uint32_t *out) {
    int64_t v;
    if (!ai_gguf_get_i64(g, key, &v) || v < 0 || v > UINT32_MAX) return false;
    *out = (uint32_t)v;
    return true;
}

bool ai_gguf_get_f32(const ai_gguf *g, const char *key, float *out) {
    const ai_gguf_kv *kv = ai_gguf_find(g, key);
    if (!kv) return false;
    if (kv->type == AI_GGUF_F32 || kv->type == AI_GGUF_F64) { *out = (float)kv->v.f; return true; }
    int64_t v;
    if (!ai_gguf_get_i64(g, key, &v)) return false;
    *out = (float)v;
    return true;
}

bool ai_gguf_get_bool(const ai_gguf *g, const char *key, bool *out) {
    const ai_gguf_kv *kv = ai_gguf_find(g, key);
    if (!kv || !(kv->type == AI_GGUF_BOOL || is_int(kv->type))) return false;
    *out = kv->v.u != 0;
    return true;
}

bool ai_gguf_get_str(const ai_gguf *g, const char *key, ai_gguf_str *out) {
    const ai_gguf_kv *kv = ai_gguf_find(g, key);
    if (!kv || kv->type != AI_GGUF_STRING) return false;
    *out = kv->v.s;
    return true;
}

char *ai_gguf_dup_str(const ai_gguf *g, const char *key) {
    ai_gguf_str s;
    if (!ai_gguf_get_str(g, key, &s)) return NULL;
    char *r = malloc(s.len + 1);
    if (!r) return NULL;
    memcpy(r, s.ptr, s.len);
    r[s.len] = 0;
    return r;
}

const ai_gguf_kv *ai_gguf_get_arr(const ai_gguf *g, const char *key, ai_gguf_type elem) {
    const ai_gguf_kv *kv = ai_gguf_find(g, key);
    if (!kv || kv->type != AI_GGUF_ARRAY) return NULL;
    if (elem != AI_GGUF_TYPE_COUNT && kv->v.arr.type != elem) return NULL;
    return kv;
}

ai_gguf_str ai_gguf_arr_str(const ai_gguf_kv *kv, uint64_t i) { return kv->v.arr.strs[i]; }

static ai_gguf_kv arr_elem(const ai_gguf_kv *kv, uint64_t i) {
    ai_gguf_kv e = {.type = kv->v.arr.type};
    decode_scalar(e.type, kv->v.arr.data + i * scalar_size[e.type], &e);
    return e;
}

double ai_gguf_arr_f64(const ai_gguf_kv *kv, uint64_t i) {
    ai_gguf_kv e = arr_elem(kv, i);
    if (e.type == AI_GGUF_F32 || e.type == AI_GGUF_F64) return e.v.f;
    return is_signed(e.type) ? (double)e.v.i : (double)e.v.u;
}

int64_t ai_gguf_arr_i64(const ai_gguf_kv *kv, uint64_t i) {
    ai_gguf_kv e = arr_elem(kv, i);
    if (e.type == AI_GGUF_F32 || e.type == AI_GGUF_F64) return (int64_t)e.v.f;
    return is_signed(e.type) ? e.v.i : (int64_t)e.v.u;
}
