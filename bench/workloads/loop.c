/* loop.c — a tight integer loop: a dependent chain of shifts, xors, adds
 * and a multiply, which no compiler can turn into a closed form. */
#include "bench.h"

BENCH_EXPORT uint64_t run(void) {
    uint64_t x = 0x9E3779B97F4A7C15ull, sum = 0;
    uint32_t n = bench_opaque(60000000);
    for (uint32_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        sum += (x & 0xffff) * (i | 1);
    }
    return sum ^ x;
}
