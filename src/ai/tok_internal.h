/* tok_internal.h — the tokenizer's shared insides: the vocabulary tables and
 * the encoders of each family. Not for use outside src/ai/tok*.c. */
#ifndef AI_TOK_INTERNAL_H
#define AI_TOK_INTERNAL_H

#include "ai/tokenizer.h"

typedef enum { AI_TOKFAM_SPM, AI_TOKFAM_BPE } ai_tok_family;
/* Pre-tokenizer regexes of the byte-level BPE family, hand-compiled. */
typedef enum {
    AI_PRETOK_GPT2,        /* GPT-2's regex */
    AI_PRETOK_LLAMA3,      /* Llama 3 (tiktoken cl100k): digits in threes */
    AI_PRETOK_QWEN2,       /* Llama 3's with single digits */
    AI_PRETOK_GPT2_DIGITS, /* each digit alone, then GPT-2's regex (SmolLM, StarCoder, Command-R) */
} ai_pretok_kind;

/* A growable token list. */
typedef struct { int32_t *v; size_t n, cap; int oom; } ai_tokvec;
void ai_tokvec_push(ai_tokvec *tv, int32_t id);

struct ai_tokenizer {
    ai_tok_family family;
    ai_pretok_kind pretok;
    int ignore_merges;       /* Llama 3: a pre-token found whole in the vocab is one token */
    uint32_t n;
    char *arena;             /* all token texts, each NUL-terminated */
    uint32_t *off, *len;     /* token i is arena[off[i] .. off[i]+len[i]) */
    float *score;
    uint8_t *type;
    int32_t *slot;           /* open-addressing hash: text -> id; -1 empty */
    uint32_t slot_mask;
    uint64_t *merge_key;     /* open-addressing hash: (left,right) -> rank */
    uint32_t *merge_rank;
    uint32_t merge_mask;     /* 0 when there are no merges */
    int32_t byte_token[256]; /* SPM: id of <0xNN>; BPE: id of the mapped byte; -1 */
    int32_t *special;        /* ids recognisable in text, longest first */
    uint32_t n_special;
    int32_t bos, eos, eot, unk, pad;
    int32_t eog[8];          /* end-of-generation ids */
    unsigned n_eog;
    int add_bos, add_eos, add_space_prefix;
};

int32_t ai_tok_lookup(const ai_tokenizer *t, const char *s, size_t n);
/* Merge rank of the pair, or -1. */
long ai_tok_merge_rank(const ai_tokenizer *t, int32_t left, int32_t right);

/* Encodes one fragment of plain text (no special tokens in it). */
void ai_spm_encode(const ai_tokenizer *t, const char *text, size_t n, int space_prefix, ai_tokvec *out);
void ai_bpe_encode(const ai_tokenizer *t, const char *text, size_t n, ai_tokvec *out);

/* Pre-tokenizer: the length in bytes of the next pre-token of text[0..n), n>0. */
size_t ai_pretok_next(ai_pretok_kind kind, const char *text, size_t n);

/* GPT-2's byte <-> printable code point mapping of byte-level BPE. */
uint32_t ai_bytelevel_cp(unsigned char b);
int ai_bytelevel_byte(uint32_t cp); /* -1 if cp is not a mapped byte */

#endif
