/* fuzz_tokenizer.c — libFuzzer target for the tokenizers: prompts are
 * untrusted bytes. Two small vocabularies (byte-level BPE with merges and
 * control tokens; SentencePiece with byte fallback) tokenize the input with
 * and without special-token parsing; byte-level BPE must round-trip every
 * input exactly, and the streaming UTF-8 decoder must never overflow.
 * Build: make fuzz-tokenizer (clang). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/tok_internal.h"
#include "ai/unicode.h"

static ai_tokenizer *bpe, *spm; /* built once: libFuzzer calls us millions of times */

static ai_tokenizer *make_bpe(void) {
    static char texts[300][16];
    static ai_str toks[300];
    static int32_t types[300];
    static const char *merges_txt[] = {"Ġ t", "h e", "Ġt he", "i n", "Ġ a", "e r", "o n", "Ġ Ġ", "ĠĠ ĠĠ"};
    static ai_str merges[9];
    int n = 0;
    for (int b = 0; b < 256; b++) { /* every byte, spelt as its mapped code point */
        size_t l = ai_utf8_encode(ai_bytelevel_cp((unsigned char)b), texts[n]);
        toks[n] = (ai_str){texts[n], l};
        types[n++] = AI_TOKEN_NORMAL;
    }
    const char *extra[] = {"Ġt", "he", "Ġthe", "in", "Ġa", "er", "on", "ĠĠ", "ĠĠĠĠ", "<|eot_id|>", "<|start|>"};
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
        strcpy(texts[n], extra[i]);
        toks[n] = (ai_str){texts[n], strlen(extra[i])};
        types[n++] = i >= 9 ? AI_TOKEN_CONTROL : AI_TOKEN_NORMAL;
    }
    for (int i = 0; i < 9; i++) merges[i] = (ai_str){merges_txt[i], strlen(merges_txt[i])};
    ai_vocab_desc d = {.model = "gpt2", .pre = "llama-bpe", .n_tokens = (uint32_t)n, .tokens = toks, .types = types,
                       .n_merges = 9, .merges = merges, .bos = -1, .eos = n - 2, .eot = -1, .unk = -1, .pad = -1,
                       .add_bos = 0, .add_eos = 0, .add_space_prefix = -1};
    char err[128];
    return ai_tokenizer_new(&d, err, sizeof err);
}

static ai_tokenizer *make_spm(void) {
    static char texts[300][16];
    static ai_str toks[300];
    static int32_t types[300];
    static float scores[300];
    int n = 0;
    const char *head[] = {"<unk>", "<s>", "</s>"};
    for (int i = 0; i < 3; i++) { strcpy(texts[n], head[i]); toks[n] = (ai_str){texts[n], strlen(head[i])}; types[n++] = i ? 3 : 2; }
    for (int b = 0; b < 256; b++) {
        snprintf(texts[n], sizeof texts[n], "<0x%02X>", b);
        toks[n] = (ai_str){texts[n], 6};
        types[n++] = AI_TOKEN_BYTE;
    }
    const char *words[] = {"\xe2\x96\x81", "a", "b", "c", "ab", "\xe2\x96\x81" "a", "\xe2\x96\x81" "ab", "bc", "abc", "\xe6\x97\xa5"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        strcpy(texts[n], words[i]);
        toks[n] = (ai_str){texts[n], strlen(words[i])};
        scores[n] = -(float)i;
        types[n++] = AI_TOKEN_NORMAL;
    }
    ai_vocab_desc d = {.model = "llama", .n_tokens = (uint32_t)n, .tokens = toks, .scores = scores, .types = types,
                       .bos = 1, .eos = 2, .eot = -1, .unk = 0, .pad = -1, .add_bos = 1, .add_eos = 0, .add_space_prefix = 1};
    char err[128];
    return ai_tokenizer_new(&d, err, sizeof err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!bpe) { bpe = make_bpe(); spm = make_spm(); }
    if (!bpe || !spm) abort();
    const char *text = (const char *)data;
    size_t cap = size + 8;
    int32_t *ids = malloc(cap * sizeof *ids);
    char *dec = malloc(size * 3 + 16), *stream = malloc(3 * (size + 4) + 16);
    if (!ids || !dec || !stream) abort();
    long n = ai_tokenize(bpe, text, size, 0, ids, cap);
    if (n < 0 || (size_t)n > cap) abort();
    size_t dl = ai_detokenize(bpe, ids, (size_t)n, 0, dec, size * 3 + 16);
    if (dl != size || memcmp(dec, text, size)) abort(); /* byte-level BPE is lossless */
    ai_utf8_stream st = {0};
    size_t w = 0;
    for (long i = 0; i < n; i++) {
        char piece[64];
        size_t pl = ai_token_piece(bpe, ids[i], 0, piece, sizeof piece);
        w += ai_utf8_stream_push(&st, piece, pl, stream + w);
    }
    w += ai_utf8_stream_finish(&st, stream + w);
    if (w > 3 * (size + 4)) abort();
    n = ai_tokenize(bpe, text, size, AI_TOK_PARSE_SPECIAL, ids, cap);
    if (n < 0 || (size_t)n > cap) abort();
    for (int flags = 0; flags < 4; flags++) {
        /* '▁' is in this vocabulary, so every byte yields at most one token. */
        n = ai_tokenize(spm, text, size, flags, ids, cap);
        if (n < 0 || (size_t)n > cap) abort();
        for (long i = 0; i < n; i++)
            if (ids[i] < 0 || (uint32_t)ids[i] >= ai_tokenizer_n_tokens(spm)) abort();
        ai_detokenize(spm, ids, (size_t)n, flags & 1, dec, size * 3 + 16);
    }
    free(ids);
    free(dec);
    free(stream);
    return 0;
}
