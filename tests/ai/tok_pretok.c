/* tok_pretok.c FILE.cases — the hand-written pre-tokenizer regexes against
 * JavaScript's regex engine running the original patterns (written by
 * tok/convert.mjs): each case line is kind TAB hex(text) TAB hex pieces
 * joined by ','. Prints failures and "N passed, N failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/tok_internal.h"

static size_t unhex(const char *h, size_t n, char *out) {
    size_t k = 0;
    for (size_t i = 0; i + 1 < n; i += 2) {
        unsigned v;
        sscanf(h + i, "%2x", &v);
        out[k++] = (char)v;
    }
    return k;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: tok_pretok FILE.cases\n"); return 2; }
    FILE *f = fopen(argv[1], "r");
    if (!f) { perror(argv[1]); return 2; }
    static char line[1 << 16], text[1 << 14], want[1 << 16], got[1 << 16];
    int pass = 0, fail = 0, lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *kind = strtok(line, "\t"), *hex = strtok(NULL, "\t"), *pieces = strtok(NULL, "\n");
        if (!kind || !hex) continue;
        size_t n = strcmp(hex, "-") ? unhex(hex, strlen(hex), text) : 0;
        /* Both sides as "piece|piece|..." with pieces hex-decoded. */
        size_t w = 0;
        for (char *p = pieces ? strtok(pieces, ",") : NULL; p; p = strtok(NULL, ",")) {
            if (w) want[w++] = '|';
            w += unhex(p, strlen(p), want + w);
        }
        want[w] = 0;
        size_t g = 0;
        for (size_t i = 0; i < n;) {
            size_t l = ai_pretok_next((ai_pretok_kind)atoi(kind), text + i, n - i);
            if (l == 0 || l > n - i) { g = 0; strcpy(got, "<bad length>"); break; }
            if (g) got[g++] = '|';
            memcpy(got + g, text + i, l);
            g += l;
            i += l;
        }
        got[g] = 0;
        if (g == w && !memcmp(got, want, w)) pass++;
        else {
            fail++;
            printf("FAIL %s:%d kind %s\n  want: %s\n  got:  %s\n", argv[1], lineno, kind, want, got);
        }
    }
    fclose(f);
    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
