/* hello — the smallest Anywhere HTTP handler (native ABI, C SDK). */
#include "anywhere.h"

ANYWHERE_HANDLER void anywhere_handle(void) {
    anywhere_header("content-type", "text/plain");
    anywhere_write_str("Hello from Anywhere!\n");
}
