/* tok_pretok.c — the byte-level BPE pre-tokenizer regexes, written by hand.
 *
 * Llama 3 (tiktoken cl100k style):
 *   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}
 *   | ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 * Qwen 2 is the same with \p{N} taken one at a time. GPT-2:
 *   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 * SmolLM and the StarCoder family first split off every digit (\p{N}), then
 * apply GPT-2's regex to the text between digits.
 * Each alternative is tried in order at the current position, as a
 * backtracking regex engine would; the comments say how each backtracks. */
#include "ai/tok_internal.h"
#include "ai/unicode.h"

/* The text decoded into code points with their byte offsets, lazily. */
typedef struct {
    const char *s;
    size_t n;
} cursor;

/* Code point at byte offset i (and its length) — 0 length at the end. */
static size_t cp_at(const cursor *c, size_t i, uint32_t *cp) {
    if (i >= c->n) { *cp = 0; return 0; }
    return ai_utf8_decode(c->s + i, c->n - i, cp);
}

static int is_nl(uint32_t cp) { return cp == '\r' || cp == '\n'; }
static int is_other(uint32_t cp) { /* [^\s\p{L}\p{N}] */
    return !ai_uni_is_space(cp) && !ai_uni_is_letter(cp) && !ai_uni_is_number(cp);
}
static uint32_t lower_ascii(uint32_t cp) { return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp; }

/* 's 't 're 've 'm 'll 'd; case-insensitive when icase. Returns bytes or 0. */
static size_t contraction(const cursor *c, int icase) {
    if (c->n < 2 || c->s[0] != '\'') return 0;
    uint32_t a = (unsigned char)c->s[1], b = c->n > 2 ? (unsigned char)c->s[2] : 0;
    if (icase) { a = lower_ascii(a); b = lower_ascii(b); }
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
    if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) return 3;
    return 0;
}

/* Runs of a class from byte offset i; returns the end offset. */
static size_t run_letters(const cursor *c, size_t i) {
    uint32_t cp;
    size_t l;
    while ((l = cp_at(c, i, &cp)) && ai_uni_is_letter(cp)) i += l;
    return i;
}
static size_t run_numbers(const cursor *c, size_t i, int max) {
    uint32_t cp;
    size_t l;
    for (int k = 0; (max == 0 || k < max) && (l = cp_at(c, i, &cp)) && ai_uni_is_number(cp); k++) i += l;
    return i;
}
static size_t run_other(const cursor *c, size_t i) {
    uint32_t cp;
    size_t l;
    while ((l = cp_at(c, i, &cp)) && is_other(cp)) i += l;
    return i;
}

/* \s*[\r\n]+ | \s+(?!\S) | \s+ at offset 0, given the first is whitespace.
 * with_newline_rule is false for GPT-2, whose regex lacks the first. */
static size_t whitespace(const cursor *c, int with_newline_rule) {
    uint32_t cp;
    size_t i = 0, l, last_nl_end = 0, before_last = 0;
    while ((l = cp_at(c, i, &cp)) && ai_uni_is_space(cp)) {
        if (is_nl(cp)) last_nl_end = i + l;
        before_last = i;
        i += l;
    }
    /* \s*[\r\n]+: \s* backs off until [\r\n]+ can match; [\r\n]+ then takes
     * the newlines greedily, so the match ends after the run's last newline. */
    if (with_newline_rule && last_nl_end) return last_nl_end;
    /* \s+(?!\S): at the end of text the whole run; otherwise the run minus
     * its last character (which then leads the next word), if that leaves any. */
    if (i == c->n) return i;
    if (before_last > 0) return before_last;
    return i; /* \s+ */
}

static size_t next_llama3(const cursor *c, int max_digits) {
    uint32_t c0, c1;
    size_t l0 = cp_at(c, 0, &c0);
    size_t m = contraction(c, 1);
    if (m) return m;
    /* [^\r\n\p{L}\p{N}]?\p{L}+ */
    if (ai_uni_is_letter(c0)) return run_letters(c, l0);
    if (!is_nl(c0) && !ai_uni_is_number(c0)) {
        size_t l1 = cp_at(c, l0, &c1);
        if (l1 && ai_uni_is_letter(c1)) return run_letters(c, l0);
    }
    /* \p{N}{1,3} */
    if (ai_uni_is_number(c0)) return run_numbers(c, 0, max_digits);
    /*  ?[^\s\p{L}\p{N}]+[\r\n]* */
    size_t start = c0 == ' ' ? l0 : 0;
    size_t end = run_other(c, start);
    if (end > start) {
        uint32_t cp;
        size_t l;
        while ((l = cp_at(c, end, &cp)) && is_nl(cp)) end += l;
        return end;
    }
    if (ai_uni_is_space(c0)) return whitespace(c, 1);
    return l0; /* unreachable: every code point is in one class */
}

static size_t next_gpt2(const cursor *c) {
    uint32_t c0, c1;
    size_t l0 = cp_at(c, 0, &c0);
    size_t m = contraction(c, 0);
    if (m) return m;
    size_t start = c0 == ' ' ? l0 : 0; /* the optional leading space */
    size_t l1 = cp_at(c, start, &c1);
    if (l1) {
        if (ai_uni_is_letter(c1)) return run_letters(c, start);
        if (ai_uni_is_number(c1)) return run_numbers(c, start, 0);
        if (is_other(c1)) return run_other(c, start);
    }
    if (ai_uni_is_space(c0)) return whitespace(c, 0);
    return l0;
}

/* Each number code point alone; GPT-2's regex on the text up to the next. */
static size_t next_gpt2_digits(const cursor *c) {
    uint32_t cp;
    size_t l = cp_at(c, 0, &cp), i = 0;
    if (ai_uni_is_number(cp)) return l;
    while ((l = cp_at(c, i, &cp)) && !ai_uni_is_number(cp)) i += l;
    cursor upto = {c->s, i};
    return next_gpt2(&upto);
}

size_t ai_pretok_next(ai_pretok_kind kind, const char *text, size_t n) {
    cursor c = {text, n};
    switch (kind) {
    case AI_PRETOK_LLAMA3: return next_llama3(&c, 3);
    case AI_PRETOK_QWEN2: return next_llama3(&c, 1);
    case AI_PRETOK_GPT2: return next_gpt2(&c);
    case AI_PRETOK_GPT2_DIGITS: return next_gpt2_digits(&c);
    }
    return n;
}
