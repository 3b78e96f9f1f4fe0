/*
 * aot_cache.c — the compiled tier's disk cache of artifacts
 * (aw_module_load_cached): one .cwasm per module, options, engine version
 * and CPU, so that the second start of a module loads its code instead of
 * compiling it, without loading LLVM at all.
 *
 * Entries are written atomically (a temporary file renamed over the name),
 * so a reader sees a whole artifact or none; a corrupt or stale one fails
 * aot_file.c's checks and is compiled again and replaced. The cache is
 * kept under ANYWHERE_CACHE_MAX_MB (default 1024) by deleting the least
 * recently used entries (a hit touches its entry) after each store.
 *
 * AW_DEBUG_TIER=1 reports hits, misses and stores on stderr.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "anywhere/compile.h"
#include "wasm/sha256.h"
#include "wasm/aot.h"

static bool debug(void) {
    const char *e = getenv("AW_DEBUG_TIER");
    return e && *e && strcmp(e, "0") != 0;
}

static bool make_dirs(char *path) {
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        int rc = mkdir(path, 0755);
        *p = '/';
        if (rc && errno != EEXIST) return false;
    }
    return mkdir(path, 0755) == 0 || errno == EEXIST;
}

bool aw_cache_dir(char *out, size_t size) {
    const char *d = getenv("ANYWHERE_CACHE_DIR"), *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
    int n;
    if (d && *d) n = snprintf(out, size, "%s", d);
    else if (x && *x) n = snprintf(out, size, "%s/anywhere", x);
    else if (h && *h) n = snprintf(out, size, "%s/.cache/anywhere", h);
    else return false;
    return n > 0 && (size_t)n < size;
}

/* The entry's name: SHA-256 of the module, then of everything else the
 * code depends on (engine, CPU, options). */
static void entry_path(char *out, size_t size, const char *dir, const uint8_t *bytes, size_t len,
                       const aw_load_options *opts) {
    uint8_t h[32], k[32];
    char key[512], hex[2 * 32 + 1 + 16 + 1];
    wasm_sha256(bytes, len, h);
    int n = snprintf(key, sizeof key, "%s|%s|%d|%d|%d|%s|%s", wasm_aot_engine_version(),
                     wasm_aot_cpu_fingerprint(), opts->explicit_bounds_checks, opts->opt_level,
                     opts->unchecked_loops, getenv("AW_LLVM_OPT") ? getenv("AW_LLVM_OPT") : "",
                     getenv("AW_LLVM_EXPLICIT_BOUNDS") ? "b" : "");
    wasm_sha256((const uint8_t *)key, (size_t)n, k);
    for (int i = 0; i < 32; i++) sprintf(hex + 2 * i, "%02x", h[i]);
    hex[64] = '-';
    for (int i = 0; i < 8; i++) sprintf(hex + 65 + 2 * i, "%02x", k[i]);
    snprintf(out, size, "%s/%s.cwasm", dir, hex);
}

static uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    struct stat st;
    uint8_t *buf = NULL;
    if (fstat(fileno(f), &st) == 0 && st.st_size > 0) {
        buf = malloc((size_t)st.st_size);
        if (buf && fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
            free(buf);
            buf = NULL;
        }
        *len = (size_t)st.st_size;
    }
    fclose(f);
    return buf;
}

static bool write_atomic(const char *path, const uint8_t *data, size_t len) {
    char tmp[PATH_MAX + 192];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return false;
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w <= 0) break;
        done += (size_t)w;
    }
    bool ok = done == len && close(fd) == 0;
    if (done != len) close(fd);
    if (ok && rename(tmp, path) == 0) return true;
    unlink(tmp);
    return false;
}

typedef struct entry {
    char name[300];
    off_t size;
    time_t mtime;
} entry;

static int by_age(const void *a, const void *b) {
    const entry *x = a, *y = b;
    return x->mtime < y->mtime ? -1 : x->mtime > y->mtime;
}

/* Deletes the least recently used entries until the cache fits its cap. */
static void evict(const char *dir, const char *keep) {
    const char *env = getenv("ANYWHERE_CACHE_MAX_MB");
    unsigned long long cap = (env && *env ? strtoull(env, NULL, 10) : 1024ull) << 20;
    DIR *d = opendir(dir);
    if (!d) return;
    entry *es = NULL;
    size_t n = 0, cap_n = 0;
    unsigned long long total = 0;
    for (struct dirent *de; (de = readdir(d));) {
        size_t l = strlen(de->d_name);
        if (l < 6 || l >= sizeof es->name || strcmp(de->d_name + l - 6, ".cwasm")) continue;
        char p[PATH_MAX + 320];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        if (stat(p, &st) != 0) continue;
        if (n == cap_n) {
            entry *grown = realloc(es, (cap_n = cap_n ? 2 * cap_n : 64) * sizeof *es);
            if (!grown) break;
            es = grown;
        }
        snprintf(es[n].name, sizeof es[n].name, "%s", de->d_name);
        es[n].size = st.st_size;
        es[n].mtime = st.st_mtime;
        total += (unsigned long long)st.st_size;
        n++;
    }
    closedir(d);
    qsort(es, n, sizeof *es, by_age);
    for (size_t i = 0; i < n && total > cap; i++) {
        char p[PATH_MAX + 320];
        snprintf(p, sizeof p, "%s/%s", dir, es[i].name);
        if (strcmp(p, keep) == 0) continue; /* the entry just stored stays */
        if (unlink(p) == 0) {
            total -= (unsigned long long)es[i].size;
            if (debug()) fprintf(stderr, "anywhere: cache: evicted %s\n", p);
        }
    }
    free(es);
}

/* A hit: the entry's module with its code, or NULL (with why) when the
 * entry is unusable. */
static aw_module *load_entry(const char *path, const uint8_t *bytes, size_t len, aw_error *err) {
    size_t alen = 0;
    uint8_t *art = read_file(path, &alen);
    if (!art) return NULL;
    wasm_aot_file f;
    aw_module *m = NULL;
    if (wasm_aot_parse(art, alen, path, &f, err)) {
        if (f.module_len == len && memcmp(f.module, bytes, len) == 0) {
            aw_module *loaded = aw_module_load(f.module, f.module_len, err);
            if (loaded && wasm_aot_attach(loaded, &f, err)) m = loaded;
            else if (loaded) aw_module_release(loaded);
        } else {
            wasm_error_set(err, AW_ERR_MALFORMED, WASM_NONE, UINT64_MAX, "%s holds another module", path);
        }
    }
    free(f.objs);
    free(art);
    return m;
}

aw_module *aw_module_load_cached(const uint8_t *bytes, size_t len, const aw_load_options *opts,
                                 const char *cache_dir, aw_error *err) {
    aw_error scratch;
    if (!err) err = &scratch;
    memset(err, 0, sizeof *err);
    aw_load_options o = opts ? *opts : (aw_load_options){0};
    o.tier = AW_TIER_COMPILED;
    char dir[PATH_MAX], path[PATH_MAX + 128];
#if !defined(__x86_64__)
    (void)cache_dir; /* artifacts are x86-64 only: the JIT, uncached */
    return aw_module_load_ex(bytes, len, &o, err);
#endif
    if (cache_dir) snprintf(dir, sizeof dir, "%s", cache_dir);
    else if (!aw_cache_dir(dir, sizeof dir)) return aw_module_load_ex(bytes, len, &o, err);
    entry_path(path, sizeof path, dir, bytes, len, &o);
    if (access(path, R_OK) == 0) {
        aw_error e;
        memset(&e, 0, sizeof e);
        aw_module *m = load_entry(path, bytes, len, &e);
        if (m) {
            if (debug()) fprintf(stderr, "anywhere: cache hit %s\n", path);
            utimensat(AT_FDCWD, path, NULL, 0); /* recently used */
            return m;
        }
        if (debug()) fprintf(stderr, "anywhere: cache entry unusable, compiling again: %s\n", e.message);
    } else if (debug()) {
        fprintf(stderr, "anywhere: cache miss %s\n", path);
    }
    uint8_t *art;
    size_t alen;
    if (!aw_compile_artifact(bytes, len, &o, &art, &alen, err)) return NULL;
    char tmpdir[PATH_MAX];
    snprintf(tmpdir, sizeof tmpdir, "%s", dir);
    if (make_dirs(tmpdir) && write_atomic(path, art, alen)) {
        if (debug()) fprintf(stderr, "anywhere: cache: stored %s (%zu bytes)\n", path, alen);
        evict(dir, path);
    } else if (debug()) {
        fprintf(stderr, "anywhere: cache: cannot write %s: %s\n", path, strerror(errno));
    }
    aw_module *m = aw_module_load_artifact(art, alen, path, err);
    free(art);
    return m;
}
