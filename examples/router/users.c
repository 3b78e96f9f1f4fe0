/* users — a handler with route parameters: /users/:id and /users/:id/... */
#include <string.h>

#include "anywhere.h"

ANYWHERE_HANDLER void anywhere_handle(void) {
    const char *id = anywhere_param("id");
    const char *rest = anywhere_path_info();
    anywhere_header("content-type", "application/json");
    if (!id || !*id || strspn(id, "0123456789") != strlen(id)) {
        anywhere_status(400);
        anywhere_write_str("{\"error\":\"id must be a number\"}\n");
        return;
    }
    anywhere_printf("{\"user\":%s,\"rest\":\"%s\",\"route\":\"%s\",\"method\":\"%s\"}\n", id, rest ? rest : "",
                    anywhere_matched_route(), anywhere_method());
}
