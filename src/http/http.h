/* http.h — a generic HTTP/1.1 server library: it knows nothing of Wasm or
 * models. Three layers, each usable alone:
 *
 *   http_parse_request   a pure, non-allocating, incremental parser of a
 *                        request head over a buffer (picohttpparser style:
 *                        call again with more bytes until it is complete)
 *   http_chunked_decode  an incremental in-place decoder of chunked bodies
 *   http_server          epoll event loops, one per thread, each accepting on
 *                        its own SO_REUSEPORT socket; keep-alive, pipelining,
 *                        100-continue, limits (431/413/408)
 *
 * Handlers run on a pool of worker threads and may block (a model generating
 * tokens for minutes): while a handler runs, its connection belongs to it, so
 * other connections are not delayed. A handler answers at once
 * (http_respond) or streams (http_stream_*, chunked) and can ask whether the
 * client has gone away to stop work nobody will read. */
#ifndef AW_HTTP_H
#define AW_HTTP_H

#include <stddef.h>
#include <stdint.h>

/* ---- parsing ---- */

typedef struct {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
} http_header;

typedef struct {
    const char *method;
    size_t method_len;
    const char *target; /* request-target as sent: path and query */
    size_t target_len;
    int minor_version;  /* HTTP/1.x */
    http_header *headers; /* caller's array */
    size_t num_headers;   /* in: capacity of headers; out: how many were found */
} http_request_head;

enum {
    HTTP_PARSE_ERROR = -1,       /* malformed: answer 400 */
    HTTP_PARSE_INCOMPLETE = -2,  /* need more bytes */
    HTTP_PARSE_TOO_MANY_HEADERS = -3 /* answer 431 */
};

/* Parses the request head at buf[0..len). Returns the head's length in bytes
 * (through the blank line) when complete, else one of HTTP_PARSE_*. Pointers
 * in *req point into buf. Never reads outside buf, never allocates. */
int http_parse_request(const char *buf, size_t len, http_request_head *req);

/* Case-insensitive header lookup in a parsed head; NULL if absent. */
const http_header *http_find_header(const http_header *h, size_t n, const char *name);
/* Does a comma-separated header value contain token (case-insensitive)? */
int http_header_has_token(const http_header *h, const char *token);

/* Chunked transfer coding, decoded incrementally and in place. */
typedef struct {
    int state;
    uint64_t left;      /* bytes left in the current chunk */
    unsigned digits;    /* hex digits seen in the size line */
} http_chunked;

/* Consumes raw bytes src[0..n), appending decoded body bytes at dst (dst <=
 * src is allowed: data only moves backwards). Returns the number of bytes of
 * src consumed, or -1 on malformed input; *out gets the number of decoded
 * bytes written and *done becomes 1 after the last chunk and trailers (bytes
 * after that are not consumed: they are the next pipelined request). */
long http_chunked_decode(http_chunked *d, const char *src, size_t n, char *dst, size_t *out, int *done);

/* ---- serving ---- */

typedef struct {
    const char *method; size_t method_len;
    const char *path; size_t path_len;   /* target without the query */
    const char *query; size_t query_len; /* after '?', or empty */
    int minor_version;
    const http_header *headers; size_t num_headers;
    const char *body; size_t body_len;   /* whole body, de-chunked */
    const char *peer;                     /* "ip:port" of the client */
} http_request;

typedef struct http_response http_response;

/* Called on a worker thread for each complete request; must answer through
 * res (if it returns without answering, the client gets a 500). */
typedef void (*http_handler)(const http_request *req, http_response *res, void *ud);

typedef struct {
    const char *listen;        /* "host:port", e.g. "127.0.0.1:11434"; port 0 picks one */
    int loops;                 /* event loop threads; 0 = online CPUs */
    int workers;               /* handler threads; 0 = 64 */
    size_t max_header_bytes;   /* 431 beyond; 0 = 64 KiB */
    size_t max_body_bytes;     /* 413 beyond; 0 = 64 MiB */
    int header_timeout_ms;     /* 408 if a request is not complete in time; 0 = 30 s */
    int idle_timeout_ms;       /* keep-alive connections closed after; 0 = 60 s */
    int write_timeout_ms;      /* a client that reads nothing this long is dropped; 0 = 60 s */
    /* Run handlers on the event loop thread itself, without the hand-off to a
     * worker: for handlers that never block (microseconds of work), it saves
     * two thread switches per request; a slow one would stall its loop. */
    int inline_handlers;
    http_handler handler;
    void *ud;
} http_server_config;

typedef struct http_server http_server;

/* Binds and starts listening (so the port is known before run); NULL with a
 * message in err on failure (address in use, bad address...). */
http_server *http_server_new(const http_server_config *cfg, char *err, size_t errlen);
/* The bound port (useful with port 0). */
int http_server_port(const http_server *s);
/* Serves until http_server_stop; returns 0. */
int http_server_run(http_server *s);
/* Async-signal-safe: makes http_server_run return after in-flight handlers finish. */
void http_server_stop(http_server *s);
void http_server_free(http_server *s);

/* Adds a response header (before the response starts); copied. */
void http_response_header(http_response *r, const char *name, const char *value);
/* A whole response. Returns 0, or -1 if the client is gone. */
int http_respond(http_response *r, int status, const char *content_type, const void *body, size_t len);
/* A streamed response: chunked on HTTP/1.1 (close-delimited on 1.0). Each
 * write is sent at once. They return -1 once the client is gone. */
int http_stream_start(http_response *r, int status, const char *content_type);
int http_stream_write(http_response *r, const void *data, size_t len);
int http_stream_end(http_response *r);
/* True once the client has closed its side or a write failed: stop work. */
int http_client_gone(http_response *r);
/* True once http_server_stop was called: long handlers may wind down. */
int http_server_stopping(const http_response *r);

const char *http_status_text(int status);

#endif
