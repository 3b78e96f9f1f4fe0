/* fuzz_http.c — libFuzzer target for the HTTP request parser and the chunked
 * decoder: arbitrary bytes must never crash, read out of bounds, or produce
 * results pointing outside the input.
 * Build: clang -fsanitize=fuzzer,address,undefined -Isrc fuzz/fuzz_http.c
 *        src/http/http_parse.c src/http/http_chunked.c (make fuzz-http). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

static void in_input(const char *p, size_t n, const uint8_t *data, size_t size) {
    if (n && (p < (const char *)data || p + n > (const char *)data + size)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    http_header hs[16];
    http_request_head h = {.headers = hs, .num_headers = 16};
    int r = http_parse_request((const char *)data, size, &h);
    if (r > (int)size) abort();
    if (r > 0) {
        in_input(h.method, h.method_len, data, size);
        in_input(h.target, h.target_len, data, size);
        for (size_t i = 0; i < h.num_headers; i++) {
            in_input(hs[i].name, hs[i].name_len, data, size);
            in_input(hs[i].value, hs[i].value_len, data, size);
        }
    }
    /* The chunked decoder, in place, over the same bytes in two pieces. */
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    http_chunked d = {0};
    size_t half = size / 2, out1 = 0, out2 = 0;
    int done = 0;
    long u = http_chunked_decode(&d, buf, half, buf, &out1, &done);
    if (u >= 0 && !done) {
        if (out1 > (size_t)u) abort();
        long u2 = http_chunked_decode(&d, buf + u, size - (size_t)u, buf + out1, &out2, &done);
        if (u2 >= 0 && out2 > (size_t)u2) abort();
    }
    free(buf);
    return 0;
}
