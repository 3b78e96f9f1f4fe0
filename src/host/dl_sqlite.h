/* dl_sqlite.h — libsqlite3, loaded on first use (dl.h): the default
 * key-value store (kv_sqlite.c).
 *   if (!aw_sqlite_load(err, errlen)) return error;
 *   aw_sqlite.open_v2(...);      (sqlite3_open_v2: the sqlite3_ prefix dropped) */
#ifndef AW_HOST_DL_SQLITE_H
#define AW_HOST_DL_SQLITE_H

#include <sqlite3.h>

#include "dl/dl.h"

#define AW_SQLITE_FUNCTIONS(X)                                                                                         \
    X(open_v2, sqlite3_open_v2)                                                                                        \
    X(close, sqlite3_close)                                                                                            \
    X(busy_timeout, sqlite3_busy_timeout)                                                                              \
    X(exec, sqlite3_exec)                                                                                              \
    X(errmsg, sqlite3_errmsg)                                                                                          \
    X(free, sqlite3_free)                                                                                              \
    X(prepare_v2, sqlite3_prepare_v2)                                                                                  \
    X(bind_text, sqlite3_bind_text)                                                                                    \
    X(bind_blob, sqlite3_bind_blob)                                                                                    \
    X(step, sqlite3_step)                                                                                              \
    X(column_bytes, sqlite3_column_bytes)                                                                              \
    X(column_blob, sqlite3_column_blob)                                                                                \
    X(finalize, sqlite3_finalize)

typedef struct aw_sqlite_table {
    AW_SQLITE_FUNCTIONS(AW_DL_FIELD)
} aw_sqlite_table;

/* Written once by aw_sqlite_load (dl.h), read-only afterwards. */
extern aw_sqlite_table aw_sqlite;

bool aw_sqlite_load(char *err, size_t errlen);

#endif
