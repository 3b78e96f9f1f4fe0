/* toml.c — TOML 1.0 parser into a document tree (see toml.h).
 *
 * One pass over the bytes, recursive descent for values. The whole input is
 * checked to be UTF-8 first, so the rest only has to care about ASCII
 * structure and control characters. Tables remember how they came to be
 * (struct origin below), which is all that TOML's rules against defining a
 * table twice need.
 */
#include "app/toml.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deeper nesting is refused: it bounds the recursion of the parser and of
 * toml_free(). TOML recommends supporting at least some tens of levels. */
#define TOML_MAX_DEPTH 256

/* How a table came to be decides what may add to it later:
 * IMPLICIT  a parent created by a header ([a.b] creates a): a later [a] may
 *           define it once; dotted keys may extend it (then it is DOTTED).
 * HEADER    defined by [a] or an element of [[a]]: no header may define it
 *           again, no dotted key may enter it.
 * DOTTED    created by a dotted key (a.b = 1 creates a): no header may define
 *           it; only dotted keys of the same section may extend it. Headers
 *           may still create sub-tables in it ([a.c]).
 * INLINE    an inline table: frozen when closed, nothing may add to it. */
enum origin { ORIGIN_IMPLICIT, ORIGIN_HEADER, ORIGIN_DOTTED, ORIGIN_INLINE };

typedef struct toml_entry {
    char *key;
    size_t key_len;
    toml_pos pos;
    toml_value *value;
} toml_entry;

struct toml_value {
    toml_type type;
    toml_pos pos;
    unsigned char origin; /* tables: enum origin */
    bool frozen;          /* inline tables and static arrays are immutable */
    unsigned depth;       /* the root is 0 */
    unsigned section;     /* DOTTED tables: the section (header or inline table) that made them */
    union {
        struct { char *ptr; size_t len; } str;
        int64_t integer;
        double floating;
        bool boolean;
        toml_datetime dt;
        struct { toml_value **items; size_t len, cap; } arr;
        struct { toml_entry *entries; size_t len, cap; uint32_t *index; size_t index_cap; } tab;
    } u;
};

typedef struct key_part {
    char *s; /* NUL-terminated, may contain NUL */
    size_t len;
    size_t off;
    toml_pos pos;
} key_part;

typedef struct key_path {
    key_part *parts;
    size_t n, cap;
} key_path;

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

typedef struct parser {
    const char *src;
    size_t len, pos, start; /* start: after a BOM */
    const char *file;
    toml_error *err;
    bool failed;
    /* Line and column of offset scan_off; positions are asked for mostly in
     * increasing order, so they are found by scanning on from the last. */
    size_t scan_off;
    int scan_line, scan_col;
    unsigned sections; /* headers and inline tables opened so far */
    toml_value *root, *current;
    unsigned current_section;
} parser;

/* ---- positions and errors ---- */

static toml_pos pos_at(parser *p, size_t off)
{
    if (off < p->scan_off) {
        p->scan_off = p->start;
        p->scan_line = 1;
        p->scan_col = 1;
    }
    for (; p->scan_off < off; p->scan_off++) {
        unsigned char c = (unsigned char)p->src[p->scan_off];
        if (c == '\n') {
            p->scan_line++;
            p->scan_col = 1;
        } else if ((c & 0xC0) != 0x80) {
            p->scan_col++;
        }
    }
    return (toml_pos){p->scan_line, p->scan_col};
}

__attribute__((format(printf, 3, 4)))
static bool fail(parser *p, size_t off, const char *fmt, ...)
{
    if (p->failed)
        return false;
    p->failed = true;
    toml_pos pos = pos_at(p, off);
    if (p->err) {
        p->err->pos = pos;
        int n = snprintf(p->err->message, sizeof p->err->message, "%s: line %d, column %d: ",
                         p->file, pos.line, pos.column);
        if (n < 0 || (size_t)n >= sizeof p->err->message)
            n = 0;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->err->message + n, sizeof p->err->message - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return false;
}

static int peek_at(const parser *p, size_t off)
{
    return off < p->len ? (unsigned char)p->src[off] : -1;
}

static int peek(const parser *p)
{
    return peek_at(p, p->pos);
}

/* Names the character at OFF for a message: 'x', end of line, U+0007... */
static const char *describe(const parser *p, size_t off, char *out, size_t size)
{
    int c = peek_at(p, off);
    if (c < 0)
        return "end of file";
    if (c == '\n' || (c == '\r' && peek_at(p, off + 1) == '\n'))
        return "end of line";
    if (c == '\r')
        return "a carriage return (U+000D) without a line feed";
    if (c >= 0x20 && c < 0x7F) {
        snprintf(out, size, "'%c'", c);
    } else if (c < 0x80) {
        snprintf(out, size, "control character U+%04X", (unsigned)c);
    } else {
        size_t n = 1; /* the input is valid UTF-8 by now */
        uint32_t cp = (uint32_t)c & (c >= 0xF0 ? 0x07 : c >= 0xE0 ? 0x0F : 0x1F);
        while (n < 4 && (peek_at(p, off + n) & 0xC0) == 0x80)
            cp = cp << 6 | (peek_at(p, off + n++) & 0x3F);
        snprintf(out, size, "'%.*s' (U+%04X)", (int)n, p->src + off, (unsigned)cp);
    }
    return out;
}

#define DESCRIBE(p, off) describe((p), (off), (char[40]){0}, 40)

static bool is_bare(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

/* Writes the dotted key made of the first N parts of K for a message:
 * bare parts as they are, others quoted; cut short with "...". */
static const char *key_text(const key_path *k, size_t n, char *out, size_t size)
{
    size_t o = 0;
    const size_t room = size - 5; /* space for "...\"" and NUL */
    for (size_t i = 0; i < n && o < room; i++) {
        const key_part *kp = &k->parts[i];
        bool bare = kp->len > 0;
        for (size_t j = 0; j < kp->len; j++)
            bare = bare && is_bare((unsigned char)kp->s[j]);
        if (i > 0)
            out[o++] = '.';
        if (!bare && o < room)
            out[o++] = '"';
        for (size_t j = 0; j < kp->len && o < room; j++) {
            unsigned char c = (unsigned char)kp->s[j];
            if (c < 0x20 || c == 0x7F || c == '"' || c == '\\') {
                if (o + 6 >= room)
                    o = room;
                else
                    o += (size_t)snprintf(out + o, 7, c == '"' || c == '\\' ? "\\%c" : "\\u%04X", c);
            } else {
                out[o++] = (char)c;
            }
        }
        if (!bare && o < room)
            out[o++] = '"';
    }
    if (o >= room) {
        memcpy(out + room, "...", 3);
        o = room + 3;
    }
    out[o] = 0;
    return out;
}

#define KEY_TEXT(k, n) key_text((k), (n), (char[128]){0}, 128)

/* ---- memory ---- */

static void *alloc(parser *p, size_t size)
{
    void *m = calloc(1, size);
    if (!m)
        fail(p, p->pos, "out of memory");
    return m;
}

/* Makes room for one more element in a growing array of ELEM-byte items. */
static bool grow(parser *p, void **items, size_t *cap, size_t len, size_t elem)
{
    if (len < *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 4;
    void *n = realloc(*items, ncap * elem);
    if (!n)
        return fail(p, p->pos, "out of memory");
    *items = n;
    *cap = ncap;
    return true;
}

static bool buf_put(parser *p, buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 32;
        while (b->len + n + 1 > ncap)
            ncap *= 2;
        char *np = realloc(b->p, ncap);
        if (!np)
            return fail(p, p->pos, "out of memory");
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
    return true;
}

static bool buf_putc(parser *p, buf *b, char c)
{
    return buf_put(p, b, &c, 1);
}

static void free_value(toml_value *v)
{
    if (!v)
        return;
    if (v->type == TOML_STRING) {
        free(v->u.str.ptr);
    } else if (v->type == TOML_ARRAY) {
        for (size_t i = 0; i < v->u.arr.len; i++)
            free_value(v->u.arr.items[i]);
        free(v->u.arr.items);
    } else if (v->type == TOML_TABLE) {
        for (size_t i = 0; i < v->u.tab.len; i++) {
            free(v->u.tab.entries[i].key);
            free_value(v->u.tab.entries[i].value);
        }
        free(v->u.tab.entries);
        free(v->u.tab.index);
    }
    free(v);
}

static void key_path_free(key_path *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->parts[i].s);
    free(k->parts);
    *k = (key_path){0};
}

static toml_value *new_value(parser *p, toml_type type, toml_pos pos)
{
    toml_value *v = alloc(p, sizeof *v);
    if (v) {
        v->type = type;
        v->pos = pos;
    }
    return v;
}

static toml_value *new_container(parser *p, toml_type type, toml_pos pos, unsigned depth, size_t off)
{
    if (depth > TOML_MAX_DEPTH) {
        fail(p, off, "tables and arrays nest deeper than %d levels", TOML_MAX_DEPTH);
        return NULL;
    }
    toml_value *v = new_value(p, type, pos);
    if (v)
        v->depth = depth;
    return v;
}

/* ---- tables ---- */

/* Tables of more than INDEX_MIN keys get a hash index (open addressing,
 * slot = entry index + 1), so that big documents stay linear. */
#define INDEX_MIN 8

static uint32_t hash_key(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static bool key_eq(const toml_entry *e, const char *key, size_t len)
{
    return e->key_len == len && memcmp(e->key, key, len) == 0;
}

static toml_entry *table_find(const toml_value *t, const char *key, size_t len)
{
    toml_entry *entries = t->u.tab.entries;
    if (t->u.tab.index) {
        size_t mask = t->u.tab.index_cap - 1;
        for (size_t h = hash_key(key, len) & mask;; h = (h + 1) & mask) {
            uint32_t slot = t->u.tab.index[h];
            if (!slot)
                return NULL;
            if (key_eq(&entries[slot - 1], key, len))
                return &entries[slot - 1];
        }
    }
    for (size_t i = 0; i < t->u.tab.len; i++)
        if (key_eq(&entries[i], key, len))
            return &entries[i];
    return NULL;
}

static void index_put(toml_value *t, size_t i)
{
    const toml_entry *e = &t->u.tab.entries[i];
    size_t mask = t->u.tab.index_cap - 1;
    size_t h = hash_key(e->key, e->key_len) & mask;
    while (t->u.tab.index[h])
        h = (h + 1) & mask;
    t->u.tab.index[h] = (uint32_t)(i + 1);
}

/* Adds KEY = V to table T; false leaves V to the caller. */
static bool table_add(parser *p, toml_value *t, const key_part *key, toml_value *v)
{
    if (t->u.tab.len >= UINT32_MAX - 1)
        return fail(p, key->off, "too many keys in one table");
    if (!grow(p, (void **)&t->u.tab.entries, &t->u.tab.cap, t->u.tab.len, sizeof(toml_entry)))
        return false;
    char *copy = malloc(key->len + 1);
    if (!copy)
        return fail(p, key->off, "out of memory");
    memcpy(copy, key->s, key->len + 1);
    size_t len = t->u.tab.len + 1;
    if (len > INDEX_MIN && len * 2 > t->u.tab.index_cap) {
        size_t cap = 64;
        while (cap < len * 4)
            cap *= 2;
        uint32_t *index = calloc(cap, sizeof *index);
        if (!index)
            return free(copy), fail(p, p->pos, "out of memory");
        free(t->u.tab.index);
        t->u.tab.index = index;
        t->u.tab.index_cap = cap;
        for (size_t i = 0; i < t->u.tab.len; i++)
            index_put(t, i);
    }
    t->u.tab.entries[t->u.tab.len] = (toml_entry){copy, key->len, key->pos, v};
    if (t->u.tab.index)
        index_put(t, t->u.tab.len);
    t->u.tab.len = len;
    return true;
}

static bool array_push(parser *p, toml_value *a, toml_value *v)
{
    if (!grow(p, (void **)&a->u.arr.items, &a->u.arr.cap, a->u.arr.len, sizeof(toml_value *)))
        return false;
    a->u.arr.items[a->u.arr.len++] = v;
    return true;
}

/* What a value is, for messages: "a string", "an inline table"... */
static const char *what(const toml_value *v)
{
    if (v->type == TOML_TABLE)
        return v->origin == ORIGIN_INLINE ? "an inline table"
               : v->origin == ORIGIN_DOTTED ? "a table made by dotted keys"
                                            : "a table";
    if (v->type == TOML_ARRAY)
        return v->frozen ? "an array" : "an array of tables";
    if (v->type == TOML_INTEGER)
        return "an integer";
    if (v->type == TOML_DATETIME)
        return "an offset date-time";
    static const char *const names[] = {
        [TOML_STRING] = "a string", [TOML_FLOAT] = "a float", [TOML_BOOL] = "a boolean",
        [TOML_DATETIME_LOCAL] = "a local date-time", [TOML_DATE_LOCAL] = "a local date",
        [TOML_TIME_LOCAL] = "a local time",
    };
    return names[v->type];
}

/* ---- lexing ---- */

static bool is_control(int c)
{
    return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7F;
}

static bool at_newline(const parser *p)
{
    int c = peek(p);
    return c == '\n' || (c == '\r' && peek_at(p, p->pos + 1) == '\n');
}

static void skip_newline(parser *p)
{
    p->pos += peek(p) == '\r' ? 2 : 1;
}

static void skip_ws(parser *p)
{
    while (peek(p) == ' ' || peek(p) == '\t')
        p->pos++;
}

static bool skip_comment(parser *p)
{
    if (peek(p) != '#')
        return true;
    for (p->pos++; p->pos < p->len && !at_newline(p); p->pos++)
        if (is_control(peek(p)))
            return fail(p, p->pos, "%s is not allowed in a comment", DESCRIBE(p, p->pos));
    return true;
}

/* Whitespace, comments and newlines (between array elements). */
static bool skip_blank(parser *p)
{
    for (;;) {
        skip_ws(p);
        if (!skip_comment(p))
            return false;
        if (!at_newline(p))
            return true;
        skip_newline(p);
    }
}

/* The rest of a line after a key/value pair or a header: whitespace, maybe a
 * comment, then a newline or the end of the input. */
static bool end_line(parser *p, const char *after)
{
    skip_ws(p);
    if (!skip_comment(p))
        return false;
    if (p->pos >= p->len)
        return true;
    if (at_newline(p)) {
        skip_newline(p);
        return true;
    }
    return fail(p, p->pos, "expected end of line%s%s, found %s", after ? " after " : "", after ? after : "",
                DESCRIBE(p, p->pos));
}

static bool check_utf8(parser *p)
{
    const unsigned char *s = (const unsigned char *)p->src;
    for (size_t i = p->start; i < p->len;) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp, min;
        if ((c & 0xE0) == 0xC0) {
            n = 2, cp = c & 0x1F, min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            n = 3, cp = c & 0x0F, min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            n = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return fail(p, i, "invalid UTF-8: unexpected byte 0x%02X", c);
        }
        for (size_t k = 1; k < n; k++) {
            if (i + k >= p->len || (s[i + k] & 0xC0) != 0x80)
                return fail(p, i, "invalid UTF-8: incomplete %zu-byte sequence", n);
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if (cp < min)
            return fail(p, i, "invalid UTF-8: overlong encoding of U+%04X", (unsigned)cp);
        if (cp >= 0xD800 && cp <= 0xDFFF)
            return fail(p, i, "invalid UTF-8: encoded surrogate U+%04X", (unsigned)cp);
        if (cp > 0x10FFFF)
            return fail(p, i, "invalid UTF-8: code point beyond U+10FFFF");
        i += n;
    }
    return true;
}

/* ---- strings ---- */

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool put_utf8(parser *p, buf *b, uint32_t cp)
{
    char s[4];
    size_t n;
    if (cp < 0x80) {
        s[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        s[0] = (char)(0xC0 | cp >> 6), s[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    } else if (cp < 0x10000) {
        s[0] = (char)(0xE0 | cp >> 12), s[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        s[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    } else {
        s[0] = (char)(0xF0 | cp >> 18), s[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        s[2] = (char)(0x80 | (cp >> 6 & 0x3F)), s[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    }
    return buf_put(p, b, s, n);
}

/* An escape sequence in a basic string, at the backslash. */
static bool parse_escape(parser *p, buf *b)
{
    size_t at = p->pos;
    int c = peek_at(p, at + 1);
    p->pos += 2;
    switch (c) {
    case 'b': return buf_putc(p, b, '\b');
    case 't': return buf_putc(p, b, '\t');
    case 'n': return buf_putc(p, b, '\n');
    case 'f': return buf_putc(p, b, '\f');
    case 'r': return buf_putc(p, b, '\r');
    case '"': return buf_putc(p, b, '"');
    case '\\': return buf_putc(p, b, '\\');
    case 'u':
    case 'U': {
        int digits = c == 'u' ? 4 : 8;
        uint32_t cp = 0;
        for (int i = 0; i < digits; i++, p->pos++) {
            int h = hex_value(peek(p));
            if (h < 0)
                return fail(p, p->pos, "expected %d hexadecimal digits after '\\%c', found %s", digits, c,
                            DESCRIBE(p, p->pos));
            cp = cp << 4 | (uint32_t)h;
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return fail(p, at, "escape '\\%c%.*s' is not a Unicode scalar value", c, digits, p->src + at + 2);
        return put_utf8(p, b, cp);
    }
    default:
        if (c < 0)
            return fail(p, at, "backslash at the end of the file");
        return fail(p, at, "invalid escape sequence: backslash followed by %s "
                           "(valid: \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX)",
                    DESCRIBE(p, at + 1));
    }
}

/* In a multi-line basic string, at a backslash: if only whitespace follows
 * it on its line, skips the line end and all whitespace and newlines after
 * it and returns 1; 0 if this is an ordinary escape; -1 on an error. */
static int line_ending_backslash(parser *p)
{
    size_t q = p->pos + 1;
    while (peek_at(p, q) == ' ' || peek_at(p, q) == '\t')
        q++;
    int d = peek_at(p, q);
    bool newline = d == '\n' || (d == '\r' && peek_at(p, q + 1) == '\n');
    if (!newline) {
        if (q > p->pos + 1)
            return fail(p, p->pos, "a backslash followed by whitespace must end the line"), -1;
        return 0;
    }
    p->pos = q;
    while (peek(p) == ' ' || peek(p) == '\t' || at_newline(p))
        p->pos += peek(p) == '\r' ? 2 : 1;
    return 1;
}

/* Any of the four string forms, at its opening quote. Newlines inside
 * multi-line strings are returned as LF. */
static bool parse_string(parser *p, buf *b)
{
    const int q = peek(p);
    const bool literal = q == '\'';
    const bool multi = peek_at(p, p->pos + 1) == q && peek_at(p, p->pos + 2) == q;
    const char *name = multi ? (literal ? "\"'''\"" : "'\"\"\"'") : (literal ? "\"'\"" : "'\"'");
    if (!buf_put(p, b, "", 0)) /* an empty string is not NULL */
        return false;
    p->pos += multi ? 3 : 1;
    if (multi && at_newline(p))
        skip_newline(p); /* a newline right after the opening quotes is not part of the string */
    for (;;) {
        int c = peek(p);
        if (c == q) {
            if (!multi) {
                p->pos++;
                return true;
            }
            size_t run = 0;
            while (peek_at(p, p->pos + run) == q)
                run++;
            if (run >= 3) {
                if (run > 5)
                    return fail(p, p->pos + 5, "too many quotes: at most two may come right before the closing %s",
                                name);
                p->pos += run;
                return buf_put(p, b, p->src + p->pos - run, run - 3);
            }
            if (!buf_put(p, b, p->src + p->pos, run))
                return false;
            p->pos += run;
        } else if (c == '\\' && !literal) {
            int r = multi ? line_ending_backslash(p) : 0;
            if (r < 0 || (r == 0 && !parse_escape(p, b)))
                return false;
        } else if (multi && at_newline(p)) {
            skip_newline(p);
            if (!buf_putc(p, b, '\n'))
                return false;
        } else if (c < 0 || at_newline(p)) {
            return fail(p, p->pos, "expected %s to close the string, found %s%s", name, DESCRIBE(p, p->pos),
                        c < 0 || multi ? "" : " (only multi-line strings may span lines)");
        } else if (is_control(c)) {
            return fail(p, p->pos, "%s is not allowed in a string%s", DESCRIBE(p, p->pos),
                        literal ? "" : "; write it as an escape such as \\u0001");
        } else {
            size_t n = 1; /* copy a run of ordinary bytes at once */
            while (p->pos + n < p->len) {
                int d = (unsigned char)p->src[p->pos + n];
                if (d == q || d == '\\' || is_control(d))
                    break;
                n++;
            }
            if (!buf_put(p, b, p->src + p->pos, n))
                return false;
            p->pos += n;
        }
    }
}

/* ---- keys ---- */

/* A key: one or more parts (bare, "basic" or 'literal') joined by dots. */
static bool parse_key(parser *p, key_path *k)
{
    for (;;) {
        skip_ws(p);
        size_t off = p->pos;
        int c = peek(p);
        buf b = {0};
        if (c == '"' || c == '\'') {
            if (peek_at(p, off + 1) == c && peek_at(p, off + 2) == c)
                return fail(p, off, "a multi-line string cannot be a key");
            if (!parse_string(p, &b)) {
                free(b.p);
                return false;
            }
        } else if (is_bare(c)) {
            while (is_bare(peek(p)))
                p->pos++;
            if (!buf_put(p, &b, p->src + off, p->pos - off))
                return free(b.p), false;
        } else if (k->n > 0) {
            return fail(p, off, "expected a key after '.', found %s", DESCRIBE(p, off));
        } else {
            return fail(p, off, "expected a key, found %s", DESCRIBE(p, off));
        }
        if (!grow(p, (void **)&k->parts, &k->cap, k->n, sizeof(key_part)))
            return free(b.p), false;
        k->parts[k->n++] = (key_part){b.p, b.len, off, pos_at(p, off)};
        skip_ws(p);
        if (peek(p) != '.')
            return true;
        p->pos++;
    }
}

/* ---- scalars ---- */

/* The value of digit C in BASE, or -1. */
static int digit_value(int c, int base)
{
    int v = hex_value(c);
    return v >= 0 && v < base ? v : -1;
}

/* Scans digits of BASE from *I, each '_' between two digits. Returns the
 * number of digits, or -1 for a misplaced '_'. */
static long scan_digits(const char *s, size_t n, size_t *i, int base)
{
    long count = 0;
    while (*i < n) {
        if (digit_value(s[*i], base) >= 0) {
            count++;
        } else if (s[*i] == '_') {
            if (count == 0 || *i + 1 >= n || digit_value(s[*i + 1], base) < 0)
                return -1;
        } else {
            break;
        }
        (*i)++;
    }
    return count;
}

/* An integer or float spelled by the token S[0..N) at OFF. */
static toml_value *parse_number(parser *p, size_t off, const char *s, size_t n, toml_pos pos)
{
    const int tn = n > 60 ? 60 : (int)n; /* how much of the token messages show */
    size_t i = 0;
    bool neg = false;
    if (s[0] == '+' || s[0] == '-')
        neg = s[0] == '-', i = 1;
    if (n - i == 3 && (memcmp(s + i, "inf", 3) == 0 || memcmp(s + i, "nan", 3) == 0)) {
        toml_value *v = new_value(p, TOML_FLOAT, pos);
        if (v)
            v->u.floating = s[i] == 'i' ? (neg ? -INFINITY : INFINITY) : (neg ? -NAN : NAN);
        return v;
    }
    int base = 10;
    if (i == 0 && n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b'))
        base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2, i = 2;
    size_t int_start = i;
    long int_digits = scan_digits(s, n, &i, base);
    bool is_float = false;
    if (int_digits < 0) {
        fail(p, off, "invalid number '%.*s': '_' must stand between two digits", tn, s);
        return NULL;
    }
    if (int_digits == 0) {
        if (base != 10)
            fail(p, off, "invalid number '%.*s': expected digits after '0%c'", tn, s, s[1]);
        else
            fail(p, off, "invalid value '%.*s': expected a string, number, boolean, date, time, "
                         "array or inline table", tn, s);
        return NULL;
    }
    if (base == 10 && s[int_start] == '0' && int_digits > 1) {
        fail(p, off, "invalid number '%.*s': leading zeros are not allowed", tn, s);
        return NULL;
    }
    if (base == 10 && i < n && s[i] == '.') {
        i++;
        is_float = true;
        if (scan_digits(s, n, &i, 10) <= 0) {
            fail(p, off, "invalid float '%.*s': expected digits after '.'", tn, s);
            return NULL;
        }
    }
    if (base == 10 && i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        is_float = true;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (scan_digits(s, n, &i, 10) <= 0) {
            fail(p, off, "invalid float '%.*s': expected digits in the exponent", tn, s);
            return NULL;
        }
    }
    if (i != n) {
        fail(p, off, "invalid number '%.*s'", tn, s);
        return NULL;
    }
    if (is_float) {
        char *clean = malloc(n + 1), *c = clean;
        if (!clean) {
            fail(p, off, "out of memory");
            return NULL;
        }
        for (size_t j = 0; j < n; j++)
            if (s[j] != '_')
                *c++ = s[j];
        *c = 0;
        toml_value *v = new_value(p, TOML_FLOAT, pos);
        if (v)
            v->u.floating = strtod(clean, NULL);
        free(clean);
        return v;
    }
    /* The magnitude may reach 2^63 only when negative. */
    const uint64_t limit = neg ? (uint64_t)1 << 63 : ((uint64_t)1 << 63) - 1;
    uint64_t m = 0;
    for (size_t j = int_start; j < n; j++) {
        if (s[j] == '_')
            continue;
        uint64_t d = (uint64_t)digit_value(s[j], base);
        if (m > (limit - d) / (uint64_t)base) {
            fail(p, off, "integer '%.*s' does not fit in 64 bits (%s9223372036854775808..9223372036854775807)",
                 tn, s, "-");
            return NULL;
        }
        m = m * (uint64_t)base + d;
    }
    toml_value *v = new_value(p, TOML_INTEGER, pos);
    if (v)
        v->u.integer = !neg ? (int64_t)m : m == (uint64_t)1 << 63 ? INT64_MIN : -(int64_t)m;
    return v;
}

/* N decimal digits at OFF, or -1. */
static int fixed_digits(const parser *p, size_t off, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        int c = peek_at(p, off + (size_t)i);
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    return v;
}

static int days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    return month == 2 && leap ? 29 : days[month - 1];
}

/* A date, time or date-time (RFC 3339 as TOML restricts it) at p->pos. */
static toml_value *parse_datetime(parser *p, toml_pos pos)
{
    toml_datetime dt = {0};
    size_t at = p->pos, i = at;
    bool has_date = false;
    if (fixed_digits(p, i, 4) >= 0 && peek_at(p, i + 4) == '-') {
        dt.year = fixed_digits(p, i, 4);
        dt.month = fixed_digits(p, i + 5, 2);
        dt.day = peek_at(p, i + 7) == '-' ? fixed_digits(p, i + 8, 2) : -1;
        if (dt.month < 0 || dt.day < 0 || fixed_digits(p, i + 10, 1) >= 0) {
            fail(p, at, "invalid date: expected YYYY-MM-DD");
            return NULL;
        }
        if (dt.month < 1 || dt.month > 12 || dt.day < 1 || dt.day > days_in_month(dt.year, dt.month)) {
            fail(p, at, "invalid date %.10s: no such %s", p->src + at, dt.month < 1 || dt.month > 12 ? "month" : "day");
            return NULL;
        }
        has_date = true;
        i += 10;
        int c = peek_at(p, i);
        bool time_follows = c == 'T' || c == 't' || (c == ' ' && fixed_digits(p, i + 1, 1) >= 0);
        if (!time_follows) {
            p->pos = i;
            toml_value *v = new_value(p, TOML_DATE_LOCAL, pos);
            if (v)
                v->u.dt = dt;
            return v;
        }
        i++;
    }
    size_t time_at = i;
    dt.hour = fixed_digits(p, i, 2);
    dt.minute = peek_at(p, i + 2) == ':' ? fixed_digits(p, i + 3, 2) : -1;
    dt.second = peek_at(p, i + 5) == ':' ? fixed_digits(p, i + 6, 2) : -1;
    if (dt.hour < 0 || dt.minute < 0 || dt.second < 0) {
        fail(p, time_at, "invalid time: expected HH:MM:SS");
        return NULL;
    }
    if (dt.hour > 23 || dt.minute > 59 || dt.second > 60) {
        fail(p, time_at, "invalid time %.8s: hours go to 23, minutes to 59, seconds to 60", p->src + time_at);
        return NULL;
    }
    i += 8;
    if (peek_at(p, i) == '.') {
        i++;
        if (fixed_digits(p, i, 1) < 0) {
            fail(p, i, "invalid time: expected digits after '.'");
            return NULL;
        }
        for (int n = 0; fixed_digits(p, i, 1) >= 0; i++, n++)
            if (n < 9)
                dt.nanosecond = dt.nanosecond * 10 + (p->src[i] - '0');
        for (size_t n = i - time_at - 9; n < 9; n++) /* scale to nanoseconds */
            dt.nanosecond *= 10;
    }
    toml_type type = has_date ? TOML_DATETIME_LOCAL : TOML_TIME_LOCAL;
    int c = peek_at(p, i);
    if (has_date && (c == 'Z' || c == 'z')) {
        type = TOML_DATETIME;
        i++;
    } else if (has_date && (c == '+' || c == '-')) {
        int oh = fixed_digits(p, i + 1, 2);
        int om = peek_at(p, i + 3) == ':' ? fixed_digits(p, i + 4, 2) : -1;
        if (oh < 0 || om < 0 || oh > 23 || om > 59) {
            fail(p, i, "invalid time offset: expected Z or +HH:MM / -HH:MM");
            return NULL;
        }
        type = TOML_DATETIME;
        dt.offset_minutes = (c == '-' ? -1 : 1) * (oh * 60 + om);
        i += 6;
    }
    p->pos = i;
    toml_value *v = new_value(p, type, pos);
    if (v)
        v->u.dt = dt;
    return v;
}

/* Characters of a bare value token (numbers, booleans, dates). */
static bool is_token_char(int c)
{
    return is_bare(c) || c == '+' || c == '.' || c == ':';
}

/* ---- values ---- */

static toml_value *parse_value(parser *p, unsigned depth);
static bool parse_keyval(parser *p, toml_value *t, unsigned section, char *name, size_t name_size);

static toml_value *parse_array(parser *p, unsigned depth)
{
    size_t open = p->pos;
    toml_value *a = new_container(p, TOML_ARRAY, pos_at(p, open), depth, open);
    if (!a)
        return NULL;
    a->frozen = true; /* a static array: [[headers]] may not add to it */
    p->pos++;
    for (;;) {
        if (!skip_blank(p))
            break;
        if (peek(p) == ']') {
            p->pos++;
            return a;
        }
        toml_value *v = parse_value(p, depth + 1);
        if (!v)
            break;
        if (!array_push(p, a, v)) {
            free_value(v);
            break;
        }
        if (!skip_blank(p))
            break;
        if (peek(p) == ',') {
            p->pos++;
        } else if (peek(p) == ']') {
            p->pos++;
            return a;
        } else {
            fail(p, p->pos, "expected ',' or ']' in the array opened at line %d, column %d, found %s",
                 a->pos.line, a->pos.column, DESCRIBE(p, p->pos));
            break;
        }
    }
    free_value(a);
    return NULL;
}

static toml_value *parse_inline_table(parser *p, unsigned depth)
{
    size_t open = p->pos;
    toml_value *t = new_container(p, TOML_TABLE, pos_at(p, open), depth, open);
    if (!t)
        return NULL;
    t->origin = ORIGIN_INLINE;
    unsigned section = ++p->sections; /* so that its dotted keys may extend each other */
    p->pos++;
    skip_ws(p);
    if (peek(p) == '}') {
        p->pos++;
        t->frozen = true;
        return t;
    }
    char name[128];
    for (;;) {
        if (!parse_keyval(p, t, section, name, sizeof name))
            break;
        skip_ws(p);
        if (peek(p) == '}') {
            p->pos++;
            t->frozen = true;
            return t;
        }
        if (peek(p) != ',') {
            fail(p, p->pos, "expected ',' or '}' after the value of '%s' in the inline table, found %s%s", name,
                 DESCRIBE(p, p->pos), at_newline(p) ? " (an inline table must be on one line)" : "");
            break;
        }
        p->pos++;
        skip_ws(p);
        if (peek(p) == '}') {
            fail(p, p->pos, "expected a key after ',' in the inline table, found '}' "
                            "(no trailing comma in inline tables)");
            break;
        }
    }
    free_value(t);
    return NULL;
}

/* A value at p->pos that will sit at DEPTH in the tree. */
static toml_value *parse_value(parser *p, unsigned depth)
{
    size_t off = p->pos;
    int c = peek(p);
    if (c == '"' || c == '\'') {
        toml_pos pos = pos_at(p, off);
        buf b = {0};
        if (!parse_string(p, &b)) {
            free(b.p);
            return NULL;
        }
        toml_value *v = new_value(p, TOML_STRING, pos);
        if (!v) {
            free(b.p);
            return NULL;
        }
        v->u.str.ptr = b.p;
        v->u.str.len = b.len;
        return v;
    }
    if (c == '[')
        return parse_array(p, depth);
    if (c == '{')
        return parse_inline_table(p, depth);
    size_t end = off;
    while (is_token_char(peek_at(p, end)))
        end++;
    if (end == off) {
        fail(p, off, "expected a value, found %s", DESCRIBE(p, off));
        return NULL;
    }
    const char *s = p->src + off;
    size_t n = end - off;
    toml_pos pos = pos_at(p, off);
    toml_value *v;
    if ((n == 4 && memcmp(s, "true", 4) == 0) || (n == 5 && memcmp(s, "false", 5) == 0)) {
        v = new_value(p, TOML_BOOL, pos);
        if (v)
            v->u.boolean = n == 4;
        p->pos = end;
    } else if ((fixed_digits(p, off, 4) >= 0 && peek_at(p, off + 4) == '-') ||
               (fixed_digits(p, off, 2) >= 0 && peek_at(p, off + 2) == ':')) {
        v = parse_datetime(p, pos);
    } else {
        v = parse_number(p, off, s, n, pos);
        p->pos = end;
    }
    if (!v)
        return NULL;
    c = peek(p);
    if (!(c < 0 || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '#' || c == ',' || c == ']' ||
          c == '}')) {
        fail(p, p->pos, "unexpected %s after the value '%.*s'", DESCRIBE(p, p->pos),
             (int)(p->pos - off > 60 ? 60 : p->pos - off), s);
        free_value(v);
        return NULL;
    }
    return v;
}

/* ---- tables: headers and key/value pairs ---- */

/* Puts V at the dotted key K under table T, creating the tables between.
 * On failure V is left to the caller. */
static bool insert_keyval(parser *p, toml_value *t, key_path *k, toml_value *v, unsigned section)
{
    for (size_t i = 0; i + 1 < k->n; i++) {
        key_part *kp = &k->parts[i];
        toml_entry *e = table_find(t, kp->s, kp->len);
        if (!e) {
            toml_value *child = new_container(p, TOML_TABLE, kp->pos, t->depth + 1, kp->off);
            if (!child)
                return false;
            child->origin = ORIGIN_DOTTED;
            child->section = section;
            if (!table_add(p, t, kp, child)) {
                free_value(child);
                return false;
            }
            t = child;
            continue;
        }
        toml_value *u = e->value;
        if (u->type != TOML_TABLE)
            return fail(p, kp->off, "cannot use dotted key '%s': '%s' is already %s (line %d, column %d)",
                        KEY_TEXT(k, k->n), KEY_TEXT(k, i + 1), what(u), u->pos.line, u->pos.column);
        if (u->frozen)
            return fail(p, kp->off, "cannot add '%s' to the inline table '%s' (line %d, column %d): "
                        "inline tables are complete where they are written",
                        KEY_TEXT(k, k->n), KEY_TEXT(k, i + 1), u->pos.line, u->pos.column);
        if (u->origin == ORIGIN_IMPLICIT) {
            u->origin = ORIGIN_DOTTED;
            u->section = section;
        } else if (u->origin != ORIGIN_DOTTED || u->section != section) {
            return fail(p, kp->off, "cannot add '%s' with a dotted key: table '%s' was defined at line %d, "
                        "column %d%s", KEY_TEXT(k, k->n), KEY_TEXT(k, i + 1), u->pos.line, u->pos.column,
                        u->origin == ORIGIN_HEADER ? " by a header" : " in another table section");
        }
        t = u;
    }
    key_part *last = &k->parts[k->n - 1];
    toml_entry *e = table_find(t, last->s, last->len);
    if (e)
        return fail(p, last->off, "duplicate key '%s' (first defined at line %d, column %d)", KEY_TEXT(k, k->n),
                    e->pos.line, e->pos.column);
    return table_add(p, t, last, v);
}

/* key = value, into table T; NAME receives the key for the caller's messages. */
static bool parse_keyval(parser *p, toml_value *t, unsigned section, char *name, size_t name_size)
{
    key_path k = {0};
    bool ok = false;
    if (!parse_key(p, &k))
        goto out;
    key_text(&k, k.n, name, name_size);
    if (peek(p) != '=') {
        fail(p, p->pos, "expected '=' after key '%s', found %s", name, DESCRIBE(p, p->pos));
        goto out;
    }
    p->pos++;
    skip_ws(p);
    toml_value *v = parse_value(p, t->depth + (unsigned)(k.n > TOML_MAX_DEPTH ? TOML_MAX_DEPTH : k.n));
    if (!v)
        goto out;
    ok = insert_keyval(p, t, &k, v, section);
    if (!ok)
        free_value(v);
out:
    key_path_free(&k);
    return ok;
}

/* The table that header [K] or [[K]] (at POS, offset OPEN) opens. */
static toml_value *open_table(parser *p, key_path *k, bool array, toml_pos pos, size_t open)
{
    toml_value *t = p->root;
    for (size_t i = 0; i + 1 < k->n; i++) {
        key_part *kp = &k->parts[i];
        toml_entry *e = table_find(t, kp->s, kp->len);
        if (!e) {
            toml_value *child = new_container(p, TOML_TABLE, pos, t->depth + 1, kp->off);
            if (!child)
                return NULL;
            if (!table_add(p, t, kp, child)) {
                free_value(child);
                return NULL;
            }
            t = child;
            continue;
        }
        toml_value *u = e->value;
        if (u->type == TOML_ARRAY && !u->frozen) {
            t = u->u.arr.items[u->u.arr.len - 1]; /* the latest [[table]] */
        } else if (u->type == TOML_TABLE && !u->frozen) {
            t = u;
        } else {
            fail(p, kp->off, "cannot open table '%s': '%s' is already %s (line %d, column %d)%s",
                 KEY_TEXT(k, k->n), KEY_TEXT(k, i + 1), what(u), u->pos.line, u->pos.column,
                 u->frozen ? ", which cannot be extended" : "");
            return NULL;
        }
    }
    key_part *last = &k->parts[k->n - 1];
    toml_entry *e = table_find(t, last->s, last->len);
    toml_value *u = e ? e->value : NULL;
    if (!array) {
        if (u && u->type == TOML_TABLE && u->origin == ORIGIN_IMPLICIT) {
            u->origin = ORIGIN_HEADER; /* defined now; it was only a parent before */
            u->pos = pos;
            return u;
        }
        if (u) {
            fail(p, open, "table [%s] is defined twice: '%s' is already %s (line %d, column %d)",
                 KEY_TEXT(k, k->n), KEY_TEXT(k, k->n), what(u), u->pos.line, u->pos.column);
            return NULL;
        }
        toml_value *child = new_container(p, TOML_TABLE, pos, t->depth + 1, open);
        if (!child)
            return NULL;
        child->origin = ORIGIN_HEADER;
        if (!table_add(p, t, last, child)) {
            free_value(child);
            return NULL;
        }
        return child;
    }
    if (u && (u->type != TOML_ARRAY || u->frozen)) {
        fail(p, open, "cannot define [[%s]]: '%s' is already %s (line %d, column %d)", KEY_TEXT(k, k->n),
             KEY_TEXT(k, k->n), what(u), u->pos.line, u->pos.column);
        return NULL;
    }
    if (!u) {
        u = new_container(p, TOML_ARRAY, pos, t->depth + 1, open);
        if (!u)
            return NULL;
        if (!table_add(p, t, last, u)) {
            free_value(u);
            return NULL;
        }
    }
    toml_value *child = new_container(p, TOML_TABLE, pos, u->depth + 1, open);
    if (!child)
        return NULL;
    child->origin = ORIGIN_HEADER;
    if (!array_push(p, u, child)) {
        free_value(child);
        return NULL;
    }
    return child;
}

/* [table] or [[array of tables]], at the first '['. */
static bool parse_header(parser *p)
{
    size_t open = p->pos;
    toml_pos pos = pos_at(p, open);
    bool array = peek_at(p, open + 1) == '[';
    p->pos += array ? 2 : 1;
    key_path k = {0};
    bool ok = false;
    if (!parse_key(p, &k))
        goto out;
    if (peek(p) != ']' || (array && peek_at(p, p->pos + 1) != ']')) {
        fail(p, p->pos, "expected '%s' to close the table header [%s%s, found %s", array ? "]]" : "]",
             array ? "[" : "", KEY_TEXT(&k, k.n), DESCRIBE(p, p->pos));
        goto out;
    }
    p->pos += array ? 2 : 1;
    toml_value *t = open_table(p, &k, array, pos, open);
    if (!t)
        goto out;
    p->current = t;
    p->current_section = ++p->sections;
    char after[160];
    snprintf(after, sizeof after, "the table header %s%s%s", array ? "[[" : "[", KEY_TEXT(&k, k.n),
             array ? "]]" : "]");
    ok = end_line(p, after);
out:
    key_path_free(&k);
    return ok;
}

toml_value *toml_parse(const char *data, size_t len, const char *file, toml_error *err)
{
    parser P = {.src = data ? data : "", .len = data ? len : 0, .file = file ? file : "<input>", .err = err};
    parser *p = &P;
    if (err)
        memset(err, 0, sizeof *err);
    if (p->len >= 3 && memcmp(p->src, "\xEF\xBB\xBF", 3) == 0)
        p->start = p->pos = 3;
    p->scan_off = p->start;
    p->scan_line = p->scan_col = 1;
    if (!check_utf8(p))
        return NULL;
    p->root = new_container(p, TOML_TABLE, (toml_pos){1, 1}, 0, 0);
    if (!p->root)
        return NULL;
    p->root->origin = ORIGIN_HEADER;
    p->current = p->root;
    char name[128];
    while (!p->failed) {
        skip_ws(p);
        int c = peek(p);
        if (c < 0)
            break;
        if (c == '\n' || c == '\r' || c == '#') {
            end_line(p, NULL);
        } else if (c == '[') {
            parse_header(p);
        } else if (parse_keyval(p, p->current, p->current_section, name, sizeof name)) {
            char after[160];
            snprintf(after, sizeof after, "the value of '%s'", name);
            end_line(p, after);
        }
    }
    if (p->failed) {
        free_value(p->root);
        return NULL;
    }
    return p->root;
}

void toml_free(toml_value *root)
{
    free_value(root);
}

/* ---- reading the tree ---- */

toml_type toml_type_of(const toml_value *v)
{
    return v->type;
}

const char *toml_type_name(toml_type type)
{
    static const char *const names[] = {
        [TOML_TABLE] = "table", [TOML_ARRAY] = "array", [TOML_STRING] = "string",
        [TOML_INTEGER] = "integer", [TOML_FLOAT] = "float", [TOML_BOOL] = "boolean",
        [TOML_DATETIME] = "offset date-time", [TOML_DATETIME_LOCAL] = "local date-time",
        [TOML_DATE_LOCAL] = "local date", [TOML_TIME_LOCAL] = "local time",
    };
    return (unsigned)type < sizeof names / sizeof names[0] ? names[type] : "?";
}

toml_pos toml_pos_of(const toml_value *v)
{
    return v ? v->pos : (toml_pos){0, 0};
}

size_t toml_table_len(const toml_value *t)
{
    return t && t->type == TOML_TABLE ? t->u.tab.len : 0;
}

const char *toml_table_key(const toml_value *t, size_t i, size_t *len)
{
    if (i >= toml_table_len(t))
        return NULL;
    if (len)
        *len = t->u.tab.entries[i].key_len;
    return t->u.tab.entries[i].key;
}

const toml_value *toml_table_value(const toml_value *t, size_t i)
{
    return i < toml_table_len(t) ? t->u.tab.entries[i].value : NULL;
}

toml_pos toml_table_key_pos(const toml_value *t, size_t i)
{
    return i < toml_table_len(t) ? t->u.tab.entries[i].pos : (toml_pos){0, 0};
}

const toml_value *toml_get_n(const toml_value *t, const char *key, size_t len)
{
    if (!t || t->type != TOML_TABLE || !key)
        return NULL;
    const toml_entry *e = table_find(t, key, len);
    return e ? e->value : NULL;
}

const toml_value *toml_get(const toml_value *t, const char *key)
{
    return key ? toml_get_n(t, key, strlen(key)) : NULL;
}

static const toml_value *get_typed(const toml_value *t, const char *key, toml_type type)
{
    const toml_value *v = toml_get(t, key);
    return v && v->type == type ? v : NULL;
}

const toml_value *toml_get_table(const toml_value *t, const char *key)
{
    return get_typed(t, key, TOML_TABLE);
}

const toml_value *toml_get_array(const toml_value *t, const char *key)
{
    return get_typed(t, key, TOML_ARRAY);
}

const char *toml_get_string(const toml_value *t, const char *key)
{
    return toml_string(get_typed(t, key, TOML_STRING), NULL);
}

bool toml_get_int(const toml_value *t, const char *key, int64_t *out)
{
    const toml_value *v = get_typed(t, key, TOML_INTEGER);
    if (v && out)
        *out = v->u.integer;
    return v != NULL;
}

bool toml_get_float(const toml_value *t, const char *key, double *out)
{
    const toml_value *v = get_typed(t, key, TOML_FLOAT);
    if (v && out)
        *out = v->u.floating;
    return v != NULL;
}

bool toml_get_bool(const toml_value *t, const char *key, bool *out)
{
    const toml_value *v = get_typed(t, key, TOML_BOOL);
    if (v && out)
        *out = v->u.boolean;
    return v != NULL;
}

size_t toml_array_len(const toml_value *a)
{
    return a && a->type == TOML_ARRAY ? a->u.arr.len : 0;
}

const toml_value *toml_array_at(const toml_value *a, size_t i)
{
    return i < toml_array_len(a) ? a->u.arr.items[i] : NULL;
}

const char *toml_string(const toml_value *v, size_t *len)
{
    if (!v || v->type != TOML_STRING)
        return NULL;
    if (len)
        *len = v->u.str.len;
    return v->u.str.ptr;
}

int64_t toml_int(const toml_value *v)
{
    return v && v->type == TOML_INTEGER ? v->u.integer : 0;
}

double toml_float(const toml_value *v)
{
    return v && v->type == TOML_FLOAT ? v->u.floating : 0.0;
}

bool toml_bool(const toml_value *v)
{
    return v && v->type == TOML_BOOL && v->u.boolean;
}

const toml_datetime *toml_datetime_of(const toml_value *v)
{
    if (!v || (v->type != TOML_DATETIME && v->type != TOML_DATETIME_LOCAL && v->type != TOML_DATE_LOCAL &&
               v->type != TOML_TIME_LOCAL))
        return NULL;
    return &v->u.dt;
}
