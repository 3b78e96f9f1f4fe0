/*
 * test_sha256.c — the engine's SHA-256 (src/wasm/sha256.c) against FIPS
 * 180-4's examples and against digests computed by Python's hashlib for
 * lengths around the padding's block boundaries (55/56, 63/64/65, 119/120,
 * 127/128/129 bytes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm/sha256.h"
#include "check.h"

static int digest_is(const uint8_t *data, size_t len, const char *hex) {
    uint8_t d[32];
    char got[65];
    wasm_sha256(data, len, d);
    for (int i = 0; i < 32; i++) snprintf(got + 2 * i, 3, "%02x", d[i]);
    if (strcmp(got, hex) == 0) return 1;
    printf("  length %zu: got %s\n  want %s\n", len, got, hex);
    return 0;
}

static int str_is(const char *s, const char *hex) {
    return digest_is((const uint8_t *)s, strlen(s), hex);
}

int main(void) {
    CHECK(str_is("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    CHECK(str_is("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    CHECK(str_is("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    uint8_t *million = malloc(1000000);
    if (!million) return 1;
    memset(million, 'a', 1000000);
    CHECK(digest_is(million, 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
    free(million);

    /* byte i of the message is (7i + 3) mod 256 */
    static const struct { size_t len; const char *hex; } edges[] = {
        {55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b"},
        {56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27"},
        {63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055"},
        {64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241"},
        {65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e"},
        {119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e"},
        {120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5"},
        {127, "a8d23e75d936f303d248888d9b165ee543f4cbafcad3c9dd2a79bd84faa11d07"},
        {128, "d2742f1f4ac6bb7ca2b239ee18402ba8b3f9f8e652d2a72973c2b9ba11c08cf6"},
        {129, "307f8fc2c1622b92762e818d39a185d4d667ad49a4b07ceae1f4afa008a93ec4"},
        {1000, "1e9bc38cbf860b9ec31918b065f9b52476c549a782e0e7990bed8ce3868d2371"},
    };
    uint8_t msg[1000];
    for (size_t i = 0; i < sizeof msg; i++) msg[i] = (uint8_t)(i * 7 + 3);
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        CHECK(digest_is(msg, edges[i].len, edges[i].hex));

    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
