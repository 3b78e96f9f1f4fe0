/*
 * fib.c — the smallest useful guest: a recursive Fibonacci, exported as
 * `fib`. Built to examples/fib/fib.wasm by `make` (mk/examples.mk) with
 * clang --target=wasm32, without a libc:
 *
 *   build/anywhere run --invoke fib examples/fib/fib.wasm 30    # prints 832040
 */
__attribute__((export_name("fib"))) int fib(int n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
