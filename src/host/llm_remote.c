/* llm_remote.c — llm backends over HTTP (libcurl + cJSON):
 *   ollama       POST {url}/api/generate {model, prompt, raw: true, stream: false, options}
 *                POST {url}/api/embed {model, input}
 *   openai       POST {url}/v1/completions {model, prompt, max_tokens, temperature, top_p}
 *                POST {url}/v1/embeddings {model, input}   (url may end in /v1)
 *   remote_http  Spin's protocol: POST {url}/infer {model, prompt, options{maxTokens,
 *                repeatPenalty, repeatPenaltyLastNTokenCount, temperature, topK, topP}}
 *                -> {text, usage{promptTokenCount, generatedTokenCount}};
 *                POST {url}/embed {model, input} -> {embeddings, usage{promptTokenCount}}
 * auth_token is sent as "authorization: bearer TOKEN". These requests are
 * the host's (configured by the operator), not the guest's: they do not go
 * through allowed_outbound_hosts. */
#include <stdlib.h>
#include <string.h>

#include "host/dl_curl.h"
#include "host/internal.h"
#include "json/json.h"

typedef struct {
    char *s;
    size_t n;
} buf;

static size_t on_data(char *d, size_t size, size_t nmemb, void *ud) {
    buf *b = ud;
    size_t n = size * nmemb;
    if (b->n + n > (64u << 20)) return 0;
    char *g = realloc(b->s, b->n + n + 1);
    if (!g) return 0;
    memcpy(g + b->n, d, n);
    b->n += n;
    g[b->n] = 0;
    b->s = g;
    return n;
}

/* POSTs JSON to base+path; returns the parsed reply or NULL with err. */
static cJSON *post(const host_llm_config *c, const char *path, cJSON *body, long timeout_ms, char *err, size_t errlen) {
    char url[2048];
    const char *base = c->url ? c->url : "";
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/') bl--;
    /* "http://h/v1" + "/v1/completions": do not repeat the /v1 */
    if (bl >= 3 && !strncmp(base + bl - 3, "/v1", 3) && !strncmp(path, "/v1/", 4)) path += 3;
    snprintf(url, sizeof url, "%.*s%s", (int)bl, base, path);
    if (!aw_curl_load(err, errlen)) return NULL;
    char *text = cJSON_PrintUnformatted(body);
    CURL *h = aw_curl.easy_init();
    struct curl_slist *hl = aw_curl.slist_append(NULL, "content-type: application/json");
    char auth[600];
    if (c->auth_token) {
        snprintf(auth, sizeof auth, "authorization: bearer %s", c->auth_token);
        hl = aw_curl.slist_append(hl, auth);
    }
    buf b = {0};
    cJSON *reply = NULL;
    if (!text || !h) { snprintf(err, errlen, "out of memory"); goto done; }
    aw_curl.easy_setopt(h, CURLOPT_URL, url);
    aw_curl.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    aw_curl.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    aw_curl.easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 300000L);
    aw_curl.easy_setopt(h, CURLOPT_POSTFIELDS, text);
    aw_curl.easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    aw_curl.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    aw_curl.easy_setopt(h, CURLOPT_WRITEDATA, &b);
    CURLcode rc = aw_curl.easy_perform(h);
    long status = 0;
    aw_curl.easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK) { snprintf(err, errlen, "%s: %s", url, aw_curl.easy_strerror(rc)); goto done; }
    if (status != 200) { snprintf(err, errlen, "%s: HTTP %ld: %.300s", url, status, b.s ? b.s : ""); goto done; }
    if (!(reply = cJSON_Parse(b.s ? b.s : ""))) snprintf(err, errlen, "%s: the reply is not JSON", url);
done:
    free(b.s);
    free(text);
    aw_curl.slist_free_all(hl);
    if (h) aw_curl.easy_cleanup(h);
    return reply;
}

static double num(const cJSON *o, const char *a, const char *b) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b) x = cJSON_GetObjectItemCaseSensitive(x, b);
    return cJSON_IsNumber(x) ? x->valuedouble : 0;
}

int host_llm_remote_infer(const host_llm_config *c, const char *model, const char *prompt, const host_llm_params *p,
                          host_emit emit, void *ud, host_llm_usage *u, long timeout_ms, char *err, size_t errlen) {
    const char *name = c->remote_model ? c->remote_model : model;
    cJSON *req = cJSON_CreateObject(), *reply = NULL;
    cJSON_AddStringToObject(req, "model", name);
    cJSON_AddStringToObject(req, "prompt", prompt);
    const char *text = NULL;
    if (c->type == HOST_LLM_OLLAMA) {
        cJSON_AddBoolToObject(req, "raw", 1);
        cJSON_AddBoolToObject(req, "stream", 0);
        cJSON *o = cJSON_AddObjectToObject(req, "options");
        cJSON_AddNumberToObject(o, "num_predict", p->max_tokens);
        cJSON_AddNumberToObject(o, "temperature", p->temperature);
        cJSON_AddNumberToObject(o, "top_k", p->top_k);
        cJSON_AddNumberToObject(o, "top_p", p->top_p);
        cJSON_AddNumberToObject(o, "repeat_penalty", p->repeat_penalty);
        cJSON_AddNumberToObject(o, "repeat_last_n", p->repeat_last_n);
        if ((reply = post(c, "/api/generate", req, timeout_ms, err, errlen))) {
            text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reply, "response"));
            u->prompt_tokens = (uint32_t)num(reply, "prompt_eval_count", NULL);
            u->generated_tokens = (uint32_t)num(reply, "eval_count", NULL);
        }
    } else if (c->type == HOST_LLM_OPENAI) {
        cJSON_AddNumberToObject(req, "max_tokens", p->max_tokens);
        cJSON_AddNumberToObject(req, "temperature", p->temperature);
        cJSON_AddNumberToObject(req, "top_p", p->top_p);
        if ((reply = post(c, "/v1/completions", req, timeout_ms, err, errlen))) {
            cJSON *ch = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(reply, "choices"), 0);
            text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ch, "text"));
            u->prompt_tokens = (uint32_t)num(reply, "usage", "prompt_tokens");
            u->generated_tokens = (uint32_t)num(reply, "usage", "completion_tokens");
        }
    } else {
        cJSON *o = cJSON_AddObjectToObject(req, "options");
        cJSON_AddNumberToObject(o, "maxTokens", p->max_tokens);
        cJSON_AddNumberToObject(o, "repeatPenalty", p->repeat_penalty);
        cJSON_AddNumberToObject(o, "repeatPenaltyLastNTokenCount", p->repeat_last_n);
        cJSON_AddNumberToObject(o, "temperature", p->temperature);
        cJSON_AddNumberToObject(o, "topK", p->top_k);
        cJSON_AddNumberToObject(o, "topP", p->top_p);
        if ((reply = post(c, "/infer", req, timeout_ms, err, errlen))) {
            text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reply, "text"));
            u->prompt_tokens = (uint32_t)num(reply, "usage", "promptTokenCount");
            u->generated_tokens = (uint32_t)num(reply, "usage", "generatedTokenCount");
        }
    }
    int rc = 0;
    if (!reply) rc = HOST_ERR_RUNTIME;
    else if (!text) rc = HOST_ERR_RUNTIME, snprintf(err, errlen, "the %s server's reply has no text", c->url);
    else if (*text) emit(ud, text, strlen(text));
    cJSON_Delete(req);
    cJSON_Delete(reply);
    return rc;
}

int host_llm_remote_embed(const host_llm_config *c, const char *model, const char *const *texts, size_t n, float **out,
                          size_t *dims, uint32_t *prompt_tokens, long timeout_ms, char *err, size_t errlen) {
    cJSON *req = cJSON_CreateObject(), *reply = NULL, *vecs = NULL;
    cJSON_AddStringToObject(req, "model", c->remote_model ? c->remote_model : model);
    cJSON *in = cJSON_AddArrayToObject(req, "input");
    for (size_t i = 0; i < n; i++) cJSON_AddItemToArray(in, cJSON_CreateString(texts[i]));
    if (c->type == HOST_LLM_OLLAMA) {
        if ((reply = post(c, "/api/embed", req, timeout_ms, err, errlen))) {
            vecs = cJSON_GetObjectItemCaseSensitive(reply, "embeddings");
            *prompt_tokens = (uint32_t)num(reply, "prompt_eval_count", NULL);
        }
    } else if (c->type == HOST_LLM_OPENAI) {
        if ((reply = post(c, "/v1/embeddings", req, timeout_ms, err, errlen))) {
            vecs = cJSON_CreateArray();
            cJSON *d;
            cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(reply, "data"))
                cJSON_AddItemReferenceToArray(vecs, cJSON_GetObjectItemCaseSensitive(d, "embedding"));
            cJSON_AddItemToObject(reply, "__vecs", vecs);
            *prompt_tokens = (uint32_t)num(reply, "usage", "prompt_tokens");
        }
    } else if ((reply = post(c, "/embed", req, timeout_ms, err, errlen))) {
        vecs = cJSON_GetObjectItemCaseSensitive(reply, "embeddings");
        *prompt_tokens = (uint32_t)num(reply, "usage", "promptTokenCount");
    }
    int rc = reply ? 0 : HOST_ERR_RUNTIME;
    if (reply && (cJSON_GetArraySize(vecs) != (int)n || (n && cJSON_GetArraySize(cJSON_GetArrayItem(vecs, 0)) <= 0))) {
        snprintf(err, errlen, "the %s server's reply has %d embeddings for %zu inputs", c->url, cJSON_GetArraySize(vecs), n);
        rc = HOST_ERR_RUNTIME;
    }
    if (!rc) {
        size_t E = n ? (size_t)cJSON_GetArraySize(cJSON_GetArrayItem(vecs, 0)) : 0;
        float *v = calloc((n ? n : 1) * (E ? E : 1), sizeof *v);
        for (size_t i = 0; v && i < n; i++)
            for (size_t j = 0; j < E; j++) {
                cJSON *x = cJSON_GetArrayItem(cJSON_GetArrayItem(vecs, (int)i), (int)j);
                v[i * E + j] = cJSON_IsNumber(x) ? (float)x->valuedouble : 0;
            }
        if (!v) rc = HOST_ERR_RUNTIME, snprintf(err, errlen, "out of memory");
        *out = v, *dims = E;
    }
    cJSON_Delete(req);
    cJSON_Delete(reply);
    return rc;
}
