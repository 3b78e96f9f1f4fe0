#!/bin/sh
# tests/suites/spec_compiled.sh [BUILD [NAME...]] — the WebAssembly core spec
# tests in the LLVM-compiled tier: tests/suites/spec.sh run with
# `anywhere spectest --tier compiled` (through a small wrapper), logs in
# $BUILD/spec_compiled/. Last line "N passed, N failed". Without LLVM in
# the build it reports one failure saying so.
set -u
BUILD=${1:-${BUILD:-build}}
[ $# -gt 0 ] && shift
root=$(cd "$(dirname "$0")/../.." && pwd)
case "$BUILD" in /*) abs="$BUILD" ;; *) abs="$(pwd)/$BUILD" ;; esac
if [ ! -x "$abs/anywhere" ]; then
    echo "spec_compiled: $abs/anywhere not built"
    echo "0 passed, 1 failed"; exit 1
fi
wrap="$abs/spec_compiled"
mkdir -p "$wrap"
cat >"$wrap/anywhere" <<EOS
#!/bin/sh
exec "$abs/anywhere" "\$@" --tier compiled
EOS
chmod +x "$wrap/anywhere"
if ! "$wrap/anywhere" spectest /dev/null 2>&1 | grep -qv "not built into this binary"; then
    echo "spec_compiled: the compiled tier is not built into $abs/anywhere (not built with LLVM)"
    echo "0 passed, 1 failed"; exit 1
fi
# The JSON conversions are shared with spec.sh's cache when it is there.
[ -d "$abs/spec" ] && for j in "$abs"/spec/*.json "$abs"/spec/*.wasm; do
    [ -e "$j" ] && [ ! -e "$abs/spec_compiled/$(basename "$j")" ] && ln -s "$j" "$abs/spec_compiled/" 2>/dev/null
done
SPEC_OUT="$wrap" exec sh "$root/tests/suites/spec.sh" "$wrap" "$@"
