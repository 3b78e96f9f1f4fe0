/* serve_opts.c — request options to sampler settings. Ollama's `options`
 * object (unknown keys ignored, as Ollama does) and the OpenAI fields
 * (which Ollama maps onto the same settings, with OpenAI's defaults of
 * temperature 1 and top_p 1). A field of the wrong type is an error naming it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/serve.h"

static void defaults(serve_opts *o) {
    memset(o, 0, sizeof *o);
    ai_sampler_params_default(&o->sp);
    /* The default seed is the second on the clock: two requests in the same
     * second would sample alike. Without a "seed", each gets its own. */
    o->sp.seed = (uint64_t)serve_now_ns() ^ ((uint64_t)pthread_self() * 0x9E3779B97F4A7C15ull);
    o->num_predict = -1;
    o->keep_alive_ms = 5 * 60 * 1000;
}

void serve_opts_free(serve_opts *o) {
    for (int i = 0; i < o->n_stop; i++) free(o->stop[i]);
    free(o->stop);
    o->stop = NULL;
    o->n_stop = 0;
}

/* Reads a numeric option if present. Returns -1 (with err) on a wrong type. */
static int num(const cJSON *obj, const char *key, double *out, char *err, size_t errlen, const char *where) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v || cJSON_IsNull(v)) return 0;
    if (!cJSON_IsNumber(v)) {
        snprintf(err, errlen, "%s%s must be a number", where, key);
        return -1;
    }
    *out = v->valuedouble;
    return 1;
}

static int stops(serve_opts *o, const cJSON *v, char *err, size_t errlen, const char *where) {
    if (!v || cJSON_IsNull(v)) return 0;
    serve_opts_free(o);
    if (cJSON_IsString(v)) {
        o->stop = malloc(sizeof *o->stop);
        o->stop[0] = strdup(v->valuestring);
        o->n_stop = 1;
        return 0;
    }
    if (!cJSON_IsArray(v)) { snprintf(err, errlen, "%sstop must be a string or a list of strings", where); return -1; }
    int n = cJSON_GetArraySize(v);
    o->stop = calloc((size_t)n + 1, sizeof *o->stop);
    const cJSON *s;
    cJSON_ArrayForEach(s, v) {
        if (!cJSON_IsString(s)) { snprintf(err, errlen, "%sstop must be a list of strings", where); return -1; }
        o->stop[o->n_stop++] = strdup(s->valuestring);
    }
    return 0;
}

/* The sampler fields both APIs share, from obj. */
static int sampling(serve_opts *o, const cJSON *obj, char *err, size_t errlen, const char *where) {
    double v;
    int r;
#define NUM(key) ((r = num(obj, key, &v, err, errlen, where)) < 0 ? -1 : r)
    if ((r = NUM("temperature")) < 0) return -1; else if (r) o->sp.temperature = (float)v;
    if ((r = NUM("top_p")) < 0) return -1; else if (r) o->sp.top_p = (float)v;
    if ((r = NUM("presence_penalty")) < 0) return -1; else if (r) o->sp.presence_penalty = (float)v;
    if ((r = NUM("frequency_penalty")) < 0) return -1; else if (r) o->sp.frequency_penalty = (float)v;
    if ((r = NUM("seed")) < 0) return -1; else if (r) o->sp.seed = (uint64_t)(int64_t)v;
#undef NUM
    return 0;
}

/* Ollama option fields from obj ("options", or a model's params layer). */
static int ollama_fields(serve_opts *o, const cJSON *opt, char *err, size_t errlen, const char *where) {
    if (sampling(o, opt, err, errlen, where)) return -1;
    double v;
    int r;
#define NUM(key) ((r = num(opt, key, &v, err, errlen, where)) < 0 ? -1 : r)
    if ((r = NUM("top_k")) < 0) return -1; else if (r) o->sp.top_k = (int)v;
    if ((r = NUM("min_p")) < 0) return -1; else if (r) o->sp.min_p = (float)v;
    if ((r = NUM("repeat_penalty")) < 0) return -1; else if (r) o->sp.repeat_penalty = (float)v;
    if ((r = NUM("repeat_last_n")) < 0) return -1; else if (r) o->sp.repeat_last_n = (int)v;
    if ((r = NUM("num_predict")) < 0) return -1; else if (r) o->num_predict = v < 0 ? -1 : (int)v;
    if ((r = NUM("num_ctx")) < 0) return -1; else if (r) o->num_ctx = (int)v;
#undef NUM
    if (o->num_ctx < 0 || o->num_ctx > (1 << 20)) { snprintf(err, errlen, "%snum_ctx %d is out of range", where, o->num_ctx); return -1; }
    return stops(o, cJSON_GetObjectItemCaseSensitive(opt, "stop"), err, errlen, where);
}

/* A model's defaults from its Ollama params layer; a bad layer is the
 * store's problem, not the request's, so it is skipped, not reported. */
static void model_defaults(serve_opts *o, const cJSON *params) {
    char ignored[256];
    serve_opts saved = *o;
    if (cJSON_IsObject(params) && ollama_fields(o, params, ignored, sizeof ignored, "params.")) {
        serve_opts_free(o);
        *o = saved;
    }
}

int serve_opts_from_ollama(serve_opts *o, const cJSON *params, const cJSON *req, char *err, size_t errlen) {
    defaults(o);
    model_defaults(o, params);
    o->keep_alive_ms = serve_parse_keep_alive(cJSON_GetObjectItemCaseSensitive(req, "keep_alive"));
    if (o->keep_alive_ms == -2) { snprintf(err, errlen, "keep_alive must be a duration like \"5m\" or a number of seconds"); return -1; }
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(req, "format");
    if (fmt && !cJSON_IsNull(fmt) && !(cJSON_IsString(fmt) && !*fmt->valuestring)) {
        if (cJSON_IsObject(fmt) || (cJSON_IsString(fmt) && !strcmp(fmt->valuestring, "json"))) o->json = 1;
        else { snprintf(err, errlen, "format must be \"json\" or a JSON schema object"); return -1; }
    }
    const cJSON *opt = cJSON_GetObjectItemCaseSensitive(req, "options");
    if (!opt || cJSON_IsNull(opt)) return 0;
    if (!cJSON_IsObject(opt)) { snprintf(err, errlen, "options must be an object"); return -1; }
    return ollama_fields(o, opt, err, errlen, "options.");
}

int serve_opts_from_openai(serve_opts *o, const cJSON *params, const cJSON *req, char *err, size_t errlen) {
    defaults(o);
    o->sp.temperature = 1.0f;
    o->sp.top_p = 1.0f;
    model_defaults(o, params);
    if (sampling(o, req, err, errlen, "")) return -1;
    const cJSON *rf = cJSON_GetObjectItemCaseSensitive(req, "response_format");
    const char *rft = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rf, "type"));
    if (rft && (!strcmp(rft, "json_object") || !strcmp(rft, "json_schema"))) o->json = 1;
    double v;
    int r = num(req, "max_tokens", &v, err, errlen, "");
    if (r < 0) return -1;
    if (r) o->num_predict = v < 0 ? -1 : (int)v;
    r = num(req, "max_completion_tokens", &v, err, errlen, "");
    if (r < 0) return -1;
    if (r) o->num_predict = v < 0 ? -1 : (int)v;
    return stops(o, cJSON_GetObjectItemCaseSensitive(req, "stop"), err, errlen, "");
}
