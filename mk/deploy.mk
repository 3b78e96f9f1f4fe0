# mk/deploy.mk — registry client (src/app/oci*.c) needs OpenSSL; the
# runtime image (deploy/Containerfile) and its rootfs; the deploy tests.
#
#   make STATIC=1 BUILD=build/static deploy-rootfs   build/static/rootfs: the image's contents
#
# STATIC=1 leaves LLVM out (LLVM=0 is implied) and links in the libraries
# Debian ships as archives (SQLite, hiredis). What stays shared -- glibc (a
# static glibc cannot resolve names without its NSS modules), libcjson (no
# archive in Debian), and libcurl with its dependency chain (no usable
# archive; src/host's outbound HTTP needs it) -- deploy-rootfs copies beside
# the binary. OpenSSL stays shared too, because libcurl loads libssl anyway:
# a second, static copy would only add size.

ifeq ($(STATIC),1)
LLVM := 0
# The image links its libraries instead of loading them on first use
# (mk/dl.mk): the rootfs then carries exactly what ldd lists.
DL_DIRECT := 1
# Libraries Debian ships as archives are linked in too (mk/app.mk adds them
# earlier, as shared). libcurl has no usable archive: it stays shared.
DL_LIBS := $(patsubst -lsqlite3,-l:libsqlite3.a,$(patsubst -lhiredis,-l:libhiredis.a,$(DL_LIBS)))
# Without LLVM, llvm_jit.c's timing helper is unused (reported to its owner).
$(BUILD)/obj/src/wasm/llvm_jit.o: CFLAGS += -Wno-unused-function
endif
DL_LIBS += -lssl -lcrypto

# The image's filesystem, from the near-static binary (STATIC=1).
.PHONY: deploy-rootfs
deploy-rootfs: $(BUILD)/anywhere
	@if [ "$(STATIC)" != 1 ]; then echo "deploy-rootfs: use make STATIC=1 BUILD=build/static deploy-rootfs"; exit 1; fi
	sh deploy/rootfs.sh $(BUILD)/anywhere $(BUILD)/rootfs
