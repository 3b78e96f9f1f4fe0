/*
 * cmd_model.c — `anywhere model synth|info|run`: thin wrappers over src/ai.
 */
#include "cli/commands.h"

#include "anywhere/ai.h"
#include "ai/gguf.h"
#include "ai/kernels.h"
#include "ai/synth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static void usage(FILE *f) {
    fprintf(f,
            "usage: anywhere model synth -o FILE.gguf [--arch llama|qwen2] [--type f32|f16|bf16|q8_0|q4_0|q4_k|q6_k|q4_k_m]\n"
            "                            [--dim N] [--layers N] [--heads N] [--kv-heads N] [--vocab N] [--ff N]\n"
            "                            [--ctx N] [--rope-base F] [--eps F] [--tied] [--seed N] [--name S]\n"
            "       anywhere model info FILE.gguf [--tensors]\n"
            "       anywhere model run FILE.gguf [--tokens 1,2,3] [-n N] [--threads N] [--batch N] [--logprobs] [--timing]\n"
            "                            greedy generation from token ids (for testing and benchmarks)\n");
}

static int synth_main(int argc, char **argv) {
    ai_synth_params p;
    ai_synth_defaults(&p);
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--tied")) { p.tied = true; continue; }
        if (!v) { fprintf(stderr, "anywhere model synth: %s needs a value\n", a); return 2; }
        i++;
        if (!strcmp(a, "-o")) out = v;
        else if (!strcmp(a, "--arch")) p.arch = v;
        else if (!strcmp(a, "--type")) p.type = v;
        else if (!strcmp(a, "--dim")) p.dim = atoi(v);
        else if (!strcmp(a, "--layers")) p.layers = atoi(v);
        else if (!strcmp(a, "--heads")) p.heads = atoi(v);
        else if (!strcmp(a, "--kv-heads")) p.kv_heads = atoi(v);
        else if (!strcmp(a, "--vocab")) p.vocab = atoi(v);
        else if (!strcmp(a, "--ff")) p.ff = atoi(v);
        else if (!strcmp(a, "--ctx")) p.ctx = atoi(v);
        else if (!strcmp(a, "--rope-base")) p.rope_base = strtof(v, NULL);
        else if (!strcmp(a, "--eps")) p.rms_eps = strtof(v, NULL);
        else if (!strcmp(a, "--seed")) p.seed = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--name")) p.name = v;
        else { fprintf(stderr, "anywhere model synth: unknown option %s\n", a); usage(stderr); return 2; }
    }
    if (!out) { fprintf(stderr, "anywhere model synth: -o FILE.gguf is required\n"); return 2; }
    char err[512];
    if (ai_synth(&p, out, err, sizeof err)) { fprintf(stderr, "anywhere model synth: %s\n", err); return 1; }
    return 0;
}

static void print_kv(const ai_gguf_kv *kv) {
    printf("  %-44.*s ", (int)kv->key.len, kv->key.ptr);
    switch (kv->type) {
    case AI_GGUF_STRING:
        if (kv->v.s.len > 60) printf("\"%.60s...\" (%llu bytes)\n", kv->v.s.ptr, (unsigned long long)kv->v.s.len);
        else printf("\"%.*s\"\n", (int)kv->v.s.len, kv->v.s.ptr);
        break;
    case AI_GGUF_ARRAY: {
        printf("[%s x %llu]", ai_gguf_type_name(kv->v.arr.type), (unsigned long long)kv->v.arr.n);
        for (uint64_t i = 0; i < kv->v.arr.n && i < 4; i++) {
            if (kv->v.arr.type == AI_GGUF_STRING) {
                ai_gguf_str s = ai_gguf_arr_str(kv, i);
                printf(" \"%.*s\"", (int)(s.len > 20 ? 20 : s.len), s.ptr);
            } else {
                printf(" %g", ai_gguf_arr_f64(kv, i));
            }
        }
        printf(kv->v.arr.n > 4 ? " ...\n" : "\n");
        break;
    }
    case AI_GGUF_F32: case AI_GGUF_F64: printf("%g\n", kv->v.f); break;
    case AI_GGUF_I8: case AI_GGUF_I16: case AI_GGUF_I32: case AI_GGUF_I64: printf("%lld\n", (long long)kv->v.i); break;
    case AI_GGUF_BOOL: printf("%s\n", kv->v.u ? "true" : "false"); break;
    default: printf("%llu\n", (unsigned long long)kv->v.u); break;
    }
}

static int info_main(int argc, char **argv) {
    const char *path = NULL;
    bool tensors = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--tensors")) tensors = true;
        else path = argv[i];
    }
    if (!path) { usage(stderr); return 2; }
    char err[512];
    ai_gguf *g = ai_gguf_open(path, err, sizeof err);
    if (!g) { fprintf(stderr, "anywhere model info: %s\n", err); return 1; }
    printf("%s: GGUF v%u, %zu bytes, %zu metadata entries, %zu tensors, alignment %llu\n", path, ai_gguf_version(g),
           ai_gguf_file_size(g), ai_gguf_kv_count(g), ai_gguf_tensor_count(g), (unsigned long long)ai_gguf_alignment(g));
    printf("metadata:\n");
    for (size_t i = 0; i < ai_gguf_kv_count(g); i++) print_kv(ai_gguf_kv_at(g, i));
    if (tensors) {
        printf("tensors:\n");
        for (size_t i = 0; i < ai_gguf_tensor_count(g); i++) {
            const ai_gguf_tensor *t = ai_gguf_tensor_at(g, i);
            printf("  %-32.*s type %-3u [%llu", (int)t->name.len, t->name.ptr, t->type, (unsigned long long)t->ne[0]);
            for (uint32_t d = 1; d < t->n_dims; d++) printf(", %llu", (unsigned long long)t->ne[d]);
            printf("] %llu bytes\n", (unsigned long long)t->nbytes);
        }
    }
    ai_gguf_close(g);
    ai_model *m = ai_model_load(path, err, sizeof err);
    if (!m) { printf("model: not loadable: %s\n", err); return 1; }
    ai_model_info mi;
    ai_model_get_info(m, &mi);
    printf("model: %s \"%s\", %.1fM parameters, mostly %s, vocab %d, embd %d, layers %d, heads %d/%d, ff %d, ctx %d\n",
           mi.arch, mi.name, mi.n_params / 1e6, mi.ftype, mi.n_vocab, mi.n_embd, mi.n_layer, mi.n_head, mi.n_head_kv,
           mi.n_ff, mi.n_ctx_train);
    ai_model_free(m);
    return 0;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Greedy generation from token ids; prints generated ids (and with
 * --logprobs the log-softmax of the first next-token distribution). */
static int run_main(int argc, char **argv) {
    const char *path = NULL, *toks = "1";
    int n_gen = 16, threads = 0, batch = 0;
    bool logprobs = false, timing = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--tokens") && i + 1 < argc) toks = argv[++i];
        else if (!strcmp(a, "-n") && i + 1 < argc) n_gen = atoi(argv[++i]);
        else if (!strcmp(a, "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(a, "--batch") && i + 1 < argc) batch = atoi(argv[++i]);
        else if (!strcmp(a, "--logprobs")) logprobs = true;
        else if (!strcmp(a, "--timing")) timing = true;
        else if (a[0] != '-') path = a;
        else { usage(stderr); return 2; }
    }
    if (!path) { usage(stderr); return 2; }
    char err[512];
    ai_model *m = ai_model_load(path, err, sizeof err);
    if (!m) { fprintf(stderr, "anywhere model run: %s\n", err); return 1; }
    int cap = 1;
    for (const char *p = toks; *p; p++) cap += *p == ',';
    int32_t *t = malloc(sizeof(int32_t) * (cap + n_gen + 1));
    int n = 0;
    for (char *p = (char *)toks; *p;) {
        t[n++] = (int32_t)strtol(p, &p, 10);
        if (*p == ',') p++;
        else if (*p) { fprintf(stderr, "anywhere model run: bad --tokens\n"); return 2; }
    }
    ai_context *c = ai_context_new(m, &(ai_context_params){.n_ctx = n + n_gen + 1, .n_threads = threads, .n_batch = batch}, err, sizeof err);
    if (!c) { fprintf(stderr, "anywhere model run: %s\n", err); return 1; }
    int V = ai_model_n_vocab(m);
    float *logits = malloc(sizeof(float) * V), *lp = malloc(sizeof(float) * V);
    double t0 = now();
    if (ai_eval(c, t, n, 0, logits)) { fprintf(stderr, "anywhere model run: %s\n", ai_context_error(c)); return 1; }
    double t1 = now();
    ai_sampler *s = ai_sampler_new(&(ai_sampler_params){.temperature = 0, .repeat_penalty = 1}, V);
    int pos = n;
    for (int i = 0; i < n_gen; i++) {
        if (logprobs) {
            ai_log_softmax(logits, V, lp);
            printf("logprobs");
            for (int k = 0; k < V; k++) printf(" %.6f", lp[k]);
            printf("\n");
        }
        int32_t next = ai_sampler_sample(s, logits);
        t[n + i] = next;
        if (i + 1 < n_gen && ai_eval(c, &next, 1, pos++, logits)) { fprintf(stderr, "%s\n", ai_context_error(c)); return 1; }
    }
    printf("tokens");
    for (int i = 0; i < n_gen; i++) printf(" %d", t[n + i]);
    printf("\n");
    double t2 = now();
    if (timing) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        fprintf(stderr, "anywhere pp=%.1f tg=%.1f rss_mb=%.0f kernels=%s prompt=%d generated=%d\n", n / (t1 - t0),
                n_gen > 1 ? (n_gen - 1) / (t2 - t1) : 0.0, ru.ru_maxrss / 1024.0, ai_kernels_name(), n, n_gen - 1);
    }
    ai_sampler_free(s);
    free(logits); free(lp); free(t);
    ai_context_free(c);
    ai_model_free(m);
    return 0;
}

int cmd_model(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) { usage(argc < 2 ? stderr : stdout); return argc < 2 ? 2 : 0; }
    if (!strcmp(argv[1], "synth")) return synth_main(argc - 1, argv + 1);
    if (!strcmp(argv[1], "info")) return info_main(argc - 1, argv + 1);
    if (!strcmp(argv[1], "run")) return run_main(argc - 1, argv + 1);
    fprintf(stderr, "anywhere model: unknown subcommand '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
