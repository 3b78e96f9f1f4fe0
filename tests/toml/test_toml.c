/* test_toml.c — src/app/toml.c against the toml-test cases, plus API checks.
 *
 * usage: test_toml TOML_TEST_DIR [NAME-PREFIX...]
 * TOML_TEST_DIR is toml-test's tests/ folder (with files-toml-1.0.0, the list
 * of TOML 1.0 cases). valid/X.toml must parse and equal valid/X.json, the
 * tagged JSON of toml-test ({"type": ..., "value": ...} for scalars),
 * compared structurally; invalid/X.toml must be rejected with a line and
 * column. Prints "CATEGORY: P passed, F failed" per folder, then
 * "N passed, N failed". TOML_VERBOSE=1 prints each invalid case's message.
 * With --decode it is a toml-test decoder: TOML on stdin, tagged JSON out.
 */
#include "app/toml.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a small JSON reader (length-counted strings: keys may hold NUL) ---- */

typedef enum { J_STR, J_ARR, J_OBJ } jtype;

typedef struct jnode jnode;
struct jnode {
    jtype type;
    char *s; /* J_STR */
    size_t len;
    size_t n;     /* J_ARR, J_OBJ: members */
    jnode **items;
    char **keys;  /* J_OBJ */
    size_t *key_lens;
};

typedef struct {
    const char *s;
    size_t i, n;
} jreader;

static void jfree(jnode *j)
{
    if (!j)
        return;
    free(j->s);
    for (size_t i = 0; i < j->n; i++) {
        jfree(j->items[i]);
        if (j->keys)
            free(j->keys[i]);
    }
    free(j->items);
    free(j->keys);
    free(j->key_lens);
    free(j);
}

static void jws(jreader *r)
{
    while (r->i < r->n && isspace((unsigned char)r->s[r->i]))
        r->i++;
}

static int jhex4(jreader *r, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        if (r->i >= r->n || !isxdigit((unsigned char)r->s[r->i]))
            return 0;
        char c = r->s[r->i++];
        v = v * 16 + (unsigned)(isdigit((unsigned char)c) ? c - '0' : (tolower((unsigned char)c) - 'a' + 10));
    }
    *out = v;
    return 1;
}

static void jput(char **b, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *b = realloc(*b, *cap);
    }
    memcpy(*b + *len, s, n);
    *len += n;
    (*b)[*len] = 0;
}

static char *jstring(jreader *r, size_t *out_len)
{
    if (r->i >= r->n || r->s[r->i] != '"')
        return NULL;
    r->i++;
    char *b = NULL;
    size_t len = 0, cap = 0;
    jput(&b, &len, &cap, "", 0);
    while (r->i < r->n && r->s[r->i] != '"') {
        char c = r->s[r->i++];
        if (c != '\\') {
            jput(&b, &len, &cap, &c, 1);
            continue;
        }
        if (r->i >= r->n)
            break;
        char e = r->s[r->i++];
        const char *simple = strchr("\"\\/bfnrt", e);
        if (simple && e) {
            static const char map[] = "\"\\/\b\f\n\r\t";
            jput(&b, &len, &cap, &map[simple - "\"\\/bfnrt"], 1);
            continue;
        }
        unsigned cp, lo;
        if (e != 'u' || !jhex4(r, &cp))
            goto bad;
        if (cp >= 0xD800 && cp < 0xDC00) {
            if (r->i + 2 > r->n || r->s[r->i] != '\\' || r->s[r->i + 1] != 'u')
                goto bad;
            r->i += 2;
            if (!jhex4(r, &lo))
                goto bad;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        char u[4];
        size_t n;
        if (cp < 0x80)
            u[0] = (char)cp, n = 1;
        else if (cp < 0x800)
            u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 63)), n = 2;
        else if (cp < 0x10000)
            u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | (cp >> 6 & 63)), u[2] = (char)(0x80 | (cp & 63)),
            n = 3;
        else
            u[0] = (char)(0xF0 | cp >> 18), u[1] = (char)(0x80 | (cp >> 12 & 63)),
            u[2] = (char)(0x80 | (cp >> 6 & 63)), u[3] = (char)(0x80 | (cp & 63)), n = 4;
        jput(&b, &len, &cap, u, n);
    }
    if (r->i >= r->n)
        goto bad;
    r->i++;
    *out_len = len;
    return b;
bad:
    free(b);
    return NULL;
}

static jnode *jvalue(jreader *r)
{
    jws(r);
    if (r->i >= r->n)
        return NULL;
    jnode *j = calloc(1, sizeof *j);
    char c = r->s[r->i];
    if (c == '"') {
        j->type = J_STR;
        if (!(j->s = jstring(r, &j->len)))
            goto bad;
        return j;
    }
    if (c != '[' && c != '{')
        goto bad;
    j->type = c == '[' ? J_ARR : J_OBJ;
    char close = c == '[' ? ']' : '}';
    r->i++;
    jws(r);
    if (r->i < r->n && r->s[r->i] == close) {
        r->i++;
        return j;
    }
    for (;;) {
        j->items = realloc(j->items, (j->n + 1) * sizeof *j->items);
        if (j->type == J_OBJ) {
            j->keys = realloc(j->keys, (j->n + 1) * sizeof *j->keys);
            j->key_lens = realloc(j->key_lens, (j->n + 1) * sizeof *j->key_lens);
            jws(r);
            char *k = jstring(r, &j->key_lens[j->n]);
            if (!k)
                goto bad;
            jws(r);
            if (r->i >= r->n || r->s[r->i] != ':') {
                free(k);
                goto bad;
            }
            r->i++;
            j->keys[j->n] = k;
        }
        jnode *v = jvalue(r);
        if (!v) {
            if (j->keys)
                free(j->keys[j->n]);
            goto bad;
        }
        j->items[j->n++] = v;
        jws(r);
        if (r->i < r->n && r->s[r->i] == ',') {
            r->i++;
            continue;
        }
        if (r->i < r->n && r->s[r->i] == close) {
            r->i++;
            return j;
        }
        goto bad;
    }
bad:
    jfree(j);
    return NULL;
}

/* ---- comparing a tree with tagged JSON ---- */

static const jnode *jmember(const jnode *o, const char *key)
{
    for (size_t i = 0; i < o->n; i++)
        if (o->key_lens[i] == strlen(key) && memcmp(o->keys[i], key, o->key_lens[i]) == 0)
            return o->items[i];
    return NULL;
}

/* An object of exactly {"type": string, "value": string} is a scalar. */
static bool jscalar(const jnode *j)
{
    if (j->type != J_OBJ || j->n != 2)
        return false;
    const jnode *t = jmember(j, "type"), *v = jmember(j, "value");
    return t && v && t->type == J_STR && v->type == J_STR;
}

/* Reads YYYY-MM-DD, HH:MM:SS[.fff] or both, then Z or +HH:MM. */
static bool parse_expected_datetime(const char *s, toml_type type, toml_datetime *dt)
{
    memset(dt, 0, sizeof *dt);
    int n = 0;
    if (type != TOML_TIME_LOCAL) {
        if (sscanf(s, "%4d-%2d-%2d%n", &dt->year, &dt->month, &dt->day, &n) != 3)
            return false;
        s += n;
        if (type == TOML_DATE_LOCAL)
            return *s == 0;
        if (*s != 'T' && *s != 't' && *s != ' ')
            return false;
        s++;
    }
    if (sscanf(s, "%2d:%2d:%2d%n", &dt->hour, &dt->minute, &dt->second, &n) != 3)
        return false;
    s += n;
    if (*s == '.') {
        int digits = 0;
        for (s++; isdigit((unsigned char)*s); s++, digits++)
            if (digits < 9)
                dt->nanosecond = dt->nanosecond * 10 + (*s - '0');
        for (; digits < 9; digits++)
            dt->nanosecond *= 10;
    }
    if (type != TOML_DATETIME)
        return *s == 0;
    if (*s == 'Z' || *s == 'z')
        return s[1] == 0;
    int oh, om;
    if ((*s != '+' && *s != '-') || sscanf(s + 1, "%2d:%2d%n", &oh, &om, &n) != 2 || s[1 + n] != 0)
        return false;
    dt->offset_minutes = (*s == '-' ? -1 : 1) * (oh * 60 + om);
    return true;
}

static const char *tag_of(toml_type t)
{
    switch (t) {
    case TOML_STRING: return "string";
    case TOML_INTEGER: return "integer";
    case TOML_FLOAT: return "float";
    case TOML_BOOL: return "bool";
    case TOML_DATETIME: return "datetime";
    case TOML_DATETIME_LOCAL: return "datetime-local";
    case TOML_DATE_LOCAL: return "date-local";
    case TOML_TIME_LOCAL: return "time-local";
    default: return "?";
    }
}

static char why[512]; /* the first difference found, for the report */

static bool compare(const toml_value *v, const jnode *j, const char *path)
{
    char sub[256];
    if (jscalar(j)) {
        const char *type = jmember(j, "type")->s;
        const jnode *val = jmember(j, "value");
        toml_type t = toml_type_of(v);
        if (t == TOML_TABLE || t == TOML_ARRAY || strcmp(tag_of(t), type) != 0) {
            snprintf(why, sizeof why, "%s: expected %s, got %s", path, type, toml_type_name(t));
            return false;
        }
        bool ok;
        if (t == TOML_STRING) {
            size_t len;
            const char *s = toml_string(v, &len);
            ok = len == val->len && memcmp(s, val->s, len) == 0;
        } else if (t == TOML_INTEGER) {
            ok = strtoll(val->s, NULL, 10) == toml_int(v);
        } else if (t == TOML_BOOL) {
            ok = strcmp(val->s, toml_bool(v) ? "true" : "false") == 0;
        } else if (t == TOML_FLOAT) {
            double want = strtod(val->s, NULL), got = toml_float(v);
            if (strstr(val->s, "nan"))
                ok = isnan(got);
            else
                ok = want == got && signbit(want) == signbit(got);
        } else {
            toml_datetime want;
            const toml_datetime *got = toml_datetime_of(v);
            ok = parse_expected_datetime(val->s, t, &want) && memcmp(&want, got, sizeof want) == 0;
        }
        if (!ok)
            snprintf(why, sizeof why, "%s: expected %s %s, got something else", path, type, val->s);
        return ok;
    }
    if (j->type == J_ARR) {
        if (toml_type_of(v) != TOML_ARRAY || toml_array_len(v) != j->n) {
            snprintf(why, sizeof why, "%s: expected an array of %zu, got %s of %zu", path, j->n,
                     toml_type_name(toml_type_of(v)), toml_array_len(v));
            return false;
        }
        for (size_t i = 0; i < j->n; i++) {
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            if (!compare(toml_array_at(v, i), j->items[i], sub))
                return false;
        }
        return true;
    }
    if (j->type != J_OBJ || toml_type_of(v) != TOML_TABLE || toml_table_len(v) != j->n) {
        snprintf(why, sizeof why, "%s: expected a table of %zu keys, got %s of %zu", path, j->n,
                 toml_type_name(toml_type_of(v)), toml_table_len(v));
        return false;
    }
    for (size_t i = 0; i < j->n; i++) {
        snprintf(sub, sizeof sub, "%s.%.*s", path, (int)j->key_lens[i], j->keys[i]);
        const toml_value *m = toml_get_n(v, j->keys[i], j->key_lens[i]);
        if (!m) {
            snprintf(why, sizeof why, "%s: missing", sub);
            return false;
        }
        if (!compare(m, j->items[i], sub))
            return false;
    }
    return true;
}

/* ---- running ---- */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *b = NULL;
    size_t n = 0, cap = 0, r;
    do {
        if (n + 4096 > cap)
            b = realloc(b, cap = (n + 4096) * 2);
        r = fread(b + n, 1, cap - n, f);
        n += r;
    } while (r > 0);
    fclose(f);
    *len = n;
    return b;
}

typedef struct {
    char name[64];
    int pass, fail;
} category;

static category cats[64];
static int ncats;
static bool verbose;

static category *cat(const char *name)
{
    for (int i = 0; i < ncats; i++)
        if (strcmp(cats[i].name, name) == 0)
            return &cats[i];
    if (ncats == 64)
        return &cats[63];
    snprintf(cats[ncats].name, sizeof cats[0].name, "%s", name);
    return &cats[ncats++];
}

static void count(category *c, bool ok, const char *name, const char *detail)
{
    if (ok) {
        c->pass++;
    } else {
        c->fail++;
        printf("FAIL %s: %s\n", name, detail);
    }
}

static void run_case(const char *dir, const char *rel)
{
    char path[1024], name[512], catname[64];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    snprintf(name, sizeof name, "%.*s", (int)(strlen(rel) - 5), rel); /* without .toml */
    const char *slash = strrchr(name, '/');
    snprintf(catname, sizeof catname, "%.*s", (int)(slash - name), name);
    category *c = cat(catname);
    bool valid = strncmp(rel, "valid/", 6) == 0;
    size_t len;
    char *src = read_file(path, &len);
    if (!src) {
        count(c, false, name, "cannot read");
        return;
    }
    toml_error err;
    toml_value *doc = toml_parse(src, len, rel, &err);
    if (!valid) {
        bool ok = !doc && err.pos.line >= 1 && err.pos.column >= 1 && strstr(err.message, ", column ");
        count(c, ok, name, doc ? "accepted" : "error without a position");
        if (verbose && !doc)
            printf("  %s\n", err.message);
    } else if (!doc) {
        count(c, false, name, err.message);
    } else {
        char jpath[1024];
        snprintf(jpath, sizeof jpath, "%s/%s.json", dir, name);
        size_t jlen;
        char *js = read_file(jpath, &jlen);
        jreader r = {js ? js : "", 0, js ? jlen : 0};
        jnode *expected = js ? jvalue(&r) : NULL;
        if (!expected)
            count(c, false, name, "cannot read the expected JSON");
        else
            count(c, compare(doc, expected, "$"), name, why);
        jfree(expected);
        free(js);
    }
    toml_free(doc);
    free(src);
}

/* ---- decoder mode: toml-test's interface ---- */

static void put_json_string(const char *s, size_t len)
{
    putchar('"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20 || c == 0x7F)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void put_json(const toml_value *v)
{
    toml_type t = toml_type_of(v);
    if (t == TOML_TABLE) {
        putchar('{');
        for (size_t i = 0; i < toml_table_len(v); i++) {
            size_t len;
            const char *key = toml_table_key(v, i, &len);
            printf(i ? ", " : "");
            put_json_string(key, len);
            printf(": ");
            put_json(toml_table_value(v, i));
        }
        putchar('}');
        return;
    }
    if (t == TOML_ARRAY) {
        putchar('[');
        for (size_t i = 0; i < toml_array_len(v); i++) {
            printf(i ? ", " : "");
            put_json(toml_array_at(v, i));
        }
        putchar(']');
        return;
    }
    printf("{\"type\": \"%s\", \"value\": ", tag_of(t));
    char text[96];
    const toml_datetime *dt = toml_datetime_of(v);
    size_t n = 0;
    if (t == TOML_STRING) {
        size_t len;
        const char *s = toml_string(v, &len);
        put_json_string(s, len);
        printf("}");
        return;
    } else if (t == TOML_INTEGER) {
        snprintf(text, sizeof text, "%lld", (long long)toml_int(v));
    } else if (t == TOML_BOOL) {
        snprintf(text, sizeof text, "%s", toml_bool(v) ? "true" : "false");
    } else if (t == TOML_FLOAT) {
        double f = toml_float(v);
        snprintf(text, sizeof text, "%s", isnan(f) ? "nan" : isinf(f) ? (f < 0 ? "-inf" : "inf") : "");
        if (!text[0])
            snprintf(text, sizeof text, "%.17g", f);
    } else {
        if (t != TOML_TIME_LOCAL)
            n += (size_t)snprintf(text + n, sizeof text - n, "%04d-%02d-%02d", dt->year, dt->month, dt->day);
        if (t != TOML_DATE_LOCAL) {
            n += (size_t)snprintf(text + n, sizeof text - n, "%s%02d:%02d:%02d", t == TOML_TIME_LOCAL ? "" : "T",
                                  dt->hour, dt->minute, dt->second);
            if (dt->nanosecond)
                n += (size_t)snprintf(text + n, sizeof text - n, ".%09d", dt->nanosecond);
        }
        if (t == TOML_DATETIME && dt->offset_minutes == 0)
            snprintf(text + n, sizeof text - n, "Z");
        else if (t == TOML_DATETIME)
            snprintf(text + n, sizeof text - n, "%c%02d:%02d", dt->offset_minutes < 0 ? '-' : '+',
                     abs(dt->offset_minutes) / 60, abs(dt->offset_minutes) % 60);
    }
    printf("\"%s\"}", text);
}

/* test_toml --decode < FILE: the document as toml-test's tagged JSON on
 * stdout, or the error on stderr and exit status 1. */
static int decode(void)
{
    size_t len = 0, cap = 0, r;
    char *src = NULL;
    do {
        if (len + 4096 > cap)
            src = realloc(src, cap = (len + 4096) * 2);
        r = fread(src + len, 1, cap - len, stdin);
        len += r;
    } while (r > 0);
    toml_error err;
    toml_value *doc = toml_parse(src, len, "<stdin>", &err);
    free(src);
    if (!doc) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    put_json(doc);
    putchar('\n');
    toml_free(doc);
    return 0;
}

/* ---- API checks ---- */

static int api_pass, api_fail;

#define CHECK(cond)                                                                                        \
    do {                                                                                                   \
        if (cond) {                                                                                        \
            api_pass++;                                                                                    \
        } else {                                                                                           \
            api_fail++;                                                                                    \
            printf("FAIL api line %d: %s\n", __LINE__, #cond);                                             \
        }                                                                                                  \
    } while (0)

/* Parses SRC expecting an error at LINE:COL whose message contains WANT. */
static void check_error(const char *src, int line, int col, const char *want)
{
    toml_error err;
    toml_value *doc = toml_parse(src, strlen(src), "spin.toml", &err);
    bool ok = !doc && err.pos.line == line && err.pos.column == col && strstr(err.message, want);
    if (ok) {
        api_pass++;
    } else {
        api_fail++;
        printf("FAIL api error for %s: got %d:%d \"%s\", want %d:%d \"%s\"\n", src, err.pos.line, err.pos.column,
               doc ? "(accepted)" : err.message, line, col, want);
    }
    toml_free(doc);
}

static void api_tests(void)
{
    const char *src = "spin_manifest_version = 2\n"
                      "[application]\n"
                      "name = \"hello\"\n"
                      "  debug = true\n"
                      "[[trigger.http]]\n"
                      "route = \"/...\"\n"
                      "component = { source = \"a.wasm\", x.y = 0x10 }\n"
                      "[[trigger.http]]\n"
                      "route = \"/b\"\n"
                      "[component.\"héllo\"]\n"
                      "files = [\"a\", 'b', 1.5, 1979-05-27T07:32:00.5-08:00]\n";
    toml_error err;
    toml_value *doc = toml_parse(src, strlen(src), "spin.toml", &err);
    CHECK(doc != NULL);
    if (!doc) {
        printf("  %s\n", err.message);
        return;
    }
    int64_t i = 0;
    bool b = false;
    CHECK(toml_get_int(doc, "spin_manifest_version", &i) && i == 2);
    CHECK(toml_table_len(doc) == 4);
    CHECK(strcmp(toml_table_key(doc, 0, NULL), "spin_manifest_version") == 0);
    CHECK(strcmp(toml_table_key(doc, 1, NULL), "application") == 0);
    CHECK(strcmp(toml_table_key(doc, 2, NULL), "trigger") == 0);
    CHECK(strcmp(toml_table_key(doc, 3, NULL), "component") == 0);
    const toml_value *app = toml_get_table(doc, "application");
    CHECK(app && strcmp(toml_get_string(app, "name"), "hello") == 0);
    CHECK(toml_get_bool(app, "debug", &b) && b);
    CHECK(!toml_get_int(app, "name", &i));  /* wrong type */
    CHECK(!toml_get_string(app, "missing"));
    CHECK(toml_pos_of(app).line == 2 && toml_pos_of(app).column == 1);
    CHECK(toml_pos_of(toml_get(app, "name")).line == 3 && toml_pos_of(toml_get(app, "name")).column == 8);
    CHECK(toml_table_key_pos(app, 1).line == 4 && toml_table_key_pos(app, 1).column == 3);
    const toml_value *http = toml_get_array(toml_get_table(doc, "trigger"), "http");
    CHECK(toml_array_len(http) == 2);
    const toml_value *first = toml_array_at(http, 0);
    CHECK(strcmp(toml_get_string(first, "route"), "/...") == 0);
    const toml_value *comp = toml_get_table(first, "component");
    CHECK(comp && toml_pos_of(comp).line == 7 && toml_pos_of(comp).column == 13);
    CHECK(toml_get_int(toml_get_table(comp, "x"), "y", &i) && i == 16);
    CHECK(strcmp(toml_get_string(toml_array_at(http, 1), "route"), "/b") == 0);
    const toml_value *files = toml_get_array(toml_get_table(toml_get_table(doc, "component"), "héllo"), "files");
    CHECK(toml_array_len(files) == 4);
    CHECK(toml_type_of(toml_array_at(files, 2)) == TOML_FLOAT && toml_float(toml_array_at(files, 2)) == 1.5);
    const toml_value *when = toml_array_at(files, 3);
    const toml_datetime *dt = toml_datetime_of(when);
    CHECK(toml_type_of(when) == TOML_DATETIME && dt && dt->nanosecond == 500000000 && dt->offset_minutes == -480);
    /* columns count characters: the 'é' is one */
    CHECK(toml_pos_of(toml_array_at(files, 1)).line == 11 && toml_pos_of(toml_array_at(files, 1)).column == 15);
    toml_free(doc);

    /* Many keys: the hash index must find every one. */
    char big[64 * 1024];
    size_t n = 0;
    for (int k = 0; k < 2000; k++)
        n += (size_t)snprintf(big + n, sizeof big - n, "k%d = %d\n", k, k);
    doc = toml_parse(big, n, NULL, &err);
    CHECK(doc && toml_table_len(doc) == 2000);
    bool all = doc != NULL;
    for (int k = 0; all && k < 2000; k++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", k);
        all = toml_get_int(doc, key, &i) && i == k;
    }
    CHECK(all);
    toml_free(doc);

    check_error("name \"x\"\n", 1, 6, "expected '=' after key 'name', found '\"'");
    check_error("a = 1\n[t]\nb = 2\na = 3\nb = 4\n", 5, 1, "duplicate key 'b' (first defined at line 3, column 1)");
    check_error("[a]\n[a]\n", 2, 1, "table [a] is defined twice");
    check_error("a = {b = 1}\na.c = 2\n", 2, 1, "inline table");
    check_error("a = 9223372036854775808\n", 1, 5, "does not fit in 64 bits");
    check_error("a = \"x\n", 1, 7, "expected '\"' to close the string, found end of line");
    check_error("a = 1 2\n", 1, 7, "expected end of line after the value of 'a', found '2'");
    check_error("a = 1979-02-29\n", 1, 5, "no such day");
    check_error("x = 1\n\n  é = \n", 3, 3, "expected a key, found 'é'");
    check_error("a = [1, 2\n", 2, 1, "expected ',' or ']' in the array opened at line 1, column 5");
    check_error("a = \"\\q\"\n", 1, 6, "invalid escape sequence");
    check_error("a = \xff\n", 1, 5, "invalid UTF-8");
    check_error("a = 1\r\n\rb = 2\n", 2, 1, "carriage return");
    toml_value *nul = toml_parse(NULL, 0, NULL, &err);
    CHECK(nul && toml_table_len(nul) == 0);
    toml_free(nul);

    /* Nesting is bounded. */
    char deep[2048];
    memset(deep, '[', 600);
    memcpy(deep, "a = ", 4);
    deep[600] = 0;
    doc = toml_parse(deep, 600, NULL, &err);
    CHECK(!doc && strstr(err.message, "deeper than"));
    toml_free(doc);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--decode") == 0)
        return decode();
    if (argc < 2) {
        fprintf(stderr, "usage: %s TOML_TEST_DIR [NAME-PREFIX...] | --decode < FILE\n", argv[0]);
        return 2;
    }
    verbose = getenv("TOML_VERBOSE") && *getenv("TOML_VERBOSE") == '1';
    const char *dir = argv[1];
    char listpath[1024];
    snprintf(listpath, sizeof listpath, "%s/files-toml-1.0.0", dir);
    size_t listlen;
    char *list = read_file(listpath, &listlen);
    if (!list) {
        printf("toml: cannot read %s\n0 passed, 1 failed\n", listpath);
        return 1;
    }
    list = realloc(list, listlen + 1);
    list[listlen] = 0;
    for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
        size_t l = strlen(line);
        if (l < 5 || strcmp(line + l - 5, ".toml") != 0)
            continue;
        bool selected = argc == 2;
        for (int a = 2; a < argc; a++)
            selected = selected || strncmp(line, argv[a], strlen(argv[a])) == 0;
        if (selected)
            run_case(dir, line);
    }
    free(list);
    api_tests();

    int pass = api_pass, fail = api_fail, vp = 0, vf = 0, ip = 0, iff = 0;
    for (int i = 0; i < ncats; i++) {
        printf("%s: %d passed, %d failed\n", cats[i].name, cats[i].pass, cats[i].fail);
        pass += cats[i].pass;
        fail += cats[i].fail;
        bool valid = strncmp(cats[i].name, "valid", 5) == 0;
        *(valid ? &vp : &ip) += cats[i].pass;
        *(valid ? &vf : &iff) += cats[i].fail;
    }
    printf("api: %d passed, %d failed\n", api_pass, api_fail);
    printf("valid cases: %d passed, %d failed; invalid cases: %d passed, %d failed\n", vp, vf, ip, iff);
    printf("%d passed, %d failed\n", pass, fail);
    return fail ? 1 : 0;
}
