/* chat.c — the chat formats of the common model families, rendered without a
 * Jinja engine, and picked by the markers in tokenizer.chat_template. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ai/chat.h"

/* The prompt being built, and which of its bytes are template markup. */
typedef struct { char *s; unsigned char *mask; size_t n, cap; int oom; } sbuf;

static void append(sbuf *b, const char *s, int markup) {
    size_t l = strlen(s);
    if (b->n + l + 1 > b->cap) {
        size_t cap = (b->n + l + 1) * 2;
        char *p = realloc(b->s, cap);
        unsigned char *m = p ? realloc(b->mask, cap) : NULL;
        if (p) b->s = p;
        if (!m) { b->oom = 1; return; }
        b->mask = m;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, l + 1);
    memset(b->mask + b->n, markup, l + 1);
    b->n += l;
}

static void put(sbuf *b, const char *s) { append(b, s, 1); }
/* Text from the request (a role or a message): never markup. */
static void text(sbuf *b, const char *s) { append(b, s ? s : "", 0); }

static void puts_all(sbuf *b, ...) {
    va_list ap;
    va_start(ap, b);
    for (const char *s; (s = va_arg(ap, const char *));) put(b, s);
    va_end(ap);
}

static int has(const char *hay, const char *needle) { return hay && strstr(hay, needle); }
static int vocab_has(const ai_tokenizer *t, const char *s) { return t && ai_tokenizer_find(t, s, strlen(s)) >= 0; }
static int is_role(const ai_chat_msg *m, const char *r) { return m->role && !strcmp(m->role, r); }
static const char *content(const ai_chat_msg *m) { return m->content ? m->content : ""; }

ai_chat_style ai_chat_detect(const char *tmpl, const ai_tokenizer *tok) {
    if (has(tmpl, "<|im_start|>")) return AI_CHAT_CHATML;
    if (has(tmpl, "<|start_header_id|>")) return AI_CHAT_LLAMA3;
    if (has(tmpl, "<start_of_turn>")) return AI_CHAT_GEMMA;
    if (has(tmpl, "[INST]")) return has(tmpl, "<<SYS>>") ? AI_CHAT_LLAMA2 : AI_CHAT_MISTRAL;
    if (has(tmpl, "<|user|>")) return has(tmpl, "<|end|>") ? AI_CHAT_PHI3 : AI_CHAT_ZEPHYR;
    if (vocab_has(tok, "<|start_header_id|>")) return AI_CHAT_LLAMA3;
    if (vocab_has(tok, "<|im_start|>")) return AI_CHAT_CHATML;
    if (vocab_has(tok, "<start_of_turn>")) return AI_CHAT_GEMMA;
    if (vocab_has(tok, "[INST]")) return AI_CHAT_MISTRAL;
    if (vocab_has(tok, "<|user|>") && vocab_has(tok, "<|end|>")) return AI_CHAT_PHI3;
    return tmpl && *tmpl ? AI_CHAT_CHATML : AI_CHAT_RAW;
}

const char *ai_chat_style_name(ai_chat_style s) {
    static const char *const names[] = {"chatml", "llama3", "llama2", "mistral", "gemma", "phi3", "zephyr", "raw"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

static void chatml(sbuf *b, const ai_chat_msg *m, size_t n, int add) {
    for (size_t i = 0; i < n; i++) {
        put(b, "<|im_start|>");
        text(b, m[i].role ? m[i].role : "user");
        put(b, "\n");
        text(b, content(&m[i]));
        put(b, "<|im_end|>\n");
    }
    if (add) put(b, "<|im_start|>assistant\n");
}

static void llama3(sbuf *b, const ai_chat_msg *m, size_t n, int add) {
    for (size_t i = 0; i < n; i++) {
        put(b, "<|start_header_id|>");
        text(b, m[i].role ? m[i].role : "user");
        put(b, "<|end_header_id|>\n\n");
        text(b, content(&m[i]));
        put(b, "<|eot_id|>");
    }
    if (add) put(b, "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

/* Meta's Llama 2 chat format: the system prompt inside the first [INST],
 * each exchange closed with </s> and the next opened with <s>. */
static void llama2(sbuf *b, const ai_chat_msg *m, size_t n) {
    int in_turn = 1;
    put(b, "[INST] ");
    for (size_t i = 0; i < n; i++) {
        if (!in_turn) { put(b, "<s>[INST] "); in_turn = 1; }
        if (is_role(&m[i], "system")) { put(b, "<<SYS>>\n"); text(b, content(&m[i])); put(b, "\n<</SYS>>\n\n"); }
        else if (is_role(&m[i], "assistant")) { put(b, " "); text(b, content(&m[i])); put(b, " </s>"); in_turn = 0; }
        else { text(b, content(&m[i])); put(b, " [/INST]"); }
    }
}

/* Mistral has no system role: its text leads the next user message. */
static void mistral(sbuf *b, const ai_chat_msg *m, size_t n) {
    const char *sys = NULL;
    for (size_t i = 0; i < n; i++) {
        if (is_role(&m[i], "system")) sys = content(&m[i]);
        else if (is_role(&m[i], "assistant")) { text(b, content(&m[i])); put(b, "</s>"); }
        else {
            put(b, "[INST] ");
            if (sys) { text(b, sys); put(b, "\n\n"); sys = NULL; }
            text(b, content(&m[i]));
            put(b, " [/INST]");
        }
    }
    if (sys) { put(b, "[INST] "); text(b, sys); put(b, " [/INST]"); }
}

/* Gemma: roles user and model; a system prompt leads the first user turn. */
static void gemma(sbuf *b, const ai_chat_msg *m, size_t n, int add) {
    const char *sys = NULL;
    for (size_t i = 0; i < n; i++) {
        if (is_role(&m[i], "system")) { sys = content(&m[i]); continue; }
        int model = is_role(&m[i], "assistant");
        puts_all(b, "<start_of_turn>", model ? "model" : "user", "\n", NULL);
        if (sys && !model) { text(b, sys); put(b, "\n\n"); sys = NULL; }
        text(b, content(&m[i]));
        put(b, "<end_of_turn>\n");
    }
    if (add) put(b, "<start_of_turn>model\n");
}

/* Phi-3 and Zephyr: <|role|> headers, turns closed by <|end|> or </s>. */
static void role_tags(sbuf *b, const ai_chat_msg *m, size_t n, int add, const char *end) {
    for (size_t i = 0; i < n; i++) {
        put(b, "<|");
        text(b, m[i].role ? m[i].role : "user");
        put(b, "|>\n");
        text(b, content(&m[i]));
        put(b, end);
        put(b, "\n");
    }
    if (add) put(b, "<|assistant|>\n");
}

/* Only the text: a single user prompt comes out exactly as given. */
static void raw(sbuf *b, const ai_chat_msg *m, size_t n) {
    for (size_t i = 0; i < n; i++) {
        put(b, i ? "\n" : "");
        text(b, content(&m[i]));
    }
}

char *ai_chat_render(ai_chat_style s, const ai_chat_msg *msgs, size_t n, int add_assistant) {
    unsigned char *mask = NULL;
    char *r = ai_chat_render_masked(s, msgs, n, add_assistant, &mask);
    free(mask);
    return r;
}

char *ai_chat_render_masked(ai_chat_style s, const ai_chat_msg *msgs, size_t n, int add_assistant, unsigned char **markup) {
    sbuf b = {0};
    *markup = NULL;
    put(&b, "");
    switch (s) {
    case AI_CHAT_CHATML: chatml(&b, msgs, n, add_assistant); break;
    case AI_CHAT_LLAMA3: llama3(&b, msgs, n, add_assistant); break;
    case AI_CHAT_LLAMA2: llama2(&b, msgs, n); break;
    case AI_CHAT_MISTRAL: mistral(&b, msgs, n); break;
    case AI_CHAT_GEMMA: gemma(&b, msgs, n, add_assistant); break;
    case AI_CHAT_PHI3: role_tags(&b, msgs, n, add_assistant, "<|end|>"); break;
    case AI_CHAT_ZEPHYR: role_tags(&b, msgs, n, add_assistant, "</s>"); break;
    case AI_CHAT_RAW: raw(&b, msgs, n); break;
    }
    if (b.oom) { free(b.s); free(b.mask); return NULL; }
    *markup = b.mask;
    return b.s;
}
