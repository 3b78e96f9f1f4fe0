/* variables.c — anywhere_variables_v1: a component reads its own
 * `variables` (templates expanded from the app's [variables] at startup).
 *
 *   get(name, name_len, buf, cap) -> len | -1 (no such variable)
 *
 * As in Spin, a component sees only the variables its manifest section
 * declares; app variables it does not reference stay hidden. */
#include <string.h>

#include "host/internal.h"

static int h_get(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    host_call *k = host_call_of(c);
    uint32_t nlen = (uint32_t)slots[1];
    const char *name = (const char *)host_mem(c, (uint32_t)slots[0], nlen);
    if (!name) return aw_caller_trap(c, "anywhere_variables_v1.get: name outside memory");
    if (!k) { slots[0] = (uint32_t)HOST_ERR_DENIED; return 0; }
    const host_grants *g = k->g;
    for (size_t i = 0; i < g->nvars; i++)
        if (strlen(g->var_names[i]) == nlen && !memcmp(g->var_names[i], name, nlen))
            return host_give(c, (uint32_t)slots[2], (uint32_t)slots[3], g->var_values[i], strlen(g->var_values[i]), 0, slots);
    slots[0] = (uint32_t)host_fail(k, HOST_ERR_ABSENT, "no variable '%.*s' in component '%s'", (int)(nlen > 100 ? 100 : nlen),
                                    name, g->component);
    return 0;
}

bool host_define_variables(aw_linker *l) {
    static const aw_valtype i4[4] = {AW_I32, AW_I32, AW_I32, AW_I32};
    return aw_linker_define_func(l, "anywhere_variables_v1", "get", i4, 4, i4, 1, h_get, NULL);
}
