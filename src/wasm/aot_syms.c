/*
 * aot_syms.c — the artifact ABI (see aot.h): the symbols compiled code
 * refers to and their addresses in this process; the engine version an
 * artifact must match; and this CPU's features, read with cpuid, to check
 * an artifact's LLVM features string without LLVM.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm/aot.h"
#include "wasm/fround.h"
#include "wasm/simd.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

/* Bump when compiled code's conventions change in a way the layout
 * fingerprint below cannot see (the translator's calling convention, the
 * meaning of a helper's arguments). */
#define AOT_ENGINE_RELEASE 1

typedef struct aot_sym {
    const char *name;
    void *addr;
} aot_sym;

#define RT(f) {#f, (void *)f}
/* The runtime functions compiled code calls or compares against. */
static const aot_sym runtime_syms[] = {
    RT(wasm_jit_enter), RT(wasm_jit_trap), RT(wasm_jit_call_slots), RT(wasm_jit_check),
    RT(wasm_jit_type_eq), RT(wasm_jit_memory_grow), RT(wasm_jit_memory_init),
    RT(wasm_jit_data_drop), RT(wasm_jit_memory_copy), RT(wasm_jit_memory_fill),
    RT(wasm_jit_table_get), RT(wasm_jit_table_set), RT(wasm_jit_table_size),
    RT(wasm_jit_table_grow), RT(wasm_jit_table_fill), RT(wasm_jit_table_copy),
    RT(wasm_jit_table_init), RT(wasm_jit_elem_drop), RT(wasm_jit_simd_load),
};

/* C's math functions LLVM's code generator may call, lowering the
 * intrinsics the translator uses (llvm.ceil, floor, trunc, roundeven,
 * sqrt, fabs, copysign, minimum, maximum) on a CPU without the matching
 * instructions (x86-64 before SSE4.1). The engine does not link libm
 * (fround.h says why): these are its own, exact for every input. fmod is
 * not here: only frem lowers to it, and Wasm has no frem. */
static double c_sqrt(double x) { return __builtin_sqrt(x); }
static float c_sqrtf(float x) { return __builtin_sqrtf(x); }
static double c_fabs(double x) { return __builtin_fabs(x); }
static float c_fabsf(float x) { return __builtin_fabsf(x); }
static double c_copysign(double x, double y) { return __builtin_copysign(x, y); }
static float c_copysignf(float x, float y) { return __builtin_copysignf(x, y); }
/* C's fmin/fmax: a NaN operand yields the other one. */
static double c_fmin(double a, double b) { return a != a ? b : b != b ? a : a < b ? a : b; }
static double c_fmax(double a, double b) { return a != a ? b : b != b ? a : a > b ? a : b; }
static float c_fminf(float a, float b) { return a != a ? b : b != b ? a : a < b ? a : b; }
static float c_fmaxf(float a, float b) { return a != a ? b : b != b ? a : a > b ? a : b; }
static double c_ceil(double x) { return wasm_ceil_f64(x); }
static float c_ceilf(float x) { return wasm_ceil_f32(x); }
static double c_floor(double x) { return wasm_floor_f64(x); }
static float c_floorf(float x) { return wasm_floor_f32(x); }
static double c_trunc(double x) { return wasm_trunc_f64(x); }
static float c_truncf(float x) { return wasm_trunc_f32(x); }
static double c_nearest(double x) { return wasm_nearest_f64(x); }   /* rint, nearbyint, roundeven */
static float c_nearestf(float x) { return wasm_nearest_f32(x); }
static double c_round(double x) { return wasm_round_f64(x); }
static float c_roundf(float x) { return wasm_round_f32(x); }

#define LM(name, f) {#name, (void *)f}
static const aot_sym libc_syms[] = {
    RT(memcpy), RT(memmove), RT(memset), RT(memcmp),
    LM(ceil, c_ceil), LM(ceilf, c_ceilf), LM(floor, c_floor), LM(floorf, c_floorf),
    LM(trunc, c_trunc), LM(truncf, c_truncf), LM(rint, c_nearest), LM(rintf, c_nearestf),
    LM(nearbyint, c_nearest), LM(nearbyintf, c_nearestf), LM(roundeven, c_nearest),
    LM(roundevenf, c_nearestf), LM(round, c_round), LM(roundf, c_roundf),
    LM(sqrt, c_sqrt), LM(sqrtf, c_sqrtf), LM(fmin, c_fmin), LM(fminf, c_fminf),
    LM(fmax, c_fmax), LM(fmaxf, c_fmaxf), LM(copysign, c_copysign), LM(copysignf, c_copysignf),
    LM(fabs, c_fabs), LM(fabsf, c_fabsf),
};
#undef LM
#undef RT

void *wasm_aot_resolve(const char *name, const aw_module *m) {
    if (!strcmp(name, "aw_types")) return m->types;
    if (!strcmp(name, "aw_modbytes")) return m->bytes;
    if (!strncmp(name, "aw_simd_op_", 11)) {
        char *end;
        unsigned long op = strtoul(name + 11, &end, 10);
        return !*end && op < 256 ? (void *)wasm_simd_ops[op] : NULL;
    }
    for (size_t i = 0; i < sizeof runtime_syms / sizeof *runtime_syms; i++)
        if (!strcmp(name, runtime_syms[i].name)) return runtime_syms[i].addr;
    for (size_t i = 0; i < sizeof libc_syms / sizeof *libc_syms; i++)
        if (!strcmp(name, libc_syms[i].name)) return libc_syms[i].addr;
    return NULL;
}

bool wasm_aot_runtime_name(const void *p, char *buf, size_t size) {
    for (size_t i = 0; i < sizeof runtime_syms / sizeof *runtime_syms; i++)
        if (p == runtime_syms[i].addr) {
            snprintf(buf, size, "%s", runtime_syms[i].name);
            return true;
        }
    for (unsigned op = 0; op < 256; op++)
        if (wasm_simd_ops[op] && p == (const void *)wasm_simd_ops[op]) {
            snprintf(buf, size, "aw_simd_op_%u", op);
            return true;
        }
    return false;
}

/* Here rather than in aot_file.c: the plugin calls it, and whatever it
 * calls is linked into every program (tier_loader.c), which must not need
 * libcrypto for it. */
void wasm_aot_code_free(wasm_aot_code *c) {
    for (uint32_t i = 0; c->objs && i < c->nobjs; i++) free(c->objs[i].data);
    free(c->objs);
    free(c->features);
    memset(c, 0, sizeof *c);
}

/* ---- engine version ----------------------------------------------------- */

static uint64_t fnv(uint64_t h, uint64_t v) {
    for (int i = 0; i < 8; i++) h = (h ^ ((v >> (8 * i)) & 0xFF)) * 0x100000001b3ull;
    return h;
}

/* Every offset and size compiled code bakes in (llvm_translate.c,
 * llvm_checks.c): a change to any makes old artifacts unusable. */
static uint64_t layout_fingerprint(void) {
    const uint64_t v[] = {
        sizeof(wasm_jit_vm), offsetof(wasm_jit_vm, mem0), offsetof(wasm_jit_vm, mem0obj),
        offsetof(wasm_jit_vm, store), offsetof(wasm_jit_vm, inst), offsetof(wasm_jit_vm, funcs),
        offsetof(wasm_jit_vm, globals), offsetof(wasm_jit_vm, tables), offsetof(wasm_jit_vm, recs),
        offsetof(wasm_jit_vm, check_fn), offsetof(wasm_jit_vm, trap_fn), sizeof(wasm_jit_rec),
        offsetof(wasm_jit_rec, native), offsetof(wasm_jit_rec, wrapper), offsetof(wasm_jit_rec, vm),
        offsetof(aw_store, fuel), offsetof(aw_store, fuel_enabled), offsetof(aw_store, interrupt),
        offsetof(aw_store, jit_stack_limit), offsetof(aw_func, type), offsetof(aw_func, host),
        offsetof(aw_func, host_data), offsetof(aw_table, size), offsetof(aw_table, elems),
        offsetof(aw_global, value), offsetof(aw_memory, data), offsetof(aw_memory, size),
        sizeof(wasm_functype), sizeof(wasm_slot), AW_TRAP_INVALID_CONVERSION,
    };
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) h = fnv(h, v[i]);
    return h;
}

/* Written once under pthread_once, read-only afterwards. */
static char engine_version[48];
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;

static void make_engine_version(void) {
    snprintf(engine_version, sizeof engine_version, "anywhere-aot %d/%016llx", AOT_ENGINE_RELEASE,
             (unsigned long long)layout_fingerprint());
}

const char *wasm_aot_engine_version(void) {
    pthread_once(&engine_once, make_engine_version);
    return engine_version;
}

/* ---- CPU features ------------------------------------------------------- */

#if defined(__x86_64__)
enum { R_EAX, R_EBX, R_ECX, R_EDX };

/* An LLVM x86 feature and where cpuid reports it. xsave_mask: the XCR0
 * state the OS must enable for it (LLVM's host detection requires it). */
typedef struct cpu_feature {
    const char *name;
    uint32_t leaf, sub;
    uint8_t reg, bit;
    uint32_t xsave_mask;
} cpu_feature;

#define AVX_STATE 0x6u
#define AVX512_STATE 0xE6u
#define AMX_STATE 0x60000u
static const cpu_feature features_table[] = {
    {"sse3", 1, 0, R_ECX, 0, 0}, {"pclmul", 1, 0, R_ECX, 1, 0}, {"ssse3", 1, 0, R_ECX, 9, 0},
    {"fma", 1, 0, R_ECX, 12, AVX_STATE}, {"cx16", 1, 0, R_ECX, 13, 0},
    {"sse4.1", 1, 0, R_ECX, 19, 0}, {"sse4.2", 1, 0, R_ECX, 20, 0}, {"crc32", 1, 0, R_ECX, 20, 0},
    {"movbe", 1, 0, R_ECX, 22, 0}, {"popcnt", 1, 0, R_ECX, 23, 0}, {"aes", 1, 0, R_ECX, 25, 0},
    {"xsave", 1, 0, R_ECX, 26, 0}, {"avx", 1, 0, R_ECX, 28, AVX_STATE},
    {"f16c", 1, 0, R_ECX, 29, AVX_STATE}, {"rdrnd", 1, 0, R_ECX, 30, 0},
    {"cx8", 1, 0, R_EDX, 8, 0}, {"cmov", 1, 0, R_EDX, 15, 0}, {"mmx", 1, 0, R_EDX, 23, 0},
    {"fxsr", 1, 0, R_EDX, 24, 0}, {"sse", 1, 0, R_EDX, 25, 0}, {"sse2", 1, 0, R_EDX, 26, 0},
    {"fsgsbase", 7, 0, R_EBX, 0, 0}, {"sgx", 7, 0, R_EBX, 2, 0}, {"bmi", 7, 0, R_EBX, 3, 0},
    {"hle", 7, 0, R_EBX, 4, 0}, {"avx2", 7, 0, R_EBX, 5, AVX_STATE}, {"bmi2", 7, 0, R_EBX, 8, 0},
    {"invpcid", 7, 0, R_EBX, 10, 0}, {"rtm", 7, 0, R_EBX, 11, 0},
    {"avx512f", 7, 0, R_EBX, 16, AVX512_STATE}, {"evex512", 7, 0, R_EBX, 16, AVX512_STATE},
    {"avx512dq", 7, 0, R_EBX, 17, AVX512_STATE}, {"rdseed", 7, 0, R_EBX, 18, 0},
    {"adx", 7, 0, R_EBX, 19, 0}, {"avx512ifma", 7, 0, R_EBX, 21, AVX512_STATE},
    {"clflushopt", 7, 0, R_EBX, 23, 0}, {"clwb", 7, 0, R_EBX, 24, 0},
    {"avx512cd", 7, 0, R_EBX, 28, AVX512_STATE}, {"sha", 7, 0, R_EBX, 29, 0},
    {"avx512bw", 7, 0, R_EBX, 30, AVX512_STATE}, {"avx512vl", 7, 0, R_EBX, 31, AVX512_STATE},
    {"prefetchwt1", 7, 0, R_ECX, 0, 0}, {"avx512vbmi", 7, 0, R_ECX, 1, AVX512_STATE},
    {"pku", 7, 0, R_ECX, 4, 0}, {"waitpkg", 7, 0, R_ECX, 5, 0},
    {"avx512vbmi2", 7, 0, R_ECX, 6, AVX512_STATE}, {"shstk", 7, 0, R_ECX, 7, 0},
    {"gfni", 7, 0, R_ECX, 8, 0}, {"vaes", 7, 0, R_ECX, 9, AVX_STATE},
    {"vpclmulqdq", 7, 0, R_ECX, 10, AVX_STATE}, {"avx512vnni", 7, 0, R_ECX, 11, AVX512_STATE},
    {"avx512bitalg", 7, 0, R_ECX, 12, AVX512_STATE},
    {"avx512vpopcntdq", 7, 0, R_ECX, 14, AVX512_STATE}, {"rdpid", 7, 0, R_ECX, 22, 0},
    {"kl", 7, 0, R_ECX, 23, 0}, {"cldemote", 7, 0, R_ECX, 25, 0},
    {"movdiri", 7, 0, R_ECX, 27, 0}, {"movdir64b", 7, 0, R_ECX, 28, 0},
    {"enqcmd", 7, 0, R_ECX, 29, 0}, {"uintr", 7, 0, R_EDX, 5, 0},
    {"avx512vp2intersect", 7, 0, R_EDX, 8, AVX512_STATE}, {"serialize", 7, 0, R_EDX, 14, 0},
    {"tsxldtrk", 7, 0, R_EDX, 16, 0}, {"pconfig", 7, 0, R_EDX, 18, 0},
    {"amx-bf16", 7, 0, R_EDX, 22, AMX_STATE}, {"avx512fp16", 7, 0, R_EDX, 23, AVX512_STATE},
    {"amx-tile", 7, 0, R_EDX, 24, AMX_STATE}, {"amx-int8", 7, 0, R_EDX, 25, AMX_STATE},
    {"avxvnni", 7, 1, R_EAX, 4, AVX_STATE}, {"avx512bf16", 7, 1, R_EAX, 5, AVX512_STATE},
    {"avxifma", 7, 1, R_EAX, 23, AVX_STATE},
    {"sahf", 0x80000001, 0, R_ECX, 0, 0}, {"lzcnt", 0x80000001, 0, R_ECX, 5, 0},
    {"sse4a", 0x80000001, 0, R_ECX, 6, 0}, {"prfchw", 0x80000001, 0, R_ECX, 8, 0},
    {"xop", 0x80000001, 0, R_ECX, 11, AVX_STATE}, {"fma4", 0x80000001, 0, R_ECX, 16, AVX_STATE},
    {"tbm", 0x80000001, 0, R_ECX, 21, 0}, {"mwaitx", 0x80000001, 0, R_ECX, 29, 0},
    {"rdpru", 0x80000008, 0, R_EBX, 4, 0}, {"clzero", 0x80000008, 0, R_EBX, 0, 0},
    {"wbnoinvd", 0x80000008, 0, R_EBX, 9, 0},
    {"xsaveopt", 0xD, 1, R_EAX, 0, 0}, {"xsavec", 0xD, 1, R_EAX, 1, 0},
    {"xsaves", 0xD, 1, R_EAX, 3, 0},
};

/* Features every x86-64 CPU has, or that LLVM names without a cpuid bit. */
static const char *const always[] = {"64bit", "x87", "cmov", "cx8", "fxsr", "mmx", "sse", "sse2",
                                     "nopl", "slow-unaligned-mem-16"};

static uint32_t xcr0(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) return 0; /* no OSXSAVE */
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return lo;
}

static bool cpuid_reg(uint32_t leaf, uint32_t sub, int reg, uint32_t *out) {
    unsigned r[4] = {0};
    unsigned max = __get_cpuid_max(leaf & 0x80000000u, NULL);
    if (max < leaf) return false;
    __cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
    *out = r[reg];
    return true;
}

#define NFEATURES (sizeof features_table / sizeof *features_table)
/* Per entry of features_table, whether this CPU has it: cpuid is slow
 * under a hypervisor (a trap per instruction), so it is read once.
 * Written once under pthread_once, read-only afterwards. */
static bool cpu_has[NFEATURES];
static pthread_once_t has_once = PTHREAD_ONCE_INIT;

static void read_features(void) {
    uint32_t x = xcr0();
    for (size_t i = 0; i < NFEATURES; i++) {
        const cpu_feature *f = &features_table[i];
        uint32_t v;
        cpu_has[i] = cpuid_reg(f->leaf, f->sub, f->reg, &v) && (v & (1u << f->bit)) &&
                     (x & f->xsave_mask) == f->xsave_mask;
    }
}

/* 1 present, 0 absent, -1 unknown to this table. */
static int has_feature(const char *name, size_t len) {
    pthread_once(&has_once, read_features);
    for (size_t i = 0; i < sizeof always / sizeof *always; i++)
        if (strlen(always[i]) == len && !memcmp(always[i], name, len)) return 1;
    for (size_t i = 0; i < NFEATURES; i++)
        if (strlen(features_table[i].name) == len && !memcmp(features_table[i].name, name, len))
            return cpu_has[i];
    return -1;
}

/* Written once under pthread_once, read-only afterwards. */
static char cpu_fingerprint[160];
static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;

static void make_cpu_fingerprint(void) {
    static const uint32_t leaves[][3] = {
        {1, 0, R_ECX}, {1, 0, R_EDX}, {7, 0, R_EBX}, {7, 0, R_ECX}, {7, 0, R_EDX}, {7, 1, R_EAX},
        {0x80000001, 0, R_ECX}, {0x80000008, 0, R_EBX}, {0xD, 1, R_EAX},
    };
    size_t n = (size_t)snprintf(cpu_fingerprint, sizeof cpu_fingerprint, "x86-64");
    for (size_t i = 0; i < sizeof leaves / sizeof *leaves && n < sizeof cpu_fingerprint; i++) {
        uint32_t v = 0;
        cpuid_reg(leaves[i][0], leaves[i][1], (int)leaves[i][2], &v);
        /* bit 27 of leaf 1 ECX (OSXSAVE) and the like do not change code */
        n += (size_t)snprintf(cpu_fingerprint + n, sizeof cpu_fingerprint - n, ":%08x", v);
    }
    if (n < sizeof cpu_fingerprint)
        snprintf(cpu_fingerprint + n, sizeof cpu_fingerprint - n, ":%x", xcr0());
}

#else
static int has_feature(const char *name, size_t len) { (void)name, (void)len; return -1; }
static char cpu_fingerprint[16];
static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;
static void make_cpu_fingerprint(void) { snprintf(cpu_fingerprint, sizeof cpu_fingerprint, "other"); }
#endif

const char *wasm_aot_cpu_fingerprint(void) {
    pthread_once(&cpu_once, make_cpu_fingerprint);
    return cpu_fingerprint;
}

static void append(char *buf, size_t size, const char *name, size_t len, const char *suffix) {
    size_t n = strlen(buf);
    if (n + len + 16 >= size) return;
    snprintf(buf + n, size - n, "%s%.*s%s", n ? ", " : "", (int)len, name, suffix);
}

bool wasm_aot_cpu_has(const char *features, bool strict, char *missing, size_t size) {
    missing[0] = 0;
    for (const char *p = features; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > 1 && p[0] == '+') {
            int h = has_feature(p + 1, len - 1);
            if (h == 0) append(missing, size, p + 1, len - 1, "");
            if (h < 0 && strict) append(missing, size, p + 1, len - 1, " (not known to this engine)");
        }
        p += len;
        if (*p == ',') p++;
    }
    return missing[0] == 0;
}
