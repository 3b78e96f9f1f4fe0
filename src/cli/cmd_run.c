/*
 * cmd_run.c — `anywhere run [options] module.wasm [args...]`: runs a WASI
 * command (its `_start`), or with --invoke an exported function called
 * with typed arguments from the command line, its results printed.
 *
 * The guest gets WASI preview 1 (wasi_snapshot_preview1) with only the
 * capabilities given: pre-opened directories (--dir, --dir-ro), the
 * environment variables named (--env, --env-inherit), pre-opened
 * listening sockets (--tcplisten) and the three standard streams.
 *
 * Exit status: the code the guest passes to proc_exit (0 when _start
 * returns), 1 when the module cannot be read, loaded, linked or called as
 * asked, 2 for bad usage, 134 when the guest traps (like a native program
 * that aborts).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "anywhere/compile.h"
#include "anywhere/linker.h"
#include "anywhere/wasi.h"
#include "anywhere/wasm.h"
#include "cli/commands.h"
#include "host/host.h"

#define RUN_EXIT_ERROR 1
#define RUN_EXIT_USAGE 2
#define RUN_EXIT_TRAP 134

extern char **environ;

/* The process ends when the program does: the kernel reclaims the store,
 * module and WASI context faster than freeing them piece by piece (about
 * 50 us of a hello world's startup). Sanitizer builds free them, so that
 * leak checks keep meaning something. */
#if defined(__SANITIZE_ADDRESS__)
#define RUN_FREE_AT_EXIT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RUN_FREE_AT_EXIT 1
#endif
#endif
#ifndef RUN_FREE_AT_EXIT
#define RUN_FREE_AT_EXIT 0
#endif

#if RUN_FREE_AT_EXIT
/* Sanitizer builds: ASan's tracking of dynamic TLS (its __tls_get_addr
 * interceptor) records a bogus block once compiled code has run and done
 * I/O (libLLVM's TLS, it seems), and LeakSanitizer's exit-time tracer then
 * crashes reading it ("Tracer caught signal 11"). With auto the default
 * tier, any longer WASI program could hit it. The environment's
 * ASAN_OPTIONS still win over this. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "intercept_tls_get_addr=0"; }
#endif

typedef struct run_opts {
    const char *path;
    const char *invoke;   /* NULL: _start */
    char **args;          /* guest arguments (or the function's, as text) */
    int nargs;
    aw_store_config config;
    uint64_t timeout_ms;  /* 0 = none */
    bool trap_unknown;
    bool env_inherit;
    aw_wasi_preopen *dirs;
    int ndirs;
    const char **env;     /* --env values: "K=V", or "K" to pass the host's K */
    int nenv;
    int *sockets;         /* --tcplisten: listening sockets */
    int nsockets;
    const char **nn_preload; /* --nn-preload NAME:GGML:AUTO:PATH (wasi_ephemeral_nn) */
    int nnn_preload;
    aw_tier tier;         /* --tier; AW_TIER_AUTO by default */
    bool no_cache;        /* --no-cache: --tier compiled compiles every time, stores nothing */
} run_opts;

static int usage(FILE *out) {
    fprintf(out,
            "usage: anywhere run [options] module.wasm [args...]\n"
            "\n"
            "Runs a WASI program (its _start export) with the arguments given, or\n"
            "with --invoke an exported function, the arguments converted to its\n"
            "parameter types and its results printed. The exit status is the code\n"
            "the program exits with; 134 when it traps.\n"
            "\n"
            "options (--opt VALUE or --opt=VALUE):\n"
            "  --dir HOST[::GUEST]      pre-open a host directory, seen by the guest as GUEST\n"
            "  --dir-ro HOST[::GUEST]   the same, read-only\n"
            "  --env K=V                set an environment variable (--env K: the host's value)\n"
            "  --env-inherit            pass the whole host environment\n"
            "  --tcplisten ADDR:PORT    pre-open a listening TCP socket (sock_accept)\n"
            "  --invoke NAME            call the exported function NAME (after _initialize)\n"
            "  --fuel N                 trap after about N instructions\n"
            "  --timeout MS             trap after MS milliseconds of wall-clock time\n"
            "  --max-memory-pages N     cap every memory at N pages of 64 KiB\n"
            "  --trap-unknown-imports   link functions the host lacks to ones that trap\n"
            "  --tier auto|interp|compiled  how to run the code (default auto: the interpreter\n"
            "                           at once, compiled code once compiled in the background;\n"
            "                           compiled: compile first, the code cached, see ANYWHERE_CACHE_DIR)\n"
            "  --no-cache               --tier compiled: neither read nor write the cache of compiled code\n"
            "  --nn-preload NAME:GGML:AUTO:PATH.gguf  a model for wasi_ephemeral_nn (WasmEdge's syntax)\n");
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

/* ---- options ------------------------------------------------------------ */

static bool add_dir(run_opts *o, const char *spec, bool readonly) {
    void *d = realloc(o->dirs, (size_t)(o->ndirs + 1) * sizeof *o->dirs);
    if (!d || !*spec) return false;
    o->dirs = d;
    aw_wasi_preopen *p = &o->dirs[o->ndirs++];
    const char *sep = strstr(spec, "::");
    p->readonly = readonly;
    p->host_path = strndup(spec, sep ? (size_t)(sep - spec) : strlen(spec)); /* owned */
    p->guest_path = sep ? sep + 2 : spec;
    return p->host_path && *p->host_path && *p->guest_path;
}

static bool add_env(run_opts *o, const char *kv) {
    void *e = realloc(o->env, (size_t)(o->nenv + 1) * sizeof *o->env);
    if (!e || !*kv || *kv == '=') return false;
    o->env = e;
    o->env[o->nenv++] = kv;
    return true;
}

/* Binds and listens on HOST:PORT (or [V6]:PORT). */
static bool add_listener(run_opts *o, const char *addr) {
    const char *colon = strrchr(addr, ':');
    if (!colon || !colon[1]) return false;
    char host[256];
    size_t hl = (size_t)(colon - addr);
    if (hl >= sizeof host) return false;
    memcpy(host, addr, hl);
    host[hl] = 0;
    char *h = host;
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') h[hl - 1] = 0, h++;
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *ai;
    int r = getaddrinfo(*h ? h : NULL, colon + 1, &hints, &ai);
    if (r != 0) {
        fprintf(stderr, "anywhere run: --tcplisten %s: %s\n", addr, gai_strerror(r));
        return false;
    }
    int s = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    bool ok = s >= 0 && setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
              bind(s, ai->ai_addr, ai->ai_addrlen) == 0 && listen(s, 128) == 0;
    freeaddrinfo(ai);
    if (!ok) {
        fprintf(stderr, "anywhere run: --tcplisten %s: %s\n", addr, strerror(errno));
        if (s >= 0) close(s);
        return false;
    }
    void *sv = realloc(o->sockets, (size_t)(o->nsockets + 1) * sizeof *o->sockets);
    if (!sv) {
        close(s);
        return false;
    }
    o->sockets = sv;
    o->sockets[o->nsockets++] = s;
    return true;
}

typedef enum { OPTS_RUN, OPTS_HELP, OPTS_BAD } opts_result;

/* Handles one option that takes a value; false if the value is bad. */
static bool take_value(run_opts *o, const char *name, const char *val) {
    uint64_t n = 0;
    if (!strcmp(name, "--invoke")) o->invoke = val;
    else if (!strcmp(name, "--dir")) return add_dir(o, val, false);
    else if (!strcmp(name, "--dir-ro")) return add_dir(o, val, true);
    else if (!strcmp(name, "--env")) return add_env(o, val);
    else if (!strcmp(name, "--tcplisten")) return add_listener(o, val);
    else if (!strcmp(name, "--nn-preload")) {
        const char **g = realloc(o->nn_preload, (size_t)(o->nnn_preload + 1) * sizeof *g);
        if (!g) return false;
        (o->nn_preload = g)[o->nnn_preload++] = val;
    }
    else if (!strcmp(name, "--fuel") && parse_count(val, &n) && n > 0) o->config.fuel = n;
    else if (!strcmp(name, "--timeout") && parse_count(val, &n) && n > 0 && n <= UINT64_MAX / 1000000)
        o->timeout_ms = n;
    else if (!strcmp(name, "--max-memory-pages") && parse_count(val, &n) && n > 0 && n <= 65536)
        o->config.max_memory_pages = (uint32_t)n;
    else if (!strcmp(name, "--tier") && !strcmp(val, "auto")) o->tier = AW_TIER_AUTO;
    else if (!strcmp(name, "--tier") && !strcmp(val, "interp")) o->tier = AW_TIER_INTERP;
    else if (!strcmp(name, "--tier") && !strcmp(val, "compiled")) o->tier = AW_TIER_COMPILED;
    else return false;
    return true;
}

static bool takes_value(const char *name) {
    static const char *const names[] = {"--invoke", "--dir", "--dir-ro", "--env", "--tcplisten",
                                        "--fuel", "--timeout", "--max-memory-pages", "--nn-preload",
                                        "--tier"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(name, names[i])) return true;
    return false;
}

/* Parses options up to the module path; what follows it are arguments. */
static opts_result parse_opts(int argc, char **argv, run_opts *o) {
    for (int i = 1; i < argc; i++) {
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
        if (!strcmp(a, "--trap-unknown-imports")) {
            o->trap_unknown = true;
            continue;
        }
        if (!strcmp(a, "--no-cache")) {
            o->no_cache = true;
            continue;
        }
        if (!strcmp(a, "--env-inherit")) {
            o->env_inherit = true;
            continue;
        }
        char name[32];
        const char *eq = strchr(a, '='), *val;
        size_t nl = eq ? (size_t)(eq - a) : strlen(a);
        snprintf(name, sizeof name, "%.*s", (int)(nl < sizeof name ? nl : sizeof name - 1), a);
        if (!takes_value(name)) {
            fprintf(stderr, "anywhere run: unknown option '%s'\n", a);
            return OPTS_BAD;
        }
        val = eq ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
        if (!val || !take_value(o, name, val)) {
            fprintf(stderr, "anywhere run: bad option '%s'%s%s\n", name, val ? " " : " (no value)",
                    val ? val : "");
            return OPTS_BAD;
        }
    }
    fprintf(stderr, "anywhere run: no module given\n");
    return OPTS_BAD;
}

static void free_opts(run_opts *o) {
    for (int i = 0; i < o->ndirs; i++) free((char *)o->dirs[i].host_path);
    for (int i = 0; i < o->nsockets; i++) close(o->sockets[i]);
    free(o->dirs);
    free(o->env);
    free(o->sockets);
    free(o->nn_preload);
}

/* ---- the environment ---------------------------------------------------- */

/* The guest's environment: the host's with --env-inherit, then each --env
 * (replacing a variable of the same name). Strings are borrowed. */
static const char **build_env(const run_opts *o, int *count) {
    int nhost = 0;
    if (o->env_inherit)
        while (environ[nhost]) nhost++;
    const char **env = calloc((size_t)(nhost + o->nenv + 1), sizeof *env);
    if (!env) return NULL;
    int n = 0;
    for (int i = 0; i < nhost; i++) env[n++] = environ[i];
    for (int i = 0; i < o->nenv; i++) {
        const char *kv = o->env[i], *eq = strchr(kv, '=');
        size_t klen = eq ? (size_t)(eq - kv) : strlen(kv);
        if (!eq) { /* --env K: the host's value, if it has one */
            for (char **h = environ; *h; h++)
                if (!strncmp(*h, kv, klen) && (*h)[klen] == '=') kv = *h;
            if (kv == o->env[i]) continue;
        }
        int at = n;
        for (int j = 0; j < n; j++)
            if (!strncmp(env[j], kv, klen) && env[j][klen] == '=') at = j;
        env[at] = kv;
        if (at == n) n++;
    }
    *count = n;
    return env;
}

/* ---- values ------------------------------------------------------------- */

/* "(func (param i32 i64) (result f32))" */
static void format_functype(char *buf, size_t n, aw_functype ft) {
    size_t used = 0;
    used += (size_t)snprintf(buf + used, n - used, "(func");
    if (ft.nparams && used < n) {
        used += (size_t)snprintf(buf + used, n - used, " (param");
        for (uint32_t i = 0; i < ft.nparams && used < n; i++)
            used += (size_t)snprintf(buf + used, n - used, " %s", aw_valtype_name(ft.params[i]));
        if (used < n) used += (size_t)snprintf(buf + used, n - used, ")");
    }
    if (ft.nresults && used < n) {
        used += (size_t)snprintf(buf + used, n - used, " (result");
        for (uint32_t i = 0; i < ft.nresults && used < n; i++)
            used += (size_t)snprintf(buf + used, n - used, " %s", aw_valtype_name(ft.results[i]));
        if (used < n) used += (size_t)snprintf(buf + used, n - used, ")");
    }
    if (used < n) snprintf(buf + used, n - used, ")");
}

static void format_externtype(char *buf, size_t n, const aw_externtype *t) {
    switch (t->kind) {
    case AW_EXTERN_FUNC: format_functype(buf, n, t->func); break;
    case AW_EXTERN_TABLE: snprintf(buf, n, "(table %s)", aw_valtype_name(t->table.elem)); break;
    case AW_EXTERN_MEMORY: snprintf(buf, n, "(memory %" PRIu32 ")", t->memory.min); break;
    case AW_EXTERN_GLOBAL:
        snprintf(buf, n, "(global %s%s%s)", t->global.mutable_ ? "(mut " : "", aw_valtype_name(t->global.type),
                 t->global.mutable_ ? ")" : "");
        break;
    default: snprintf(buf, n, "(?)"); break;
    }
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

/* ---- errors ------------------------------------------------------------- */

static void error_init(aw_error *err) {
    memset(err, 0, sizeof *err);
    err->func_index = UINT32_MAX;
    err->offset = UINT64_MAX;
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

/* After a link error: the import the linker named, as the module declares
 * it in the text format, and the way around it for functions. */
static void explain_link_error(aw_module *m, const aw_error *err) {
    uint32_t n = aw_module_import_count(m);
    for (uint32_t i = 0; i < n; i++) {
        const char *mod = NULL, *name = NULL;
        aw_externtype t;
        memset(&t, 0, sizeof t);
        aw_module_import(m, i, &mod, &name, &t);
        char key[300], type[256];
        snprintf(key, sizeof key, " %s.%s:", mod ? mod : "", name ? name : "");
        if (!strstr(err->message, key)) continue;
        format_externtype(type, sizeof type, &t);
        fprintf(stderr, "anywhere run: the module declares (import \"%s\" \"%s\" %s)%s\n", mod, name, type,
                t.kind == AW_EXTERN_FUNC ? "; --trap-unknown-imports links it to a function that traps" : "");
        return;
    }
}

/* ---- loading ------------------------------------------------------------ */

/* Loads the module, refusing files that are plainly not binary Wasm with a
 * message that says what they look like. */
static aw_module *load(const char *path, const run_opts *o) {
    size_t len = 0;
    /* --tier compiled keys its cache by the whole file: read all of it */
    uint8_t *bytes = aw_module_read_file(path, o->tier != AW_TIER_COMPILED, &len);
    if (!bytes) {
        fprintf(stderr, "anywhere run: cannot read %s: %s\n", path,
                errno == EAGAIN ? "it changed size while being read" : strerror(errno));
        return NULL;
    }
    if (aw_is_artifact(bytes, len)) { /* an `anywhere compile` artifact: no LLVM needed */
        aw_error err;
        error_init(&err);
        aw_module *m = aw_module_load_artifact(bytes, len, path, &err);
        aw_module_buffer_free(bytes, len);
        if (!m) fprintf(stderr, "anywhere run: %s\n", err.message);
        return m;
    }
    if (len < 4 || memcmp(bytes, "\0asm", 4) != 0) {
        const char *hint = "";
        size_t skip = 0;
        while (skip < len && (bytes[skip] == ' ' || bytes[skip] == '\n' || bytes[skip] == '\t')) skip++;
        if (skip < len && bytes[skip] == '(') hint = " (it looks like the text format; convert it with wat2wasm)";
        fprintf(stderr, "anywhere run: %s: not a WebAssembly binary: no \\0asm magic at byte offset 0%s\n",
                path, hint);
        aw_module_buffer_free(bytes, len);
        return NULL;
    }
    aw_error err;
    error_init(&err);
    aw_load_options lo = {.tier = o->tier};
    /* --tier compiled: through the artifact cache (the second run loads the
     * code without LLVM) */
    aw_module *m;
    if (o->tier == AW_TIER_COMPILED && !o->no_cache) {
        m = aw_module_load_cached(bytes, len, &lo, NULL, &err);
        aw_module_buffer_free(bytes, len);
    } else {
        m = aw_module_load_buffer_ex(bytes, len, &lo, &err); /* takes bytes */
    }
    if (!m) report_error(path, "cannot load", &err);
    return m;
}

/* ---- running ------------------------------------------------------------ */

static bool has_export_func(aw_module *m, const char *want) {
    uint32_t n = aw_module_export_count(m);
    for (uint32_t i = 0; i < n; i++) {
        const char *name = NULL;
        aw_externtype t;
        aw_module_export(m, i, &name, &t);
        if (t.kind == AW_EXTERN_FUNC && name && !strcmp(name, want)) return true;
    }
    return false;
}

/* Calls the function with the command line's arguments; prints results. */
static int invoke(const run_opts *o, aw_store *s, aw_func *f, const char *name) {
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
                    name, sig, o->args[i], aw_valtype_name(ft.params[i]));
            free(vals);
            return RUN_EXIT_USAGE;
        }
    aw_error err;
    error_init(&err);
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

/* Calls a function of type () -> (); AW_OK or the status to exit with. */
static int call_void(const run_opts *o, aw_store *s, aw_func *f, bool *done) {
    aw_error err;
    error_init(&err);
    if (aw_call(s, f, NULL, 0, NULL, 0, &err) == AW_OK) return 0;
    *done = true; /* exited or trapped: nothing more runs */
    return report_error(o->path, "call failed", &err);
}

/* Instantiates with WASI and runs _start, or _initialize then --invoke. */
static int run_module(const run_opts *o, aw_module *m, aw_store *s, aw_linker *l) {
    aw_error err;
    error_init(&err);
    if (o->timeout_ms) aw_store_set_timeout(s, o->timeout_ms * 1000000u);
    aw_instance *inst = aw_linker_instantiate(l, s, m, &err);
    if (!inst) {
        int status = report_error(o->path, "cannot instantiate", &err);
        if (err.kind == AW_ERR_LINK) explain_link_error(m, &err);
        return status;
    }
    const char *name = o->invoke ? o->invoke : "_start";
    aw_func *f = aw_instance_func(inst, name);
    if (!f) {
        fprintf(stderr, "anywhere run: %s: no exported function \"%s\"%s\n", o->path, name,
                o->invoke ? "" : " (not a WASI command; pass --invoke NAME)");
        list_exported_funcs(m);
        return RUN_EXIT_ERROR;
    }
    bool done = false;
    if (!o->invoke) {
        aw_functype ft = aw_func_type(f);
        if (ft.nparams || ft.nresults) return invoke(o, s, f, name); /* not WASI's _start: typed */
        return call_void(o, s, f, &done);
    }
    /* A reactor is initialised before any of its exports is called. */
    if (strcmp(name, "_initialize") != 0 && has_export_func(m, "_initialize")) {
        aw_func *init = aw_instance_func(inst, "_initialize");
        int status = call_void(o, s, init, &done);
        if (done) return status;
    }
    return invoke(o, s, f, name);
}

static aw_wasi *make_wasi(const run_opts *o) {
    int envc = 0;
    const char **env = build_env(o, &envc);
    const char **argv = calloc((size_t)o->nargs + 2, sizeof *argv);
    aw_wasi *w = NULL;
    char errbuf[512] = "out of memory";
    if (env && argv) {
        argv[0] = o->path; /* the module's name as given, like a native argv[0] */
        for (int i = 0; i < o->nargs; i++) argv[i + 1] = o->args[i];
        aw_wasi_config cfg = {.argc = o->nargs + 1, .argv = argv, .envc = envc, .env = env,
                              .preopens = o->dirs, .npreopens = o->ndirs,
                              .sockets = o->sockets, .nsockets = o->nsockets};
        w = aw_wasi_new(&cfg, errbuf, sizeof errbuf);
    }
    if (!w) fprintf(stderr, "anywhere run: %s\n", errbuf);
    free(env);
    free(argv);
    return w;
}

/* Faults in, with one system call, the start of the heap that loading and
 * running a small module go on to touch a page at a time: populating a
 * page costs about a tenth of taking its fault under a hypervisor (1 us
 * against 10 us measured), and a hello world uses some 80 KB of heap.
 * A block is taken from the top of the heap, populated and given back;
 * glibc keeps the pages (it trims the heap only when more than 128 KB is
 * free at its top) and hands them out again. Only speed depends on it:
 * under another allocator nothing is gained. Measured against 0, 96, 120
 * and 200 KB, 64 KB was best (by 0.03-0.2 ms). */
#define RUN_HEAP_PREFAULT ((size_t)64 << 10)
static void prefault_heap(void) {
#ifdef MADV_POPULATE_WRITE
    uint8_t *p = malloc(RUN_HEAP_PREFAULT);
    if (!p) return;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t from = ((uintptr_t)p + page - 1) & ~(page - 1), to = ((uintptr_t)p + RUN_HEAP_PREFAULT) & ~(page - 1);
    if (to > from) madvise((void *)from, to - from, MADV_POPULATE_WRITE); /* advice: EINVAL before Linux 5.14 */
    free(p);
#endif
}

int cmd_run(int argc, char **argv) {
    prefault_heap();
    run_opts o;
    memset(&o, 0, sizeof o);
    o.tier = AW_TIER_AUTO;
    int status = RUN_EXIT_ERROR;
    switch (parse_opts(argc, argv, &o)) {
    case OPTS_HELP: status = usage(stdout); goto out;
    case OPTS_BAD: status = usage(stderr); goto out;
    case OPTS_RUN: break;
    }
    aw_wasi *w = make_wasi(&o); /* first: a bad --dir is reported before any loading */
    if (!w) goto out;
    aw_module *m = load(o.path, &o);
    aw_store *s = m ? aw_store_new(&o.config) : NULL;
    aw_linker *l = s ? aw_linker_new() : NULL;
    if (m && !s) fprintf(stderr, "anywhere run: cannot create a store\n");
    char nerr[512];
    host_nn_preload *nn = l && o.nnn_preload ? host_nn_preload_new(o.nn_preload, o.nnn_preload, nerr, sizeof nerr) : NULL;
    if (l && o.nnn_preload && (!nn || !host_nn_preload_define(nn, l))) {
        fprintf(stderr, "anywhere run: %s\n", nn ? "out of memory defining wasi_ephemeral_nn" : nerr);
    } else if (l && aw_wasi_define(l, w)) {
        aw_linker_trap_unknown_imports(l, o.trap_unknown);
        status = run_module(&o, m, s, l);
    } else if (s) {
        fprintf(stderr, "anywhere run: out of memory defining WASI\n");
    }
    /* The process ends here, without exit handlers or destructors: nothing
     * of ours needs them, and while --tier auto still compiles, LLVM's
     * static destructors must not run under the compiling thread.
     * Sanitizer builds free everything first, for the leak check. */
    if (!RUN_FREE_AT_EXIT || aw_compile_in_flight()) {
        fflush(NULL);
        _exit(status);
    }
    aw_linker_free(l);
    host_nn_preload_free(nn);
    if (s) aw_store_free(s);
    if (m) aw_module_release(m);
    aw_wasi_free(w);
out:
    free_opts(&o);
    return status;
}
