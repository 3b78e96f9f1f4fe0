/* llm_local.c — the `local` llm backend: Anywhere's own inference engine
 * in this process. Models are registered once (NAME=PATH.gguf, or an
 * Ollama name found in the Ollama store), load on first use, stay loaded,
 * and are shared by every instance: requests on one model take turns
 * (serve-model's ticket queue), so instances never share a KV cache at
 * the same time. The prompt is used as it is (no chat template), as in
 * Spin and WasmEdge's GGML backend; control-token markup in it is parsed. */
#include <stdlib.h>
#include <string.h>

#include "host/internal.h"
#include "serve/serve.h"

struct host_llm_local {
    serve_registry reg;
};

host_llm_local *host_llm_local_new(int threads) {
    host_llm_local *l = calloc(1, sizeof *l);
    if (l) serve_registry_init(&l->reg, NULL, threads);
    return l;
}

void host_llm_local_free(host_llm_local *l) {
    if (!l) return;
    serve_registry_free(&l->reg);
    free(l);
}

bool host_llm_local_add(host_llm_local *l, const char *model, const char *path, char *err, size_t errlen) {
    if (serve_registry_find(&l->reg, model)) return true;
    char *spec = NULL;
    if (path && asprintf(&spec, "%s=%s", model, path) < 0) { snprintf(err, errlen, "out of memory"); return false; }
    int rc = serve_registry_add(&l->reg, spec ? spec : model, err, errlen);
    free(spec);
    return rc == 0;
}

static serve_model *acquire(host_llm_local *l, const char *model, char *err, size_t errlen) {
    serve_model *m = serve_registry_find(&l->reg, model);
    if (!m) { snprintf(err, errlen, "model '%s' is not registered", model); return NULL; }
    long long load_ns = 0;
    if (serve_model_acquire(&l->reg, m, 0, &load_ns, err, errlen)) return NULL;
    return m;
}

int host_llm_local_infer(host_llm_local *l, const char *model, const char *prompt, const host_llm_params *p,
                         host_emit emit, void *ud, host_llm_usage *u, char *err, size_t errlen) {
    serve_model *m = acquire(l, model, err, errlen);
    if (!m) return HOST_ERR_RUNTIME;
    serve_opts o = {.num_predict = (int)p->max_tokens, .keep_alive_ms = -1};
    ai_sampler_params_default(&o.sp);
    o.sp.temperature = p->temperature, o.sp.top_k = (int)p->top_k, o.sp.top_p = p->top_p;
    o.sp.repeat_penalty = p->repeat_penalty, o.sp.repeat_last_n = (int)p->repeat_last_n;
    int n = 0, rc = 0;
    int32_t *toks = serve_tokenize(m, prompt, 1, NULL, &n);
    serve_stats st = {0};
    if (!toks) snprintf(err, errlen, "cannot tokenize the prompt"), rc = HOST_ERR_RUNTIME;
    else if (serve_generate(m, toks, n, &o, (serve_emit)emit, ud, NULL, &st, err, errlen)) rc = HOST_ERR_RUNTIME;
    serve_model_release(m, -1);
    u->prompt_tokens = (uint32_t)n;
    u->generated_tokens = (uint32_t)st.eval_n;
    free(st.context);
    free(toks);
    return rc;
}

int host_llm_local_embed(host_llm_local *l, const char *model, const char *const *texts, size_t n, float **out,
                         size_t *dims, uint32_t *prompt_tokens, char *err, size_t errlen) {
    serve_model *m = acquire(l, model, err, errlen);
    if (!m) return HOST_ERR_RUNTIME;
    size_t E = (size_t)ai_model_n_embd(m->model);
    float *v = malloc((n ? n : 1) * E * sizeof *v);
    int rc = v ? 0 : HOST_ERR_RUNTIME;
    *prompt_tokens = 0;
    m->n_cache = 0; /* embedding overwrites the cache */
    for (size_t i = 0; i < n && !rc; i++) {
        int nt = 0;
        int32_t *toks = serve_tokenize(m, texts[i], 0, NULL, &nt);
        if (nt > m->n_ctx) nt = m->n_ctx;
        if (!toks || ai_embed(m->ctx, toks, nt, v + i * E)) {
            snprintf(err, errlen, "embedding failed: %s", toks ? ai_context_error(m->ctx) : "cannot tokenize");
            rc = HOST_ERR_RUNTIME;
        }
        *prompt_tokens += (uint32_t)nt;
        free(toks);
    }
    serve_model_release(m, -1);
    if (rc) { free(v); return rc; }
    *out = v, *dims = E;
    return 0;
}
