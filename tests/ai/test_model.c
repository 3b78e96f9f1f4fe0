/*
 * test_model.c — the engine end to end on synthesised models: batched
 * prompt == token-by-token, eval_all == eval, rewinding the cache, errors
 * (context overflow, bad token, broken files), sampler behaviour,
 * embeddings, and the thread pool.
 */
#include "anywhere/ai.h"
#include "ai/synth.h"
#include "ai/threadpool.h"
#include "check.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static float maxdiff(const float *a, const float *b, int n) {
    float m = 0;
    for (int i = 0; i < n; i++) m = fmaxf(m, fabsf(a[i] - b[i]));
    return m;
}

/* Says stop on its third call (batch 1 is two layers: the second batch's first layer). */
static bool abort_after(void *ud) { return ++*(int *)ud >= 3; }

static void test_model(const char *type, const char *arch, bool tied) {
    ai_synth_params p;
    ai_synth_defaults(&p);
    p.type = type;
    p.arch = arch;
    p.tied = tied;
    p.seed = 11;
    const char *path = "/tmp/aw_test_model.gguf";
    char err[256];
    CHECK(ai_synth(&p, path, err, sizeof err) == 0, "synth %s: %s", type, err);
    ai_model *m = ai_model_load(path, err, sizeof err);
    CHECK(m != NULL, "load %s/%s: %s", arch, type, err);
    if (!m) return;
    ai_model_info info;
    ai_model_get_info(m, &info);
    CHECK(info.n_vocab == 512 && info.n_layer == 2 && info.n_head_kv == 2 && !strcmp(info.arch, arch), "info");
    int V = info.n_vocab;
    ai_context *c = ai_context_new(m, &(ai_context_params){.n_ctx = 64, .n_threads = 2, .n_batch = 8}, err, sizeof err);
    CHECK(c != NULL, "context: %s", err);
    int32_t toks[20];
    for (int i = 0; i < 20; i++) toks[i] = (i * 37 + 5) % V;
    float *a = malloc(sizeof(float) * V), *b = malloc(sizeof(float) * V), *all = malloc(sizeof(float) * V * 20);
    CHECK(ai_eval(c, toks, 20, 0, a) == 0, "batched eval");   /* 3 chunks of 8 */
    for (int i = 0; i < 20; i++) ai_eval(c, &toks[i], 1, i, b);
    CHECK(maxdiff(a, b, V) < 1e-3f, "%s: batched vs sequential logits differ by %g", type, maxdiff(a, b, V));
    CHECK(ai_eval_all(c, toks, 20, 0, all) == 0, "eval_all");
    CHECK(maxdiff(all + 19 * V, a, V) < 1e-4f, "eval_all last row");
    /* rewind: re-evaluate from position 10 with different tokens, then the originals */
    int32_t other[10];
    for (int i = 0; i < 10; i++) other[i] = (i * 11 + 3) % V;
    ai_eval(c, other, 10, 10, b);
    ai_eval(c, toks + 10, 10, 10, b);
    CHECK(maxdiff(a, b, V) < 1e-4f, "rewind gives the same logits (%g)", maxdiff(a, b, V));
    CHECK(ai_eval(c, toks, 20, 50, a) == -1 && strstr(ai_context_error(c), "context"), "overflow error: %s", ai_context_error(c));
    int32_t badtok = V + 5;
    CHECK(ai_eval(c, &badtok, 1, 0, a) == -1 && strstr(ai_context_error(c), "vocabulary"), "bad token error: %s", ai_context_error(c));
    /* embeddings */
    int E = ai_model_n_embd(m);
    float *e1 = malloc(sizeof(float) * E), *e2 = malloc(sizeof(float) * E);
    CHECK(ai_embed(c, toks, 12, e1) == 0 && ai_embed(c, toks, 12, e2) == 0, "embed");
    double n2 = 0;
    for (int i = 0; i < E; i++) n2 += e1[i] * e1[i];
    CHECK(fabs(n2 - 1) < 1e-4 && maxdiff(e1, e2, E) == 0, "embedding normalised (%g) and deterministic", n2);
    /* an embedding through a temporary cache leaves a conversation's cache alone */
    CHECK(ai_eval(c, toks, 19, 0, NULL) == 0, "prefix");
    CHECK(ai_embed_keep_cache(c, toks + 3, 9, e2) == 0, "embed_keep_cache");
    CHECK(ai_eval(c, toks + 19, 1, 19, b) == 0 && maxdiff(a, b, V) < 1e-4f, "cache kept across an embedding (%g)", maxdiff(a, b, V));
    CHECK(ai_embed(c, toks + 3, 9, e1) == 0 && maxdiff(e1, e2, E) < 1e-6f, "same embedding either way (%g)", maxdiff(e1, e2, E));
    /* abort hook: stops before the first layer, then again after it is removed */
    int calls = 0;
    ai_context_set_abort(c, abort_after, &calls);
    CHECK(ai_eval(c, toks, 20, 0, b) == AI_ABORTED && strstr(ai_context_error(c), "aborted"), "abort: %s", ai_context_error(c));
    CHECK(calls == 3, "abort asked once per layer until it says stop (%d)", calls);
    ai_context_set_abort(c, NULL, NULL);
    CHECK(ai_eval(c, toks, 20, 0, b) == 0 && maxdiff(a, b, V) < 1e-4f, "evaluation after an abort");
    /* footprint: at least the F16 KV cache */
    size_t kv = (size_t)2 * info.n_layer * 64 * info.n_head_kv * (info.n_embd / info.n_head) * 2;
    CHECK(ai_context_memory(c) > kv && ai_context_memory(c) < kv + (8u << 20), "context memory %zu (kv %zu)", ai_context_memory(c), kv);
    CHECK(ai_model_memory(m) >= (size_t)info.n_embd * 4, "model memory %zu", ai_model_memory(m));
    free(e1); free(e2);
    free(a); free(b); free(all);
    ai_context_free(c);
    ai_model_free(m);
    remove(path);
}

static void test_sampler(void) {
    int V = 8;
    float logits[8] = {1, 3, 2, 0.5f, -1, 2.9f, 0, 0};
    float l[8];
    ai_sampler *g = ai_sampler_new(&(ai_sampler_params){.temperature = 0, .repeat_penalty = 1}, V);
    memcpy(l, logits, sizeof l);
    CHECK(ai_sampler_sample(g, l) == 1, "greedy picks the argmax");
    ai_sampler_free(g);
    /* repeat penalty 2 on token 1: 3/2 = 1.5 < 2.9 */
    ai_sampler *r = ai_sampler_new(&(ai_sampler_params){.temperature = 0, .repeat_penalty = 2, .repeat_last_n = 4}, V);
    ai_sampler_accept(r, 1);
    memcpy(l, logits, sizeof l);
    CHECK(ai_sampler_sample(r, l) == 5, "repeat penalty moves the choice");
    for (int i = 0; i < 4; i++) ai_sampler_accept(r, 7); /* token 1 leaves the window */
    memcpy(l, logits, sizeof l);
    CHECK(ai_sampler_sample(r, l) == 1, "penalty window of the last N tokens");
    ai_sampler_free(r);
    ai_sampler *f = ai_sampler_new(&(ai_sampler_params){.temperature = 0, .repeat_penalty = 1, .frequency_penalty = 0.1f,
                                                        .presence_penalty = 0.5f, .repeat_last_n = 8}, V);
    ai_sampler_accept(f, 5);
    ai_sampler_accept(f, 5);
    memcpy(l, logits, sizeof l);
    ai_sampler_sample(f, l);
    CHECK(fabsf(l[5] - (2.9f - 0.2f - 0.5f)) < 1e-6f, "frequency and presence penalties (%g)", l[5]);
    ai_sampler_free(f);
    /* seeded sampling is reproducible; top_k 1 is greedy; min_p filters */
    ai_sampler_params sp = {.temperature = 1.0f, .top_k = 0, .top_p = 1, .repeat_penalty = 1, .seed = 42};
    ai_sampler *s1 = ai_sampler_new(&sp, V), *s2 = ai_sampler_new(&sp, V);
    int same = 1, hist[8] = {0};
    for (int i = 0; i < 2000; i++) {
        float x[8], y[8];
        memcpy(x, logits, sizeof x);
        memcpy(y, logits, sizeof y);
        int a = ai_sampler_sample(s1, x), b = ai_sampler_sample(s2, y);
        same &= a == b;
        hist[a]++;
    }
    CHECK(same, "same seed, same tokens");
    /* p(token1) = e^3 / sum ~ 0.39 */
    double sum = 0;
    for (int i = 0; i < V; i++) sum += exp(logits[i]);
    CHECK(fabs(hist[1] / 2000.0 - exp(3) / sum) < 0.04, "temperature 1 follows the softmax (%g vs %g)", hist[1] / 2000.0, exp(3) / sum);
    ai_sampler_free(s1); ai_sampler_free(s2);
    ai_sampler *k1 = ai_sampler_new(&(ai_sampler_params){.temperature = 5, .top_k = 1, .top_p = 1, .repeat_penalty = 1, .seed = 3}, V);
    int ok = 1;
    for (int i = 0; i < 50; i++) { memcpy(l, logits, sizeof l); ok &= ai_sampler_sample(k1, l) == 1; }
    CHECK(ok, "top_k 1 is greedy");
    ai_sampler_free(k1);
    ai_sampler *mp = ai_sampler_new(&(ai_sampler_params){.temperature = 1, .min_p = 0.5f, .top_p = 1, .repeat_penalty = 1, .seed = 5}, V);
    ok = 1;
    for (int i = 0; i < 200; i++) { memcpy(l, logits, sizeof l); int t = ai_sampler_sample(mp, l); ok &= t == 1 || t == 5; }
    CHECK(ok, "min_p 0.5 keeps only tokens within half the top probability");
    ai_sampler_free(mp);
    ai_sampler *tp = ai_sampler_new(&(ai_sampler_params){.temperature = 1, .top_p = 0.3f, .repeat_penalty = 1, .seed = 5}, V);
    ok = 1;
    for (int i = 0; i < 200; i++) { memcpy(l, logits, sizeof l); ok &= ai_sampler_sample(tp, l) == 1; }
    CHECK(ok, "top_p 0.3 keeps only the top token");
    ai_sampler_free(tp);
    float ls[3] = {0, 0, 0}, out[3];
    ai_log_softmax(ls, 3, out);
    CHECK(fabsf(out[0] + logf(3)) < 1e-6f, "log_softmax");
    /* everything masked: a token, never a NaN-driven draw */
    float inf[8], lo[8];
    for (int i = 0; i < V; i++) inf[i] = -INFINITY;
    ai_sampler *any = ai_sampler_new(&(ai_sampler_params){.temperature = 0.8f, .top_k = 3, .top_p = 0.9f, .min_p = 0.1f, .repeat_penalty = 1.1f, .repeat_last_n = 4, .seed = 3}, V);
    ai_sampler_accept(any, 2);
    memcpy(l, inf, sizeof l);
    int32_t t = ai_sampler_sample(any, l);
    CHECK(t >= 0 && t < V, "all -inf logits give a token (%d)", t);
    memcpy(l, inf, sizeof l);
    l[0] = NAN; l[6] = 1.0f;
    CHECK(ai_sampler_sample(any, l) == 6, "NaN logits are never drawn");
    ai_sampler_free(any);
    ai_log_softmax(inf, V, lo);
    int nan = 0;
    for (int i = 0; i < V; i++) nan |= isnan(lo[i]);
    CHECK(!nan, "log_softmax of all -inf has no NaN");
}

static void test_load_errors(void) {
    char err[256];
    const char *path = "/tmp/aw_test_bad.gguf";
    FILE *f = fopen(path, "wb");
    fputs("not a gguf file at all", f);
    fclose(f);
    CHECK(ai_model_load(path, err, sizeof err) == NULL && strstr(err, "bad magic"), "not GGUF: %s", err);
    ai_synth_params p;
    ai_synth_defaults(&p);
    p.arch = "qwen2";
    ai_synth(&p, path, err, sizeof err);
    /* chop the file in the middle of its tensor data */
    f = fopen(path, "rb+");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    CHECK(truncate(path, size / 2) == 0, "truncate");
    CHECK(ai_model_load(path, err, sizeof err) == NULL && strstr(err, "runs past the end"), "truncated model: %s", err);
    remove(path);
}

static atomic_int counter;
static void count_task(void *arg, int i, int thread) { (void)arg; (void)thread; atomic_fetch_add(&counter, i + 1); }

static void test_pool(void) {
    ai_pool *p = ai_pool_new(3);
    int ok = 1;
    for (int round = 0; round < 2000; round++) {
        atomic_store(&counter, 0);
        int n = round % 37;
        ai_pool_run(p, count_task, NULL, n);
        ok &= atomic_load(&counter) == n * (n + 1) / 2;
    }
    CHECK(ok, "thread pool runs every task exactly once");
    ai_pool_free(p);
}

int main(void) {
    const char *types[] = {"f32", "f16", "bf16", "q8_0", "q4_0", "q4_k", "q6_k", "q4_k_m"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) test_model(types[i], "llama", false);
    test_model("q8_0", "llama", true);
    test_model("q4_k", "qwen2", false);
    test_sampler();
    test_load_errors();
    test_pool();
    return check_done("test_model");
}
