/* http_response.c — the handler's side of an exchange: status line, headers,
 * whole or chunked bodies, written by the worker thread that owns the
 * connection while its handler runs. Writes block (with a timeout) rather
 * than buffer without bound, so a slow reader slows only its own handler. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "http/http_internal.h"

const char *http_status_text(int status) {
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 409: return "Conflict";
    case 418: return "I'm a teapot";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
    }
}

void http_response_reset(http_response *r, http_conn *c, int head_only, int close_after) {
    memset(r, 0, sizeof *r);
    r->conn = c;
    r->head_only = head_only;
    r->close_after = close_after;
}

int http_client_gone(http_response *r) {
    if (r->gone) return 1;
    /* A client that half-closed after its request (shutdown(SHUT_WR)) still
     * reads the answer: for it only an error or a full hang-up counts. */
    short gone_mask = r->conn->peer_closed ? (POLLHUP | POLLERR) : (POLLRDHUP | POLLHUP | POLLERR);
    struct pollfd p = {.fd = r->conn->fd, .events = POLLRDHUP};
    if (poll(&p, 1, 0) > 0 && (p.revents & gone_mask)) r->gone = 1;
    return r->gone;
}

int http_server_stopping(const http_response *r) { return atomic_load(&r->conn->loop->srv->stopping); }

/* Writes all of iov, waiting for the socket up to the write timeout. */
static int send_all(http_response *r, struct iovec *iov, int n) {
    if (r->gone) return -1;
    int timeout = r->conn->loop->srv->cfg.write_timeout_ms;
    while (n > 0) {
        struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)n};
        ssize_t w = sendmsg(r->conn->fd, &m, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                struct pollfd p = {.fd = r->conn->fd, .events = POLLOUT};
                if (poll(&p, 1, timeout) > 0 && !(p.revents & (POLLERR | POLLHUP))) continue;
            }
            r->gone = 1;
            return -1;
        }
        while (n > 0 && (size_t)w >= iov->iov_len) { w -= (ssize_t)iov->iov_len; iov++; n--; }
        if (n > 0) { iov->iov_base = (char *)iov->iov_base + w; iov->iov_len -= (size_t)w; }
    }
    return 0;
}

void http_response_header(http_response *r, const char *name, const char *value) {
    if (r->started) return;
    int k = snprintf(r->extra + r->extra_len, sizeof r->extra - r->extra_len, "%s: %s\r\n", name, value);
    if (k > 0 && (size_t)k < sizeof r->extra - r->extra_len) r->extra_len += (size_t)k;
}

static int send_head(http_response *r, int status, const char *ctype, const char *framing) {
    char head[512];
    int k = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\n%s%s%s%s%s\r\n", status, http_status_text(status),
                     ctype ? "Content-Type: " : "", ctype ? ctype : "", ctype ? "\r\n" : "", framing,
                     r->close_after ? "Connection: close\r\n"
                     : r->conn->head.minor_version == 0 ? "Connection: keep-alive\r\n" /* 1.0 closes unless told */
                                                        : "");
    if (k < 0 || (size_t)k >= sizeof head) return -1;
    /* The blank line goes after the extra headers. */
    struct iovec iov[3] = {{head, (size_t)k - 2}, {r->extra, r->extra_len}, {"\r\n", 2}};
    r->started = 1;
    return send_all(r, iov, 3);
}

int http_respond(http_response *r, int status, const char *ctype, const void *body, size_t len) {
    if (r->started) return -1;
    char framing[64];
    snprintf(framing, sizeof framing, "Content-Length: %zu\r\n", len);
    int rc = send_head(r, status, ctype, framing);
    if (rc == 0 && len && !r->head_only) {
        struct iovec iov = {(void *)body, len};
        rc = send_all(r, &iov, 1);
    }
    r->finished = 1;
    return rc;
}

int http_stream_start(http_response *r, int status, const char *ctype) {
    if (r->started) return -1;
    /* HTTP/1.0 clients cannot read chunks: the body ends when we close. */
    r->chunked = r->conn->head.minor_version >= 1;
    if (!r->chunked) r->close_after = 1;
    return send_head(r, status, ctype, r->chunked ? "Transfer-Encoding: chunked\r\nCache-Control: no-cache\r\n" : "");
}

int http_stream_write(http_response *r, const void *data, size_t len) {
    if (!r->started || r->finished) return -1;
    if (len == 0 || r->head_only) return http_client_gone(r) ? -1 : 0;
    if (!r->chunked) {
        struct iovec iov = {(void *)data, len};
        return send_all(r, &iov, 1);
    }
    char size[24];
    int k = snprintf(size, sizeof size, "%zx\r\n", len);
    struct iovec iov[3] = {{size, (size_t)k}, {(void *)data, len}, {"\r\n", 2}};
    return send_all(r, iov, 3);
}

int http_stream_end(http_response *r) {
    if (!r->started || r->finished) return -1;
    r->finished = 1;
    if (!r->chunked || r->head_only) return r->gone ? -1 : 0;
    struct iovec iov = {"0\r\n\r\n", 5};
    return send_all(r, &iov, 1);
}

void http_response_finish(http_response *r) {
    if (!r->started) {
        static const char msg[] = "handler sent no response\n";
        http_respond(r, 500, "text/plain", msg, sizeof msg - 1);
    } else if (!r->finished) {
        http_stream_end(r);
    }
}
