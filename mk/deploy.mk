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
LDLIBS += -Wl,-Bstatic -lssl -lcrypto -Wl,-Bdynamic -ldl
else
LDLIBS += -lssl -lcrypto
endif
