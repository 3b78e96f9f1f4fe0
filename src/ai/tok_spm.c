/* tok_spm.c — SentencePiece-style BPE, as llama.cpp runs it on `llama`
 * vocabularies: start from UTF-8 characters, repeatedly merge the adjacent
 * pair whose concatenation is the vocabulary token with the highest score
 * (leftmost on ties), then spell any piece the vocabulary lacks as <0xNN>
 * byte tokens. */
#include <stdlib.h>
#include <string.h>

#include "ai/tok_internal.h"
#include "ai/unicode.h"

typedef struct { size_t off, len; int prev, next; } sym;
typedef struct { float score; int left, right; size_t len; } bigram;

typedef struct { bigram *v; size_t n, cap; int oom; } heap;

/* Better = higher score, then smaller left index. */
static int better(const bigram *a, const bigram *b) {
    return a->score > b->score || (a->score == b->score && a->left < b->left);
}

static void heap_push(heap *h, bigram g) {
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        bigram *v = realloc(h->v, cap * sizeof *v);
        if (!v) { h->oom = 1; return; }
        h->v = v;
        h->cap = cap;
    }
    size_t i = h->n++;
    while (i > 0 && better(&g, &h->v[(i - 1) / 2])) {
        h->v[i] = h->v[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->v[i] = g;
}

static bigram heap_pop(heap *h) {
    bigram top = h->v[0], last = h->v[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n) break;
        if (c + 1 < h->n && better(&h->v[c + 1], &h->v[c])) c++;
        if (!better(&h->v[c], &last)) break;
        h->v[i] = h->v[c];
        i = c;
    }
    if (h->n) h->v[i] = last;
    return top;
}

/* A piece may be merged into only if it is an ordinary token: SentencePiece
 * never produces control or byte pieces from text. */
static int mergeable(const ai_tokenizer *t, int32_t id) {
    return id >= 0 && (t->type[id] == AI_TOKEN_NORMAL || t->type[id] == AI_TOKEN_USER_DEFINED ||
                       t->type[id] == AI_TOKEN_UNUSED);
}

static void try_bigram(const ai_tokenizer *t, const char *s, const sym *syms, int l, int r, heap *h) {
    if (l < 0 || r < 0) return;
    size_t len = syms[l].len + syms[r].len;
    int32_t id = ai_tok_lookup(t, s + syms[l].off, len);
    if (!mergeable(t, id)) return;
    heap_push(h, (bigram){t->score[id], l, r, len});
}

static void emit_piece(const ai_tokenizer *t, const char *s, size_t len, ai_tokvec *out) {
    int32_t id = ai_tok_lookup(t, s, len);
    if (id >= 0) { ai_tokvec_push(out, id); return; }
    for (size_t i = 0; i < len; i++) {
        int32_t b = t->byte_token[(unsigned char)s[i]];
        ai_tokvec_push(out, b >= 0 ? b : t->unk);
    }
}

void ai_spm_encode(const ai_tokenizer *t, const char *text, size_t n, int space_prefix, ai_tokvec *out) {
    /* Escape: an optional leading space, then every ' ' as U+2581 '▁'. */
    size_t spaces = space_prefix;
    for (size_t i = 0; i < n; i++) spaces += text[i] == ' ';
    size_t m = n + spaces * 2 + space_prefix;
    char *s = malloc(m + 1);
    sym *syms = malloc((m + 1) * sizeof *syms);
    heap h = {0};
    if (!s || !syms) { out->oom = 1; goto done; }
    size_t k = 0;
    if (space_prefix) { memcpy(s, "\xe2\x96\x81", 3); k = 3; }
    for (size_t i = 0; i < n; i++) {
        if (text[i] == ' ') { memcpy(s + k, "\xe2\x96\x81", 3); k += 3; }
        else s[k++] = text[i];
    }
    int ns = 0;
    for (size_t i = 0; i < k;) {
        uint32_t cp; /* a broken sequence is one byte, so it cannot swallow a following '▁' */
        size_t l = ai_utf8_decode(s + i, k - i, &cp);
        syms[ns] = (sym){i, l, ns - 1, -1};
        if (ns > 0) syms[ns - 1].next = ns;
        ns++;
        i += l;
    }
    for (int i = 1; i < ns; i++) try_bigram(t, s, syms, i - 1, i, &h);
    while (h.n && !h.oom) {
        bigram g = heap_pop(&h);
        sym *L = &syms[g.left], *R = &syms[g.right];
        /* Stale entry: one side was merged away since it was queued. */
        if (L->len == 0 || R->len == 0 || L->len + R->len != g.len) continue;
        L->len += R->len;
        R->len = 0;
        L->next = R->next;
        if (R->next >= 0) syms[R->next].prev = g.left;
        try_bigram(t, s, syms, L->prev, g.left, &h);
        try_bigram(t, s, syms, g.left, L->next, &h);
    }
    if (h.oom) out->oom = 1;
    for (int i = 0; ns > 0 && i >= 0; i = syms[i].next) emit_piece(t, s + syms[i].off, syms[i].len, out);
done:
    free(h.v);
    free(syms);
    free(s);
}
