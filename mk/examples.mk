# mk/examples.mk — example guest modules, built from C with clang's wasm32
# target and lld (Debian packages clang, lld). The .wasm files are build
# outputs (not committed); they sit next to their source so that the
# README's commands can name them.

WASM_CC     ?= clang
WASM_CFLAGS  = --target=wasm32 -O2 -nostdlib -Wall -Wextra -Werror -Wl,--no-entry

EXAMPLES = examples/fib/fib.wasm

.PHONY: examples
all: examples
examples: $(EXAMPLES)

# Written to a temporary name first: two makes running at once must never
# leave a half-written module behind.
examples/fib/fib.wasm: examples/fib/fib.c mk/examples.mk
	$(WASM_CC) $(WASM_CFLAGS) -o $(@:.wasm=.tmp$$$$.wasm) $< && mv -f $(@:.wasm=.tmp$$$$.wasm) $@
