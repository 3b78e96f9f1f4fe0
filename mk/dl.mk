# mk/dl.mk — libcurl, SQLite, hiredis, OpenSSL, cJSON and (for inference)
# libm: loaded on first use, or linked in (src/dl/dl.h, src/json/json.h
# and src/ai/libm.h say why).
#
#   make                 the default: the executable does not link them;
#                        the shims (src/host/dl_*.c, src/app/dl_openssl.c,
#                        src/json/json.c, src/ai/libm.c) have src/dl/dl.c
#                        dlopen() each by its soname the first time it is
#                        needed
#   make DL_DIRECT=1     links them (as before) and the same tables point at
#                        the linked functions; STATIC=1 (mk/deploy.mk) sets it
#
# mk/app.mk and mk/deploy.mk list the libraries in DL_LIBS (read here, after
# them). Only the loader and the shims differ between the two modes (the
# call sites are the same), so only they are rebuilt when DL_DIRECT changes.

DL_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,src/dl/dl.c $(wildcard src/host/dl_*.c) src/app/dl_openssl.c \
                                       src/json/json.c src/ai/libm.c)

# cJSON, used by every layer (src/json): shared even with STATIC=1, as
# Debian ships no archive of it.
DL_LIBS += -lcjson

# The soname each shim opens: the one of the library built against (read
# from the -dev package's lib*.so link), so that a Debian release with
# another libhiredis soname needs no edit. The shims have Debian 12's as
# defaults. Expanded only when a shim is compiled (a recursive variable).
dl_soname = $(shell objdump -p "$$($(CC) -print-file-name=lib$(1).so)" 2>/dev/null | awk '$$1 == "SONAME" { print $$2 }')

ifeq ($(DL_DIRECT),1)
LDLIBS += $(DL_LIBS)
$(DL_OBJS): CFLAGS_ALL += -DAW_DL_DIRECT
DL_MODE := direct
else
LDLIBS += -ldl
dl_define = $(if $(2),-DAW_DL_$(1)_SONAME='"$(2)"')
DL_SONAMES  = $(call dl_define,CURL,$(call dl_soname,curl)) $(call dl_define,SQLITE,$(call dl_soname,sqlite3)) \
              $(call dl_define,HIREDIS,$(call dl_soname,hiredis)) $(call dl_define,SSL,$(call dl_soname,ssl)) \
              $(call dl_define,CRYPTO,$(call dl_soname,crypto)) $(call dl_define,CJSON,$(call dl_soname,cjson))
$(DL_OBJS): CFLAGS_ALL += $(DL_SONAMES)
DL_MODE := dlopen
endif

# Rebuild the shims when the mode changes (the file changes only then).
DL_MODE_FILE := $(BUILD)/obj/dl-mode
$(shell mkdir -p $(BUILD)/obj && { [ "$$(cat $(DL_MODE_FILE) 2>/dev/null)" = "$(DL_MODE)" ] || echo $(DL_MODE) >$(DL_MODE_FILE); })
$(DL_OBJS): $(DL_MODE_FILE)
