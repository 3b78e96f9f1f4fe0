/* cmd_serve_model.c — `anywhere serve-model`: flags to a serve_config. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "serve/serve.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: anywhere serve-model [--listen ADDR] [--model NAME=PATH.gguf | --model OLLAMA_NAME]... [--threads N]\n"
            "  Serves GGUF models over Ollama's API (/api/generate, /api/chat, /api/embed, /api/tags, ...)\n"
            "  and the OpenAI-compatible routes (/v1/chat/completions, /v1/completions, /v1/embeddings, /v1/models).\n"
            "  --listen ADDR    host:port to listen on (default $OLLAMA_HOST or 127.0.0.1:11434)\n"
            "  --model SPEC     NAME=PATH serves a GGUF file as NAME; a bare name (llama3.1, qwen2:0.5b) is\n"
            "                   looked up in the Ollama store ($OLLAMA_MODELS or ~/.ollama/models), whose\n"
            "                   models are also served on request by name\n"
            "  --threads N      inference threads (default: all cores)\n");
}

/* OLLAMA_HOST may be "host", "host:port" or "http://host:port". */
static const char *default_listen(char *buf, size_t n) {
    const char *h = getenv("OLLAMA_HOST");
    if (!h || !*h) return "127.0.0.1:11434";
    if (!strncmp(h, "http://", 7)) h += 7;
    const char *colon = strrchr(h, ':');
    if (colon && !strchr(colon, ']')) snprintf(buf, n, "%s", h);
    else snprintf(buf, n, "%s:11434", h);
    size_t l = strlen(buf);
    if (l && buf[l - 1] == '/') buf[l - 1] = 0;
    return buf;
}

int cmd_serve_model(int argc, char **argv) {
    char listen_buf[300];
    serve_config cfg = {.listen = default_listen(listen_buf, sizeof listen_buf)};
    const char **models = calloc((size_t)argc + 1, sizeof *models);
    if (!models) return 1;
    cfg.models = models;
    for (int i = 1; i < argc; i += 2) { /* every option takes a value */
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); free(models); return 0; }
        if (!v && (!strcmp(a, "--listen") || !strcmp(a, "--model") || !strcmp(a, "--threads"))) {
            fprintf(stderr, "anywhere serve-model: %s needs a value\n", a);
            free(models);
            return 2;
        }
        if (!strcmp(a, "--listen")) cfg.listen = v;
        else if (!strcmp(a, "--model")) models[cfg.n_models++] = v;
        else if (!strcmp(a, "--threads")) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 1 || n > 1024) { fprintf(stderr, "anywhere serve-model: --threads %s: expected 1..1024\n", v); free(models); return 2; }
            cfg.threads = (int)n;
        } else {
            fprintf(stderr, "anywhere serve-model: unknown option '%s'\n", a);
            usage(stderr);
            free(models);
            return 2;
        }
    }
    int rc = serve_run(&cfg);
    free(models);
    return rc;
}
