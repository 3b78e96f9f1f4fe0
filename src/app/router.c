/* router.c — matching request paths against Spin routes.
 *
 * Routes are few (one per component, usually): a linear scan that scores
 * every match is simpler than a trie and fast enough (tens of ns). The
 * score orders by matched segments, then exact before wildcard, then by
 * literal segments from the left. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/router.h"

typedef struct seg {
    char *text; /* literal text, or the parameter name */
    size_t len;
    bool param;
} seg;

struct router_route {
    char *raw, *prefix;
    seg *segs;
    size_t nsegs;
    bool wildcard;
    int target;
};

struct router {
    router_route *routes;
    size_t n;
};

router *router_new(void) { return calloc(1, sizeof(router)); }

void router_free(router *r) {
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) {
        for (size_t j = 0; j < r->routes[i].nsegs; j++) free(r->routes[i].segs[j].text);
        free(r->routes[i].segs);
        free(r->routes[i].raw);
        free(r->routes[i].prefix);
    }
    free(r->routes);
    free(r);
}

/* Splits ROUTE into segments; the caller frees them. */
static bool parse(const char *route, router_route *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    if (route[0] != '/') {
        snprintf(err, errlen, "route '%s' must start with '/'", route);
        return false;
    }
    size_t len = strlen(route);
    const char *end = route + len;
    if (len >= 4 && !strcmp(end - 4, "/...")) out->wildcard = true, end -= 4;
    else if (!strcmp(route, "/...")) out->wildcard = true, end = route;
    out->segs = calloc(ROUTER_MAX_SEGMENTS, sizeof(seg));
    if (!out->segs) return false;
    const char *p = route;
    /* "/" alone (or the empty prefix of "/...") has no segments. A trailing
     * slash on a longer route is ignored, as Spin does. */
    while (p < end) {
        p++; /* the '/' */
        const char *s = p;
        while (p < end && *p != '/') p++;
        size_t n = (size_t)(p - s);
        if (n == 0 && p == end) break;
        if (n == 0) {
            snprintf(err, errlen, "route '%s' has an empty segment", route);
            return false;
        }
        if (memchr(s, '?', n) || memchr(s, '#', n) || (n == 3 && !memcmp(s, "...", 3))) {
            snprintf(err, errlen, "route '%s': '...' may only end a route, and '?' or '#' cannot appear", route);
            return false;
        }
        if (out->nsegs == ROUTER_MAX_SEGMENTS) {
            snprintf(err, errlen, "route '%s' has more than %d segments", route, ROUTER_MAX_SEGMENTS);
            return false;
        }
        seg *g = &out->segs[out->nsegs++];
        g->param = s[0] == ':';
        if (g->param && n == 1) {
            snprintf(err, errlen, "route '%s' has a parameter without a name", route);
            return false;
        }
        if (g->param) s++, n--;
        g->text = strndup(s, n);
        g->len = n;
        if (!g->text) return false;
    }
    out->raw = strdup(route);
    size_t plen = (size_t)(end - route);
    out->prefix = plen ? strndup(route, plen) : strdup("/");
    return out->raw && out->prefix;
}

static void route_clear(router_route *r) {
    if (r->segs)
        for (size_t j = 0; j < r->nsegs; j++) free(r->segs[j].text);
    free(r->segs);
    free(r->raw);
    free(r->prefix);
}

bool router_check(const char *route, char *err, size_t errlen) {
    router_route r;
    bool ok = parse(route, &r, err, errlen);
    route_clear(&r);
    return ok;
}

/* Two routes with the same shape would be ambiguous: "/a/:x" and "/a/:y". */
static bool same_shape(const router_route *a, const router_route *b) {
    if (a->wildcard != b->wildcard || a->nsegs != b->nsegs) return false;
    for (size_t i = 0; i < a->nsegs; i++) {
        if (a->segs[i].param != b->segs[i].param) return false;
        if (!a->segs[i].param && (a->segs[i].len != b->segs[i].len || memcmp(a->segs[i].text, b->segs[i].text, a->segs[i].len)))
            return false;
    }
    return true;
}

bool router_add(router *r, const char *route, int target, char *err, size_t errlen) {
    router_route nr;
    if (!parse(route, &nr, err, errlen)) {
        route_clear(&nr);
        return false;
    }
    for (size_t i = 0; i < r->n; i++) {
        if (same_shape(&r->routes[i], &nr)) {
            snprintf(err, errlen, "route '%s' overlaps route '%s' exactly", route, r->routes[i].raw);
            route_clear(&nr);
            return false;
        }
    }
    router_route *grown = realloc(r->routes, (r->n + 1) * sizeof *grown);
    if (!grown) {
        route_clear(&nr);
        snprintf(err, errlen, "out of memory");
        return false;
    }
    nr.target = target;
    r->routes = grown;
    r->routes[r->n++] = nr;
    return true;
}

/* Score of a match: higher is better. */
static uint64_t score(const router_route *rt) {
    uint64_t lit = 0;
    for (size_t i = 0; i < rt->nsegs && i < 48; i++)
        if (!rt->segs[i].param) lit |= (uint64_t)1 << (47 - i);
    return ((uint64_t)rt->nsegs << 56) | ((uint64_t)!rt->wildcard << 55) | lit;
}

/* Does RT match path segments? Fills params and path_info in M. */
static bool try_route(const router_route *rt, const char *path, size_t len, router_match *m) {
    const char *p = path, *end = path + len;
    size_t np = 0;
    for (size_t i = 0; i < rt->nsegs; i++) {
        if (p >= end || *p != '/') return false;
        const char *s = ++p;
        while (p < end && *p != '/') p++;
        size_t n = (size_t)(p - s);
        const seg *g = &rt->segs[i];
        if (g->param) {
            if (n == 0) return false;
            if (np < ROUTER_MAX_PARAMS)
                m->params[np++] = (router_param){g->text, g->len, s, n};
        } else if (n != g->len || memcmp(s, g->text, n)) {
            return false;
        }
    }
    /* What is left: nothing (or a lone "/") for an exact route. */
    if (!rt->wildcard && !(p == end || (p + 1 == end && *p == '/'))) return false;
    if (rt->wildcard && p < end && *p != '/') return false;
    m->nparams = np;
    m->path_info = p;
    m->path_info_len = (size_t)(end - p);
    return true;
}

bool router_match_path(const router *r, const char *path, size_t len, router_match *m) {
    const router_route *best = NULL;
    uint64_t best_score = 0;
    router_match tmp;
    for (size_t i = 0; i < r->n; i++) {
        const router_route *rt = &r->routes[i];
        uint64_t sc = score(rt);
        if (best && sc <= best_score) continue;
        if (!try_route(rt, path, len, &tmp)) continue;
        best = rt, best_score = sc, *m = tmp;
    }
    if (!best) return false;
    m->target = best->target;
    m->raw_route = best->raw;
    m->route_prefix = best->prefix;
    if (!best->wildcard) m->path_info_len = 0;
    return true;
}
