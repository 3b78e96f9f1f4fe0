/*
 * cmd_build.c — `anywhere build [-f spin.toml|DIR] [-c ID] [--up ...]`:
 * runs each component's build.command (with sh, in build.workdir relative
 * to the manifest's directory); --up then serves the app.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/app.h"
#include "cli/commands.h"

static int run_in(const char *dir, const char *command) {
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        if (chdir(dir) != 0) {
            fprintf(stderr, "anywhere build: cannot enter %s: %s\n", dir, strerror(errno));
            _exit(127);
        }
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int cmd_build(int argc, char **argv) {
    const char *from = ".", *only = NULL;
    int up_at = 0;
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "-f") || !strcmp(argv[i], "--from")) && i + 1 < argc) from = argv[++i];
        else if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--component-id")) && i + 1 < argc) only = argv[++i];
        else if (!strcmp(argv[i], "--up")) { up_at = i; break; }
        else {
            fprintf(stderr, "usage: anywhere build [-f spin.toml|DIR] [-c COMPONENT] [--up [up options]]\n");
            return 2;
        }
    }
    char err[1024];
    app *a = app_load(from, err, sizeof err);
    if (!a) {
        fprintf(stderr, "anywhere build: %s\n", err);
        return 1;
    }
    int rc = 0, built = 0;
    for (size_t i = 0; i < a->ncomponents && rc == 0; i++) {
        const app_component *c = &a->components[i];
        if (only && strcmp(only, c->id)) continue;
        if (!c->build_command) {
            printf("%s: no build command, skipped\n", c->id);
            continue;
        }
        char dir[PATH_MAX * 2];
        snprintf(dir, sizeof dir, "%s/%s", a->dir, c->build_workdir ? c->build_workdir : ".");
        printf("Building component %s with `%s`\n", c->id, c->build_command);
        fflush(stdout);
        int st = run_in(dir, c->build_command);
        if (st != 0) {
            fprintf(stderr, "anywhere build: component '%s': the build command failed (exit %d)\n", c->id, st);
            rc = 1;
        }
        built++;
    }
    if (only && !built && app_component_index(a, only) < 0) {
        fprintf(stderr, "anywhere build: no component '%s'\n", only);
        rc = 2;
    }
    app_free(a);
    if (rc == 0) printf("Finished building all components.\n");
    if (rc != 0 || !up_at) return rc;
    /* anywhere up -f FROM [the rest] */
    char *up[argc + 4];
    int n = 0;
    up[n++] = "up", up[n++] = "-f", up[n++] = (char *)from;
    for (int i = up_at + 1; i < argc; i++) up[n++] = argv[i];
    up[n] = NULL;
    fflush(stdout);
    return cmd_up(n, up);
}
