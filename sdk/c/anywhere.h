/*
 * anywhere.h — the C guest SDK for Anywhere's native HTTP handler ABI.
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

#ifdef __cplusplus
}
#endif
#endif
