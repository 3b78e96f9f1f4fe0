# mk/serve.mk — the HTTP server library, the model server (serve-model) and
# the tokenizer/chat code's tests and fuzzer. Sources are built by the top
# Makefile; this adds test programs and the fuzz targets. cJSON (Debian's
# libcjson-dev) is loaded on first use: src/json/json.h, mk/dl.mk.

SERVE_TEST_BINS = $(BUILD)/tests/serve/http_parse_test $(BUILD)/tests/serve/http_echo $(BUILD)/tests/serve/jsonfmt_test \
                  $(BUILD)/tests/ai/tok_parity $(BUILD)/tests/ai/tok_unit $(BUILD)/tests/ai/tok_pretok

.PHONY: serve-tests
serve-tests: $(SERVE_TEST_BINS) $(BUILD)/anywhere
test: serve-tests

$(BUILD)/tests/serve/%: tests/serve/%.c $(BUILD)/libanywhere.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libanywhere.a $(LDLIBS_ALL) $(LDLIBS)

$(BUILD)/tests/ai/tok_%: tests/ai/tok_%.c $(BUILD)/libanywhere.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libanywhere.a $(LDLIBS_ALL) $(LDLIBS)

# libFuzzer target for the HTTP request parser and chunked decoder (clang):
# make fuzz-http [FUZZ_SECONDS=N] runs it for a while from an empty corpus.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 20
$(BUILD)/fuzz/fuzz_http: fuzz/fuzz_http.c src/http/http_parse.c src/http/http_chunked.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c17 -D_GNU_SOURCE -g -O1 -Iinclude -Isrc -fsanitize=fuzzer,address,undefined -o $@ $^

.PHONY: fuzz-http
fuzz-http: $(BUILD)/fuzz/fuzz_http
	@mkdir -p $(BUILD)/fuzz/corpus_http
	$(BUILD)/fuzz/fuzz_http -max_total_time=$(FUZZ_SECONDS) $(BUILD)/fuzz/corpus_http

# libFuzzer target for the tokenizers (untrusted prompts): make fuzz-tokenizer
TOK_FUZZ_SRCS = fuzz/fuzz_tokenizer.c $(filter-out src/ai/tokenizer_gguf.c,$(wildcard src/ai/tok*.c)) src/ai/unicode.c src/ai/unicode_tables.c
$(BUILD)/fuzz/fuzz_tokenizer: $(TOK_FUZZ_SRCS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c17 -D_GNU_SOURCE -g -O1 -Iinclude -Isrc -fsanitize=fuzzer,address,undefined -o $@ $(filter %.c,$^)

.PHONY: fuzz-tokenizer
fuzz-tokenizer: $(BUILD)/fuzz/fuzz_tokenizer
	@mkdir -p $(BUILD)/fuzz/corpus_tokenizer
	$(BUILD)/fuzz/fuzz_tokenizer -max_total_time=$(FUZZ_SECONDS) $(BUILD)/fuzz/corpus_tokenizer
