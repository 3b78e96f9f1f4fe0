/* chat.h — chat templates: messages -> the prompt text a model was tuned on.
 *
 * GGUF files carry their template as Jinja in `tokenizer.chat_template`;
 * rather than run Jinja, the family is recognised by its markers and the
 * well-known format is rendered in C. The result contains control tokens
 * spelt out, so tokenize it with AI_TOK_PARSE_SPECIAL. */
#ifndef AI_CHAT_H
#define AI_CHAT_H

#include <stddef.h>

#include "ai/tokenizer.h"

typedef enum {
    AI_CHAT_CHATML,  /* <|im_start|>role\n...<|im_end|> (Qwen, SmolLM, many) */
    AI_CHAT_LLAMA3,  /* <|start_header_id|>role<|end_header_id|>\n\n...<|eot_id|> */
    AI_CHAT_LLAMA2,  /* [INST] <<SYS>>\n...\n<</SYS>>\n\n... [/INST] */
    AI_CHAT_MISTRAL, /* [INST] ... [/INST]...</s> */
    AI_CHAT_GEMMA,   /* <start_of_turn>user\n...<end_of_turn>\n */
    AI_CHAT_PHI3,    /* <|user|>\n...<|end|>\n<|assistant|>\n */
    AI_CHAT_ZEPHYR,  /* <|user|>\n...</s>\n<|assistant|>\n */
    AI_CHAT_RAW,     /* no known format: the contents alone, one per line (Ollama's "{{ .Prompt }}") */
} ai_chat_style;

typedef struct {
    const char *role;    /* "system", "user", "assistant" (others kept verbatim where the format allows) */
    const char *content;
} ai_chat_msg;

/* Chooses the style from the template text (may be NULL); without one, from
 * the markers the vocabulary has (tok may be NULL). A template of unknown
 * form gets ChatML (llama.cpp's fallback); no template and no markers get
 * RAW, as Ollama passes a prompt through when a model has no template. */
ai_chat_style ai_chat_detect(const char *tmpl, const ai_tokenizer *tok);
const char *ai_chat_style_name(ai_chat_style s);

/* Renders messages, ending with the assistant's turn opener when
 * add_assistant. Returns a malloc'd NUL-terminated string (NULL if out of
 * memory). The BOS token is not included: the tokenizer adds it. */
char *ai_chat_render(ai_chat_style s, const ai_chat_msg *msgs, size_t n, int add_assistant);
/* The same, and *markup (malloc'd, one byte per byte of the result) is 1
 * where the text is the template's own and 0 inside roles and messages: pass
 * it to ai_tokenize_masked so only the template's control tokens count. */
char *ai_chat_render_masked(ai_chat_style s, const ai_chat_msg *msgs, size_t n, int add_assistant, unsigned char **markup);

#endif
