/* sha256.c — SHA-256 digests (component sources given as {url, digest},
 * OCI blobs), through OpenSSL's libcrypto, loaded on first use
 * (dl_openssl.h).
 *
 * These functions cannot fail in their callers' eyes, so a missing
 * libcrypto ends the process with the loader's message (what is missing
 * and which package to install) rather than a wrong digest. */
#include <stdio.h>
#include <stdlib.h>

#include "app/app.h"
#include "app/dl_openssl.h"

void app_sha256(const void *data, size_t len, uint8_t out[32]) {
    char err[512];
    if (!aw_crypto_load(err, sizeof err)) {
        fprintf(stderr, "anywhere: %s\n", err);
        exit(1);
    }
    aw_crypto.SHA256(data, len, out);
}

void app_sha256_hex(const void *data, size_t len, char out[65]) {
    uint8_t d[32];
    app_sha256(data, len, d);
    for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}
