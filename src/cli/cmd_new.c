/*
 * cmd_new.c — `anywhere new TEMPLATE NAME`: a new app from templates/,
 * with {{project-name}} replaced. The http-c template gets a copy of the C
 * guest SDK (sdk/c) so that the project builds on its own.
 *
 * Templates and the SDK are found next to the executable's tree
 * (build/anywhere -> ./templates), in $ANYWHERE_HOME, or in
 * /usr/share/anywhere.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"

static bool find_home(char *out, size_t len) {
    const char *env = getenv("ANYWHERE_HOME");
    char exe[PATH_MAX], probe[PATH_MAX + 32];
    if (env && *env) {
        snprintf(out, len, "%s", env);
        return true;
    }
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        for (int up = 0; up < 4; up++) {
            char *slash = strrchr(exe, '/');
            if (!slash) break;
            *slash = 0;
            snprintf(probe, sizeof probe, "%s/templates", exe);
            if (access(probe, R_OK) == 0) {
                snprintf(out, len, "%s", exe);
                return true;
            }
        }
    }
    if (access("/usr/share/anywhere/templates", R_OK) == 0) {
        snprintf(out, len, "/usr/share/anywhere");
        return true;
    }
    return false;
}

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
    fclose(f);
    if (buf) buf[n] = 0, *len = (size_t)n;
    return buf;
}

/* Copies FROM to TO replacing {{project-name}} with NAME. */
static bool copy_subst(const char *from, const char *to, const char *name) {
    size_t len;
    char *text = slurp(from, &len);
    if (!text) { fprintf(stderr, "anywhere new: %s: %s\n", from, strerror(errno)); return false; }
    FILE *out = fopen(to, "wb");
    if (!out) { fprintf(stderr, "anywhere new: %s: %s\n", to, strerror(errno)); free(text); return false; }
    static const char key[] = "{{project-name}}";
    for (char *p = text; *p;) {
        char *hit = strstr(p, key);
        if (!hit) { fputs(p, out); break; }
        fwrite(p, 1, (size_t)(hit - p), out);
        fputs(name, out);
        p = hit + sizeof key - 1;
    }
    free(text);
    return fclose(out) == 0;
}

static bool valid_name(const char *s) {
    if (!*s || *s == '-') return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || (*s == '-' && s[1] != '-' && s[1])))
            return false;
    return true;
}

int cmd_new(int argc, char **argv) {
    if (argc != 3 || argv[1][0] == '-') {
        fprintf(stderr, "usage: anywhere new TEMPLATE NAME   (templates: http-c, wagi-c)\n");
        return 2;
    }
    const char *tmpl = argv[1], *name = argv[2];
    if (!valid_name(name)) {
        fprintf(stderr, "anywhere new: '%s': a name is kebab-case (lower-case letters and digits joined by '-')\n", name);
        return 2;
    }
    char home[PATH_MAX], dir[PATH_MAX + 64];
    if (!find_home(home, sizeof home)) {
        fprintf(stderr, "anywhere new: cannot find the templates (set ANYWHERE_HOME to Anywhere's source tree)\n");
        return 1;
    }
    snprintf(dir, sizeof dir, "%s/templates/%s", home, tmpl);
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "anywhere new: no template '%s' (templates: http-c, wagi-c)\n", tmpl);
        return 2;
    }
    if (mkdir(name, 0755) != 0) {
        fprintf(stderr, "anywhere new: cannot create '%s': %s\n", name, strerror(errno));
        closedir(d);
        return 1;
    }
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char from[PATH_MAX * 2], to[PATH_MAX];
        snprintf(from, sizeof from, "%s/%s", dir, e->d_name);
        snprintf(to, sizeof to, "%s/%s", name, e->d_name);
        ok = copy_subst(from, to, name);
    }
    closedir(d);
    if (ok && !strcmp(tmpl, "http-c")) {
        const char *sdk[] = {"anywhere.h", "anywhere.c"};
        for (int i = 0; ok && i < 2; i++) {
            char from[PATH_MAX * 2], to[PATH_MAX];
            snprintf(from, sizeof from, "%s/sdk/c/%s", home, sdk[i]);
            snprintf(to, sizeof to, "%s/%s", name, sdk[i]);
            ok = copy_subst(from, to, name);
        }
    }
    if (!ok) return 1;
    printf("Created %s from template %s.\nNext: cd %s && anywhere build && anywhere up\n", name, tmpl, name);
    return 0;
}
