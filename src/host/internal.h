/* internal.h — what the files of src/host share: the host and per-call
 * structs, guest-memory helpers, and each capability's entry points. */
#ifndef AW_HOST_INTERNAL_H
#define AW_HOST_INTERNAL_H

#include <pthread.h>
#include <semaphore.h>

#include "anywhere/wasm.h"
#include "host/host.h"

/* ---- key-value backends (kv_sqlite.c, kv_redis.c) ---- */

typedef struct host_kv_backend host_kv_backend;
struct host_kv_backend {
    /* Each returns 0, HOST_ERR_ABSENT (get) or HOST_ERR_RUNTIME with err. */
    int (*get)(host_kv_backend *b, const char *store, const void *key, size_t klen, uint8_t **val, size_t *vlen,
               char *err, size_t errlen);
    int (*set)(host_kv_backend *b, const char *store, const void *key, size_t klen, const void *val, size_t vlen,
               char *err, size_t errlen);
    int (*del)(host_kv_backend *b, const char *store, const void *key, size_t klen, char *err, size_t errlen);
    int (*exists)(host_kv_backend *b, const char *store, const void *key, size_t klen, char *err, size_t errlen);
    /* Keys as a NUL-separated list (each key followed by a NUL). */
    int (*keys)(host_kv_backend *b, const char *store, char **out, size_t *len, size_t *count, char *err, size_t errlen);
    void (*free)(host_kv_backend *b);
};

host_kv_backend *host_kv_sqlite_open(const char *path, char *err, size_t errlen);
host_kv_backend *host_kv_redis_open(const char *url, char *err, size_t errlen);

typedef struct host_kv_store {
    host_kv_config *cfg;
    host_kv_backend *backend; /* opened on first use */
    pthread_mutex_t mu;       /* guards opening */
} host_kv_store;

/* ---- llm (llm.c, llm_local.c, llm_remote.c) ---- */

typedef struct host_llm_params {
    uint32_t max_tokens;
    float repeat_penalty;
    uint32_t repeat_last_n;
    float temperature;
    uint32_t top_k;
    float top_p;
} host_llm_params;

void host_llm_params_default(host_llm_params *p); /* Spin's: 100, 1.1, 64, 0.8, 40, 0.9 */

typedef struct host_llm_usage {
    uint32_t prompt_tokens, generated_tokens;
} host_llm_usage;

/* Receives text as it is produced; returns -1 to stop. */
typedef int (*host_emit)(void *ud, const char *text, size_t n);

typedef struct host_llm host_llm; /* the backends of one host */
host_llm *host_llm_new(const host_config *cfg, char *err, size_t errlen);
void host_llm_free(host_llm *l);
/* Is MODEL served by some backend (and, locally, is its file there)? */
bool host_llm_check(host_llm *l, const char *model, char *err, size_t errlen);
/* 0, HOST_ERR_NO_SUCH (no backend for model) or HOST_ERR_RUNTIME with err. */
int host_llm_infer(host_llm *l, const char *model, const char *prompt, const host_llm_params *p, host_emit emit,
                   void *ud, host_llm_usage *u, char *err, size_t errlen);
/* Embeddings: *out is n * *dims floats (malloc'd). */
int host_llm_embed(host_llm *l, const char *model, const char *const *texts, size_t n, float **out, size_t *dims,
                   uint32_t *prompt_tokens, char *err, size_t errlen);

/* A backend's implementation: local (in process) and remote (HTTP). */
typedef struct host_llm_local host_llm_local;
host_llm_local *host_llm_local_of(host_llm *l);
host_llm_local *host_llm_local_new(int threads);
void host_llm_local_free(host_llm_local *l);
bool host_llm_local_add(host_llm_local *l, const char *model, const char *path, char *err, size_t errlen);
int host_llm_local_infer(host_llm_local *l, const char *model, const char *prompt, const host_llm_params *p,
                         host_emit emit, void *ud, host_llm_usage *u, char *err, size_t errlen);
int host_llm_local_embed(host_llm_local *l, const char *model, const char *const *texts, size_t n, float **out,
                         size_t *dims, uint32_t *prompt_tokens, char *err, size_t errlen);
int host_llm_remote_infer(const host_llm_config *c, const char *model, const char *prompt, const host_llm_params *p,
                          host_emit emit, void *ud, host_llm_usage *u, long timeout_ms, char *err, size_t errlen);
int host_llm_remote_embed(const host_llm_config *c, const char *model, const char *const *texts, size_t n, float **out,
                          size_t *dims, uint32_t *prompt_tokens, long timeout_ms, char *err, size_t errlen);

/* A generation running on its own thread, read piece by piece (the llm
 * streaming API and WASI-NN's compute_single). */
typedef struct host_stream host_stream;
host_stream *host_stream_start(host_llm *l, const char *model, const char *prompt, const host_llm_params *p);
/* Next piece: 1 with *text (malloc'd) and *n, 0 at the end, <0 an error (err). */
int host_stream_next(host_stream *s, char **text, size_t *n, char *err, size_t errlen);
void host_stream_usage(host_stream *s, host_llm_usage *u);
void host_stream_free(host_stream *s); /* cancels a running generation */

/* ---- outbound HTTP (outbound.c, allow.c) ---- */

typedef struct host_allow_rule {
    char scheme[16];   /* "http", "https" or "*" */
    char host[256];    /* exact, "*", "*.suffix" or "self" */
    int port_lo, port_hi; /* -1: any; 0: the scheme's default */
} host_allow_rule;

bool host_allow_parse(const char *entry, host_allow_rule *r, char *err, size_t errlen);
bool host_allow_match(const host_allow_rule *r, size_t n, const char *self_authority, const char *scheme,
                      const char *hostname, int port);

typedef struct host_outbound host_outbound;
host_outbound *host_outbound_new(const host_config *cfg);
void host_outbound_free(host_outbound *o);

typedef struct host_http_response {
    int status;
    char *headers; /* "name: value\n" lines */
    size_t headers_len;
    uint8_t *body;
    size_t body_len;
} host_http_response;

/* Sends a request (already allowed). 0, or HOST_ERR_RUNTIME with err. */
int host_http_send(host_outbound *o, const char *method, const char *url, const char *headers, const void *body,
                   size_t body_len, host_http_response *out, char *err, size_t errlen);
void host_http_response_free(host_http_response *r);

/* ---- the host and a call ---- */

struct host {
    host_config cfg;
    host_kv_store *stores;
    size_t nstores;
    host_outbound *outbound;
    host_llm *llm;
};

enum { HOST_MAX_HANDLES = 64 };

typedef struct host_piece {
    char *text;
    size_t n, off;
} host_piece;

typedef struct host_kv_handle {
    host_kv_store *store;
} host_kv_handle;

struct host_call {
    host *h;
    const host_grants *g;
    host_allow_rule *allow; /* parsed allowed_outbound_hosts */
    size_t nallow;
    char error[512];        /* the last error, for last_error() */
    host_kv_handle kv[HOST_MAX_HANDLES];
    /* A value (or key list) too big for the guest's buffer is kept until
     * the guest asks again with room, so a retry reads the same bytes. */
    int kv_cached;          /* handle + 1 of the cached read, 0: none */
    char *kv_cache_key;     /* NULL: the key list */
    size_t kv_cache_klen;
    uint8_t *kv_cache_val;
    size_t kv_cache_len;
    host_http_response *http[HOST_MAX_HANDLES];
    char *llm_text;         /* the last infer's text */
    size_t llm_len;
    float *embeddings;      /* the last generate_embeddings' vectors */
    size_t nembeddings, dims;
    host_stream *streams[HOST_MAX_HANDLES];
    host_piece stream_rest[HOST_MAX_HANDLES]; /* a piece the guest has not read whole */
    struct nn_call *nn;     /* WASI-NN state (nn.c) */
};

/* ---- helpers for host functions (guest.c) ---- */

host_call *host_call_of(aw_caller *c);
/* Guest memory [addr, addr+len), or NULL when outside. */
uint8_t *host_mem(aw_caller *c, uint32_t addr, uint32_t len);
/* Copies src[offset..) into [buf, +cap) and returns the bytes left from
 * offset (saturated to INT32_MAX): the guest retries with more room. */
int host_give(aw_caller *c, uint32_t buf, uint32_t cap, const void *src, size_t len, size_t offset, uint64_t *result);
/* Copies guest bytes into a NUL-terminated malloc'd string (NULL: trap). */
char *host_strdup_guest(aw_caller *c, uint32_t addr, uint32_t len);
int host_fail(host_call *k, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void host_log(host *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool host_granted(const char *const *list, size_t n, const char *name);

bool host_define_variables(aw_linker *l);
bool host_define_kv(aw_linker *l);
bool host_define_outbound(aw_linker *l);
bool host_define_llm(aw_linker *l);
bool host_define_nn(aw_linker *l);
/* wasi_ephemeral_nn acting on CALL (NULL: the store's user data's call). */
bool host_nn_define(aw_linker *l, host_call *call);
void host_nn_call_free(host_call *k);
void host_kv_call_free(host_call *k);

#endif
