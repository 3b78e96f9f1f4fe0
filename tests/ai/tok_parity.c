/* tok_parity.c FILE.gguf FILE.cases — tokenizes each case's text with the
 * GGUF's vocabulary and compares with the reference ids (computed by the npm
 * reference tokenizers, see tok/convert.mjs); also checks that decoding gives
 * the text back. A case line: hex(text) TAB flags TAB ids. Prints one line per
 * failure and a summary "N passed, N failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/gguf.h"
#include "ai/tokenizer_gguf.h"

static size_t unhex(const char *h, char *out) {
    size_t n = 0;
    if (!strcmp(h, "-")) return 0;
    for (; h[0] && h[1]; h += 2) {
        unsigned v;
        sscanf(h, "%2x", &v);
        out[n++] = (char)v;
    }
    return n;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: tok_parity FILE.gguf FILE.cases\n"); return 2; }
    char err[512];
    ai_gguf *g = ai_gguf_open(argv[1], err, sizeof err);
    if (!g) { fprintf(stderr, "%s\n", err); return 2; }
    ai_tokenizer *t = ai_tokenizer_from_gguf(g, err, sizeof err);
    if (!t) { fprintf(stderr, "%s: %s\n", argv[1], err); return 2; }
    FILE *f = fopen(argv[2], "r");
    if (!f) { perror(argv[2]); return 2; }
    static char line[1 << 16], text[1 << 15], dec[1 << 16];
    int32_t got[4096], want[4096];
    int pass = 0, fail = 0, lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *hex = strtok(line, "\t"), *flags = strtok(NULL, "\t"), *ids = strtok(NULL, "\n");
        if (!hex || !flags) continue;
        size_t n = unhex(hex, text);
        int fl = atoi(flags);
        size_t nw = 0;
        for (char *p = ids ? strtok(ids, " ") : NULL; p; p = strtok(NULL, " ")) want[nw++] = atoi(p);
        long ng = ai_tokenize(t, text, n, fl, got, 4096);
        int ok = ng == (long)nw && !memcmp(got, want, nw * sizeof *got);
        if (!ok) {
            printf("FAIL %s:%d \"%.*s\" flags %d\n  want:", argv[2], lineno, (int)n, text, fl);
            for (size_t i = 0; i < nw; i++) printf(" %d", want[i]);
            printf("\n  got: ");
            for (long i = 0; i < ng && i < 4096; i++) printf(" %d", got[i]);
            printf("\n");
            fail++;
            continue;
        }
        pass++;
        /* Round trip: decoding plain text gives it back (byte fallback
         * included); skipped for cases with control tokens, dropped on decode. */
        if (fl & AI_TOK_PARSE_SPECIAL) continue;
        const int32_t *ids0 = got;
        size_t nd = (size_t)ng;
        if (nd && got[0] == ai_tokenizer_bos(t)) { ids0++; nd--; }
        size_t dl = ai_detokenize(t, ids0, nd, 0, dec, sizeof dec);
        if (dl != n || memcmp(dec, text, n)) {
            printf("FAIL %s:%d decode \"%.*s\" gave \"%.*s\"\n", argv[2], lineno, (int)n, text, (int)dl, dec);
            fail++;
        } else pass++;
    }
    fclose(f);
    ai_tokenizer_free(t);
    ai_gguf_close(g);
    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
