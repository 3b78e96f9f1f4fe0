#!/bin/sh
# deploy/rootfs.sh BINARY OUT [PLUGIN] — the runtime image's whole
# filesystem: the `anywhere` binary, the shared libraries it still needs
# (glibc, libcjson; the rest is linked in by `make STATIC=1`) at the paths
# the dynamic loader expects, CA certificates, a non-root user, and /tmp.
# PLUGIN, the compiled tier (make STATIC=1 DEPLOY_LLVM=1), goes to
# /usr/lib/anywhere/, where the tier loader looks (BINARY/../lib/anywhere).
# No shell, no package manager. deploy/Containerfile copies OUT as is.
set -eu
BIN=$1 OUT=$2 PLUGIN=${3:-}
rm -rf "$OUT"
mkdir -p "$OUT/usr/bin" "$OUT/etc/ssl/certs" "$OUT/tmp" "$OUT/app" "$OUT/home/anywhere"
cp "$BIN" "$OUT/usr/bin/anywhere"
strip --strip-all "$OUT/usr/bin/anywhere" 2>/dev/null || true
if [ -n "$PLUGIN" ]; then
    mkdir -p "$OUT/usr/lib/anywhere"
    cp "$PLUGIN" "$OUT/usr/lib/anywhere/libanywhere-llvm.so"
    strip --strip-unneeded "$OUT/usr/lib/anywhere/libanywhere-llvm.so"
fi
# Every library ldd names (and the loader), copied under the path it is found at.
ldd "$BIN" ${PLUGIN:+"$PLUGIN"} | awk '/=> \// { print $3 } $1 ~ /^\// && $1 !~ /:$/ { print $1 }' | sort -u | while read -r lib; do
    mkdir -p "$OUT$(dirname "$lib")"
    cp -L "$lib" "$OUT$lib"
    strip --strip-unneeded "$OUT$lib" 2>/dev/null || true
done
if ldd "$BIN" ${PLUGIN:+"$PLUGIN"} | grep -q 'libLLVM'; then
    echo "rootfs.sh: $BIN $PLUGIN links the shared libLLVM; build with make STATIC=1 [DEPLOY_LLVM=1]" >&2; exit 1
fi
cp /etc/ssl/certs/ca-certificates.crt "$OUT/etc/ssl/certs/"
printf 'root:x:0:0:root:/root:/nonexistent\nanywhere:x:65532:65532:anywhere:/home/anywhere:/nonexistent\n' > "$OUT/etc/passwd"
printf 'root:x:0:\nanywhere:x:65532:\n' > "$OUT/etc/group"
chmod 1777 "$OUT/tmp"
chown 65532:65532 "$OUT/home/anywhere" 2>/dev/null || true
echo "rootfs.sh: $(du -sh "$OUT" | cut -f1) in $OUT"
