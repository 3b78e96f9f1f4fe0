/* {{project-name}} — an HTTP handler. Every request runs in a fresh
 * instance: allocate freely, nothing leaks into the next request.
 * Build: anywhere build; run: anywhere up; see anywhere.h for the API. */
#include "anywhere.h"

ANYWHERE_HANDLER void anywhere_handle(void) {
    const char *name = anywhere_query_get("name");
    anywhere_header("content-type", "text/plain");
    anywhere_printf("Hello, %s! (%s %s)\n", name ? name : "world", anywhere_method(), anywhere_path());
}
