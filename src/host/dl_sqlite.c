/* dl_sqlite.c — libsqlite3's table (dl_sqlite.h). */
#include "host/dl_sqlite.h"

#ifndef AW_DL_SQLITE_SONAME
#define AW_DL_SQLITE_SONAME "libsqlite3.so.0"
#endif

/* The process-wide table: one libsqlite3 per process, bound once. */
aw_sqlite_table aw_sqlite;

#define SQLITE_SYM(field, sym) {#sym, offsetof(aw_sqlite_table, field), AW_DL_ADDR(sym)},
static const aw_dl_sym sqlite_syms[] = {AW_SQLITE_FUNCTIONS(SQLITE_SYM)};

static aw_dl_lib sqlite_lib = {
    .soname = AW_DL_SQLITE_SONAME,
    .env = "ANYWHERE_DL_SQLITE",
    .need = "the SQLite key-value store needs libsqlite3",
    .package = "libsqlite3-0",
    .syms = sqlite_syms,
    .nsyms = sizeof sqlite_syms / sizeof sqlite_syms[0],
    .table = &aw_sqlite,
};

AW_DL_LOADER(aw_sqlite_load, sqlite_lib)
