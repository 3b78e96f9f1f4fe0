/*
 * cmd_run.c — `anywhere run [options] module.wasm [args...]`: loads a
 * module, instantiates it and calls one exported function with the
 * arguments given on the command line, printing its results.
 *
 * WASI is not provided yet: a module that imports anything is refused with
 * a message naming each import. Exit status: 0 on success, 1 when the
 * module cannot be loaded, linked or called as asked, 2 for bad usage,
 * 134 when the guest traps (like a native program that aborts), or the
 * code a guest passes to exit.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anywhere/wasm.h"
#include "cli/commands.h"

#define RUN_EXIT_ERROR 1
#define RUN_EXIT_USAGE 2
#define RUN_EXIT_TRAP 134

typedef struct run_opts {
    const char *path;
    const char *invoke;   /* NULL: _start */
    char **args;          /* the function's arguments, as text */
    int nargs;
    aw_store_config config;
    uint64_t timeout_ms;  /* 0 = none */
} run_opts;

static int usage(FILE *out) {
    fprintf(out,
            "usage: anywhere run [options] module.wasm [args...]\n"
            "\n"
            "Calls an exported function (by default _start) with the arguments\n"
            "given, converted to its parameter types, and prints its results.\n"
            "\n"
            "options:\n"
            "  --invoke NAME            the exported function to call\n"
            "  --fuel N                 trap after about N instructions\n"
            "  --timeout MS             trap after MS milliseconds of wall-clock time\n"
            "  --max-memory-pages N     cap every memory at N pages of 64 KiB\n");
    return out == stdout ? 0 : RUN_EXIT_USAGE;
}

static bool parse_count(const char *s, uint64_t *out) {
    if (!s || !*s || *s == '-') return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end) return false;
    *out = v;
    return true;
}

typedef enum { OPTS_RUN, OPTS_HELP, OPTS_BAD } opts_result;

/* Parses options up to the module path; what follows it are arguments. */
static opts_result parse_opts(int argc, char **argv, run_opts *o) {
    for (int i = 1; i < argc; i += 2) { /* every option takes a value */
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) return OPTS_HELP;
        if (!strcmp(a, "--") || a[0] != '-') {
            int at = !strcmp(a, "--") ? i + 1 : i;
            if (at >= argc) break;
            o->path = argv[at];
            o->args = argv + at + 1;
            o->nargs = argc - at - 1;
            return OPTS_RUN;
        }
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t n = 0;
        if (!strcmp(a, "--invoke") && val) {
            o->invoke = val;
        } else if (!strcmp(a, "--fuel") && parse_count(val, &n) && n > 0) {
            o->config.fuel = n;
        } else if (!strcmp(a, "--timeout") && parse_count(val, &n) && n > 0 && n <= UINT64_MAX / 1000000) {
            o->timeout_ms = n;
        } else if (!strcmp(a, "--max-memory-pages") && parse_count(val, &n) && n > 0 && n <= 65536) {
            o->config.max_memory_pages = (uint32_t)n;
        } else {
            fprintf(stderr, "anywhere run: bad option '%s'%s%s\n", a, val ? " " : "", val ? val : "");
            return OPTS_BAD;
        }
    }
    fprintf(stderr, "anywhere run: no module given\n");
    return OPTS_BAD;
}

static uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1 << 16;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                errno = ENOMEM;
                return NULL;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    int bad = ferror(f) ? errno : 0;
    fclose(f);
    if (bad) {
        free(buf);
        errno = bad;
        return NULL;
    }
    *len = n;
    return buf;
}

static const char *valtype_name(aw_valtype t) {
    switch (t) {
    case AW_I32: return "i32";
    case AW_I64: return "i64";
    case AW_F32: return "f32";
    case AW_F64: return "f64";
    case AW_V128: return "v128";
    case AW_FUNCREF: return "funcref";
    case AW_EXTERNREF: return "externref";
    }
    return "?";
}

/* "(param i32 i64) (result f32)" */
static void format_functype(char *buf, size_t n, aw_functype ft) {
    size_t used = 0;
    used += (size_t)snprintf(buf + used, n - used, "(func");
    if (ft.nparams && used < n) {
        used += (size_t)snprintf(buf + used, n - used, " (param");
        for (uint32_t i = 0; i < ft.nparams && used < n; i++)
            used += (size_t)snprintf(buf + used, n - used, " %s", valtype_name(ft.params[i]));
        if (used < n) used += (size_t)snprintf(buf + used, n - used, ")");
    }
    if (ft.nresults && used < n) {
        used += (size_t)snprintf(buf + used, n - used, " (result");
        for (uint32_t i = 0; i < ft.nresults && used < n; i++)
            used += (size_t)snprintf(buf + used, n - used, " %s", valtype_name(ft.results[i]));
        if (used < n) used += (size_t)snprintf(buf + used, n - used, ")");
    }
    if (used < n) snprintf(buf + used, n - used, ")");
}

static void format_externtype(char *buf, size_t n, const aw_externtype *t) {
    switch (t->kind) {
    case AW_EXTERN_FUNC: format_functype(buf, n, t->func); break;
    case AW_EXTERN_TABLE: snprintf(buf, n, "(table %s)", valtype_name(t->table.elem)); break;
    case AW_EXTERN_MEMORY: snprintf(buf, n, "(memory %" PRIu32 ")", t->memory.min); break;
    case AW_EXTERN_GLOBAL:
        snprintf(buf, n, "(global %s%s%s)", t->global.mutable_ ? "(mut " : "", valtype_name(t->global.type),
                 t->global.mutable_ ? ")" : "");
        break;
    default: snprintf(buf, n, "(?)"); break;
    }
}

/* Nothing can be imported yet: name every import the module wants. */
static bool check_imports(const char *path, aw_module *m) {
    uint32_t n = aw_module_import_count(m);
    for (uint32_t i = 0; i < n; i++) {
        const char *mod = NULL, *name = NULL;
        aw_externtype t;
        memset(&t, 0, sizeof t);
        aw_module_import(m, i, &mod, &name, &t);
        char type[256];
        format_externtype(type, sizeof type, &t);
        fprintf(stderr, "anywhere run: %s: cannot provide import \"%s\" \"%s\" %s\n", path, mod ? mod : "",
                name ? name : "", type);
    }
    if (n) fprintf(stderr, "anywhere run: (WASI and other host imports are not supported yet)\n");
    return n == 0;
}

static void list_exported_funcs(aw_module *m) {
    uint32_t n = aw_module_export_count(m);
    bool any = false;
    for (uint32_t i = 0; i < n; i++) {
        const char *name = NULL;
        aw_externtype t;
        memset(&t, 0, sizeof t);
        aw_module_export(m, i, &name, &t);
        if (t.kind != AW_EXTERN_FUNC) continue;
        char type[256];
        format_functype(type, sizeof type, t.func);
        fprintf(stderr, "%s  %s %s\n", any ? "" : "exported functions:\n", name ? name : "", type);
        any = true;
    }
    if (!any) fprintf(stderr, "the module exports no functions\n");
}

/* Parses one argument as type t: integers in decimal or 0x hex, signed or
 * unsigned within the type's width; floats as strtod reads them (also
 * nan, inf); "null" for references. */
static bool parse_arg(const char *s, aw_valtype t, aw_val *out) {
    memset(out, 0, sizeof *out);
    out->type = t;
    char *end = NULL;
    errno = 0;
    switch (t) {
    case AW_I32:
    case AW_I64: {
        bool neg = s[0] == '-';
        uint64_t mag = strtoull(neg ? s + 1 : s, &end, 0);
        if (!*s || errno || *end || (neg && !isdigit((unsigned char)s[1]))) return false;
        if (t == AW_I32) {
            if (neg ? mag > 0x80000000u : mag > 0xffffffffu) return false;
            out->of.i32 = (int32_t)(neg ? (uint32_t)0 - (uint32_t)mag : (uint32_t)mag);
        } else {
            if (neg && mag > (uint64_t)1 << 63) return false;
            out->of.i64 = (int64_t)(neg ? (uint64_t)0 - mag : mag);
        }
        return true;
    }
    case AW_F32:
        out->of.f32 = strtof(s, &end);
        return *s && !*end;
    case AW_F64:
        out->of.f64 = strtod(s, &end);
        return *s && !*end;
    case AW_FUNCREF:
    case AW_EXTERNREF:
        return !strcmp(s, "null");
    case AW_V128:
        /* 0x followed by 32 hex digits, most significant first. */
        if (strncmp(s, "0x", 2) != 0 || strlen(s) != 34) return false;
        for (int i = 0; i < 16; i++) {
            char byte[3] = {s[2 + 2 * i], s[3 + 2 * i], 0};
            if (!isxdigit((unsigned char)byte[0]) || !isxdigit((unsigned char)byte[1])) return false;
            out->of.v128[15 - i] = (uint8_t)strtoul(byte, NULL, 16);
        }
        return true;
    }
    return false;
}

static void print_value(const aw_val *v) {
    switch (v->type) {
    case AW_I32: printf("%" PRId32 "\n", v->of.i32); break;
    case AW_I64: printf("%" PRId64 "\n", v->of.i64); break;
    case AW_F32: printf("%.9g\n", (double)v->of.f32); break;
    case AW_F64: printf("%.17g\n", v->of.f64); break;
    case AW_V128:
        printf("0x");
        for (int i = 15; i >= 0; i--) printf("%02x", v->of.v128[i]);
        printf("\n");
        break;
    case AW_FUNCREF: printf("%s\n", v->of.funcref ? "funcref" : "null"); break;
    case AW_EXTERNREF:
        if (v->of.externref) printf("externref:%" PRIuPTR "\n", v->of.externref);
        else printf("null\n");
        break;
    }
}

/* Reports a failed load, link or call; returns the exit status. */
static int report_error(const char *path, const char *what, const aw_error *err) {
    switch (err->kind) {
    case AW_ERR_TRAP: {
        const char *kind = aw_trap_message(err->trap);
        fprintf(stderr, "anywhere run: %s: trap: %s", path, kind ? kind : "?");
        if (err->func_index != UINT32_MAX) fprintf(stderr, " in function %" PRIu32, err->func_index);
        if (err->offset != UINT64_MAX) fprintf(stderr, " at offset 0x%" PRIx64, err->offset);
        if (err->message[0] && (!kind || strcmp(err->message, kind) != 0)) fprintf(stderr, " (%s)", err->message);
        fprintf(stderr, "\n");
        return RUN_EXIT_TRAP;
    }
    case AW_ERR_EXIT: return err->exit_code;
    default: break;
    }
    const char *kind = err->kind == AW_ERR_MALFORMED ? "malformed module"
                       : err->kind == AW_ERR_INVALID ? "invalid module"
                       : err->kind == AW_ERR_LINK     ? "link error"
                       : err->kind == AW_ERR_RESOURCE ? "resource limit"
                                                      : what;
    fprintf(stderr, "anywhere run: %s: %s", path, kind);
    /* Say where, unless the engine's message already does. */
    char where[32];
    snprintf(where, sizeof where, "0x%" PRIx64, err->offset);
    if (err->offset != UINT64_MAX && (err->kind == AW_ERR_MALFORMED || err->kind == AW_ERR_INVALID) &&
        !strstr(err->message, where))
        fprintf(stderr, " at byte offset %s", where);
    fprintf(stderr, ": %s\n", err->message[0] ? err->message : "(no detail)");
    return RUN_EXIT_ERROR;
}

/* Loads the module, refusing files that are plainly not binary Wasm with a
 * message that says what they look like. */
static aw_module *load(const char *path) {
    size_t len = 0;
    uint8_t *bytes = read_file(path, &len);
    if (!bytes) {
        fprintf(stderr, "anywhere run: cannot read %s: %s\n", path, strerror(errno));
        return NULL;
    }
    if (len < 4 || memcmp(bytes, "\0asm", 4) != 0) {
        const char *hint = "";
        size_t skip = 0;
        while (skip < len && (bytes[skip] == ' ' || bytes[skip] == '\n' || bytes[skip] == '\t')) skip++;
        if (skip < len && bytes[skip] == '(') hint = " (it looks like the text format; convert it with wat2wasm)";
        fprintf(stderr, "anywhere run: %s: not a WebAssembly binary: no \\0asm magic at the start%s\n", path, hint);
        free(bytes);
        return NULL;
    }
    aw_error err;
    memset(&err, 0, sizeof err);
    err.offset = UINT64_MAX;
    aw_module *m = aw_module_load(bytes, len, &err);
    free(bytes);
    if (!m) report_error(path, "cannot load", &err);
    return m;
}

/* Instantiates and calls; returns the exit status. */
static int run_module(const run_opts *o, aw_module *m, aw_store *s) {
    aw_error err;
    memset(&err, 0, sizeof err);
    err.func_index = UINT32_MAX;
    err.offset = UINT64_MAX;
    if (!check_imports(o->path, m)) return RUN_EXIT_ERROR;
    if (o->timeout_ms) aw_store_set_timeout(s, o->timeout_ms * 1000000u);
    aw_instance *inst = aw_instantiate(s, m, NULL, 0, &err);
    if (!inst) return report_error(o->path, "cannot instantiate", &err);

    const char *name = o->invoke ? o->invoke : "_start";
    aw_func *f = aw_instance_func(inst, name);
    if (!f) {
        fprintf(stderr, "anywhere run: %s: no exported function \"%s\"%s\n", o->path, name,
                o->invoke ? "" : " (pass --invoke NAME)");
        list_exported_funcs(m);
        return RUN_EXIT_ERROR;
    }
    aw_functype ft = aw_func_type(f);
    char sig[512];
    format_functype(sig, sizeof sig, ft);
    if ((uint32_t)o->nargs != ft.nparams) {
        fprintf(stderr, "anywhere run: \"%s\" %s takes %" PRIu32 " argument%s, %d given\n", name, sig, ft.nparams,
                ft.nparams == 1 ? "" : "s", o->nargs);
        return RUN_EXIT_USAGE;
    }
    aw_val *vals = calloc((size_t)ft.nparams + ft.nresults + 1, sizeof *vals);
    if (!vals) {
        fprintf(stderr, "anywhere run: out of memory\n");
        return RUN_EXIT_ERROR;
    }
    aw_val *args = vals, *results = vals + ft.nparams;
    for (uint32_t i = 0; i < ft.nparams; i++)
        if (!parse_arg(o->args[i], ft.params[i], &args[i])) {
            fprintf(stderr, "anywhere run: argument %" PRIu32 " of \"%s\" %s: '%s' is not a valid %s\n", i + 1,
                    name, sig, o->args[i], valtype_name(ft.params[i]));
            free(vals);
            return RUN_EXIT_USAGE;
        }
    int status = 0;
    if (aw_call(s, f, args, ft.nparams, results, ft.nresults, &err) != AW_OK) {
        status = report_error(o->path, "call failed", &err);
    } else {
        for (uint32_t i = 0; i < ft.nresults; i++) {
            results[i].type = ft.results[i];
            print_value(&results[i]);
        }
    }
    free(vals);
    return status;
}

int cmd_run(int argc, char **argv) {
    run_opts o;
    memset(&o, 0, sizeof o);
    switch (parse_opts(argc, argv, &o)) {
    case OPTS_HELP: return usage(stdout);
    case OPTS_BAD: return usage(stderr);
    case OPTS_RUN: break;
    }
    aw_module *m = load(o.path);
    if (!m) return RUN_EXIT_ERROR;
    aw_store *s = aw_store_new(&o.config);
    if (!s) {
        fprintf(stderr, "anywhere run: cannot create a store\n");
        aw_module_release(m);
        return RUN_EXIT_ERROR;
    }
    int status = run_module(&o, m, s);
    fflush(stdout);
    aw_store_free(s);
    aw_module_release(m);
    return status;
}
