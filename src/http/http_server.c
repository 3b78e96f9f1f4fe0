/* http_server.c — event loops and workers.
 *
 * One epoll loop per thread, each with its own listening socket bound with
 * SO_REUSEPORT so the kernel spreads connections over the loops without a
 * shared accept lock (the design of nginx's reuseport and of Redis's ae.c,
 * multiplied). A loop reads and parses; when a request is complete it takes
 * the connection out of its epoll set and queues it for a worker thread,
 * which runs the (possibly slow, blocking) handler and writes the response
 * itself, then hands the connection back through the loop's return queue and
 * eventfd. Pipelined requests already in the buffer are parsed on return. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/http_internal.h"

long long http_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- connections ---- */

static void conn_close(http_conn *c) {
    http_loop *l = c->loop;
    if (c->prev) c->prev->next = c->next;
    else l->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    close(c->fd);
    free(c->buf);
    free(c);
}

/* A short response written from the loop itself (errors, 100 Continue):
 * best effort, non-blocking, then the connection is closed if it was an error. */
static void loop_reply(http_conn *c, int status, const char *msg) {
    char buf[512];
    int n;
    if (status == 100) n = snprintf(buf, sizeof buf, "HTTP/1.1 100 Continue\r\n\r\n");
    else n = snprintf(buf, sizeof buf, "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s\n",
                      status, http_status_text(status), strlen(msg) + 1, msg);
    if (n > 0) (void)!send(c->fd, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (status != 100) conn_close(c);
}

/* Runs the handler for the complete request in c (on a worker, or inline). */
static void run_handler(http_conn *c) {
    http_server *s = c->loop->srv;
    http_request req = {0};
    req.method = c->head.method;
    req.method_len = c->head.method_len;
    const char *q = memchr(c->head.target, '?', c->head.target_len);
    req.path = c->head.target;
    req.path_len = q ? (size_t)(q - c->head.target) : c->head.target_len;
    req.query = q ? q + 1 : "";
    req.query_len = q ? c->head.target_len - req.path_len - 1 : 0;
    req.minor_version = c->head.minor_version;
    req.headers = c->headers;
    req.num_headers = c->head.num_headers;
    req.body = c->buf + c->head_len;
    req.body_len = c->body_len;
    req.peer = c->peer;
    s->cfg.handler(&req, &c->res, s->cfg.ud);
    http_response_finish(&c->res);
}

/* After a response: drop the request's bytes, keeping pipelined ones. */
static void conn_next_request(http_conn *c) {
    memmove(c->buf, c->buf + c->req_end, c->len - c->req_end);
    c->len -= c->req_end;
    c->state = CONN_HEAD;
    c->active_ms = http_now_ms();
    c->started_ms = 0;
}

/* Hands a complete request to a worker; or, with inline handlers, runs it
 * here and returns -1 if the connection is closed afterwards. */
static int dispatch(http_conn *c) {
    http_server *s = c->loop->srv;
    int head_only = c->head.method_len == 4 && !memcmp(c->head.method, "HEAD", 4);
    http_response_reset(&c->res, c, head_only, !c->keep_alive || c->peer_closed);
    if (s->cfg.inline_handlers) {
        run_handler(c);
        if (c->res.close_after || c->res.gone) { conn_close(c); return -1; }
        conn_next_request(c);
        return 0;
    }
    c->state = CONN_HANDLING;
    epoll_ctl(c->loop->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    pthread_mutex_lock(&s->mu);
    c->qnext = NULL;
    if (s->jobs_tail) s->jobs_tail->qnext = c;
    else s->jobs = c;
    s->jobs_tail = c;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return 0;
}

static int parse_size(const http_header *h, size_t *out) {
    size_t v = 0;
    if (h->value_len == 0 || h->value_len > 18) return -1;
    for (size_t i = 0; i < h->value_len; i++) {
        if (h->value[i] < '0' || h->value[i] > '9') return -1;
        v = v * 10 + (size_t)(h->value[i] - '0');
    }
    *out = v;
    return 0;
}

/* Looks at the framing headers of a freshly parsed head. Returns 0, or an
 * error status to answer with. */
static int examine_head(http_conn *c) {
    const http_header *h = c->headers;
    size_t n = c->head.num_headers;
    const http_header *te = http_find_header(h, n, "transfer-encoding");
    const http_header *conn = http_find_header(h, n, "connection");
    const http_header *expect = http_find_header(h, n, "expect");
    c->chunked = 0;
    c->content_length = 0;
    c->keep_alive = c->head.minor_version >= 1;
    if (conn && http_header_has_token(conn, "close")) c->keep_alive = 0;
    if (conn && http_header_has_token(conn, "keep-alive")) c->keep_alive = 1;
    /* Both framings, or several lengths, are how requests get smuggled. */
    size_t n_cl = 0;
    for (size_t i = 0; i < n; i++) {
        if (h[i].name_len != 14 || strncasecmp(h[i].name, "content-length", 14)) continue;
        size_t v;
        if (parse_size(&h[i], &v) || (n_cl && v != c->content_length)) return 400;
        c->content_length = v;
        n_cl++;
    }
    if (te) {
        if (n_cl || c->head.minor_version < 1) return 400;
        if (te->value_len != 7 || strncasecmp(te->value, "chunked", 7)) return 501;
        c->chunked = 1;
        memset(&c->ck, 0, sizeof c->ck);
    }
    if (c->content_length > c->loop->srv->cfg.max_body_bytes) return 413;
    c->expect_continue = expect && expect->value_len == 12 && !strncasecmp(expect->value, "100-continue", 12);
    c->sent_continue = 0;
    return 0;
}

/* Advances the connection's parse as far as the buffered bytes allow.
 * Returns -1 if the connection was closed (after an error reply). */
static int conn_process(http_conn *c) {
    const http_server_config *cfg = &c->loop->srv->cfg;
    while (c->state != CONN_HANDLING) {
        if (c->state == CONN_HEAD) {
            if (c->len == 0) return 0;
            if (!c->started_ms) c->started_ms = http_now_ms();
            c->head.num_headers = HTTP_MAX_HEADERS;
            c->head.headers = c->headers;
            int r = http_parse_request(c->buf, c->len, &c->head);
            if (r == HTTP_PARSE_INCOMPLETE) {
                if (c->len > cfg->max_header_bytes) { loop_reply(c, 431, "request header too large"); return -1; }
                return 0;
            }
            if (r == HTTP_PARSE_TOO_MANY_HEADERS || (r > 0 && (size_t)r > cfg->max_header_bytes)) {
                loop_reply(c, 431, "request header too large");
                return -1;
            }
            if (r < 0) { loop_reply(c, 400, "malformed request"); return -1; }
            c->head_len = (size_t)r;
            int status = examine_head(c);
            if (status) {
                loop_reply(c, status, status == 413 ? "request body too large" : status == 501 ? "transfer coding not supported" : "bad request framing");
                return -1;
            }
            c->state = CONN_BODY;
            c->body_len = 0;
            c->raw_pos = c->head_len;
        }
        int complete;
        if (c->chunked) {
            size_t out;
            long used = http_chunked_decode(&c->ck, c->buf + c->raw_pos, c->len - c->raw_pos, c->buf + c->head_len + c->body_len, &out, &complete);
            if (used < 0) { loop_reply(c, 400, "malformed chunked body"); return -1; }
            c->raw_pos += (size_t)used;
            c->body_len += out;
            if (c->body_len > cfg->max_body_bytes) { loop_reply(c, 413, "request body too large"); return -1; }
            c->req_end = c->raw_pos;
        } else {
            complete = c->len - c->head_len >= c->content_length;
            c->body_len = complete ? c->content_length : 0;
            c->req_end = c->head_len + c->content_length;
        }
        if (!complete) {
            if (c->expect_continue && !c->sent_continue) { c->sent_continue = 1; loop_reply(c, 100, ""); }
            return 0;
        }
        if (dispatch(c) < 0) return -1;
    }
    return 0;
}

/* Reads what the socket has; returns -1 when the connection was closed, 1
 * when the client has shut down its side (what it sent is still served). */
static int conn_read(http_conn *c) {
    const http_server_config *cfg = &c->loop->srv->cfg;
    size_t limit = cfg->max_header_bytes + cfg->max_body_bytes + 65536;
    for (;;) {
        if (c->len == c->cap) {
            if (c->cap >= limit) {
                loop_reply(c, c->state == CONN_HEAD ? 431 : 413, "request too large");
                return -1;
            }
            size_t cap = c->cap ? c->cap * 2 : 16384;
            if (cap > limit) cap = limit;
            char *b = realloc(c->buf, cap);
            if (!b) { conn_close(c); return -1; }
            c->buf = b;
            c->cap = cap;
            /* A head parsed before the body arrived points into the old
             * buffer: parse it again where it now lies (the parser is pure,
             * and the head's bytes are unchanged at the buffer's start). */
            if (c->state == CONN_BODY) {
                c->head.num_headers = HTTP_MAX_HEADERS;
                c->head.headers = c->headers;
                (void)http_parse_request(c->buf, c->head_len, &c->head);
            }
        }
        ssize_t n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
        if (n > 0) { c->len += (size_t)n; c->active_ms = http_now_ms(); continue; }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
        if (n == 0) { c->peer_closed = 1; return 1; }
        conn_close(c);
        return -1;
    }
}

static void loop_accept(http_loop *l) {
    for (;;) {
        struct sockaddr_storage sa;
        socklen_t sl = sizeof sa;
        int fd = accept4(l->listen_fd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            /* Out of descriptors: the pending connection stays readable, so
             * stop watching the socket for a moment instead of spinning. */
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                epoll_ctl(l->epfd, EPOLL_CTL_DEL, l->listen_fd, NULL);
                l->accept_paused_until = http_now_ms() + 100;
            }
            return;
        }
        http_conn *c = calloc(1, sizeof *c);
        if (!c) { close(fd); continue; }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* streamed tokens go out at once */
        c->fd = fd;
        c->loop = l;
        c->active_ms = http_now_ms();
        char host[INET6_ADDRSTRLEN] = "?", port[8] = "?";
        getnameinfo((struct sockaddr *)&sa, sl, host, sizeof host, port, sizeof port, NI_NUMERICHOST | NI_NUMERICSERV);
        snprintf(c->peer, sizeof c->peer, "%s:%s", host, port);
        c->next = l->conns;
        if (l->conns) l->conns->prev = c;
        l->conns = c;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
        if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev)) conn_close(c);
    }
}

/* Takes back connections whose handlers are done. */
static void loop_take_returned(http_loop *l) {
    uint64_t v;
    (void)!read(l->wake_fd, &v, sizeof v);
    pthread_mutex_lock(&l->mu);
    http_conn *c = l->returned;
    l->returned = NULL;
    pthread_mutex_unlock(&l->mu);
    while (c) {
        http_conn *next = c->qnext;
        if (c->res.close_after || c->res.gone) {
            conn_close(c);
        } else {
            conn_next_request(c);
            struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
            if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, c->fd, &ev)) conn_close(c);
            else if (conn_process(c) == 0 && c->peer_closed && c->state != CONN_HANDLING) conn_close(c);
        }
        c = next;
    }
}

static void loop_timeouts(http_loop *l) {
    const http_server_config *cfg = &l->srv->cfg;
    long long now = http_now_ms();
    for (http_conn *c = l->conns, *next; c; c = next) {
        next = c->next;
        if (c->state == CONN_HANDLING) continue;
        if (c->started_ms && now - c->started_ms > cfg->header_timeout_ms) loop_reply(c, 408, "request not received in time");
        else if (!c->started_ms && now - c->active_ms > cfg->idle_timeout_ms) conn_close(c);
    }
}

static void *loop_main(void *arg) {
    http_loop *l = arg;
    struct epoll_event evs[64];
    long long last_sweep = http_now_ms();
    while (!atomic_load(&l->srv->stopping)) {
        int n = epoll_wait(l->epfd, evs, 64, l->accept_paused_until ? 50 : 250);
        for (int i = 0; i < n; i++) {
            void *p = evs[i].data.ptr;
            if (p == &l->listen_fd) loop_accept(l);
            else if (p == &l->wake_fd) loop_take_returned(l);
            else {
                http_conn *c = p;
                /* While a worker runs its handler the connection's buffer is
                 * the worker's: never read into (and so move) it meanwhile.
                 * Its fd is out of epoll then, and the loop reads again when
                 * it takes the connection back. */
                if (c->state == CONN_HANDLING) continue;
                int r = conn_read(c);
                if (r < 0 || conn_process(c) < 0) continue;
                /* Half-closed and nothing dispatched: no request can complete now. */
                if (r == 1 && c->state != CONN_HANDLING) conn_close(c);
            }
        }
        long long now = http_now_ms();
        if (now - last_sweep >= 250) { loop_timeouts(l); last_sweep = now; }
        if (l->accept_paused_until && now >= l->accept_paused_until) {
            struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &l->listen_fd};
            epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->listen_fd, &ev);
            l->accept_paused_until = 0;
        }
    }
    return NULL;
}

/* ---- workers ---- */

static void *worker_main(void *arg) {
    http_server *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        while (!s->jobs && !s->workers_stop) pthread_cond_wait(&s->cv, &s->mu);
        http_conn *c = s->jobs;
        if (!c) { pthread_mutex_unlock(&s->mu); return NULL; }
        s->jobs = c->qnext;
        if (!s->jobs) s->jobs_tail = NULL;
        pthread_mutex_unlock(&s->mu);

        run_handler(c);
        http_loop *l = c->loop;
        pthread_mutex_lock(&l->mu);
        c->qnext = l->returned;
        l->returned = c;
        pthread_mutex_unlock(&l->mu);
        uint64_t one = 1;
        (void)!write(l->wake_fd, &one, sizeof one);
    }
}

/* ---- setup ---- */

static int split_listen(const char *listen, char *host, size_t hostlen, char *port, size_t portlen) {
    const char *colon = strrchr(listen, ':');
    if (!colon) return -1;
    size_t hl = (size_t)(colon - listen);
    if (hl && listen[0] == '[' && listen[hl - 1] == ']') { listen++; hl -= 2; }
    if (hl >= hostlen || strlen(colon + 1) >= portlen || !colon[1]) return -1;
    memcpy(host, listen, hl);
    host[hl] = 0;
    strcpy(port, colon + 1);
    return 0;
}

static int open_listener(const char *host, const char *port, char *err, size_t errlen) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV}, *ai;
    int rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
    if (rc) { snprintf(err, errlen, "cannot resolve listen address %s:%s: %s", host, port, gai_strerror(rc)); return -1; }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    }
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 1024)) {
        snprintf(err, errlen, "cannot listen on %s:%s: %s", host, port, strerror(errno));
        if (fd >= 0) close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

static int bound_port(int fd) {
    struct sockaddr_storage sa;
    socklen_t sl = sizeof sa;
    if (getsockname(fd, (struct sockaddr *)&sa, &sl)) return -1;
    return ntohs(sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&sa)->sin6_port : ((struct sockaddr_in *)&sa)->sin_port);
}

http_server *http_server_new(const http_server_config *cfg, char *err, size_t errlen) {
    http_server *s = calloc(1, sizeof *s);
    if (!s) { snprintf(err, errlen, "out of memory"); return NULL; }
    s->cfg = *cfg;
    if (!s->cfg.max_header_bytes) s->cfg.max_header_bytes = 64 * 1024;
    if (!s->cfg.max_body_bytes) s->cfg.max_body_bytes = 64u << 20;
    if (!s->cfg.header_timeout_ms) s->cfg.header_timeout_ms = 30000;
    if (!s->cfg.idle_timeout_ms) s->cfg.idle_timeout_ms = 60000;
    if (!s->cfg.write_timeout_ms) s->cfg.write_timeout_ms = 60000;
    s->n_loops = cfg->loops > 0 ? cfg->loops : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (s->n_loops < 1) s->n_loops = 1;
    s->n_workers = cfg->workers > 0 ? cfg->workers : 64;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    s->loops = calloc((size_t)s->n_loops, sizeof *s->loops);
    char host[256], port[16];
    if (!s->loops) { snprintf(err, errlen, "out of memory"); goto bad; }
    for (int i = 0; i < s->n_loops; i++) {
        s->loops[i].listen_fd = s->loops[i].epfd = s->loops[i].wake_fd = -1;
        pthread_mutex_init(&s->loops[i].mu, NULL);
    }
    if (!cfg->listen || split_listen(cfg->listen, host, sizeof host, port, sizeof port)) {
        snprintf(err, errlen, "listen address '%s' is not HOST:PORT", cfg->listen ? cfg->listen : "");
        goto bad;
    }
    for (int i = 0; i < s->n_loops; i++) {
        http_loop *l = &s->loops[i];
        l->srv = s;
        l->listen_fd = open_listener(host, port, err, errlen);
        if (l->listen_fd < 0) goto bad;
        if (i == 0) { /* with port 0, the other loops share the port the first got */
            s->port = bound_port(l->listen_fd);
            snprintf(port, sizeof port, "%d", s->port);
        }
        l->epfd = epoll_create1(EPOLL_CLOEXEC);
        l->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (l->epfd < 0 || l->wake_fd < 0) { snprintf(err, errlen, "epoll/eventfd: %s", strerror(errno)); goto bad; }
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &l->listen_fd};
        epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->listen_fd, &ev);
        ev.data.ptr = &l->wake_fd;
        epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->wake_fd, &ev);
    }
    return s;
bad:
    http_server_free(s);
    return NULL;
}

int http_server_port(const http_server *s) { return s->port; }

int http_server_run(http_server *s) {
    s->workers = calloc((size_t)s->n_workers, sizeof *s->workers);
    if (!s->workers) return -1;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 1u << 20);
    int started_workers = 0;
    for (; started_workers < s->n_workers; started_workers++)
        if (pthread_create(&s->workers[started_workers], &attr, worker_main, s)) break;
    pthread_attr_destroy(&attr);
    for (int i = 1; i < s->n_loops; i++) pthread_create(&s->loops[i].thread, NULL, loop_main, &s->loops[i]);
    loop_main(&s->loops[0]);
    for (int i = 1; i < s->n_loops; i++) pthread_join(s->loops[i].thread, NULL);
    /* Let running handlers finish; queued requests are dropped. */
    pthread_mutex_lock(&s->mu);
    s->workers_stop = 1;
    s->jobs = s->jobs_tail = NULL;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    for (int i = 0; i < started_workers; i++) pthread_join(s->workers[i], NULL);
    return 0;
}

void http_server_stop(http_server *s) {
    atomic_store(&s->stopping, 1);
    uint64_t one = 1;
    for (int i = 0; i < s->n_loops; i++)
        if (s->loops[i].wake_fd >= 0) (void)!write(s->loops[i].wake_fd, &one, sizeof one);
}

void http_server_free(http_server *s) {
    if (!s) return;
    for (int i = 0; s->loops && i < s->n_loops; i++) {
        http_loop *l = &s->loops[i];
        while (l->conns) conn_close(l->conns);
        if (l->listen_fd >= 0) close(l->listen_fd);
        if (l->epfd >= 0) close(l->epfd);
        if (l->wake_fd >= 0) close(l->wake_fd);
        pthread_mutex_destroy(&l->mu);
    }
    free(s->loops);
    free(s->workers);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free(s);
}
