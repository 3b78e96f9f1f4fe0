# mk/tests.mk — test build rules.
#
# The spec-test runner (src/cli/cmd_spectest.c) reads wast2json's JSON with
# Debian's cJSON (libcjson-dev), loaded on first use (src/json/json.h).

# Unit tests: each tests/wasm/test_NAME.c is a program of its own, linked
# against the library, that prints "N passed, N failed" last.
# tests/suites/unit.sh builds them one by one (so that one that does not
# compile does not stop the others) with `make $(BUILD)/tests/wasm/test_NAME`.
UNIT_SRCS := $(wildcard tests/wasm/test_*.c)
UNIT_BINS := $(patsubst tests/wasm/%.c,$(BUILD)/tests/wasm/%,$(UNIT_SRCS))

$(BUILD)/tests/wasm/%: tests/wasm/%.c $(BUILD)/libanywhere.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libanywhere.a $(LDLIBS_ALL) $(LDLIBS)

.PHONY: unit-tests
unit-tests: $(UNIT_BINS)

-include $(wildcard $(BUILD)/tests/wasm/*.d)
