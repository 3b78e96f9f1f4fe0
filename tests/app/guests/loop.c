/* loop — test guest: never returns (the deadline must stop it). */
#include "anywhere.h"
ANYWHERE_HANDLER void anywhere_handle(void) {
    volatile unsigned n = 0;
    for (;;) n++;
}
