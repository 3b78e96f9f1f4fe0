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
$(BUILD)/obj/src/wasm/llvm_%.o: CFLAGS += $(LLVM_CFLAGS)
LDLIBS_ALL += $(LLVM_LIBS)
endif
endif
