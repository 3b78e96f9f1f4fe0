/* test_router.c — Spin route matching: exact, parameters, wildcards,
 * longest prefix, and malformed routes; glob matching for `files`. */
#include <stdio.h>
#include <string.h>

#include "app/files.h"
#include "app/router.h"

static int pass, fail;

static void expect(router *r, const char *path, int target, const char *path_info) {
    router_match m;
    bool ok = router_match_path(r, path, strlen(path), &m);
    int got = ok ? m.target : -1;
    bool good = got == target;
    if (good && ok && path_info) good = m.path_info_len == strlen(path_info) && !memcmp(m.path_info, path_info, m.path_info_len);
    if (good) pass++;
    else {
        fail++;
        printf("FAIL %s: target %d (want %d), path_info '%.*s' (want '%s')\n", path, got, target,
               ok ? (int)m.path_info_len : 0, ok ? m.path_info : "", path_info ? path_info : "");
    }
}

static void check(bool cond, const char *what) {
    if (cond) pass++;
    else fail++, printf("FAIL %s\n", what);
}

int main(void) {
    char err[256];
    router *r = router_new();
    const char *routes[] = {"/...", "/hello", "/hello/...", "/users/:id", "/users/:id/edit", "/users/me",
                            "/static/...", "/a/:x/c/..."};
    for (int i = 0; i < 8; i++) check(router_add(r, routes[i], i, err, sizeof err), routes[i]);
    expect(r, "/", 0, "/");
    expect(r, "/nothing/here", 0, "/nothing/here");
    expect(r, "/hello", 1, "");
    expect(r, "/hello/", 1, "");
    expect(r, "/hello/world", 2, "/world");
    expect(r, "/hellox", 0, "/hellox");
    expect(r, "/users/7", 3, "");
    expect(r, "/users/me", 5, "");
    expect(r, "/users/7/edit", 4, "");
    expect(r, "/users/7/view", 0, NULL);
    expect(r, "/static", 6, "");
    expect(r, "/static/css/site.css", 6, "/css/site.css");
    expect(r, "/a/b/c", 7, "");
    expect(r, "/a/b/c/d/e", 7, "/d/e");
    router_match m;
    check(router_match_path(r, "/users/42/edit", 14, &m) && m.nparams == 1 && m.params[0].value_len == 2 &&
              !memcmp(m.params[0].value, "42", 2) && !strcmp(m.raw_route, "/users/:id/edit"), "param value");
    check(router_match_path(r, "/hello/x", 8, &m) && !strcmp(m.route_prefix, "/hello") && !strcmp(m.raw_route, "/hello/..."),
          "route prefix");
    check(!router_add(r, "/users/:other", 9, err, sizeof err), "same shape rejected");
    check(!router_add(r, "hello", 9, err, sizeof err), "no leading slash rejected");
    check(!router_add(r, "/a//b", 9, err, sizeof err), "empty segment rejected");
    check(!router_add(r, "/a/.../b", 9, err, sizeof err), "inner wildcard rejected");
    check(!router_add(r, "/a/:", 9, err, sizeof err), "unnamed parameter rejected");
    router_free(r);

    router *only = router_new();
    check(router_add(only, "/api", 0, err, sizeof err), "add /api");
    expect(only, "/", -1, NULL);
    expect(only, "/api/x", -1, NULL);
    router_free(only);

    check(app_glob_match("static/*.txt", "static/a.txt"), "glob *");
    check(!app_glob_match("static/*.txt", "static/sub/a.txt"), "glob * stays in a segment");
    check(app_glob_match("static/**/*.txt", "static/sub/deep/a.txt"), "glob **");
    check(app_glob_match("static/**/*.txt", "static/a.txt"), "glob ** matches no segment");
    check(app_glob_match("**", "x/y/z"), "glob ** alone");
    check(!app_glob_match("*.txt", ".hidden.txt"), "glob * skips dot files");
    check(app_glob_match("./a?c", "abc"), "glob ./ and ?");
    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
