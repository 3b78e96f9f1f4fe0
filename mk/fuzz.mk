# mk/fuzz.mk — `make fuzz` builds the libFuzzer targets into build/fuzz/
# with clang, the engine compiled again with the fuzzer's coverage and
# AddressSanitizer + UBSan. fuzz/run.sh runs one for a while.

FUZZ_CC     ?= clang
FUZZ_BUILD  ?= build/fuzz
FUZZ_CFLAGS  = -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 -Iinclude -Isrc -MMD -MP \
               -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
               -fno-omit-frame-pointer
FUZZ_ENGINE_OBJS = $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(wildcard src/wasm/*.c))

.PHONY: fuzz
fuzz: $(FUZZ_BUILD)/fuzz_wasm

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/fuzz_wasm: $(FUZZ_BUILD)/obj/fuzz/fuzz_wasm.o $(FUZZ_ENGINE_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ -lm -lpthread

-include $(shell find $(FUZZ_BUILD)/obj -name '*.d' 2>/dev/null)
