/*
 * aot_file.c — the .cwasm artifact format: writing and checked parsing.
 *
 * Layout (integers little-endian):
 *   0   magic "\0awcwasm"            8 bytes
 *   8   format version               u32 (WASM_AOT_FORMAT)
 *   12  flags                        u32 (bit 0: explicit bounds checks)
 *   16  total length                 u64 (the file's size, trailer included)
 *   24  SHA-256 of the module bytes  32 bytes
 *   56  number of objects            u32, then u32 0
 *   64  strings, each u32 length (NUL included) + bytes + NUL:
 *       engine version, target triple, CPU name, LLVM CPU features,
 *       cpuid fingerprint (aot_syms.c)
 *       the module: u64 length + bytes, padded to 16
 *       per object: u32 first function, u32 end function (defined
 *       indices), u64 length + ELF bytes, padded to 16
 *   end-32: SHA-256 of everything before it
 *
 * The checks run cheapest and most telling first: format, length, engine,
 * target, CPU features, the module's hash, then the whole file's hash
 * (corruption in the code itself), so that each refusal names its cause.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm/sha256.h"
#include "wasm/aot.h"

#define HEADER_SIZE 64
#define TRAILER_SIZE 32

bool wasm_aot_is_artifact(const uint8_t *bytes, size_t len) {
    return len >= 8 && memcmp(bytes, WASM_AOT_MAGIC, 8) == 0;
}

/* ---- writing ---- */

typedef struct wbuf {
    uint8_t *p;
    size_t n, cap;
    bool oom;
} wbuf;

static void put(wbuf *b, const void *data, size_t n) {
    if (b->oom) return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n) cap *= 2;
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p, b->cap = cap;
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
}
static void put32(wbuf *b, uint32_t v) { put(b, &v, 4); } /* x86-64 only: little-endian */
static void put64(wbuf *b, uint64_t v) { put(b, &v, 8); }
static void put_str(wbuf *b, const char *s) {
    put32(b, (uint32_t)strlen(s) + 1);
    put(b, s, strlen(s) + 1);
}
static void pad16(wbuf *b) {
    static const uint8_t zero[16];
    put(b, zero, (16 - b->n % 16) % 16);
}

bool wasm_aot_write(const uint8_t *module, size_t module_len, const wasm_aot_code *code,
                    uint8_t **out, size_t *out_len, aw_error *err) {
    wbuf b = {0};
    uint8_t hash[32];
    wasm_sha256(module, module_len, hash);
    put(&b, WASM_AOT_MAGIC, 8);
    put32(&b, WASM_AOT_FORMAT);
    put32(&b, code->explicit_bounds ? 1 : 0);
    put64(&b, 0); /* total length, below */
    put(&b, hash, 32);
    put32(&b, code->nobjs);
    put32(&b, 0);
    put_str(&b, wasm_aot_engine_version());
    put_str(&b, code->triple);
    put_str(&b, code->cpu);
    put_str(&b, code->features ? code->features : "");
    put_str(&b, wasm_aot_cpu_fingerprint());
    put64(&b, module_len);
    put(&b, module, module_len);
    pad16(&b);
    for (uint32_t i = 0; i < code->nobjs; i++) {
        put32(&b, code->objs[i].lo);
        put32(&b, code->objs[i].hi);
        put64(&b, code->objs[i].len);
        put(&b, code->objs[i].data, code->objs[i].len);
        pad16(&b);
    }
    if (!b.oom) {
        uint64_t total = b.n + TRAILER_SIZE;
        memcpy(b.p + 16, &total, 8);
        wasm_sha256(b.p, b.n, hash);
        put(&b, hash, 32);
    }
    if (b.oom) {
        free(b.p);
        wasm_error_set(err, AW_ERR_RESOURCE, WASM_NONE, UINT64_MAX, "out of memory for the artifact");
        return false;
    }
    *out = b.p;
    *out_len = b.n;
    return true;
}

/* ---- parsing ---- */

typedef struct rd {
    const uint8_t *p, *end;
} rd;

static bool get(rd *r, void *out, size_t n) {
    if ((size_t)(r->end - r->p) < n) return false;
    memcpy(out, r->p, n);
    r->p += n;
    return true;
}
static bool get_str(rd *r, const char **out) {
    uint32_t n;
    if (!get(r, &n, 4) || n == 0 || (size_t)(r->end - r->p) < n || r->p[n - 1] != 0) return false;
    *out = (const char *)r->p;
    r->p += n;
    return true;
}
static bool get_bytes(rd *r, const uint8_t *base, const uint8_t **out, size_t *len) {
    uint64_t n;
    if (!get(r, &n, 8) || (uint64_t)(r->end - r->p) < n) return false;
    *out = r->p;
    *len = (size_t)n;
    r->p += n;
    size_t pad = (16 - (size_t)(r->p - base) % 16) % 16;
    if ((size_t)(r->end - r->p) < pad) return false;
    r->p += pad;
    return true;
}

__attribute__((format(printf, 3, 4)))
static bool refuse(aw_error *err, const char *what, const char *fmt, ...) {
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    wasm_error_set(err, AW_ERR_MALFORMED, WASM_NONE, UINT64_MAX, "%s %s", what, msg);
    return false;
}

static bool parse_layout(const uint8_t *art, size_t len, const char *what, wasm_aot_file *f,
                         aw_error *err) {
    rd r = {art + HEADER_SIZE, art + len - TRAILER_SIZE};
    if (!get_str(&r, &f->engine) || !get_str(&r, &f->triple) || !get_str(&r, &f->cpu) ||
        !get_str(&r, &f->features) || !get_str(&r, &f->fingerprint) ||
        !get_bytes(&r, art, &f->module, &f->module_len))
        return refuse(err, what, "is corrupt (its header runs past its end)");
    f->objs = calloc(f->nobjs ? f->nobjs : 1, sizeof *f->objs);
    if (!f->objs) return refuse(err, what, "cannot be loaded: out of memory");
    for (uint32_t i = 0; i < f->nobjs; i++) {
        wasm_aot_obj *o = &f->objs[i];
        const uint8_t *data;
        if (!get(&r, &o->lo, 4) || !get(&r, &o->hi, 4) || !get_bytes(&r, art, &data, &o->len) ||
            o->lo > o->hi)
            return refuse(err, what, "is corrupt (object table)");
        o->data = (uint8_t *)(uintptr_t)data; /* read-only: the loader copies it */
    }
    return true;
}

static bool check_target(const wasm_aot_file *f, const char *what, aw_error *err) {
    char missing[300];
#if !defined(__x86_64__)
    return refuse(err, what, "cannot run here: ahead-of-time code runs on x86-64 only "
                  "(this machine is not; run the .wasm with --tier compiled)");
#endif
    if (strncmp(f->triple, "x86_64", 6) != 0)
        return refuse(err, what, "was compiled for %s; this machine is x86-64", f->triple);
    /* features this engine cannot check are taken on trust only on the
     * machine the artifact was compiled on (same cpuid fingerprint) */
    bool same_cpu = strcmp(f->fingerprint, wasm_aot_cpu_fingerprint()) == 0;
    if (!wasm_aot_cpu_has(f->features, !same_cpu, missing, sizeof missing))
        return refuse(err, what, "was compiled for CPU %s; this machine lacks its features %s: "
                      "recompile it here with `anywhere compile`", f->cpu, missing);
    return true;
}

bool wasm_aot_parse(const uint8_t *art, size_t len, const char *what, wasm_aot_file *f,
                    aw_error *err) {
    memset(f, 0, sizeof *f);
    uint32_t format, flags;
    uint64_t total;
    if (!wasm_aot_is_artifact(art, len))
        return refuse(err, what, "is not an anywhere artifact (.cwasm)");
    if (len < HEADER_SIZE + TRAILER_SIZE)
        return refuse(err, what, "is truncated (shorter than its header)");
    memcpy(&format, art + 8, 4);
    memcpy(&flags, art + 12, 4);
    memcpy(&total, art + 16, 8);
    memcpy(f->module_sha256, art + 24, 32);
    memcpy(&f->nobjs, art + 56, 4);
    f->explicit_bounds = flags & 1;
    if (format != WASM_AOT_FORMAT)
        return refuse(err, what, "has format version %u; this engine reads version %u: "
                      "recompile it with `anywhere compile`", format, WASM_AOT_FORMAT);
    if (total != len)
        return refuse(err, what, "is truncated or corrupt (%zu bytes; its header says %llu)", len,
                      (unsigned long long)total);
    if (f->nobjs > (len >> 4)) return refuse(err, what, "is corrupt (object count)");
    if (!parse_layout(art, len, what, f, err)) goto fail;
    if (strcmp(f->engine, wasm_aot_engine_version()) != 0) {
        refuse(err, what, "was compiled by another engine version (%s; this is %s): recompile it "
               "with `anywhere compile`", f->engine, wasm_aot_engine_version());
        goto fail;
    }
    if (!check_target(f, what, err)) goto fail;
    uint8_t hash[32];
    wasm_sha256(f->module, f->module_len, hash);
    if (memcmp(hash, f->module_sha256, 32) != 0) {
        refuse(err, what, "is corrupt: its module bytes do not match their SHA-256");
        goto fail;
    }
    wasm_sha256(art, len - TRAILER_SIZE, hash);
    if (memcmp(hash, art + len - TRAILER_SIZE, 32) != 0) {
        refuse(err, what, "is corrupt: its checksum does not match its contents");
        goto fail;
    }
    return true;
fail:
    free(f->objs);
    f->objs = NULL;
    return false;
}
