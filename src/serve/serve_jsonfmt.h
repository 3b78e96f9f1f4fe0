/* serve_jsonfmt.h — "format": "json": output constrained to one JSON object.
 *
 * An incremental validator of JSON prefixes (a pushdown automaton over
 * bytes) decides, before each token is drawn, which tokens can continue the
 * text as valid JSON; the others are masked out. Generation ends when the
 * object closes. A JSON Schema given as "format" is accepted but only
 * JSON-ness is enforced, not the schema. */
#ifndef AW_SERVE_JSONFMT_H
#define AW_SERVE_JSONFMT_H

#include <stddef.h>
#include <stdint.h>

#define SERVE_JSON_MAX_DEPTH 64

typedef struct {
    uint8_t mode;       /* what is expected next (see serve_jsonfmt.c) */
    uint8_t sub;        /* number state, literal position, \u digits left */
    uint8_t lit;        /* which literal: t, f, n */
    uint8_t in_key;     /* the string being read is an object key */
    uint8_t fresh;      /* a container was just opened: it may close at once */
    uint8_t ws;         /* consecutive whitespace bytes, bounded */
    uint8_t depth;
    char stack[SERVE_JSON_MAX_DEPTH]; /* '{' or '[' per open container */
} serve_json_state;

void serve_json_init(serve_json_state *s);
/* Feeds bytes; returns 0 if the text so far is still a valid prefix of a
 * JSON object, -1 (state then undefined) if not. */
int serve_json_feed(serve_json_state *s, const char *p, size_t n);
/* True once the top-level object is complete. */
int serve_json_done(const serve_json_state *s);

#endif
