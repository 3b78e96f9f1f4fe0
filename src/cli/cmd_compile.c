/*
 * cmd_compile.c — `anywhere compile app.wasm [-o app.cwasm]`: compiles a
 * module ahead of time for this machine (aw_compile_artifact); `anywhere
 * run app.cwasm` then runs it without compiling, and without LLVM.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "anywhere/compile.h"
#include "cli/commands.h"

static int usage(FILE *out) {
    fprintf(out,
            "usage: anywhere compile [options] MODULE.wasm\n\n"
            "Compiles a WebAssembly module to native code for this machine (x86-64) and writes\n"
            "an artifact that `anywhere run` runs without compiling it again.\n\n"
            "options:\n"
            "  -o FILE                  the artifact (default: MODULE with .cwasm for .wasm)\n"
            "  --opt N                  LLVM optimisation level 1..3 (default 2, or quick above 4 MB of code)\n"
            "  --explicit-bounds        check memory accesses in code instead of with guard pages\n"
            "  --unchecked-loops        no fuel or interrupt checks in loops (trusted code only)\n");
    return out == stdout ? 0 : 2;
}

static uint8_t *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    uint8_t *buf = NULL;
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
        buf = malloc((size_t)st.st_size + 1);
        if (buf && fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
            free(buf);
            buf = NULL;
        }
        *len = (size_t)st.st_size;
    } else {
        errno = EISDIR;
    }
    fclose(f);
    return buf;
}

/* Written to a temporary file renamed over `path`: never half an artifact. */
static bool write_all(const char *path, const uint8_t *data, size_t len) {
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!tmp) return false;
    snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    bool ok = f && fwrite(data, 1, len, f) == len;
    if (f && fclose(f) != 0) ok = false;
    if (ok && rename(tmp, path) != 0) ok = false;
    if (!ok) {
        int e = errno;
        unlink(tmp);
        errno = e;
    }
    free(tmp);
    return ok;
}

int cmd_compile(int argc, char **argv) {
    const char *in = NULL, *out = NULL;
    aw_load_options opts = {.tier = AW_TIER_COMPILED};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) return usage(stdout);
        if (!strcmp(a, "-o") && i + 1 < argc) out = argv[++i];
        else if (!strcmp(a, "--opt") && i + 1 < argc && atoi(argv[i + 1]) >= 1 && atoi(argv[i + 1]) <= 3)
            opts.opt_level = atoi(argv[++i]);
        else if (!strcmp(a, "--explicit-bounds")) opts.explicit_bounds_checks = true;
        else if (!strcmp(a, "--unchecked-loops")) opts.unchecked_loops = true;
        else if (a[0] != '-' && !in) in = a;
        else {
            fprintf(stderr, "anywhere compile: bad argument '%s'\n", a);
            return usage(stderr);
        }
    }
    if (!in) return usage(stderr);
    char *def = NULL;
    if (!out) {
        size_t n = strlen(in);
        def = malloc(n + 8);
        if (!def) return 1;
        snprintf(def, n + 8, "%.*s.cwasm", (int)(n > 5 && !strcmp(in + n - 5, ".wasm") ? n - 5 : n), in);
        out = def;
    }
    size_t len = 0;
    uint8_t *bytes = read_all(in, &len), *art = NULL;
    size_t alen = 0;
    aw_error err;
    int rc = 1;
    if (!bytes) fprintf(stderr, "anywhere compile: cannot read %s: %s\n", in, strerror(errno));
    else if (aw_is_artifact(bytes, len)) fprintf(stderr, "anywhere compile: %s is already compiled\n", in);
    else if (!aw_compile_artifact(bytes, len, &opts, &art, &alen, &err))
        fprintf(stderr, "anywhere compile: %s: %s\n", in, err.message);
    else if (!write_all(out, art, alen))
        fprintf(stderr, "anywhere compile: cannot write %s: %s\n", out, strerror(errno));
    else rc = 0;
    free(bytes);
    free(art);
    free(def);
    return rc;
}
