/* tokenizer_gguf.h — a tokenizer from a GGUF file's tokenizer.ggml.* metadata. */
#ifndef AI_TOKENIZER_GGUF_H
#define AI_TOKENIZER_GGUF_H

#include <stddef.h>

#include "ai/tokenizer.h"

struct ai_gguf;

/* NULL with a message naming the bad or missing key on failure. */
ai_tokenizer *ai_tokenizer_from_gguf(const struct ai_gguf *g, char *err, size_t errlen);

#endif
