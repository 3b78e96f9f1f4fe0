/* sort.c — memcpy and qsort from the C library: fills an array, copies it
 * around, sorts it with a comparison callback (indirect calls). */
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define N (1 << 18)
static uint32_t src[N], dst[N];

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

BENCH_EXPORT uint64_t run(void) {
    uint64_t seed = 0xda942042e4dd58b5ull, sum = 0;
    for (uint32_t i = 0; i < N; i++) src[i] = (uint32_t)bench_next(&seed);
    int rounds = (int)bench_opaque(4);
    for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < 20; k++) { /* memcpy: whole array, then shifting halves */
            memcpy(dst, src, sizeof src);
            memcpy(src + (k & 1), dst, sizeof src / 2);
        }
        src[r] ^= (uint32_t)r;
        memcpy(dst, src, sizeof src);
        qsort(dst, N, sizeof dst[0], cmp_u32);
        for (uint32_t i = 0; i < N; i += 997) sum = sum * 31 + dst[i];
    }
    return sum;
}
