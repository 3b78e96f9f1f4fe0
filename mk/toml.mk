# mk/toml.mk — the TOML parser (src/app/toml.c): its test program and its
# libFuzzer target.
#
# $(BUILD)/tests/toml/test_toml checks the parser against the toml-test
# cases in ../shared/toml-test (tests/suites/toml.sh builds and runs it).
# `make fuzz-toml` builds $(FUZZ_BUILD)/fuzz_toml with clang, libFuzzer and
# ASan + UBSan; `make fuzz-toml-run` runs it for FUZZ_SECONDS (default 60),
# seeded with the toml-test cases; crashing inputs land in
# $(FUZZ_BUILD)/toml-crash-*.

$(BUILD)/tests/toml/test_toml: tests/toml/test_toml.c $(BUILD)/libanywhere.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libanywhere.a $(LDLIBS_ALL)

-include $(wildcard $(BUILD)/tests/toml/*.d)

# mk/fuzz.mk sets these too; the defaults here keep this file independent
# of the order in which make reads mk/*.mk.
FUZZ_CC      ?= clang
FUZZ_BUILD   ?= build/fuzz
FUZZ_SECONDS ?= 60
TOML_TEST_DIR ?= $(CURDIR)/../shared/toml-test/tests
TOML_FUZZ_CFLAGS = -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 -Iinclude -Isrc \
                   -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
                   -fno-omit-frame-pointer

.PHONY: fuzz fuzz-toml fuzz-toml-run
fuzz: $(FUZZ_BUILD)/fuzz_toml
fuzz-toml: $(FUZZ_BUILD)/fuzz_toml

$(FUZZ_BUILD)/fuzz_toml: fuzz/fuzz_toml.c src/app/toml.c src/app/toml.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(TOML_FUZZ_CFLAGS) -o $@ fuzz/fuzz_toml.c src/app/toml.c -lm

fuzz-toml-run: $(FUZZ_BUILD)/fuzz_toml
	@mkdir -p $(FUZZ_BUILD)/toml-corpus
	$(FUZZ_BUILD)/fuzz_toml -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix=$(FUZZ_BUILD)/toml- \
	    $(FUZZ_BUILD)/toml-corpus $(wildcard $(TOML_TEST_DIR)/valid $(TOML_TEST_DIR)/invalid)
