/* unicode.h — the little Unicode the tokenizers need: UTF-8 decoding and the
 * character classes of the pre-tokenizer regexes (letter, number, space). */
#ifndef AI_UNICODE_H
#define AI_UNICODE_H

#include <stddef.h>
#include <stdint.h>

typedef struct { uint32_t lo, hi; } ai_uni_range;

extern const ai_uni_range ai_uni_letter[], ai_uni_number[];
extern const unsigned ai_uni_letter_count, ai_uni_number_count;

/* Decodes one code point at s[0..n). Returns its length in bytes (1..4) and
 * stores it in *cp; an invalid or truncated sequence counts as one byte with
 * *cp = 0xFFFD so callers always make progress. */
size_t ai_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Encodes cp into out (4 bytes at least); returns the length. */
size_t ai_utf8_encode(uint32_t cp, char *out);
/* Length a UTF-8 sequence starting with byte b claims (1 for invalid bytes). */
size_t ai_utf8_len(unsigned char b);

int ai_uni_is_letter(uint32_t cp); /* \p{L} */
int ai_uni_is_number(uint32_t cp); /* \p{N} */
int ai_uni_is_space(uint32_t cp);  /* \s: Unicode White_Space */

#endif
