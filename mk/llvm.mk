# mk/llvm.mk — the LLVM-compiled tier (src/wasm/llvm_*.c) links Debian's
# LLVM 19 through llvm-config-19 (the shared libLLVM-19; never its CMake
# files). Without llvm-config-19 the tier is left out: llvm_jit.c then
# answers AW_TIER_COMPILED with "not built with LLVM". LLVM=0 forces that.

LLVM_CONFIG ?= $(shell command -v llvm-config-19 2>/dev/null)
ifneq ($(LLVM),0)
ifneq ($(LLVM_CONFIG),)
LLVM_CFLAGS := $(shell $(LLVM_CONFIG) --cflags) -DAW_HAVE_LLVM
LLVM_LIBS   := $(shell $(LLVM_CONFIG) --ldflags) -Wl,-rpath,$(shell $(LLVM_CONFIG) --libdir) \
               $(shell $(LLVM_CONFIG) --libs core orcjit native passes)
# Only the tier's own files see LLVM's headers.
$(BUILD)/obj/src/wasm/llvm_%.o: CFLAGS += $(LLVM_CFLAGS) -fPIC

# The tier is a plugin, $(BUILD)/libanywhere-llvm.so, loaded on first use by
# src/wasm/tier_loader.c: loading libLLVM costs ~60 ms at every process
# start (its relocations and static constructors), which `anywhere run`
# and every other command would otherwise pay without using it.
# LLVM_PLUGIN=0 links the tier into the binary instead.
ifneq ($(LLVM_PLUGIN),0)
LLVM_TIER_SRCS := $(wildcard src/wasm/llvm_*.c)
LIB_SRCS       := $(filter-out $(LLVM_TIER_SRCS),$(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c)))
LLVM_PLUGIN_SO := $(abspath $(BUILD))/libanywhere-llvm.so
CFLAGS_ALL     += -DAW_LLVM_PLUGIN -DAW_LLVM_PLUGIN_PATH='"$(LLVM_PLUGIN_SO)"'
# The plugin calls back into the engine: executables export their symbols.
LDLIBS_ALL     += -rdynamic -ldl
all: $(BUILD)/libanywhere-llvm.so
$(BUILD)/anywhere: | $(BUILD)/libanywhere-llvm.so
$(BUILD)/libanywhere-llvm.so: $(patsubst %.c,$(BUILD)/obj/%.o,$(LLVM_TIER_SRCS))
	$(CC) $(LDFLAGS) -shared -Wl,-Bsymbolic -o $@ $^ $(LLVM_LIBS)
else
LDLIBS_ALL += $(LLVM_LIBS)
endif
endif
endif

# `make bench-compile`: ahead-of-time compile time of bench/load.c's 16 MB
# module of 17,000 functions (bench/compile.sh).
.PHONY: bench-compile
bench-compile: $(BUILD)/anywhere $(BUILD)/bench/load
	bench/compile.sh $(BUILD)

# `make bench-aot`: load times of a module interpreted, JIT-compiled and
# from an artifact, and instance + call cost (bench/aot.c); AOT_MODULE=
# names a module to load (default: a one-function module).
.PHONY: bench-aot
bench-aot: $(BUILD)/bench/aot
	$(BUILD)/bench/aot $(AOT_MODULE)

$(BUILD)/bench/aot: bench/aot.c $(BUILD)/libanywhere.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libanywhere.a $(LDLIBS_ALL)
