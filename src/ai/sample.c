/*
 * sample.c — token sampling with llama.cpp's order of stages:
 * penalties, top-k, top-p, min-p, temperature, then a draw (or the argmax
 * when temperature <= 0). Penalties follow llama.cpp: a repeated token's
 * logit is divided by repeat_penalty when positive (multiplied when
 * negative), then count*frequency + presence is subtracted.
 */
#include "ai/libm.h"
#include "anywhere/ai.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ai_sampler {
    ai_sampler_params p;
    int n_vocab;
    uint64_t rng;
    int32_t *hist;      /* ring of the last `cap` accepted tokens */
    int cap, len, head;
    int *count;         /* scratch: occurrences per token in the window */
    struct cand { float logit, p; int32_t id; } *cand;
};

void ai_sampler_params_default(ai_sampler_params *p) {
    *p = (ai_sampler_params){.temperature = 0.8f, .top_k = 40, .top_p = 0.9f, .min_p = 0.0f,
                             .repeat_penalty = 1.1f, .repeat_last_n = 64, .seed = (uint64_t)time(NULL)};
}

static uint64_t splitmix(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

ai_sampler *ai_sampler_new(const ai_sampler_params *p, int n_vocab) {
    ai_sampler *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->p = *p;
    s->n_vocab = n_vocab;
    s->rng = p->seed;
    s->cap = p->repeat_last_n < 0 ? 4096 : p->repeat_last_n;
    s->hist = calloc(s->cap ? s->cap : 1, sizeof *s->hist);
    s->count = calloc(n_vocab, sizeof *s->count);
    s->cand = malloc(sizeof *s->cand * n_vocab);
    if (!s->hist || !s->count || !s->cand) { ai_sampler_free(s); return NULL; }
    return s;
}

void ai_sampler_free(ai_sampler *s) {
    if (!s) return;
    free(s->hist); free(s->count); free(s->cand);
    free(s);
}

void ai_sampler_reset(ai_sampler *s) {
    s->len = s->head = 0;
    s->rng = s->p.seed;
}

void ai_sampler_accept(ai_sampler *s, int32_t token) {
    if (!s->cap) return;
    s->hist[s->head] = token;
    s->head = (s->head + 1) % s->cap;
    if (s->len < s->cap) s->len++;
}

static void apply_penalties(ai_sampler *s, float *logits) {
    const ai_sampler_params *p = &s->p;
    if (!s->len || (p->repeat_penalty == 1.f && p->presence_penalty == 0.f && p->frequency_penalty == 0.f)) return;
    for (int i = 0; i < s->len; i++) {
        int32_t t = s->hist[i];
        if (t >= 0 && t < s->n_vocab) s->count[t]++;
    }
    for (int i = 0; i < s->len; i++) {
        int32_t t = s->hist[i];
        if (t < 0 || t >= s->n_vocab || !s->count[t]) continue;
        float *l = &logits[t];
        if (p->repeat_penalty != 1.f && p->repeat_penalty > 0) *l = *l > 0 ? *l / p->repeat_penalty : *l * p->repeat_penalty;
        *l -= s->count[t] * p->frequency_penalty + p->presence_penalty;
        s->count[t] = 0; /* each distinct token once */
    }
}

static int by_logit(const void *a, const void *b) {
    float x = ((const struct cand *)a)->logit, y = ((const struct cand *)b)->logit;
    return x < y ? 1 : x > y ? -1 : 0;
}

static void softmax(struct cand *c, int n, float temp) {
    float max = c[0].logit;
    double sum = 0;
    float (*exp32)(float) = ai_libm_get()->exp32;
    for (int i = 0; i < n; i++) { c[i].p = exp32((c[i].logit - max) / temp); sum += c[i].p; }
    for (int i = 0; i < n; i++) c[i].p = (float)(c[i].p / sum);
}

/* Index of the largest logit ignoring NaN; -1 when none is above -inf
 * (everything masked: a softmax would divide 0 by 0). */
static int32_t argmax_finite(const float *logits, int n) {
    int32_t best = -1;
    for (int i = 0; i < n; i++)
        if (logits[i] > -INFINITY && (best < 0 || logits[i] > logits[best])) best = i;
    return best;
}

/* The fallback when every logit is -inf or NaN: the first that isn't NaN. */
static int32_t first_not_nan(const float *logits, int n) {
    for (int i = 0; i < n; i++) if (!isnan(logits[i])) return i;
    return 0;
}

int32_t ai_sampler_sample(ai_sampler *s, float *logits) {
    const ai_sampler_params *p = &s->p;
    apply_penalties(s, logits);
    int32_t best = argmax_finite(logits, s->n_vocab);
    if (best < 0) return first_not_nan(logits, s->n_vocab);
    if (p->temperature <= 0) return best;
    struct cand *c = s->cand;
    int n = s->n_vocab;
    /* NaN logits would break the sort's ordering and the softmax: they count as -inf */
    for (int i = 0; i < n; i++) c[i] = (struct cand){isnan(logits[i]) ? -INFINITY : logits[i], 0, i};
    if (p->top_k > 0 && p->top_k < n) {
        /* partial selection would be faster; sorting keeps it simple and the
         * vocabulary is sorted only once per token */
        qsort(c, n, sizeof *c, by_logit);
        n = p->top_k;
    } else {
        qsort(c, n, sizeof *c, by_logit);
    }
    if (p->top_p < 1.f) {
        softmax(c, n, 1.f);
        double cum = 0;
        for (int i = 0; i < n; i++) {
            cum += c[i].p;
            if (cum >= p->top_p) { n = i + 1; break; }
        }
    }
    if (p->min_p > 0.f) {
        softmax(c, n, 1.f);
        float floor = c[0].p * p->min_p;
        int k = 1;
        while (k < n && c[k].p >= floor) k++;
        n = k;
    }
    softmax(c, n, p->temperature);
    double r = (double)(splitmix(&s->rng) >> 11) * 0x1p-53, cum = 0;
    for (int i = 0; i < n; i++) {
        cum += c[i].p;
        if (r < cum) return c[i].id;
    }
    return c[n - 1].id;
}

void ai_log_softmax(const float *logits, int n, float *out) {
    float max = logits[0];
    for (int i = 1; i < n; i++) if (logits[i] > max) max = logits[i];
    if (max == -INFINITY) { /* all masked: every token impossible, no NaN */
        for (int i = 0; i < n; i++) out[i] = -INFINITY;
        return;
    }
    double sum = 0;
    const ai_libm *M = ai_libm_get();
    for (int i = 0; i < n; i++) sum += M->exp64((double)logits[i] - max);
    float lse = (float)(max + M->log64(sum));
    for (int i = 0; i < n; i++) out[i] = logits[i] - lse;
}
