/* router.h — Spin's HTTP routes: exact ("/cart"), named segments
 * ("/users/:id/edit") and a trailing wildcard ("/static/...", "/..." for
 * everything). When several routes match, the longest matching prefix
 * wins, so an exact route beats a wildcard over the same segments, and a
 * literal segment beats a parameter at the same place. */
#ifndef AW_APP_ROUTER_H
#define AW_APP_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#define ROUTER_MAX_SEGMENTS 64
#define ROUTER_MAX_PARAMS 16

typedef struct router_route router_route;
typedef struct router router;

typedef struct router_param {
    const char *name;  /* from the route (without ':') */
    size_t name_len;
    const char *value; /* points into the request path */
    size_t value_len;
} router_param;

typedef struct router_match {
    int target;               /* what router_add was given */
    const char *raw_route;    /* "/users/:id/..." as written */
    const char *route_prefix; /* the route without "/..." ("/" for "/...") */
    const char *path_info;    /* the part of the path after the route's prefix */
    size_t path_info_len;
    router_param params[ROUTER_MAX_PARAMS];
    size_t nparams;
} router_match;

router *router_new(void);
void router_free(router *r);
/* Adds ROUTE for TARGET. False with a message for a malformed route or
 * one already used (same pattern). */
bool router_add(router *r, const char *route, int target, char *err, size_t errlen);
/* Finds the best route for PATH (without the query). */
bool router_match_path(const router *r, const char *path, size_t len, router_match *m);
/* Checks a route's syntax alone. */
bool router_check(const char *route, char *err, size_t errlen);

#endif
