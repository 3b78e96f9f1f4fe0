/* matmul.c — double-precision matrix multiply, C = A * B, naive i-k-j
 * order over 160x160 matrices, repeated. */
#include "bench.h"

#define N 160
static double a[N][N], b[N][N], c[N][N];

BENCH_EXPORT uint64_t run(void) {
    uint64_t seed = 88172645463325252ull;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            a[i][j] = (double)(bench_next(&seed) % 1000) / 100.0;
            b[i][j] = (double)(bench_next(&seed) % 1000) / 100.0;
        }
    double trace = 0;
    int reps = (int)bench_opaque(80);
    for (int r = 0; r < reps; r++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) c[i][j] = 0;
        for (int i = 0; i < N; i++)
            for (int k = 0; k < N; k++) {
                double aik = a[i][k];
                for (int j = 0; j < N; j++) c[i][j] += aik * b[k][j];
            }
        trace += c[r % N][(r * 7) % N];
        a[r % N][r % N] += 1.0; /* each round differs */
    }
    /* The checksum holds the exact result: both builds round alike. */
    union { double d; uint64_t u; } bits = {trace};
    return bits.u;
}
