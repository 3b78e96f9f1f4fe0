/*
 * sha256.h — SHA-256 (FIPS 180-4) for the engine's own use: the identity of
 * a module in a compiled artifact (aot_file.c) and the disk cache's keys
 * (aot_cache.c).
 */
#ifndef AW_WASM_SHA256_H
#define AW_WASM_SHA256_H

#include <stddef.h>
#include <stdint.h>

void wasm_sha256(const uint8_t *data, size_t len, uint8_t out[32]);

#endif
