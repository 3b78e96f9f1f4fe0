/* serve_gen.c — one generation on an acquired model: reuse the KV cache for
 * the prompt prefix the previous request shared (chat turns resend the whole
 * conversation), evaluate the rest, then sample token by token, streaming
 * text out whole UTF-8 characters at a time and holding back text that might
 * be the start of a stop string. Stops at end-of-generation tokens, stop
 * strings, num_predict, a full context, or a client that went away. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "serve/serve.h"
#include "serve/serve_jsonfmt.h"

long long serve_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

int serve_text_append(char **buf, size_t *len, size_t *cap, const char *text, size_t n) {
    if (*len + n + 1 > *cap) {
        size_t c = (*len + n + 1) * 2;
        char *b = realloc(*buf, c);
        if (!b) return -1;
        *buf = b;
        *cap = c;
    }
    memcpy(*buf + *len, text, n);
    *len += n;
    (*buf)[*len] = 0;
    return 0;
}

int32_t *serve_tokenize(serve_model *m, const char *text, int special, const unsigned char *markup, int *n) {
    size_t len = strlen(text), cap = len + 8;
    int flags = AI_TOK_ADD_BOS | (special ? AI_TOK_PARSE_SPECIAL : 0);
    for (;;) { /* usually one pass: a byte rarely yields more than one token */
        int32_t *ids = malloc(cap * sizeof *ids);
        long k = ids ? ai_tokenize_masked(m->tok, text, len, flags, markup, ids, cap) : -1;
        if (k >= 0 && (size_t)k <= cap && k <= INT32_MAX) { *n = (int)k; return ids; }
        free(ids);
        if (k < 0 || k > INT32_MAX) return NULL;
        cap = (size_t)k;
    }
}

/* Text produced but not yet sent: it may be the start of a stop string. */
typedef struct {
    char *s;
    size_t n, cap;
} pending;

static int pending_add(pending *p, const char *s, size_t n) {
    if (p->n + n + 1 > p->cap) {
        size_t cap = (p->n + n + 1) * 2;
        char *b = realloc(p->s, cap);
        if (!b) return -1;
        p->s = b;
        p->cap = cap;
    }
    memcpy(p->s + p->n, s, n);
    p->n += n;
    p->s[p->n] = 0;
    return 0;
}

/* How many trailing bytes of text could begin a stop string. */
static size_t stop_prefix_hold(const serve_opts *o, const char *s, size_t n) {
    size_t hold = 0;
    for (int i = 0; i < o->n_stop; i++) {
        size_t sl = strlen(o->stop[i]);
        if (sl == 0) continue;
        for (size_t k = sl - 1 < n ? sl - 1 : n; k > hold; k--)
            if (!memcmp(s + n - k, o->stop[i], k)) { hold = k; break; }
    }
    return hold;
}

/* Finds the earliest stop string in s[0..n) (which may hold NUL bytes, a
 * model can emit <0x00>); returns its offset or -1. */
static long find_stop(const serve_opts *o, const char *s, size_t n) {
    long best = -1;
    for (int i = 0; i < o->n_stop; i++) {
        const char *hit = o->stop[i][0] ? memmem(s, n, o->stop[i], strlen(o->stop[i])) : NULL;
        if (hit && (best < 0 || hit - s < best)) best = hit - s;
    }
    return best;
}

/* Every token's text, for the JSON constraint to test continuations. */
typedef struct {
    char *text;
    uint32_t *off, *len;
} piece_table;

static int pieces_build(piece_table *pt, const ai_tokenizer *tok, int n_vocab) {
    size_t cap = (size_t)n_vocab * 8 + 64, used = 0;
    pt->text = malloc(cap);
    pt->off = malloc((size_t)n_vocab * sizeof *pt->off);
    pt->len = malloc((size_t)n_vocab * sizeof *pt->len);
    if (!pt->text || !pt->off || !pt->len) return -1;
    for (int i = 0; i < n_vocab; i++) {
        char piece[512];
        size_t l = ai_token_piece(tok, i, 0, piece, sizeof piece);
        if (l > sizeof piece) l = 0; /* absurdly long: never allowed */
        if (used + l > cap) {
            char *t = realloc(pt->text, (cap = (used + l) * 2));
            if (!t) return -1;
            pt->text = t;
        }
        memcpy(pt->text + used, piece, l);
        pt->off[i] = (uint32_t)used;
        pt->len[i] = (uint32_t)l;
        used += l;
    }
    return 0;
}

static void pieces_free(piece_table *pt) {
    free(pt->text);
    free(pt->off);
    free(pt->len);
}

/* Masks tokens that cannot continue valid JSON; returns how many remain. */
static int json_mask(const serve_json_state *js, const piece_table *pt, float *logits, int n_vocab) {
    int allowed = 0;
    for (int i = 0; i < n_vocab; i++) {
        serve_json_state t = *js;
        if (pt->len[i] == 0 || serve_json_feed(&t, pt->text + pt->off[i], pt->len[i])) logits[i] = -INFINITY;
        else allowed++;
    }
    return allowed;
}

/* The engine's abort hook: a client that hung up, or a server shutting
 * down, stops a long prompt between layers rather than after it. */
static bool request_gone(void *ud) {
    http_response *res = ud;
    return http_client_gone(res) || http_server_stopping(res);
}

int serve_generate(serve_model *m, const int32_t *prompt, int n_prompt, const serve_opts *o,
                   serve_emit emit, void *ud, http_response *res, serve_stats *st, char *err, size_t errlen) {
    int n_ctx = m->n_ctx, n_vocab = ai_model_n_vocab(m->model);
    if (n_prompt <= 0) { snprintf(err, errlen, "the prompt is empty"); return 400; }
    if (n_prompt >= n_ctx) {
        snprintf(err, errlen, "the prompt is %d tokens, more than the context length %d allows (set options.num_ctx)", n_prompt, n_ctx);
        return 400;
    }
    float *logits = malloc((size_t)n_vocab * sizeof *logits);
    ai_sampler *smp = ai_sampler_new(&o->sp, n_vocab);
    st->context = malloc((size_t)n_ctx * sizeof *st->context);
    pending out = {0};
    ai_utf8_stream u8 = {0};
    piece_table pt = {0};
    serve_json_state js;
    serve_json_init(&js);
    int rc = 0;
    if (!logits || !smp || !st->context || (o->json && pieces_build(&pt, m->tok, n_vocab))) {
        snprintf(err, errlen, "out of memory");
        rc = 500;
        goto done;
    }

    /* Reuse the cached prefix, but always evaluate at least the last prompt
     * token: its logits pick the first output token. */
    int keep = 0;
    while (keep < m->n_cache && keep < n_prompt - 1 && m->cache[keep] == prompt[keep]) keep++;
    long long t0 = serve_now_ns();
    m->n_cache = keep; /* positions past keep are about to be overwritten */
    if (res) ai_context_set_abort(m->ctx, request_gone, res);
    int erc = ai_eval(m->ctx, prompt + keep, n_prompt - keep, keep, logits);
    ai_context_set_abort(m->ctx, NULL, NULL);
    if (erc == AI_ABORTED) { /* nobody to answer: the cache keeps the evaluated prefix only */
        st->done_reason = "cancel";
        st->prompt_ns = serve_now_ns() - t0;
        goto done;
    }
    if (erc) {
        snprintf(err, errlen, "evaluation failed: %s", ai_context_error(m->ctx));
        rc = 500;
        goto done;
    }
    memcpy(m->cache, prompt, (size_t)n_prompt * sizeof *prompt);
    m->n_cache = n_prompt;
    st->prompt_n = n_prompt - keep;
    st->prompt_ns = serve_now_ns() - t0;
    memcpy(st->context, prompt, (size_t)n_prompt * sizeof *prompt);
    st->n_context = n_prompt;
    for (int i = 0; i < n_prompt; i++) ai_sampler_accept(smp, prompt[i]);

    long long t1 = serve_now_ns();
    int pos = n_prompt;
    st->done_reason = "length";
    for (;;) {
        if (o->num_predict >= 0 && st->eval_n >= o->num_predict) break;
        if (pos >= n_ctx) break;
        if (o->json && json_mask(&js, &pt, logits, n_vocab) == 0) { st->done_reason = "stop"; break; }
        int32_t tok = ai_sampler_sample(smp, logits);
        if (o->json && serve_json_feed(&js, pt.text + pt.off[tok], pt.len[tok])) {
            /* the draw's rounding picked a masked token: take the best allowed */
            int32_t best = -1;
            for (int i = 0; i < n_vocab; i++)
                if (logits[i] != -INFINITY && (best < 0 || logits[i] > logits[best])) best = i;
            tok = best;
            serve_json_feed(&js, pt.text + pt.off[tok], pt.len[tok]);
        }
        ai_sampler_accept(smp, tok);
        st->eval_n++;
        if (ai_tokenizer_is_eog(m->tok, tok)) { st->done_reason = "stop"; break; }
        st->context[st->n_context++] = tok;

        char piece[512], text[3 * (512 + 4)];
        size_t pl = ai_token_piece(m->tok, tok, 0, piece, sizeof piece);
        if (pl > sizeof piece) pl = sizeof piece;
        size_t tl = ai_utf8_stream_push(&u8, piece, pl, text);
        /* JSON strings here are C strings: a NUL the model emitted (<0x00>)
         * would cut the text short, so it goes out as U+FFFD. */
        int bad = 0;
        for (size_t a = 0, b; a < tl && !bad; a = b + 1) {
            for (b = a; b < tl && text[b]; b++) {}
            bad |= pending_add(&out, text + a, b - a);
            if (b < tl) bad |= pending_add(&out, "\xef\xbf\xbd", 3);
        }
        if (bad) { snprintf(err, errlen, "out of memory"); rc = 500; goto done; }
        long at = o->n_stop && out.n ? find_stop(o, out.s, out.n) : -1;
        if (at >= 0) {
            out.n = (size_t)at;
            st->done_reason = "stop";
            break;
        }
        size_t hold = stop_prefix_hold(o, out.s ? out.s : "", out.n);
        if (out.n > hold) {
            if (emit(ud, out.s, out.n - hold) < 0) { st->done_reason = "cancel"; out.n = 0; break; }
            memmove(out.s, out.s + out.n - hold, hold);
            out.n = hold;
        }
        /* Nobody will read the rest, or the server is shutting down. */
        if (res && (http_client_gone(res) || http_server_stopping(res))) { st->done_reason = "cancel"; out.n = 0; break; }
        if (o->json && serve_json_done(&js)) { st->done_reason = "stop"; break; } /* the object is complete */
        if (o->num_predict >= 0 && st->eval_n >= o->num_predict) break; /* its logits would go unused */
        if (pos + 1 >= n_ctx) { pos++; break; } /* no room to evaluate it */
        if (ai_eval(m->ctx, &tok, 1, pos, logits)) {
            snprintf(err, errlen, "evaluation failed: %s", ai_context_error(m->ctx));
            rc = 500;
            goto done;
        }
        m->cache[pos] = tok;
        m->n_cache = ++pos;
    }
    st->eval_ns = serve_now_ns() - t1;
    {   /* whatever is held back, and a character cut short at the very end */
        char tail[8];
        size_t tl = strcmp(st->done_reason, "cancel") ? ai_utf8_stream_finish(&u8, tail) : 0;
        if (tl) pending_add(&out, tail, tl);
        if (out.n && strcmp(st->done_reason, "cancel")) emit(ud, out.s, out.n);
    }
done:
    if (rc) m->n_cache = 0; /* the cache may hold a partial evaluation */
    pieces_free(&pt);
    free(out.s);
    free(logits);
    ai_sampler_free(smp);
    return rc;
}
