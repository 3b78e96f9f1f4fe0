/* dl_openssl.h — OpenSSL's libcrypto and libssl, loaded on first use
 * (src/host/dl.h): SHA-256 (sha256.c), base64 (oci.c) and the registry
 * client's TLS (oci_http.c). The tables keep OpenSSL's names:
 *   if (!aw_ssl_load(err, errlen)) return error;     (loads libcrypto too)
 *   SSL *s = aw_ssl.SSL_new(ctx);
 *   unsigned long e = aw_crypto.ERR_get_error();
 * OpenSSL's macros over SSL_ctrl/SSL_CTX_ctrl are written out at the call
 * sites (a macro cannot be looked up in the library). */
#ifndef AW_APP_DL_OPENSSL_H
#define AW_APP_DL_OPENSSL_H

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "dl/dl.h"

#define AW_CRYPTO_FUNCTIONS(X)                                                                                         \
    X(SHA256, SHA256)                                                                                                  \
    X(EVP_EncodeBlock, EVP_EncodeBlock)                                                                                \
    X(EVP_DecodeBlock, EVP_DecodeBlock)                                                                                \
    X(ERR_get_error, ERR_get_error)                                                                                    \
    X(ERR_error_string_n, ERR_error_string_n)                                                                          \
    X(ERR_clear_error, ERR_clear_error)                                                                                \
    X(X509_verify_cert_error_string, X509_verify_cert_error_string)

#define AW_SSL_FUNCTIONS(X)                                                                                            \
    X(TLS_client_method, TLS_client_method)                                                                            \
    X(SSL_CTX_new, SSL_CTX_new)                                                                                        \
    X(SSL_CTX_ctrl, SSL_CTX_ctrl)                                                                                      \
    X(SSL_CTX_set_verify, SSL_CTX_set_verify)                                                                          \
    X(SSL_CTX_load_verify_locations, SSL_CTX_load_verify_locations)                                                    \
    X(SSL_CTX_set_default_verify_paths, SSL_CTX_set_default_verify_paths)                                              \
    X(SSL_CTX_free, SSL_CTX_free)                                                                                      \
    X(SSL_new, SSL_new)                                                                                                \
    X(SSL_ctrl, SSL_ctrl)                                                                                              \
    X(SSL_set1_host, SSL_set1_host)                                                                                    \
    X(SSL_set_fd, SSL_set_fd)                                                                                          \
    X(SSL_connect, SSL_connect)                                                                                        \
    X(SSL_get_verify_result, SSL_get_verify_result)                                                                    \
    X(SSL_write, SSL_write)                                                                                            \
    X(SSL_read, SSL_read)                                                                                              \
    X(SSL_get_error, SSL_get_error)                                                                                    \
    X(SSL_shutdown, SSL_shutdown)                                                                                      \
    X(SSL_free, SSL_free)

typedef struct aw_crypto_table {
    AW_CRYPTO_FUNCTIONS(AW_DL_FIELD)
} aw_crypto_table;

typedef struct aw_ssl_table {
    AW_SSL_FUNCTIONS(AW_DL_FIELD)
} aw_ssl_table;

/* Written once by their loaders (dl.h), read-only afterwards. */
extern aw_crypto_table aw_crypto;
extern aw_ssl_table aw_ssl;

bool aw_crypto_load(char *err, size_t errlen);
/* Loads libcrypto first: TLS errors are read with aw_crypto's ERR_*. */
bool aw_ssl_load(char *err, size_t errlen);

#endif
