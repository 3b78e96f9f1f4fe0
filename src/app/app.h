/* app.h — the application model: what a spin.toml describes, after it has
 * been read and checked (manifest.c), independent of TOML. The HTTP trigger
 * (trigger.c) serves it; `anywhere build` runs its build commands.
 *
 * Every string is owned by the app (freed by app_free). Capabilities
 * (variables, outbound hosts, key-value stores, AI models) are served by
 * src/host; fields stored for capabilities not implemented yet (SQLite
 * databases, build.watch) are announced at startup by app_announce(). */
#ifndef AW_APP_APP_H
#define AW_APP_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct app_strs {
    char **v;
    size_t n;
} app_strs;

/* A `files` entry: a glob (destination NULL, mounted at the same relative
 * path under /) or {source, destination}. */
typedef struct app_file_mount {
    char *source;      /* relative to the app directory */
    char *destination; /* absolute guest path, or NULL for a glob */
} app_file_mount;

typedef struct app_kv {
    char *key, *value;
} app_kv;

typedef struct app_variable {
    char *name;
    char *default_value; /* NULL when absent */
    char *description;
    bool required, secret;
} app_variable;

typedef struct app_component {
    char *id;
    /* source: a local path (made absolute), or a URL with a sha256 digest
     * (then `path` is the verified copy in the cache, once fetched). */
    char *path;
    char *url, *digest;
    char *description;
    app_file_mount *files;
    size_t nfiles;
    app_strs exclude_files;
    app_strs allowed_outbound_hosts;
    app_strs key_value_stores;
    app_strs sqlite_databases;
    app_strs ai_models;
    app_kv *environment;
    size_t nenvironment;
    app_kv *variables; /* key = template; value expanded by app_resolve_variables */
    size_t nvariables;
    char *build_command, *build_workdir;
    app_strs build_watch;
    int line; /* where [component.ID] is, for messages */
} app_component;

typedef enum app_executor_kind {
    APP_EXEC_SPIN,  /* default: Anywhere's native handler ABI (core module) */
    APP_EXEC_WAGI,  /* a WASI command: CGI over stdio */
} app_executor_kind;

typedef struct app_trigger {
    char *route;        /* "/hello/...", or NULL for a private route */
    bool private_route;
    int component;      /* index into app.components, or -1 for a static response */
    app_executor_kind executor;
    char *wagi_argv;    /* WAGI: argv template ("${SCRIPT_NAME} ${ARGS}") */
    char *wagi_entry;   /* WAGI: the function to call ("_start") */
    int static_status;  /* static_response: status_code */
    app_kv *static_headers;
    size_t nstatic_headers;
    char *static_body;
    int line;
} app_trigger;

typedef struct app {
    char *manifest;     /* the file it was read from */
    char *dir;          /* its directory: relative paths start here */
    char *name, *version, *description;
    app_strs authors;
    app_variable *variables;
    size_t nvariables;
    app_component *components;
    size_t ncomponents;
    app_trigger *triggers;
    size_t ntriggers;
} app;

/* manifest.c: reads PATH (a spin.toml, or a directory holding one). NULL
 * with a message naming the file, line, key and what was expected. */
app *app_load(const char *path, char *err, size_t errlen);
void app_free(app *a);
/* Lines on OUT for every accepted field whose capability is not there yet. */
void app_announce(const app *a, FILE *out);
/* Expands every component's `variables` templates ({{ name }}) from app
 * variables: ANYWHERE_VARIABLE_<NAME> or SPIN_VARIABLE_<NAME> in the
 * environment, then a .env file (app directory, then current directory),
 * then the default. A required variable without a value is an error naming it. */
bool app_resolve_variables(app *a, char *err, size_t errlen);
int app_component_index(const app *a, const char *id);

/* runtime_config.c: reads Spin's runtime-config.toml into H (added to
 * what is there). False with a message naming the file and line. */
struct host_config;
bool app_runtime_config_load(const char *file, struct host_config *h, char *err, size_t errlen);

/* source.c: makes c->path a readable, verified module file: a local path
 * must exist; a {url, digest} source is looked up in the cache
 * (DIR/.anywhere/cache) and otherwise downloaded with curl, then checked. */
bool app_fetch_source(const app *a, app_component *c, char *err, size_t errlen);

/* sha256.c */
void app_sha256(const void *data, size_t len, uint8_t out[32]);
void app_sha256_hex(const void *data, size_t len, char out[65]);

#endif
