/* dl_hiredis.c — libhiredis's table (dl_hiredis.h). */
#include "host/dl_hiredis.h"

/* mk/dl.mk passes the soname of the libhiredis built against (it changes
 * between Debian releases); this is Debian 12's. */
#ifndef AW_DL_HIREDIS_SONAME
#define AW_DL_HIREDIS_SONAME "libhiredis.so.0.14"
#endif

/* The process-wide table: one libhiredis per process, bound once. */
aw_hiredis_table aw_hiredis;

#define HIREDIS_SYM(field, sym) {#sym, offsetof(aw_hiredis_table, field), AW_DL_ADDR(sym)},
static const aw_dl_sym hiredis_syms[] = {AW_HIREDIS_FUNCTIONS(HIREDIS_SYM)};

static aw_dl_lib hiredis_lib = {
    .soname = AW_DL_HIREDIS_SONAME,
    .env = "ANYWHERE_DL_HIREDIS",
    .need = "the Redis key-value store needs libhiredis",
    .package = "libhiredis0.14",
    .syms = hiredis_syms,
    .nsyms = sizeof hiredis_syms / sizeof hiredis_syms[0],
    .table = &aw_hiredis,
};

AW_DL_LOADER(aw_hiredis_load, hiredis_lib)
