/* serve_jsonfmt.c — the JSON-prefix automaton behind "format": "json". It
 * accepts exactly the byte strings that can still be extended to one JSON
 * object (RFC 8259), so masking tokens with it never paints generation into
 * a corner. Whitespace runs are bounded: a model under constraint otherwise
 * tends to pad forever. */
#include <string.h>

#include "serve/serve_jsonfmt.h"

enum { VALUE, KEY, COLON, AFTER, STRING, ESCAPE, UNICODE, NUMBER, LITERAL, DONE };
/* number sub-states: after '-', after leading 0, in integer, after '.', in
 * fraction, after e/E, after exponent sign, in exponent */
enum { N_MINUS, N_ZERO, N_INT, N_DOT, N_FRAC, N_E, N_ESIGN, N_EXP };

#define MAX_WS 24

void serve_json_init(serve_json_state *s) {
    memset(s, 0, sizeof *s);
    s->mode = VALUE;
}

int serve_json_done(const serve_json_state *s) { return s->mode == DONE; }

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* A value ended: what follows depends on the container it is in. */
static int end_value(serve_json_state *s) {
    s->mode = s->depth ? AFTER : DONE;
    return 0;
}

static int open_container(serve_json_state *s, char c) {
    if (s->depth == SERVE_JSON_MAX_DEPTH) return -1;
    s->stack[s->depth++] = c;
    s->mode = c == '{' ? KEY : VALUE;
    s->fresh = 1;
    return 0;
}

static int close_container(serve_json_state *s, char c) {
    if (!s->depth || s->stack[s->depth - 1] != (c == '}' ? '{' : '[')) return -1;
    s->depth--;
    s->fresh = 0;
    return end_value(s);
}

static int number_can_end(uint8_t sub) { return sub == N_ZERO || sub == N_INT || sub == N_FRAC || sub == N_EXP; }

static int step(serve_json_state *s, char c) {
    if (is_ws(c) && (s->mode == VALUE || s->mode == KEY || s->mode == COLON || s->mode == AFTER)) {
        return ++s->ws > MAX_WS ? -1 : 0;
    }
    if (s->mode != STRING && s->mode != ESCAPE && s->mode != UNICODE) s->ws = 0;
    switch (s->mode) {
    case VALUE:
        if (s->depth == 0 && c != '{') return -1; /* the top level is an object */
        if (c == ']' && s->fresh && s->stack[s->depth - 1] == '[') return close_container(s, c);
        s->fresh = 0;
        if (c == '{' || c == '[') return open_container(s, c);
        if (c == '"') { s->mode = STRING; s->in_key = 0; return 0; }
        if (c == '-') { s->mode = NUMBER; s->sub = N_MINUS; return 0; }
        if (c == '0') { s->mode = NUMBER; s->sub = N_ZERO; return 0; }
        if (c >= '1' && c <= '9') { s->mode = NUMBER; s->sub = N_INT; return 0; }
        if (c == 't' || c == 'f' || c == 'n') { s->mode = LITERAL; s->lit = (uint8_t)c; s->sub = 1; return 0; }
        return -1;
    case KEY:
        if (c == '}' && s->fresh) return close_container(s, c);
        s->fresh = 0;
        if (c == '"') { s->mode = STRING; s->in_key = 1; return 0; }
        return -1;
    case COLON:
        if (c != ':') return -1;
        s->mode = VALUE;
        return 0;
    case AFTER:
        if (c == ',') { s->mode = s->stack[s->depth - 1] == '{' ? KEY : VALUE; return 0; }
        if (c == '}' || c == ']') return close_container(s, c);
        return -1;
    case STRING:
        if (c == '"') {
            if (s->in_key) { s->mode = COLON; return 0; }
            return end_value(s);
        }
        if (c == '\\') { s->mode = ESCAPE; return 0; }
        return (unsigned char)c < 0x20 ? -1 : 0;
    case ESCAPE:
        if (c == 'u') { s->mode = UNICODE; s->sub = 4; return 0; }
        if (!strchr("\"\\/bfnrt", c) || !c) return -1;
        s->mode = STRING;
        return 0;
    case UNICODE:
        if (!is_digit(c) && !((c | 0x20) >= 'a' && (c | 0x20) <= 'f')) return -1;
        if (--s->sub == 0) s->mode = STRING;
        return 0;
    case NUMBER:
        switch (s->sub) {
        case N_MINUS: if (c == '0') { s->sub = N_ZERO; return 0; } if (is_digit(c)) { s->sub = N_INT; return 0; } return -1;
        case N_ZERO: case N_INT:
            if (is_digit(c) && s->sub == N_INT) return 0;
            if (c == '.') { s->sub = N_DOT; return 0; }
            if (c == 'e' || c == 'E') { s->sub = N_E; return 0; }
            break;
        case N_DOT: if (is_digit(c)) { s->sub = N_FRAC; return 0; } return -1;
        case N_FRAC:
            if (is_digit(c)) return 0;
            if (c == 'e' || c == 'E') { s->sub = N_E; return 0; }
            break;
        case N_E: if (c == '+' || c == '-') { s->sub = N_ESIGN; return 0; } if (is_digit(c)) { s->sub = N_EXP; return 0; } return -1;
        case N_ESIGN: if (is_digit(c)) { s->sub = N_EXP; return 0; } return -1;
        case N_EXP: if (is_digit(c)) return 0; break;
        }
        if (!number_can_end(s->sub)) return -1;
        end_value(s); /* the number ended; c belongs to what follows */
        return s->mode == DONE ? -1 : step(s, c);
    case LITERAL: {
        const char *word = s->lit == 't' ? "true" : s->lit == 'f' ? "false" : "null";
        if (c != word[s->sub]) return -1;
        if (word[++s->sub] == 0) return end_value(s);
        return 0;
    }
    case DONE:
    default:
        return -1;
    }
}

int serve_json_feed(serve_json_state *s, const char *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (step(s, p[i])) return -1;
    return 0;
}
