/* outbound.c — anywhere_outbound_http_v1: HTTP requests from guests with
 * libcurl, allowed only to allowed_outbound_hosts (allow.c).
 *
 *   send(method, mlen, url, ulen, headers, hlen, body, blen) -> handle | error
 *       headers: "Name: value" lines separated by "\n" (or "\r\n")
 *   status(h) -> code
 *   header(h, name, nlen, buf, cap) -> len | -1     (case-insensitive)
 *   headers(h, buf, cap) -> len                     ("name: value\n" lines)
 *   body(h, offset, buf, cap) -> bytes left from offset
 *   close(h) -> 0
 *
 * A refused request returns -2, is logged, and last_error says why. Only
 * http and https; redirects are not followed (each hop would need its own
 * check: the guest sees the 3xx). Limits from [outbound_http] in the
 * runtime config: timeout, response size, concurrency; connections and
 * DNS answers are shared by all requests of the app (a curl share). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "host/dl_curl.h"
#include "host/internal.h"

struct host_outbound {
    pthread_mutex_t share_mu; /* guards making the share, on the first request */
    bool pooling, share_tried;
    CURLSH *share;
    pthread_mutex_t locks[CURL_LOCK_DATA_LAST];
    sem_t slots;        /* concurrency cap */
    bool capped;
    long timeout_ms;
    size_t max_bytes;
};

static void lock_fn(CURL *h, curl_lock_data d, curl_lock_access a, void *ud) {
    (void)h, (void)a;
    pthread_mutex_lock(&((host_outbound *)ud)->locks[d]);
}
static void unlock_fn(CURL *h, curl_lock_data d, void *ud) {
    (void)h;
    pthread_mutex_unlock(&((host_outbound *)ud)->locks[d]);
}

host_outbound *host_outbound_new(const host_config *cfg) {
    host_outbound *o = calloc(1, sizeof *o);
    if (!o) return NULL;
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_init(&o->locks[i], NULL);
    pthread_mutex_init(&o->share_mu, NULL);
    o->pooling = cfg->connection_pooling;
    o->timeout_ms = cfg->timeout_ms > 0 ? cfg->timeout_ms : 30000;
    o->max_bytes = cfg->max_response_bytes ? cfg->max_response_bytes : 16u << 20;
    if ((o->capped = cfg->max_concurrent > 0)) sem_init(&o->slots, 0, (unsigned)cfg->max_concurrent);
    return o;
}

/* libcurl is loaded by the first request (dl_curl.h), not with the host:
 * an app that sends none never loads it. The share comes with it. */
static bool outbound_ready(host_outbound *o, char *err, size_t errlen) {
    if (!aw_curl_load(err, errlen)) return false;
    pthread_mutex_lock(&o->share_mu);
    if (o->pooling && !o->share_tried) {
        o->share_tried = true;
        if ((o->share = aw_curl.share_init())) {
            aw_curl.share_setopt(o->share, CURLSHOPT_LOCKFUNC, lock_fn);
            aw_curl.share_setopt(o->share, CURLSHOPT_UNLOCKFUNC, unlock_fn);
            aw_curl.share_setopt(o->share, CURLSHOPT_USERDATA, o);
            aw_curl.share_setopt(o->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
            aw_curl.share_setopt(o->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
        }
    }
    pthread_mutex_unlock(&o->share_mu);
    return true;
}

void host_outbound_free(host_outbound *o) {
    if (o->share) aw_curl.share_cleanup(o->share);
    pthread_mutex_destroy(&o->share_mu);
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++) pthread_mutex_destroy(&o->locks[i]);
    if (o->capped) sem_destroy(&o->slots);
    free(o);
}

typedef struct {
    host_http_response *r;
    size_t max;
    bool too_big;
} sink;

static bool grow(uint8_t **buf, size_t *len, const void *data, size_t n) {
    uint8_t *g = realloc(*buf, *len + n + 1);
    if (!g) return false;
    memcpy(g + *len, data, n);
    *len += n;
    g[*len] = 0;
    *buf = g;
    return true;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud) {
    sink *s = ud;
    size_t n = size * nmemb;
    if (s->r->body_len + n > s->max) { s->too_big = true; return 0; }
    return grow(&s->r->body, &s->r->body_len, data, n) ? n : 0;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud) {
    sink *s = ud;
    size_t n = size * nmemb;
    if (n >= 5 && !strncmp(data, "HTTP/", 5)) { /* a new response (after 100 Continue): start over */
        free(s->r->headers);
        s->r->headers = NULL, s->r->headers_len = 0;
        return n;
    }
    const char *colon = memchr(data, ':', n);
    if (!colon) return n;
    size_t nl = (size_t)(colon - data), vs = nl + 1;
    while (vs < n && (data[vs] == ' ' || data[vs] == '\t')) vs++;
    size_t ve = n;
    while (ve > vs && (data[ve - 1] == '\r' || data[ve - 1] == '\n' || data[ve - 1] == ' ')) ve--;
    uint8_t *h = (uint8_t *)s->r->headers;
    size_t hl = s->r->headers_len;
    bool ok = true;
    for (size_t i = 0; i < nl && ok; i++) { char c = data[i] >= 'A' && data[i] <= 'Z' ? (char)(data[i] + 32) : data[i]; ok = grow(&h, &hl, &c, 1); }
    ok = ok && grow(&h, &hl, ": ", 2) && grow(&h, &hl, data + vs, ve - vs) && grow(&h, &hl, "\n", 1);
    s->r->headers = (char *)h, s->r->headers_len = hl;
    return ok ? n : 0;
}

int host_http_send(host_outbound *o, const char *method, const char *url, const char *headers, const void *body,
                   size_t body_len, host_http_response *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    if (!outbound_ready(o, err, errlen)) return HOST_ERR_RUNTIME;
    CURL *c = aw_curl.easy_init();
    if (!c) { snprintf(err, errlen, "out of memory"); return HOST_ERR_RUNTIME; }
    struct curl_slist *hl = NULL;
    for (const char *p = headers; p && *p;) {
        size_t n = strcspn(p, "\r\n");
        if (n) {
            char *line = strndup(p, n);
            struct curl_slist *g = line ? aw_curl.slist_append(hl, line) : NULL;
            free(line);
            if (g) hl = g;
        }
        p += n;
        while (*p == '\r' || *p == '\n') p++;
    }
    sink s = {out, o->max_bytes, false};
    aw_curl.easy_setopt(c, CURLOPT_URL, url);
    aw_curl.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    aw_curl.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    aw_curl.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    aw_curl.easy_setopt(c, CURLOPT_TIMEOUT_MS, o->timeout_ms);
    aw_curl.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, o->timeout_ms < 10000 ? o->timeout_ms : 10000L);
    aw_curl.easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (!strcasecmp(method, "HEAD")) aw_curl.easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (body_len || !strcasecmp(method, "POST") || !strcasecmp(method, "PUT") || !strcasecmp(method, "PATCH")) {
        aw_curl.easy_setopt(c, CURLOPT_POSTFIELDS, body_len ? body : "");
        aw_curl.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    hl = aw_curl.slist_append(hl, "Expect:"); /* no 100-continue round trip */
    aw_curl.easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    aw_curl.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    aw_curl.easy_setopt(c, CURLOPT_WRITEDATA, &s);
    aw_curl.easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    aw_curl.easy_setopt(c, CURLOPT_HEADERDATA, &s);
    aw_curl.easy_setopt(c, CURLOPT_USERAGENT, "anywhere/0.1");
    if (o->share) aw_curl.easy_setopt(c, CURLOPT_SHARE, o->share);
    if (o->capped) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += o->timeout_ms / 1000 + 1;
        while (sem_timedwait(&o->slots, &ts) != 0) {
            if (errno == ETIMEDOUT) {
                aw_curl.slist_free_all(hl);
                aw_curl.easy_cleanup(c);
                snprintf(err, errlen, "too many outbound requests in flight ([outbound_http] max_concurrent_requests)");
                return HOST_ERR_RUNTIME;
            }
        }
    }
    CURLcode rc = aw_curl.easy_perform(c);
    if (o->capped) sem_post(&o->slots);
    long status = 0;
    aw_curl.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    out->status = (int)status;
    aw_curl.slist_free_all(hl);
    aw_curl.easy_cleanup(c);
    if (rc != CURLE_OK) {
        if (s.too_big) snprintf(err, errlen, "%s: response body larger than %zu bytes", url, o->max_bytes);
        else snprintf(err, errlen, "%s: %s", url, aw_curl.easy_strerror(rc));
        host_http_response_free(out);
        return HOST_ERR_RUNTIME;
    }
    if (!out->headers) out->headers = strdup("");
    return 0;
}

void host_http_response_free(host_http_response *r) {
    free(r->headers), free(r->body);
    memset(r, 0, sizeof *r);
}

/* ---- the guest API ---------------------------------------------------- */

/* Checks URL against the grants; on success *send_url is what to fetch
 * (a relative "self" URL becomes one on the app's own address). */
static int check_url(host_call *k, const char *url, char **send_url) {
    const char *self = k->g->self_authority;
    int r = 0;
    if (url[0] == '/') {
        if (!host_allow_match(k->allow, k->nallow, self, "http", "self", 0) || !self) {
            r = host_fail(k, HOST_ERR_DENIED, "relative URL '%.200s' needs \"http://self\" in allowed_outbound_hosts", url);
        } else if (asprintf(send_url, "http://%s%s", self, url) < 0) {
            r = host_fail(k, HOST_ERR_RUNTIME, "out of memory");
        }
        return r;
    }
    char e[512];
    if (!aw_curl_load(e, sizeof e)) {
        host_log(k->h, "component '%s': %s", k->g->component, e);
        return host_fail(k, HOST_ERR_RUNTIME, "%s", e);
    }
    CURLU *u = aw_curl.url();
    char *scheme = NULL, *hostname = NULL, *port = NULL;
    if (!u || aw_curl.url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        aw_curl.url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK || aw_curl.url_get(u, CURLUPART_HOST, &hostname, 0) != CURLUE_OK ||
        aw_curl.url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK) {
        r = host_fail(k, HOST_ERR_INVALID, "'%.200s' is not a valid absolute URL", url);
    } else if (strcasecmp(scheme, "http") && strcasecmp(scheme, "https")) {
        r = host_fail(k, HOST_ERR_INVALID, "'%.200s': only http and https are supported", url);
    } else if (!host_allow_match(k->allow, k->nallow, NULL, scheme, hostname, atoi(port))) {
        r = host_fail(k, HOST_ERR_DENIED, "%s://%s:%s is not in component '%s''s allowed_outbound_hosts", scheme, hostname, port,
                      k->g->component);
    } else if (!(*send_url = strdup(url))) {
        r = host_fail(k, HOST_ERR_RUNTIME, "out of memory");
    }
    aw_curl.free(scheme), aw_curl.free(hostname), aw_curl.free(port);
    aw_curl.url_cleanup(u);
    return r;
}

static int h_send(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    host_call *k = host_call_of(c);
    char *method = host_strdup_guest(c, (uint32_t)slots[0], (uint32_t)slots[1]);
    char *url = host_strdup_guest(c, (uint32_t)slots[2], (uint32_t)slots[3]);
    char *headers = host_strdup_guest(c, (uint32_t)slots[4], (uint32_t)slots[5]);
    const void *body = host_mem(c, (uint32_t)slots[6], (uint32_t)slots[7]);
    if (!method || !url || !headers || !body) {
        free(method), free(url), free(headers);
        return aw_caller_trap(c, "anywhere_outbound_http_v1.send: argument outside memory");
    }
    int r = HOST_ERR_DENIED, slot = -1;
    char *send_url = NULL;
    if (k) {
        for (int i = 0; i < HOST_MAX_HANDLES && slot < 0; i++)
            if (!k->http[i]) slot = i;
        if (slot < 0) r = host_fail(k, HOST_ERR_FULL, "more than %d outbound responses open (close some)", HOST_MAX_HANDLES);
        else if (!method[0] || strpbrk(method, " \r\n\t")) r = host_fail(k, HOST_ERR_INVALID, "bad method '%.40s'", method);
        else if ((r = check_url(k, url, &send_url)) == HOST_ERR_DENIED)
            host_log(k->h, "component '%s': outbound request refused: %s", k->g->component, k->error);
    }
    if (k && !r && send_url) {
        host_http_response *resp = calloc(1, sizeof *resp);
        char e[512];
        if (!resp) r = host_fail(k, HOST_ERR_RUNTIME, "out of memory");
        else if ((r = host_http_send(k->h->outbound, method, send_url, headers, body, (uint32_t)slots[7], resp, e, sizeof e))) {
            host_fail(k, r, "%s", e);
            host_log(k->h, "component '%s': outbound %s %s failed: %s", k->g->component, method, send_url, e);
            free(resp);
        } else {
            k->http[slot] = resp;
            r = slot;
        }
    }
    free(method), free(url), free(headers), free(send_url);
    slots[0] = (uint32_t)r;
    return 0;
}

static host_http_response *resp_of(host_call *k, uint64_t h) {
    return k && (uint32_t)h < HOST_MAX_HANDLES ? k->http[(uint32_t)h] : NULL;
}

static int h_status(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    host_http_response *r = resp_of(host_call_of(c), slots[0]);
    slots[0] = r ? (uint32_t)r->status : (uint32_t)HOST_ERR_INVALID;
    return 0;
}

static int h_header(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    host_http_response *r = resp_of(host_call_of(c), slots[0]);
    uint32_t nlen = (uint32_t)slots[2];
    const char *name = (const char *)host_mem(c, (uint32_t)slots[1], nlen);
    if (!name) return aw_caller_trap(c, "anywhere_outbound_http_v1.header: name outside memory");
    if (!r) { slots[0] = (uint32_t)HOST_ERR_INVALID; return 0; }
    for (const char *p = r->headers; p && *p;) {
        const char *eol = strchr(p, '\n');
        if (!strncasecmp(p, name, nlen) && p[nlen] == ':' && eol) {
            const char *v = p + nlen + 2;
            return host_give(c, (uint32_t)slots[3], (uint32_t)slots[4], v, (size_t)(eol - v), 0, slots);
        }
        p = eol ? eol + 1 : p + strlen(p);
    }
    slots[0] = (uint32_t)HOST_ERR_ABSENT;
    return 0;
}

static int h_headers(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    host_http_response *r = resp_of(host_call_of(c), slots[0]);
    if (!r) { slots[0] = (uint32_t)HOST_ERR_INVALID; return 0; }
    return host_give(c, (uint32_t)slots[1], (uint32_t)slots[2], r->headers, r->headers_len, 0, slots);
}

static int h_body(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    host_http_response *r = resp_of(host_call_of(c), slots[0]);
    if (!r) { slots[0] = (uint32_t)HOST_ERR_INVALID; return 0; }
    return host_give(c, (uint32_t)slots[2], (uint32_t)slots[3], r->body ? (const void *)r->body : "", r->body_len,
                     (uint32_t)slots[1], slots);
}

static int h_close(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    host_call *k = host_call_of(c);
    host_http_response *r = resp_of(k, slots[0]);
    if (r) {
        host_http_response_free(r);
        free(r);
        k->http[(uint32_t)slots[0]] = NULL;
    }
    slots[0] = 0;
    return 0;
}

bool host_define_outbound(aw_linker *l) {
    static const aw_valtype i8[8] = {AW_I32, AW_I32, AW_I32, AW_I32, AW_I32, AW_I32, AW_I32, AW_I32};
    static const struct { const char *name; uint32_t np; aw_host_fn fn; } defs[] = {
        {"send", 8, h_send}, {"status", 1, h_status}, {"header", 5, h_header}, {"headers", 3, h_headers},
        {"body", 4, h_body}, {"close", 1, h_close},
    };
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
        if (!aw_linker_define_func(l, "anywhere_outbound_http_v1", defs[i].name, i8, defs[i].np, i8, 1, defs[i].fn, NULL))
            return false;
    return true;
}
