/* kv.c — anywhere_kv_v1: Spin's key-value API over named stores.
 *
 *   open(name, name_len) -> handle | error
 *   get(h, key, key_len, buf, cap) -> len | -1 (absent) | error
 *   set(h, key, key_len, value, value_len) -> 0 | error
 *   delete(h, key, key_len) -> 0 | error   (absent keys are not an error)
 *   exists(h, key, key_len) -> 0 | 1 | error
 *   get_keys(h, buf, cap) -> len            (each key followed by a NUL)
 *   close(h) -> 0
 *
 * A store opens only if the component lists it in key_value_stores
 * (-2 otherwise) and it is "default" or configured (-3 otherwise). Limits
 * as Spin documents them: keys up to 256 bytes, values up to 1 MiB. A
 * result bigger than the guest's buffer is kept for the retry. */
#include <stdlib.h>
#include <string.h>

#include "host/internal.h"

enum { KV_MAX_KEY = 256, KV_MAX_VALUE = 1 << 20 };

static void cache_clear(host_call *k) {
    free(k->kv_cache_key), free(k->kv_cache_val);
    k->kv_cache_key = NULL, k->kv_cache_val = NULL, k->kv_cached = 0;
}

static host_kv_backend *backend_of(host_kv_store *s, char *err, size_t errlen) {
    pthread_mutex_lock(&s->mu);
    if (!s->backend) s->backend = s->cfg->type == HOST_KV_REDIS ? host_kv_redis_open(s->cfg->url, err, errlen)
                                                                 : host_kv_sqlite_open(s->cfg->path, err, errlen);
    host_kv_backend *b = s->backend;
    pthread_mutex_unlock(&s->mu);
    return b;
}

static int h_open(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    host_call *k = host_call_of(c);
    char *name = host_strdup_guest(c, (uint32_t)slots[0], (uint32_t)slots[1]);
    if (!name) return aw_caller_trap(c, "anywhere_kv_v1.open: name outside memory");
    int r;
    if (!k || !host_granted(k->g->kv_stores, k->g->nkv, name)) {
        r = k ? host_fail(k, HOST_ERR_DENIED, "key-value store '%.100s' is not in component '%s''s key_value_stores", name,
                          k->g->component) : HOST_ERR_DENIED;
    } else {
        host_kv_store *s = NULL;
        for (size_t i = 0; i < k->h->nstores; i++)
            if (!strcmp(k->h->stores[i].cfg->name, name)) s = &k->h->stores[i];
        r = host_fail(k, HOST_ERR_FULL, "more than %d key-value stores open", HOST_MAX_HANDLES);
        if (!s) r = host_fail(k, HOST_ERR_NO_SUCH, "no key-value store '%.100s' (configure it in the runtime config file)", name);
        for (int i = 0; s && i < HOST_MAX_HANDLES; i++)
            if (!k->kv[i].store) {
                char e[400];
                if (!backend_of(s, e, sizeof e)) {
                    r = host_fail(k, HOST_ERR_RUNTIME, "key-value store '%s': %s", name, e);
                    host_log(k->h, "component '%s': key-value store '%s': %s", k->g->component, name, e);
                } else {
                    k->kv[i].store = s;
                    r = i;
                }
                break;
            }
    }
    free(name);
    slots[0] = (uint32_t)r;
    return 0;
}

/* The store behind handle slots[0], or NULL after setting the result. */
static host_kv_store *store_of(host_call *k, uint64_t *slots) {
    uint32_t h = (uint32_t)slots[0];
    if (!k || h >= HOST_MAX_HANDLES || !k->kv[h].store) {
        slots[0] = (uint32_t)(k ? host_fail(k, HOST_ERR_INVALID, "invalid key-value store handle %d", (int)h) : HOST_ERR_INVALID);
        return NULL;
    }
    return k->kv[h].store;
}

static const void *key_of(aw_caller *c, uint64_t *slots, uint32_t *klen) {
    *klen = (uint32_t)slots[2];
    return host_mem(c, (uint32_t)slots[1], *klen);
}

static int result(host_call *k, uint64_t *slots, int r, const char *what, const char *e) {
    if (r == HOST_ERR_RUNTIME) {
        host_fail(k, r, "key-value %s: %s", what, e);
        host_log(k->h, "component '%s': key-value %s: %s", k->g->component, what, e);
    }
    slots[0] = (uint32_t)r;
    return 0;
}

static int h_get(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    host_call *k = host_call_of(c);
    uint32_t klen, h = (uint32_t)slots[0], buf = (uint32_t)slots[3], cap = (uint32_t)slots[4];
    const void *key = key_of(c, slots, &klen);
    if (!key) return aw_caller_trap(c, "anywhere_kv_v1.get: key outside memory");
    host_kv_store *s = store_of(k, slots);
    if (!s) return 0;
    if (k->kv_cached == (int)h + 1 && k->kv_cache_key && k->kv_cache_klen == klen && !memcmp(k->kv_cache_key, key, klen)) {
        int rc = host_give(c, buf, cap, k->kv_cache_val, k->kv_cache_len, 0, slots);
        if (k->kv_cache_len <= cap) cache_clear(k);
        return rc;
    }
    uint8_t *val = NULL;
    size_t vlen = 0;
    char e[400];
    int r = s->backend->get(s->backend, s->cfg->name, key, klen, &val, &vlen, e, sizeof e);
    if (r) {
        if (r == HOST_ERR_ABSENT) host_fail(k, r, "no such key");
        return result(k, slots, r, "get", e);
    }
    int rc = host_give(c, buf, cap, val, vlen, 0, slots);
    if (vlen > cap && !rc) {
        cache_clear(k);
        k->kv_cached = (int)h + 1;
        k->kv_cache_key = malloc(klen ? klen : 1);
        if (k->kv_cache_key) memcpy(k->kv_cache_key, key, klen);
        k->kv_cache_klen = klen, k->kv_cache_val = val, k->kv_cache_len = vlen;
        return 0;
    }
    free(val);
    return rc;
}

static int h_set(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    host_call *k = host_call_of(c);
    uint32_t klen, vlen = (uint32_t)slots[4];
    const void *key = key_of(c, slots, &klen), *val = host_mem(c, (uint32_t)slots[3], vlen);
    if (!key || !val) return aw_caller_trap(c, "anywhere_kv_v1.set: key or value outside memory");
    host_kv_store *s = store_of(k, slots);
    if (!s) return 0;
    cache_clear(k);
    if (klen > KV_MAX_KEY) { slots[0] = (uint32_t)host_fail(k, HOST_ERR_INVALID, "key is %u bytes, more than %d", klen, KV_MAX_KEY); return 0; }
    if (vlen > KV_MAX_VALUE) { slots[0] = (uint32_t)host_fail(k, HOST_ERR_INVALID, "value is %u bytes, more than %d", vlen, KV_MAX_VALUE); return 0; }
    char e[400];
    return result(k, slots, s->backend->set(s->backend, s->cfg->name, key, klen, val, vlen, e, sizeof e), "set", e);
}

static int h_delete(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    host_call *k = host_call_of(c);
    uint32_t klen;
    const void *key = key_of(c, slots, &klen);
    if (!key) return aw_caller_trap(c, "anywhere_kv_v1.delete: key outside memory");
    host_kv_store *s = store_of(k, slots);
    if (!s) return 0;
    cache_clear(k);
    char e[400];
    return result(k, slots, s->backend->del(s->backend, s->cfg->name, key, klen, e, sizeof e), "delete", e);
}

static int h_exists(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    host_call *k = host_call_of(c);
    uint32_t klen;
    const void *key = key_of(c, slots, &klen);
    if (!key) return aw_caller_trap(c, "anywhere_kv_v1.exists: key outside memory");
    host_kv_store *s = store_of(k, slots);
    if (!s) return 0;
    char e[400];
    return result(k, slots, s->backend->exists(s->backend, s->cfg->name, key, klen, e, sizeof e), "exists", e);
}

static int h_get_keys(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    host_call *k = host_call_of(c);
    uint32_t h = (uint32_t)slots[0], buf = (uint32_t)slots[1], cap = (uint32_t)slots[2];
    host_kv_store *s = store_of(k, slots);
    if (!s) return 0;
    if (k->kv_cached == (int)h + 1 && !k->kv_cache_key) {
        int rc = host_give(c, buf, cap, k->kv_cache_val, k->kv_cache_len, 0, slots);
        if (k->kv_cache_len <= cap) cache_clear(k);
        return rc;
    }
    char *list = NULL, e[400];
    size_t len = 0, count = 0;
    int r = s->backend->keys(s->backend, s->cfg->name, &list, &len, &count, e, sizeof e);
    if (r) return result(k, slots, r, "get_keys", e);
    int rc = host_give(c, buf, cap, list, len, 0, slots);
    if (len > cap && !rc) {
        cache_clear(k);
        k->kv_cached = (int)h + 1, k->kv_cache_val = (uint8_t *)list, k->kv_cache_len = len;
        return 0;
    }
    free(list);
    return rc;
}

static int h_close(aw_caller *c, uint64_t *slots, void *data) {
    (void)data;
    host_call *k = host_call_of(c);
    uint32_t h = (uint32_t)slots[0];
    if (k && h < HOST_MAX_HANDLES) {
        if (k->kv_cached == (int)h + 1) cache_clear(k);
        k->kv[h].store = NULL;
    }
    slots[0] = 0;
    return 0;
}

void host_kv_call_free(host_call *k) { cache_clear(k); }

bool host_define_kv(aw_linker *l) {
    static const aw_valtype i5[5] = {AW_I32, AW_I32, AW_I32, AW_I32, AW_I32};
    static const struct { const char *name; uint32_t np; aw_host_fn fn; } defs[] = {
        {"open", 2, h_open}, {"get", 5, h_get}, {"set", 5, h_set}, {"delete", 3, h_delete},
        {"exists", 3, h_exists}, {"get_keys", 3, h_get_keys}, {"close", 1, h_close},
    };
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
        if (!aw_linker_define_func(l, "anywhere_kv_v1", defs[i].name, i5, defs[i].np, i5, 1, defs[i].fn, NULL)) return false;
    return true;
}
