# mk/wasi.mk — WASI preview 1 (src/wasi, `anywhere run`) beyond `make test`:
#   make bench-wasi       the bench workloads as WASI commands (workload +
#                         bench/native_main.c, built with wasi-libc) run by
#                         `anywhere run`, against native (bench/run.sh's wasi mode)
#   make bench-startup    process start to exit of `anywhere run hello.wasm`
#                         against native hello (bench/startup.sh, hyperfine)
#   make wasi-testsuite   the official WASI test suite (tests/wasi/testsuite.sh),
#                         from $WASI_TESTSUITE_DIR or extracted from its git mirror
# Uses bench.mk's variables (included before this file).

BENCH_WASI_FLAGS = --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra -Werror $(BENCH_WASM_FEATURES) \
                   -Wl,--strip-debug

.PHONY: bench-wasi bench-startup wasi-testsuite
bench-wasi: $(BUILD)/anywhere $(foreach w,$(BENCH_WORKLOADS),$(BENCH_DIR)/native/$(w) $(BENCH_DIR)/wasi/$(w).wasm)
	BENCH_MODE=wasi bench/run.sh $(BUILD)

$(BENCH_DIR)/wasi/%.wasm: bench/workloads/%.c bench/native_main.c bench/workloads/bench.h
	@mkdir -p $(dir $@)
	$(BENCH_WASM_CC) $(BENCH_WASI_FLAGS) -o $@ $< bench/native_main.c

bench-startup: $(BUILD)/anywhere
	bench/startup.sh $(BUILD)

WASI_TESTSUITE_GIT ?= /work/.mirror/WebAssembly+wasi-testsuite/repo
wasi-testsuite: $(BUILD)/anywhere
	@set -e; ts="$${WASI_TESTSUITE_DIR:-}"; \
	if [ -z "$$ts" ]; then ts=$(BUILD)/wasi-testsuite; rm -rf "$$ts"; mkdir -p "$$ts"; \
	  git --git-dir="$(WASI_TESTSUITE_GIT)" archive prod/testsuite-base tests | tar -x -C "$$ts"; fi; \
	sh tests/wasi/testsuite.sh $(BUILD)/anywhere "$$ts"
