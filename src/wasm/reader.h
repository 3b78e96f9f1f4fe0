/*
 * reader.h — a bounds-checked cursor over module bytes, with the binary
 * format's exact LEB128 rules. Shared by the decoder, the validator and the
 * translator. Every read fails (returns false and records why in r->error)
 * rather than step past `end`.
 *
 * LEB128 rules (spec 5.2.2): an unsigned uN uses at most ceil(N/7) bytes and
 * the unused bits of the last byte must be zero; a signed sN likewise, with
 * the unused bits equal to the sign bit. Overlong-but-in-range encodings
 * within that byte count are legal (e.g. 0x80 0x00 for 0).
 */
#ifndef AW_WASM_READER_H
#define AW_WASM_READER_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef struct wasm_reader {
    const uint8_t *p, *end;
    const uint8_t *base;  /* start of the module, for byte offsets */
    const char *error;    /* why the last read failed (spec wording) */
} wasm_reader;

static inline void wasm_reader_init(wasm_reader *r, const uint8_t *base, const uint8_t *p,
                                    const uint8_t *end) {
    r->base = base, r->p = p, r->end = end, r->error = NULL;
}
static inline uint64_t wasm_reader_offset(const wasm_reader *r) { return (uint64_t)(r->p - r->base); }
static inline bool wasm_reader_eof(const wasm_reader *r) { return r->p >= r->end; }
static inline size_t wasm_reader_left(const wasm_reader *r) { return (size_t)(r->end - r->p); }

static inline bool wasm_reader_fail(wasm_reader *r, const char *why) {
    r->error = why;
    return false;
}

static inline bool wasm_read_u8(wasm_reader *r, uint8_t *out) {
    if (r->p >= r->end) return wasm_reader_fail(r, "unexpected end");
    *out = *r->p++;
    return true;
}

static inline bool wasm_read_bytes(wasm_reader *r, size_t n, const uint8_t **out) {
    if (n > wasm_reader_left(r)) return wasm_reader_fail(r, "unexpected end");
    *out = r->p;
    r->p += n;
    return true;
}

/* Unsigned LEB128 of at most `bits` bits. */
static inline bool wasm_read_uleb(wasm_reader *r, unsigned bits, uint64_t *out) {
    uint64_t result = 0;
    unsigned shift = 0;
    const unsigned max_bytes = (bits + 6) / 7;
    for (unsigned i = 0;; i++) {
        if (r->p >= r->end) return wasm_reader_fail(r, "unexpected end");
        uint8_t b = *r->p++;
        if (i == max_bytes - 1) {
            /* last permitted byte: no continuation, unused bits zero */
            if (b & 0x80) return wasm_reader_fail(r, "integer representation too long");
            unsigned used = bits - shift;
            if (used < 7 && (b >> used) != 0) return wasm_reader_fail(r, "integer too large");
            result |= (uint64_t)b << shift;
            break;
        }
        result |= (uint64_t)(b & 0x7F) << shift;
        shift += 7;
        if (!(b & 0x80)) break;
    }
    *out = result;
    return true;
}

/* Signed LEB128 of at most `bits` bits. */
static inline bool wasm_read_sleb(wasm_reader *r, unsigned bits, int64_t *out) {
    uint64_t result = 0;
    unsigned shift = 0;
    const unsigned max_bytes = (bits + 6) / 7;
    uint8_t b;
    for (unsigned i = 0;; i++) {
        if (r->p >= r->end) return wasm_reader_fail(r, "unexpected end");
        b = *r->p++;
        if (i == max_bytes - 1) {
            if (b & 0x80) return wasm_reader_fail(r, "integer representation too long");
            /* bits of b at or above `used` must all equal the sign bit of the value */
            unsigned used = bits - shift; /* 1..7 */
            if (used < 7) {
                int8_t sb = (int8_t)(b << 1) >> 1;          /* b's 7 bits sign-extended */
                int8_t top = (int8_t)(sb >> (used - 1));    /* sign bit of value and above */
                if (top != 0 && top != -1) return wasm_reader_fail(r, "integer too large");
            }
            result |= (uint64_t)(b & 0x7F) << shift;
            shift += 7;
            break;
        }
        result |= (uint64_t)(b & 0x7F) << shift;
        shift += 7;
        if (!(b & 0x80)) break;
    }
    if (shift < 64 && (b & 0x40)) result |= ~(uint64_t)0 << shift;
    *out = (int64_t)result;
    return true;
}

static inline bool wasm_read_u32(wasm_reader *r, uint32_t *out) {
    uint64_t v;
    if (!wasm_read_uleb(r, 32, &v)) return false;
    *out = (uint32_t)v;
    return true;
}
static inline bool wasm_read_s32(wasm_reader *r, int32_t *out) {
    int64_t v;
    if (!wasm_read_sleb(r, 32, &v)) return false;
    *out = (int32_t)v;
    return true;
}
static inline bool wasm_read_s33(wasm_reader *r, int64_t *out) { return wasm_read_sleb(r, 33, out); }
static inline bool wasm_read_s64(wasm_reader *r, int64_t *out) { return wasm_read_sleb(r, 64, out); }

static inline bool wasm_read_fixed32(wasm_reader *r, uint32_t *out) {
    const uint8_t *b;
    if (!wasm_read_bytes(r, 4, &b)) return false;
    memcpy(out, b, 4); /* little-endian hosts only (x86-64, aarch64) */
    return true;
}
static inline bool wasm_read_fixed64(wasm_reader *r, uint64_t *out) {
    const uint8_t *b;
    if (!wasm_read_bytes(r, 8, &b)) return false;
    memcpy(out, b, 8);
    return true;
}

#endif
