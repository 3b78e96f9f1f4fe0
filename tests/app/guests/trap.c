/* trap — test guest: traps (unreachable). */
#include "anywhere.h"
ANYWHERE_HANDLER void anywhere_handle(void) {
    anywhere_write_str("partial");
    __builtin_trap();
}
