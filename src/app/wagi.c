/* wagi.c — the WAGI executor: a WASI command as a CGI program.
 *
 * The request body is the guest's stdin, headers and request facts are
 * environment variables (CGI/1.1 plus WAGI's and Spin's X_* names), the
 * query becomes argv, and the guest writes a CGI response to stdout:
 * header lines, a blank line, the body. `Status:` sets the status,
 * `Location:` without a status means 302. stdin and stdout are memfds, so
 * the guest's reads and writes are plain file I/O. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include "app/exec.h"

typedef struct strv {
    char **v;
    int n, cap;
} strv;

static bool strv_addf(strv *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool strv_addf(strv *s, const char *fmt, ...) {
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 48;
        char **g = realloc(s->v, (size_t)cap * sizeof *g);
        if (!g) return false;
        s->v = g, s->cap = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    int rc = vasprintf(&s->v[s->n], fmt, ap);
    va_end(ap);
    if (rc < 0) return false;
    s->n++;
    return true;
}

static void strv_free(strv *s) {
    for (int i = 0; i < s->n; i++) free(s->v[i]);
    free(s->v);
}

static int hexval(int c) {
    return isdigit(c) ? c - '0' : isxdigit(c) ? (tolower(c) - 'a' + 10) : -1;
}

/* Percent-decoding, '+' as space (query strings). */
static char *url_decode(const char *s, size_t n) {
    char *out = malloc(n + 1), *o = out;
    if (!out) return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 && hexval((unsigned char)s[i + 2]) >= 0) {
            *o++ = (char)(hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]));
            i += 2;
        } else {
            *o++ = s[i] == '+' ? ' ' : s[i];
        }
    }
    *o = 0;
    return out;
}

static const char *header(const http_request *h, const char *name) {
    const http_header *x = http_find_header(h->headers, h->num_headers, name);
    return x ? x->value : NULL;
}

static bool build_env(const app_prepared *p, const app_req *q, strv *env) {
    const http_request *h = q->http;
    const router_match *m = q->match;
    const http_header *ct = http_find_header(h->headers, h->num_headers, "content-type");
    char peer_host[128] = "";
    const char *peer = h->peer ? h->peer : "";
    snprintf(peer_host, sizeof peer_host, "%s", peer);
    char *colon = strrchr(peer_host, ':');
    if (colon) *colon = 0;
    bool ok = true;
    (void)header;
    ok &= strv_addf(env, "REQUEST_METHOD=%.*s", (int)h->method_len, h->method);
    ok &= strv_addf(env, "SERVER_PROTOCOL=HTTP/1.%d", h->minor_version);
    ok &= strv_addf(env, "SERVER_SOFTWARE=WAGI/1");
    ok &= strv_addf(env, "SERVER_NAME=%s", q->server_name);
    ok &= strv_addf(env, "SERVER_PORT=%d", q->server_port);
    ok &= strv_addf(env, "GATEWAY_INTERFACE=CGI/1.1");
    ok &= strv_addf(env, "SCRIPT_NAME=%s", m->route_prefix);
    ok &= strv_addf(env, "PATH_INFO=%.*s", (int)m->path_info_len, m->path_info);
    ok &= strv_addf(env, "PATH_TRANSLATED=%.*s", (int)m->path_info_len, m->path_info);
    ok &= strv_addf(env, "QUERY_STRING=%.*s", (int)h->query_len, h->query);
    ok &= strv_addf(env, "CONTENT_LENGTH=%zu", h->body_len);
    ok &= strv_addf(env, "CONTENT_TYPE=%.*s", ct ? (int)ct->value_len : 0, ct ? ct->value : "");
    ok &= strv_addf(env, "REMOTE_ADDR=%s", peer_host);
    ok &= strv_addf(env, "REMOTE_HOST=%s", peer_host);
    ok &= strv_addf(env, "REMOTE_USER=");
    ok &= strv_addf(env, "AUTH_TYPE=");
    ok &= strv_addf(env, "X_FULL_URL=%s", q->full_url);
    ok &= strv_addf(env, "X_MATCHED_ROUTE=%s", m->raw_route);
    ok &= strv_addf(env, "X_RAW_COMPONENT_ROUTE=%s", m->raw_route);
    ok &= strv_addf(env, "X_COMPONENT_ROUTE=%s", m->route_prefix);
    ok &= strv_addf(env, "X_BASE_PATH=/");
    ok &= strv_addf(env, "X_CLIENT_ADDR=%s", peer);
    for (size_t i = 0; i < m->nparams; i++) {
        char name[80];
        size_t n = m->params[i].name_len < sizeof name - 1 ? m->params[i].name_len : sizeof name - 1;
        for (size_t j = 0; j < n; j++) {
            char c = m->params[i].name[j];
            name[j] = isalnum((unsigned char)c) ? (char)toupper((unsigned char)c) : '_';
        }
        name[n] = 0;
        ok &= strv_addf(env, "X_PATH_MATCH_%s=%.*s", name, (int)m->params[i].value_len, m->params[i].value);
    }
    for (size_t i = 0; i < h->num_headers; i++) {
        const http_header *x = &h->headers[i];
        char name[256];
        size_t n = x->name_len < sizeof name - 1 ? x->name_len : sizeof name - 1;
        for (size_t j = 0; j < n; j++) {
            char c = x->name[j];
            name[j] = isalnum((unsigned char)c) ? (char)toupper((unsigned char)c) : '_';
        }
        name[n] = 0;
        /* CGI: the body's own headers are CONTENT_TYPE/CONTENT_LENGTH; a
         * client must not be able to smuggle in the proxy's Authorization. */
        if (!strcmp(name, "CONTENT_TYPE") || !strcmp(name, "CONTENT_LENGTH") || !strcmp(name, "AUTHORIZATION"))
            continue;
        ok &= strv_addf(env, "HTTP_%s=%.*s", name, (int)x->value_len, x->value);
    }
    for (int i = 0; i < p->nenv; i++) ok &= strv_addf(env, "%s", p->env[i]);
    return ok;
}

/* argv from the template: ${SCRIPT_NAME} and ${ARGS} (the query's
 * &-separated parts, decoded), split on spaces. */
static bool build_argv(const app_trigger *t, const app_req *q, strv *argv) {
    const char *tmpl = t->wagi_argv ? t->wagi_argv : "${SCRIPT_NAME} ${ARGS}";
    const http_request *h = q->http;
    for (const char *p = tmpl; *p;) {
        while (*p == ' ') p++;
        if (!*p) break;
        const char *e = strchr(p, ' ');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 7 && !memcmp(p, "${ARGS}", 7)) {
            const char *s = h->query, *end = h->query + h->query_len;
            while (s < end) {
                const char *amp = memchr(s, '&', (size_t)(end - s));
                size_t k = amp ? (size_t)(amp - s) : (size_t)(end - s);
                if (k) {
                    char *d = url_decode(s, k);
                    if (!d || !strv_addf(argv, "%s", d)) { free(d); return false; }
                    free(d);
                }
                s += k + 1;
            }
        } else if (n == 14 && !memcmp(p, "${SCRIPT_NAME}", 14)) {
            if (!strv_addf(argv, "%s", q->match->route_prefix)) return false;
        } else if (!strv_addf(argv, "%.*s", (int)n, p)) {
            return false;
        }
        p += n;
    }
    return true;
}

static char *read_fd(int fd, size_t *len) {
    off_t end = lseek(fd, 0, SEEK_END);
    if (end < 0) return NULL;
    char *buf = malloc((size_t)end + 1);
    if (!buf) return NULL;
    size_t n = 0;
    while (n < (size_t)end) {
        ssize_t k = pread(fd, buf + n, (size_t)end - n, (off_t)n);
        if (k <= 0) break;
        n += (size_t)k;
    }
    *len = n;
    return buf;
}

/* Parses a CGI response into R. */
static void parse_cgi(const char *out, size_t len, app_resp *r) {
    const char *p = out, *end = out + len;
    bool have_status = false, have_type = false, have_location = false;
    r->status = 200;
    for (;;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            app_resp_error(r, 500, "WAGI: the guest's output has no blank line after its headers");
            return;
        }
        const char *le = nl > p && nl[-1] == '\r' ? nl - 1 : nl;
        if (le == p) { p = nl + 1; break; }
        const char *colon = memchr(p, ':', (size_t)(le - p));
        if (!colon || colon == p) {
            app_resp_error(r, 500, "WAGI: malformed header line '%.*s'", (int)(le - p > 80 ? 80 : le - p), p);
            return;
        }
        const char *v = colon + 1;
        while (v < le && (*v == ' ' || *v == '\t')) v++;
        size_t nlen = (size_t)(colon - p), vlen = (size_t)(le - v);
        if (nlen == 6 && !strncasecmp(p, "status", 6)) {
            int st = atoi(v);
            if (st < 100 || st > 599) {
                app_resp_error(r, 500, "WAGI: bad Status '%.*s'", (int)(vlen > 40 ? 40 : vlen), v);
                return;
            }
            r->status = st, have_status = true;
        } else {
            if (nlen == 12 && !strncasecmp(p, "content-type", 12)) have_type = true;
            if (nlen == 8 && !strncasecmp(p, "location", 8)) have_location = true;
            if (!app_resp_header_add(r, p, nlen, v, vlen)) {
                app_resp_error(r, 500, "out of memory");
                return;
            }
        }
        p = nl + 1;
    }
    if (!have_type && !have_location) {
        app_resp_error(r, 500, "WAGI: the guest's response has neither Content-Type nor Location");
        return;
    }
    if (have_location && !have_status) r->status = 302;
    if (!app_resp_write(r, p, (size_t)(end - p), 0)) app_resp_error(r, 500, "out of memory");
}

void app_exec_wagi(const app_prepared *p, const app_trigger *t, const app_req *q, app_resp *r) {
    const char *entry = t->wagi_entry ? t->wagi_entry : "_start";
    strv env = {0}, argv = {0};
    int in = memfd_create("wagi-stdin", MFD_CLOEXEC), out = memfd_create("wagi-stdout", MFD_CLOEXEC);
    aw_wasi *wasi = NULL;
    aw_store *s = NULL;
    host_call *hc = p->host ? host_call_new(p->host, &p->grants) : NULL;
    char werr[256];
    if (in < 0 || out < 0 || !build_env(p, q, &env) || !build_argv(t, q, &argv)) {
        app_resp_error(r, 500, "WAGI: cannot set up the request: %s", strerror(errno));
        goto done;
    }
    size_t off = 0;
    while (off < q->http->body_len) {
        ssize_t k = write(in, q->http->body + off, q->http->body_len - off);
        if (k <= 0) { app_resp_error(r, 500, "WAGI: cannot buffer the body: %s", strerror(errno)); goto done; }
        off += (size_t)k;
    }
    lseek(in, 0, SEEK_SET);
    aw_wasi_config wc = {.argc = argv.n, .argv = (const char *const *)argv.v, .envc = env.n,
                         .env = (const char *const *)env.v, .preopens = p->preopens, .npreopens = p->npreopens,
                         .custom_stdio = true, .stdio = {in, out, 2}};
    uint64_t t0 = app_now_ns();
    if (!(wasi = aw_wasi_new(&wc, werr, sizeof werr))) {
        app_resp_error(r, 500, "component '%s': %s", p->comp->id, werr);
        goto done;
    }
    app_call call = {wasi, hc, q, r, p->limits.max_response_bytes};
    aw_store_config sc = {.max_memory_pages = p->limits.max_memory_pages};
    if (!(s = aw_store_new(&sc))) {
        app_resp_error(r, 503, "out of memory for a store");
        goto done;
    }
    aw_store_set_user_data(s, &call);
    if (p->limits.deadline_ns) aw_store_set_timeout(s, p->limits.deadline_ns);
    aw_error err;
    aw_instance *inst = aw_instantiate(s, p->module, p->imports, p->nimports, &err);
    uint64_t t1 = app_now_ns();
    if (!inst) {
        app_resp_engine_error(r, &err, "instantiate");
        goto timed;
    }
    aw_func *f = aw_instance_func(inst, entry);
    if (!f || aw_func_type(f).nparams || aw_func_type(f).nresults) {
        app_resp_error(r, 500, "component '%s' has no entry point %s: () -> ()", p->comp->id, entry);
        goto timed;
    }
    aw_errkind k = aw_call(s, f, NULL, 0, NULL, 0, &err);
    if (k == AW_ERR_EXIT && err.exit_code == 0) k = AW_OK;
    size_t len = 0;
    char *text = read_fd(out, &len);
    if (k != AW_OK && !(k == AW_ERR_EXIT && len)) app_resp_engine_error(r, &err, entry);
    else if (!text) app_resp_error(r, 500, "WAGI: cannot read the guest's output");
    else if (p->limits.max_response_bytes && len > p->limits.max_response_bytes)
        app_resp_error(r, 500, "WAGI: response larger than %zu bytes", p->limits.max_response_bytes);
    else parse_cgi(text, len, r);
    free(text);
timed: {
        uint64_t t2 = app_now_ns();
        aw_store_free(s);
        s = NULL;
        r->instantiate_ns = (t1 - t0) + (app_now_ns() - t2);
    }
done:
    if (s) aw_store_free(s);
    host_call_free(hc);
    aw_wasi_free(wasi);
    if (in >= 0) close(in);
    if (out >= 0) close(out);
    strv_free(&env);
    strv_free(&argv);
}
