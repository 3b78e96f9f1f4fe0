/* serve_info.c — what models there are: /api/tags, /api/show, /api/ps and
 * /v1/models. Details come from the GGUF metadata, read through a fresh
 * mapping when the model is not loaded (cheap: nothing is copied). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ai/gguf.h"
#include "serve/serve_job.h"

/* llama.cpp's general.file_type numbering (LLAMA_FTYPE_*). */
static const char *ftype_name(int64_t t) {
    switch (t) {
    case 0: return "F32";
    case 1: return "F16";
    case 2: return "Q4_0";
    case 3: return "Q4_1";
    case 7: return "Q8_0";
    case 8: return "Q5_0";
    case 9: return "Q5_1";
    case 10: return "Q2_K";
    case 11: return "Q3_K_S";
    case 12: return "Q3_K_M";
    case 13: return "Q3_K_L";
    case 14: return "Q4_K_S";
    case 15: return "Q4_K_M";
    case 16: return "Q5_K_S";
    case 17: return "Q5_K_M";
    case 18: return "Q6_K";
    case 32: return "BF16";
    default: return "unknown";
    }
}

static uint64_t n_params(const ai_gguf *g) {
    uint64_t total = 0;
    for (size_t i = 0; i < ai_gguf_tensor_count(g); i++) {
        const ai_gguf_tensor *t = ai_gguf_tensor_at(g, i);
        uint64_t n = 1;
        for (uint32_t d = 0; d < t->n_dims; d++) n *= t->ne[d];
        total += n;
    }
    return total;
}

static void format_params(uint64_t n, char *buf, size_t len) {
    if (n >= 1000000000ull) snprintf(buf, len, "%.1fB", (double)n / 1e9);
    else if (n >= 1000000ull) snprintf(buf, len, "%.1fM", (double)n / 1e6);
    else snprintf(buf, len, "%.1fK", (double)n / 1e3);
}

static cJSON *details_from(const ai_gguf *g) {
    cJSON *d = cJSON_CreateObject();
    char *arch = g ? ai_gguf_dup_str(g, "general.architecture") : NULL;
    int64_t ft = -1;
    if (g) ai_gguf_get_i64(g, "general.file_type", &ft);
    char ps[32] = "";
    if (g) format_params(n_params(g), ps, sizeof ps);
    cJSON_AddStringToObject(d, "parent_model", "");
    cJSON_AddStringToObject(d, "format", "gguf");
    cJSON_AddStringToObject(d, "family", arch ? arch : "");
    cJSON *fams = cJSON_AddArrayToObject(d, "families");
    if (arch) cJSON_AddItemToArray(fams, cJSON_CreateString(arch));
    cJSON_AddStringToObject(d, "parameter_size", ps);
    cJSON_AddStringToObject(d, "quantization_level", ftype_name(ft));
    free(arch);
    return d;
}

cJSON *serve_model_details(serve_model *m) {
    char err[256];
    ai_gguf *g = ai_gguf_open(m->path, err, sizeof err);
    cJSON *d = details_from(g);
    ai_gguf_close(g);
    return d;
}

static void iso_time(long long secs_or_ms, int ms, char *buf, size_t n) {
    time_t t = (time_t)(ms ? secs_or_ms / 1000 : secs_or_ms);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static cJSON *model_entry(serve_model *m) {
    cJSON *o = cJSON_CreateObject();
    char ts[64];
    iso_time(m->modified, 0, ts, sizeof ts);
    cJSON_AddStringToObject(o, "name", m->name);
    cJSON_AddStringToObject(o, "model", m->name);
    cJSON_AddStringToObject(o, "modified_at", ts);
    cJSON_AddNumberToObject(o, "size", (double)m->size);
    cJSON_AddStringToObject(o, "digest", m->digest);
    cJSON_AddItemToObject(o, "details", serve_model_details(m));
    return o;
}

void serve_ollama_tags(serve_state *s, http_response *res) {
    free(serve_registry_names(&s->reg)); /* registers what the store holds */
    cJSON *o = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(o, "models");
    pthread_mutex_lock(&s->reg.mu);
    for (serve_model *m = s->reg.head; m; m = m->next) cJSON_AddItemToArray(list, model_entry(m));
    pthread_mutex_unlock(&s->reg.mu);
    serve_reply_json(res, 200, o);
}

void serve_ollama_ps(serve_state *s, http_response *res) {
    cJSON *o = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(o, "models");
    pthread_mutex_lock(&s->reg.mu);
    for (serve_model *m = s->reg.head; m; m = m->next) {
        pthread_mutex_lock(&m->mu);
        int loaded = m->model != NULL;
        long long exp = m->expires_ms;
        /* Ollama's size is the whole footprint (weights, KV cache, compute
         * buffers) and size_vram the part on a GPU: here all of it is in
         * main memory, so size_vram is 0. */
        double footprint = (double)m->size + (loaded ? (double)ai_model_memory(m->model) : 0) +
                           (m->ctx ? (double)ai_context_memory(m->ctx) : 0);
        pthread_mutex_unlock(&m->mu);
        if (!loaded) continue;
        cJSON *e = model_entry(m);
        char ts[64];
        if (exp < 0) snprintf(ts, sizeof ts, "2318-08-18T00:00:00Z"); /* "forever", as Ollama writes it */
        else iso_time(exp, 1, ts, sizeof ts);
        cJSON_DeleteItemFromObject(e, "modified_at");
        cJSON_AddStringToObject(e, "expires_at", ts);
        cJSON_ReplaceItemInObject(e, "size", cJSON_CreateNumber(footprint));
        cJSON_AddNumberToObject(e, "size_vram", 0);
        cJSON_AddItemToArray(list, e);
    }
    pthread_mutex_unlock(&s->reg.mu);
    serve_reply_json(res, 200, o);
}

/* One metadata value as JSON; arrays only when verbose (they can hold a
 * whole vocabulary), else null, as Ollama does. */
static cJSON *kv_json(const ai_gguf_kv *kv, int verbose) {
    switch (kv->type) {
    case AI_GGUF_STRING: {
        char *t = strndup(kv->v.s.ptr, kv->v.s.len);
        cJSON *v = cJSON_CreateString(t ? t : "");
        free(t);
        return v;
    }
    case AI_GGUF_BOOL: return cJSON_CreateBool(kv->v.u != 0);
    case AI_GGUF_F32: case AI_GGUF_F64: return cJSON_CreateNumber(kv->v.f);
    case AI_GGUF_I8: case AI_GGUF_I16: case AI_GGUF_I32: case AI_GGUF_I64: return cJSON_CreateNumber((double)kv->v.i);
    case AI_GGUF_ARRAY:
        if (!verbose) return cJSON_CreateNull();
        {
            cJSON *a = cJSON_CreateArray();
            for (uint64_t i = 0; i < kv->v.arr.n; i++) {
                if (kv->v.arr.type == AI_GGUF_STRING) {
                    ai_gguf_str s = ai_gguf_arr_str(kv, i);
                    char *t = strndup(s.ptr, s.len);
                    cJSON_AddItemToArray(a, cJSON_CreateString(t ? t : ""));
                    free(t);
                } else {
                    cJSON_AddItemToArray(a, cJSON_CreateNumber(ai_gguf_arr_f64(kv, i)));
                }
            }
            return a;
        }
    default: return cJSON_CreateNumber((double)kv->v.u);
    }
}

void serve_ollama_show(serve_state *s, const http_request *req, http_response *res) {
    cJSON *body = serve_parse_body(req, res, 0);
    if (!body) return;
    /* Older clients send "name" instead of "model". */
    const char *old_name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "name"));
    if (!cJSON_GetObjectItemCaseSensitive(body, "model") && old_name) cJSON_AddStringToObject(body, "model", old_name);
    serve_model *m = serve_job_model(s, body, res, 0);
    if (!m) { cJSON_Delete(body); return; }
    int verbose = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body, "verbose"));
    char err[512];
    ai_gguf *g = ai_gguf_open(m->path, err, sizeof err);
    if (!g) { serve_reply_error(res, 500, "%s", err); cJSON_Delete(body); return; }
    cJSON *o = cJSON_CreateObject();
    char mf[4200], ts[64];
    snprintf(mf, sizeof mf, "# Modelfile generated by anywhere serve-model\nFROM %.4000s\n", m->path);
    char *tmpl = ai_gguf_dup_str(g, "tokenizer.chat_template");
    cJSON_AddStringToObject(o, "modelfile", mf);
    cJSON_AddStringToObject(o, "parameters", "");
    cJSON_AddStringToObject(o, "template", tmpl ? tmpl : "");
    free(tmpl);
    cJSON_AddItemToObject(o, "details", details_from(g));
    cJSON *caps = cJSON_AddArrayToObject(o, "capabilities");
    cJSON_AddItemToArray(caps, cJSON_CreateString("completion"));
    cJSON_AddItemToArray(caps, cJSON_CreateString("embedding"));
    cJSON *info = cJSON_AddObjectToObject(o, "model_info");
    cJSON_AddNumberToObject(info, "general.parameter_count", (double)n_params(g));
    for (size_t i = 0; i < ai_gguf_kv_count(g); i++) {
        const ai_gguf_kv *kv = ai_gguf_kv_at(g, i);
        char *key = strndup(kv->key.ptr, kv->key.len);
        if (!key) continue;
        cJSON_AddItemToObject(info, key, kv_json(kv, verbose));
        free(key);
    }
    iso_time(m->modified, 0, ts, sizeof ts);
    cJSON_AddStringToObject(o, "modified_at", ts);
    ai_gguf_close(g);
    cJSON_Delete(body);
    serve_reply_json(res, 200, o);
}

void serve_openai_models(serve_state *s, http_response *res, const char *one) {
    if (one) {
        serve_model *m = serve_registry_find(&s->reg, one);
        if (!m) { serve_reply_openai_error(res, 404, "not_found_error", "model '%s' not found", one); return; }
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", m->name);
        cJSON_AddStringToObject(o, "object", "model");
        cJSON_AddNumberToObject(o, "created", (double)m->modified);
        cJSON_AddStringToObject(o, "owned_by", "library");
        serve_reply_json(res, 200, o);
        return;
    }
    free(serve_registry_names(&s->reg));
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "object", "list");
    cJSON *data = cJSON_AddArrayToObject(o, "data");
    pthread_mutex_lock(&s->reg.mu);
    for (serve_model *m = s->reg.head; m; m = m->next) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "id", m->name);
        cJSON_AddStringToObject(e, "object", "model");
        cJSON_AddNumberToObject(e, "created", (double)m->modified);
        cJSON_AddStringToObject(e, "owned_by", "library");
        cJSON_AddItemToArray(data, e);
    }
    pthread_mutex_unlock(&s->reg.mu);
    serve_reply_json(res, 200, o);
}
