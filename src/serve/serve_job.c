/* serve_job.c — request steps shared by the Ollama and OpenAI routes. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/serve_job.h"

static void fail(http_response *res, int openai, int status, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (openai) serve_reply_openai_error(res, status, status == 404 ? "not_found_error" : status >= 500 ? "api_error" : "invalid_request_error", "%s", msg);
    else serve_reply_error(res, status, "%s", msg);
}

cJSON *serve_parse_body(const http_request *req, http_response *res, int openai) {
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(req->body, req->body_len, &end, 0);
    if (!j) {
        size_t at = end && end >= req->body ? (size_t)(end - req->body) : 0;
        fail(res, openai, 400, "invalid JSON in request body at byte %zu%s", at, req->body_len ? "" : " (empty body)");
        return NULL;
    }
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        fail(res, openai, 400, "request body must be a JSON object");
        return NULL;
    }
    return j;
}

serve_model *serve_job_model(serve_state *s, const cJSON *body, http_response *res, int openai) {
    const cJSON *mv = cJSON_GetObjectItemCaseSensitive(body, "model");
    const char *name = cJSON_GetStringValue(mv);
    if (!name || !*name) { fail(res, openai, 400, "model is required"); return NULL; }
    serve_model *m = serve_registry_find(&s->reg, name);
    if (!m) {
        char *names = serve_registry_names(&s->reg);
        fail(res, openai, 404, "model '%s' not found; available models: %s", name, names && *names ? names : "(none)");
        free(names);
    }
    return m;
}

int serve_job_messages(const cJSON *body, ai_chat_msg **out, http_response *res, int openai) {
    const cJSON *msgs = cJSON_GetObjectItemCaseSensitive(body, "messages"), *it;
    *out = NULL;
    if (!msgs || cJSON_IsNull(msgs)) return 0;
    if (!cJSON_IsArray(msgs)) { fail(res, openai, 400, "messages must be a list"); return -1; }
    int n = cJSON_GetArraySize(msgs), i = 0;
    *out = calloc((size_t)n + 1, sizeof **out);
    cJSON_ArrayForEach(it, msgs) {
        const char *role = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "role"));
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(it, "content");
        if (!role) { fail(res, openai, 400, "messages[%d].role must be a string", i); free(*out); *out = NULL; return -1; }
        const char *content = cJSON_GetStringValue(c);
        if (!content && cJSON_IsArray(c)) { /* OpenAI content parts: take the first text part */
            const cJSON *part;
            cJSON_ArrayForEach(part, c) {
                const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(part, "text"));
                if (t) { content = t; break; }
            }
        }
        if (!content && c && !cJSON_IsNull(c)) { fail(res, openai, 400, "messages[%d].content must be a string", i); free(*out); *out = NULL; return -1; }
        (*out)[i].role = role;
        (*out)[i].content = content ? content : "";
        i++;
    }
    return i;
}

/* Continues an earlier exchange: its tokens, then the new prompt's (without
 * a second BOS). The KV cache usually holds them already. */
static int add_context(serve_job *j, http_response *res, const serve_opts *o) {
    int nc = cJSON_GetArraySize(j->context), skip = j->n_prompt > 0 && j->prompt[0] == ai_tokenizer_bos(j->m->tok);
    int32_t *all = malloc(((size_t)nc + (size_t)j->n_prompt) * sizeof *all);
    const char *bad = all ? NULL : "out of memory";
    int n = 0, vocab = (int)ai_tokenizer_n_tokens(j->m->tok);
    const cJSON *it;
    cJSON_ArrayForEach(it, j->context) {
        if (!bad && (!cJSON_IsNumber(it) || it->valuedouble < 0 || it->valuedouble >= vocab)) bad = "context must be a list of token ids of this model";
        if (!bad) all[n++] = (int32_t)it->valuedouble;
    }
    if (bad) {
        free(all);
        free(j->prompt);
        j->prompt = NULL;
        serve_model_release(j->m, o->keep_alive_ms);
        j->m = NULL;
        fail(res, j->openai, all ? 400 : 500, "%s", bad);
        return -1;
    }
    memcpy(all + n, j->prompt + skip, (size_t)(j->n_prompt - skip) * sizeof *all);
    j->n_prompt = n + j->n_prompt - skip;
    free(j->prompt);
    j->prompt = all;
    return 0;
}

int serve_job_start(serve_job *j, serve_state *s, serve_model *m, const ai_chat_msg *msgs, size_t n_msgs,
                    const char *raw, const serve_opts *o, http_response *res) {
    (void)s;
    char err[1024];
    j->m = m;
    if (serve_model_acquire(&s->reg, m, o->num_ctx, &j->load_ns, err, sizeof err)) {
        fail(res, j->openai, 500, "cannot load model '%s': %s", m->name, err);
        return -1;
    }
    /* A raw prompt is the client's own template: its control tokens count.
     * Rendered messages may only contain the template's. */
    unsigned char *markup = NULL;
    char *text = raw ? strdup(raw) : ai_chat_render_masked(m->chat, msgs, n_msgs, 1, &markup);
    j->prompt = text ? serve_tokenize(m, text, 1, markup, &j->n_prompt) : NULL;
    free(text);
    free(markup);
    if (!j->prompt) {
        serve_model_release(m, o->keep_alive_ms);
        fail(res, j->openai, 500, "out of memory");
        return -1;
    }
    if (j->context && cJSON_GetArraySize(j->context) > 0 && add_context(j, res, o) < 0) return -1;
    if (j->n_prompt >= m->n_ctx) {
        int n = j->n_prompt, ctx = m->n_ctx;
        free(j->prompt);
        j->prompt = NULL;
        serve_model_release(m, o->keep_alive_ms);
        fail(res, j->openai, 400, "the prompt is %d tokens, more than the context length %d allows (raise options.num_ctx)", n, ctx);
        return -1;
    }
    return 0;
}

void serve_job_end(serve_job *j, const serve_opts *o) {
    free(j->prompt);
    j->prompt = NULL;
    if (j->m) serve_model_release(j->m, o->keep_alive_ms);
    j->m = NULL;
}

void serve_add_stats(cJSON *obj, const serve_job *j, const serve_stats *st) {
    cJSON_AddNumberToObject(obj, "total_duration", (double)(serve_now_ns() - j->t_start));
    cJSON_AddNumberToObject(obj, "load_duration", (double)j->load_ns);
    cJSON_AddNumberToObject(obj, "prompt_eval_count", st->prompt_n);
    cJSON_AddNumberToObject(obj, "prompt_eval_duration", (double)st->prompt_ns);
    cJSON_AddNumberToObject(obj, "eval_count", st->eval_n);
    cJSON_AddNumberToObject(obj, "eval_duration", (double)st->eval_ns);
}
