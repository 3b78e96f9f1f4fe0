/* chat.c — the same chat through the llm API: the host runs the model
 * (in process with the local backend, or on an Ollama/OpenAI server as the
 * runtime config says), and the component only names it.
 *
 *   curl -d 'Why is the sky blue?' http://127.0.0.1:3000/chat
 */
#include <stdio.h>
#include <stdlib.h>

#include "anywhere.h"

ANYWHERE_HANDLER int anywhere_handle(void) {
    const char *prompt = anywhere_body(NULL);
    if (!prompt || !*prompt) prompt = anywhere_query_get("prompt");
    if (!prompt || !*prompt) prompt = "Why is the sky blue?";
    const char *model = anywhere_variable("model");
    anywhere_llm_params params;
    anywhere_llm_params_default(&params);
    const char *max = anywhere_query_get("max_tokens");
    if (max) params.max_tokens = (uint32_t)atoi(max);
    anywhere_llm_usage usage;
    anywhere_header("content-type", "text/plain; charset=utf-8");
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
