#!/bin/sh
# tests/suites/unit.sh [BUILD] — builds and runs the unit tests
# (tests/wasm/test_*.c, rules in mk/tests.mk) and sums their results.
# Each test program prints "N passed, N failed" last. A test that does not
# build, crashes or exits non-zero without counting a failure counts as one
# failure. The last line is the total in the same form.
set -u
BUILD=${1:-${BUILD:-build}}
# Under `make test` the flags of the calling make (SAN=1, CC=...) reach the
# sub-make through MAKEFLAGS; run by hand, a build/san directory means SAN=1.
san=""
case "$BUILD" in */san) san="SAN=1" ;; esac
log=$(mktemp)
trap 'rm -f "$log"' EXIT
total_pass=0; total_fail=0
for src in tests/wasm/test_*.c; do
    [ -e "$src" ] || continue
    name=$(basename "$src" .c)
    bin="$BUILD/tests/wasm/$name"
    if ! make -s $san BUILD="$BUILD" "$bin" >"$log" 2>&1; then
        echo "$name: does not build"
        tail -n 20 "$log" | sed 's/^/    /'
        total_fail=$((total_fail + 1)); continue
    fi
    timeout "${UNIT_TIMEOUT:-300}" "$bin" >"$log" 2>&1
    rc=$?
    last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -z "$last" ]; then
        echo "$name: no result (exit status $rc)"
        tail -n 20 "$log" | sed 's/^/    /'
        total_fail=$((total_fail + 1)); continue
    fi
    p=$(echo "$last" | sed -E 's/^([0-9]+) passed.*/\1/')
    f=$(echo "$last" | sed -E 's/.* ([0-9]+) failed.*/\1/')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "$name: exit status $rc"
        tail -n 20 "$log" | sed 's/^/    /'
        f=1
    elif [ "$f" -ne 0 ]; then
        grep -v -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 40 | sed 's/^/    /'
    fi
    echo "$name: $p passed, $f failed"
    total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
done
echo "$total_pass passed, $total_fail failed"
