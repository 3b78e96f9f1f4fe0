/* oci_http.c — a minimal HTTP/1.1 client for registry traffic (see
 * oci_http.h). Written here rather than using libcurl so that the runtime
 * image can link OpenSSL statically: Debian ships no static libcurl with
 * its dependencies. One connection per request keeps it simple; registry
 * pushes and pulls are a handful of requests. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "app/dl_openssl.h"
#include "app/oci_http.h"

typedef struct conn {
    int fd;
    SSL_CTX *ctx;
    SSL *ssl;
} conn;

bool oci_url_split(const char *url, char *scheme, size_t ss, char *host, size_t hs, int *port, char *path,
                   size_t ps) {
    const char *p = strstr(url, "://");
    if (!p || (size_t)(p - url) >= ss) return false;
    snprintf(scheme, ss, "%.*s", (int)(p - url), url);
    if (strcmp(scheme, "http") && strcmp(scheme, "https")) return false;
    p += 3;
    const char *end = p + strcspn(p, "/?");
    const char *hend, *colon = NULL;
    if (*p == '[') {
        hend = memchr(p, ']', (size_t)(end - p));
        if (!hend) return false;
        if ((size_t)(hend - p - 1) >= hs) return false;
        snprintf(host, hs, "%.*s", (int)(hend - p - 1), p + 1);
        if (hend + 1 < end && hend[1] == ':') colon = hend + 1;
    } else {
        colon = memchr(p, ':', (size_t)(end - p));
        hend = colon ? colon : end;
        if (hend == p || (size_t)(hend - p) >= hs) return false;
        snprintf(host, hs, "%.*s", (int)(hend - p), p);
    }
    *port = !strcmp(scheme, "https") ? 443 : 80;
    if (colon) {
        char *e;
        long v = strtol(colon + 1, &e, 10);
        if (e != end || v <= 0 || v > 65535) return false;
        *port = (int)v;
    }
    if (strlen(end) + 2 > ps) return false;
    snprintf(path, ps, "%s%s", *end == '/' ? "" : "/", end);
    return true;
}

static void tls_error(const char *what, char *err, size_t errlen) {
    unsigned long e = aw_crypto.ERR_get_error();
    char buf[256] = "";
    if (e) aw_crypto.ERR_error_string_n(e, buf, sizeof buf);
    snprintf(err, errlen, "%s%s%s", what, buf[0] ? ": " : "", buf);
}

/* Trust: the given bundle, else SSL_CERT_FILE, else OpenSSL's defaults plus
 * Debian's bundle path (the static build's compiled-in OPENSSLDIR may not
 * exist in a minimal image). */
static bool tls_setup(conn *c, const oci_http_conf *cf, const char *host, char *err, size_t errlen) {
    if (!aw_ssl_load(err, errlen)) return false;
    c->ctx = aw_ssl.SSL_CTX_new(aw_ssl.TLS_client_method());
    if (!c->ctx) return tls_error("TLS setup", err, errlen), false;
    aw_ssl.SSL_CTX_ctrl(c->ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, NULL); /* SSL_CTX_set_min_proto_version */
    aw_ssl.SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
    const char *bundle = cf->ca_file ? cf->ca_file : getenv("SSL_CERT_FILE");
    if (bundle) {
        if (aw_ssl.SSL_CTX_load_verify_locations(c->ctx, bundle, NULL) != 1) {
            char what[600];
            snprintf(what, sizeof what, "cannot load CA certificates from %s", bundle);
            return tls_error(what, err, errlen), false;
        }
    } else {
        aw_ssl.SSL_CTX_set_default_verify_paths(c->ctx);
        if (access("/etc/ssl/certs/ca-certificates.crt", R_OK) == 0)
            aw_ssl.SSL_CTX_load_verify_locations(c->ctx, "/etc/ssl/certs/ca-certificates.crt", NULL);
        aw_crypto.ERR_clear_error();
    }
    c->ssl = aw_ssl.SSL_new(c->ctx);
    if (!c->ssl) return tls_error("TLS setup", err, errlen), false;
    aw_ssl.SSL_ctrl(c->ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, (void *)host); /* SSL_set_tlsext_host_name */
    aw_ssl.SSL_set1_host(c->ssl, host); /* checks the certificate names the host (or IP) */
    aw_ssl.SSL_set_fd(c->ssl, c->fd);
    if (aw_ssl.SSL_connect(c->ssl) != 1) {
        long v = aw_ssl.SSL_get_verify_result(c->ssl);
        char what[600];
        if (v != X509_V_OK)
            snprintf(what, sizeof what, "TLS to %s: certificate not trusted (%s); pass --ca-file or set SSL_CERT_FILE",
                     host, aw_crypto.X509_verify_cert_error_string(v));
        else
            snprintf(what, sizeof what, "TLS handshake with %s failed", host);
        return tls_error(what, err, errlen), false;
    }
    return true;
}

static bool dial(conn *c, const char *host, int port, int timeout_s, char *err, size_t errlen) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res, *ai;
    char ports[16];
    snprintf(ports, sizeof ports, "%d", port);
    int rc = getaddrinfo(host, ports, &hints, &res);
    if (rc) {
        snprintf(err, errlen, "cannot resolve %s: %s", host, gai_strerror(rc));
        return false;
    }
    int saved = 0;
    for (ai = res; ai; ai = ai->ai_next) {
        c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (c->fd < 0) continue;
        struct timeval tv = {.tv_sec = timeout_s};
        setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
        saved = errno;
        close(c->fd);
        c->fd = -1;
    }
    freeaddrinfo(res);
    if (c->fd < 0) snprintf(err, errlen, "cannot connect to %s:%d: %s", host, port, strerror(saved));
    return c->fd >= 0;
}

static bool send_all(conn *c, const void *p, size_t n) {
    const char *b = p;
    while (n) {
        ssize_t k;
        if (c->ssl) {
            int w = aw_ssl.SSL_write(c->ssl, b, n > 1 << 30 ? 1 << 30 : (int)n);
            k = w > 0 ? w : -1;
        } else {
            k = send(c->fd, b, n, MSG_NOSIGNAL);
            if (k < 0 && errno == EINTR) continue;
        }
        if (k <= 0) return false;
        b += k, n -= (size_t)k;
    }
    return true;
}

static ssize_t recv_some(conn *c, void *p, size_t n) {
    if (c->ssl) {
        int r = aw_ssl.SSL_read(c->ssl, p, n > 1 << 30 ? 1 << 30 : (int)n);
        if (r > 0) return r;
        int e = aw_ssl.SSL_get_error(c->ssl, r);
        return e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL ? 0 : -1;
    }
    ssize_t k;
    do k = recv(c->fd, p, n, 0);
    while (k < 0 && errno == EINTR);
    return k;
}

/* Reads the whole response (the server closes the connection after it). */
static bool read_all(conn *c, size_t max, uint8_t **out, size_t *len) {
    size_t cap = 16384, n = 0;
    uint8_t *b = malloc(cap + 1);
    for (;;) {
        if (!b) return false;
        if (n == cap) {
            if (cap > max + 65536) { free(b); return false; }
            uint8_t *nb = realloc(b, cap * 2 + 1);
            if (!nb) { free(b); return false; }
            b = nb, cap *= 2;
        }
        ssize_t k = recv_some(c, b + n, cap - n);
        if (k < 0) { free(b); return false; }
        if (k == 0) break;
        n += (size_t)k;
    }
    b[n] = 0;
    *out = b, *len = n;
    return true;
}

/* Decodes a chunked body in place; false if malformed or truncated. */
static bool dechunk(uint8_t *b, size_t n, size_t *outlen) {
    size_t r = 0, w = 0;
    for (;;) {
        char *end;
        if (r >= n) return false;
        unsigned long long sz = strtoull((char *)b + r, &end, 16);
        const char *nl = memchr(b + r, '\n', n - r);
        if (!nl || end == (char *)b + r) return false;
        r = (size_t)((const uint8_t *)nl - b) + 1;
        if (sz == 0) break;
        if (sz > n - r) return false;
        memmove(b + w, b + r, sz);
        w += sz, r += sz;
        if (r + 2 <= n && b[r] == '\r') r++;
        if (r < n && b[r] == '\n') r++;
    }
    *outlen = w;
    return true;
}

bool oci_http_header(const oci_http_resp *r, const char *name, char *buf, size_t size) {
    size_t nl = strlen(name);
    for (const char *p = r->headers ? strchr(r->headers, '\n') : NULL; p && p[1]; p = strchr(p + 1, '\n')) {
        const char *line = p + 1;
        if (!strncasecmp(line, name, nl) && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (*v == ' ' || *v == '\t') v++;
            size_t vl = strcspn(v, "\r\n");
            if (vl >= size) vl = size - 1;
            memcpy(buf, v, vl);
            buf[vl] = 0;
            return true;
        }
    }
    return false;
}

static bool parse_response(uint8_t *raw, size_t n, bool head, oci_http_resp *out) {
    uint8_t *sep = NULL;
    for (size_t i = 0; i + 3 < n; i++)
        if (!memcmp(raw + i, "\r\n\r\n", 4)) { sep = raw + i; break; }
    if (!sep || n < 12 || memcmp(raw, "HTTP/1.", 7)) return false;
    size_t hlen = (size_t)(sep - raw) + 2;
    out->headers = malloc(hlen + 1);
    if (!out->headers) return false;
    memcpy(out->headers, raw, hlen);
    out->headers[hlen] = 0;
    out->status = atoi((char *)raw + 9);
    size_t blen = head ? 0 : n - hlen - 2;
    memmove(raw, sep + 4, blen);
    char v[64];
    if (!head && oci_http_header(out, "Transfer-Encoding", v, sizeof v) && strcasestr(v, "chunked")) {
        if (!dechunk(raw, blen, &blen)) return false;
    } else if (!head && oci_http_header(out, "Content-Length", v, sizeof v)) {
        unsigned long long cl = strtoull(v, NULL, 10);
        if (cl > blen) return false; /* truncated */
        blen = (size_t)cl;
    }
    raw[blen] = 0;
    out->body = raw, out->len = blen;
    return true;
}

bool oci_http_do(const oci_http_conf *cf, const char *method, const char *url, const char *const *headers,
                 const void *body, size_t blen, oci_http_resp *out, char *err, size_t errlen) {
    char scheme[8], host[256], path[4096];
    int port;
    memset(out, 0, sizeof *out);
    if (!oci_url_split(url, scheme, sizeof scheme, host, sizeof host, &port, path, sizeof path)) {
        snprintf(err, errlen, "bad URL '%s'", url);
        return false;
    }
    conn c = {.fd = -1};
    bool ok = false;
    uint8_t *raw = NULL;
    size_t n = 0;
    if (!dial(&c, host, port, cf->timeout_s ? cf->timeout_s : 60, err, errlen)) goto done;
    if (!strcmp(scheme, "https") && !tls_setup(&c, cf, host, err, errlen)) goto done;
    bool v6 = strchr(host, ':') != NULL, dflt = port == (strcmp(scheme, "https") ? 80 : 443);
    char hosthdr[300];
    snprintf(hosthdr, sizeof hosthdr, "%s%s%s", v6 ? "[" : "", host, v6 ? "]" : "");
    if (!dflt) snprintf(hosthdr + strlen(hosthdr), sizeof hosthdr - strlen(hosthdr), ":%d", port);
    size_t cap = 8192 + strlen(path), used;
    for (const char *const *h = headers; h && *h; h++) cap += strlen(*h) + 2;
    char *req = malloc(cap);
    if (!req) { snprintf(err, errlen, "out of memory"); goto done; }
    used = (size_t)snprintf(req, cap, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: anywhere/0.1\r\nConnection: close\r\n",
                            method, path, hosthdr);
    for (const char *const *h = headers; h && *h; h++) used += (size_t)snprintf(req + used, cap - used, "%s\r\n", *h);
    if (body || !strcmp(method, "PUT") || !strcmp(method, "POST"))
        used += (size_t)snprintf(req + used, cap - used, "Content-Length: %zu\r\n", blen);
    used += (size_t)snprintf(req + used, cap - used, "\r\n");
    bool sent = send_all(&c, req, used) && (!blen || send_all(&c, body, blen));
    free(req);
    if (!sent) { snprintf(err, errlen, "%s %s: connection lost while sending", method, url); goto done; }
    if (!read_all(&c, cf->max_body ? cf->max_body : (size_t)1 << 30, &raw, &n)) {
        snprintf(err, errlen, "%s %s: %s", method, url, errno == EAGAIN ? "timed out" : "reading the response failed");
        goto done;
    }
    if (!parse_response(raw, n, !strcmp(method, "HEAD"), out)) {
        snprintf(err, errlen, "%s %s: malformed or truncated HTTP response", method, url);
        free(out->headers);
        free(raw);
        memset(out, 0, sizeof *out);
        goto done;
    }
    ok = true;
done:
    if (c.ssl) { aw_ssl.SSL_shutdown(c.ssl); aw_ssl.SSL_free(c.ssl); }
    if (c.ctx) aw_ssl.SSL_CTX_free(c.ctx);
    if (c.fd >= 0) close(c.fd);
    return ok;
}

void oci_http_resp_free(oci_http_resp *r) {
    free(r->headers);
    free(r->body);
    memset(r, 0, sizeof *r);
}
