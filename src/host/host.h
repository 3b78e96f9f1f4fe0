/* host.h — capabilities for guests: variables, key-value stores, outbound
 * HTTP, the llm API and WASI-NN (docs/apps.md, "Capabilities").
 *
 * Three lifetimes:
 *   host        one per app (or per `anywhere run`): the runtime
 *               configuration, store connections, loaded models, the
 *               outbound connection pool. Shared by all threads.
 *   host_grants one per component: what the manifest lets it reach
 *               (variables, stores, outbound hosts, models). Everything
 *               not granted is refused.
 *   host_call   one per request (instance): open handles, responses kept
 *               for the guest to read, the last error message.
 *
 * Host functions find the host_call through the store's user data, which
 * must point to a struct starting like host_store_data (so one linker
 * serves every request). Guest ABI: sdk/c/anywhere.h and docs/apps.md. */
#ifndef AW_HOST_HOST_H
#define AW_HOST_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "anywhere/linker.h"
#include "anywhere/wasi.h"

/* Results every capability returns to the guest (negative i32). */
enum {
    HOST_ERR_ABSENT = -1,   /* no such key, variable, header */
    HOST_ERR_DENIED = -2,   /* not granted by the manifest */
    HOST_ERR_NO_SUCH = -3,  /* store or model not configured */
    HOST_ERR_INVALID = -4,  /* bad handle, argument, or over a limit */
    HOST_ERR_FULL = -5,     /* too many open handles */
    HOST_ERR_RUNTIME = -6,  /* anything else: see last_error */
};

/* ---- configuration (from runtime-config.toml, read by src/app) ---- */

typedef enum { HOST_KV_SQLITE, HOST_KV_REDIS } host_kv_type;
typedef struct host_kv_config {
    char *name;
    host_kv_type type;
    char *path; /* sqlite: the database file (NULL: STATE/key_value.db) */
    char *url;  /* redis: redis://[:password@]host[:port][/db] */
} host_kv_config;

typedef enum { HOST_LLM_LOCAL, HOST_LLM_OLLAMA, HOST_LLM_OPENAI, HOST_LLM_REMOTE_HTTP } host_llm_type;
typedef struct host_llm_config {
    char *model;        /* the name guests use; NULL: every model not listed */
    host_llm_type type;
    char *path;         /* local: the GGUF file (default STATE/ai-models/<model>.gguf) */
    char *url;          /* ollama, openai, remote_http: the server */
    char *auth_token;   /* sent as "authorization: bearer ..." */
    char *remote_model; /* the name on the server (default: model) */
} host_llm_config;

typedef struct host_config {
    char *state_dir;            /* .anywhere next to the manifest, or --state-dir */
    host_kv_config *kv;
    size_t nkv;
    host_llm_config *llm;
    size_t nllm;
    /* [outbound_http] */
    bool connection_pooling;    /* default true */
    int max_concurrent;         /* 0: unlimited */
    long timeout_ms;            /* per request, default 30000 */
    size_t max_response_bytes;  /* default 16 MiB */
    int llm_threads;            /* local inference threads; 0: CPUs */
    FILE *log;                  /* refusals and backend errors */
} host_config;

void host_config_init(host_config *c);
void host_config_free(host_config *c);

/* ---- the app-wide host ---- */

typedef struct host host;
/* Takes ownership of cfg's contents (freed on failure too). */
host *host_new(const host_config *cfg, char *err, size_t errlen);
void host_free(host *h);
const host_config *host_config_of(const host *h);

typedef struct host_grants {
    const char *component;
    const char *const *var_names;   /* the component's variables, resolved */
    const char *const *var_values;
    size_t nvars;
    const char *const *kv_stores;
    size_t nkv;
    const char *const *outbound;    /* allowed_outbound_hosts */
    size_t noutbound;
    const char *const *ai_models;
    size_t nai;
    const char *self_authority;     /* "host:port" the app listens on, for "self" */
} host_grants;

/* Checks a component's grants against the configuration at startup:
 * unknown stores, bad outbound host patterns, models without a backend. */
bool host_check_grants(host *h, const host_grants *g, char *err, size_t errlen);

/* ---- per request ---- */

typedef struct host_call host_call;
host_call *host_call_new(host *h, const host_grants *g);
void host_call_free(host_call *c);

typedef struct host_store_data {
    aw_wasi *wasi;
    host_call *call;
} host_store_data;

/* Defines anywhere_variables_v1, anywhere_kv_v1, anywhere_outbound_http_v1,
 * anywhere_llm_v1 and wasi_ephemeral_nn in l. */
bool host_define(aw_linker *l);

/* `anywhere run --nn-preload NAME:GGML:AUTO:PATH.gguf ...`: a host that
 * serves the preloaded models to one program through wasi_ephemeral_nn. */
typedef struct host_nn_preload host_nn_preload;
host_nn_preload *host_nn_preload_new(const char *const *specs, int n, char *err, size_t errlen);
bool host_nn_preload_define(host_nn_preload *p, aw_linker *l);
void host_nn_preload_free(host_nn_preload *p);

/* True when module is one of the host's import modules. */
bool host_is_module(const char *module);

#endif
