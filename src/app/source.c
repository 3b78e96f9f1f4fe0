/* source.c — a component's module file: a local path, or {url, digest}
 * fetched once into DIR/.anywhere/cache/sha256-<hex> and checked against
 * the digest every time it is used. Downloading runs curl (Debian's curl
 * package); offline, put the file in the cache by hand. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/app.h"

extern char **environ;

static bool digest_ok(const char *path, const char *want_hex, char *got, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(n > 0 ? (size_t)n : 1);
    bool ok = buf && fread(buf, 1, (size_t)n, f) == (size_t)n;
    fclose(f);
    if (ok) app_sha256_hex(buf, (size_t)n, got);
    free(buf);
    if (!ok) snprintf(err, errlen, "%s: cannot read", path);
    return ok && !strcasecmp(got, want_hex);
}

static int run_curl(const char *url, const char *out) {
    char *argv[] = {"curl", "-fsSL", "--max-time", "120", "-o", (char *)out, (char *)url, NULL};
    pid_t pid;
    if (posix_spawnp(&pid, "curl", NULL, NULL, argv, environ) != 0) return -1;
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

bool app_fetch_source(const app *a, app_component *c, char *err, size_t errlen) {
    if (!c->url) {
        if (access(c->path, R_OK) != 0) {
            snprintf(err, errlen, "component '%s': source '%s': %s%s", c->id, c->path, strerror(errno),
                     c->build_command ? " (run `anywhere build` first?)" : "");
            return false;
        }
        return true;
    }
    const char *hex = c->digest + 7;
    char dir[4096], path[4200], tmp[4300], got[65];
    snprintf(dir, sizeof dir, "%s/.anywhere/cache", a->dir);
    snprintf(path, sizeof path, "%s/sha256-%s", dir, hex);
    if (access(path, R_OK) == 0) {
        if (digest_ok(path, hex, got, err, errlen)) goto done;
        unlink(path); /* corrupt: fetch again */
    }
    char parent[4120];
    snprintf(parent, sizeof parent, "%s/.anywhere", a->dir);
    mkdir(parent, 0755);
    mkdir(dir, 0755);
    snprintf(tmp, sizeof tmp, "%s.part%d", path, (int)getpid());
    int rc = run_curl(c->url, tmp);
    if (rc != 0) {
        unlink(tmp);
        snprintf(err, errlen,
                 "component '%s': cannot download %s (curl %s %d; offline?). Download it elsewhere and copy it to %s",
                 c->id, c->url, rc < 0 ? "could not start:" : "exit code", rc, path);
        return false;
    }
    if (!digest_ok(tmp, hex, got, err, errlen)) {
        unlink(tmp);
        snprintf(err, errlen, "component '%s': %s has sha256:%s, but the manifest says %s", c->id, c->url, got, c->digest);
        return false;
    }
    if (rename(tmp, path) != 0) {
        snprintf(err, errlen, "component '%s': cannot store %s: %s", c->id, path, strerror(errno));
        return false;
    }
done:
    free(c->path);
    c->path = strdup(path);
    return c->path != NULL;
}
