/* http_parse.c — the request-head parser: a pure function over a buffer, in
 * the manner of picohttpparser. It accepts what RFC 9112 requires a server to
 * accept (CRLF or bare LF line ends, leading empty lines) and rejects what
 * enables request smuggling (obsolete line folding, control characters,
 * whitespace before the colon). */
#include <string.h>

#include "http/http.h"

static int is_tchar(unsigned char c) { /* RFC 9110 token characters */
    if (c >= '0' && c <= '9') return 1;
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return 1;
    return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int is_vchar_or_obs(unsigned char c) { return c > 0x20 && c != 0x7f; }

/* Finds the end of the line starting at p: returns a pointer past its line
 * ending and stores the content end, or NULL if the buffer ends first. */
static const char *line_end(const char *p, const char *end, const char **content_end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl) return NULL;
    *content_end = (nl > p && nl[-1] == '\r') ? nl - 1 : nl;
    return nl + 1;
}

int http_parse_request(const char *buf, size_t len, http_request_head *req) {
    const char *p = buf, *end = buf + len, *ce;
    size_t cap = req->num_headers;
    req->num_headers = 0;
    /* RFC 9112 2.2: ignore at least one empty line before the request line. */
    while (p < end && (*p == '\r' || *p == '\n')) {
        if (*p == '\r' && (p + 1 == end || p[1] != '\n')) return p + 1 == end ? HTTP_PARSE_INCOMPLETE : HTTP_PARSE_ERROR;
        p += *p == '\r' ? 2 : 1;
    }
    const char *next = line_end(p, end, &ce);
    if (!next) return HTTP_PARSE_INCOMPLETE;
    /* request-line = method SP request-target SP HTTP-version */
    const char *q = p;
    while (q < ce && is_tchar((unsigned char)*q)) q++;
    if (q == p || q == ce || *q != ' ') return HTTP_PARSE_ERROR;
    req->method = p;
    req->method_len = (size_t)(q - p);
    p = ++q;
    while (q < ce && is_vchar_or_obs((unsigned char)*q)) q++;
    if (q == p || q == ce || *q != ' ') return HTTP_PARSE_ERROR;
    req->target = p;
    req->target_len = (size_t)(q - p);
    p = q + 1;
    if (ce - p != 8 || memcmp(p, "HTTP/1.", 7) != 0 || p[7] < '0' || p[7] > '9') return HTTP_PARSE_ERROR;
    req->minor_version = p[7] - '0';
    for (p = next;;) {
        next = line_end(p, end, &ce);
        if (!next) return HTTP_PARSE_INCOMPLETE;
        if (ce == p) return (int)(next - buf); /* the blank line: head complete */
        if (*p == ' ' || *p == '\t') return HTTP_PARSE_ERROR; /* obs-fold */
        q = p;
        while (q < ce && is_tchar((unsigned char)*q)) q++;
        if (q == p || q == ce || *q != ':') return HTTP_PARSE_ERROR;
        if (req->num_headers == cap) return HTTP_PARSE_TOO_MANY_HEADERS;
        http_header *h = &req->headers[req->num_headers++];
        h->name = p;
        h->name_len = (size_t)(q - p);
        q++;
        while (q < ce && (*q == ' ' || *q == '\t')) q++;
        const char *v = q, *vend = ce;
        while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t')) vend--;
        for (const char *c = v; c < vend; c++)
            if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f) return HTTP_PARSE_ERROR;
        h->value = v;
        h->value_len = (size_t)(vend - v);
        p = next;
    }
}

static int ieq(const char *a, size_t n, const char *b) {
    if (strlen(b) != n) return 0;
    for (size_t i = 0; i < n; i++)
        if ((a[i] | 0x20) != (b[i] | 0x20)) return 0;
    return 1;
}

const http_header *http_find_header(const http_header *h, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (ieq(h[i].name, h[i].name_len, name)) return &h[i];
    return NULL;
}

int http_header_has_token(const http_header *h, const char *token) {
    const char *p = h->value, *end = h->value + h->value_len;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == ',')) p++;
        const char *s = p;
        while (p < end && *p != ',') p++;
        const char *e = p;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t')) e--;
        if (e > s && ieq(s, (size_t)(e - s), token)) return 1;
    }
    return 0;
}
