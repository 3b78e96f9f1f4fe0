/* tok_decode.c — tokens back to text: one token's bytes, a whole sequence,
 * and a streaming UTF-8 reassembler so that a character split across tokens
 * (byte-fallback tokens, byte-level BPE) reaches a client whole. */
#include <string.h>

#include "ai/tok_internal.h"
#include "ai/unicode.h"

static size_t put(char *buf, size_t cap, size_t at, const char *s, size_t n) {
    if (at < cap) memcpy(buf + at, s, at + n <= cap ? n : cap - at);
    return at + n;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

size_t ai_token_piece(const ai_tokenizer *t, int32_t id, int render_special, char *buf, size_t cap) {
    if (id < 0 || (uint32_t)id >= t->n) return 0;
    const char *s = t->arena + t->off[id];
    size_t n = t->len[id], w = 0;
    switch (t->type[id]) {
    case AI_TOKEN_CONTROL:
        return render_special ? put(buf, cap, 0, s, n) : 0;
    case AI_TOKEN_UNKNOWN:
        return t->family == AI_TOKFAM_SPM ? put(buf, cap, 0, "\xe2\x96\x85", 3) : (render_special ? put(buf, cap, 0, s, n) : 0);
    case AI_TOKEN_BYTE:
        if (n == 6 && hexval(s[3]) >= 0 && hexval(s[4]) >= 0) {
            char b = (char)(hexval(s[3]) * 16 + hexval(s[4]));
            return put(buf, cap, 0, &b, 1);
        }
        return put(buf, cap, 0, s, n);
    default:
        break;
    }
    if (t->family == AI_TOKFAM_SPM) { /* U+2581 back to spaces */
        for (size_t i = 0; i < n;) {
            if (i + 3 <= n && !memcmp(s + i, "\xe2\x96\x81", 3)) { w = put(buf, cap, w, " ", 1); i += 3; }
            else { w = put(buf, cap, w, s + i, 1); i++; }
        }
        return w;
    }
    if (t->type[id] == AI_TOKEN_USER_DEFINED) return put(buf, cap, 0, s, n);
    for (size_t i = 0; i < n;) { /* byte-level: each code point is one byte */
        uint32_t cp;
        size_t l = ai_utf8_decode(s + i, n - i, &cp);
        int b = ai_bytelevel_byte(cp);
        if (b >= 0) { char c = (char)b; w = put(buf, cap, w, &c, 1); }
        else w = put(buf, cap, w, s + i, l);
        i += l;
    }
    return w;
}

size_t ai_detokenize(const ai_tokenizer *t, const int32_t *ids, size_t n, int render_special, char *buf, size_t cap) {
    size_t w = 0;
    int strip = t->family == AI_TOKFAM_SPM && t->add_space_prefix;
    for (size_t i = 0; i < n; i++) {
        char piece[256];
        size_t l = ai_token_piece(t, ids[i], render_special, piece, sizeof piece);
        if (l > sizeof piece) l = sizeof piece; /* no real token is this long */
        const char *p = piece;
        if (strip && l > 0) {
            if (p[0] == ' ') { p++; l--; }
            strip = 0;
        }
        w = put(buf, cap, w, p, l);
    }
    if (cap) buf[w < cap ? w : cap - 1] = 0;
    return w;
}

static size_t put_replacement(char *out, size_t w) {
    memcpy(out + w, "\xef\xbf\xbd", 3);
    return w + 3;
}

size_t ai_utf8_stream_push(ai_utf8_stream *s, const char *piece, size_t n, char *out) {
    size_t w = 0;
    unsigned char buf[4];
    unsigned nb = s->npending;
    memcpy(buf, s->pending, nb);
    s->npending = 0;
    /* Walk pending bytes then the piece as one sequence without copying it. */
    size_t total = nb + n;
#define AT(i) ((i) < nb ? buf[i] : (unsigned char)piece[(i) - nb])
    for (size_t i = 0; i < total;) {
        unsigned char b = AT(i);
        size_t len = ai_utf8_len(b);
        if (len == 1) {
            if (b < 0x80) out[w++] = (char)b;
            else w = put_replacement(out, w);
            i++;
            continue;
        }
        size_t k = 1;
        while (k < len && i + k < total && (AT(i + k) & 0xC0) == 0x80) k++;
        if (k == len) {
            for (size_t j = 0; j < len; j++) out[w++] = (char)AT(i + j);
            i += len;
        } else if (i + k == total) { /* incomplete so far: hold it */
            for (size_t j = 0; j < k; j++) s->pending[s->npending++] = AT(i + j);
            i += k;
        } else { /* broken sequence */
            w = put_replacement(out, w);
            i += k;
        }
    }
#undef AT
    return w;
}

size_t ai_utf8_stream_finish(ai_utf8_stream *s, char *out) {
    size_t w = s->npending ? put_replacement(out, 0) : 0;
    s->npending = 0;
    return w;
}
