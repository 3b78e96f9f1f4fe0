/*
 * cmd_registry.c — `anywhere registry push|pull`: apps as OCI artifacts.
 *
 *   anywhere registry push [APP_DIR] REF [options]
 *   anywhere registry pull REF [-o DIR] [options]
 *
 * The work is in src/app/oci*.c; this parses options and prints results.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/oci.h"
#include "cli/commands.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: anywhere registry push [APP_DIR] REF [options]\n"
            "       anywhere registry pull REF [-o DIR] [options]\n"
            "  REF                HOST[:PORT]/NAME[:TAG][@sha256:HEX]\n"
            "  APP_DIR            directory holding spin.toml (default .)\n"
            "  -o, --output DIR   where pull writes the app (default: the name's last segment)\n"
            "  --insecure         plain HTTP, for a registry on loopback only\n"
            "  --ca-file FILE     PEM certificates to trust (default: SSL_CERT_FILE or the system's)\n"
            "  -u, --username U   registry user (default: ANYWHERE_REGISTRY_USERNAME, or a docker config.json)\n"
            "  --password-stdin   read the password from standard input (default: ANYWHERE_REGISTRY_PASSWORD)\n"
            "  -q, --quiet        print only the digest\n");
}

static bool read_password(char *buf, size_t size) {
    if (!fgets(buf, (int)size, stdin)) return false;
    buf[strcspn(buf, "\r\n")] = 0;
    return true;
}

int cmd_registry(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *verb = argv[1], *pos[2] = {0}, *out = NULL;
    int npos = 0;
    bool quiet = false, pw_stdin = false;
    oci_opts o = {.log = stderr};
    static char password[1024];
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return 0; }
        else if (!strcmp(a, "--insecure")) o.insecure = true;
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) quiet = true;
        else if (!strcmp(a, "--password-stdin")) pw_stdin = true;
        else if (!strcmp(a, "--ca-file")) { if (!v) goto missing; o.ca_file = v, i++; }
        else if (!strcmp(a, "-u") || !strcmp(a, "--username")) { if (!v) goto missing; o.username = v, i++; }
        else if (!strcmp(a, "-o") || !strcmp(a, "--output")) { if (!v) goto missing; out = v, i++; }
        else if (a[0] == '-') {
            fprintf(stderr, "anywhere registry: unknown option '%s'\n", a);
            return 2;
        } else if (npos < 2) pos[npos++] = a;
        else {
            fprintf(stderr, "anywhere registry: unexpected argument '%s'\n", a);
            return 2;
        }
        continue;
    missing:
        fprintf(stderr, "anywhere registry: %s needs a value\n", a);
        return 2;
    }
    if (pw_stdin) {
        if (!read_password(password, sizeof password)) {
            fprintf(stderr, "anywhere registry: --password-stdin: nothing on standard input\n");
            return 2;
        }
        o.password = password;
        if (!o.username) o.username = getenv("ANYWHERE_REGISTRY_USERNAME");
        if (!o.username) {
            fprintf(stderr, "anywhere registry: --password-stdin needs --username\n");
            return 2;
        }
    }
    if (quiet) o.log = NULL;
    char err[2048], digest[72];
    if (!strcmp(verb, "push")) {
        if (npos == 0) { usage(stderr); return 2; }
        const char *dir = npos == 2 ? pos[0] : ".", *ref = pos[npos - 1];
        if (!oci_push_app(dir, ref, &o, digest, err, sizeof err)) {
            fprintf(stderr, "anywhere registry push: %s\n", err);
            return 1;
        }
        if (quiet) printf("%s\n", digest);
        else printf("Pushed %s\nDigest: %s\n", ref, digest);
        return 0;
    }
    if (!strcmp(verb, "pull")) {
        if (npos != 1) { usage(stderr); return 2; }
        oci_ref r;
        if (!oci_ref_parse(pos[0], &r, err, sizeof err)) {
            fprintf(stderr, "anywhere registry pull: %s\n", err);
            return 2;
        }
        const char *slash = strrchr(r.repository, '/');
        const char *dir = out ? out : slash ? slash + 1 : r.repository;
        if (!oci_pull_app(pos[0], dir, &o, digest, err, sizeof err)) {
            fprintf(stderr, "anywhere registry pull: %s\n", err);
            return 1;
        }
        if (quiet) printf("%s\n", digest);
        else printf("Pulled %s into %s\nDigest: %s\n", pos[0], dir, digest);
        return 0;
    }
    fprintf(stderr, "anywhere registry: unknown action '%s' (push or pull)\n", verb);
    return 2;
}
