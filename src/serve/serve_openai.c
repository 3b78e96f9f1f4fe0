/* serve_openai.c — the OpenAI-compatible routes Ollama offers under /v1:
 * chat and text completions (server-sent events when streaming, ending with
 * "data: [DONE]"), embeddings, and the model list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "serve/serve_job.h"

typedef struct {
    http_response *res;
    const char *model;
    int chat, stream, first;
    char id[40];
    long long created;
    char *all;
    size_t n, cap;
} openai_out;

static cJSON *chunk(openai_out *o, const char *text, const char *finish) {
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "id", o->id);
    cJSON_AddStringToObject(c, "object", o->chat ? "chat.completion.chunk" : "text_completion");
    cJSON_AddNumberToObject(c, "created", (double)o->created);
    cJSON_AddStringToObject(c, "model", o->model);
    cJSON_AddStringToObject(c, "system_fingerprint", "fp_anywhere");
    cJSON *choices = cJSON_AddArrayToObject(c, "choices"), *ch = cJSON_CreateObject();
    cJSON_AddItemToArray(choices, ch);
    cJSON_AddNumberToObject(ch, "index", 0);
    if (o->chat) {
        cJSON *d = cJSON_AddObjectToObject(ch, "delta");
        if (o->first || text) cJSON_AddStringToObject(d, "role", "assistant");
        if (text) cJSON_AddStringToObject(d, "content", text);
    } else {
        cJSON_AddStringToObject(ch, "text", text ? text : "");
    }
    if (finish) cJSON_AddStringToObject(ch, "finish_reason", finish);
    else cJSON_AddNullToObject(ch, "finish_reason");
    return c;
}

static int send_event(http_response *res, cJSON *o) {
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s) return -1;
    size_t n = strlen(s);
    char *ev = malloc(n + 9);
    if (!ev) { free(s); return -1; }
    memcpy(ev, "data: ", 6);
    memcpy(ev + 6, s, n);
    memcpy(ev + 6 + n, "\n\n", 2);
    int rc = http_stream_write(res, ev, n + 8);
    free(ev);
    free(s);
    return rc;
}

static int emit(void *ud, const char *text, size_t n) {
    openai_out *o = ud;
    if (!o->stream) return serve_text_append(&o->all, &o->n, &o->cap, text, n);
    char *t = strndup(text, n);
    if (!t) return -1;
    int rc = send_event(o->res, chunk(o, t, NULL));
    o->first = 0;
    free(t);
    return rc;
}

static cJSON *usage(const serve_job *j, const serve_stats *st) {
    cJSON *u = cJSON_CreateObject();
    cJSON_AddNumberToObject(u, "prompt_tokens", st->prompt_n);
    cJSON_AddNumberToObject(u, "completion_tokens", st->eval_n);
    cJSON_AddNumberToObject(u, "total_tokens", st->prompt_n + st->eval_n);
    (void)j;
    return u;
}

void serve_openai_complete(serve_state *s, const http_request *req, http_response *res, int chat) {
    cJSON *body = serve_parse_body(req, res, 1);
    if (!body) return;
    serve_opts opts = {0};
    ai_chat_msg *msgs = NULL;
    serve_stats st = {0};
    serve_job job = {.t_start = serve_now_ns(), .openai = 1};
    openai_out out = {.res = res, .chat = chat, .first = 1, .created = (long long)time(NULL)};
    char err[1024];
    serve_model *m = serve_job_model(s, body, res, 1);
    if (!m) goto done;
    if (serve_opts_from_openai(&opts, m->params, body, err, sizeof err)) { serve_reply_openai_error(res, 400, "invalid_request_error", "%s", err); goto done; }
    out.stream = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body, "stream"));
    const cJSON *so = cJSON_GetObjectItemCaseSensitive(body, "stream_options");
    int include_usage = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(so, "include_usage"));
    out.model = m->name;
    snprintf(out.id, sizeof out.id, "%s-%lld", chat ? "chatcmpl" : "cmpl", serve_now_ns() % 1000000000ll);
    int n_msgs = 0;
    const char *raw = NULL;
    if (chat) {
        if ((n_msgs = serve_job_messages(body, &msgs, res, 1)) < 0) goto done;
        if (n_msgs == 0) { serve_reply_openai_error(res, 400, "invalid_request_error", "messages must not be empty"); goto done; }
    } else {
        const cJSON *pv = cJSON_GetObjectItemCaseSensitive(body, "prompt");
        raw = cJSON_GetStringValue(pv);
        if (!raw && cJSON_IsArray(pv) && cJSON_GetArraySize(pv) == 1) raw = cJSON_GetStringValue(cJSON_GetArrayItem(pv, 0));
        if (!raw) { serve_reply_openai_error(res, 400, "invalid_request_error", "prompt must be a string"); goto done; }
    }
    if (serve_job_start(&job, s, m, msgs, (size_t)n_msgs, raw, &opts, res)) goto done;
    if (out.stream) http_stream_start(res, 200, "text/event-stream");
    int rc = serve_generate(m, job.prompt, job.n_prompt, &opts, emit, &out, res, &st, err, sizeof err);
    const char *finish = st.done_reason && !strcmp(st.done_reason, "length") ? "length" : "stop";
    if (rc) {
        if (out.stream) {
            cJSON *e = cJSON_CreateObject(), *eo = cJSON_AddObjectToObject(e, "error");
            cJSON_AddStringToObject(eo, "message", err);
            cJSON_AddStringToObject(eo, "type", "api_error");
            send_event(res, e);
            http_stream_end(res);
        } else {
            serve_reply_openai_error(res, rc, "api_error", "%s", err);
        }
    } else if (out.stream) {
        if (strcmp(st.done_reason, "cancel") != 0) {
            send_event(res, chunk(&out, chat ? NULL : "", finish));
            if (include_usage) {
                cJSON *u = chunk(&out, NULL, NULL);
                cJSON_ReplaceItemInObject(u, "choices", cJSON_CreateArray());
                cJSON_AddItemToObject(u, "usage", usage(&job, &st));
                send_event(res, u);
            }
            http_stream_write(res, "data: [DONE]\n\n", 14);
            http_stream_end(res);
        }
    } else {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "id", out.id);
        cJSON_AddStringToObject(r, "object", chat ? "chat.completion" : "text_completion");
        cJSON_AddNumberToObject(r, "created", (double)out.created);
        cJSON_AddStringToObject(r, "model", m->name);
        cJSON_AddStringToObject(r, "system_fingerprint", "fp_anywhere");
        cJSON *choices = cJSON_AddArrayToObject(r, "choices"), *ch = cJSON_CreateObject();
        cJSON_AddItemToArray(choices, ch);
        cJSON_AddNumberToObject(ch, "index", 0);
        if (chat) {
            cJSON *msg = cJSON_AddObjectToObject(ch, "message");
            cJSON_AddStringToObject(msg, "role", "assistant");
            cJSON_AddStringToObject(msg, "content", out.all ? out.all : "");
        } else {
            cJSON_AddStringToObject(ch, "text", out.all ? out.all : "");
        }
        cJSON_AddStringToObject(ch, "finish_reason", finish);
        cJSON_AddItemToObject(r, "usage", usage(&job, &st));
        serve_reply_json(res, 200, r);
    }
    serve_job_end(&job, &opts);
done:
    free(st.context);
    free(out.all);
    free(msgs);
    serve_opts_free(&opts);
    cJSON_Delete(body);
}

void serve_openai_embeddings(serve_state *s, const http_request *req, http_response *res) {
    cJSON *body = serve_parse_body(req, res, 1);
    if (!body) return;
    serve_opts opts = {0};
    const char **inputs = NULL;
    char err[512];
    serve_job job = {.t_start = serve_now_ns(), .openai = 1};
    serve_model *m = serve_job_model(s, body, res, 1);
    if (!m) goto done;
    if (serve_opts_from_openai(&opts, m->params, body, err, sizeof err)) { serve_reply_openai_error(res, 400, "invalid_request_error", "%s", err); goto done; }
    int n = serve_embed_read_inputs(body, "input", &inputs);
    if (n <= 0) { serve_reply_openai_error(res, 400, "invalid_request_error", "input must be a non-empty string or list of strings"); goto done; }
    int n_tokens = 0;
    cJSON *vecs = serve_embed_inputs(s, m, inputs, n, 1, &opts, &job, &n_tokens, res, 1);
    if (!vecs) goto done;
    cJSON *o = cJSON_CreateObject(), *data = cJSON_AddArrayToObject(o, "data");
    cJSON_AddStringToObject(o, "object", "list");
    for (int i = 0; i < n; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "object", "embedding");
        cJSON_AddItemToObject(e, "embedding", cJSON_DetachItemFromArray(vecs, 0));
        cJSON_AddNumberToObject(e, "index", i);
        cJSON_AddItemToArray(data, e);
    }
    cJSON_Delete(vecs);
    cJSON_AddStringToObject(o, "model", m->name);
    cJSON *u = cJSON_AddObjectToObject(o, "usage");
    cJSON_AddNumberToObject(u, "prompt_tokens", n_tokens);
    cJSON_AddNumberToObject(u, "total_tokens", n_tokens);
    serve_reply_json(res, 200, o);
done:
    free(inputs);
    serve_opts_free(&opts);
    cJSON_Delete(body);
}
