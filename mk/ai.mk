# mk/ai.mk — the inference engine's tests, fuzzer and benchmark helpers.
# The engine itself (src/ai/*.c) is built by the top Makefile; SIMD kernels
# use target attributes, so no per-file flags are needed.

AI_TESTS = $(patsubst tests/ai/%.c,$(BUILD)/tests/ai/%,$(wildcard tests/ai/test_*.c))

.PHONY: ai-tests
ai-tests: $(AI_TESTS) $(BUILD)/anywhere

$(BUILD)/tests/ai/test_%: tests/ai/test_%.c tests/ai/check.h $(BUILD)/libanywhere.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libanywhere.a $(LDLIBS_ALL)

# libFuzzer target for the GGUF reader (clang only): make fuzz-gguf
FUZZ_CC ?= clang
$(BUILD)/fuzz/fuzz_gguf: fuzz/fuzz_gguf.c src/ai/gguf.c src/ai/quant.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c17 -D_GNU_SOURCE -g -O1 -Iinclude -Isrc -fsanitize=fuzzer,address,undefined -o $@ $^

.PHONY: fuzz-gguf
fuzz-gguf: $(BUILD)/fuzz/fuzz_gguf

# `make` also builds the unit tests, so `make test` (tests/suites/ai.sh) finds them.
all: $(AI_TESTS)
