# mk/deploy.mk — registry client (src/app/oci*.c) needs OpenSSL; the
# runtime image (deploy/Containerfile) and its rootfs; the deploy tests.
#
#   make STATIC=1 deploy-rootfs   build/deploy/rootfs: the image's contents
#
# STATIC=1 links OpenSSL statically and leaves LLVM out (LLVM=0 is implied):
# the result depends only on glibc and libcjson, which deploy-rootfs copies
# next to it (Debian ships no static libcjson, and a static glibc cannot
# resolve names without its NSS modules), so the image stays near-static.

ifeq ($(STATIC),1)
LLVM := 0
LDLIBS += -l:libssl.a -l:libcrypto.a -ldl
# Libraries Debian ships as archives are linked in too (mk/app.mk adds them
# earlier, as shared). libcurl has no usable archive: it stays shared.
LDLIBS := $(patsubst -lsqlite3,-l:libsqlite3.a,$(patsubst -lhiredis,-l:libhiredis.a,$(LDLIBS)))
# Without LLVM, llvm_jit.c's timing helper is unused (reported to its owner).
$(BUILD)/obj/src/wasm/llvm_jit.o: CFLAGS += -Wno-unused-function
else
LDLIBS += -lssl -lcrypto
endif

# The image's filesystem, from the near-static binary (STATIC=1).
.PHONY: deploy-rootfs
deploy-rootfs: $(BUILD)/anywhere
	@if [ "$(STATIC)" != 1 ]; then echo "deploy-rootfs: use make STATIC=1 BUILD=build/static deploy-rootfs"; exit 1; fi
	sh deploy/rootfs.sh $(BUILD)/anywhere $(BUILD)/rootfs
