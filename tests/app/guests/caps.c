/* caps.c — a test guest exercising every capability, driven by the query:
 *   ?op=var&name=N                   the variable's value, or "absent: ERR"
 *   ?op=kv-set&store=S&key=K&value=V
 *   ?op=kv-get|kv-del|kv-exists&store=S&key=K
 *   ?op=kv-keys&store=S
 *   ?op=kv-big&store=S&key=K&n=BYTES set then get a value of n bytes (checks it)
 *   ?op=http&url=U[&method=M][&body=B]  status, then the body
 *   ?op=llm&model=M&prompt=P[&max=N][&temp=T]     text, then a usage line
 *   ?op=embed&model=M&text=T
 *   ?op=stream&model=M&prompt=P[&max=N][&temp=T]  pieces joined with '|'
 * Errors answer 500 with "error CODE: MESSAGE". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anywhere.h"

static void fail(int code) {
    anywhere_status(500);
    anywhere_printf("error %d: %s\n", code, anywhere_error());
}

static const char *q(const char *name, const char *def) {
    const char *v = anywhere_query_get(name);
    return v ? v : def;
}

static int open_store(void) {
    int s = anywhere_kv_open(q("store", "default"));
    if (s < 0) fail(s);
    return s;
}

ANYWHERE_HANDLER void anywhere_handle(void) {
    anywhere_header("content-type", "text/plain");
    const char *op = q("op", "");
    if (!strcmp(op, "var")) {
        const char *v = anywhere_variable(q("name", ""));
        if (v) anywhere_printf("%s", v);
        else anywhere_printf("absent: %s", anywhere_error());
    } else if (!strncmp(op, "kv-", 3)) {
        int s = open_store(), r;
        if (s < 0) return;
        const char *key = q("key", "");
        if (!strcmp(op, "kv-set")) {
            if ((r = anywhere_kv_set_str(s, key, q("value", ""))) < 0) return fail(r);
            anywhere_printf("ok");
        } else if (!strcmp(op, "kv-get")) {
            size_t len;
            int err;
            char *v = anywhere_kv_get(s, key, &len, &err);
            if (!v && err == ANYWHERE_ERR_ABSENT) anywhere_printf("absent");
            else if (!v) fail(err);
            else anywhere_write(v, len);
        } else if (!strcmp(op, "kv-del")) {
            if ((r = anywhere_kv_delete(s, key)) < 0) return fail(r);
            anywhere_printf("deleted");
        } else if (!strcmp(op, "kv-exists")) {
            if ((r = anywhere_kv_exists(s, key)) < 0) return fail(r);
            anywhere_printf("%d", r);
        } else if (!strcmp(op, "kv-keys")) {
            size_t n;
            char **keys = anywhere_kv_keys(s, &n);
            if (!keys) return fail(ANYWHERE_ERR_RUNTIME);
            for (size_t i = 0; i < n; i++) anywhere_printf("%s%s", i ? "," : "", keys[i]);
        } else if (!strcmp(op, "kv-big")) {
            size_t n = (size_t)atol(q("n", "0")), len;
            char *v = malloc(n + 1);
            for (size_t i = 0; i < n; i++) v[i] = (char)('a' + i % 26);
            if ((r = anywhere_kv_set(s, key, v, n)) < 0) return fail(r);
            int err;
            char *back = anywhere_kv_get(s, key, &len, &err);
            if (!back) return fail(err);
            anywhere_printf("%zu %s", len, len == n && !memcmp(back, v, n) ? "same" : "DIFFERENT");
        }
        anywhere_kv_close(s);
    } else if (!strcmp(op, "http")) {
        anywhere_http_response r;
        const char *body = q("body", NULL);
        int rc = anywhere_http_send(q("method", body ? "POST" : "GET"), q("url", ""), q("headers", NULL), body,
                                    body ? strlen(body) : 0, &r);
        if (rc < 0) return fail(rc);
        const char *ct = anywhere_http_header(&r, "content-type");
        anywhere_printf("%d %s\n", r.status, ct ? ct : "-");
        anywhere_write(r.body, r.body_len);
    } else if (!strcmp(op, "llm")) {
        anywhere_llm_params p;
        anywhere_llm_params_default(&p);
        p.max_tokens = (uint32_t)atoi(q("max", "100"));
        p.temperature = (float)atof(q("temp", "0.8"));
        anywhere_llm_usage u;
        char *text = anywhere_llm_infer(q("model", ""), q("prompt", ""), &p, &u);
        if (!text) return fail(ANYWHERE_ERR_RUNTIME);
        anywhere_printf("%s\nusage %u %u\n", text, u.prompt_token_count, u.generated_token_count);
    } else if (!strcmp(op, "embed")) {
        const char *texts[2] = {q("text", "hello"), "second"};
        size_t dims;
        uint32_t pt = 0;
        float *v = anywhere_llm_embed(q("model", ""), texts, 2, &dims, &pt);
        if (!v) return fail(ANYWHERE_ERR_RUNTIME);
        double norm = 0;
        for (size_t i = 0; i < dims; i++) norm += (double)v[i] * v[i];
        anywhere_printf("dims %zu tokens %u norm %.3f\n", dims, pt, norm);
    } else if (!strcmp(op, "stream")) {
        anywhere_llm_params p;
        anywhere_llm_params_default(&p);
        p.max_tokens = (uint32_t)atoi(q("max", "100"));
        p.temperature = (float)atof(q("temp", "0.8"));
        int s = anywhere_llm_stream_start(q("model", ""), q("prompt", ""), &p);
        if (s < 0) return fail(s);
        char buf[64];
        int n, pieces = 0;
        while ((n = anywhere_llm_stream_next(s, buf, sizeof buf)) > 0) anywhere_printf("%s%.*s", pieces++ ? "|" : "", n, buf);
        if (n < 0) return fail(n);
        anywhere_llm_usage u;
        anywhere_llm_stream_usage(s, &u);
        anywhere_printf("\npieces %d usage %u %u\n", pieces, u.prompt_token_count, u.generated_token_count);
        anywhere_llm_stream_close(s);
    } else {
        anywhere_status(400);
        anywhere_printf("unknown op '%s'\n", op);
    }
}
