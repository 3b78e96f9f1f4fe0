/* anywhere.c — the C guest SDK (see anywhere.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

int anywhere_flush(void) { return anywhere_abi_response_flush() == 0 ? 0 : -1; }

/* ==== capabilities ===================================================== */

const char *anywhere_error(void) {
    char small[256];
    int32_t n = anywhere_abi_last_error(small, sizeof small);
    char *s = malloc((size_t)n + 1);
    if (!s) return "";
    if ((size_t)n <= sizeof small) memcpy(s, small, (size_t)n);
    else anywhere_abi_last_error(s, n);
    s[n] = 0;
    return s;
}

const char *anywhere_variable(const char *name) { return named(anywhere_abi_variable_get, name); }

int anywhere_kv_open(const char *name) { return anywhere_abi_kv_open(name, (int32_t)strlen(name)); }

char *anywhere_kv_get(int store, const char *key, size_t *len, int *err) {
    char small[256];
    int32_t kl = (int32_t)strlen(key);
    int32_t n = anywhere_abi_kv_get(store, key, kl, small, sizeof small);
    if (err) *err = n < 0 ? n : 0;
    if (n < 0) return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s) return NULL;
    if ((size_t)n <= sizeof small) memcpy(s, small, (size_t)n);
    else anywhere_abi_kv_get(store, key, kl, s, n); /* the host kept the value for this retry */
    s[n] = 0;
    if (len) *len = (size_t)n;
    return s;
}

int anywhere_kv_set(int store, const char *key, const void *value, size_t len) {
    return anywhere_abi_kv_set(store, key, (int32_t)strlen(key), value, (int32_t)len);
}
int anywhere_kv_set_str(int store, const char *key, const char *value) { return anywhere_kv_set(store, key, value, strlen(value)); }
int anywhere_kv_delete(int store, const char *key) { return anywhere_abi_kv_delete(store, key, (int32_t)strlen(key)); }
int anywhere_kv_exists(int store, const char *key) { return anywhere_abi_kv_exists(store, key, (int32_t)strlen(key)); }
void anywhere_kv_close(int store) { anywhere_abi_kv_close(store); }

char **anywhere_kv_keys(int store, size_t *count) {
    char small[512];
    int32_t n = anywhere_abi_kv_get_keys(store, small, sizeof small);
    if (n < 0) return NULL;
    char *list = malloc((size_t)n + 1);
    if (!list) return NULL;
    if ((size_t)n <= sizeof small) memcpy(list, small, (size_t)n);
    else anywhere_abi_kv_get_keys(store, list, n);
    size_t k = 0;
    for (int32_t i = 0; i < n; i++) k += list[i] == 0;
    char **keys = malloc((k + 1) * sizeof *keys);
    if (!keys) return NULL;
    size_t j = 0;
    for (int32_t i = 0; i < n; i += (int32_t)strlen(list + i) + 1) keys[j++] = list + i;
    keys[j] = NULL;
    if (count) *count = j;
    return keys;
}

int anywhere_http_send(const char *method, const char *url, const char *headers, const void *body, size_t body_len,
                       anywhere_http_response *out) {
    if (!headers) headers = "";
    int32_t h = anywhere_abi_http_send(method, (int32_t)strlen(method), url, (int32_t)strlen(url), headers,
                                       (int32_t)strlen(headers), body ? body : "", (int32_t)body_len);
    if (h < 0) return h;
    out->status = anywhere_abi_http_status(h);
    int32_t hl = anywhere_abi_http_headers(h, NULL, 0);
    out->headers = malloc((size_t)hl + 1);
    int32_t bl = anywhere_abi_http_body(h, 0, NULL, 0);
    out->body = malloc((size_t)bl + 1);
    if (!out->headers || !out->body) { anywhere_abi_http_close(h); return ANYWHERE_ERR_RUNTIME; }
    anywhere_abi_http_headers(h, out->headers, hl);
    anywhere_abi_http_body(h, 0, out->body, bl);
    out->headers[hl] = 0, out->body[bl] = 0;
    out->body_len = (size_t)bl;
    anywhere_abi_http_close(h);
    return 0;
}

const char *anywhere_http_header(const anywhere_http_response *r, const char *name) {
    size_t nl = strlen(name);
    for (const char *p = r->headers; p && *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len > nl + 1 && p[nl] == ':' && !strncasecmp(p, name, nl)) {
            const char *v = p + nl + 1;
            while (*v == ' ') v++;
            return strndup(v, (size_t)(p + len - v));
        }
        p += len + (eol != NULL);
    }
    return NULL;
}

void anywhere_llm_params_default(anywhere_llm_params *p) {
    p->max_tokens = 100, p->repeat_penalty = 1.1f, p->repeat_penalty_last_n_token_count = 64;
    p->temperature = 0.8f, p->top_k = 40, p->top_p = 0.9f;
}

char *anywhere_llm_infer(const char *model, const char *prompt, const anywhere_llm_params *params, anywhere_llm_usage *usage) {
    int32_t n = anywhere_abi_llm_infer(model, (int32_t)strlen(model), prompt, (int32_t)strlen(prompt), params, usage);
    if (n < 0) return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s) return NULL;
    anywhere_abi_llm_text(0, s, n);
    s[n] = 0;
    return s;
}

float *anywhere_llm_embed(const char *model, const char *const *texts, size_t n, size_t *dims, uint32_t *prompt_tokens) {
    uint32_t *list = malloc((n ? n : 1) * 8);
    if (!list) return NULL;
    for (size_t i = 0; i < n; i++) list[2 * i] = (uint32_t)(uintptr_t)texts[i], list[2 * i + 1] = (uint32_t)strlen(texts[i]);
    int32_t d = anywhere_abi_llm_embed(model, (int32_t)strlen(model), list, (int32_t)n, prompt_tokens);
    free(list);
    if (d < 0) return NULL;
    float *v = malloc((n ? n : 1) * (size_t)d * sizeof *v);
    for (size_t i = 0; v && i < n; i++) anywhere_abi_llm_embedding((int32_t)i, v + i * (size_t)d, d);
    if (dims) *dims = (size_t)d;
    return v;
}

int anywhere_llm_stream_start(const char *model, const char *prompt, const anywhere_llm_params *params) {
    return anywhere_abi_llm_stream_start(model, (int32_t)strlen(model), prompt, (int32_t)strlen(prompt), params);
}
int anywhere_llm_stream_next(int stream, char *buf, size_t cap) { return anywhere_abi_llm_stream_next(stream, buf, (int32_t)cap); }
void anywhere_llm_stream_usage(int stream, anywhere_llm_usage *usage) { anywhere_abi_llm_stream_usage(stream, usage); }
void anywhere_llm_stream_close(int stream) { anywhere_abi_llm_stream_close(stream); }
