/* tok_bpe.c — byte-level BPE (GPT-2, Llama 3, Qwen): split the text with the
 * pre-tokenizer regex, spell each pre-token's bytes as printable code points,
 * then repeatedly merge the adjacent pair with the lowest merge rank
 * (leftmost on ties), as llama.cpp and Hugging Face tokenizers do. */
#include <stdlib.h>
#include <string.h>

#include "ai/tok_internal.h"
#include "ai/unicode.h"

typedef struct { int32_t id; int prev, next; } sym;
typedef struct { long rank; int left, right; int32_t lid, rid; } pair;
typedef struct { pair *v; size_t n, cap; int oom; } heap;

/* Better = lower rank, then smaller left index. */
static int better(const pair *a, const pair *b) {
    return a->rank < b->rank || (a->rank == b->rank && a->left < b->left);
}

static void heap_push(heap *h, pair g) {
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        pair *v = realloc(h->v, cap * sizeof *v);
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

static pair heap_pop(heap *h) {
    pair top = h->v[0], last = h->v[--h->n];
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

static void try_pair(const ai_tokenizer *t, const sym *syms, int l, int r, heap *h) {
    if (l < 0 || r < 0 || syms[l].id < 0 || syms[r].id < 0) return;
    long rank = ai_tok_merge_rank(t, syms[l].id, syms[r].id);
    if (rank >= 0) heap_push(h, (pair){rank, l, r, syms[l].id, syms[r].id});
}

/* The id of the concatenation of two tokens' texts, or -1. */
static int32_t concat_id(const ai_tokenizer *t, int32_t a, int32_t b) {
    size_t la = t->len[a], lb = t->len[b];
    char stackbuf[256], *buf = la + lb <= sizeof stackbuf ? stackbuf : malloc(la + lb);
    if (!buf) return -1;
    memcpy(buf, t->arena + t->off[a], la);
    memcpy(buf + la, t->arena + t->off[b], lb);
    int32_t id = ai_tok_lookup(t, buf, la + lb);
    if (buf != stackbuf) free(buf);
    return id;
}

/* Merges one pre-token already spelt as mapped code points (one per byte). */
static void bpe_word(const ai_tokenizer *t, const char *w, size_t wn, const unsigned char *raw,
                     size_t rn, ai_tokvec *out) {
    if (t->ignore_merges) {
        int32_t id = ai_tok_lookup(t, w, wn);
        if (id >= 0) { ai_tokvec_push(out, id); return; }
    }
    sym *syms = malloc(rn * sizeof *syms);
    heap h = {0};
    if (!syms) { out->oom = 1; return; }
    for (size_t i = 0; i < rn; i++) syms[i] = (sym){t->byte_token[raw[i]], (int)i - 1, i + 1 < rn ? (int)i + 1 : -1};
    for (size_t i = 1; i < rn; i++) try_pair(t, syms, (int)i - 1, (int)i, &h);
    while (h.n && !h.oom) {
        pair g = heap_pop(&h);
        sym *L = &syms[g.left], *R = &syms[g.right];
        /* Stale entry: a side changed, or they are no longer neighbours. */
        if (L->id != g.lid || R->id != g.rid || L->next != g.right) continue;
        int32_t merged = concat_id(t, L->id, R->id);
        if (merged < 0) continue;
        L->id = merged;
        R->id = -2; /* merged away: never matches a queued id */
        L->next = R->next;
        if (R->next >= 0) syms[R->next].prev = g.left;
        try_pair(t, syms, L->prev, g.left, &h);
        try_pair(t, syms, g.left, L->next, &h);
    }
    if (h.oom) out->oom = 1;
    for (int i = 0; rn > 0 && i >= 0; i = syms[i].next) ai_tokvec_push(out, syms[i].id >= 0 ? syms[i].id : t->unk);
    free(h.v);
    free(syms);
}

void ai_bpe_encode(const ai_tokenizer *t, const char *text, size_t n, ai_tokvec *out) {
    char *w = malloc(n * 2 + 1); /* each byte spells as at most 2 UTF-8 bytes */
    if (!w) { out->oom = 1; return; }
    for (size_t i = 0; i < n;) {
        size_t len = ai_pretok_next(t->pretok, text + i, n - i);
        if (len == 0) len = 1;
        size_t wn = 0;
        for (size_t j = 0; j < len; j++) wn += ai_utf8_encode(ai_bytelevel_cp((unsigned char)text[i + j]), w + wn);
        bpe_word(t, w, wn, (const unsigned char *)text + i, len, out);
        i += len;
    }
    free(w);
}
