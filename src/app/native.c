/* native.c — Anywhere's native handler ABI (docs/apps.md).
 *
 * The guest exports `anywhere_handle` (no parameters; no result, or an i32
 * where non-zero means failure) and imports from "anywhere_http_v1":
 *
 *   request_get(part, index, buf, cap) -> len    one part of the request
 *   request_header(name, name_len, buf, cap) -> len
 *   request_param(name, name_len, buf, cap) -> len
 *   response_status(status) -> 0 | -1
 *   response_header(name, name_len, value, value_len) -> 0 | -1
 *   response_write(buf, len) -> 0 | -1
 *   response_flush() -> 0 | -1                   send what was written so far
 *
 * A getter copies at most cap bytes into buf and returns the whole length
 * (so a guest can retry with a bigger buffer), or -1 when the part is
 * absent. For the body, `index` is a byte offset, so it can be read in
 * pieces. The host keeps the request; only what the guest asks for is
 * copied into its memory, and the response goes straight into a host
 * buffer, without stdio or a serialisation format in between. A guest
 * that produces its answer over time (tokens of a model) calls
 * response_flush: the first call sends the status and headers, each call
 * sends the body written since as one chunk (Transfer-Encoding: chunked),
 * and the rest goes when the handler returns. After the first flush the
 * status and headers are fixed (response_status/header return -1), and a
 * trap can no longer become a 500: the stream is ended and the log says why.
 * flush returns -1 once the client has gone, so the guest can stop. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "anywhere/linker.h"
#include "app/exec.h"

enum {
    PART_METHOD = 0, PART_PATH = 1, PART_QUERY = 2, PART_HEADER_NAME = 3, PART_HEADER_VALUE = 4,
    PART_BODY = 5, PART_PARAM_NAME = 6, PART_PARAM_VALUE = 7, PART_PATH_INFO = 8, PART_FULL_URL = 9,
    PART_MATCHED_ROUTE = 10, PART_COMPONENT_ROUTE = 11, PART_CLIENT_ADDR = 12,
    PART_HEADER_COUNT = 13, PART_PARAM_COUNT = 14, PART_BODY_LENGTH = 15,
};

static app_call *call_of(aw_caller *c) { return aw_store_user_data(aw_caller_store(c)); }

/* The request's call, or NULL (with a trap set) while the module's
 * initialiser runs at startup, when there is no request yet. */
static app_call *req_call(aw_caller *c, const char *fn) {
    app_call *k = call_of(c);
    if (k && k->req && k->resp) return k;
    aw_caller_trap(c, "anywhere_http_v1.%s: there is no request while the module initialises (_initialize)", fn);
    return NULL;
}

/* Guest memory [addr, addr+len), or NULL. */
static uint8_t *guest(aw_caller *c, uint64_t addr, uint64_t len) {
    aw_memory *m = aw_caller_memory(c);
    if (!m) return NULL;
    uint64_t size = aw_memory_size(m);
    if ((uint32_t)addr + (uint64_t)(uint32_t)len > size) return NULL;
    return aw_memory_data(m) + (uint32_t)addr;
}

/* Copies SRC (or from OFFSET of it) into the guest; result in slot 0. */
static int give(aw_caller *c, uint64_t *slots, const char *src, size_t len, size_t offset) {
    uint32_t buf = (uint32_t)slots[2], cap = (uint32_t)slots[3];
    if (!src) { slots[0] = (uint32_t)-1; return 0; }
    if (offset > len) offset = len;
    size_t n = len - offset < cap ? len - offset : cap;
    uint8_t *dst = guest(c, buf, n);
    if (!dst) return aw_caller_trap(c, "anywhere_http_v1: buffer [%u, +%zu) is outside memory", buf, n);
    memcpy(dst, src + offset, n);
    slots[0] = (uint32_t)(len - offset > INT32_MAX ? INT32_MAX : len - offset);
    return 0;
}

static int count(uint64_t *slots, size_t n) {
    slots[0] = (uint32_t)n;
    return 0;
}

static int h_request_get(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    app_call *k = req_call(c, "request_get");
    if (!k) return -1;
    const http_request *h = k->req->http;
    const router_match *m = k->req->match;
    uint32_t part = (uint32_t)slots[0], index = (uint32_t)slots[1];
    switch (part) {
    case PART_METHOD: return give(c, slots, h->method, h->method_len, 0);
    case PART_PATH: return give(c, slots, h->path, h->path_len, 0);
    case PART_QUERY: return give(c, slots, h->query, h->query_len, 0);
    case PART_HEADER_NAME:
        return give(c, slots, index < h->num_headers ? h->headers[index].name : NULL,
                    index < h->num_headers ? h->headers[index].name_len : 0, 0);
    case PART_HEADER_VALUE:
        return give(c, slots, index < h->num_headers ? h->headers[index].value : NULL,
                    index < h->num_headers ? h->headers[index].value_len : 0, 0);
    case PART_BODY: return give(c, slots, h->body ? h->body : "", h->body_len, index);
    case PART_PARAM_NAME:
        return give(c, slots, index < m->nparams ? m->params[index].name : NULL, index < m->nparams ? m->params[index].name_len : 0, 0);
    case PART_PARAM_VALUE:
        return give(c, slots, index < m->nparams ? m->params[index].value : NULL, index < m->nparams ? m->params[index].value_len : 0, 0);
    case PART_PATH_INFO: return give(c, slots, m->path_info, m->path_info_len, 0);
    case PART_FULL_URL: return give(c, slots, k->req->full_url, strlen(k->req->full_url), 0);
    case PART_MATCHED_ROUTE: return give(c, slots, m->raw_route, strlen(m->raw_route), 0);
    case PART_COMPONENT_ROUTE: return give(c, slots, m->route_prefix, strlen(m->route_prefix), 0);
    case PART_CLIENT_ADDR: return give(c, slots, h->peer ? h->peer : "", h->peer ? strlen(h->peer) : 0, 0);
    case PART_HEADER_COUNT: return count(slots, h->num_headers);
    case PART_PARAM_COUNT: return count(slots, m->nparams);
    case PART_BODY_LENGTH: return count(slots, h->body_len);
    default: slots[0] = (uint32_t)-1; return 0;
    }
}

static int h_request_header(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    app_call *k = req_call(c, "request_header");
    if (!k) return -1;
    const http_request *h = k->req->http;
    uint32_t nlen = (uint32_t)slots[1];
    const char *name = (const char *)guest(c, slots[0], nlen);
    if (!name) return aw_caller_trap(c, "anywhere_http_v1.request_header: name outside memory");
    for (size_t i = 0; i < h->num_headers; i++)
        if (h->headers[i].name_len == nlen && !strncasecmp(h->headers[i].name, name, nlen))
            return give(c, slots, h->headers[i].value, h->headers[i].value_len, 0);
    return give(c, slots, NULL, 0, 0);
}

static int h_request_param(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    app_call *k = req_call(c, "request_param");
    if (!k) return -1;
    const router_match *m = k->req->match;
    uint32_t nlen = (uint32_t)slots[1];
    const char *name = (const char *)guest(c, slots[0], nlen);
    if (!name) return aw_caller_trap(c, "anywhere_http_v1.request_param: name outside memory");
    for (size_t i = 0; i < m->nparams; i++)
        if (m->params[i].name_len == nlen && !memcmp(m->params[i].name, name, nlen))
            return give(c, slots, m->params[i].value, m->params[i].value_len, 0);
    return give(c, slots, NULL, 0, 0);
}

static int h_response_status(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    int32_t st = (int32_t)slots[0];
    app_call *k = req_call(c, "response_status");
    if (!k) return -1;
    if (st < 100 || st > 599 || k->resp->streaming) { slots[0] = (uint32_t)-1; return 0; }
    k->resp->status = st;
    slots[0] = 0;
    return 0;
}

static bool token_ok(const char *s, size_t n) {
    if (!n) return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == ':' || s[i] == 127) return false;
    return true;
}

static int h_response_header(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    app_call *k = req_call(c, "response_header");
    if (!k) return -1;
    uint32_t nlen = (uint32_t)slots[1], vlen = (uint32_t)slots[3];
    const char *name = (const char *)guest(c, slots[0], nlen), *value = (const char *)guest(c, slots[2], vlen);
    if (!name || !value) return aw_caller_trap(c, "anywhere_http_v1.response_header: argument outside memory");
    bool ok = token_ok(name, nlen) && !memchr(value, '\r', vlen) && !memchr(value, '\n', vlen) && !memchr(value, 0, vlen);
    ok = ok && !k->resp->streaming && app_resp_header_add(k->resp, name, nlen, value, vlen);
    slots[0] = ok ? 0 : (uint32_t)-1;
    return 0;
}

static int h_response_write(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    app_call *k = req_call(c, "response_write");
    if (!k) return -1;
    uint32_t len = (uint32_t)slots[1];
    const uint8_t *p = guest(c, slots[0], len);
    if (!p) return aw_caller_trap(c, "anywhere_http_v1.response_write: buffer outside memory");
    if (!app_resp_write(k->resp, p, len, k->max_response_bytes))
        return aw_caller_trap(c, "response body larger than %zu bytes", k->max_response_bytes);
    slots[0] = 0;
    return 0;
}

static int h_response_flush(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    app_call *k = req_call(c, "response_flush");
    if (!k) return -1;
    slots[0] = (uint32_t)app_resp_flush(k->resp);
    return 0;
}

bool app_native_define(aw_linker *l) {
    static const aw_valtype i4[4] = {AW_I32, AW_I32, AW_I32, AW_I32};
    static const struct { const char *name; uint32_t np; aw_host_fn fn; } defs[] = {
        {"request_get", 4, h_request_get},     {"request_header", 4, h_request_header},
        {"request_param", 4, h_request_param}, {"response_status", 1, h_response_status},
        {"response_header", 4, h_response_header}, {"response_write", 2, h_response_write},
        {"response_flush", 0, h_response_flush},
    };
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
        if (!aw_linker_define_func(l, "anywhere_http_v1", defs[i].name, i4, defs[i].np, i4, 1, defs[i].fn, NULL))
            return false;
    return true;
}

/* ---- the executor -------------------------------------------------------- */

void app_exec_native(const app_prepared *p, const app_req *q, app_resp *r) {
    if (!p->has_handle) {
        app_resp_error(r, 500, "component '%s' exports no anywhere_handle (a WASI command needs executor = { type = \"wagi\" })",
                       p->comp->id);
        return;
    }
    app_call call = {NULL, NULL, q, r, p->limits.max_response_bytes};
    char why[256];
    r->status = 200;
    uint64_t t0 = app_now_ns();
    int status = 0;
    aw_store *s = app_store_new(p, &call, &status, why, sizeof why);
    if (!s) {
        app_resp_error(r, status, "component '%s': %s", p->comp->id, why);
        return;
    }
    aw_error err;
    aw_instance *inst = aw_instantiate(s, p->module, p->imports, p->nimports, &err);
    uint64_t t1 = app_now_ns();
    if (!inst) {
        app_resp_engine_error(r, &err, "instantiate");
    } else {
        aw_val res[1];
        aw_errkind k = AW_OK;
        if (p->has_initialize && !p->snapshot) /* else it ran once, at startup */
            k = aw_call(s, aw_instance_func(inst, "_initialize"), NULL, 0, NULL, 0, &err);
        if (k == AW_OK)
            k = aw_call(s, aw_instance_func(inst, "anywhere_handle"), NULL, 0, res, p->handle_returns, &err);
        if (k == AW_ERR_EXIT && err.exit_code == 0) k = AW_OK;
        if (k != AW_OK) app_resp_engine_error(r, &err, "anywhere_handle");
        else if (p->handle_returns && res[0].of.i32 != 0)
            app_resp_error(r, 500, "anywhere_handle returned %d", res[0].of.i32);
    }
    uint64_t t2 = app_now_ns();
    app_store_free(s, &call);
    r->instantiate_ns = (t1 - t0) + (app_now_ns() - t2);
}
