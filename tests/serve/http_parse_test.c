/* http_parse_test.c — unit tests of the request parser and the chunked
 * decoder, including every request fed one byte at a time (the incremental
 * path a slow client exercises). Prints "N passed, N failed". */
#include <stdio.h>
#include <string.h>

#include "http/http.h"

static int pass, fail;
#define CHECK(cond, ...) do { if (cond) pass++; else { fail++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

static int parse(const char *s, size_t n, http_request_head *h, http_header *hs, size_t cap) {
    h->headers = hs;
    h->num_headers = cap;
    return http_parse_request(s, n, h);
}

static void expect_result(const char *req, int want) {
    http_header hs[8];
    http_request_head h;
    int r = parse(req, strlen(req), &h, hs, 8);
    CHECK(r == want, "parse(%.40s...) = %d, want %d", req, r, want);
}

static void incremental(const char *req) {
    size_t n = strlen(req);
    http_header hs[16];
    http_request_head h;
    int full = parse(req, n, &h, hs, 16);
    int ok = full > 0;
    for (size_t i = 0; i < (size_t)full && ok; i++)
        if (parse(req, i, &h, hs, 16) != HTTP_PARSE_INCOMPLETE) ok = 0;
    CHECK(ok, "prefixes of a valid request must be incomplete: %.30s", req);
}

static void test_parser(void) {
    http_header hs[8];
    http_request_head h;
    const char *r1 = "GET /api/tags?x=1 HTTP/1.1\r\nHost: a\r\nX-Empty:\r\nX-Pad:  v v  \r\n\r\nextra";
    int n = parse(r1, strlen(r1), &h, hs, 8);
    CHECK(n == (int)(strstr(r1, "extra") - r1), "head length %d", n);
    CHECK(h.method_len == 3 && !memcmp(h.method, "GET", 3), "method");
    CHECK(h.target_len == 13 && !memcmp(h.target, "/api/tags?x=1", 13), "target");
    CHECK(h.minor_version == 1 && h.num_headers == 3, "version/headers %d %zu", h.minor_version, h.num_headers);
    CHECK(hs[1].value_len == 0, "empty value");
    CHECK(hs[2].value_len == 3 && !memcmp(hs[2].value, "v v", 3), "trimmed value '%.*s'", (int)hs[2].value_len, hs[2].value);
    CHECK(http_find_header(hs, h.num_headers, "HOST") == &hs[0], "case-insensitive lookup");

    expect_result("GET / HTTP/1.0\n\n", 16);               /* bare LF */
    expect_result("\r\nGET / HTTP/1.1\r\n\r\n", 20);         /* leading empty line */
    expect_result("GET / HTTP/1.1\r\nHost: a\r\n", HTTP_PARSE_INCOMPLETE);
    expect_result("GET / HTTP/1.1\r\n", HTTP_PARSE_INCOMPLETE);
    expect_result("", HTTP_PARSE_INCOMPLETE);
    expect_result("GET  / HTTP/1.1\r\n\r\n", HTTP_PARSE_ERROR);
    expect_result("GET / HTTP/2.0\r\n\r\n", HTTP_PARSE_ERROR);
    expect_result("GET / HTTP/1.1 \r\n\r\n", HTTP_PARSE_ERROR);
    expect_result("G(T / HTTP/1.1\r\n\r\n", HTTP_PARSE_ERROR);
    expect_result("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", HTTP_PARSE_ERROR);
    expect_result("GET / HTTP/1.1\r\nName : x\r\n\r\n", HTTP_PARSE_ERROR);
    expect_result("GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", HTTP_PARSE_ERROR);
    expect_result("GET / HTTP/1.1\r\nA: b\x01c\r\n\r\n", HTTP_PARSE_ERROR);
    expect_result("GET /\x7f HTTP/1.1\r\n\r\n", HTTP_PARSE_ERROR);
    expect_result("GET / HTTP/1.1\r\n:x\r\n\r\n", HTTP_PARSE_ERROR);
    expect_result("GET / HTTP/1.1\r\nA:1\r\nB:2\r\nC:3\r\nD:4\r\nE:5\r\nF:6\r\nG:7\r\nH:8\r\nI:9\r\n\r\n", HTTP_PARSE_TOO_MANY_HEADERS);
    expect_result("\r", HTTP_PARSE_INCOMPLETE);
    expect_result("\rX", HTTP_PARSE_ERROR);
    incremental("POST /api/generate HTTP/1.1\r\nHost: localhost:11434\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n");
    incremental("GET / HTTP/1.0\n\n");

    http_header conn = {"Connection", 10, "keep-alive, Upgrade ,close", 26};
    CHECK(http_header_has_token(&conn, "close") && http_header_has_token(&conn, "upgrade") && !http_header_has_token(&conn, "clos"), "token list");
}

static void chunked_case(const char *raw, const char *want, int want_done, size_t want_used) {
    char buf[256];
    size_t n = strlen(raw), out = 0;
    /* all at once, in place */
    memcpy(buf, raw, n);
    http_chunked d = {0};
    int done;
    long used = http_chunked_decode(&d, buf, n, buf, &out, &done);
    CHECK(used == (long)want_used && done == want_done && out == strlen(want) && !memcmp(buf, want, out),
          "chunked %.20s: used %ld done %d out '%.*s'", raw, used, done, (int)out, buf);
    /* one byte at a time */
    http_chunked d2 = {0};
    char dec[256];
    size_t total = 0, consumed = 0;
    int done2 = 0;
    for (size_t i = 0; i < n && !done2; i++) {
        size_t o;
        long u = http_chunked_decode(&d2, raw + i, 1, dec + total, &o, &done2);
        if (u < 0) { total = (size_t)-1; break; }
        total += o;
        consumed += (size_t)u;
    }
    CHECK(total == strlen(want) && done2 == want_done && consumed == want_used && !memcmp(dec, want, total), "chunked bytewise %.20s", raw);
}

static void test_chunked(void) {
    chunked_case("5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\nNEXT", "hello world", 1, 32);
    chunked_case("A\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n", "0123456789", 1, 32);
    chunked_case("3\nabc\n0\n\n", "abc", 1, 9);
    chunked_case("4\r\nab", "ab", 0, 5);
    char buf[64] = "zz\r\nab\r\n";
    http_chunked d = {0};
    size_t out;
    int done;
    CHECK(http_chunked_decode(&d, buf, strlen(buf), buf, &out, &done) == -1, "bad size rejected");
    http_chunked d2 = {0};
    const char *big = "ffffffffffffffff0\r\n";
    CHECK(http_chunked_decode(&d2, big, strlen(big), buf, &out, &done) == -1, "oversized chunk rejected");
    http_chunked d3 = {0};
    const char *nocrlf = "2\r\nabX";
    CHECK(http_chunked_decode(&d3, nocrlf, strlen(nocrlf), buf, &out, &done) == -1, "missing CRLF after data");
}

int main(void) {
    test_parser();
    test_chunked();
    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
