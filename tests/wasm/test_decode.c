/*
 * test_decode.c — the LEB128 reader's edge cases and the decoder's
 * errors (kind, spec wording, byte offset) and decoded structure.
 * Calls wasm_decode directly, so it needs neither validator nor translator.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm/module.h"
#include "wasm/reader.h"

#include "check.h"

/* ---- LEB128 ---------------------------------------------------------------- */

/* Reads an unsigned LEB of `bits` from s[0..n); returns the error or NULL. */
static const char *uleb(const char *s, size_t n, unsigned bits, uint64_t *v, size_t *used) {
    const uint8_t *b = (const uint8_t *)s;
    wasm_reader r;
    wasm_reader_init(&r, b, b, b + n);
    if (!wasm_read_uleb(&r, bits, v)) return r.error;
    if (used) *used = (size_t)(r.p - b);
    return NULL;
}

static const char *sleb(const char *s, size_t n, unsigned bits, int64_t *v) {
    const uint8_t *b = (const uint8_t *)s;
    wasm_reader r;
    wasm_reader_init(&r, b, b, b + n);
    if (!wasm_read_sleb(&r, bits, v)) return r.error;
    return NULL;
}

static bool is(const char *got, const char *want) { return got && strcmp(got, want) == 0; }

static void test_uleb(void) {
    uint64_t v;
    size_t used;
    CHECK(uleb("\x00", 1, 32, &v, &used) == NULL && v == 0 && used == 1);
    CHECK(uleb("\x80\x00", 2, 32, &v, &used) == NULL && v == 0 && used == 2); /* overlong, in range */
    CHECK(uleb("\x82\x80\x80\x80\x00", 5, 32, &v, NULL) == NULL && v == 2);  /* 5 bytes: allowed */
    CHECK(uleb("\xff\xff\xff\xff\x0f", 5, 32, &v, NULL) == NULL && v == 0xFFFFFFFFu);
    CHECK(is(uleb("\x82\x80\x80\x80\x80\x00", 6, 32, &v, NULL), "integer representation too long"));
    CHECK(is(uleb("\xff\xff\xff\xff\x1f", 5, 32, &v, NULL), "integer too large"));
    CHECK(is(uleb("\x82\x80\x80\x80\x70", 5, 32, &v, NULL), "integer too large"));
    CHECK(is(uleb("\x82\x80\x80\x80\x40", 5, 32, &v, NULL), "integer too large"));
    CHECK(is(uleb("\x80", 1, 32, &v, NULL), "unexpected end"));
    CHECK(is(uleb("", 0, 32, &v, NULL), "unexpected end"));
    /* u64 */
    CHECK(uleb("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10, 64, &v, NULL) == NULL && v == UINT64_MAX);
    CHECK(is(uleb("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 10, 64, &v, NULL), "integer too large"));
    CHECK(is(uleb("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00", 11, 64, &v, NULL),
             "integer representation too long"));
    /* u1 (limits flags): one byte, 0 or 1 */
    CHECK(uleb("\x01", 1, 1, &v, NULL) == NULL && v == 1);
    CHECK(is(uleb("\x02", 1, 1, &v, NULL), "integer too large"));
    CHECK(is(uleb("\x81\x00", 2, 1, &v, NULL), "integer representation too long"));
}

static void test_sleb(void) {
    int64_t v;
    CHECK(sleb("\x7f", 1, 32, &v) == NULL && v == -1);
    CHECK(sleb("\xff\x7f", 2, 32, &v) == NULL && v == -1); /* overlong -1 */
    CHECK(sleb("\x80\x00", 2, 32, &v) == NULL && v == 0);
    CHECK(sleb("\xff\xff\xff\xff\x07", 5, 32, &v) == NULL && v == INT32_MAX);
    CHECK(sleb("\x80\x80\x80\x80\x78", 5, 32, &v) == NULL && v == INT32_MIN);
    CHECK(sleb("\xff\xff\xff\xff\x7f", 5, 32, &v) == NULL && v == -1);
    CHECK(is(sleb("\x80\x80\x80\x80\x70", 5, 32, &v), "integer too large"));
    CHECK(is(sleb("\xff\xff\xff\xff\x0f", 5, 32, &v), "integer too large"));
    CHECK(is(sleb("\x80\x80\x80\x80\x1f", 5, 32, &v), "integer too large"));
    CHECK(is(sleb("\xff\xff\xff\xff\x4f", 5, 32, &v), "integer too large"));
    CHECK(is(sleb("\x80\x80\x80\x80\x80\x00", 6, 32, &v), "integer representation too long"));
    CHECK(is(sleb("\xff\xff\xff\xff\xff\x7f", 6, 32, &v), "integer representation too long"));
    /* s64 */
    CHECK(sleb("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7f", 10, 64, &v) == NULL && v == INT64_MIN);
    CHECK(sleb("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00", 10, 64, &v) == NULL && v == INT64_MAX);
    CHECK(is(sleb("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7e", 10, 64, &v), "integer too large"));
    CHECK(is(sleb("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10, 64, &v), "integer too large"));
    CHECK(is(sleb("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00", 11, 64, &v),
             "integer representation too long"));
    /* s33 (block types): 5 bytes, 33 bits */
    CHECK(sleb("\xff\xff\xff\xff\x0f", 5, 33, &v) == NULL && v == 0xFFFFFFFFll);
    CHECK(sleb("\x80\x80\x80\x80\x70", 5, 33, &v) == NULL && v == -(1ll << 32));
    CHECK(is(sleb("\xff\xff\xff\xff\x1f", 5, 33, &v), "integer too large"));
    /* s7 (value types) */
    CHECK(sleb("\x60", 1, 7, &v) == NULL && v == -0x20);
    CHECK(is(sleb("\xe0\x7f", 2, 7, &v), "integer representation too long"));
}

/* ---- the decoder ----------------------------------------------------------- */

#define HDR "\0asm\1\0\0\0"

typedef struct decoded {
    aw_module m;
    aw_error err;
    bool ok;
} decoded;

static decoded *decode(const char *bytes, size_t len) {
    decoded *d = calloc(1, sizeof *d);
    d->m.bytes = malloc(len + 1);
    memcpy(d->m.bytes, bytes, len);
    d->m.len = len;
    d->ok = wasm_decode(&d->m, &d->err);
    return d;
}

static void done(decoded *d) {
    wasm_module_free_decoded(&d->m);
    free(d->m.bytes);
    free(d);
}

/* Decoding fails with this kind, the phrase in its message, at this offset
 * (UINT64_MAX: any). */
static bool fails(const char *bytes, size_t len, aw_errkind kind, const char *phrase, uint64_t offset) {
    decoded *d = decode(bytes, len);
    bool good = !d->ok && d->err.kind == kind && strstr(d->err.message, phrase) &&
                (offset == UINT64_MAX || d->err.offset == offset);
    if (!good)
        printf("  decode: ok=%d kind=%d offset=%llu message=\"%s\" (wanted \"%s\" at %llu)\n", d->ok,
               d->err.kind, (unsigned long long)d->err.offset, d->err.message, phrase,
               (unsigned long long)offset);
    done(d);
    return good;
}

static bool decodes(const char *bytes, size_t len) {
    decoded *d = decode(bytes, len);
    bool ok = d->ok;
    if (!ok) printf("  decode failed: %s\n", d->err.message);
    done(d);
    return ok;
}

#define B(s) s, sizeof(s) - 1
#define ANY UINT64_MAX

static void test_header(void) {
    CHECK(fails(B(""), AW_ERR_MALFORMED, "unexpected end", 0));
    CHECK(fails(B("\0as"), AW_ERR_MALFORMED, "unexpected end", 0));
    CHECK(fails(B("asm\1\0\0\0"), AW_ERR_MALFORMED, "magic header not detected", 0));
    CHECK(fails(B("\0asm\1\0\0"), AW_ERR_MALFORMED, "unexpected end", 4));
    CHECK(fails(B("\0asm\2\0\0\0"), AW_ERR_MALFORMED, "unknown binary version", 4));
    CHECK(decodes(B(HDR)));
    /* the message carries the offset */
    decoded *d = decode(B("\0asm\2\0\0\0"));
    CHECK(strcmp(d->err.message, "at byte 0x4: unknown binary version") == 0);
    CHECK(d->err.func_index == WASM_NONE);
    done(d);
}

static void test_sections(void) {
    CHECK(fails(B(HDR "\x0d\x00"), AW_ERR_MALFORMED, "malformed section id", 8));
    CHECK(fails(B(HDR "\x80\x00\x01\x00"), AW_ERR_MALFORMED, "malformed section id", 8));
    /* section size beyond the module */
    CHECK(fails(B(HDR "\x01\x07\x02\x60\x00\x00"), AW_ERR_MALFORMED, "length out of bounds", 10));
    /* one type declared, two given */
    CHECK(fails(B(HDR "\x01\x07\x01\x60\x00\x00\x60\x00\x00"), AW_ERR_MALFORMED, "section size mismatch", ANY));
    /* out of order, duplicated */
    CHECK(fails(B(HDR "\x03\x01\x00\x01\x01\x00"), AW_ERR_MALFORMED, "unexpected content after last section", 11));
    CHECK(fails(B(HDR "\x01\x01\x00\x01\x01\x00"), AW_ERR_MALFORMED, "unexpected content after last section", ANY));
    /* custom sections anywhere; their name must be UTF-8 and inside them */
    CHECK(decodes(B(HDR "\x00\x02\x01x\x01\x01\x00\x00\x03\x01yz")));
    CHECK(fails(B(HDR "\x00\x00"), AW_ERR_MALFORMED, "unexpected end", ANY));
    CHECK(fails(B(HDR "\x00\x02\x01\xff"), AW_ERR_MALFORMED, "malformed UTF-8 encoding", 11));
    /* a type's form and value types */
    CHECK(fails(B(HDR "\x01\x04\x01\x61\x00\x00"), AW_ERR_MALFORMED, "malformed function type", 11));
    CHECK(fails(B(HDR "\x01\x05\x01\x60\x01\x6e\x00"), AW_ERR_MALFORMED, "malformed value type", 13));
    CHECK(fails(B(HDR "\x01\x05\x01\xe0\x7f\x00\x00"), AW_ERR_MALFORMED, "integer representation too long", ANY));
    /* an over-long LEB128 that crosses the section's end is still reported as such */
    CHECK(fails(B(HDR "\x01\x04\x01\x60\x00\x00\x03\x03\x01\x80\x80\x80\x80\x80\x00"), AW_ERR_MALFORMED,
                "integer representation too long", ANY));
}

static void test_imports_limits(void) {
    /* import kinds */
    CHECK(fails(B(HDR "\x02\x04\x01\x00\x00\x04"), AW_ERR_MALFORMED, "malformed import kind", 13));
    CHECK(fails(B(HDR "\x02\x04\x01\x00\x00\x80"), AW_ERR_MALFORMED, "malformed import kind", 13));
    /* names are UTF-8: an overlong encoding of '/' */
    CHECK(fails(B(HDR "\x02\x07\x01\x02\xc0\xaf\x00\x02\x00"), AW_ERR_MALFORMED, "malformed UTF-8 encoding", 12));
    /* surrogate */
    CHECK(fails(B(HDR "\x02\x08\x01\x03\xed\xa0\x80\x00\x02\x00"), AW_ERR_MALFORMED, "malformed UTF-8 encoding", ANY));
    /* limits flags */
    CHECK(fails(B(HDR "\x05\x02\x01\x02"), AW_ERR_MALFORMED, "integer too large", ANY));
    CHECK(fails(B(HDR "\x05\x05\x01\x81\x00\x00\x00"), AW_ERR_MALFORMED, "integer representation too long", ANY));
    CHECK(fails(B(HDR "\x04\x03\x01\x70\x02"), AW_ERR_MALFORMED, "integer too large", ANY));
    CHECK(fails(B(HDR "\x04\x04\x01\x71\x00\x00"), AW_ERR_MALFORMED, "malformed reference type", 11));
    /* memory limits */
    CHECK(fails(B(HDR "\x05\x05\x01\x00\x81\x80\x04"), AW_ERR_INVALID, "memory size must be at most 65536 pages", 11));
    CHECK(fails(B(HDR "\x05\x04\x01\x01\x02\x01"), AW_ERR_INVALID, "size minimum must not be greater than maximum", ANY));
    CHECK(decodes(B(HDR "\x05\x06\x01\x01\x00\x80\x80\x04")));
    CHECK(fails(B(HDR "\x05\x05\x02\x00\x00\x00\x00"), AW_ERR_INVALID, "multiple memories", ANY));
    CHECK(fails(B(HDR "\x04\x05\x01\x70\x01\x02\x01"), AW_ERR_INVALID, "size minimum must not be greater than maximum", ANY));
    /* mutability */
    CHECK(fails(B(HDR "\x06\x06\x01\x7f\x02\x41\x00\x0b"), AW_ERR_MALFORMED, "malformed mutability", 12));
    /* unknown type of an imported function */
    CHECK(fails(B(HDR "\x02\x05\x01\x00\x00\x00\x03"), AW_ERR_INVALID, "unknown type", 14));
    /* a malformed section after an invalid one: malformed wins */
    CHECK(fails(B(HDR "\x02\x05\x01\x00\x00\x00\x03\x0e\x00"), AW_ERR_MALFORMED, "malformed section id", ANY));
}

static void test_constexpr(void) {
    /* (global i32 (i32.const 0) (i32.const 0)) */
    CHECK(fails(B(HDR "\x06\x08\x01\x7f\x00\x41\x00\x41\x00\x0b"), AW_ERR_INVALID, "type mismatch", ANY));
    /* empty */
    CHECK(fails(B(HDR "\x06\x04\x01\x7f\x00\x0b"), AW_ERR_INVALID, "type mismatch", ANY));
    /* (global i32 (f32.const 0)) */
    CHECK(fails(B(HDR "\x06\x09\x01\x7f\x00\x43\x00\x00\x00\x00\x0b"), AW_ERR_INVALID, "type mismatch", ANY));
    /* (global i32 (nop)) */
    CHECK(fails(B(HDR "\x06\x05\x01\x7f\x00\x01\x0b"), AW_ERR_INVALID, "constant expression required", 13));
    /* (global i32 (i32.ctz (i32.const 0))) */
    CHECK(fails(B(HDR "\x06\x07\x01\x7f\x00\x41\x00\x68\x0b"), AW_ERR_INVALID, "constant expression required", 15));
    /* a block inside: decoded through to its end */
    CHECK(fails(B(HDR "\x06\x09\x01\x7f\x00\x02\x40\x41\x00\x0b\x0b"), AW_ERR_INVALID, "constant expression required", ANY));
    /* illegal opcode: malformed */
    CHECK(fails(B(HDR "\x06\x06\x01\x7f\x00\xf3\x00\x0b"), AW_ERR_MALFORMED, "illegal opcode", 13));
    /* global.get of a global that is not imported */
    CHECK(fails(B(HDR "\x06\x0b\x02\x7f\x00\x41\x00\x0b\x7f\x00\x23\x00\x0b"), AW_ERR_INVALID, "unknown global 0", ANY));
    /* global.get of an imported mutable global */
    CHECK(fails(B(HDR "\x02\x06\x01\x00\x00\x03\x7f\x01" "\x06\x06\x01\x7f\x00\x23\x00\x0b"), AW_ERR_INVALID,
                "constant expression required", ANY));
    /* ... of an imported immutable one: fine */
    CHECK(decodes(B(HDR "\x02\x06\x01\x00\x00\x03\x7f\x00" "\x06\x06\x01\x7f\x00\x23\x00\x0b")));
    /* ref.func of an unknown function */
    CHECK(fails(B(HDR "\x06\x06\x01\x70\x00\xd2\x00\x0b"), AW_ERR_INVALID, "unknown function", ANY));
    /* v128.const */
    CHECK(decodes(B(HDR "\x06\x16\x01\x7b\x00\xfd\x0c" "0123456789abcdef" "\x0b")));
    /* ref.null with a bad type */
    CHECK(fails(B(HDR "\x06\x06\x01\x70\x00\xd0\x7f\x0b"), AW_ERR_MALFORMED, "malformed reference type", ANY));
}

/* type ()->(); one function; code body given as a string */
#define ONE_FUNC HDR "\x01\x04\x01\x60\x00\x00" "\x03\x02\x01\x00"

static void test_code(void) {
    CHECK(decodes(B(ONE_FUNC "\x0a\x04\x01\x02\x00\x0b")));
    /* function and code counts */
    CHECK(fails(B(HDR "\x01\x04\x01\x60\x00\x00" "\x03\x03\x02\x00\x00"), AW_ERR_MALFORMED,
                "function and code section have inconsistent lengths", ANY));
    CHECK(fails(B(HDR "\x0a\x04\x01\x02\x00\x0b"), AW_ERR_MALFORMED,
                "function and code section have inconsistent lengths", ANY));
    /* too many locals: 0xFFFFFFFF i32 + 2 i64 */
    CHECK(fails(B(ONE_FUNC "\x0a\x0c\x01\x0a\x02\xff\xff\xff\xff\x0f\x7f\x02\x7e\x0b"), AW_ERR_MALFORMED,
                "too many locals", ANY));
    /* missing end, at the end of the module */
    CHECK(fails(B(ONE_FUNC "\x0a\x06\x01\x04\x00\x41\x01\x1a"), AW_ERR_MALFORMED, "unexpected end", ANY));
    /* body size beyond the module */
    CHECK(fails(B(ONE_FUNC "\x0a\x04\x01\x09\x00\x0b"), AW_ERR_MALFORMED, "length out of bounds", ANY));
    /* datacount */
    CHECK(fails(B(HDR "\x0c\x01\x03\x0b\x05\x02\x01\x00\x01\x00"), AW_ERR_MALFORMED,
                "data count and data section have inconsistent lengths", ANY));
    CHECK(fails(B(HDR "\x0c\x01\x01"), AW_ERR_MALFORMED, "data count and data section have inconsistent lengths", ANY));
    CHECK(decodes(B(HDR "\x0c\x01\x00")));
    /* data: unknown memory, malformed kind, bytes beyond the end */
    CHECK(fails(B(HDR "\x0b\x06\x01\x00\x41\x00\x0b\x00"), AW_ERR_INVALID, "unknown memory 0", ANY));
    CHECK(fails(B(HDR "\x0b\x03\x01\x03\x00"), AW_ERR_MALFORMED, "malformed data segment kind", ANY));
    CHECK(fails(B(HDR "\x05\x03\x01\x00\x01\x0b\x07\x01\x00\x41\x00\x0b\x07" "ab"), AW_ERR_MALFORMED,
                "unexpected end", ANY));
}

static void test_module_rules(void) {
    /* exports: unknown index, duplicate names */
    CHECK(fails(B(ONE_FUNC "\x07\x05\x01\x01\x61\x00\x01" "\x0a\x04\x01\x02\x00\x0b"), AW_ERR_INVALID,
                "unknown function 1", ANY));
    CHECK(fails(B(ONE_FUNC "\x07\x09\x02\x01\x61\x00\x00\x01\x61\x00\x00" "\x0a\x04\x01\x02\x00\x0b"),
                AW_ERR_INVALID, "duplicate export name", ANY));
    CHECK(fails(B(ONE_FUNC "\x07\x05\x01\x01\x61\x04\x00" "\x0a\x04\x01\x02\x00\x0b"), AW_ERR_MALFORMED,
                "malformed export kind", ANY));
    /* start: type must be [] -> [] */
    CHECK(fails(B(HDR "\x01\x05\x01\x60\x01\x7f\x00" "\x03\x02\x01\x00" "\x08\x01\x00" "\x0a\x04\x01\x02\x00\x0b"),
                AW_ERR_INVALID, "start function", ANY));
    CHECK(fails(B(ONE_FUNC "\x08\x01\x01" "\x0a\x04\x01\x02\x00\x0b"), AW_ERR_INVALID, "unknown function 1", ANY));
    /* elements: unknown table; type mismatch with the table; kind */
    CHECK(fails(B(ONE_FUNC "\x09\x07\x01\x00\x41\x00\x0b\x01\x00" "\x0a\x04\x01\x02\x00\x0b"), AW_ERR_INVALID,
                "unknown table 0", ANY));
    CHECK(fails(B(ONE_FUNC "\x04\x04\x01\x6f\x00\x00" "\x09\x07\x01\x00\x41\x00\x0b\x01\x00" "\x0a\x04\x01\x02\x00\x0b"),
                AW_ERR_INVALID, "type mismatch", ANY));
    CHECK(fails(B(ONE_FUNC "\x09\x04\x01\x08\x00\x00" "\x0a\x04\x01\x02\x00\x0b"), AW_ERR_MALFORMED,
                "malformed elements segment kind", ANY));
    CHECK(fails(B(ONE_FUNC "\x09\x04\x01\x01\x01\x00" "\x0a\x04\x01\x02\x00\x0b"), AW_ERR_MALFORMED,
                "malformed element kind", ANY));
    CHECK(fails(B(ONE_FUNC "\x09\x07\x01\x05\x7f\x01\xd2\x00\x0b" "\x0a\x04\x01\x02\x00\x0b"), AW_ERR_MALFORMED,
                "malformed reference type", ANY));
    /* (elem externref (ref.func 0)): type mismatch */
    CHECK(fails(B(ONE_FUNC "\x09\x07\x01\x05\x6f\x01\xd2\x00\x0b" "\x0a\x04\x01\x02\x00\x0b"), AW_ERR_INVALID,
                "type mismatch", ANY));
}

/* A module that uses every section, checked field by field. */
static void test_full_module(void) {
    /* Built section by section so that their sizes come out right. */
    static const char elems[] = "\x03"
                                "\x00\x41\x01\x0b\x01\x00"          /* active table 0 at 1: func 0 */
                                "\x01\x00\x00"                      /* passive funcref, no funcs */
                                "\x06\x01\x23\x00\x0b\x6f\x01\xd0\x6f\x0b"; /* table 1 at g0: (ref.null extern) */
    static const char code[] = "\x02"
                               "\x06\x02\x02\x7f\x01\x7d\x0b"       /* f1: locals i32 i32 f32 */
                               "\x02\x00\x0b";                      /* f2 */
    static const char data[] = "\x02"
                               "\x00\x41\x08\x0b\x03xyz"            /* active at 8 */
                               "\x01\x02hi";                        /* passive */
    static const char names[] = "\x04name"
                                "\x01\x09\x02\x01\x02""f1\x02\x02""f2";
    char buf[512];
    size_t n = 0;
#define PUT(s, len) (memcpy(buf + n, s, len), n += len)
#define SECTION(id, s) (buf[n++] = id, buf[n++] = (char)(sizeof(s) - 1), PUT(s, sizeof(s) - 1))
    PUT(HDR, 8);
    SECTION(1, "\x02\x60\x02\x7f\x7b\x01\x7e\x60\x00\x00");
    SECTION(2, "\x04\x01m\x01""f\x00\x01\x01m\x01t\x01\x70\x01\x01\x02\x01m\x02me\x02\x00\x01\x03m\xc3\xa9\x01g\x03\x7f\x00");
    SECTION(3, "\x02\x00\x01");
    SECTION(4, "\x01\x6f\x00\x05");
    SECTION(6, "\x02\x7e\x01\x42\x7f\x0b\x70\x00\xd2\x01\x0b");
    SECTION(7, "\x02\x01""a\x00\x02\x01""b\x02\x00");
    SECTION(8, "\x02");
    SECTION(9, elems);
    SECTION(12, "\x02");
    SECTION(10, code);
    SECTION(11, data);
    SECTION(0, names);
    decoded *d = decode(buf, n);
    if (!d->ok) printf("  full module: %s\n", d->err.message);
    CHECK(d->ok);
    if (d->ok) {
        aw_module *m = &d->m;
        CHECK(m->ntypes == 2 && m->types[0].nparams == 2 && m->types[0].nresults == 1);
        CHECK(m->types[0].param_slots == 3 && m->types[0].result_slots == 1);
        CHECK(wasm_functype_results(&m->types[0])[0] == AW_I64);
        CHECK(m->nimports == 4 && m->nfunc_imports == 1 && m->ntable_imports == 1 && m->nmem_imports == 1 &&
              m->nglobal_imports == 1);
        CHECK(strcmp(m->imports[3].module, "m\xc3\xa9") == 0 && m->imports[3].module_len == 3);
        CHECK(m->imports[1].of.table.limits.min == 1 && m->imports[1].of.table.limits.max == 2);
        CHECK(m->imports[2].of.memory.max == WASM_NO_MAX);
        CHECK(m->nfuncs == 3 && m->func_types[0] == 1 && m->func_types[1] == 0 && m->func_types[2] == 1);
        CHECK(m->ntables == 2 && m->tables[1].elem == AW_EXTERNREF && m->tables[1].limits.min == 5);
        CHECK(m->nmems == 1 && m->mems[0].min == 1);
        CHECK(m->nglobals == 3 && m->globals[1].type == AW_I64 && m->globals[1].mutable_);
        int64_t v;
        memcpy(&v, m->global_inits[0].bytes, 8);
        CHECK(m->global_inits[0].op == WASM_CONST_I64 && v == -1);
        CHECK(m->global_inits[1].op == WASM_CONST_REF_FUNC && m->global_inits[1].index == 1);
        CHECK(m->nexports == 2 && strcmp(m->exports[0].name, "a") == 0 && m->exports[1].kind == AW_EXTERN_MEMORY);
        CHECK(m->start == 2);
        CHECK(m->nelems == 3 && m->elems[0].mode == WASM_SEG_ACTIVE && m->elems[0].count == 1 &&
              m->elems[0].items[0].op == WASM_CONST_REF_FUNC && m->elems[0].items[0].index == 0);
        CHECK(m->elems[1].mode == WASM_SEG_PASSIVE && m->elems[1].count == 0);
        CHECK(m->elems[2].table == 1 && m->elems[2].type == AW_EXTERNREF &&
              m->elems[2].offset.op == WASM_CONST_GLOBAL_GET && m->elems[2].items[0].op == WASM_CONST_REF_NULL &&
              m->elems[2].items[0].index == AW_EXTERNREF);
        CHECK(m->func_declared[0] && m->func_declared[1] && m->func_declared[2]);
        CHECK(m->has_datacount && m->datacount == 2 && m->ndatas == 2);
        CHECK(m->datas[0].len == 3 && memcmp(m->datas[0].bytes, "xyz", 3) == 0 && m->datas[1].mode == WASM_SEG_PASSIVE);
        const wasm_funcdef *f = &m->funcs[0];
        CHECK(f->nlocals == 3 && f->local_types[0] == AW_I32 && f->local_types[2] == AW_F32);
        CHECK(f->body_end - f->body == 1 && *f->body == 0x0b && f->body_offset == (uint64_t)(f->body - m->bytes));
        CHECK(m->funcs[1].nlocals == 0);
        CHECK(m->func_names && m->func_names[0] == NULL && strcmp(m->func_names[1], "f1") == 0 &&
              strcmp(m->func_names[2], "f2") == 0);
    }
    done(d);
}

int main(void) {
    test_uleb();
    test_sleb();
    test_header();
    test_sections();
    test_imports_limits();
    test_constexpr();
    test_code();
    test_module_rules();
    test_full_module();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
