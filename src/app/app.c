/* app.c — what is done with a loaded app before serving it: variables
 * resolved, unimplemented capabilities announced. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"

static const app_variable *find_variable(const app *a, const char *name, size_t len) {
    for (size_t i = 0; i < a->nvariables; i++)
        if (strlen(a->variables[i].name) == len && !memcmp(a->variables[i].name, name, len)) return &a->variables[i];
    return NULL;
}

/* SPIN_VARIABLE_<NAME> wins over the manifest's default. */
static const char *variable_value(const app_variable *v) {
    char env[160] = "SPIN_VARIABLE_";
    size_t k = strlen(env);
    for (const char *p = v->name; *p && k < sizeof env - 1; p++) env[k++] = (char)toupper((unsigned char)*p);
    env[k] = 0;
    const char *e = getenv(env);
    return e ? e : v->default_value;
}

/* Expands "{{ name }}" references in TMPL. */
static char *expand(const app *a, const char *comp, const char *key, const char *tmpl, char *err, size_t errlen) {
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
            if (!v || !(val = variable_value(v))) {
                snprintf(err, errlen, "component '%s' variable '%s': %s '%.*s'", comp, key,
                         v ? "no value (set SPIN_VARIABLE_...) for required variable" : "no [variables] entry for",
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
    for (size_t i = 0; i < a->nvariables; i++) {
        if (!variable_value(&a->variables[i])) {
            snprintf(err, errlen, "variable '%s' is required: set SPIN_VARIABLE_%s", a->variables[i].name, a->variables[i].name);
            for (char *p = err + strlen(err) - strlen(a->variables[i].name); *p; p++) *p = (char)toupper((unsigned char)*p);
            return false;
        }
    }
    for (size_t i = 0; i < a->ncomponents; i++) {
        app_component *c = &a->components[i];
        for (size_t j = 0; j < c->nvariables; j++) {
            char *v = expand(a, c->id, c->variables[j].key, c->variables[j].value, err, errlen);
            if (!v) return false;
            free(c->variables[j].value);
            c->variables[j].value = v;
        }
    }
    return true;
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
        list(out, c->id, "allowed_outbound_hosts", &c->allowed_outbound_hosts,
             "outbound networking is not available to guests yet: all outbound access is denied");
        list(out, c->id, "key_value_stores", &c->key_value_stores, "the key-value API is not available yet");
        list(out, c->id, "sqlite_databases", &c->sqlite_databases, "the SQLite API is not available yet");
        list(out, c->id, "ai_models", &c->ai_models, "the llm API is not available to guests yet");
        if (c->nvariables)
            fprintf(out, "note: component '%s': %zu variables resolved, but no guest API reads them yet\n", c->id, c->nvariables);
        if (c->build_watch.n)
            fprintf(out, "note: component '%s': build.watch is for a `watch` command Anywhere does not have yet\n", c->id);
    }
    for (size_t i = 0; i < a->ntriggers; i++)
        if (a->triggers[i].private_route)
            fprintf(out, "note: component '%s' has a private route: reachable only by service chaining, which is not available yet\n",
                    a->triggers[i].component >= 0 ? a->components[a->triggers[i].component].id : "?");
}
