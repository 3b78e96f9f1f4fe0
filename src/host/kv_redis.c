/* kv_redis.c — a key-value store in Redis (Debian's libhiredis), selected
 * in the runtime config: [key_value_store.NAME] type = "redis", url = ...
 *
 * As Spin's Redis store does, keys are used as they are (no prefix) and
 * get_keys lists the whole database (KEYS *): give each store its own
 * database number (redis://host:6379/1). One connection per store,
 * used under a mutex and reconnected once when a command fails on I/O. */
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "host/dl_hiredis.h"
#include "host/internal.h"

typedef struct {
    host_kv_backend base;
    pthread_mutex_t mu;
    redisContext *rc;
    char host[256], password[256];
    int port, db;
} kv_redis;

static bool parse_url(kv_redis *r, const char *url, char *err, size_t errlen) {
    r->port = 6379;
    const char *p = url;
    if (!strncmp(p, "redis://", 8)) p += 8;
    else { snprintf(err, errlen, "url '%s' does not start with redis://", url); return false; }
    const char *at = strchr(p, '@');
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        const char *pw = colon ? colon + 1 : p;
        snprintf(r->password, sizeof r->password, "%.*s", (int)(at - pw), pw);
        p = at + 1;
    }
    size_t hl = strcspn(p, ":/");
    snprintf(r->host, sizeof r->host, "%.*s", (int)hl, p);
    p += hl;
    if (*p == ':') r->port = (int)strtol(p + 1, (char **)&p, 10);
    if (*p == '/') r->db = (int)strtol(p + 1, NULL, 10);
    if (!r->host[0] || r->port <= 0 || r->port > 65535) { snprintf(err, errlen, "bad redis url '%s'", url); return false; }
    return true;
}

static bool connect_redis(kv_redis *r, char *err, size_t errlen) {
    if (r->rc) aw_hiredis.redisFree(r->rc);
    struct timeval tv = {5, 0};
    r->rc = aw_hiredis.redisConnectWithTimeout(r->host, r->port, tv);
    if (!r->rc || r->rc->err) {
        snprintf(err, errlen, "redis %s:%d: %s", r->host, r->port, r->rc ? r->rc->errstr : "cannot connect");
        if (r->rc) aw_hiredis.redisFree(r->rc);
        r->rc = NULL;
        return false;
    }
    aw_hiredis.redisSetTimeout(r->rc, tv);
    redisReply *rep = NULL;
    if (r->password[0]) rep = aw_hiredis.redisCommand(r->rc, "AUTH %s", r->password);
    if (rep) aw_hiredis.freeReplyObject(rep);
    if (r->db) {
        rep = aw_hiredis.redisCommand(r->rc, "SELECT %d", r->db);
        bool ok = rep && rep->type != REDIS_REPLY_ERROR;
        if (rep) aw_hiredis.freeReplyObject(rep);
        if (!ok) { snprintf(err, errlen, "redis: SELECT %d failed", r->db); return false; }
    }
    return true;
}

/* Runs a command (argv form, binary safe), reconnecting once. */
static redisReply *command(kv_redis *r, int argc, const char **argv, const size_t *lens, char *err, size_t errlen) {
    pthread_mutex_lock(&r->mu);
    redisReply *rep = NULL;
    for (int attempt = 0; attempt < 2 && !rep; attempt++) {
        if (!r->rc && !connect_redis(r, err, errlen)) break;
        rep = aw_hiredis.redisCommandArgv(r->rc, argc, argv, lens);
        if (!rep) {
            snprintf(err, errlen, "redis %s:%d: %s", r->host, r->port, r->rc->errstr);
            aw_hiredis.redisFree(r->rc);
            r->rc = NULL;
        }
    }
    pthread_mutex_unlock(&r->mu);
    if (rep && rep->type == REDIS_REPLY_ERROR) {
        snprintf(err, errlen, "redis: %s", rep->str);
        aw_hiredis.freeReplyObject(rep);
        return NULL;
    }
    return rep;
}

static int kv_get(host_kv_backend *b, const char *store, const void *key, size_t klen, uint8_t **val, size_t *vlen,
                  char *err, size_t errlen) {
    (void)store;
    const char *argv[] = {"GET", key};
    size_t lens[] = {3, klen};
    redisReply *rep = command((kv_redis *)b, 2, argv, lens, err, errlen);
    if (!rep) return HOST_ERR_RUNTIME;
    int r = 0;
    if (rep->type == REDIS_REPLY_NIL) r = HOST_ERR_ABSENT;
    else if (rep->type != REDIS_REPLY_STRING) r = HOST_ERR_RUNTIME, snprintf(err, errlen, "redis: GET gave a non-string");
    else if (!(*val = malloc(rep->len ? rep->len : 1))) r = HOST_ERR_RUNTIME, snprintf(err, errlen, "out of memory");
    else memcpy(*val, rep->str, rep->len), *vlen = rep->len;
    aw_hiredis.freeReplyObject(rep);
    return r;
}

static int simple(kv_redis *r, int argc, const char **argv, const size_t *lens, long long *out, char *err, size_t errlen) {
    redisReply *rep = command(r, argc, argv, lens, err, errlen);
    if (!rep) return HOST_ERR_RUNTIME;
    if (out) *out = rep->type == REDIS_REPLY_INTEGER ? rep->integer : 0;
    aw_hiredis.freeReplyObject(rep);
    return 0;
}

static int kv_set(host_kv_backend *b, const char *store, const void *key, size_t klen, const void *val, size_t vlen,
                  char *err, size_t errlen) {
    (void)store;
    const char *argv[] = {"SET", key, val};
    size_t lens[] = {3, klen, vlen};
    return simple((kv_redis *)b, 3, argv, lens, NULL, err, errlen);
}

static int kv_del(host_kv_backend *b, const char *store, const void *key, size_t klen, char *err, size_t errlen) {
    (void)store;
    const char *argv[] = {"DEL", key};
    size_t lens[] = {3, klen};
    return simple((kv_redis *)b, 2, argv, lens, NULL, err, errlen);
}

static int kv_exists(host_kv_backend *b, const char *store, const void *key, size_t klen, char *err, size_t errlen) {
    (void)store;
    const char *argv[] = {"EXISTS", key};
    size_t lens[] = {6, klen};
    long long n = 0;
    int r = simple((kv_redis *)b, 2, argv, lens, &n, err, errlen);
    return r ? r : n > 0;
}

static int kv_keys(host_kv_backend *b, const char *store, char **out, size_t *len, size_t *count, char *err, size_t errlen) {
    (void)store;
    const char *argv[] = {"KEYS", "*"};
    size_t lens[] = {4, 1};
    redisReply *rep = command((kv_redis *)b, 2, argv, lens, err, errlen);
    if (!rep) return HOST_ERR_RUNTIME;
    size_t n = 0;
    for (size_t i = 0; rep->type == REDIS_REPLY_ARRAY && i < rep->elements; i++) n += rep->element[i]->len + 1;
    char *buf = malloc(n ? n : 1), *p = buf;
    *count = 0;
    for (size_t i = 0; buf && rep->type == REDIS_REPLY_ARRAY && i < rep->elements; i++) {
        memcpy(p, rep->element[i]->str, rep->element[i]->len);
        p += rep->element[i]->len;
        *p++ = 0;
        ++*count;
    }
    aw_hiredis.freeReplyObject(rep);
    if (!buf) { snprintf(err, errlen, "out of memory"); return HOST_ERR_RUNTIME; }
    *out = buf, *len = n;
    return 0;
}

static void kv_free(host_kv_backend *b) {
    kv_redis *r = (kv_redis *)b;
    if (r->rc) aw_hiredis.redisFree(r->rc);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

host_kv_backend *host_kv_redis_open(const char *url, char *err, size_t errlen) {
    if (!aw_hiredis_load(err, errlen)) return NULL;
    kv_redis *r = calloc(1, sizeof *r);
    if (!r) { snprintf(err, errlen, "out of memory"); return NULL; }
    if (!url || !parse_url(r, url, err, errlen)) {
        if (!url) snprintf(err, errlen, "a redis store needs url = \"redis://host:port\"");
        free(r);
        return NULL;
    }
    pthread_mutex_init(&r->mu, NULL);
    r->base = (host_kv_backend){kv_get, kv_set, kv_del, kv_exists, kv_keys, kv_free};
    if (!connect_redis(r, err, errlen)) {
        kv_free(&r->base);
        return NULL;
    }
    return &r->base;
}
