/* http_chunked.c — the chunked transfer coding (RFC 9112 7.1) decoded as a
 * state machine over whatever bytes have arrived, moving data in place. */
#include "http/http.h"

enum { SIZE, SIZE_EXT, SIZE_LF, DATA, DATA_CR, DATA_LF, TRAILER_START, TRAILER_LINE, TRAILER_LF, DONE };

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') return (c | 0x20) - 'a' + 10;
    return -1;
}

long http_chunked_decode(http_chunked *d, const char *src, size_t n, char *dst, size_t *out, int *done) {
    size_t i = 0, w = 0;
    *done = d->state == DONE;
    while (i < n && d->state != DONE) {
        char c = src[i];
        switch (d->state) {
        case SIZE: {
            int v = hexval(c);
            if (v >= 0) {
                if (++d->digits > 15) return -1; /* a size we could not hold */
                d->left = d->left * 16 + (uint64_t)v;
                i++;
                break;
            }
            if (d->digits == 0) return -1;
            d->state = SIZE_EXT; /* extensions (";name=value") and whitespace are skipped */
            break;
        }
        case SIZE_EXT:
            if (c == '\r') d->state = SIZE_LF;
            else if (c == '\n') d->state = d->left ? DATA : TRAILER_START;
            else if (c != ';' && c != ' ' && c != '\t' && (unsigned char)c < 0x21) return -1;
            i++;
            break;
        case SIZE_LF:
            if (c != '\n') return -1;
            d->state = d->left ? DATA : TRAILER_START;
            i++;
            break;
        case DATA: {
            size_t take = n - i;
            if (take > d->left) take = (size_t)d->left;
            for (size_t k = 0; k < take; k++) dst[w + k] = src[i + k]; /* dst <= src: forward copy is safe */
            w += take;
            i += take;
            d->left -= take;
            if (d->left == 0) d->state = DATA_CR;
            break;
        }
        case DATA_CR:
            if (c == '\r') d->state = DATA_LF;
            else if (c == '\n') { d->state = SIZE; d->digits = 0; }
            else return -1;
            i++;
            break;
        case DATA_LF:
            if (c != '\n') return -1;
            d->state = SIZE;
            d->digits = 0;
            i++;
            break;
        case TRAILER_START: /* an empty line ends the body; other lines are trailers, ignored */
            if (c == '\r') d->state = TRAILER_LF;
            else if (c == '\n') d->state = DONE;
            else d->state = TRAILER_LINE;
            i++;
            break;
        case TRAILER_LINE:
            if (c == '\n') d->state = TRAILER_START;
            i++;
            break;
        case TRAILER_LF:
            if (c != '\n') return -1;
            d->state = DONE;
            i++;
            break;
        }
    }
    *out = w;
    *done = d->state == DONE;
    return (long)i;
}
