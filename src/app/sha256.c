/* sha256.c — SHA-256 digests (component sources given as {url, digest},
 * OCI blobs), through OpenSSL's libcrypto, which the registry client
 * links anyway. */
#include <openssl/sha.h>
#include <stdio.h>

#include "app/app.h"

void app_sha256(const void *data, size_t len, uint8_t out[32]) {
    SHA256(data, len, out);
}

void app_sha256_hex(const void *data, size_t len, char out[65]) {
    uint8_t d[32];
    app_sha256(data, len, d);
    for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}
