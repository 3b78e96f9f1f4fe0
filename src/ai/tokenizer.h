/* tokenizer.h — text <-> token ids from a GGUF vocabulary.
 *
 * Two families, as llama.cpp names them in `tokenizer.ggml.model`:
 *   "llama": SentencePiece BPE: merges by token score, spaces as U+2581,
 *            byte fallback through <0xNN> tokens.
 *   "gpt2":  byte-level BPE (GPT-2, Llama 3, Qwen): a pre-tokenizer regex
 *            splits the text, bytes map to printable code points, merges by
 *            rank from `tokenizer.ggml.merges`.
 * Special (control) tokens are recognised in text only when the caller allows
 * it (a chat template's markers, not a user's message). Decoding is
 * incremental so a stream never cuts a UTF-8 character in half.
 *
 * A tokenizer is immutable once built and may be shared by threads. */
#ifndef AI_TOKENIZER_H
#define AI_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

/* GGUF `tokenizer.ggml.token_type` values (llama.cpp's llama_token_type). */
enum {
    AI_TOKEN_UNDEFINED = 0,
    AI_TOKEN_NORMAL = 1,
    AI_TOKEN_UNKNOWN = 2,
    AI_TOKEN_CONTROL = 3,
    AI_TOKEN_USER_DEFINED = 4,
    AI_TOKEN_UNUSED = 5,
    AI_TOKEN_BYTE = 6,
};

typedef struct { const char *s; size_t n; } ai_str;

/* Everything the GGUF metadata says about the vocabulary. Arrays are borrowed
 * for the duration of ai_tokenizer_new only; the tokenizer copies them. */
typedef struct {
    const char *model;     /* "llama" or "gpt2" (tokenizer.ggml.model) */
    const char *pre;       /* tokenizer.ggml.pre or NULL ("llama-bpe", ...) */
    uint32_t n_tokens;
    const ai_str *tokens;  /* tokenizer.ggml.tokens */
    const float *scores;   /* tokenizer.ggml.scores, or NULL */
    const int32_t *types;  /* tokenizer.ggml.token_type, or NULL (all normal) */
    uint32_t n_merges;
    const ai_str *merges;  /* tokenizer.ggml.merges ("left right"), or NULL */
    int32_t bos, eos, eot, unk, pad;   /* -1 when the metadata has none */
    int add_bos, add_eos, add_space_prefix; /* -1: the family's default */
} ai_vocab_desc;

typedef struct ai_tokenizer ai_tokenizer;

/* Builds a tokenizer; on failure returns NULL and writes a message naming
 * what is wrong to err. */
ai_tokenizer *ai_tokenizer_new(const ai_vocab_desc *d, char *err, size_t errlen);
void ai_tokenizer_free(ai_tokenizer *t);

uint32_t ai_tokenizer_n_tokens(const ai_tokenizer *t);
int32_t ai_tokenizer_bos(const ai_tokenizer *t);
int32_t ai_tokenizer_eos(const ai_tokenizer *t);
int ai_tokenizer_add_bos(const ai_tokenizer *t);
/* True for ids that end a generation: EOS, EOT (<|eot_id|>, <|im_end|>...). */
int ai_tokenizer_is_eog(const ai_tokenizer *t, int32_t id);
/* The id of a token by its exact text, or -1. */
int32_t ai_tokenizer_find(const ai_tokenizer *t, const char *text, size_t n);
/* The token's raw text in the vocabulary (not decoded). */
ai_str ai_tokenizer_text(const ai_tokenizer *t, int32_t id);
int ai_tokenizer_type(const ai_tokenizer *t, int32_t id);

enum {
    AI_TOK_ADD_BOS = 1,      /* prepend BOS if the vocabulary asks for it */
    AI_TOK_PARSE_SPECIAL = 2 /* recognise control tokens written in the text */
};

/* Tokenizes text[0..n) into out (capacity cap). Returns the number of tokens
 * the text needs; if larger than cap only cap were written (call again with a
 * bigger buffer). Returns -1 only when out of memory. */
long ai_tokenize(const ai_tokenizer *t, const char *text, size_t n, int flags,
                 int32_t *out, size_t cap);

/* Like ai_tokenize, but with AI_TOK_PARSE_SPECIAL control tokens are
 * recognised only where special_ok[] is nonzero at both their first and
 * last byte: the markup of a chat template, not the messages inside it, so
 * a user cannot smuggle "<|im_end|>" in. special_ok may be NULL (anywhere). */
long ai_tokenize_masked(const ai_tokenizer *t, const char *text, size_t n, int flags,
                        const unsigned char *special_ok, int32_t *out, size_t cap);

/* Bytes of one token's text as it appears in output (may be part of a UTF-8
 * character). Control tokens render as empty unless render_special. Returns
 * the length, and writes min(len, cap) bytes to buf. */
size_t ai_token_piece(const ai_tokenizer *t, int32_t id, int render_special,
                      char *buf, size_t cap);

/* Whole-sequence decoding: pieces joined, SentencePiece's leading space
 * dropped. Returns the length; writes min(len, cap) bytes plus a NUL when cap>0. */
size_t ai_detokenize(const ai_tokenizer *t, const int32_t *ids, size_t n,
                     int render_special, char *buf, size_t cap);

/* Streaming decoder: feed pieces, get only complete UTF-8 characters back;
 * bytes that start a character are held until it completes. */
typedef struct {
    unsigned char pending[4];
    unsigned npending;
} ai_utf8_stream;

/* Appends the complete characters of pending+piece to out, which must hold
 * 3 * (n + 4) bytes (invalid bytes become 3-byte U+FFFD); returns the count. */
size_t ai_utf8_stream_push(ai_utf8_stream *s, const char *piece, size_t n, char *out);
/* Flushes what is held at the end of a stream (as U+FFFD if incomplete). */
size_t ai_utf8_stream_finish(ai_utf8_stream *s, char *out);

#endif
