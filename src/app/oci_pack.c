/* oci_pack.c — what goes into an app artifact: the manifest as written,
 * each component's local module, and each file a component mounts (its
 * `files` globs minus `exclude_files`, or {source, destination} trees).
 * Nothing else from the directory is packed, so build inputs and secrets
 * lying next to the app stay behind. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/app.h"
#include "app/files.h"
#include "app/oci.h"
#include "app/oci_pack.h"

/* snprintf that reports whether it fit (and keeps gcc's truncation
 * analysis out of paths that are bounded by the protocol anyway). */
static bool fmt(char *b, size_t n, const char *f, ...) __attribute__((format(printf, 3, 4)));
static bool fmt(char *b, size_t n, const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    int k = vsnprintf(b, n, f, ap);
    va_end(ap);
    return k >= 0 && (size_t)k < n;
}

#define MAX_FILES 20000

void oci_digest_of(const void *data, size_t len, char out[72]) {
    memcpy(out, "sha256:", 7);
    app_sha256_hex(data, len, out + 7);
}

bool oci_title_safe(const char *t) {
    if (!*t || *t == '/' || strlen(t) > 1024) return false;
    for (const char *s = t; *s;) {
        size_t n = strcspn(s, "/");
        if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.')) return false;
        if (memchr(s, '\\', n)) return false;
        s += n;
        if (*s == '/') s++;
        if (!*s && s[-1] == '/') return false;
    }
    return true;
}

static bool read_file(const char *path, uint8_t **data, size_t *len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0) close(fd);
        return false;
    }
    uint8_t *b = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (b && got < (size_t)st.st_size) {
        ssize_t k = read(fd, b + got, (size_t)st.st_size - got);
        if (k <= 0) break;
        got += (size_t)k;
    }
    close(fd);
    if (!b || got != (size_t)st.st_size) { free(b); return false; }
    *data = b, *len = got;
    return true;
}

bool oci_write_file(const char *dir, const char *title, const void *data, size_t len, char *err, size_t errlen) {
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", dir, title) >= (int)sizeof path) {
        snprintf(err, errlen, "%s: path too long", title);
        return false;
    }
    for (char *s = path + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
        *s = 0;
        if (mkdir(path, 0755) != 0 && errno != EEXIST) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            return false;
        }
        *s = '/';
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    bool ok = fd >= 0 && write(fd, data, len) == (ssize_t)len;
    if (fd >= 0 && close(fd) != 0) ok = false;
    if (!ok) snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return ok;
}

typedef struct walker {
    const app *a;
    const char *root;
    char **paths;
    size_t n, cap;
} walker;

/* Every regular file under the app directory except .anywhere/ and .git/. */
static bool walk(walker *w, const char *rel) {
    char path[PATH_MAX];
    fmt(path, sizeof path, "%s%s%s", w->root, *rel ? "/" : "", rel);
    DIR *d = opendir(path);
    if (!d) return true;
    bool ok = true;
    for (struct dirent *e; ok && (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (!*rel && (!strcmp(e->d_name, ".anywhere") || !strcmp(e->d_name, ".git"))) continue;
        char sub[PATH_MAX], full[PATH_MAX];
        fmt(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        fmt(full, sizeof full, "%s/%s", w->root, sub);
        struct stat st;
        if (stat(full, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) ok = walk(w, sub);
        else if (S_ISREG(st.st_mode)) {
            if (w->n == MAX_FILES) { ok = false; break; }
            if (w->n == w->cap) {
                size_t nc = w->cap ? w->cap * 2 : 64;
                char **np = realloc(w->paths, nc * sizeof *np);
                if (!np) { ok = false; break; }
                w->paths = np, w->cap = nc;
            }
            if (!(w->paths[w->n++] = strdup(sub))) ok = false;
        }
    }
    closedir(d);
    return ok;
}

static bool is_mounted(const app_component *c, const char *rel) {
    bool want = false;
    for (size_t i = 0; i < c->nfiles && !want; i++) {
        const app_file_mount *m = &c->files[i];
        if (!m->destination) want = app_glob_match(m->source, rel);
        else {
            size_t n = strlen(m->source);
            while (n && m->source[n - 1] == '/') n--;
            const char *src = m->source;
            if (n >= 2 && !strncmp(src, "./", 2)) src += 2, n -= 2;
            want = !strncmp(rel, src, n) && (rel[n] == 0 || rel[n] == '/');
        }
    }
    for (size_t i = 0; i < c->exclude_files.n && want; i++)
        if (app_glob_match(c->exclude_files.v[i], rel)) want = false;
    return want;
}

static int by_name(const void *x, const void *y) { return strcmp(*(char *const *)x, *(char *const *)y); }

static bool add_blob(oci_pack *p, const char *media, const char *title, uint8_t *data, size_t len) {
    oci_blob *v = realloc(p->v, (p->n + 1) * sizeof *v);
    if (!v) return false;
    p->v = v;
    oci_blob *b = &v[p->n];
    *b = (oci_blob){.media_type = media, .title = strdup(title), .data = data, .len = len};
    if (!b->title) return false;
    oci_digest_of(data, len, b->digest);
    p->n++;
    return true;
}

bool oci_pack_dir(const char *dir, oci_pack *p, char *err, size_t errlen) {
    memset(p, 0, sizeof *p);
    app *a = app_load(dir, err, errlen);
    if (!a) return false;
    walker w = {.a = a, .root = a->dir};
    bool ok = walk(&w, "");
    if (!ok) snprintf(err, errlen, "%s: too many files or out of memory while packing", a->dir);
    qsort(w.paths, w.n, sizeof *w.paths, by_name);
    char *used = calloc(w.n + 1, 1);
    size_t rootlen = strlen(a->dir);
    const char *manifest_rel = a->manifest;
    char real[PATH_MAX];
    if (realpath(a->manifest, real)) manifest_rel = real;
    if (!strncmp(manifest_rel, a->dir, rootlen) && manifest_rel[rootlen] == '/') manifest_rel += rootlen + 1;
    else manifest_rel = "spin.toml";
    uint8_t *data;
    size_t len;
    /* The manifest is always stored as spin.toml at the artifact's root. */
    if (ok && !(ok = read_file(a->manifest, &data, &len) && add_blob(p, OCI_APP_MANIFEST_MEDIA_TYPE, "spin.toml", data, len)))
        snprintf(err, errlen, "%s: cannot read", a->manifest);
    for (size_t i = 0; ok && i < w.n; i++)
        if (!strcmp(w.paths[i], manifest_rel)) used[i] = 1;
    for (size_t c = 0; ok && c < a->ncomponents; c++) {
        const app_component *comp = &a->components[c];
        if (comp->url) continue; /* {url, digest}: fetched and verified at run time */
        char rp[PATH_MAX];
        const char *src = realpath(comp->path, rp) ? rp : comp->path;
        if (strncmp(src, a->dir, rootlen) || src[rootlen] != '/') {
            snprintf(err, errlen, "component '%s': source '%s' is outside the app directory %s; "
                     "an artifact holds only files under it", comp->id, comp->path, a->dir);
            ok = false;
            break;
        }
        const char *rel = src + rootlen + 1;
        size_t k = 0;
        while (k < w.n && strcmp(w.paths[k], rel)) k++;
        if (k == w.n) {
            snprintf(err, errlen, "component '%s': source '%s' not found%s", comp->id, rel,
                     comp->build_command ? " (run `anywhere build` first?)" : "");
            ok = false;
            break;
        }
        if (used[k]) continue;
        used[k] = 1;
        if (!(ok = read_file(comp->path, &data, &len) && add_blob(p, OCI_WASM_LAYER_MEDIA_TYPE, rel, data, len)))
            snprintf(err, errlen, "%s: cannot read", comp->path);
    }
    for (size_t i = 0; ok && i < w.n; i++) {
        if (used[i]) continue;
        bool mounted = false;
        for (size_t c = 0; c < a->ncomponents && !mounted; c++) mounted = is_mounted(&a->components[c], w.paths[i]);
        if (!mounted) continue;
        char full[PATH_MAX];
        fmt(full, sizeof full, "%s/%s", a->dir, w.paths[i]);
        if (!(ok = read_file(full, &data, &len) && add_blob(p, OCI_DATA_LAYER_MEDIA_TYPE, w.paths[i], data, len)))
            snprintf(err, errlen, "%s: cannot read", full);
    }
    if (ok) {
        p->name = strdup(a->name ? a->name : "app");
        p->version = a->version ? strdup(a->version) : NULL;
    }
    for (size_t i = 0; i < w.n; i++) free(w.paths[i]);
    free(w.paths);
    free(used);
    app_free(a);
    if (!ok) oci_pack_free(p);
    return ok;
}

void oci_pack_free(oci_pack *p) {
    for (size_t i = 0; i < p->n; i++) free(p->v[i].title), free(p->v[i].data);
    free(p->v), free(p->name), free(p->version);
    memset(p, 0, sizeof *p);
}
