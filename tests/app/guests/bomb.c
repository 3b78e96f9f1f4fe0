/* bomb — test guest: grows memory without end and touches every page (the
 * memory cap must stop it: memory.grow fails, then it traps). */
#include <stdint.h>
#include "anywhere.h"
volatile uint32_t grown;
ANYWHERE_HANDLER void anywhere_handle(void) {
    for (;;) {
        size_t old = __builtin_wasm_memory_grow(0, 16); /* 1 MiB */
        if (old == (size_t)-1) __builtin_trap();
        grown += 16;
        uintptr_t base = (uintptr_t)old * 65536u;
        for (uintptr_t off = 0; off < 16u * 65536u; off += 4096u) *(volatile char *)(base + off) = 1;
    }
}
