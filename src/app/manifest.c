/* manifest.c — spin.toml (manifest version 2) into the app model.
 *
 * Every table is walked key by key, so that anything unknown or of the wrong
 * type is an error naming the file, line, section and key and what was
 * expected: a manifest that loads is one whose every field is understood.
 * Fields that are understood but whose capability does not exist yet are
 * kept and announced at startup (app_announce). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/app.h"
#include "app/router.h"
#include "app/toml.h"

typedef struct mctx {
    const char *file;
    char *err;
    size_t errlen;
    app *a;
} mctx;

static bool fail(mctx *c, toml_pos p, const char *section, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static bool fail(mctx *c, toml_pos p, const char *section, const char *key, const char *fmt, ...) {
    int k = snprintf(c->err, c->errlen, "%s:%d:%d: %s%s%s%s: ", c->file, p.line, p.column, section,
                     key ? " key '" : "", key ? key : "", key ? "'" : "");
    if (k < 0 || (size_t)k >= c->errlen) return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err + k, c->errlen - (size_t)k, fmt, ap);
    va_end(ap);
    return false;
}

static const char *tname(const toml_value *v) { return toml_type_name(toml_type_of(v)); }

static bool want_string(mctx *c, const toml_value *v, const char *sec, const char *key, char **out) {
    size_t len;
    const char *s = toml_string(v, &len);
    if (!s) return fail(c, toml_pos_of(v), sec, key, "expected a string, found %s", tname(v));
    if (strlen(s) != len) return fail(c, toml_pos_of(v), sec, key, "the string holds a NUL character");
    free(*out);
    *out = strdup(s);
    return *out != NULL;
}

static bool want_bool(mctx *c, const toml_value *v, const char *sec, const char *key, bool *out) {
    if (toml_type_of(v) != TOML_BOOL) return fail(c, toml_pos_of(v), sec, key, "expected true or false, found %s", tname(v));
    *out = toml_bool(v);
    return true;
}

static bool want_table(mctx *c, const toml_value *v, const char *sec, const char *key, const char *what) {
    if (toml_type_of(v) == TOML_TABLE) return true;
    return fail(c, toml_pos_of(v), sec, key, "expected %s, found %s", what, tname(v));
}

static bool strs_push(app_strs *s, const char *v) {
    char **g = realloc(s->v, (s->n + 1) * sizeof *g);
    if (!g) return false;
    s->v = g;
    return (s->v[s->n] = strdup(v)) && ++s->n;
}

static void strs_free(app_strs *s) {
    for (size_t i = 0; i < s->n; i++) free(s->v[i]);
    free(s->v);
    s->v = NULL, s->n = 0;
}

static bool want_strings(mctx *c, const toml_value *v, const char *sec, const char *key, app_strs *out) {
    if (toml_type_of(v) != TOML_ARRAY) return fail(c, toml_pos_of(v), sec, key, "expected an array of strings, found %s", tname(v));
    for (size_t i = 0; i < toml_array_len(v); i++) {
        const toml_value *e = toml_array_at(v, i);
        char *s = NULL;
        if (!want_string(c, e, sec, key, &s)) return false;
        bool ok = strs_push(out, s);
        free(s);
        if (!ok) return false;
    }
    return true;
}

/* A string→string table (environment, variables). */
static bool want_kv(mctx *c, const toml_value *v, const char *sec, const char *key, app_kv **out, size_t *n) {
    if (!want_table(c, v, sec, key, "a table of strings")) return false;
    size_t len = toml_table_len(v);
    *out = calloc(len ? len : 1, sizeof **out);
    if (!*out) return false;
    for (size_t i = 0; i < len; i++) {
        const char *k = toml_table_key(v, i, NULL);
        char sub[160];
        snprintf(sub, sizeof sub, "%s.%s", key, k);
        (*out)[i].key = strdup(k);
        if (!(*out)[i].key || !want_string(c, toml_table_value(v, i), sec, sub, &(*out)[i].value)) {
            *n = i + 1;
            return false;
        }
        *n = i + 1;
    }
    return true;
}

static bool unknown(mctx *c, const toml_value *t, size_t i, const char *sec, const char *expected) {
    return fail(c, toml_table_key_pos(t, i), sec, toml_table_key(t, i, NULL), "unknown key; expected one of: %s", expected);
}

/* ---- [application] ------------------------------------------------------ */

static bool read_app_trigger(mctx *c, const toml_value *t) {
    const char *sec = "[application.trigger]";
    for (size_t i = 0; i < toml_table_len(t); i++) {
        const char *k = toml_table_key(t, i, NULL);
        const toml_value *v = toml_table_value(t, i);
        if (!strcmp(k, "http")) {
            if (!want_table(c, v, sec, k, "a table")) return false;
            for (size_t j = 0; j < toml_table_len(v); j++) {
                const char *hk = toml_table_key(v, j, NULL);
                const char *base = toml_string(toml_table_value(v, j), NULL);
                if (strcmp(hk, "base")) return unknown(c, v, j, "[application.trigger.http]", "base");
                if (!base || strcmp(base, "/"))
                    return fail(c, toml_pos_of(toml_table_value(v, j)), "[application.trigger.http]", "base",
                                "only \"/\" is supported (apps are served at the root)");
            }
        } else {
            return fail(c, toml_table_key_pos(t, i), sec, k, "trigger type '%s' is not supported (anywhere up serves http only)", k);
        }
    }
    return true;
}

static bool read_application(mctx *c, const toml_value *t) {
    const char *sec = "[application]";
    for (size_t i = 0; i < toml_table_len(t); i++) {
        const char *k = toml_table_key(t, i, NULL);
        const toml_value *v = toml_table_value(t, i);
        bool ok;
        if (!strcmp(k, "name")) ok = want_string(c, v, sec, k, &c->a->name);
        else if (!strcmp(k, "version")) ok = want_string(c, v, sec, k, &c->a->version);
        else if (!strcmp(k, "description")) ok = want_string(c, v, sec, k, &c->a->description);
        else if (!strcmp(k, "authors")) ok = want_strings(c, v, sec, k, &c->a->authors);
        else if (!strcmp(k, "trigger")) ok = want_table(c, v, sec, k, "a table") && read_app_trigger(c, v);
        else return unknown(c, t, i, sec, "name, version, description, authors, trigger");
        if (!ok) return false;
    }
    if (!c->a->name) return fail(c, toml_pos_of(t), sec, "name", "is required (a string)");
    return true;
}

/* ---- [variables] --------------------------------------------------------- */

static bool valid_variable_name(const char *s) {
    if (!*s || !islower((unsigned char)*s)) return false;
    for (; *s; s++)
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_') return false;
    return true;
}

static bool read_variables(mctx *c, const toml_value *t) {
    size_t n = toml_table_len(t);
    c->a->variables = calloc(n ? n : 1, sizeof(app_variable));
    if (!c->a->variables) return false;
    for (size_t i = 0; i < n; i++) {
        const char *name = toml_table_key(t, i, NULL);
        const toml_value *v = toml_table_value(t, i);
        app_variable *var = &c->a->variables[c->a->nvariables++];
        if (!(var->name = strdup(name))) return false;
        char sec[160];
        snprintf(sec, sizeof sec, "[variables.%s]", name);
        if (!valid_variable_name(name))
            return fail(c, toml_table_key_pos(t, i), "[variables]", name,
                        "a variable name is lower case letters, digits and '_', starting with a letter");
        if (!want_table(c, v, "[variables]", name, "a table {default, required, secret, description}")) return false;
        for (size_t j = 0; j < toml_table_len(v); j++) {
            const char *k = toml_table_key(v, j, NULL);
            const toml_value *f = toml_table_value(v, j);
            bool ok;
            if (!strcmp(k, "default")) ok = want_string(c, f, sec, k, &var->default_value);
            else if (!strcmp(k, "description")) ok = want_string(c, f, sec, k, &var->description);
            else if (!strcmp(k, "required")) ok = want_bool(c, f, sec, k, &var->required);
            else if (!strcmp(k, "secret")) ok = want_bool(c, f, sec, k, &var->secret);
            else return unknown(c, v, j, sec, "default, required, secret, description");
            if (!ok) return false;
        }
        if (!var->default_value && !var->required)
            return fail(c, toml_pos_of(v), sec, NULL, "has no default, so it must say required = true");
        if (var->default_value && var->required)
            return fail(c, toml_pos_of(v), sec, NULL, "cannot have both a default and required = true");
    }
    return true;
}

/* ---- [component.ID] ------------------------------------------------------ */

static bool valid_component_id(const char *s) {
    /* kebab-case: words of lower-case letters and digits, joined by '-' */
    if (!*s || *s == '-') return false;
    for (const char *p = s; *p; p++) {
        if (*p == '-' && (p[1] == '-' || p[1] == 0)) return false;
        if (*p != '-' && !islower((unsigned char)*p) && !isdigit((unsigned char)*p)) return false;
    }
    return true;
}

static char *join_path(const char *dir, const char *rel) {
    if (rel[0] == '/') return strdup(rel);
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", dir, rel);
    return p;
}

static bool read_source(mctx *c, app_component *comp, const toml_value *v, const char *sec) {
    if (toml_type_of(v) == TOML_STRING) {
        char *rel = NULL;
        if (!want_string(c, v, sec, "source", &rel)) return false;
        comp->path = join_path(c->a->dir, rel);
        free(rel);
        return comp->path != NULL;
    }
    if (toml_type_of(v) != TOML_TABLE)
        return fail(c, toml_pos_of(v), sec, "source", "expected a path string or a table {url, digest}, found %s", tname(v));
    for (size_t i = 0; i < toml_table_len(v); i++) {
        const char *k = toml_table_key(v, i, NULL);
        const toml_value *f = toml_table_value(v, i);
        bool ok;
        if (!strcmp(k, "url")) ok = want_string(c, f, sec, "source.url", &comp->url);
        else if (!strcmp(k, "digest")) ok = want_string(c, f, sec, "source.digest", &comp->digest);
        else if (!strcmp(k, "registry") || !strcmp(k, "package") || !strcmp(k, "version"))
            return fail(c, toml_table_key_pos(v, i), sec, "source",
                        "registry sources {registry, package, version} are not supported; use a path or {url, digest}");
        else return unknown(c, v, i, sec, "url, digest");
        if (!ok) return false;
    }
    if (!comp->url || !comp->digest)
        return fail(c, toml_pos_of(v), sec, "source", "a table source needs both url and digest (\"sha256:<64 hex digits>\")");
    const char *d = comp->digest;
    bool hex = strncmp(d, "sha256:", 7) == 0 && strlen(d) == 71;
    for (size_t i = 7; hex && i < 71; i++) hex = isxdigit((unsigned char)d[i]) != 0;
    if (!hex) return fail(c, toml_pos_of(v), sec, "source.digest", "expected \"sha256:\" and 64 hex digits, found \"%s\"", d);
    return true;
}

static bool read_files(mctx *c, app_component *comp, const toml_value *v, const char *sec) {
    if (toml_type_of(v) != TOML_ARRAY)
        return fail(c, toml_pos_of(v), sec, "files", "expected an array of globs or {source, destination} tables, found %s", tname(v));
    size_t n = toml_array_len(v);
    comp->files = calloc(n ? n : 1, sizeof *comp->files);
    if (!comp->files) return false;
    for (size_t i = 0; i < n; i++) {
        const toml_value *e = toml_array_at(v, i);
        app_file_mount *m = &comp->files[comp->nfiles++];
        if (toml_type_of(e) == TOML_STRING) {
            if (!want_string(c, e, sec, "files", &m->source)) return false;
            if (m->source[0] == '/' || strstr(m->source, ".."))
                return fail(c, toml_pos_of(e), sec, "files", "glob '%s' must be relative and stay inside the app directory", m->source);
            continue;
        }
        if (toml_type_of(e) != TOML_TABLE)
            return fail(c, toml_pos_of(e), sec, "files", "expected a glob string or {source, destination}, found %s", tname(e));
        for (size_t j = 0; j < toml_table_len(e); j++) {
            const char *k = toml_table_key(e, j, NULL);
            const toml_value *f = toml_table_value(e, j);
            bool ok;
            if (!strcmp(k, "source")) ok = want_string(c, f, sec, "files.source", &m->source);
            else if (!strcmp(k, "destination")) ok = want_string(c, f, sec, "files.destination", &m->destination);
            else return unknown(c, e, j, sec, "source, destination");
            if (!ok) return false;
        }
        if (!m->source || !m->destination)
            return fail(c, toml_pos_of(e), sec, "files", "a table entry needs both source and destination");
        if (m->destination[0] != '/')
            return fail(c, toml_pos_of(e), sec, "files.destination", "'%s' must be an absolute guest path", m->destination);
    }
    return true;
}

static bool read_build(mctx *c, app_component *comp, const toml_value *v, const char *sec) {
    char bsec[160];
    snprintf(bsec, sizeof bsec, "%.140s.build", sec);
    if (!want_table(c, v, sec, "build", "a table {command, workdir, watch}")) return false;
    for (size_t i = 0; i < toml_table_len(v); i++) {
        const char *k = toml_table_key(v, i, NULL);
        const toml_value *f = toml_table_value(v, i);
        bool ok;
        if (!strcmp(k, "command")) ok = want_string(c, f, bsec, k, &comp->build_command);
        else if (!strcmp(k, "workdir")) ok = want_string(c, f, bsec, k, &comp->build_workdir);
        else if (!strcmp(k, "watch")) ok = want_strings(c, f, bsec, k, &comp->build_watch);
        else return unknown(c, v, i, bsec, "command, workdir, watch");
        if (!ok) return false;
    }
    if (!comp->build_command) return fail(c, toml_pos_of(v), bsec, "command", "is required (a string)");
    return true;
}

static bool read_component_body(mctx *c, app_component *comp, const toml_value *t, const char *sec) {
    bool have_source = false;
    for (size_t i = 0; i < toml_table_len(t); i++) {
        const char *k = toml_table_key(t, i, NULL);
        const toml_value *v = toml_table_value(t, i);
        bool ok, ignored = false;
        if (!strcmp(k, "source")) ok = read_source(c, comp, v, sec), have_source = true;
        else if (!strcmp(k, "description")) ok = want_string(c, v, sec, k, &comp->description);
        else if (!strcmp(k, "files")) ok = read_files(c, comp, v, sec);
        else if (!strcmp(k, "exclude_files")) ok = want_strings(c, v, sec, k, &comp->exclude_files);
        else if (!strcmp(k, "allowed_outbound_hosts")) ok = want_strings(c, v, sec, k, &comp->allowed_outbound_hosts);
        else if (!strcmp(k, "key_value_stores")) ok = want_strings(c, v, sec, k, &comp->key_value_stores);
        else if (!strcmp(k, "sqlite_databases")) ok = want_strings(c, v, sec, k, &comp->sqlite_databases);
        else if (!strcmp(k, "ai_models")) ok = want_strings(c, v, sec, k, &comp->ai_models);
        else if (!strcmp(k, "environment")) ok = want_kv(c, v, sec, k, &comp->environment, &comp->nenvironment);
        else if (!strcmp(k, "variables")) ok = want_kv(c, v, sec, k, &comp->variables, &comp->nvariables);
        else if (!strcmp(k, "build")) ok = read_build(c, comp, v, sec);
        else if (!strcmp(k, "dependencies_inherit_configuration")) { bool b; ok = want_bool(c, v, sec, k, &b); ignored = true; }
        else if (!strcmp(k, "dependencies")) {
            if (!want_table(c, v, sec, k, "a table")) return false;
            if (toml_table_len(v))
                return fail(c, toml_pos_of(v), sec, k, "component dependencies (component model composition) are not supported");
            ok = true;
        } else if (!strcmp(k, "allowed_http_hosts"))
            return fail(c, toml_table_key_pos(t, i), sec, k, "is a version 1 field: use allowed_outbound_hosts = [\"https://host\"]");
        else if (!strcmp(k, "tool")) ok = want_table(c, v, sec, k, "a table (for external tools)");
        else return unknown(c, t, i, sec, "source, description, files, exclude_files, allowed_outbound_hosts, "
                                          "key_value_stores, sqlite_databases, ai_models, environment, variables, "
                                          "build, dependencies, dependencies_inherit_configuration, tool");
        (void)ignored; /* inherit only matters with dependencies, which are refused above */
        if (!ok) return false;
    }
    if (!have_source) return fail(c, toml_pos_of(t), sec, "source", "is required (a path, or {url, digest})");
    for (size_t i = 0; i < comp->nvariables; i++)
        if (!valid_variable_name(comp->variables[i].key))
            return fail(c, toml_pos_of(t), sec, "variables", "'%s' is not a valid variable name", comp->variables[i].key);
    return true;
}

static app_component *new_component(app *a, const char *id) {
    app_component *g = realloc(a->components, (a->ncomponents + 1) * sizeof *g);
    if (!g) return NULL;
    a->components = g;
    app_component *comp = &a->components[a->ncomponents++];
    memset(comp, 0, sizeof *comp);
    comp->id = strdup(id);
    return comp->id ? comp : NULL;
}

static bool read_components(mctx *c, const toml_value *t) {
    for (size_t i = 0; i < toml_table_len(t); i++) {
        const char *id = toml_table_key(t, i, NULL);
        const toml_value *v = toml_table_value(t, i);
        char sec[160];
        snprintf(sec, sizeof sec, "[component.%.140s]", id);
        if (!valid_component_id(id))
            return fail(c, toml_table_key_pos(t, i), "[component]", id,
                        "a component id is kebab-case: lower-case letters and digits joined by '-'");
        if (!want_table(c, v, "[component]", id, "a table")) return false;
        app_component *comp = new_component(c->a, id);
        if (!comp) return false;
        comp->line = toml_table_key_pos(t, i).line;
        if (!read_component_body(c, comp, v, sec)) return false;
    }
    return true;
}

/* ---- [[trigger.http]] ---------------------------------------------------- */

static bool read_executor(mctx *c, app_trigger *tr, const toml_value *v, const char *sec) {
    if (!want_table(c, v, sec, "executor", "a table {type = \"spin\"} or {type = \"wagi\", argv, entrypoint}")) return false;
    char *type = NULL;
    for (size_t i = 0; i < toml_table_len(v); i++) {
        const char *k = toml_table_key(v, i, NULL);
        const toml_value *f = toml_table_value(v, i);
        bool ok;
        if (!strcmp(k, "type")) ok = want_string(c, f, sec, "executor.type", &type);
        else if (!strcmp(k, "argv")) ok = want_string(c, f, sec, "executor.argv", &tr->wagi_argv);
        else if (!strcmp(k, "entrypoint")) ok = want_string(c, f, sec, "executor.entrypoint", &tr->wagi_entry);
        else {
            free(type);
            return unknown(c, v, i, sec, "type, argv, entrypoint");
        }
        if (!ok) { free(type); return false; }
    }
    bool ok = true;
    if (!type || !strcmp(type, "spin") || !strcmp(type, "http")) tr->executor = APP_EXEC_SPIN;
    else if (!strcmp(type, "wagi")) tr->executor = APP_EXEC_WAGI;
    else ok = fail(c, toml_pos_of(v), sec, "executor.type", "expected \"spin\" or \"wagi\", found \"%s\"", type);
    free(type);
    if (ok && tr->executor != APP_EXEC_WAGI && (tr->wagi_argv || tr->wagi_entry))
        ok = fail(c, toml_pos_of(v), sec, "executor", "argv and entrypoint apply to type = \"wagi\" only");
    return ok;
}

static bool read_static_response(mctx *c, app_trigger *tr, const toml_value *v, const char *sec) {
    if (!want_table(c, v, sec, "static_response", "a table {status_code, headers, body}")) return false;
    tr->static_status = 200;
    for (size_t i = 0; i < toml_table_len(v); i++) {
        const char *k = toml_table_key(v, i, NULL);
        const toml_value *f = toml_table_value(v, i);
        if (!strcmp(k, "status_code")) {
            if (toml_type_of(f) != TOML_INTEGER || toml_int(f) < 100 || toml_int(f) > 599)
                return fail(c, toml_pos_of(f), sec, "static_response.status_code", "expected an integer from 100 to 599");
            tr->static_status = (int)toml_int(f);
        } else if (!strcmp(k, "body")) {
            if (!want_string(c, f, sec, "static_response.body", &tr->static_body)) return false;
        } else if (!strcmp(k, "headers")) {
            if (!want_kv(c, f, sec, "static_response.headers", &tr->static_headers, &tr->nstatic_headers)) return false;
            app_kv *kv = tr->static_headers;
            size_t n = tr->nstatic_headers;
            for (size_t j = 0; j < n; j++)
                if (strpbrk(kv[j].key, "\r\n: ") || strpbrk(kv[j].value, "\r\n"))
                    return fail(c, toml_pos_of(f), sec, "static_response.headers", "header '%s' has characters not allowed in HTTP", kv[j].key);
        } else {
            return unknown(c, v, i, sec, "status_code, headers, body");
        }
    }
    return true;
}

static bool read_trigger(mctx *c, const toml_value *t, size_t index) {
    app *a = c->a;
    app_trigger *g = realloc(a->triggers, (a->ntriggers + 1) * sizeof *g);
    if (!g) return false;
    a->triggers = g;
    app_trigger *tr = &a->triggers[a->ntriggers++];
    memset(tr, 0, sizeof *tr);
    tr->component = -1;
    tr->line = toml_pos_of(t).line;
    char sec[64];
    snprintf(sec, sizeof sec, "[[trigger.http]] #%zu", index + 1);
    const toml_value *component = NULL;
    bool have_route = false, have_static = false;
    for (size_t i = 0; i < toml_table_len(t); i++) {
        const char *k = toml_table_key(t, i, NULL);
        const toml_value *v = toml_table_value(t, i);
        bool ok = true;
        if (!strcmp(k, "route")) {
            have_route = true;
            if (toml_type_of(v) == TOML_TABLE) {
                bool priv = false;
                for (size_t j = 0; j < toml_table_len(v); j++) {
                    if (strcmp(toml_table_key(v, j, NULL), "private")) return unknown(c, v, j, sec, "private");
                    if (!want_bool(c, toml_table_value(v, j), sec, "route.private", &priv)) return false;
                }
                if (!priv) return fail(c, toml_pos_of(v), sec, "route", "a table route must be {private = true}");
                tr->private_route = true;
            } else if (toml_type_of(v) == TOML_STRING) {
                char e[200];
                ok = want_string(c, v, sec, k, &tr->route);
                if (ok && !router_check(tr->route, e, sizeof e)) return fail(c, toml_pos_of(v), sec, k, "%s", e);
            } else {
                return fail(c, toml_pos_of(v), sec, k, "expected a route string or {private = true}, found %s", tname(v));
            }
        } else if (!strcmp(k, "component")) {
            component = v;
        } else if (!strcmp(k, "executor")) {
            ok = read_executor(c, tr, v, sec);
        } else if (!strcmp(k, "static_response")) {
            have_static = true;
            ok = read_static_response(c, tr, v, sec);
        } else if (!strcmp(k, "id")) {
            char *s = NULL;
            ok = want_string(c, v, sec, k, &s);
            free(s);
        } else {
            return unknown(c, t, i, sec, "route, component, executor, static_response, id");
        }
        if (!ok) return false;
    }
    if (!have_route) return fail(c, toml_pos_of(t), sec, "route", "is required (a string like \"/hello/...\", or {private = true})");
    if (have_static == (component != NULL))
        return fail(c, toml_pos_of(t), sec, "component", "give exactly one of component or static_response");
    if (have_static && tr->private_route)
        return fail(c, toml_pos_of(t), sec, "static_response", "a private route cannot have a static response");
    if (component && toml_type_of(component) == TOML_STRING) {
        const char *id = toml_string(component, NULL);
        tr->component = app_component_index(a, id);
        if (tr->component < 0)
            return fail(c, toml_pos_of(component), sec, "component", "no [component.%s] is defined", id);
    } else if (component && toml_type_of(component) == TOML_TABLE) {
        char id[48], csec[96];
        snprintf(id, sizeof id, "inline-%zu", index + 1);
        snprintf(csec, sizeof csec, "%s component", sec);
        app_component *comp = new_component(a, id);
        if (!comp) return false;
        comp->line = toml_pos_of(component).line;
        if (!read_component_body(c, comp, component, csec)) return false;
        tr->component = (int)(a->ncomponents - 1);
    } else if (component) {
        return fail(c, toml_pos_of(component), sec, "component", "expected a component id or an inline table, found %s", tname(component));
    }
    return true;
}

/* [trigger] holds arrays of tables per trigger type. */
static bool read_triggers(mctx *c, const toml_value *t) {
    for (size_t i = 0; i < toml_table_len(t); i++) {
        const char *k = toml_table_key(t, i, NULL);
        const toml_value *v = toml_table_value(t, i);
        if (strcmp(k, "http"))
            return fail(c, toml_table_key_pos(t, i), "[trigger]", k, "trigger type '%s' is not supported (anywhere up serves http only)", k);
        if (toml_type_of(v) != TOML_ARRAY)
            return fail(c, toml_pos_of(v), "[trigger]", k, "expected an array of tables [[trigger.http]], found %s", tname(v));
        for (size_t j = 0; j < toml_array_len(v); j++) {
            const toml_value *e = toml_array_at(v, j);
            if (!want_table(c, e, "[[trigger.http]]", NULL, "a table")) return false;
            if (!read_trigger(c, e, j)) return false;
        }
    }
    return true;
}

/* ---- the document ------------------------------------------------------ */

int app_component_index(const app *a, const char *id) {
    for (size_t i = 0; i < a->ncomponents; i++)
        if (!strcmp(a->components[i].id, id)) return (int)i;
    return -1;
}

/* The components referenced before [component.X] appears are resolved
 * after the whole document is read: triggers are read last. */
static bool read_document(mctx *c, const toml_value *root) {
    const toml_value *version = toml_get(root, "spin_manifest_version");
    if (!version) {
        if (toml_get(root, "spin_version"))
            return fail(c, toml_pos_of(toml_get(root, "spin_version")), "manifest", "spin_version",
                        "version 1 manifests are not supported: use spin_manifest_version = 2 (spin doctor converts them)");
        return fail(c, (toml_pos){1, 1}, "manifest", "spin_manifest_version", "is required and must be 2");
    }
    if (toml_type_of(version) != TOML_INTEGER || toml_int(version) != 2)
        return fail(c, toml_pos_of(version), "manifest", "spin_manifest_version", "expected the integer 2");
    const toml_value *triggers = NULL;
    bool have_app = false;
    for (size_t i = 0; i < toml_table_len(root); i++) {
        const char *k = toml_table_key(root, i, NULL);
        const toml_value *v = toml_table_value(root, i);
        bool ok = true;
        if (!strcmp(k, "spin_manifest_version")) continue;
        if (!strcmp(k, "application")) ok = want_table(c, v, "manifest", k, "a table") && read_application(c, v), have_app = true;
        else if (!strcmp(k, "variables")) ok = want_table(c, v, "manifest", k, "a table") && read_variables(c, v);
        else if (!strcmp(k, "component")) ok = want_table(c, v, "manifest", k, "a table") && read_components(c, v);
        else if (!strcmp(k, "trigger")) ok = want_table(c, v, "manifest", k, "a table"), triggers = v;
        else return unknown(c, root, i, "manifest", "spin_manifest_version, application, variables, trigger, component");
        if (!ok) return false;
    }
    if (!have_app) return fail(c, (toml_pos){1, 1}, "manifest", "application", "[application] with a name is required");
    if (!triggers || !read_triggers(c, triggers)) {
        if (!triggers) return fail(c, (toml_pos){1, 1}, "manifest", "trigger", "at least one [[trigger.http]] is required");
        return false;
    }
    return true;
}

static char *read_file(const char *path, size_t *len, char *err, size_t errlen) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            char *g = realloc(buf, cap = cap ? cap * 2 : 8192);
            if (!g) break;
            buf = g;
        }
        size_t k = fread(buf + n, 1, cap - n, f);
        if (k == 0) break;
        n += k;
    }
    fclose(f);
    *len = n;
    return buf;
}

app *app_load(const char *path, char *err, size_t errlen) {
    struct stat st;
    char file[PATH_MAX];
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) snprintf(file, sizeof file, "%s/spin.toml", path);
    else snprintf(file, sizeof file, "%s", path);
    size_t len = 0;
    char *text = read_file(file, &len, err, errlen);
    if (!text) return NULL;
    toml_error terr;
    toml_value *root = toml_parse(text, len, file, &terr);
    free(text);
    if (!root) {
        snprintf(err, errlen, "%s", terr.message);
        return NULL;
    }
    app *a = calloc(1, sizeof *a);
    char real[PATH_MAX];
    mctx c = {file, err, errlen, a};
    bool ok = a && realpath(file, real) && (a->manifest = strdup(file));
    if (ok) {
        char *slash = strrchr(real, '/');
        *slash = 0;
        ok = (a->dir = strdup(real[0] ? real : "/")) != NULL;
    }
    if (!ok) snprintf(err, errlen, "%s: %s", file, strerror(errno ? errno : ENOMEM));
    else ok = read_document(&c, root);
    toml_free(root);
    if (!ok) {
        app_free(a);
        return NULL;
    }
    return a;
}

static void component_free(app_component *c) {
    free(c->id), free(c->path), free(c->url), free(c->digest), free(c->description);
    for (size_t i = 0; i < c->nfiles; i++) free(c->files[i].source), free(c->files[i].destination);
    free(c->files);
    strs_free(&c->exclude_files), strs_free(&c->allowed_outbound_hosts), strs_free(&c->key_value_stores);
    strs_free(&c->sqlite_databases), strs_free(&c->ai_models), strs_free(&c->build_watch);
    for (size_t i = 0; i < c->nenvironment; i++) free(c->environment[i].key), free(c->environment[i].value);
    free(c->environment);
    for (size_t i = 0; i < c->nvariables; i++) free(c->variables[i].key), free(c->variables[i].value);
    free(c->variables);
    free(c->build_command), free(c->build_workdir);
}

void app_free(app *a) {
    if (!a) return;
    free(a->manifest), free(a->dir), free(a->name), free(a->version), free(a->description);
    strs_free(&a->authors);
    for (size_t i = 0; i < a->nvariables; i++) {
        app_variable *v = &a->variables[i];
        free(v->name), free(v->default_value), free(v->description);
    }
    free(a->variables);
    for (size_t i = 0; i < a->ncomponents; i++) component_free(&a->components[i]);
    free(a->components);
    for (size_t i = 0; i < a->ntriggers; i++) {
        app_trigger *t = &a->triggers[i];
        free(t->route), free(t->wagi_argv), free(t->wagi_entry), free(t->static_body);
        for (size_t j = 0; j < t->nstatic_headers; j++) free(t->static_headers[j].key), free(t->static_headers[j].value);
        free(t->static_headers);
    }
    free(a->triggers);
    free(a);
}
