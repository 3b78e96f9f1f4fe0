/* serve_models.c — which models exist and which are loaded.
 *
 * Models come from --model NAME=PATH, or by Ollama name from an existing
 * Ollama store (manifests/<registry>/<namespace>/<name>/<tag> is a JSON
 * manifest whose layer of type application/vnd.ollama.image.model names the
 * GGUF blob blobs/sha256-<hex>), so models users pulled with Ollama serve
 * unchanged. Each model loads on first use and unloads when idle past its
 * keep_alive. Requests on one model take turns in arrival order. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ai/gguf.h"
#include "ai/tokenizer_gguf.h"
#include "serve/serve.h"

static long long wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *read_file(const char *path, size_t max) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max, f) : 0;
    fclose(f);
    if (buf) buf[n] = 0;
    return buf;
}

/* "name" -> "name:latest"; a tag is a ':' after the last '/'. */
static char *full_name(const char *name) {
    const char *slash = strrchr(name, '/');
    const char *colon = strchr(slash ? slash : name, ':');
    char *out;
    if (colon) return strdup(name);
    if (asprintf(&out, "%s:latest", name) < 0) return NULL;
    return out;
}

/* A digest for files outside the store: not a sha256 of the content (that
 * would read gigabytes at startup) but stable for the same path, size and
 * modification time, which is what clients use it for (change detection). */
static void fingerprint(serve_model *m) {
    char key[4096];
    snprintf(key, sizeof key, "%s|%llu|%lld", m->path, (unsigned long long)m->size, m->modified);
    for (int part = 0; part < 4; part++) {
        uint64_t h = 1469598103934665603ull ^ (uint64_t)(part * 0x9E3779B97F4A7C15ull);
        for (const char *p = key; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
        snprintf(m->digest + part * 16, 17, "%016llx", (unsigned long long)h);
    }
}

static serve_model *model_new(const char *name, const char *path, const char *digest, char *err, size_t errlen) {
    struct stat st;
    if (stat(path, &st) || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "model '%s': cannot read %s: %s", name, path, errno ? strerror(errno) : "not a file");
        return NULL;
    }
    /* Read the header now so a wrong file is reported at startup, not on
     * the first request (mapping and indexing the metadata is cheap). */
    char gerr[512];
    ai_gguf *g = ai_gguf_open(path, gerr, sizeof gerr);
    if (!g) { snprintf(err, errlen, "model '%s': %s", name, gerr); return NULL; }
    ai_gguf_close(g);
    serve_model *m = calloc(1, sizeof *m);
    if (!m) { snprintf(err, errlen, "out of memory"); return NULL; }
    m->name = full_name(name);
    m->path = strdup(path);
    m->size = (uint64_t)st.st_size;
    m->modified = (long long)st.st_mtime;
    if (digest) snprintf(m->digest, sizeof m->digest, "%s", digest);
    else fingerprint(m);
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->turn, NULL);
    return m;
}

static void unload(serve_model *m) {
    ai_context_free(m->ctx);
    ai_tokenizer_free(m->tok);
    ai_model_free(m->model);
    free(m->chat_template);
    free(m->cache);
    m->ctx = NULL;
    m->tok = NULL;
    m->model = NULL;
    m->chat_template = NULL;
    m->cache = NULL;
    m->n_cache = 0;
    m->n_ctx = 0;
}

static void model_free(serve_model *m) {
    unload(m);
    cJSON_Delete(m->params);
    pthread_mutex_destroy(&m->mu);
    pthread_cond_destroy(&m->turn);
    free(m->name);
    free(m->path);
    free(m);
}

void serve_registry_init(serve_registry *r, const char *store, int threads) {
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->mu, NULL);
    r->threads = threads;
    const char *env = getenv("OLLAMA_MODELS"), *home = getenv("HOME");
    if (store) r->store = strdup(store);
    else if (env && *env) r->store = strdup(env);
    else if (asprintf(&r->store, "%s/.ollama/models", home ? home : ".") < 0) r->store = NULL;
}

void serve_registry_free(serve_registry *r) {
    while (r->head) {
        serve_model *m = r->head;
        r->head = m->next;
        model_free(m);
    }
    free(r->store);
    pthread_mutex_destroy(&r->mu);
}

static int name_eq(const char *full, const char *asked) {
    char *f = full_name(asked);
    int eq = f && !strcmp(full, f);
    free(f);
    return eq;
}

static serve_model *find_locked(serve_registry *r, const char *name) {
    for (serve_model *m = r->head; m; m = m->next)
        if (name_eq(m->name, name)) return m;
    return NULL;
}

static void append_locked(serve_registry *r, serve_model *m) {
    serve_model **p = &r->head;
    while (*p) p = &(*p)->next;
    *p = m;
}

/* The manifest path of an Ollama name: [host/][namespace/]name[:tag]. */
static char *manifest_path(const serve_registry *r, const char *name) {
    char *full = full_name(name), *out = NULL;
    if (!full) return NULL;
    char *colon = strrchr(full, ':');
    *colon = 0;
    const char *tag = colon + 1;
    int slashes = 0;
    for (const char *p = full; *p; p++) slashes += *p == '/';
    int rc = slashes == 0 ? asprintf(&out, "%s/manifests/registry.ollama.ai/library/%s/%s", r->store, full, tag)
           : slashes == 1 ? asprintf(&out, "%s/manifests/registry.ollama.ai/%s/%s", r->store, full, tag)
                          : asprintf(&out, "%s/manifests/%s/%s", r->store, full, tag);
    free(full);
    return rc < 0 ? NULL : out;
}

/* Reads a manifest: the model blob's hex digest (malloc'd, NULL if none)
 * and, if there is one, the params layer's digest into *params. */
static char *manifest_model_digest(const char *path, char **params) {
    char *text = read_file(path, 1 << 20);
    *params = NULL;
    if (!text) return NULL;
    cJSON *j = cJSON_Parse(text);
    free(text);
    char *digest = NULL;
    const cJSON *layer;
    cJSON_ArrayForEach(layer, cJSON_GetObjectItemCaseSensitive(j, "layers")) {
        const char *mt = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(layer, "mediaType"));
        const char *d = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(layer, "digest"));
        if (!mt || !d || strncmp(d, "sha256:", 7) || strspn(d + 7, "0123456789abcdef") != strlen(d + 7)) continue;
        if (!strcmp(mt, "application/vnd.ollama.image.model") && !digest) digest = strdup(d + 7);
        else if (!strcmp(mt, "application/vnd.ollama.image.params") && !*params) *params = strdup(d + 7);
    }
    cJSON_Delete(j);
    return digest;
}

static serve_model *from_store(serve_registry *r, const char *name, char *err, size_t errlen) {
    if (!r->store) { snprintf(err, errlen, "no Ollama store"); return NULL; }
    char *params = NULL;
    char *mpath = manifest_path(r, name), *digest = mpath ? manifest_model_digest(mpath, &params) : NULL, *blob = NULL;
    serve_model *m = NULL;
    if (!digest) snprintf(err, errlen, "model '%s' not found in %s", name, r->store);
    else if (asprintf(&blob, "%s/blobs/sha256-%s", r->store, digest) >= 0) m = model_new(name, blob, digest, err, errlen);
    if (m && params) { /* the model's default options, e.g. its stop strings */
        char *ppath = NULL;
        char *text = asprintf(&ppath, "%s/blobs/sha256-%s", r->store, params) >= 0 ? read_file(ppath, 1 << 20) : NULL;
        m->params = text ? cJSON_Parse(text) : NULL;
        free(text);
        free(ppath);
    }
    free(params);
    free(mpath);
    free(digest);
    free(blob);
    return m;
}

int serve_registry_add(serve_registry *r, const char *spec, char *err, size_t errlen) {
    const char *eq = strchr(spec, '=');
    serve_model *m;
    if (eq) {
        char *name = strndup(spec, (size_t)(eq - spec));
        if (!name || !*name) { free(name); snprintf(err, errlen, "--model %s: empty name", spec); return -1; }
        m = model_new(name, eq + 1, NULL, err, errlen);
        free(name);
    } else {
        m = from_store(r, spec, err, errlen);
    }
    if (!m) return -1;
    pthread_mutex_lock(&r->mu);
    if (find_locked(r, m->name)) {
        pthread_mutex_unlock(&r->mu);
        snprintf(err, errlen, "model name '%s' given twice", m->name);
        model_free(m);
        return -1;
    }
    append_locked(r, m);
    pthread_mutex_unlock(&r->mu);
    return 0;
}

serve_model *serve_registry_find(serve_registry *r, const char *name) {
    if (!name || !*name) return NULL;
    pthread_mutex_lock(&r->mu);
    serve_model *m = find_locked(r, name);
    if (!m && !strstr(name, "..")) { /* never let a name walk out of the store */
        char err[256];
        m = from_store(r, name, err, sizeof err);
        if (m) append_locked(r, m);
    }
    pthread_mutex_unlock(&r->mu);
    return m;
}

/* Registers every model of the store (for listings). */
static void scan_store(serve_registry *r) {
    if (!r->store) return;
    char base[4096];
    snprintf(base, sizeof base, "%.2900s/manifests", r->store);
    DIR *hosts = opendir(base);
    if (!hosts) return;
    struct dirent *h, *n, *nm, *t;
    while ((h = readdir(hosts))) {
        if (h->d_name[0] == '.') continue;
        char p1[4096];
        snprintf(p1, sizeof p1, "%.3000s/%.255s", base, h->d_name);
        DIR *nss = opendir(p1);
        while (nss && (n = readdir(nss))) {
            if (n->d_name[0] == '.') continue;
            char p2[4096];
            snprintf(p2, sizeof p2, "%.3300s/%.255s", p1, n->d_name);
            DIR *names = opendir(p2);
            while (names && (nm = readdir(names))) {
                if (nm->d_name[0] == '.') continue;
                char p3[4096];
                snprintf(p3, sizeof p3, "%.3600s/%.255s", p2, nm->d_name);
                DIR *tags = opendir(p3);
                while (tags && (t = readdir(tags))) {
                    if (t->d_name[0] == '.') continue;
                    char name[1024]; /* each part is a file name: at most 255 bytes */
                    int official = !strcmp(h->d_name, "registry.ollama.ai");
                    if (official && !strcmp(n->d_name, "library")) snprintf(name, sizeof name, "%s:%s", nm->d_name, t->d_name);
                    else if (official) snprintf(name, sizeof name, "%s/%s:%s", n->d_name, nm->d_name, t->d_name);
                    else snprintf(name, sizeof name, "%s/%s/%s:%s", h->d_name, n->d_name, nm->d_name, t->d_name);
                    serve_registry_find(r, name);
                }
                if (tags) closedir(tags);
            }
            if (names) closedir(names);
        }
        if (nss) closedir(nss);
    }
    closedir(hosts);
}

char *serve_registry_names(serve_registry *r) {
    scan_store(r);
    pthread_mutex_lock(&r->mu);
    size_t len = 1;
    for (serve_model *m = r->head; m; m = m->next) len += strlen(m->name) + 2;
    char *out = malloc(len);
    if (out) {
        out[0] = 0;
        for (serve_model *m = r->head; m; m = m->next) {
            if (out[0]) strcat(out, ", ");
            strcat(out, m->name);
        }
    }
    pthread_mutex_unlock(&r->mu);
    return out;
}

/* Loads the engine objects without holding m->mu (loading a big model takes
 * seconds and /api/ps, the reaper and lookups must not wait), publishing
 * them under it. Only the holder of the model's turn calls this. */
static int load(serve_model *m, char *err, size_t errlen) {
    ai_model *model = ai_model_load(m->path, err, errlen);
    if (!model) return -1;
    const struct ai_gguf *g = ai_model_gguf(model);
    ai_tokenizer *tok = ai_tokenizer_from_gguf(g, err, errlen);
    if (!tok) { ai_model_free(model); return -1; }
    char *tmpl = ai_gguf_dup_str(g, "tokenizer.chat_template");
    pthread_mutex_lock(&m->mu);
    m->model = model;
    m->tok = tok;
    m->chat_template = tmpl;
    m->chat = ai_chat_detect(tmpl, tok);
    pthread_mutex_unlock(&m->mu);
    return 0;
}

int serve_model_acquire(serve_registry *r, serve_model *m, int n_ctx, long long *load_ns, char *err, size_t errlen) {
    pthread_mutex_lock(&m->mu);
    unsigned long ticket = m->next_ticket++;
    while (m->serving != ticket) pthread_cond_wait(&m->turn, &m->mu);
    int loaded = m->model != NULL;
    pthread_mutex_unlock(&m->mu);
    /* Our turn: until release nobody else touches the engine objects (the
     * reaper only unloads idle models), so the slow work runs unlocked. */
    long long t0 = serve_now_ns();
    int rc = loaded ? 0 : load(m, err, errlen);
    if (rc == 0) {
        ai_model_info mi;
        ai_model_get_info(m->model, &mi);
        int want = n_ctx > 0 ? n_ctx : (mi.n_ctx_train > 0 && mi.n_ctx_train < 2048 ? mi.n_ctx_train : 2048);
        if (!m->ctx || want != m->n_ctx) {
            /* /api/ps reads m->ctx under m->mu: swap it there */
            pthread_mutex_lock(&m->mu);
            ai_context *old = m->ctx;
            m->ctx = NULL;
            pthread_mutex_unlock(&m->mu);
            ai_context_free(old);
            m->n_cache = 0;
            ai_context *nc = ai_context_new(m->model, &(ai_context_params){.n_ctx = want, .n_threads = r->threads}, err, errlen);
            pthread_mutex_lock(&m->mu);
            m->ctx = nc;
            pthread_mutex_unlock(&m->mu);
            m->n_ctx = m->ctx ? ai_context_n_ctx(m->ctx) : 0;
            int32_t *c = m->ctx ? realloc(m->cache, (size_t)m->n_ctx * sizeof *c) : NULL;
            if (!c) { if (m->ctx) snprintf(err, errlen, "out of memory"); rc = -1; }
            else m->cache = c;
        }
    }
    *load_ns = serve_now_ns() - t0;
    if (rc) serve_model_release(m, 300000);
    return rc;
}

void serve_model_release(serve_model *m, long long keep_alive_ms) {
    pthread_mutex_lock(&m->mu);
    m->serving++;
    m->expires_ms = keep_alive_ms < 0 ? -1 : wall_ms() + keep_alive_ms;
    if (keep_alive_ms == 0 && m->serving == m->next_ticket) unload(m);
    pthread_cond_broadcast(&m->turn);
    pthread_mutex_unlock(&m->mu);
}

void serve_registry_reap(serve_registry *r) {
    long long now = wall_ms();
    pthread_mutex_lock(&r->mu);
    for (serve_model *m = r->head; m; m = m->next) {
        pthread_mutex_lock(&m->mu);
        if (m->model && m->serving == m->next_ticket && m->expires_ms >= 0 && now >= m->expires_ms) unload(m);
        pthread_mutex_unlock(&m->mu);
    }
    pthread_mutex_unlock(&r->mu);
}

long long serve_parse_keep_alive(const cJSON *item) {
    if (!item || cJSON_IsNull(item)) return 5 * 60 * 1000; /* Ollama's default: 5m */
    if (cJSON_IsNumber(item)) return item->valuedouble < 0 ? -1 : (long long)(item->valuedouble * 1000);
    const char *s = cJSON_GetStringValue(item);
    if (!s) return -2;
    /* Go durations as Ollama accepts them: "1h30m", "10s", "-1", "0". */
    char *end;
    double total = 0, v = strtod(s, &end);
    if (end == s) return -2;
    if (!*end) return v < 0 ? -1 : (long long)(v * 1000); /* plain number: seconds */
    for (const char *p = s;;) {
        v = strtod(p, &end);
        if (end == p) return -2;
        double unit;
        if (!strncmp(end, "ms", 2)) { unit = 1; end += 2; }
        else if (*end == 'h') { unit = 3600000; end++; }
        else if (*end == 'm') { unit = 60000; end++; }
        else if (*end == 's') { unit = 1000; end++; }
        else return -2;
        total += v * unit;
        if (!*end) break;
        p = end;
    }
    return total < 0 ? -1 : (long long)total;
}
