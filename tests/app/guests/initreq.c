/* initreq — test guest whose constructor asks for the request: there is
 * none while the host snapshots _initialize, so the host must fall back to
 * running _initialize per request (and say so at startup). */
#include <string.h>

#include "anywhere.h"

static char method[16];

__attribute__((constructor)) static void setup(void) {
    const char *m = anywhere_method();
    strncpy(method, m ? m : "?", sizeof method - 1);
}

ANYWHERE_HANDLER void anywhere_handle(void) {
    anywhere_header("content-type", "text/plain");
    anywhere_printf("ctor saw method=%s\n", method);
}
