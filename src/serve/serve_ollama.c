/* serve_ollama.c — Ollama's native API: /api/generate and /api/chat (NDJSON
 * streams, or one object with "stream": false), /api/embed and the legacy
 * /api/embeddings. Durations are nanoseconds, as Ollama reports them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/serve_job.h"

typedef struct {
    http_response *res;
    const char *model;
    int chat, stream;
    char *all;              /* stream:false: the whole output */
    size_t n, cap;
} ollama_out;

static cJSON *chunk_base(const char *model) {
    char ts[64];
    serve_timestamp(ts, sizeof ts);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "model", model);
    cJSON_AddStringToObject(o, "created_at", ts);
    return o;
}

static void add_text(cJSON *o, int chat, const char *text) {
    if (chat) {
        cJSON *msg = cJSON_AddObjectToObject(o, "message");
        cJSON_AddStringToObject(msg, "role", "assistant");
        cJSON_AddStringToObject(msg, "content", text);
    } else {
        cJSON_AddStringToObject(o, "response", text);
    }
}

static int write_line(http_response *res, cJSON *o) {
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s) return -1;
    size_t n = strlen(s);
    s[n] = '\n'; /* overwrite the NUL: the line is sent by length */
    int rc = http_stream_write(res, s, n + 1);
    free(s);
    return rc;
}

static int emit(void *ud, const char *text, size_t n) {
    ollama_out *o = ud;
    if (!o->stream) return serve_text_append(&o->all, &o->n, &o->cap, text, n);
    char *t = strndup(text, n);
    if (!t) return -1;
    cJSON *c = chunk_base(o->model);
    add_text(c, o->chat, t);
    cJSON_AddBoolToObject(c, "done", 0);
    free(t);
    return write_line(o->res, c);
}

/* A request without prompt or messages only loads (or, with keep_alive 0,
 * unloads) the model, as in Ollama. */
static void load_only(serve_state *s, serve_model *m, const serve_opts *o, int chat, http_response *res) {
    serve_job j = {.t_start = serve_now_ns()};
    char err[512];
    if (serve_model_acquire(&s->reg, m, o->num_ctx, &j.load_ns, err, sizeof err)) {
        serve_reply_error(res, 500, "cannot load model '%s': %s", m->name, err);
        return;
    }
    serve_model_release(m, o->keep_alive_ms);
    cJSON *c = chunk_base(m->name);
    add_text(c, chat, "");
    cJSON_AddBoolToObject(c, "done", 1);
    cJSON_AddStringToObject(c, "done_reason", o->keep_alive_ms == 0 ? "unload" : "load");
    serve_reply_json(res, 200, c);
}

void serve_ollama_generate(serve_state *s, const http_request *req, http_response *res, int chat) {
    cJSON *body = serve_parse_body(req, res, 0);
    if (!body) return;
    serve_opts opts = {0};
    ai_chat_msg *msgs = NULL;
    serve_stats st = {0};
    serve_job job = {.t_start = serve_now_ns()};
    ollama_out out = {.res = res, .chat = chat};
    char err[1024];
    serve_model *m = serve_job_model(s, body, res, 0);
    if (!m) goto done;
    if (serve_opts_from_ollama(&opts, m->params, body, err, sizeof err)) { serve_reply_error(res, 400, "%s", err); goto done; }
    const cJSON *sv = cJSON_GetObjectItemCaseSensitive(body, "stream");
    out.stream = !cJSON_IsFalse(sv);
    out.model = m->name;
    int n_msgs = 0;
    const char *raw = NULL;
    ai_chat_msg gen[2];
    if (chat) {
        if ((n_msgs = serve_job_messages(body, &msgs, res, 0)) < 0) goto done;
        if (n_msgs == 0) { load_only(s, m, &opts, chat, res); goto done; }
    } else {
        const cJSON *pv = cJSON_GetObjectItemCaseSensitive(body, "prompt");
        const char *prompt = cJSON_GetStringValue(pv);
        if (pv && !cJSON_IsNull(pv) && !prompt) { serve_reply_error(res, 400, "prompt must be a string"); goto done; }
        if (!prompt || !*prompt) { load_only(s, m, &opts, chat, res); goto done; }
        const char *system = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "system"));
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body, "raw"))) raw = prompt;
        else {
            if (system) gen[n_msgs++] = (ai_chat_msg){"system", system};
            gen[n_msgs++] = (ai_chat_msg){"user", prompt};
        }
    }
    if (!chat) {
        job.context = cJSON_GetObjectItemCaseSensitive(body, "context");
        if (job.context && !cJSON_IsNull(job.context) && !cJSON_IsArray(job.context)) { serve_reply_error(res, 400, "context must be a list of token ids"); goto done; }
    }
    if (serve_job_start(&job, s, m, chat ? msgs : gen, (size_t)n_msgs, raw, &opts, res)) goto done;
    if (out.stream) http_stream_start(res, 200, "application/x-ndjson");
    int rc = serve_generate(m, job.prompt, job.n_prompt, &opts, emit, &out, res, &st, err, sizeof err);
    if (rc) {
        if (out.stream) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "error", err);
            write_line(res, e);
            http_stream_end(res);
        } else {
            serve_reply_error(res, rc, "%s", err);
        }
    } else if (strcmp(st.done_reason, "cancel") != 0 || !out.stream) {
        cJSON *f = chunk_base(m->name);
        add_text(f, chat, out.stream ? "" : (out.all ? out.all : ""));
        cJSON_AddBoolToObject(f, "done", 1);
        cJSON_AddStringToObject(f, "done_reason", st.done_reason);
        if (!chat && st.context) cJSON_AddItemToObject(f, "context", cJSON_CreateIntArray(st.context, st.n_context));
        serve_add_stats(f, &job, &st);
        if (out.stream) {
            write_line(res, f);
            http_stream_end(res);
        } else {
            serve_reply_json(res, 200, f);
        }
    }
    if (st.done_reason && !strcmp(st.done_reason, "cancel"))
        fprintf(stderr, "serve-model: %s: client went away; generation stopped after %d tokens\n", m->name, st.eval_n);
    serve_job_end(&job, &opts);
done:
    free(st.context);
    free(out.all);
    free(msgs);
    serve_opts_free(&opts);
    cJSON_Delete(body);
}

cJSON *serve_embed_inputs(serve_state *s, serve_model *m, const char **inputs, int n, int truncate,
                          const serve_opts *o, serve_job *job, int *n_tokens, http_response *res, int openai) {
    char err[512];
    job->m = m;
    if (serve_model_acquire(&s->reg, m, o->num_ctx, &job->load_ns, err, sizeof err)) {
        job->m = NULL;
        if (openai) serve_reply_openai_error(res, 500, "api_error", "cannot load model '%s': %s", m->name, err);
        else serve_reply_error(res, 500, "cannot load model '%s': %s", m->name, err);
        return NULL;
    }
    int E = ai_model_n_embd(m->model);
    cJSON *all = cJSON_CreateArray();
    *n_tokens = 0;
    for (int i = 0; i < n; i++) {
        int nt = 0;
        int32_t *toks = serve_tokenize(m, inputs[i], 0, NULL, &nt);
        float *v = malloc((size_t)E * sizeof *v);
        int status = 0;
        if (!toks || !v) { status = 500; snprintf(err, sizeof err, "out of memory"); }
        else if (nt > m->n_ctx) {
            if (truncate) nt = m->n_ctx;
            else { status = 400; snprintf(err, sizeof err, "input %d is %d tokens, more than the context length %d (truncate is false)", i, nt, m->n_ctx); }
        }
        if (!status && ai_embed_keep_cache(m->ctx, toks, nt, v)) { status = 500; snprintf(err, sizeof err, "embedding failed: %s", ai_context_error(m->ctx)); }
        if (status) {
            free(toks);
            free(v);
            cJSON_Delete(all);
            serve_job_end(job, o);
            if (openai) serve_reply_openai_error(res, status, status == 400 ? "invalid_request_error" : "api_error", "%s", err);
            else serve_reply_error(res, status, "%s", err);
            return NULL;
        }
        *n_tokens += nt;
        cJSON_AddItemToArray(all, cJSON_CreateFloatArray(v, E));
        free(toks);
        free(v);
    }
    serve_job_end(job, o);
    return all;
}

int serve_embed_read_inputs(const cJSON *body, const char *key, const char ***out) {
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(body, key), *it;
    *out = NULL;
    if (cJSON_IsString(in)) {
        *out = malloc(sizeof **out);
        (*out)[0] = in->valuestring;
        return 1;
    }
    if (!cJSON_IsArray(in)) return -1;
    int n = 0;
    *out = calloc((size_t)cJSON_GetArraySize(in) + 1, sizeof **out);
    cJSON_ArrayForEach(it, in) {
        if (!cJSON_IsString(it)) { free(*out); *out = NULL; return -1; }
        (*out)[n++] = it->valuestring;
    }
    return n;
}

void serve_ollama_embed(serve_state *s, const http_request *req, http_response *res, int legacy) {
    cJSON *body = serve_parse_body(req, res, 0);
    if (!body) return;
    serve_opts opts = {0};
    const char **inputs = NULL;
    char err[512];
    serve_job job = {.t_start = serve_now_ns()};
    serve_model *m = serve_job_model(s, body, res, 0);
    if (!m) goto done;
    if (serve_opts_from_ollama(&opts, m->params, body, err, sizeof err)) { serve_reply_error(res, 400, "%s", err); goto done; }
    int n = serve_embed_read_inputs(body, legacy ? "prompt" : "input", &inputs);
    if (n < 0) { serve_reply_error(res, 400, legacy ? "prompt must be a string" : "input must be a string or a list of strings"); goto done; }
    const cJSON *tr = cJSON_GetObjectItemCaseSensitive(body, "truncate");
    int n_tokens = 0;
    cJSON *vecs = serve_embed_inputs(s, m, inputs, n, !cJSON_IsFalse(tr), &opts, &job, &n_tokens, res, 0);
    if (!vecs) goto done;
    cJSON *o = cJSON_CreateObject();
    if (legacy) {
        cJSON *first = cJSON_DetachItemFromArray(vecs, 0);
        cJSON_AddItemToObject(o, "embedding", first ? first : cJSON_CreateArray());
        cJSON_Delete(vecs);
    } else {
        cJSON_AddStringToObject(o, "model", m->name);
        cJSON_AddItemToObject(o, "embeddings", vecs);
        cJSON_AddNumberToObject(o, "total_duration", (double)(serve_now_ns() - job.t_start));
        cJSON_AddNumberToObject(o, "load_duration", (double)job.load_ns);
        cJSON_AddNumberToObject(o, "prompt_eval_count", n_tokens);
    }
    serve_reply_json(res, 200, o);
done:
    free(inputs);
    serve_opts_free(&opts);
    cJSON_Delete(body);
}
