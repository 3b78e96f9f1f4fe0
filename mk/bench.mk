# mk/bench.mk — `make bench`: the compute workloads in bench/workloads/,
# built natively with gcc -O2 (and clang -O2, glibc and musl, for the
# compiled tier) and to wasm32-wasi with clang and Debian's wasi-libc, run
# by bench/run.sh against the interpreter and the compiled tier
# (bench/bench_wasm.c on the library built in $(BUILD)).

BENCH_WORKLOADS = $(basename $(notdir $(wildcard bench/workloads/*.c)))
BENCH_DIR       = $(BUILD)/bench
BENCH_NATIVE_CC ?= gcc
BENCH_WASM_CC   ?= clang
# Wasm 2.0 features the engine implements, as gcc -O2 uses SSE2 and its
# own vectoriser natively: memcpy becomes memory.copy, loops may use SIMD.
BENCH_WASM_FEATURES ?= -mbulk-memory -msign-ext -mnontrapping-fptoint -mmutable-globals -msimd128
BENCH_WASM_FLAGS = --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra -Werror $(BENCH_WASM_FEATURES) \
                   -nostartfiles -Wl,--no-entry -Wl,--strip-debug

# The natives the compiled tier is measured against (bench/run.sh): the
# .wasm's own compiler, clang -O2, with glibc and, where Debian's
# musl-tools is installed, statically with musl (wasi-libc is musl-based:
# the fair reference for workloads that spend their time in libc).
BENCH_CLANG ?= $(shell command -v clang 2>/dev/null)
BENCH_MUSL_TRIPLE := $(shell gcc -dumpmachine 2>/dev/null | sed 's/-gnu$$/-musl/')
BENCH_MUSL_LIB ?= /usr/lib/$(BENCH_MUSL_TRIPLE)
BENCH_MUSL ?= $(if $(BENCH_CLANG),$(wildcard $(BENCH_MUSL_LIB)/libc.a))
BENCH_NATIVE_FLAGS = -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror

.PHONY: bench bench-build
bench: bench-build
	bench/run.sh $(BUILD)
	$(BENCH_DIR)/load
	$(BENCH_DIR)/instantiate 20000

bench-build: $(BENCH_DIR)/bench_wasm $(BENCH_DIR)/load $(BENCH_DIR)/instantiate \
             $(foreach w,$(BENCH_WORKLOADS),$(BENCH_DIR)/native/$(w) $(BENCH_DIR)/wasm/$(w).wasm) \
             $(if $(BENCH_CLANG),$(foreach w,$(BENCH_WORKLOADS),$(BENCH_DIR)/native-clang/$(w))) \
             $(if $(BENCH_MUSL),$(foreach w,$(BENCH_WORKLOADS),$(BENCH_DIR)/native-musl/$(w)))

$(BENCH_DIR)/native/%: bench/workloads/%.c bench/native_main.c bench/workloads/bench.h
	@mkdir -p $(dir $@)
	$(BENCH_NATIVE_CC) -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o $@ $< bench/native_main.c -lm


$(BENCH_DIR)/native-clang/%: bench/workloads/%.c bench/native_main.c bench/workloads/bench.h
	@mkdir -p $(dir $@)
	$(BENCH_CLANG) $(BENCH_NATIVE_FLAGS) -o $@ $< bench/native_main.c -lm

$(BENCH_DIR)/native-musl/%: bench/workloads/%.c bench/native_main.c bench/workloads/bench.h
	@mkdir -p $(dir $@)
	$(BENCH_CLANG) $(BENCH_NATIVE_FLAGS) -static -nostdinc -nostdlib -isystem /usr/include/$(BENCH_MUSL_TRIPLE) \
	    -isystem $(shell $(BENCH_CLANG) -print-resource-dir)/include -o $@ \
	    $(BENCH_MUSL_LIB)/crt1.o $(BENCH_MUSL_LIB)/crti.o $< bench/native_main.c $(BENCH_MUSL_LIB)/libc.a \
	    $(shell $(BENCH_CLANG) -print-libgcc-file-name) $(BENCH_MUSL_LIB)/crtn.o

$(BENCH_DIR)/wasm/%.wasm: bench/workloads/%.c bench/workloads/bench.h
	@mkdir -p $(dir $@)
	$(BENCH_WASM_CC) $(BENCH_WASM_FLAGS) -o $@ $<

$(BENCH_DIR)/bench_wasm: bench/bench_wasm.c $(BUILD)/libanywhere.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libanywhere.a $(LDLIBS_ALL)

# Loading speed (bench/load.c) and instantiation cost (bench/instantiate.c).
$(BENCH_DIR)/load $(BENCH_DIR)/instantiate: $(BENCH_DIR)/%: bench/%.c $(BUILD)/libanywhere.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libanywhere.a $(LDLIBS_ALL)
