# mk/deploy.mk — registry client (src/app/oci*.c) needs OpenSSL; the
# runtime image (deploy/Containerfile) and its rootfs; the deploy tests.
#
#   make STATIC=1 BUILD=build/static deploy-rootfs   build/static/rootfs: the image's contents
#
# STATIC=1 builds the image's binary: LLVM left out (LLVM=0 is implied), and
# every library Debian ships as an archive linked in -- SQLite, hiredis,
# libcurl with its chain (nghttp2, libssh2, libpsl, libidn2, libunistring,
# zstd, brotli, zlib) and OpenSSL -- so that only glibc (a static glibc
# cannot resolve names without its NSS modules) and libcjson (no archive in
# Debian) stay shared; deploy-rootfs copies those beside the binary.
# libcurl.a also refers to LDAP, RTMP and GSS-API, which are never reached
# (src/host allows only http and https): deploy/curl_unreached.c stands in
# for them instead of a static GnuTLS, SASL and Kerberos. Unused sections
# are dropped (--gc-sections) and relative relocations packed (DT_RELR).
#
#   make STATIC=1 DEPLOY_LLVM=1 BUILD=build/static-llvm deploy-rootfs
#
# adds the compiled tier: the plugin libanywhere-llvm.so with LLVM 19's
# static libraries linked in (only what the tier reaches, their symbols
# hidden), libstdc++ and zlib/zstd too, at /usr/lib/anywhere/ where the
# tier loader looks. Debian's shared libLLVM would bring Z3, ICU and libxml2.

ifeq ($(STATIC),1)
ifneq ($(DEPLOY_LLVM),1)
LLVM := 0
# Without LLVM, llvm_jit.c's timing helper is unused (reported to its owner).
$(BUILD)/obj/src/wasm/llvm_jit.o: CFLAGS += -Wno-unused-function
else
DEPLOY_PLUGIN := $(BUILD)/libanywhere-llvm.so
# override: mk/llvm.mk, read after this file, sets LLVM_LIBS to the shared libLLVM.
override LLVM_LIBS := -L$(shell llvm-config-19 --libdir) \
    $(shell llvm-config-19 --link-static --libs core orcjit native passes) \
    -l:libz.a -l:libzstd.a -l:libstdc++.a -lm -static-libgcc -Wl,--exclude-libs,ALL
endif
# Link libcurl, SQLite, hiredis and OpenSSL directly, never through dlopen():
# the image has no shared copies to open. mk/dl.mk, read after this file,
# links DL_LIBS when DL_DIRECT is 1.
DL_DIRECT := 1
DEPLOY_UNREACHED := $(BUILD)/obj/deploy/curl_unreached.o
DEPLOY_CURL_LIBS := -l:libcurl.a -l:libnghttp2.a -l:libssh2.a -l:libpsl.a -l:libidn2.a \
                    -l:libunistring.a -l:libzstd.a -l:libbrotlidec.a -l:libbrotlicommon.a \
                    -l:libz.a $(DEPLOY_UNREACHED)
# mk/app.mk adds -lcurl -lsqlite3 -lhiredis to DL_LIBS earlier, as shared libraries.
DL_LIBS := $(patsubst -lcurl,$(DEPLOY_CURL_LIBS),$(patsubst -lsqlite3,-l:libsqlite3.a,$(patsubst -lhiredis,-l:libhiredis.a,$(DL_LIBS))))
DL_LIBS += -l:libssl.a -l:libcrypto.a
CFLAGS  += -ffunction-sections -fdata-sections
LDFLAGS += -Wl,--gc-sections -Wl,-z,pack-relative-relocs -Wl,--as-needed
$(BUILD)/anywhere: $(DEPLOY_UNREACHED)
# Every other program linked with $(LDLIBS) links the library too.
$(BUILD)/libanywhere.a: | $(DEPLOY_UNREACHED)
# Objects built before these flags changed would keep every section.
$(LIB_OBJS) $(CLI_OBJS) $(DEPLOY_UNREACHED): mk/deploy.mk
else
DL_LIBS += -lssl -lcrypto
endif

# The image's filesystem, from the near-static binary (STATIC=1).
.PHONY: deploy-rootfs
ifeq ($(STATIC),1)
deploy-rootfs: $(BUILD)/anywhere $(DEPLOY_PLUGIN)
	sh deploy/rootfs.sh $(BUILD)/anywhere $(BUILD)/rootfs $(DEPLOY_PLUGIN)
else
deploy-rootfs:
	@echo "deploy-rootfs: use make STATIC=1 BUILD=build/static deploy-rootfs"; exit 1
endif
