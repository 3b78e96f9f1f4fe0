/* chat.c — the chat formats of the common model families, rendered without a
 * Jinja engine, and picked by the markers in tokenizer.chat_template. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ai/chat.h"

typedef struct { char *s; size_t n, cap; int oom; } sbuf;

static void put(sbuf *b, const char *s) {
    size_t l = strlen(s);
    if (b->n + l + 1 > b->cap) {
        size_t cap = (b->n + l + 1) * 2;
        char *p = realloc(b->s, cap);
        if (!p) { b->oom = 1; return; }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->n, s, l + 1);
    b->n += l;
}

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
    if (vocab_has(tok, "<|start_header_id|>")) return AI_CHAT_LLAMA3;
    if (vocab_has(tok, "<|im_start|>")) return AI_CHAT_CHATML;
    if (vocab_has(tok, "<start_of_turn>")) return AI_CHAT_GEMMA;
    if (vocab_has(tok, "[INST]")) return AI_CHAT_MISTRAL;
    return tmpl && *tmpl ? AI_CHAT_CHATML : AI_CHAT_RAW;
}

const char *ai_chat_style_name(ai_chat_style s) {
    static const char *const names[] = {"chatml", "llama3", "llama2", "mistral", "gemma", "raw"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

static void chatml(sbuf *b, const ai_chat_msg *m, size_t n, int add) {
    for (size_t i = 0; i < n; i++) puts_all(b, "<|im_start|>", m[i].role ? m[i].role : "user", "\n", content(&m[i]), "<|im_end|>\n", NULL);
    if (add) put(b, "<|im_start|>assistant\n");
}

static void llama3(sbuf *b, const ai_chat_msg *m, size_t n, int add) {
    for (size_t i = 0; i < n; i++)
        puts_all(b, "<|start_header_id|>", m[i].role ? m[i].role : "user", "<|end_header_id|>\n\n", content(&m[i]), "<|eot_id|>", NULL);
    if (add) put(b, "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

/* Meta's Llama 2 chat format: the system prompt inside the first [INST],
 * each exchange closed with </s> and the next opened with <s>. */
static void llama2(sbuf *b, const ai_chat_msg *m, size_t n) {
    int in_turn = 1;
    put(b, "[INST] ");
    for (size_t i = 0; i < n; i++) {
        if (!in_turn) { put(b, "<s>[INST] "); in_turn = 1; }
        if (is_role(&m[i], "system")) puts_all(b, "<<SYS>>\n", content(&m[i]), "\n<</SYS>>\n\n", NULL);
        else if (is_role(&m[i], "assistant")) { puts_all(b, " ", content(&m[i]), " </s>", NULL); in_turn = 0; }
        else puts_all(b, content(&m[i]), " [/INST]", NULL);
    }
}

/* Mistral has no system role: its text leads the next user message. */
static void mistral(sbuf *b, const ai_chat_msg *m, size_t n) {
    const char *sys = NULL;
    for (size_t i = 0; i < n; i++) {
        if (is_role(&m[i], "system")) sys = content(&m[i]);
        else if (is_role(&m[i], "assistant")) puts_all(b, content(&m[i]), "</s>", NULL);
        else {
            put(b, "[INST] ");
            if (sys) { puts_all(b, sys, "\n\n", NULL); sys = NULL; }
            puts_all(b, content(&m[i]), " [/INST]", NULL);
        }
    }
    if (sys) puts_all(b, "[INST] ", sys, " [/INST]", NULL);
}

/* Gemma: roles user and model; a system prompt leads the first user turn. */
static void gemma(sbuf *b, const ai_chat_msg *m, size_t n, int add) {
    const char *sys = NULL;
    for (size_t i = 0; i < n; i++) {
        if (is_role(&m[i], "system")) { sys = content(&m[i]); continue; }
        int model = is_role(&m[i], "assistant");
        puts_all(b, "<start_of_turn>", model ? "model" : "user", "\n", NULL);
        if (sys && !model) { puts_all(b, sys, "\n\n", NULL); sys = NULL; }
        puts_all(b, content(&m[i]), "<end_of_turn>\n", NULL);
    }
    if (add) put(b, "<start_of_turn>model\n");
}

/* Only the text: a single user prompt comes out exactly as given. */
static void raw(sbuf *b, const ai_chat_msg *m, size_t n) {
    for (size_t i = 0; i < n; i++) puts_all(b, i ? "\n" : "", content(&m[i]), NULL);
}

char *ai_chat_render(ai_chat_style s, const ai_chat_msg *msgs, size_t n, int add_assistant) {
    sbuf b = {0};
    put(&b, "");
    switch (s) {
    case AI_CHAT_CHATML: chatml(&b, msgs, n, add_assistant); break;
    case AI_CHAT_LLAMA3: llama3(&b, msgs, n, add_assistant); break;
    case AI_CHAT_LLAMA2: llama2(&b, msgs, n); break;
    case AI_CHAT_MISTRAL: mistral(&b, msgs, n); break;
    case AI_CHAT_GEMMA: gemma(&b, msgs, n, add_assistant); break;
    case AI_CHAT_RAW: raw(&b, msgs, n); break;
    }
    if (b.oom) { free(b.s); return NULL; }
    return b.s;
}
