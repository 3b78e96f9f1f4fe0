/* tokenizer.c — building a tokenizer from vocabulary metadata, splitting text
 * at special tokens, and turning tokens back into text. The per-family
 * encoders live in tok_spm.c and tok_bpe.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/tok_internal.h"
#include "ai/unicode.h"

void ai_tokvec_push(ai_tokvec *tv, int32_t id) {
    if (tv->n == tv->cap) {
        size_t cap = tv->cap ? tv->cap * 2 : 64;
        int32_t *v = realloc(tv->v, cap * sizeof *v);
        if (!v) { tv->oom = 1; return; }
        tv->v = v;
        tv->cap = cap;
    }
    tv->v[tv->n++] = id;
}

static uint64_t hash_bytes(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static uint64_t hash_u64(uint64_t x) {
    x ^= x >> 33; x *= 0xff51afd7ed558ccdull; x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ull; x ^= x >> 33;
    return x;
}

static uint32_t pow2_at_least(uint64_t n) {
    uint32_t c = 16;
    while (c < n) c <<= 1;
    return c;
}

int32_t ai_tok_lookup(const ai_tokenizer *t, const char *s, size_t n) {
    for (uint32_t i = (uint32_t)hash_bytes(s, n) & t->slot_mask;; i = (i + 1) & t->slot_mask) {
        int32_t id = t->slot[i];
        if (id < 0) return -1;
        if (t->len[id] == n && memcmp(t->arena + t->off[id], s, n) == 0) return id;
    }
}

long ai_tok_merge_rank(const ai_tokenizer *t, int32_t left, int32_t right) {
    if (!t->merge_mask) return -1;
    uint64_t key = ((uint64_t)(uint32_t)left << 32 | (uint32_t)right) + 1; /* 0 = empty */
    for (uint32_t i = (uint32_t)hash_u64(key) & t->merge_mask;; i = (i + 1) & t->merge_mask) {
        if (t->merge_key[i] == 0) return -1;
        if (t->merge_key[i] == key) return t->merge_rank[i];
    }
}

static void fail(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int build_merges(ai_tokenizer *t, const ai_vocab_desc *d, char *err, size_t errlen) {
    if (!d->n_merges) return 0;
    t->merge_mask = pow2_at_least((uint64_t)d->n_merges * 2) - 1;
    t->merge_key = calloc((size_t)t->merge_mask + 1, sizeof *t->merge_key);
    t->merge_rank = calloc((size_t)t->merge_mask + 1, sizeof *t->merge_rank);
    if (!t->merge_key || !t->merge_rank) { fail(err, errlen, "out of memory"); return -1; }
    for (uint32_t r = 0; r < d->n_merges; r++) {
        const char *s = d->merges[r].s;
        size_t n = d->merges[r].n;
        /* "left right": split at the first space after the first byte, as
         * llama.cpp does, so a left side that is itself a space still works. */
        const char *sp = n > 1 ? memchr(s + 1, ' ', n - 1) : NULL;
        if (!sp) { fail(err, errlen, "tokenizer.ggml.merges[%u]: no space in \"%.*s\"", r, (int)n, s); return -1; }
        int32_t a = ai_tok_lookup(t, s, (size_t)(sp - s));
        int32_t b = ai_tok_lookup(t, sp + 1, n - (size_t)(sp - s) - 1);
        if (a < 0 || b < 0) continue; /* merge of tokens not in this vocabulary: unusable */
        uint64_t key = ((uint64_t)(uint32_t)a << 32 | (uint32_t)b) + 1;
        uint32_t i = (uint32_t)hash_u64(key) & t->merge_mask;
        while (t->merge_key[i] && t->merge_key[i] != key) i = (i + 1) & t->merge_mask;
        if (t->merge_key[i]) continue; /* duplicate: the first (lowest) rank wins */
        t->merge_key[i] = key;
        t->merge_rank[i] = r;
    }
    return 0;
}

static int longer_first(const void *a, const void *b, void *ctx) {
    const ai_tokenizer *t = ctx;
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    if (t->len[x] != t->len[y]) return t->len[x] > t->len[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

static void byte_tokens(ai_tokenizer *t) {
    for (int b = 0; b < 256; b++) {
        char buf[8];
        size_t n;
        if (t->family == AI_TOKFAM_SPM) n = (size_t)snprintf(buf, sizeof buf, "<0x%02X>", b);
        else n = ai_utf8_encode(ai_bytelevel_cp((unsigned char)b), buf);
        t->byte_token[b] = ai_tok_lookup(t, buf, n);
    }
}

static void add_eog(ai_tokenizer *t, int32_t id) {
    if (id < 0 || (uint32_t)id >= t->n || t->n_eog == sizeof t->eog / sizeof t->eog[0]) return;
    for (unsigned i = 0; i < t->n_eog; i++)
        if (t->eog[i] == id) return;
    t->eog[t->n_eog++] = id;
}

/* Chat models end turns with tokens the metadata does not always name:
 * recognise the common ones by their text. */
static void find_eog(ai_tokenizer *t) {
    static const char *const names[] = {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>"};
    add_eog(t, t->eos);
    add_eog(t, t->eot);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        int32_t id = ai_tok_lookup(t, names[i], strlen(names[i]));
        if (id >= 0 && t->type[id] == AI_TOKEN_CONTROL) add_eog(t, id);
    }
}

static int valid_id(const ai_vocab_desc *d, int32_t id) { return id >= 0 && (uint32_t)id < d->n_tokens; }

ai_tokenizer *ai_tokenizer_new(const ai_vocab_desc *d, char *err, size_t errlen) {
    ai_tokenizer *t = calloc(1, sizeof *t);
    if (!t) { fail(err, errlen, "out of memory"); return NULL; }
    if (!d->model || !strcmp(d->model, "llama")) t->family = AI_TOKFAM_SPM;
    else if (!strcmp(d->model, "gpt2")) t->family = AI_TOKFAM_BPE;
    else { fail(err, errlen, "tokenizer.ggml.model \"%s\" is not supported (expected \"llama\" or \"gpt2\")", d->model); goto bad; }
    if (!d->n_tokens || !d->tokens) { fail(err, errlen, "tokenizer.ggml.tokens is missing or empty"); goto bad; }
    const char *pre = d->pre ? d->pre : "";
    /* tokenizer.ggml.pre names, grouped as llama.cpp groups them by regex. */
    static const char *const llama3_pre[] = {"llama-bpe", "llama3", "llama-v3", "falcon3", "pixtral", "dbrx", "smaug-bpe"};
    static const char *const qwen2_pre[] = {"qwen2", "stablelm2"};
    static const char *const digits_pre[] = {"smollm", "starcoder", "refact", "command-r", "codeshell", "exaone", "minerva"};
    t->pretok = AI_PRETOK_GPT2;
    for (size_t i = 0; i < sizeof llama3_pre / sizeof *llama3_pre; i++)
        if (!strcmp(pre, llama3_pre[i])) t->pretok = AI_PRETOK_LLAMA3;
    for (size_t i = 0; i < sizeof qwen2_pre / sizeof *qwen2_pre; i++)
        if (!strcmp(pre, qwen2_pre[i])) t->pretok = AI_PRETOK_QWEN2;
    for (size_t i = 0; i < sizeof digits_pre / sizeof *digits_pre; i++)
        if (!strcmp(pre, digits_pre[i])) t->pretok = AI_PRETOK_GPT2_DIGITS;
    /* Llama 3 proper looks a whole pre-token up before merging (HF's
     * ignore_merges); DBRX and Smaug share its regex but not that. */
    t->ignore_merges = t->pretok == AI_PRETOK_LLAMA3 && strcmp(pre, "dbrx") && strcmp(pre, "smaug-bpe");

    t->n = d->n_tokens;
    size_t total = 0;
    for (uint32_t i = 0; i < t->n; i++) total += d->tokens[i].n + 1;
    t->arena = malloc(total);
    t->off = malloc(t->n * sizeof *t->off);
    t->len = malloc(t->n * sizeof *t->len);
    t->score = malloc(t->n * sizeof *t->score);
    t->type = malloc(t->n);
    t->slot_mask = pow2_at_least((uint64_t)t->n * 2) - 1;
    t->slot = malloc(((size_t)t->slot_mask + 1) * sizeof *t->slot);
    t->special = malloc(t->n * sizeof *t->special);
    if (!t->arena || !t->off || !t->len || !t->score || !t->type || !t->slot || !t->special) {
        fail(err, errlen, "out of memory for %u tokens", t->n);
        goto bad;
    }
    memset(t->slot, 0xff, ((size_t)t->slot_mask + 1) * sizeof *t->slot);
    size_t at = 0;
    for (uint32_t i = 0; i < t->n; i++) {
        memcpy(t->arena + at, d->tokens[i].s, d->tokens[i].n);
        t->arena[at + d->tokens[i].n] = 0;
        t->off[i] = (uint32_t)at;
        t->len[i] = (uint32_t)d->tokens[i].n;
        at += d->tokens[i].n + 1;
        t->score[i] = d->scores ? d->scores[i] : 0.0f;
        int ty = d->types ? d->types[i] : AI_TOKEN_NORMAL;
        t->type[i] = (uint8_t)(ty >= AI_TOKEN_NORMAL && ty <= AI_TOKEN_BYTE ? ty : AI_TOKEN_NORMAL);
        /* Duplicate texts: the first id wins, as in llama.cpp's map. */
        uint32_t s = (uint32_t)hash_bytes(d->tokens[i].s, d->tokens[i].n) & t->slot_mask;
        int dup = 0;
        for (; t->slot[s] >= 0; s = (s + 1) & t->slot_mask) {
            int32_t o = t->slot[s];
            if (t->len[o] == d->tokens[i].n && !memcmp(t->arena + t->off[o], d->tokens[i].s, d->tokens[i].n)) { dup = 1; break; }
        }
        if (!dup) t->slot[s] = (int32_t)i;
        if ((t->type[i] == AI_TOKEN_CONTROL || t->type[i] == AI_TOKEN_USER_DEFINED || t->type[i] == AI_TOKEN_UNKNOWN) && t->len[i] > 0)
            t->special[t->n_special++] = (int32_t)i;
    }
    qsort_r(t->special, t->n_special, sizeof *t->special, longer_first, t);
    if (build_merges(t, d, err, errlen)) goto bad;
    if (t->family == AI_TOKFAM_BPE && !t->merge_mask) { fail(err, errlen, "gpt2 tokenizer without tokenizer.ggml.merges"); goto bad; }
    byte_tokens(t);

    int spm = t->family == AI_TOKFAM_SPM;
    t->bos = valid_id(d, d->bos) ? d->bos : -1;
    t->eos = valid_id(d, d->eos) ? d->eos : -1;
    t->eot = valid_id(d, d->eot) ? d->eot : -1;
    t->unk = valid_id(d, d->unk) ? d->unk : (spm ? ai_tok_lookup(t, "<unk>", 5) : -1);
    t->pad = valid_id(d, d->pad) ? d->pad : -1;
    t->add_bos = d->add_bos >= 0 ? d->add_bos : 1;
    t->add_eos = d->add_eos >= 0 ? d->add_eos : 0;
    t->add_space_prefix = d->add_space_prefix >= 0 ? d->add_space_prefix : spm;
    find_eog(t);
    return t;
bad:
    ai_tokenizer_free(t);
    return NULL;
}

void ai_tokenizer_free(ai_tokenizer *t) {
    if (!t) return;
    free(t->arena); free(t->off); free(t->len); free(t->score); free(t->type);
    free(t->slot); free(t->merge_key); free(t->merge_rank); free(t->special);
    free(t);
}

uint32_t ai_tokenizer_n_tokens(const ai_tokenizer *t) { return t->n; }
int32_t ai_tokenizer_bos(const ai_tokenizer *t) { return t->bos; }
int32_t ai_tokenizer_eos(const ai_tokenizer *t) { return t->eos; }
int ai_tokenizer_add_bos(const ai_tokenizer *t) { return t->add_bos && t->bos >= 0; }
int32_t ai_tokenizer_find(const ai_tokenizer *t, const char *text, size_t n) { return ai_tok_lookup(t, text, n); }
int ai_tokenizer_type(const ai_tokenizer *t, int32_t id) {
    return id >= 0 && (uint32_t)id < t->n ? t->type[id] : AI_TOKEN_UNDEFINED;
}

ai_str ai_tokenizer_text(const ai_tokenizer *t, int32_t id) {
    if (id < 0 || (uint32_t)id >= t->n) return (ai_str){"", 0};
    return (ai_str){t->arena + t->off[id], t->len[id]};
}

int ai_tokenizer_is_eog(const ai_tokenizer *t, int32_t id) {
    for (unsigned i = 0; i < t->n_eog; i++)
        if (t->eog[i] == id) return 1;
    return 0;
}

/* The special token starting at text[0..n), longest first, or -1. */
static int32_t special_at(const ai_tokenizer *t, const char *s, size_t n, int parse_special) {
    for (uint32_t i = 0; i < t->n_special; i++) {
        int32_t id = t->special[i];
        if (!parse_special && t->type[id] != AI_TOKEN_USER_DEFINED) continue;
        size_t l = t->len[id];
        if (l <= n && (unsigned char)t->arena[t->off[id]] == (unsigned char)s[0] && !memcmp(t->arena + t->off[id], s, l))
            return id;
    }
    return -1;
}

static void encode_fragment(const ai_tokenizer *t, const char *s, size_t n, ai_tokvec *out) {
    if (!n) return;
    if (t->family == AI_TOKFAM_SPM) ai_spm_encode(t, s, n, t->add_space_prefix, out);
    else ai_bpe_encode(t, s, n, out);
}

long ai_tokenize(const ai_tokenizer *t, const char *text, size_t n, int flags, int32_t *out, size_t cap) {
    return ai_tokenize_masked(t, text, n, flags, NULL, out, cap);
}

long ai_tokenize_masked(const ai_tokenizer *t, const char *text, size_t n, int flags,
                        const unsigned char *special_ok, int32_t *out, size_t cap) {
    ai_tokvec tv = {0};
    if ((flags & AI_TOK_ADD_BOS) && t->add_bos && t->bos >= 0) ai_tokvec_push(&tv, t->bos);
    /* Every plain fragment follows the start or a special token, so each gets
     * SentencePiece's dummy prefix space, as in llama.cpp. Specials are found
     * by a first-byte filter before the longest-match scan. */
    size_t start = 0;
    if (t->n_special) {
        uint8_t first[256] = {0};
        for (uint32_t i = 0; i < t->n_special; i++) first[(unsigned char)t->arena[t->off[t->special[i]]]] = 1;
        for (size_t i = 0; i < n;) {
            int parse = (flags & AI_TOK_PARSE_SPECIAL) && (!special_ok || special_ok[i]);
            int32_t id = first[(unsigned char)text[i]] ? special_at(t, text + i, n - i, parse) : -1;
            if (id >= 0 && parse && special_ok && t->type[id] != AI_TOKEN_USER_DEFINED && !special_ok[i + t->len[id] - 1])
                id = special_at(t, text + i, n - i, 0); /* runs past the markup: only user-defined tokens */
            if (id < 0) { i++; continue; }
            encode_fragment(t, text + start, i - start, &tv);
            ai_tokvec_push(&tv, id);
            i += t->len[id];
            start = i;
        }
    }
    encode_fragment(t, text + start, n - start, &tv);
    if ((flags & AI_TOK_ADD_BOS) && t->add_eos && t->eos >= 0) ai_tokvec_push(&tv, t->eos);
    if (tv.oom) { free(tv.v); return -1; }
    size_t w = tv.n < cap ? tv.n : cap;
    if (w) memcpy(out, tv.v, w * sizeof *out);
    free(tv.v);
    return (long)tv.n;
}
