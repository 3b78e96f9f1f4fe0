# Anywhere — build. `make` builds build/anywhere; `make test` runs every test.
# `make SAN=1` builds with AddressSanitizer + UBSan into build/san.
# Each area may add rules in mk/*.mk (included below).

CC      ?= cc
OPT     ?= -O2
SAN     ?=
BUILD   ?= build

# -fno-math-errno: sqrt and lrint become single instructions, not libm calls.
CFLAGS_ALL = -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -g $(OPT) -fno-math-errno -Iinclude -Isrc -MMD -MP
LDLIBS_ALL = -lm -lpthread

ifeq ($(SAN),1)
BUILD := build/san
CFLAGS_ALL += -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
LDFLAGS    += -fsanitize=address,undefined
endif

# The library: every layer of the runtime. The CLI is a thin layer on top.
LIB_DIRS  = src/dl src/json src/wasm src/wasi src/host src/app src/http src/ai src/serve
LIB_SRCS  = $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
CLI_SRCS  = $(wildcard src/cli/*.c)
LIB_OBJS  = $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
CLI_OBJS  = $(patsubst %.c,$(BUILD)/obj/%.o,$(CLI_SRCS))

.PHONY: all test clean
.DEFAULT_GOAL := all
all: $(BUILD)/anywhere

# Areas' rules; read before the library's rules so that an area may change
# what goes into the library (mk/llvm.mk moves the LLVM tier into a plugin).
-include $(wildcard mk/*.mk)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(CFLAGS) -c $< -o $@

$(BUILD)/libanywhere.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# The executable does not link libm (src/wasm/fround.h and src/ai/libm.h
# say why; with DL_DIRECT=1 it does): a call that needs it fails to link.
ANYWHERE_LDLIBS = $(if $(filter 1,$(DL_DIRECT)),$(LDLIBS_ALL) $(LDLIBS),$(filter-out -lm,$(LDLIBS_ALL) $(LDLIBS)))
# -z pack-relative-relocs (glibc 2.36): the loader reads 1 KB of relative
# relocations instead of 20 KB at every start.
$(BUILD)/anywhere: $(CLI_OBJS) $(BUILD)/libanywhere.a
	$(CC) $(LDFLAGS) -Wl,-z,pack-relative-relocs -o $@ $(CLI_OBJS) $(BUILD)/libanywhere.a $(ANYWHERE_LDLIBS)

# tests/run.sh runs every suite and ends with "N passed, N failed".
test: all
	tests/run.sh $(BUILD)

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
