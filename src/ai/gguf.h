/*
 * gguf.h — GGUF (v2, v3) file reader and writer.
 *
 * The reader memory-maps the file and indexes its metadata and tensor infos.
 * Every byte it reads is bounds-checked against the file size: a truncated or
 * inconsistent file gives an error naming the byte offset, never a crash.
 * Strings returned point into the mapping (not NUL-terminated: use .len).
 *
 * The writer (ai_gguf_writer_*) builds a file in memory-light fashion:
 * metadata and tensor infos first, then tensor data streamed in order.
 */
#ifndef AI_GGUF_H
#define AI_GGUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* Metadata value types, numbered as in the GGUF specification. */
typedef enum {
    AI_GGUF_U8 = 0, AI_GGUF_I8 = 1, AI_GGUF_U16 = 2, AI_GGUF_I16 = 3,
    AI_GGUF_U32 = 4, AI_GGUF_I32 = 5, AI_GGUF_F32 = 6, AI_GGUF_BOOL = 7,
    AI_GGUF_STRING = 8, AI_GGUF_ARRAY = 9, AI_GGUF_U64 = 10, AI_GGUF_I64 = 11,
    AI_GGUF_F64 = 12,
    AI_GGUF_TYPE_COUNT
} ai_gguf_type;

typedef struct {
    const char *ptr;   /* into the mapping, not NUL-terminated */
    uint64_t len;
} ai_gguf_str;

/* One metadata key/value. Scalars are decoded; arrays stay in the file and
 * are read element by element with ai_gguf_arr_* (they may be huge, e.g.
 * 128k token strings), string arrays are indexed on first use. */
typedef struct {
    ai_gguf_str key;
    ai_gguf_type type;
    union {
        uint64_t u;    /* U8..U64, BOOL */
        int64_t i;     /* I8..I64 */
        double f;      /* F32, F64 */
        ai_gguf_str s; /* STRING */
        struct {
            ai_gguf_type type;      /* element type (never ARRAY: nested arrays are rejected) */
            uint64_t n;             /* element count */
            const uint8_t *data;    /* first element in the mapping */
            const ai_gguf_str *strs;/* STRING arrays: decoded index, n entries */
        } arr;
    } v;
} ai_gguf_kv;

typedef struct {
    ai_gguf_str name;
    uint32_t n_dims;
    uint64_t ne[4];        /* ne[0] is the row length (contiguous dimension) */
    uint32_t type;         /* ai_tensor_type (quant.h) */
    uint64_t offset;       /* relative to the data section */
    const void *data;      /* resolved pointer into the mapping */
    uint64_t nbytes;
} ai_gguf_tensor;

typedef struct ai_gguf ai_gguf;

/* Open and parse. On failure returns NULL and writes a message such as
 * "model.gguf: truncated at byte 1234 reading key 'general.name'" to err. */
ai_gguf *ai_gguf_open(const char *path, char *err, size_t errlen);
/* Parse a buffer already in memory (not copied; must outlive the result).
 * Used by the fuzzer and tests. */
ai_gguf *ai_gguf_parse(const void *buf, size_t size, const char *name, char *err, size_t errlen);
void ai_gguf_close(ai_gguf *g);

uint32_t ai_gguf_version(const ai_gguf *g);
size_t ai_gguf_file_size(const ai_gguf *g);
uint64_t ai_gguf_alignment(const ai_gguf *g);

/* Metadata. */
size_t ai_gguf_kv_count(const ai_gguf *g);
const ai_gguf_kv *ai_gguf_kv_at(const ai_gguf *g, size_t i);
const ai_gguf_kv *ai_gguf_find(const ai_gguf *g, const char *key);
const char *ai_gguf_type_name(ai_gguf_type t);

/* Typed lookups: return false (and leave *out alone) when the key is absent
 * or of an incompatible type. Integer getters accept any integer type whose
 * value fits; ai_gguf_get_f32 also accepts integers. */
bool ai_gguf_get_u32(const ai_gguf *g, const char *key, uint32_t *out);
bool ai_gguf_get_i64(const ai_gguf *g, const char *key, int64_t *out);
bool ai_gguf_get_f32(const ai_gguf *g, const char *key, float *out);
bool ai_gguf_get_bool(const ai_gguf *g, const char *key, bool *out);
bool ai_gguf_get_str(const ai_gguf *g, const char *key, ai_gguf_str *out);
/* Copies a string value into a fresh NUL-terminated malloc'd buffer (NULL if absent). */
char *ai_gguf_dup_str(const ai_gguf *g, const char *key);
/* Array lookup: returns the kv if key is an array (of elem type `elem`, or
 * any element type when elem == AI_GGUF_TYPE_COUNT), else NULL. */
const ai_gguf_kv *ai_gguf_get_arr(const ai_gguf *g, const char *key, ai_gguf_type elem);

/* Array element access (i < kv->v.arr.n; no checks beyond that). */
ai_gguf_str ai_gguf_arr_str(const ai_gguf_kv *kv, uint64_t i);
double ai_gguf_arr_f64(const ai_gguf_kv *kv, uint64_t i);  /* any numeric elem type */
int64_t ai_gguf_arr_i64(const ai_gguf_kv *kv, uint64_t i); /* any integer elem type */

/* Tensors. */
size_t ai_gguf_tensor_count(const ai_gguf *g);
const ai_gguf_tensor *ai_gguf_tensor_at(const ai_gguf *g, size_t i);
const ai_gguf_tensor *ai_gguf_find_tensor(const ai_gguf *g, const char *name);

/* ---- writer ---- */
typedef struct ai_gguf_writer ai_gguf_writer;

ai_gguf_writer *ai_gguf_writer_new(void);
void ai_gguf_writer_free(ai_gguf_writer *w);
void ai_gguf_w_u32(ai_gguf_writer *w, const char *key, uint32_t v);
void ai_gguf_w_i32(ai_gguf_writer *w, const char *key, int32_t v);
void ai_gguf_w_f32(ai_gguf_writer *w, const char *key, float v);
void ai_gguf_w_bool(ai_gguf_writer *w, const char *key, bool v);
void ai_gguf_w_str(ai_gguf_writer *w, const char *key, const char *v);
void ai_gguf_w_arr_str(ai_gguf_writer *w, const char *key, const char *const *v, size_t n);
void ai_gguf_w_arr_f32(ai_gguf_writer *w, const char *key, const float *v, size_t n);
void ai_gguf_w_arr_i32(ai_gguf_writer *w, const char *key, const int32_t *v, size_t n);
/* Adds a tensor; data (nbytes as ai_tensor_nbytes says) is copied. */
void ai_gguf_w_tensor(ai_gguf_writer *w, const char *name, uint32_t type,
                      uint32_t n_dims, const uint64_t *ne, const void *data, size_t nbytes);
/* Writes a GGUF v3 file (alignment 32). Returns 0, or -1 with err set. */
int ai_gguf_writer_save(ai_gguf_writer *w, const char *path, char *err, size_t errlen);

#endif
