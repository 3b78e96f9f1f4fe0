/* jsonfmt_test.c — the JSON-prefix automaton of "format": "json": complete
 * objects are accepted and every prefix of them too; malformed text is
 * rejected at the first byte that cannot lead to valid JSON. Prints
 * "N passed, N failed". */
#include <stdio.h>
#include <string.h>

#include "serve/serve_jsonfmt.h"

static int pass, fail;
#define CHECK(cond, ...) do { if (cond) pass++; else { fail++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

static void valid(const char *doc) {
    size_t n = strlen(doc);
    int prefixes_ok = 1;
    for (size_t k = 0; k < n; k++) {
        serve_json_state s;
        serve_json_init(&s);
        if (serve_json_feed(&s, doc, k) || serve_json_done(&s)) prefixes_ok = 0;
    }
    serve_json_state s;
    serve_json_init(&s);
    CHECK(serve_json_feed(&s, doc, n) == 0 && serve_json_done(&s), "valid document rejected or unfinished: %s", doc);
    CHECK(prefixes_ok, "a proper prefix rejected or taken as complete: %s", doc);
    /* byte by byte gives the same answer as all at once */
    serve_json_init(&s);
    int ok = 1;
    for (size_t k = 0; k < n; k++) ok &= serve_json_feed(&s, doc + k, 1) == 0;
    CHECK(ok && serve_json_done(&s), "bytewise: %s", doc);
}

/* Rejected exactly when byte `at` arrives. */
static void invalid(const char *doc, size_t at) {
    serve_json_state s;
    serve_json_init(&s);
    CHECK(serve_json_feed(&s, doc, at) == 0, "prefix before the error should pass: %s", doc);
    CHECK(serve_json_feed(&s, doc + at, 1) != 0, "byte %zu of %s should be rejected", at, doc);
}

int main(void) {
    valid("{}");
    valid(" \n{ }");
    valid("{\"a\":1}");
    valid("{\"a\": [1, 2.5, -3e10, 0, -0.0, 1E+2, 4e-7], \"b\": {\"c\": null, \"d\": true, \"e\": false}}");
    valid("{\"s\": \"esc \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\uD83D\\uDE00\"}");
    valid("{\"utf8\": \"日本 😀\"}");
    valid("{\"nested\": [[[]], [{}], {\"x\": [{\"y\": []}]}]}");
    valid("{\"a\":[],\"b\":{}}");
    invalid("[1]", 0);                 /* the top level must be an object */
    invalid("\"str\"", 0);
    invalid("{a:1}", 1);               /* keys are strings */
    invalid("{\"a\" 1}", 5);
    invalid("{\"a\":01}", 6);          /* no leading zeros */
    invalid("{\"a\":1.}", 7);
    invalid("{\"a\":-}", 6);
    invalid("{\"a\":tru}", 8);
    invalid("{\"a\":nul1}", 8);
    invalid("{\"a\":1,}", 7);          /* no trailing comma */
    invalid("{\"a\":[1,]}", 8);
    invalid("{\"a\":[1}", 7);          /* mismatched bracket */
    invalid("{\"a\":\"x\ny\"}", 7);    /* raw control character in a string */
    invalid("{\"a\":\"\\x\"}", 7);     /* unknown escape */
    invalid("{\"a\":\"\\u12G4\"}", 10);
    invalid("{}x", 2);                 /* nothing after the object */
    invalid("{} ", 2);
    invalid("{,}", 1);
    invalid("{\"a\":1 2}", 7);
    char deep[200];
    memset(deep, 0, sizeof deep);
    strcpy(deep, "{\"a\":");
    for (int i = 0; i < SERVE_JSON_MAX_DEPTH; i++) strcat(deep, "[");
    invalid(deep, strlen(deep) - 1);   /* depth limit */
    char ws[64] = "{";
    memset(ws + 1, ' ', 30);
    invalid(ws, 25);                   /* bounded whitespace runs */
    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
