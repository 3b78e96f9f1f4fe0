/* tok_unit.c — unit tests of the tokenizer pieces that need no vocabulary:
 * the pre-tokenizer regexes (against splits Hugging Face tokenizers make),
 * the byte-level map, streaming UTF-8 reassembly, and chat templates.
 * Prints "N passed, N failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ai/chat.h"
#include "ai/tok_internal.h"

static int pass, fail;
#define CHECK(cond, ...) do { if (cond) pass++; else { fail++; printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

/* Splits text and joins the pieces with '|' for comparison. */
static void split(ai_pretok_kind k, const char *text, const char *want) {
    char got[512] = "";
    size_t n = strlen(text), w = 0;
    for (size_t i = 0; i < n;) {
        size_t l = ai_pretok_next(k, text + i, n - i);
        if (w) got[w++] = '|';
        memcpy(got + w, text + i, l);
        w += l;
        i += l;
    }
    got[w] = 0;
    CHECK(!strcmp(got, want), "split(%d, \"%s\") = \"%s\", want \"%s\"", k, text, got, want);
}

static void test_pretok(void) {
    split(AI_PRETOK_LLAMA3, "Hello world!", "Hello| world|!");
    split(AI_PRETOK_LLAMA3, "I'm  here", "I|'m| | here");
    split(AI_PRETOK_LLAMA3, "1234567", "123|456|7");
    split(AI_PRETOK_LLAMA3, "a\n\n  b", "a|\n\n| | b");
    split(AI_PRETOK_LLAMA3, "x   ", "x|   ");
    split(AI_PRETOK_LLAMA3, "don'T", "don|'T");
    split(AI_PRETOK_LLAMA3, " (hi) ", " (|hi|)| ");
    split(AI_PRETOK_LLAMA3, "\t\tx", "\t|\tx");
    split(AI_PRETOK_QWEN2, "1234", "1|2|3|4");
    split(AI_PRETOK_GPT2, "Hello world 123!", "Hello| world| 123|!");
    split(AI_PRETOK_GPT2, "don'T", "don|'|T");
    split(AI_PRETOK_GPT2, "a  b", "a| | b");
    split(AI_PRETOK_LLAMA3, "日本語 テキスト", "日本語| テキスト");
}

static void test_bytelevel(void) {
    int ok = 1;
    for (int b = 0; b < 256; b++) ok &= ai_bytelevel_byte(ai_bytelevel_cp((unsigned char)b)) == b;
    CHECK(ok, "byte map round trip");
    CHECK(ai_bytelevel_cp(' ') == 0x120 && ai_bytelevel_cp('\n') == 0x10A && ai_bytelevel_cp('A') == 'A', "GPT-2 map");
}

static void test_stream(void) {
    ai_utf8_stream s = {0};
    char out[64];
    const char *euro = "\xe2\x82\xac"; /* split over three pieces */
    size_t a = ai_utf8_stream_push(&s, euro, 1, out);
    size_t b = ai_utf8_stream_push(&s, euro + 1, 1, out);
    size_t c = ai_utf8_stream_push(&s, euro + 2, 1, out);
    CHECK(a == 0 && b == 0 && c == 3 && !memcmp(out, euro, 3), "split euro %zu %zu %zu", a, b, c);
    size_t d = ai_utf8_stream_push(&s, "ok\xf0\x9f", 4, out);
    CHECK(d == 2 && s.npending == 2, "held partial emoji");
    size_t e = ai_utf8_stream_push(&s, "x", 1, out);
    CHECK(e == 4 && !memcmp(out, "\xef\xbf\xbdx", 4), "broken sequence becomes U+FFFD: %zu", e);
    ai_utf8_stream_push(&s, "\xe2", 1, out);
    CHECK(ai_utf8_stream_finish(&s, out) == 3, "finish flushes a dangling lead byte");
}

static void test_chat(void) {
    ai_chat_msg m[] = {{"system", "Be brief."}, {"user", "Hi"}, {"assistant", "Hello!"}, {"user", "Bye"}};
    struct { ai_chat_style s; const char *want; } cases[] = {
        {AI_CHAT_CHATML, "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n"},
        {AI_CHAT_LLAMA3, "<|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nBye<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"},
        {AI_CHAT_LLAMA2, "[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello! </s><s>[INST] Bye [/INST]"},
        {AI_CHAT_MISTRAL, "[INST] Be brief.\n\nHi [/INST]Hello!</s>[INST] Bye [/INST]"},
        {AI_CHAT_PHI3, "<|system|>\nBe brief.<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\nHello!<|end|>\n<|user|>\nBye<|end|>\n<|assistant|>\n"},
        {AI_CHAT_ZEPHYR, "<|system|>\nBe brief.</s>\n<|user|>\nHi</s>\n<|assistant|>\nHello!</s>\n<|user|>\nBye</s>\n<|assistant|>\n"},
        {AI_CHAT_GEMMA, "<start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n<start_of_turn>user\nBye<end_of_turn>\n<start_of_turn>model\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *r = ai_chat_render(cases[i].s, m, 4, 1);
        CHECK(r && !strcmp(r, cases[i].want), "%s template:\n%s", ai_chat_style_name(cases[i].s), r);
        free(r);
    }
    CHECK(ai_chat_detect("{% for m in messages %}<|im_start|>{{ m.role }}", NULL) == AI_CHAT_CHATML, "detect chatml");
    CHECK(ai_chat_detect("{{ '<|start_header_id|>' + m['role'] + '<|end_header_id|>\n\n' }}", NULL) == AI_CHAT_LLAMA3, "detect llama3");
    CHECK(ai_chat_detect("{{ bos_token + '[INST] ' + '<<SYS>>\\n' }}", NULL) == AI_CHAT_LLAMA2, "detect llama2");
    CHECK(ai_chat_detect("{{ '[INST] ' + message['content'] + ' [/INST]' }}", NULL) == AI_CHAT_MISTRAL, "detect mistral");
    CHECK(ai_chat_detect("<start_of_turn>", NULL) == AI_CHAT_GEMMA, "detect gemma");
    CHECK(ai_chat_detect("{{'<|user|>' + '\n' + message['content'] + '<|end|>'}}", NULL) == AI_CHAT_PHI3, "detect phi3");
    CHECK(ai_chat_detect("{{ '<|user|>\n' + message['content'] + eos_token }}", NULL) == AI_CHAT_ZEPHYR, "detect zephyr");
    CHECK(ai_chat_detect("{{ unknown }}", NULL) == AI_CHAT_CHATML, "unknown template: chatml");
    CHECK(ai_chat_detect(NULL, NULL) == AI_CHAT_RAW, "no template: raw");
    char *r = ai_chat_render(AI_CHAT_RAW, m + 1, 1, 1);
    CHECK(r && !strcmp(r, "Hi"), "raw prompt passes through");
    free(r);
}

/* Control tokens count only inside template markup. */
static void test_masked_specials(void) {
    ai_str toks[] = {{"<unk>", 5}, {"<s>", 3}, {"</s>", 4}, {"<|im_end|>", 10}, {"a", 1}, {"b", 1}, {"<", 1}, {"|", 1},
                     {"i", 1}, {"m", 1}, {"_", 1}, {"e", 1}, {"n", 1}, {"d", 1}, {">", 1}, {"\xe2\x96\x81", 3}};
    int32_t types[16] = {2, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    ai_vocab_desc d = {.model = "llama", .n_tokens = 16, .tokens = toks, .types = types, .bos = 1, .eos = 2, .unk = 0, .eot = -1, .pad = -1,
                       .add_bos = 0, .add_eos = 0, .add_space_prefix = 0};
    char err[128];
    ai_tokenizer *t = ai_tokenizer_new(&d, err, sizeof err);
    CHECK(t != NULL, "tiny vocabulary: %s", err);
    if (!t) return;
    const char *text = "a<|im_end|>b";
    unsigned char all[12], none[12], part[12];
    memset(all, 1, 12); memset(none, 0, 12); memset(part, 1, 12); part[10] = 0;
    int32_t out[32];
    long n = ai_tokenize_masked(t, text, 12, AI_TOK_PARSE_SPECIAL, all, out, 32);
    CHECK(n == 3 && out[1] == 3, "markup: the control token is parsed (%ld)", n);
    n = ai_tokenize_masked(t, text, 12, AI_TOK_PARSE_SPECIAL, none, out, 32);
    int found = 0;
    for (long i = 0; i < n; i++) found |= out[i] == 3;
    CHECK(!found && n == 12, "message text: spelt out, not parsed (%ld)", n);
    n = ai_tokenize_masked(t, text, 12, AI_TOK_PARSE_SPECIAL, part, out, 32);
    found = 0;
    for (long i = 0; i < n; i++) found |= out[i] == 3;
    CHECK(!found, "a token running out of the markup is not parsed");
    n = ai_tokenize(t, text, 12, 0, out, 32);
    CHECK(n == 12, "without AI_TOK_PARSE_SPECIAL nothing is parsed");
    ai_tokenizer_free(t);

    ai_chat_msg m[] = {{"user", "hi<|im_end|>"}};
    unsigned char *mask;
    char *r = ai_chat_render_masked(AI_CHAT_CHATML, m, 1, 1, &mask);
    size_t at = (size_t)(strstr(r, "hi") - r);
    CHECK(mask[0] == 1 && mask[at] == 0 && mask[at + 2] == 0 && mask[at + 12] == 1, "chat markup mask");
    free(r);
    free(mask);
}

int main(void) {
    test_masked_specials();
    test_pretok();
    test_bytelevel();
    test_stream();
    test_chat();
    printf("%d passed, %d failed\n", pass, fail);
    return fail != 0;
}
