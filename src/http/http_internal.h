/* http_internal.h — the server's connection and response records, shared by
 * the event loop (http_server.c) and the response writer (http_response.c). */
#ifndef AW_HTTP_INTERNAL_H
#define AW_HTTP_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "http/http.h"

#define HTTP_MAX_HEADERS 100

typedef struct http_loop http_loop;
typedef struct http_conn http_conn;

struct http_response {
    http_conn *conn;
    int started;      /* status line sent */
    int finished;     /* response complete */
    int chunked;      /* streaming with chunked coding */
    int gone;         /* client closed or a write failed */
    int head_only;    /* HEAD request: no body bytes */
    int close_after;  /* Connection: close */
    char extra[2048]; /* additional header lines */
    size_t extra_len;
};

enum { CONN_HEAD, CONN_BODY, CONN_HANDLING };

struct http_conn {
    http_loop *loop;
    int fd;
    char peer[64];
    char *buf;
    size_t len, cap;
    int state;
    size_t head_len;      /* bytes of the request head */
    http_request_head head;
    http_header headers[HTTP_MAX_HEADERS];
    int chunked;
    http_chunked ck;
    size_t content_length;
    size_t body_len;      /* decoded body bytes, at buf + head_len */
    size_t raw_pos;       /* first undecoded raw byte of a chunked body */
    size_t req_end;       /* end of this request's bytes; the rest is pipelined */
    int keep_alive;
    int peer_closed;      /* the client shut down its side: answer what was sent, then close */
    int expect_continue, sent_continue;
    long long started_ms; /* first byte of the request being read, 0 if none */
    long long active_ms;  /* last activity, for the idle timeout */
    http_response res;
    http_conn *prev, *next; /* the loop's list of its connections */
    http_conn *qnext;       /* the worker queue or the loop's return queue */
};

struct http_loop {
    struct http_server *srv;
    int epfd, listen_fd, wake_fd;
    pthread_t thread;
    pthread_mutex_t mu;     /* guards returned */
    http_conn *returned;    /* connections handed back by workers */
    http_conn *conns;
    long long accept_paused_until; /* out of file descriptors: retry accepting then */
};

struct http_server {
    http_server_config cfg;
    int port;
    int n_loops;
    http_loop *loops;
    atomic_int stopping;
    int n_workers;
    pthread_t *workers;
    pthread_mutex_t mu;   /* guards the job queue */
    pthread_cond_t cv;
    http_conn *jobs, *jobs_tail;
    int workers_stop;
};

long long http_now_ms(void);
/* Called by the worker when the handler is done: answers 500 if the handler
 * did not, then hands the connection back to its loop. */
void http_response_finish(http_response *r);
void http_response_reset(http_response *r, http_conn *c, int head_only, int close_after);

#endif
