/*
 * cmd_up.c — `anywhere up`: serve the HTTP app described by a spin.toml.
 *
 *   anywhere up [-f spin.toml|DIR] [--listen ADDR] [--admin-listen ADDR]
 *               [--deadline SECONDS] [--max-memory MB] [--max-instances N]
 *               [--max-body MB] [--access-log FILE|-|off] [--loops N]
 *               [--runtime-config-file FILE] [--state-dir DIR]
 *               [--check] [--bench-instantiate N]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/app.h"
#include "app/oci.h"
#include "app/trigger.h"
#include "cli/commands.h"

/* The signal handler needs the server; only it reads this. */
static app_server *volatile running;

static void on_signal(int sig) {
    (void)sig;
    if (running) app_server_stop(running);
}

static void usage(FILE *out) {
    fprintf(out,
            "usage: anywhere up [-f spin.toml|DIR] [--listen ADDR] [--admin-listen ADDR]\n"
            "                   [--deadline SECONDS] [--max-memory MB] [--max-instances N] [--max-body MB]\n"
            "                   [--access-log FILE|-|off] [--loops N] [--runtime-config-file FILE]\n"
            "                   [--state-dir DIR] [--check] [--bench-instantiate N]\n"
            "                   [--insecure] [--ca-file FILE]\n"
            "  -f, --from       the manifest, or a directory holding spin.toml (default: .), or an app\n"
            "                   artifact REF (HOST[:PORT]/NAME[:TAG][@sha256:HEX], anywhere registry push):\n"
            "                   pulled into $ANYWHERE_CACHE_DIR (default ~/.cache/anywhere/oci), verified\n"
            "  --insecure       pull REF over plain HTTP (loopback registries only)\n"
            "  --ca-file        PEM certificates to trust for the registry\n"
            "  --listen         address to serve the app on (default 127.0.0.1:3000)\n"
            "  --admin-listen   address for /metrics and health (default: none)\n"
            "  --deadline       guest wall-clock limit per request in seconds (default 30; 0 = none)\n"
            "  --max-memory     linear memory cap per instance in MiB (default 128)\n"
            "  --max-instances  concurrent instances before 503 + Retry-After (default 128)\n"
            "  --max-body       request body limit in MiB (default 64; 413 beyond)\n"
            "  --access-log     where to write one line per request (default -, stderr)\n"
            "  --runtime-config-file  Spin's runtime-config.toml: key-value stores, llm backends, outbound HTTP\n"
            "  --state-dir      key-value files and local models (default: .anywhere next to spin.toml)\n"
            "  --check          load and prepare the app, then exit\n"
            "  --bench-instantiate N  time N instantiations of each component and exit\n");
}

static bool parse_num(const char *flag, const char *v, double lo, double hi, double *out) {
    char *end;
    double d = v ? strtod(v, &end) : 0;
    if (!v || *end || d < lo || d > hi) {
        fprintf(stderr, "anywhere up: %s needs a number from %g to %g\n", flag, lo, hi);
        return false;
    }
    *out = d;
    return true;
}

static void print_routes(const app *a, int port, const char *host) {
    printf("Serving http://%s:%d\nAvailable Routes:\n", host, port);
    for (size_t i = 0; i < a->ntriggers; i++) {
        const app_trigger *t = &a->triggers[i];
        if (t->private_route) continue;
        const char *who = t->component >= 0 ? a->components[t->component].id : "(static response)";
        size_t n = strlen(t->route);
        bool wild = n >= 4 && !strcmp(t->route + n - 4, "/...");
        printf("  %s: http://%s:%d%.*s%s%s\n", who, host, port, (int)(wild ? n - 4 : n), t->route,
               wild && n == 4 ? "/" : "", wild ? " (wildcard)" : "");
    }
    fflush(stdout);
}

int cmd_up(int argc, char **argv) {
    const char *from = ".", *access = "-";
    oci_opts reg = {0};
    app_server_opts o = {.listen = "127.0.0.1:3000", .deadline_ms = 30000, .max_memory_mb = 128,
                         .max_instances = 128, .max_body_bytes = 64u << 20, .log = stderr};
    bool check = false;
    int bench = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        double d;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return 0; }
        else if (!strcmp(a, "-f") || !strcmp(a, "--from") || !strcmp(a, "--from-file")) { if (!v) goto missing; from = v, i++; }
        else if (!strcmp(a, "--listen")) { if (!v) goto missing; o.listen = v, i++; }
        else if (!strcmp(a, "--admin-listen")) { if (!v) goto missing; o.admin_listen = v, i++; }
        else if (!strcmp(a, "--access-log")) { if (!v) goto missing; access = v, i++; }
        else if (!strcmp(a, "--runtime-config-file")) { if (!v) goto missing; o.runtime_config = v, i++; }
        else if (!strcmp(a, "--state-dir")) { if (!v) goto missing; o.state_dir = v, i++; }
        else if (!strcmp(a, "--insecure")) reg.insecure = true;
        else if (!strcmp(a, "--ca-file")) { if (!v) goto missing; reg.ca_file = v, i++; }
        else if (!strcmp(a, "--check")) check = true;
        else if (!strcmp(a, "--deadline")) { if (!parse_num(a, v, 0, 86400, &d)) return 2; o.deadline_ms = (uint64_t)(d * 1000), i++; }
        else if (!strcmp(a, "--max-memory")) { if (!parse_num(a, v, 1, 4096, &d)) return 2; o.max_memory_mb = (uint32_t)d, i++; }
        else if (!strcmp(a, "--max-instances")) { if (!parse_num(a, v, 1, 100000, &d)) return 2; o.max_instances = (int)d, i++; }
        else if (!strcmp(a, "--max-body")) { if (!parse_num(a, v, 0, 4096, &d)) return 2; o.max_body_bytes = (size_t)(d * 1048576), i++; }
        else if (!strcmp(a, "--loops")) { if (!parse_num(a, v, 0, 256, &d)) return 2; o.loops = (int)d, i++; }
        else if (!strcmp(a, "--bench-instantiate")) { if (!parse_num(a, v, 1, 1e8, &d)) return 2; bench = (int)d, i++; }
        else {
            fprintf(stderr, "anywhere up: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        }
        continue;
    missing:
        fprintf(stderr, "anywhere up: %s needs a value\n", a);
        return 2;
    }
    if (!strcmp(access, "-")) o.access_log = stderr;
    else if (strcmp(access, "off") && !(o.access_log = fopen(access, "a"))) {
        perror(access);
        return 1;
    }
    char err[1024];
    /* A registry reference (not a local path): pull, verify, run from the cache. */
    char *pulled = NULL, cache[4096];
    struct stat st;
    if (stat(from, &st) != 0 && oci_looks_like_ref(from)) {
        reg.log = stderr;
        if (!(pulled = oci_pull_cached(from, oci_default_cache(cache, sizeof cache), &reg, err, sizeof err))) {
            fprintf(stderr, "anywhere up: %s\n", err);
            return 1;
        }
        from = pulled;
    }
    app *a = app_load(from, err, sizeof err);
    free(pulled);
    if (!a || !app_resolve_variables(a, err, sizeof err)) {
        fprintf(stderr, "anywhere up: %s\n", err);
        app_free(a);
        return 1;
    }
    app_announce(a, stderr);
    if (bench) o.listen = "127.0.0.1:0";
    app_server *s = app_server_new(a, &o, err, sizeof err);
    if (!s) {
        fprintf(stderr, "anywhere up: %s\n", err);
        app_free(a);
        return 1;
    }
    int rc = 0;
    if (bench) {
        for (size_t i = 0; i < a->ncomponents; i++) {
            double ns = app_server_bench_instantiate(s, i, bench);
            printf("%s: instantiate + teardown p50 %.2f us (%d runs%s)\n", a->components[i].id, ns / 1000, bench,
                   app_server_init_mode(s, i));
        }
    } else if (check) {
        printf("%s: %zu components, %zu routes: OK\n", a->name, a->ncomponents, a->ntriggers);
    } else {
        const char *colon = strrchr(o.listen, ':');
        char host[256];
        snprintf(host, sizeof host, "%.*s", colon ? (int)(colon - o.listen) : 0, o.listen);
        print_routes(a, app_server_port(s), host[0] ? host : "0.0.0.0");
        if (o.admin_listen) printf("Metrics at http://%s/metrics (port %d)\n", o.admin_listen, app_server_admin_port(s));
        fflush(stdout);
        running = s;
        struct sigaction sa = {.sa_handler = on_signal};
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
        rc = app_server_run(s);
        running = NULL;
        fprintf(stderr, "anywhere up: stopped\n");
    }
    app_server_free(s);
    app_free(a);
    if (o.access_log && o.access_log != stderr) fclose(o.access_log);
    return rc;
}
