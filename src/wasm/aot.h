/*
 * aot.h — ahead-of-time compiled modules (.cwasm artifacts): what the
 * compiler side (llvm_aot.c, in the LLVM plugin) and the loader side (the
 * main library: aot_syms.c, aot_file.c, aot_elf.c, aot.c, none of which
 * needs LLVM) share.
 *
 * The compiled code of an artifact is one or more x86-64 ELF relocatable
 * objects (one per part of the module's functions, compiled in parallel).
 * Each defines "aw_fntab" (native entry, slots wrapper per function of its
 * part, see llvm_jit.h) and refers to the runtime through undefined
 * symbols, the artifact's ABI (wasm_aot_resolve):
 *   wasm_jit_* and the other runtime functions compiled code calls,
 *   aw_simd_op_N        wasm_simd_ops[N],
 *   aw_types            the loaded module's type array (m->types),
 *   aw_modbytes         the loaded module's bytes (m->bytes),
 *   fN                  defined function N, defined by another part,
 *   memcpy, fmod, ...   libc functions LLVM's code generator may call.
 */
#ifndef AW_WASM_AOT_H
#define AW_WASM_AOT_H

#include <stddef.h>
#include <stdint.h>

#include "wasm/llvm_jit.h"

/* One compiled part: defined functions [lo, hi) in an ELF object. */
typedef struct wasm_aot_obj {
    uint32_t lo, hi;
    uint8_t *data; /* malloc'd */
    size_t len;
} wasm_aot_obj;

/* A module's compiled code before it becomes an artifact. */
typedef struct wasm_aot_code {
    wasm_aot_obj *objs;
    uint32_t nobjs;
    char triple[64];
    char cpu[64];
    char *features;      /* LLVM's CPU features string (malloc'd) */
    bool explicit_bounds;
    double compile_ms;   /* wall */
} wasm_aot_code;

void wasm_aot_code_free(wasm_aot_code *c);

/* llvm_aot.c (the plugin; forwarded by tier_loader.c): compiles every
 * defined function of m to ELF objects for this host. */
bool wasm_aot_compile(const aw_module *m, const aw_load_options *opts, wasm_aot_code *out,
                      aw_error *err);

/* ---- aot_syms.c ---- */

/* The address of symbol `name` of the artifact ABI for module m, or NULL. */
void *wasm_aot_resolve(const char *name, const aw_module *m);
/* The ABI name of runtime function p (wasm_jit_*, simd ops), written to
 * buf; false when p is none of them. */
bool wasm_aot_runtime_name(const void *p, char *buf, size_t size);
/* The engine version an artifact must match: a release number and a
 * fingerprint of the struct layouts compiled code bakes in. */
const char *wasm_aot_engine_version(void);
/* A fingerprint of this CPU's features (cpuid), for the cache key. */
const char *wasm_aot_cpu_fingerprint(void);
/* Checks that this CPU has every "+feature" of LLVM's features string;
 * false with the missing ones (comma-separated) in buf. A feature this
 * engine does not know counts as missing when strict. */
bool wasm_aot_cpu_has(const char *features, bool strict, char *missing, size_t size);

/* ---- aot_file.c: the artifact format ---- */

#define WASM_AOT_MAGIC "\0awcwasm"
#define WASM_AOT_FORMAT 1

/* A parsed artifact; pointers into the artifact's bytes. */
typedef struct wasm_aot_file {
    const uint8_t *module;
    size_t module_len;
    uint8_t module_sha256[32];
    const char *engine, *triple, *cpu, *features, *fingerprint;
    bool explicit_bounds;
    uint32_t nobjs;
    wasm_aot_obj *objs;  /* malloc'd array; data points into the artifact */
} wasm_aot_file;

/* Serialises module bytes + code into a malloc'd artifact. */
bool wasm_aot_write(const uint8_t *module, size_t module_len, const wasm_aot_code *code,
                    uint8_t **out, size_t *out_len, aw_error *err);
/* Parses and checks an artifact (format, engine, integrity, CPU); on
 * failure fills err with a message naming `what` (a file name). */
bool wasm_aot_parse(const uint8_t *art, size_t len, const char *what, wasm_aot_file *out,
                    aw_error *err);
bool wasm_aot_is_artifact(const uint8_t *bytes, size_t len);

/* ---- aot_elf.c: the ELF loader ---- */

typedef struct wasm_aot_image {
    uint8_t *base;
    size_t size;
} wasm_aot_image;

/* Maps the objects, resolves their symbols (against each other, then the
 * ABI of module m) and applies their relocations; natives and wrappers
 * (m's ndefs entries) receive each function's entry points. */
bool wasm_aot_link(const wasm_aot_obj *objs, uint32_t nobjs, const aw_module *m, void **natives,
                   wasm_jit_slots_fn *wrappers, wasm_aot_image *img, char *why, size_t whysize);
void wasm_aot_unmap(wasm_aot_image *img);

/* ---- aot.c ---- */

/* Attaches the code of a parsed artifact to m (loaded from its bytes). */
bool wasm_aot_attach(aw_module *m, const wasm_aot_file *f, aw_error *err);

#endif
