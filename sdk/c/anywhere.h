/*
 * anywhere.h — the C guest SDK for Anywhere's native HTTP handler ABI and
 * the capabilities (variables, key-value, outbound HTTP, llm).
 *
 * A handler is a core WebAssembly module that exports `anywhere_handle`.
 * Every request runs in a fresh instance, so a handler may allocate
 * without freeing: the whole memory is thrown away when it returns.
 *
 *   #include "anywhere.h"
 *
 *   ANYWHERE_HANDLER void anywhere_handle(void) {
 *       anywhere_header("content-type", "text/plain");
 *       anywhere_printf("Hello, %s!\n", anywhere_param("name") ? anywhere_param("name") : "world");
 *   }
 *
 * Build with clang and wasi-libc (Debian: clang, lld, wasi-libc):
 *   clang --target=wasm32-wasi --sysroot=/usr -O2 -mexec-model=reactor \
 *         -I sdk/c -o app.wasm app.c sdk/c/anywhere.c
 *
 * The ABI itself (what the functions below wrap) is in docs/apps.md.
 */
#ifndef ANYWHERE_GUEST_H
#define ANYWHERE_GUEST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ANYWHERE_HANDLER __attribute__((export_name("anywhere_handle")))

/* Parts of the request for anywhere_get (the ABI's request_get). */
enum anywhere_part {
    ANYWHERE_METHOD = 0,          /* "GET" */
    ANYWHERE_PATH = 1,            /* "/users/7/edit" (no query) */
    ANYWHERE_QUERY = 2,           /* "a=1&b=2" (no '?') */
    ANYWHERE_HEADER_NAME = 3,     /* index: header number */
    ANYWHERE_HEADER_VALUE = 4,    /* index: header number */
    ANYWHERE_BODY = 5,            /* index: byte offset */
    ANYWHERE_PARAM_NAME = 6,      /* index: route parameter number */
    ANYWHERE_PARAM_VALUE = 7,
    ANYWHERE_PATH_INFO = 8,       /* the path after a wildcard route's prefix */
    ANYWHERE_FULL_URL = 9,        /* "http://host:port/path?query" */
    ANYWHERE_MATCHED_ROUTE = 10,  /* the route as written: "/users/:id/..." */
    ANYWHERE_COMPONENT_ROUTE = 11,/* the route without "/...": "/users/:id" */
    ANYWHERE_CLIENT_ADDR = 12,    /* "ip:port" */
    ANYWHERE_HEADER_COUNT = 13,   /* returns a count, copies nothing */
    ANYWHERE_PARAM_COUNT = 14,
    ANYWHERE_BODY_LENGTH = 15,
};

/* ---- the raw ABI (module "anywhere_http_v1") ---- */
#define ANYWHERE_IMPORT(name) __attribute__((import_module("anywhere_http_v1"), import_name(name)))
ANYWHERE_IMPORT("request_get") int32_t anywhere_abi_request_get(int32_t part, int32_t index, void *buf, int32_t cap);
ANYWHERE_IMPORT("request_header") int32_t anywhere_abi_request_header(const char *name, int32_t len, void *buf, int32_t cap);
ANYWHERE_IMPORT("request_param") int32_t anywhere_abi_request_param(const char *name, int32_t len, void *buf, int32_t cap);
ANYWHERE_IMPORT("response_status") int32_t anywhere_abi_response_status(int32_t status);
ANYWHERE_IMPORT("response_header") int32_t anywhere_abi_response_header(const char *name, int32_t nlen, const char *value, int32_t vlen);
ANYWHERE_IMPORT("response_write") int32_t anywhere_abi_response_write(const void *buf, int32_t len);
ANYWHERE_IMPORT("response_flush") int32_t anywhere_abi_response_flush(void);

/* ---- the request: NUL-terminated copies (malloc), NULL when absent ---- */
const char *anywhere_method(void);
const char *anywhere_path(void);
const char *anywhere_query(void);
const char *anywhere_path_info(void);
const char *anywhere_full_url(void);
const char *anywhere_matched_route(void);
const char *anywhere_client_addr(void);
const char *anywhere_header_get(const char *name);  /* case-insensitive */
const char *anywhere_param(const char *name);       /* a route's ":name" segment */
/* A query parameter, percent-decoded; NULL if absent. */
const char *anywhere_query_get(const char *name);
/* The whole body (NUL-terminated for convenience); *len gets its length. */
const char *anywhere_body(size_t *len);
int anywhere_header_count(void);
/* Any part (enum anywhere_part) at index; NULL when absent. */
char *anywhere_get(int part, int index, size_t *len);

/* ---- the response ---- */
void anywhere_status(int status);                          /* default 200 */
int anywhere_header(const char *name, const char *value);  /* 0, or -1 if not valid HTTP */
void anywhere_write(const void *data, size_t len);
void anywhere_write_str(const char *s);
void anywhere_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Streaming: sends the status and headers (the first time) and what was
 * written since the last flush, at once, as a chunk; the rest goes when the
 * handler returns. After the first flush, status and headers are fixed.
 * 0, or -1 once the client has gone (stop working). */
int anywhere_flush(void);

/* ==== capabilities (granted by the manifest; docs/apps.md) ====
 * Functions returning int give 0 (or a handle, or a count) on success and
 * a negative ANYWHERE_ERR_* on failure; anywhere_error() says why. */
#define ANYWHERE_ERR_ABSENT  (-1) /* no such key / variable / header */
#define ANYWHERE_ERR_DENIED  (-2) /* not granted by the manifest */
#define ANYWHERE_ERR_NO_SUCH (-3) /* store or model not configured (Spin: no-such-store, model-not-supported) */
#define ANYWHERE_ERR_INVALID (-4) /* bad handle or argument, over a limit */
#define ANYWHERE_ERR_FULL    (-5) /* too many open handles */
#define ANYWHERE_ERR_RUNTIME (-6) /* anything else */

/* The message of the last failed capability call ("" if none). */
const char *anywhere_error(void);

/* ---- variables: the component's `variables` ---- */
#define ANYWHERE_VAR_IMPORT(name) __attribute__((import_module("anywhere_variables_v1"), import_name(name)))
ANYWHERE_VAR_IMPORT("get") int32_t anywhere_abi_variable_get(const char *name, int32_t len, void *buf, int32_t cap);
ANYWHERE_VAR_IMPORT("last_error") int32_t anywhere_abi_last_error(void *buf, int32_t cap);
/* The value, or NULL when the component has no such variable. */
const char *anywhere_variable(const char *name);

/* ---- key-value stores (Spin's API; key_value_stores in the manifest) ---- */
#define ANYWHERE_KV_IMPORT(name) __attribute__((import_module("anywhere_kv_v1"), import_name(name)))
ANYWHERE_KV_IMPORT("open") int32_t anywhere_abi_kv_open(const char *name, int32_t len);
ANYWHERE_KV_IMPORT("get") int32_t anywhere_abi_kv_get(int32_t h, const void *key, int32_t klen, void *buf, int32_t cap);
ANYWHERE_KV_IMPORT("set") int32_t anywhere_abi_kv_set(int32_t h, const void *key, int32_t klen, const void *val, int32_t vlen);
ANYWHERE_KV_IMPORT("delete") int32_t anywhere_abi_kv_delete(int32_t h, const void *key, int32_t klen);
ANYWHERE_KV_IMPORT("exists") int32_t anywhere_abi_kv_exists(int32_t h, const void *key, int32_t klen);
ANYWHERE_KV_IMPORT("get_keys") int32_t anywhere_abi_kv_get_keys(int32_t h, void *buf, int32_t cap);
ANYWHERE_KV_IMPORT("close") int32_t anywhere_abi_kv_close(int32_t h);

int anywhere_kv_open(const char *name);                 /* "default", or a configured store; a handle */
/* The value (NUL-terminated for convenience), or NULL: absent (*err = ANYWHERE_ERR_ABSENT) or an error. */
char *anywhere_kv_get(int store, const char *key, size_t *len, int *err);
int anywhere_kv_set(int store, const char *key, const void *value, size_t len);
int anywhere_kv_set_str(int store, const char *key, const char *value);
int anywhere_kv_delete(int store, const char *key);     /* absent keys are fine */
int anywhere_kv_exists(int store, const char *key);     /* 1, 0, or an error */
/* All keys: a NULL-terminated array (*count keys), or NULL on error. */
char **anywhere_kv_keys(int store, size_t *count);
void anywhere_kv_close(int store);

/* ---- outbound HTTP (allowed_outbound_hosts in the manifest) ---- */
#define ANYWHERE_HTTP_IMPORT(name) __attribute__((import_module("anywhere_outbound_http_v1"), import_name(name)))
ANYWHERE_HTTP_IMPORT("send") int32_t anywhere_abi_http_send(const char *method, int32_t mlen, const char *url, int32_t ulen,
                                                            const char *headers, int32_t hlen, const void *body, int32_t blen);
ANYWHERE_HTTP_IMPORT("status") int32_t anywhere_abi_http_status(int32_t h);
ANYWHERE_HTTP_IMPORT("header") int32_t anywhere_abi_http_header(int32_t h, const char *name, int32_t nlen, void *buf, int32_t cap);
ANYWHERE_HTTP_IMPORT("headers") int32_t anywhere_abi_http_headers(int32_t h, void *buf, int32_t cap);
ANYWHERE_HTTP_IMPORT("body") int32_t anywhere_abi_http_body(int32_t h, int32_t offset, void *buf, int32_t cap);
ANYWHERE_HTTP_IMPORT("close") int32_t anywhere_abi_http_close(int32_t h);

typedef struct anywhere_http_response {
    int status;
    char *headers;      /* "name: value\n" lines, names in lower case */
    char *body;         /* NUL-terminated for convenience */
    size_t body_len;
} anywhere_http_response;

/* Sends a request; headers are "Name: value" lines separated by "\n"
 * (or NULL). 0 with *out filled, or an ANYWHERE_ERR_* (refused: DENIED). */
int anywhere_http_send(const char *method, const char *url, const char *headers, const void *body, size_t body_len,
                       anywhere_http_response *out);
/* A response header's value (case-insensitive name), or NULL. */
const char *anywhere_http_header(const anywhere_http_response *r, const char *name);

/* ---- the llm API (Spin's shape; ai_models in the manifest) ---- */
#define ANYWHERE_LLM_IMPORT(name) __attribute__((import_module("anywhere_llm_v1"), import_name(name)))
ANYWHERE_LLM_IMPORT("infer") int32_t anywhere_abi_llm_infer(const char *model, int32_t mlen, const char *prompt, int32_t plen,
                                                            const void *params, void *usage);
ANYWHERE_LLM_IMPORT("text") int32_t anywhere_abi_llm_text(int32_t offset, void *buf, int32_t cap);
ANYWHERE_LLM_IMPORT("embed") int32_t anywhere_abi_llm_embed(const char *model, int32_t mlen, const void *texts, int32_t n, void *usage);
ANYWHERE_LLM_IMPORT("embedding") int32_t anywhere_abi_llm_embedding(int32_t index, float *buf, int32_t cap);
ANYWHERE_LLM_IMPORT("stream_start") int32_t anywhere_abi_llm_stream_start(const char *model, int32_t mlen, const char *prompt,
                                                                          int32_t plen, const void *params);
ANYWHERE_LLM_IMPORT("stream_next") int32_t anywhere_abi_llm_stream_next(int32_t h, void *buf, int32_t cap);
ANYWHERE_LLM_IMPORT("stream_usage") int32_t anywhere_abi_llm_stream_usage(int32_t h, void *usage);
ANYWHERE_LLM_IMPORT("stream_close") int32_t anywhere_abi_llm_stream_close(int32_t h);

/* Spin's inferencing-params; anywhere_llm_params_default fills Spin's
 * defaults: 100, 1.1, 64, 0.8, 40, 0.9. */
typedef struct anywhere_llm_params {
    uint32_t max_tokens;
    float repeat_penalty;
    uint32_t repeat_penalty_last_n_token_count;
    float temperature;
    uint32_t top_k;
    float top_p;
} anywhere_llm_params;
typedef struct anywhere_llm_usage {
    uint32_t prompt_token_count, generated_token_count;
} anywhere_llm_usage;

void anywhere_llm_params_default(anywhere_llm_params *p);
/* The generated text, or NULL (anywhere_error() says why). params and
 * usage may be NULL. */
char *anywhere_llm_infer(const char *model, const char *prompt, const anywhere_llm_params *params, anywhere_llm_usage *usage);
/* n vectors of *dims floats, one after the other; NULL on error. */
float *anywhere_llm_embed(const char *model, const char *const *texts, size_t n, size_t *dims, uint32_t *prompt_tokens);
/* Streaming (not in Spin): start, then read pieces until 0. */
int anywhere_llm_stream_start(const char *model, const char *prompt, const anywhere_llm_params *params);
int anywhere_llm_stream_next(int stream, char *buf, size_t cap); /* length, 0 at the end, or an error */
void anywhere_llm_stream_usage(int stream, anywhere_llm_usage *usage);
void anywhere_llm_stream_close(int stream);

#ifdef __cplusplus
}
#endif
#endif
