/* dl_curl.c — libcurl's table (dl_curl.h). */
#include "host/dl_curl.h"

#ifndef AW_DL_CURL_SONAME
#define AW_DL_CURL_SONAME "libcurl.so.4"
#endif

/* The process-wide table: one libcurl per process, bound once. */
aw_curl_table aw_curl;

#define CURL_SYM(field, sym) {#sym, offsetof(aw_curl_table, field), AW_DL_ADDR(sym)},
static const aw_dl_sym curl_syms[] = {AW_CURL_FUNCTIONS(CURL_SYM)};

/* curl_global_init is not thread-safe: run it here, under the loader's once. */
static void curl_global(void) { aw_curl.global_init(CURL_GLOBAL_DEFAULT); }

static aw_dl_lib curl_lib = {
    .soname = AW_DL_CURL_SONAME,
    .env = "ANYWHERE_DL_CURL",
    .need = "outbound HTTP needs libcurl",
    .package = "libcurl4",
    .syms = curl_syms,
    .nsyms = sizeof curl_syms / sizeof curl_syms[0],
    .table = &aw_curl,
    .after = curl_global,
};

AW_DL_LOADER(aw_curl_load, curl_lib)
