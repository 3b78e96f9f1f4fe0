/* json.c — cJSON's table (json.h), bound by src/dl on the first JSON call:
 * from libcjson dlopen()ed by soname or, built with AW_DL_DIRECT, from the
 * functions linked into the executable. */
#define AW_JSON_SHIM /* cJSON's real names here, not json.h's macros */
#include "json/json.h"

#include <stdio.h>
#include <stdlib.h>

#include "dl/dl.h"

#ifndef AW_DL_CJSON_SONAME
#define AW_DL_CJSON_SONAME "libcjson.so.1"
#endif

/* The process-wide table: one cJSON per process, bound once. */
static aw_json_table json_table;

#define JSON_SYM(field, sym) {#sym, offsetof(aw_json_table, field), AW_DL_ADDR(sym)},
static const aw_dl_sym json_syms[] = {AW_JSON_FUNCTIONS(JSON_SYM)};

static aw_dl_lib json_lib = {
    .soname = AW_DL_CJSON_SONAME,
    .env = "ANYWHERE_DL_CJSON", /* names another soname: the tests' missing library */
    .need = "JSON support needs libcjson",
    .package = "libcjson1",
    .syms = json_syms,
    .nsyms = sizeof json_syms / sizeof json_syms[0],
    .table = &json_table,
};

AW_DL_LOADER(aw_json_load, json_lib)

const aw_json_table *aw_json(void) {
    char err[sizeof json_lib.error];
    if (!aw_json_load(err, sizeof err)) {
        /* libcjson1 is a hard dependency: a broken installation, not an input error. */
        fprintf(stderr, "anywhere: %s\n", err);
        exit(1);
    }
    return &json_table;
}
