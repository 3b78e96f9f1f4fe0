/* hello.c — the smallest WASI command; also what bench/startup.sh times. */
#include <stdio.h>

int main(void) {
    puts("hello, world");
    return 0;
}
