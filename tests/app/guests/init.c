/* init — test guest with a realistic start-up: a C constructor that logs,
 * fills a heap of about 1 MiB and a table from 100 KiB of data. The host
 * runs _initialize once and snapshots (docs/apps.md); every request must
 * still see the constructor's work and none of an earlier request's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anywhere.h"

/* 100 KiB of non-zero data segments. */
#define K(x) x, x + 1, x + 2, x + 3, x + 4, x + 5, x + 6, x + 7
#define K64(x) K(x), K(x + 8), K(x + 16), K(x + 24), K(x + 32), K(x + 40), K(x + 48), K(x + 56)
#define K512(x) K64(x), K64(x + 64), K64(x + 128), K64(x + 192), K64(x + 256), K64(x + 320), K64(x + 384), K64(x + 448)
static const unsigned data_table[25600] = {K512(1)}; /* 512 set, rest zero... */
static unsigned char blob[102400] = {1};             /* ...made non-zero by the constructor */

static unsigned char *heap;
static size_t heap_len;
static int ctor_runs, requests;
static unsigned long sum;

__attribute__((constructor)) static void setup(void) {
    ctor_runs++;
    fprintf(stderr, "init: constructor ran\n");
    heap_len = 900u << 10;
    heap = malloc(heap_len);
    if (!heap) abort();
    for (size_t i = 0; i < heap_len; i++) heap[i] = (unsigned char)(i * 7);
    for (size_t i = 0; i < sizeof blob; i++) blob[i] = (unsigned char)(i + 1);
    for (size_t i = 0; i < 25600; i++) sum += data_table[i];
}

ANYWHERE_HANDLER void anywhere_handle(void) {
    requests++;
    unsigned long h = 0;
    for (size_t i = 0; i < heap_len; i += 4093) h += heap[i];
    const char *dirty = anywhere_query_get("dirty");
    if (dirty) memset(heap, 0xff, heap_len), memset(blob, 0, sizeof blob);
    anywhere_header("content-type", "text/plain");
    anywhere_printf("ctor_runs=%d requests=%d sum=%lu heap=%lu blob=%u\n", ctor_runs, requests, sum, h,
                    (unsigned)blob[100]);
}
