/* serve_job.h — the steps every completion request shares, whichever API it
 * came through: parse the body, find and acquire the model, render and
 * tokenize the prompt, refuse prompts the context cannot hold. */
#ifndef AW_SERVE_JOB_H
#define AW_SERVE_JOB_H

#include "serve/serve.h"

typedef struct {
    serve_model *m;
    int32_t *prompt;
    int n_prompt;
    long long t_start, load_ns;
    int openai;          /* error replies in OpenAI's shape */
    const cJSON *context; /* /api/generate's "context": tokens of an earlier exchange to continue */
} serve_job;

/* Parses the request body as a JSON object; on failure answers 400 naming
 * the byte offset and returns NULL. */
cJSON *serve_parse_body(const http_request *req, http_response *res, int openai);

/* Finds the model named by the "model" field, answering 400/404 if absent. */
serve_model *serve_job_model(serve_state *s, const cJSON *body, http_response *res, int openai);

/* Acquires the model, renders the prompt (msgs through the chat template, or
 * raw text as is) and tokenizes it. On failure answers the client and
 * returns -1 (the model is not held then). */
int serve_job_start(serve_job *j, serve_state *s, serve_model *m, const ai_chat_msg *msgs, size_t n_msgs,
                    const char *raw, const serve_opts *o, http_response *res);
void serve_job_end(serve_job *j, const serve_opts *o);

/* Reads messages[] ({role, content}) from a request. Returns the count or
 * -1 after answering 400. *out is malloc'd; strings point into body. */
int serve_job_messages(const cJSON *body, ai_chat_msg **out, http_response *res, int openai);

/* Adds Ollama's final statistics to obj. */
void serve_add_stats(cJSON *obj, const serve_job *j, const serve_stats *st);

/* Embeds each input on the model (acquired and released inside); answers the
 * client itself on error. Returns a JSON array of vectors, or NULL. */
cJSON *serve_embed_inputs(serve_state *s, serve_model *m, const char **inputs, int n, int truncate,
                          const serve_opts *o, serve_job *job, int *n_tokens, http_response *res, int openai);
/* Reads body[key], a string or a list of strings; returns the count or -1.
 * *out is malloc'd; the strings point into body. */
int serve_embed_read_inputs(const cJSON *body, const char *key, const char ***out);

#endif
