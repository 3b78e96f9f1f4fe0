# mk/fuzz.mk — `make fuzz` builds the libFuzzer targets into build/fuzz/
# with clang, the engine compiled again with the fuzzer's coverage and
# AddressSanitizer + UBSan. fuzz/run.sh runs one for a while.
#
# fuzz_diff (the interpreter against the LLVM-compiled tier) needs the tier
# linked in: the fuzz build compiles src/wasm/llvm_*.c with LLVM's flags
# (mk/llvm.mk's LLVM_CFLAGS, read when the rules run: llvm.mk is included
# after this file) and without AW_LLVM_PLUGIN, so tier_loader.c stands
# aside and llvm_jit.c answers aw_module_load_ex itself; no dlopen of an
# uninstrumented plugin under ASan. Without LLVM the tier's files build as
# stubs and fuzz_diff checks nothing.

FUZZ_CC     ?= clang
FUZZ_BUILD  ?= build/fuzz
FUZZ_CFLAGS  = -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 -Iinclude -Isrc -MMD -MP \
               -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
               -fno-omit-frame-pointer
FUZZ_ENGINE_OBJS = $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(wildcard src/wasm/*.c))

.PHONY: fuzz
fuzz: $(FUZZ_BUILD)/fuzz_wasm $(FUZZ_BUILD)/fuzz_diff

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/obj/src/wasm/llvm_%.o: src/wasm/llvm_%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(LLVM_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/fuzz_wasm $(FUZZ_BUILD)/fuzz_diff: $(FUZZ_BUILD)/%: $(FUZZ_BUILD)/obj/fuzz/%.o $(FUZZ_ENGINE_OBJS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LLVM_LIBS) -lm -lpthread

-include $(shell find $(FUZZ_BUILD)/obj -name '*.d' 2>/dev/null)
