/* app.c — what is done with a loaded app before serving it: variables
 * resolved from their providers, unimplemented capabilities announced. */
#include <ctype.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"

static const app_variable *find_variable(const app *a, const char *name, size_t len) {
    for (size_t i = 0; i < a->nvariables; i++)
        if (strlen(a->variables[i].name) == len && !memcmp(a->variables[i].name, name, len)) return &a->variables[i];
    return NULL;
}

/* Variable providers, highest priority first: the environment
 * (ANYWHERE_VARIABLE_<NAME>, then Spin's SPIN_VARIABLE_<NAME>), a .env file
 * (the app directory's, then the current directory's; lines NAME=VALUE
 * with the same prefixed names, or the bare name in upper or lower case),
 * then the manifest's default. */
typedef struct dotenv {
    app_kv *v;
    size_t n;
} dotenv;

static void upper_name(char *out, size_t size, const char *prefix, const char *name) {
    size_t k = (size_t)snprintf(out, size, "%s", prefix);
    for (const char *p = name; *p && k < size - 1; p++) out[k++] = (char)toupper((unsigned char)*p);
    out[k < size ? k : size - 1] = 0;
}

static void dotenv_read(dotenv *d, const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        char *s = line;
        while (isspace((unsigned char)*s)) s++;
        if (*s == '#' || !*s) continue;
        if (!strncmp(s, "export ", 7)) s += 7;
        char *eq = strchr(s, '=');
        if (!eq) continue;
        char *ke = eq;
        while (ke > s && isspace((unsigned char)ke[-1])) ke--;
        *ke = 0;
        char *v = eq + 1;
        while (*v == ' ' || *v == '\t') v++;
        size_t vl = strcspn(v, "\r\n");
        v[vl] = 0;
        if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0]) v[vl - 1] = 0, v++;
        app_kv *g = realloc(d->v, (d->n + 1) * sizeof *g);
        if (!g) break;
        d->v = g;
        d->v[d->n].key = strdup(s), d->v[d->n].value = strdup(v);
        if (d->v[d->n].key && d->v[d->n].value) d->n++;
        else free(d->v[d->n].key), free(d->v[d->n].value);
    }
    fclose(f);
}

static const char *dotenv_get(const dotenv *d, const char *key) {
    for (size_t i = 0; d && i < d->n; i++)
        if (!strcmp(d->v[i].key, key)) return d->v[i].value;
    return NULL;
}

static const char *variable_value(const app_variable *v, const dotenv *d) {
    char key[200];
    const char *e;
    upper_name(key, sizeof key, "ANYWHERE_VARIABLE_", v->name);
    if ((e = getenv(key))) return e;
    upper_name(key, sizeof key, "SPIN_VARIABLE_", v->name);
    if ((e = getenv(key))) return e;
    static const char *const prefixes[] = {"ANYWHERE_VARIABLE_", "SPIN_VARIABLE_", ""};
    for (size_t i = 0; i < 3; i++) {
        upper_name(key, sizeof key, prefixes[i], v->name);
        if ((e = dotenv_get(d, key))) return e;
    }
    if ((e = dotenv_get(d, v->name))) return e;
    return v->default_value;
}

/* Expands "{{ name }}" references in TMPL. */
static char *expand(const app *a, const dotenv *d, const char *comp, const char *key, const char *tmpl, char *err, size_t errlen) {
    size_t cap = strlen(tmpl) + 64, n = 0;
    char *out = malloc(cap);
    if (!out) return NULL;
    for (const char *p = tmpl; *p;) {
        const char *val = NULL;
        size_t vlen = 1;
        if (p[0] == '{' && p[1] == '{') {
            const char *close = strstr(p, "}}");
            if (!close) {
                snprintf(err, errlen, "component '%s' variable '%s': unclosed '{{' in \"%s\"", comp, key, tmpl);
                free(out);
                return NULL;
            }
            const char *s = p + 2, *e = close;
            while (s < e && isspace((unsigned char)*s)) s++;
            while (e > s && isspace((unsigned char)e[-1])) e--;
            const app_variable *v = find_variable(a, s, (size_t)(e - s));
            if (!v || !(val = variable_value(v, d))) {
                snprintf(err, errlen, "component '%s' variable '%s': %s '%.*s'", comp, key,
                         v ? "no value for required variable" : "no [variables] entry for",
                         (int)(e - s), s);
                free(out);
                return NULL;
            }
            vlen = strlen(val);
            p = close + 2;
        } else {
            val = p++;
        }
        if (n + vlen + 1 > cap) {
            char *g = realloc(out, cap = (n + vlen + 1) * 2);
            if (!g) { free(out); return NULL; }
            out = g;
        }
        memcpy(out + n, val, vlen);
        n += vlen;
    }
    out[n] = 0;
    return out;
}

bool app_resolve_variables(app *a, char *err, size_t errlen) {
    dotenv d = {0};
    char path[4096], cwd[4096];
    snprintf(path, sizeof path, "%s/.env", a->dir);
    dotenv_read(&d, path);
    if (getcwd(cwd, sizeof cwd) && strcmp(cwd, a->dir)) dotenv_read(&d, ".env");
    bool ok = true;
    for (size_t i = 0; ok && i < a->nvariables; i++) {
        if (!variable_value(&a->variables[i], &d)) {
            char up[200];
            upper_name(up, sizeof up, "", a->variables[i].name);
            snprintf(err, errlen, "variable '%s' is required but has no value: set SPIN_VARIABLE_%s or ANYWHERE_VARIABLE_%s "
                     "in the environment, or %s in a .env file", a->variables[i].name, up, up, a->variables[i].name);
            ok = false;
        }
    }
    for (size_t i = 0; ok && i < a->ncomponents; i++) {
        app_component *c = &a->components[i];
        for (size_t j = 0; ok && j < c->nvariables; j++) {
            char *v = expand(a, &d, c->id, c->variables[j].key, c->variables[j].value, err, errlen);
            if (!v) { ok = false; break; }
            free(c->variables[j].value);
            c->variables[j].value = v;
        }
    }
    /* allowed_outbound_hosts may name variables too, as in Spin:
     * ["{{ ollama_url }}"] lets the operator choose the peer. */
    for (size_t i = 0; ok && i < a->ncomponents; i++) {
        app_component *c = &a->components[i];
        for (size_t j = 0; ok && j < c->allowed_outbound_hosts.n; j++) {
            if (!strstr(c->allowed_outbound_hosts.v[j], "{{")) continue;
            char *v = expand(a, &d, c->id, "allowed_outbound_hosts", c->allowed_outbound_hosts.v[j], err, errlen);
            if (!v) { ok = false; break; }
            free(c->allowed_outbound_hosts.v[j]);
            c->allowed_outbound_hosts.v[j] = v;
        }
    }
    for (size_t i = 0; i < d.n; i++) free(d.v[i].key), free(d.v[i].value);
    free(d.v);
    return ok;
}

static void list(FILE *out, const char *comp, const char *what, const app_strs *s, const char *why) {
    if (!s->n) return;
    fprintf(out, "note: component '%s': %s [", comp, what);
    for (size_t i = 0; i < s->n; i++) fprintf(out, "%s\"%s\"", i ? ", " : "", s->v[i]);
    fprintf(out, "] accepted, but %s\n", why);
}

void app_announce(const app *a, FILE *out) {
    for (size_t i = 0; i < a->ncomponents; i++) {
        const app_component *c = &a->components[i];
        list(out, c->id, "sqlite_databases", &c->sqlite_databases, "the SQLite API is not available yet");
        if (c->build_watch.n)
            fprintf(out, "note: component '%s': build.watch is for a `watch` command Anywhere does not have yet\n", c->id);
    }
    for (size_t i = 0; i < a->ntriggers; i++)
        if (a->triggers[i].private_route)
            fprintf(out, "note: component '%s' has a private route: reachable only by service chaining, which is not available yet\n",
                    a->triggers[i].component >= 0 ? a->components[a->triggers[i].component].id : "?");
}
