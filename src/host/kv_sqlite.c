/* kv_sqlite.c — the default key-value store: one SQLite file (Debian's
 * libsqlite3), a table of (store, key, value).
 *
 * Durability: WAL with synchronous=FULL, so a set or delete is on disk
 * (fsync'd) when the call returns; a crash or kill -9 afterwards loses
 * nothing. One connection in serialized mode is shared by all threads;
 * busy_timeout lets two processes share a file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host/dl_sqlite.h"
#include "host/internal.h"

typedef struct {
    host_kv_backend base;
    sqlite3 *db;
} kv_sqlite;

static int db_error(kv_sqlite *s, char *err, size_t errlen) {
    snprintf(err, errlen, "sqlite: %s", aw_sqlite.errmsg(s->db));
    return HOST_ERR_RUNTIME;
}

/* Prepares SQL with store and key bound as ?1 and ?2. */
static sqlite3_stmt *prepare(kv_sqlite *s, const char *sql, const char *store, const void *key, size_t klen) {
    sqlite3_stmt *st = NULL;
    if (aw_sqlite.prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) return NULL;
    aw_sqlite.bind_text(st, 1, store, -1, SQLITE_STATIC);
    if (key) aw_sqlite.bind_blob(st, 2, klen ? key : "", (int)klen, SQLITE_STATIC);
    return st;
}

static int kv_get(host_kv_backend *b, const char *store, const void *key, size_t klen, uint8_t **val, size_t *vlen,
                  char *err, size_t errlen) {
    kv_sqlite *s = (kv_sqlite *)b;
    sqlite3_stmt *st = prepare(s, "SELECT value FROM spin_key_value WHERE store = ?1 AND key = ?2", store, key, klen);
    if (!st) return db_error(s, err, errlen);
    int rc = aw_sqlite.step(st), r = 0;
    if (rc == SQLITE_ROW) {
        size_t n = (size_t)aw_sqlite.column_bytes(st, 0);
        const void *p = aw_sqlite.column_blob(st, 0);
        *val = malloc(n ? n : 1);
        if (*val && n) memcpy(*val, p, n);
        *vlen = n;
        if (!*val) r = HOST_ERR_RUNTIME, snprintf(err, errlen, "out of memory");
    } else if (rc == SQLITE_DONE) {
        r = HOST_ERR_ABSENT;
    } else {
        r = db_error(s, err, errlen);
    }
    aw_sqlite.finalize(st);
    return r;
}

static int exec_stmt(kv_sqlite *s, sqlite3_stmt *st, char *err, size_t errlen) {
    if (!st) return db_error(s, err, errlen);
    int rc = aw_sqlite.step(st);
    int r = rc == SQLITE_DONE ? 0 : db_error(s, err, errlen);
    aw_sqlite.finalize(st);
    return r;
}

static int kv_set(host_kv_backend *b, const char *store, const void *key, size_t klen, const void *val, size_t vlen,
                  char *err, size_t errlen) {
    kv_sqlite *s = (kv_sqlite *)b;
    sqlite3_stmt *st = prepare(s, "INSERT INTO spin_key_value (store, key, value) VALUES (?1, ?2, ?3) "
                               "ON CONFLICT (store, key) DO UPDATE SET value = excluded.value", store, key, klen);
    if (st) aw_sqlite.bind_blob(st, 3, vlen ? val : "", (int)vlen, SQLITE_STATIC);
    return exec_stmt(s, st, err, errlen);
}

static int kv_del(host_kv_backend *b, const char *store, const void *key, size_t klen, char *err, size_t errlen) {
    kv_sqlite *s = (kv_sqlite *)b;
    return exec_stmt(s, prepare(s, "DELETE FROM spin_key_value WHERE store = ?1 AND key = ?2", store, key, klen), err, errlen);
}

static int kv_exists(host_kv_backend *b, const char *store, const void *key, size_t klen, char *err, size_t errlen) {
    kv_sqlite *s = (kv_sqlite *)b;
    sqlite3_stmt *st = prepare(s, "SELECT 1 FROM spin_key_value WHERE store = ?1 AND key = ?2", store, key, klen);
    if (!st) return db_error(s, err, errlen);
    int rc = aw_sqlite.step(st);
    int r = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : db_error(s, err, errlen);
    aw_sqlite.finalize(st);
    return r;
}

static int kv_keys(host_kv_backend *b, const char *store, char **out, size_t *len, size_t *count, char *err, size_t errlen) {
    kv_sqlite *s = (kv_sqlite *)b;
    sqlite3_stmt *st = prepare(s, "SELECT key FROM spin_key_value WHERE store = ?1 ORDER BY key", store, NULL, 0);
    if (!st) return db_error(s, err, errlen);
    size_t cap = 256, n = 0;
    char *buf = malloc(cap);
    int rc, r = 0;
    *count = 0;
    while (buf && (rc = aw_sqlite.step(st)) == SQLITE_ROW) {
        size_t kl = (size_t)aw_sqlite.column_bytes(st, 0);
        const void *kp = aw_sqlite.column_blob(st, 0);
        if (n + kl + 1 > cap) {
            char *g = realloc(buf, cap = (n + kl + 1) * 2);
            if (!g) { free(buf); buf = NULL; break; }
            buf = g;
        }
        if (kl) memcpy(buf + n, kp, kl);
        n += kl;
        buf[n++] = 0;
        ++*count;
    }
    if (!buf) r = HOST_ERR_RUNTIME, snprintf(err, errlen, "out of memory");
    else if (rc != SQLITE_DONE) r = db_error(s, err, errlen), free(buf), buf = NULL;
    aw_sqlite.finalize(st);
    *out = buf, *len = n;
    return r;
}

static void kv_free(host_kv_backend *b) {
    kv_sqlite *s = (kv_sqlite *)b;
    aw_sqlite.close(s->db);
    free(s);
}

/* mkdir -p of PATH's directory. */
static void make_parent(const char *path) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir) return;
    *slash = 0;
    for (char *p = dir + 1; *p; p++)
        if (*p == '/') { *p = 0; mkdir(dir, 0755); *p = '/'; }
    mkdir(dir, 0755);
}

host_kv_backend *host_kv_sqlite_open(const char *path, char *err, size_t errlen) {
    if (!aw_sqlite_load(err, errlen)) return NULL;
    kv_sqlite *s = calloc(1, sizeof *s);
    if (!s || !path) { free(s); snprintf(err, errlen, path ? "out of memory" : "no path for the SQLite store"); return NULL; }
    make_parent(path);
    if (aw_sqlite.open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, s->db ? aw_sqlite.errmsg(s->db) : "cannot open");
        aw_sqlite.close(s->db);
        free(s);
        return NULL;
    }
    aw_sqlite.busy_timeout(s->db, 5000);
    char *e = NULL;
    if (aw_sqlite.exec(s->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                     "CREATE TABLE IF NOT EXISTS spin_key_value (store TEXT NOT NULL, key BLOB NOT NULL, value BLOB NOT NULL,"
                     " PRIMARY KEY (store, key))", NULL, NULL, &e) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, e ? e : "cannot create the table");
        aw_sqlite.free(e);
        aw_sqlite.close(s->db);
        free(s);
        return NULL;
    }
    s->base = (host_kv_backend){kv_get, kv_set, kv_del, kv_exists, kv_keys, kv_free};
    return &s->base;
}
