/* dl_openssl.c — libcrypto's and libssl's tables (dl_openssl.h). */
#include "app/dl_openssl.h"

#ifndef AW_DL_CRYPTO_SONAME
#define AW_DL_CRYPTO_SONAME "libcrypto.so.3"
#endif
#ifndef AW_DL_SSL_SONAME
#define AW_DL_SSL_SONAME "libssl.so.3"
#endif

/* The process-wide tables: one OpenSSL per process, bound once. */
aw_crypto_table aw_crypto;
aw_ssl_table aw_ssl;

#define CRYPTO_SYM(field, sym) {#sym, offsetof(aw_crypto_table, field), AW_DL_ADDR(sym)},
static const aw_dl_sym crypto_syms[] = {AW_CRYPTO_FUNCTIONS(CRYPTO_SYM)};
#define SSL_SYM(field, sym) {#sym, offsetof(aw_ssl_table, field), AW_DL_ADDR(sym)},
static const aw_dl_sym ssl_syms[] = {AW_SSL_FUNCTIONS(SSL_SYM)};

static aw_dl_lib crypto_lib = {
    .soname = AW_DL_CRYPTO_SONAME,
    .env = "ANYWHERE_DL_CRYPTO",
    .need = "SHA-256, base64 and TLS need OpenSSL's libcrypto",
    .package = "libssl3",
    .syms = crypto_syms,
    .nsyms = sizeof crypto_syms / sizeof crypto_syms[0],
    .table = &aw_crypto,
};

static aw_dl_lib ssl_lib = {
    .soname = AW_DL_SSL_SONAME,
    .env = "ANYWHERE_DL_SSL",
    .need = "TLS to a registry needs OpenSSL's libssl",
    .package = "libssl3",
    .syms = ssl_syms,
    .nsyms = sizeof ssl_syms / sizeof ssl_syms[0],
    .table = &aw_ssl,
};

static bool ssl_only_load(char *err, size_t errlen);
AW_DL_LOADER(aw_crypto_load, crypto_lib)
AW_DL_LOADER(ssl_only_load, ssl_lib)

bool aw_ssl_load(char *err, size_t errlen) { return aw_crypto_load(err, errlen) && ssl_only_load(err, errlen); }
