/* anywhere.c — the C guest SDK (see anywhere.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anywhere.h"


static char *fetch(int32_t (*get)(int32_t, int32_t, void *, int32_t), int part, int index, size_t *out_len) {
    char small[256];
    int32_t n = get(part, index, small, sizeof small);
    if (n < 0) return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s) return NULL;
    if ((size_t)n <= sizeof small) memcpy(s, small, (size_t)n);
    else get(part, index, s, n);
    s[n] = 0;
    if (out_len) *out_len = (size_t)n;
    return s;
}

char *anywhere_get(int part, int index, size_t *len) { return fetch(anywhere_abi_request_get, part, index, len); }

const char *anywhere_method(void) { return anywhere_get(ANYWHERE_METHOD, 0, NULL); }
const char *anywhere_path(void) { return anywhere_get(ANYWHERE_PATH, 0, NULL); }
const char *anywhere_query(void) { return anywhere_get(ANYWHERE_QUERY, 0, NULL); }
const char *anywhere_path_info(void) { return anywhere_get(ANYWHERE_PATH_INFO, 0, NULL); }
const char *anywhere_full_url(void) { return anywhere_get(ANYWHERE_FULL_URL, 0, NULL); }
const char *anywhere_matched_route(void) { return anywhere_get(ANYWHERE_MATCHED_ROUTE, 0, NULL); }
const char *anywhere_client_addr(void) { return anywhere_get(ANYWHERE_CLIENT_ADDR, 0, NULL); }
int anywhere_header_count(void) { return anywhere_abi_request_get(ANYWHERE_HEADER_COUNT, 0, NULL, 0); }

static const char *named(int32_t (*get)(const char *, int32_t, void *, int32_t), const char *name) {
    char small[256];
    int32_t len = (int32_t)strlen(name);
    int32_t n = get(name, len, small, sizeof small);
    if (n < 0) return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s) return NULL;
    if ((size_t)n <= sizeof small) memcpy(s, small, (size_t)n);
    else get(name, len, s, n);
    s[n] = 0;
    return s;
}

const char *anywhere_header_get(const char *name) { return named(anywhere_abi_request_header, name); }
const char *anywhere_param(const char *name) { return named(anywhere_abi_request_param, name); }

const char *anywhere_body(size_t *len) {
    int32_t n = anywhere_abi_request_get(ANYWHERE_BODY_LENGTH, 0, NULL, 0);
    char *s = malloc((size_t)n + 1);
    if (!s) return NULL;
    anywhere_abi_request_get(ANYWHERE_BODY, 0, s, n);
    s[n] = 0;
    if (len) *len = (size_t)n;
    return s;
}

static int hex(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static char *decode(const char *s, size_t n) {
    char *out = malloc(n + 1), *o = out;
    if (!out) return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
            *o++ = (char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 2;
        } else {
            *o++ = s[i] == '+' ? ' ' : s[i];
        }
    }
    *o = 0;
    return out;
}

const char *anywhere_query_get(const char *name) {
    const char *q = anywhere_query();
    size_t nl = strlen(name);
    for (const char *p = q; p && *p;) {
        const char *amp = strchr(p, '&');
        size_t n = amp ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        size_t kl = eq ? (size_t)(eq - p) : n;
        if (kl == nl && !memcmp(p, name, nl)) return eq ? decode(eq + 1, n - kl - 1) : decode("", 0);
        p += n + (amp != NULL);
    }
    return NULL;
}

void anywhere_status(int status) { anywhere_abi_response_status(status); }

int anywhere_header(const char *name, const char *value) {
    return anywhere_abi_response_header(name, (int32_t)strlen(name), value, (int32_t)strlen(value));
}

void anywhere_write(const void *data, size_t len) { anywhere_abi_response_write(data, (int32_t)len); }
void anywhere_write_str(const char *s) { anywhere_write(s, strlen(s)); }

void anywhere_printf(const char *fmt, ...) {
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        anywhere_write(small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) return;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    anywhere_write(big, (size_t)n);
    free(big);
}
