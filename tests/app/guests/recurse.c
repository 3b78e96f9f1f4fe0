/* recurse — test guest: unbounded recursion (call stack exhausted). */
#include "anywhere.h"
volatile int depth;
__attribute__((noinline)) int deep(int n) {
    depth = n;
    if (depth < 0) return 0; /* never: keeps the recursion unbounded */
    return deep(n + 1) + depth;
}
ANYWHERE_HANDLER void anywhere_handle(void) {
    anywhere_printf("%d\n", deep(1));
}
