/* chat.c — the same chat through the llm API: the host runs the model
 * (in process with the local backend, or on an Ollama/OpenAI server as the
 * runtime config says), and the component only names it.
 *
 *   curl -d 'Why is the sky blue?' http://127.0.0.1:3000/chat
 *   curl -N -d 'Why is the sky blue?' 'http://127.0.0.1:3000/chat?stream=1'
 *
 * With ?stream=1 the answer is sent token by token as the model produces
 * it (chunked), through the streaming llm call and anywhere_flush.
 * ?max_tokens=N caps the answer; ?temperature=T sets the sampling
 * temperature (0: greedy, the same answer every time).
 */
#include <stdio.h>
#include <stdlib.h>

#include "anywhere.h"

static int stream(const char *model, const char *prompt, const anywhere_llm_params *params) {
    int st = anywhere_llm_stream_start(model, prompt, params);
    if (st < 0) {
        anywhere_status(502);
        anywhere_printf("inference on '%s' failed: %s\n", model, anywhere_error());
        return 0;
    }
    char piece[512];
    int n;
    while ((n = anywhere_llm_stream_next(st, piece, sizeof piece)) > 0) {
        anywhere_write(piece, (size_t)n);
        if (anywhere_flush() != 0) break; /* the client has gone */
    }
    if (n < 0) anywhere_printf("\n[inference failed: %s]", anywhere_error());
    anywhere_write_str("\n");
    anywhere_llm_stream_close(st);
    return 0;
}

ANYWHERE_HANDLER int anywhere_handle(void) {
    const char *prompt = anywhere_body(NULL);
    if (!prompt || !*prompt) prompt = anywhere_query_get("prompt");
    if (!prompt || !*prompt) prompt = "Why is the sky blue?";
    const char *model = anywhere_variable("model");
    anywhere_llm_params params;
    anywhere_llm_params_default(&params);
    const char *max = anywhere_query_get("max_tokens");
    if (max) params.max_tokens = (uint32_t)atoi(max);
    const char *temp = anywhere_query_get("temperature");
    if (temp) params.temperature = (float)atof(temp);
    anywhere_llm_usage usage;
    anywhere_header("content-type", "text/plain; charset=utf-8");
    if (anywhere_query_get("stream")) return stream(model, prompt, &params);
    char *answer = anywhere_llm_infer(model, prompt, &params, &usage);
    if (!answer) {
        anywhere_status(502);
        anywhere_printf("inference on '%s' failed: %s\n", model, anywhere_error());
        return 0;
    }
    char n[32];
    snprintf(n, sizeof n, "%u", usage.prompt_token_count);
    anywhere_header("x-prompt-tokens", n);
    snprintf(n, sizeof n, "%u", usage.generated_token_count);
    anywhere_header("x-generated-tokens", n);
    anywhere_printf("%s\n", answer);
    return 0;
}
