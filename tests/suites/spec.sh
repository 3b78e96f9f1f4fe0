#!/bin/sh
# tests/suites/spec.sh [BUILD [NAME...]] — the WebAssembly core spec tests.
#
# Converts each ../shared/testsuite/core/NAME.wast (beside the repository;
# or $SPEC_DIR) with wast2json into $BUILD/spec/ (or $SPEC_OUT; kept as a cache, converted
# again when missing or older than the .wast), runs `anywhere spectest` on
# it, and prints "NAME: P passed, F failed" per file, then the totals; the
# last line is "N passed, N failed". Each file's full output is kept in
# $BUILD/spec/NAME.log; SPEC_VERBOSE=1 prints the failure lines too.
# NAMEs (shell patterns, e.g. 'simd_*') restrict the run to those files.
# A run that crashes or times out counts every assertion of its file failed.
set -u
BUILD=${1:-${BUILD:-build}}
[ $# -gt 0 ] && shift
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${SPEC_DIR:-}" ]; then
    SPEC_DIR="$(dirname "$root")/shared/testsuite/core"
fi
anywhere="$BUILD/anywhere"
out="${SPEC_OUT:-$BUILD/spec}"

if ! ls "$SPEC_DIR"/*.wast >/dev/null 2>&1; then
    echo "spec: no .wast files in $SPEC_DIR (check out the shared test data beside the repository, or set SPEC_DIR)"
    echo "0 passed, 1 failed"; exit 1
fi
if ! command -v wast2json >/dev/null 2>&1; then
    echo "spec: wast2json not found (Debian package wabt)"
    echo "0 passed, 1 failed"; exit 1
fi
if [ ! -x "$anywhere" ]; then
    echo "spec: $anywhere not built"
    echo "0 passed, 1 failed"; exit 1
fi
mkdir -p "$out"

selected() {
    [ $# -eq 1 ] && return 0
    n=$1; shift
    for pat in "$@"; do
        case "$n" in $pat) return 0 ;; esac
    done
    return 1
}

total_pass=0; total_fail=0; total_skip=0; files=0; bad_files=0
for wast in "$SPEC_DIR"/*.wast; do
    name=$(basename "$wast" .wast)
    selected "$name" "$@" || continue
    files=$((files + 1))
    json="$out/$name.json"
    log="$out/$name.log"
    if [ ! -s "$json" ] || [ "$wast" -nt "$json" ]; then
        if ! wast2json "$wast" -o "$json" >"$log" 2>&1; then
            echo "$name: wast2json failed: $(head -n 1 "$log")"
            rm -f "$json"
            total_fail=$((total_fail + 1)); bad_files=$((bad_files + 1)); continue
        fi
    fi
    asserts=$(grep -o '"type": "assert_' "$json" | wc -l)
    # Every function translated at load (src/wasm/bodies.c): the spec's
    # modules reach the translator whole, not only the functions called.
    AW_TRANSLATE=${AW_TRANSLATE:-eager} timeout "${SPEC_TIMEOUT:-300}" "$anywhere" spectest "$json" >"$log" 2>&1
    rc=$?
    last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -z "$last" ] || [ "$rc" -gt 1 ]; then
        why="exit status $rc"
        [ "$rc" -eq 124 ] && why="timed out after ${SPEC_TIMEOUT:-300} s"
        [ "$rc" -gt 128 ] && why="killed by signal $((rc - 128))"
        echo "$name: CRASHED ($why; last output: $(tail -n 1 "$log" | cut -c1-160)); 0 passed, $asserts failed"
        total_fail=$((total_fail + asserts)); bad_files=$((bad_files + 1)); continue
    fi
    p=$(echo "$last" | sed -E 's/^([0-9]+) passed.*/\1/')
    f=$(echo "$last" | sed -E 's/.* ([0-9]+) failed.*/\1/')
    s=$(grep -E '^[0-9]+ skipped' "$log" | tail -n 1 | sed -E 's/^([0-9]+).*/\1/')
    s=${s:-0}
    [ "${SPEC_VERBOSE:-0}" != 0 ] && grep -v -E '^[0-9]+ (passed|skipped)' "$log" | sed 's/^/    /'
    echo "$name: $p passed, $f failed"
    [ "$f" -ne 0 ] && bad_files=$((bad_files + 1))
    total_pass=$((total_pass + p)); total_fail=$((total_fail + f)); total_skip=$((total_skip + s))
done
echo "spec: $files files, $bad_files with failures; $total_skip text-format assertions skipped"
echo "$total_pass passed, $total_fail failed"
