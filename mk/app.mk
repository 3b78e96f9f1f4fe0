# mk/app.mk — `anywhere up`: example apps (examples/hello, wagi, router),
# test guests for tests/suites/app.sh, and the router unit test. Guests are
# built with clang's wasm32-wasi target and Debian's wasi-libc (packages
# clang, lld, wasi-libc). Outputs are written to a temporary name first so
# that concurrent or interrupted builds never leave half a module.

APP_WASM_CC    ?= clang
APP_WASM_FLAGS  = --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra -Werror -Wl,--strip-debug
APP_SDK         = sdk/c/anywhere.c sdk/c/anywhere.h
APP_HANDLER     = $(APP_WASM_CC) $(APP_WASM_FLAGS) -mexec-model=reactor -Isdk/c
APP_COMMAND     = $(APP_WASM_CC) $(APP_WASM_FLAGS)

APP_EXAMPLES = examples/hello/hello.wasm examples/wagi/wagi.wasm examples/router/users.wasm \
               examples/router/files.wasm examples/ollama-chat/chat.wasm examples/llm-chat/chat.wasm \
               examples/wasi-nn-chat/chat.wasm
APP_GUESTS   = $(patsubst tests/app/guests/%.c,$(BUILD)/tests/app/%.wasm,$(wildcard tests/app/guests/*.c))
APP_TESTS    = $(BUILD)/tests/app/test_router $(BUILD)/tests/app/nn_stream.wasm

.PHONY: app-examples app-tests
all: app-examples app-tests
app-examples: $(APP_EXAMPLES)
app-tests: $(APP_GUESTS) $(APP_TESTS)

examples/hello/hello.wasm examples/router/users.wasm examples/ollama-chat/chat.wasm examples/llm-chat/chat.wasm: %.wasm: %.c $(APP_SDK) mk/app.mk
	$(APP_HANDLER) -o $(@:.wasm=.tmp$$$$.wasm) $< sdk/c/anywhere.c && mv -f $(@:.wasm=.tmp$$$$.wasm) $@

examples/wagi/wagi.wasm examples/router/files.wasm examples/wasi-nn-chat/chat.wasm: %.wasm: %.c mk/app.mk
	$(APP_COMMAND) -o $(@:.wasm=.tmp$$$$.wasm) $< && mv -f $(@:.wasm=.tmp$$$$.wasm) $@

$(BUILD)/tests/app/%.wasm: tests/app/guests/%.c $(APP_SDK) mk/app.mk
	@mkdir -p $(dir $@)
	$(APP_HANDLER) -o $@.tmp $< sdk/c/anywhere.c && mv -f $@.tmp $@

$(BUILD)/tests/app/nn_stream.wasm: tests/app/nn/nn_stream.c mk/app.mk
	@mkdir -p $(dir $@)
	$(APP_COMMAND) -o $@.tmp $< && mv -f $@.tmp $@

$(BUILD)/tests/app/test_%: tests/app/test_%.c $(BUILD)/libanywhere.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libanywhere.a $(LDLIBS_ALL) $(LDLIBS)

# src/host: outbound HTTP (libcurl), the key-value stores (SQLite, Redis):
# loaded on first use, or linked with DL_DIRECT=1 (mk/dl.mk).
DL_LIBS += -lcurl -lsqlite3 -lhiredis
