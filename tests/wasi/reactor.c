/* reactor.c — a WASI reactor (built with -mexec-model=reactor): no
 * _start; _initialize runs the constructors, then the host calls exports.
 * `anywhere run --invoke add reactor.wasm 2` prints 42 only if
 * _initialize ran first. */
#include <stdio.h>

static int base;

__attribute__((constructor)) static void init(void) { base = 40; }

__attribute__((export_name("add"))) int add(int x) { return base + x; }

__attribute__((export_name("greet"))) void greet(void) { printf("hello from a reactor\n"); fflush(stdout); }

__attribute__((export_name("spin"))) void spin(void) {
    for (volatile int i = 0;; i++) {
    }
}
