/* echo — test guest: reports what the native ABI gives it. */
#include <stdlib.h>
#include <string.h>

#include "anywhere.h"

ANYWHERE_HANDLER void anywhere_handle(void) {
    const char *st = anywhere_query_get("status");
    if (st) anywhere_status(atoi(st));
    anywhere_header("content-type", "text/plain");
    anywhere_header("x-echo", "1");
    if (anywhere_header("bad name", "x") == 0) anywhere_write_str("header check failed\n");
    anywhere_printf("method=%s\npath=%s\nquery=%s\npath_info=%s\nroute=%s\nurl=%s\n", anywhere_method(),
                    anywhere_path(), anywhere_query(), anywhere_path_info(), anywhere_matched_route(),
                    anywhere_full_url());
    int np = anywhere_abi_request_get(ANYWHERE_PARAM_COUNT, 0, 0, 0);
    for (int i = 0; i < np; i++)
        anywhere_printf("param %s=%s\n", anywhere_get(ANYWHERE_PARAM_NAME, i, 0), anywhere_get(ANYWHERE_PARAM_VALUE, i, 0));
    const char *h = anywhere_header_get("X-Test");
    anywhere_printf("x-test=%s\n", h ? h : "(none)");
    size_t len;
    const char *body = anywhere_body(&len);
    anywhere_printf("body_len=%zu\n", len);
    if (len) { anywhere_write_str("body="); anywhere_write(body, len); anywhere_write_str("\n"); }
    static int counter; /* must be 1 on every request: fresh instances */
    anywhere_printf("counter=%d\n", ++counter);
}
