/* serve.h — `anywhere serve-model`: Ollama's HTTP API and the OpenAI
 * compatible routes over the inference engine (src/ai) and the HTTP server
 * library (src/http). Internal to src/serve except serve_run. */
#ifndef AW_SERVE_H
#define AW_SERVE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "ai/chat.h"
#include "ai/tokenizer.h"
#include "anywhere/ai.h"
#include "http/http.h"
#include "json/json.h"

/* ---- configuration and entry point ---- */

typedef struct {
    const char *listen;       /* default 127.0.0.1:11434 (or $OLLAMA_HOST) */
    const char **models;      /* "NAME=PATH.gguf" or an Ollama name */
    int n_models;
    int threads;              /* inference threads; 0 = online CPUs */
    const char *ollama_dir;   /* store root; NULL = $OLLAMA_MODELS or ~/.ollama/models */
} serve_config;

/* Runs the server until SIGINT/SIGTERM. Returns the process exit code. */
int serve_run(const serve_config *cfg);

/* ---- models (serve_models.c) ---- */

/* A served model: its file, and while loaded the engine objects. Requests
 * take turns on it in arrival order (a ticket queue), so concurrent requests
 * never share the KV cache; keep_alive decides when an idle one unloads. */
typedef struct serve_model {
    char *name;             /* "name:tag" */
    char *path;             /* GGUF file */
    char digest[65];        /* sha256 from the Ollama store, else a file fingerprint */
    uint64_t size;
    long long modified;     /* seconds since the epoch */
    cJSON *params;          /* Ollama store: the model's default options (params layer), or NULL */

    pthread_mutex_t mu;     /* guards everything below */
    pthread_cond_t turn;
    unsigned long next_ticket, serving;
    ai_model *model;        /* NULL when not loaded */
    ai_tokenizer *tok;
    ai_chat_style chat;
    char *chat_template;    /* tokenizer.chat_template or NULL */
    ai_context *ctx;
    int n_ctx;
    int32_t *cache;         /* tokens whose keys/values ctx holds, in order */
    int n_cache;
    long long expires_ms;   /* wall clock; -1 never; 0 unload when idle */
    struct serve_model *next;
} serve_model;

typedef struct {
    pthread_mutex_t mu;     /* guards the list */
    serve_model *head;
    char *store;            /* Ollama store root */
    int threads;
} serve_registry;

void serve_registry_init(serve_registry *r, const char *store, int threads);
void serve_registry_free(serve_registry *r);
/* Adds NAME=PATH, or resolves an Ollama name. Returns 0 or -1 with err. */
int serve_registry_add(serve_registry *r, const char *spec, char *err, size_t errlen);
/* Finds a model by name ("m" matches "m:latest"), looking in the Ollama
 * store for names not yet known. NULL if none. */
serve_model *serve_registry_find(serve_registry *r, const char *name);
/* Comma-separated names of all models (served and in the store): malloc'd. */
char *serve_registry_names(serve_registry *r);

/* Waits for the model's turn and loads it (with a context of n_ctx tokens,
 * 0 = default). *load_ns gets the time loading took (0 if it was loaded).
 * Returns 0, or -1 with err (the turn is then already given back). */
int serve_model_acquire(serve_registry *r, serve_model *m, int n_ctx, long long *load_ns, char *err, size_t errlen);
/* Gives the turn back; keep_alive_ms: -1 forever, 0 unload now, else idle time. */
void serve_model_release(serve_model *m, long long keep_alive_ms);
/* Unloads idle models whose keep_alive has passed (called periodically). */
void serve_registry_reap(serve_registry *r);
/* Parses Ollama's keep_alive ("5m", "1h30m", "10s", 300, -1, "0").
 * Returns milliseconds (-1 forever), or -2 when item is malformed. */
long long serve_parse_keep_alive(const cJSON *item);

/* ---- generation (serve_gen.c) ---- */

typedef struct {
    ai_sampler_params sp;
    int num_predict;        /* -1: until the context is full */
    int num_ctx;            /* 0: default */
    char **stop;            /* stop strings (owned) */
    int n_stop;
    long long keep_alive_ms;
    int json;               /* "format": "json" (or a schema): output one JSON object */
} serve_opts;

typedef struct {
    long long total_ns, load_ns;
    int prompt_n;           /* prompt tokens evaluated (cached prefix excluded) */
    long long prompt_ns;
    int eval_n;
    long long eval_ns;
    const char *done_reason; /* "stop", "length", or "cancel" */
    int32_t *context;        /* prompt + output tokens (malloc'd), for /api/generate */
    int n_context;
} serve_stats;

/* Receives each piece of output text; returns -1 to stop (client gone). */
typedef int (*serve_emit)(void *ud, const char *text, size_t n);

/* Generates from prompt tokens on an acquired model. Returns 0, or an HTTP
 * status (400 context overflow, 500 engine failure) with a message in err. */
int serve_generate(serve_model *m, const int32_t *prompt, int n_prompt, const serve_opts *o,
                   serve_emit emit, void *ud, http_response *res, serve_stats *st, char *err, size_t errlen);

/* Tokenizes with the model's tokenizer (BOS added as the vocabulary asks).
 * Control tokens are parsed when special, and then only where markup[] is
 * set (NULL: anywhere). Returns a malloc'd array. */
int32_t *serve_tokenize(serve_model *m, const char *text, int special, const unsigned char *markup, int *n);

/* ---- requests (serve_opts.c) ---- */

/* Fills opts from the model's defaults (params, may be NULL: an Ollama
 * params layer), then Ollama "options" (unknown fields ignored) and
 * keep_alive. Returns 0 or -1 with a message naming the bad field. */
int serve_opts_from_ollama(serve_opts *o, const cJSON *params, const cJSON *req, char *err, size_t errlen);
/* Fills opts from the model's defaults, then an OpenAI request (max_tokens,
 * temperature, stop, ...). */
int serve_opts_from_openai(serve_opts *o, const cJSON *params, const cJSON *req, char *err, size_t errlen);
void serve_opts_free(serve_opts *o);

/* ---- HTTP glue (serve_http.c) ---- */

typedef struct {
    serve_registry reg;
    http_server *http;
    atomic_int running;   /* cleared at shutdown: the reaper thread stops */
} serve_state;

void serve_handle(const http_request *req, http_response *res, void *ud);
/* JSON answers: the body is cJSON_PrintUnformatted'd and the object freed. */
void serve_reply_json(http_response *res, int status, cJSON *obj);
void serve_reply_error(http_response *res, int status, const char *fmt, ...);
void serve_reply_openai_error(http_response *res, int status, const char *type, const char *fmt, ...);
/* "2024-05-01T12:00:00.123456789Z" now, into buf (40 bytes). */
void serve_timestamp(char *buf, size_t n);
long long serve_now_ns(void);
/* Appends text[0..n) to a NUL-terminated growable buffer (stream:false
 * answers). Returns 0, or -1 out of memory. */
int serve_text_append(char **buf, size_t *len, size_t *cap, const char *text, size_t n);

/* ---- routes ---- */
void serve_ollama_generate(serve_state *s, const http_request *req, http_response *res, int chat);
void serve_ollama_embed(serve_state *s, const http_request *req, http_response *res, int legacy);
void serve_ollama_tags(serve_state *s, http_response *res);
void serve_ollama_show(serve_state *s, const http_request *req, http_response *res);
void serve_ollama_ps(serve_state *s, http_response *res);
void serve_openai_complete(serve_state *s, const http_request *req, http_response *res, int chat);
void serve_openai_embeddings(serve_state *s, const http_request *req, http_response *res);
void serve_openai_models(serve_state *s, http_response *res, const char *one);

/* Shared by both APIs: details object and the model family. */
cJSON *serve_model_details(serve_model *m);

#endif
