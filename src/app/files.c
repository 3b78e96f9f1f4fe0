/* files.c — staging and mounting a component's files (see files.h). */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <pthread.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/files.h"

static bool match_segs(const char *pat, const char *path) {
    /* pat and path point at the start of a segment */
    const char *pe = strchr(pat, '/');
    size_t plen = pe ? (size_t)(pe - pat) : strlen(pat);
    if (plen == 2 && !memcmp(pat, "**", 2)) {
        const char *rest = pe ? pe + 1 : "";
        if (!*rest) return true;
        for (const char *p = path;;) {
            if (match_segs(rest, p)) return true;
            p = strchr(p, '/');
            if (!p) return false;
            p++;
        }
    }
    const char *se = strchr(path, '/');
    size_t slen = se ? (size_t)(se - path) : strlen(path);
    char ps[NAME_MAX + 1], ss[NAME_MAX + 1];
    if (plen > NAME_MAX || slen > NAME_MAX) return false;
    memcpy(ps, pat, plen), ps[plen] = 0;
    memcpy(ss, path, slen), ss[slen] = 0;
    if (fnmatch(ps, ss, FNM_PERIOD) != 0) return false;
    if (!pe && !se) return true;
    if (!pe || !se) return false;
    return match_segs(pe + 1, se + 1);
}

bool app_glob_match(const char *pattern, const char *path) {
    while (pattern[0] == '.' && pattern[1] == '/') pattern += 2;
    return match_segs(pattern, path);
}

static int mkdirs(char *path) {
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        int rc = mkdir(path, 0755);
        *p = '/';
        if (rc != 0 && errno != EEXIST) return -1;
    }
    return 0;
}

static int copy_file(const char *from, const char *to) {
    if (link(from, to) == 0) return 0;
    int in = open(from, O_RDONLY | O_CLOEXEC), out = -1;
    if (in < 0) return -1;
    out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    char buf[65536];
    ssize_t n = 0;
    while (out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n) { n = -1; break; }
    close(in);
    if (out >= 0) close(out);
    return out < 0 || n < 0 ? -1 : 0;
}

/* nftw has no user pointer: the walk's state lives here for one call, under
 * a lock (staging happens at startup, so contention is irrelevant). */
static struct {
    const app_component *c;
    const char *root, *staging;
    int errors, count;
} walk;
static pthread_mutex_t walk_lock = PTHREAD_MUTEX_INITIALIZER;

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    (void)st, (void)ftw;
    const char *rel = path + strlen(walk.root);
    while (*rel == '/') rel++;
    if (type == FTW_D) return 0;
    if (type != FTW_F || !*rel) return 0;
    if (!strncmp(rel, ".anywhere/", 10) || !strncmp(rel, ".git/", 5)) return 0;
    bool want = false;
    for (size_t i = 0; i < walk.c->nfiles && !want; i++)
        if (!walk.c->files[i].destination && app_glob_match(walk.c->files[i].source, rel)) want = true;
    for (size_t i = 0; i < walk.c->exclude_files.n && want; i++)
        if (app_glob_match(walk.c->exclude_files.v[i], rel)) want = false;
    if (!want) return 0;
    char to[PATH_MAX];
    snprintf(to, sizeof to, "%s/%s", walk.staging, rel);
    if (mkdirs(to) != 0 || copy_file(path, to) != 0) walk.errors++;
    else walk.count++;
    return 0;
}

static bool add(aw_wasi_preopen **pre, int *n, const char *host, const char *guest) {
    aw_wasi_preopen *g = realloc(*pre, (size_t)(*n + 1) * sizeof *g);
    if (!g) return false;
    *pre = g;
    g[*n] = (aw_wasi_preopen){strdup(host), strdup(guest), true};
    return g[(*n)++].host_path != NULL;
}

bool app_files_mount(const app *a, const app_component *c, aw_wasi_preopen **pre, int *n, char **staging,
                     char *err, size_t errlen) {
    *pre = NULL, *n = 0, *staging = NULL;
    bool need_stage = false;
    for (size_t i = 0; i < c->nfiles; i++) {
        const app_file_mount *m = &c->files[i];
        if (!m->destination) { need_stage = true; continue; }
        char host[PATH_MAX];
        snprintf(host, sizeof host, "%s/%s", a->dir, m->source);
        struct stat st;
        if (stat(host, &st) != 0) {
            snprintf(err, errlen, "component '%s': files source '%s': %s", c->id, m->source, strerror(errno));
            return false;
        }
        if (S_ISDIR(st.st_mode)) {
            if (!add(pre, n, host, m->destination)) goto oom;
        } else {
            need_stage = true;
        }
    }
    if (!need_stage) return true;
    const char *tmp = getenv("TMPDIR");
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/anywhere-files-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        snprintf(err, errlen, "component '%s': cannot create a staging directory: %s", c->id, strerror(errno));
        return false;
    }
    *staging = strdup(dir);
    pthread_mutex_lock(&walk_lock);
    walk.c = c, walk.root = a->dir, walk.staging = dir, walk.errors = 0, walk.count = 0;
    int rc = nftw(a->dir, visit, 32, FTW_PHYS);
    int errors = walk.errors;
    pthread_mutex_unlock(&walk_lock);
    if (rc != 0 || errors) {
        snprintf(err, errlen, "component '%s': staging files failed (%d errors)", c->id, errors);
        return false;
    }
    /* Single files given as {source, destination}. */
    for (size_t i = 0; i < c->nfiles; i++) {
        const app_file_mount *m = &c->files[i];
        if (!m->destination) continue;
        char host[PATH_MAX], to[PATH_MAX];
        snprintf(host, sizeof host, "%s/%s", a->dir, m->source);
        struct stat st;
        if (stat(host, &st) != 0 || S_ISDIR(st.st_mode)) continue;
        snprintf(to, sizeof to, "%s%s", dir, m->destination);
        if (mkdirs(to) != 0 || copy_file(host, to) != 0) {
            snprintf(err, errlen, "component '%s': cannot stage '%s' at '%s'", c->id, m->source, m->destination);
            return false;
        }
    }
    if (!add(pre, n, dir, "/")) goto oom;
    return true;
oom:
    snprintf(err, errlen, "out of memory");
    return false;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    (void)st, (void)type, (void)ftw;
    remove(path);
    return 0;
}

void app_files_free(aw_wasi_preopen *pre, int n, char *staging) {
    for (int i = 0; i < n; i++) free((char *)pre[i].host_path), free((char *)pre[i].guest_path);
    free(pre);
    if (staging) nftw(staging, remove_one, 32, FTW_DEPTH | FTW_PHYS);
    free(staging);
}
