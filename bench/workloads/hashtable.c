/* hashtable.c — an open-addressing hash table of 64-bit keys: inserts,
 * lookups that hit and miss, deletes by tombstone; memory-bound, branchy. */
#include "bench.h"

#define CAP (1 << 18)   /* slots; kept at most half full */
#define EMPTY 0
#define TOMB 1

static uint64_t keys[CAP];
static uint32_t vals[CAP];

static uint32_t slot_of(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return (uint32_t)k & (CAP - 1);
}

static void put(uint64_t k, uint32_t v) {
    uint32_t i = slot_of(k);
    while (keys[i] > TOMB && keys[i] != k) i = (i + 1) & (CAP - 1);
    keys[i] = k, vals[i] = v;
}

static int64_t get(uint64_t k) {
    for (uint32_t i = slot_of(k);; i = (i + 1) & (CAP - 1)) {
        if (keys[i] == k) return vals[i];
        if (keys[i] == EMPTY) return -1;
    }
}

static void del(uint64_t k) {
    for (uint32_t i = slot_of(k);; i = (i + 1) & (CAP - 1)) {
        if (keys[i] == k) {
            keys[i] = TOMB;
            return;
        }
        if (keys[i] == EMPTY) return;
    }
}

BENCH_EXPORT uint64_t run(void) {
    for (uint32_t i = 0; i < CAP; i++) keys[i] = EMPTY, vals[i] = 0;
    uint64_t seed = 0x853c49e6748fea9bull, sum = 0;
    uint32_t n = bench_opaque(100000);
    int rounds = 20;
    for (int r = 0; r < rounds; r++) {
        uint64_t s = seed + (uint64_t)r;
        for (uint32_t i = 0; i < n; i++) put((bench_next(&s) | 2), i);
        s = seed + (uint64_t)r;
        for (uint32_t i = 0; i < n; i++) sum += (uint64_t)get(bench_next(&s) | 2);
        for (uint32_t i = 0; i < n; i++) sum += (uint64_t)get(bench_next(&s) | 2); /* mostly misses */
        s = seed + (uint64_t)r;
        for (uint32_t i = 0; i < n; i++) del(bench_next(&s) | 2);
        if (r % 3 == 2) /* clear the tombstones now and then, as a rehash would */
            for (uint32_t i = 0; i < CAP; i++) keys[i] = keys[i] == TOMB ? EMPTY : keys[i];
    }
    return sum;
}
