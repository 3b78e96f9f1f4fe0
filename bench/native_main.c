/*
 * native_main.c — the native harness: links with one workload (gcc -O2)
 * and calls its run() REPS times, printing the best time in seconds and
 * the checksum: "SECONDS CHECKSUM".
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "workloads/bench.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    int reps = argc > 1 ? atoi(argv[1]) : 3;
    if (reps < 1) reps = 1;
    double best = 1e30;
    uint64_t sum = 0;
    for (int i = 0; i < reps; i++) {
        double t0 = now();
        uint64_t s = run();
        double t = now() - t0;
        if (i > 0 && s != sum) {
            fprintf(stderr, "run() is not repeatable: %llu then %llu\n", (unsigned long long)sum,
                    (unsigned long long)s);
            return 1;
        }
        sum = s;
        if (t < best) best = t;
    }
    printf("%.6f %llu\n", best, (unsigned long long)sum);
    return 0;
}
