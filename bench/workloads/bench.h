/* bench.h — what every workload shares. A workload is one C file that
 * defines `uint64_t run(void)`: it does a fixed amount of work and returns
 * a checksum that the native and the wasm32 builds must agree on. run()
 * must give the same result every time it is called (it resets its own
 * state), because the harnesses call it several times and keep the best
 * time. Under wasm32 it is exported as "run". */
#ifndef BENCH_H
#define BENCH_H
#include <stdint.h>

#ifdef __wasm__
#define BENCH_EXPORT __attribute__((export_name("run")))
#else
#define BENCH_EXPORT
#endif

uint64_t run(void);

/* A small deterministic generator, so that no workload needs libc's rand. */
static inline uint64_t bench_next(uint64_t *state) {
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

/* Keeps the optimiser from computing an input at compile time. */
static inline uint32_t bench_opaque(uint32_t x) {
    volatile uint32_t v = x;
    return v;
}
#endif
