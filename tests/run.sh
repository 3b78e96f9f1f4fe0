#!/bin/sh
# tests/run.sh BUILD_DIR — runs every test suite (tests/suites/*.sh) and sums
# their results. Each suite prints "N passed, N failed" as its last line.
# The last line of this script is the total in the same form.
set -u
BUILD=${1:-build}
export BUILD
total_pass=0; total_fail=0; broken=""; failing=""
fails=$(mktemp)
for suite in tests/suites/*.sh; do
    [ -e "$suite" ] || continue
    name=$(basename "$suite" .sh)
    echo "== $name"
    out=$(mktemp)
    sh "$suite" "$BUILD" 2>&1 | tee "$out"
    last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
    grep -E '^(FAIL|!!)' "$out" | sed "s/^/$name: /" >>"$fails"
    rm -f "$out"
    if [ -z "$last" ]; then
        echo "!! suite $name did not report a result"
        broken="$broken $name"; total_fail=$((total_fail + 1)); continue
    fi
    p=$(echo "$last" | sed -E 's/^([0-9]+) passed.*/\1/')
    f=$(echo "$last" | sed -E 's/.* ([0-9]+) failed.*/\1/')
    total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
    [ "$f" -gt 0 ] && failing="$failing $name($f)"
done
# Repeated at the end so that the tail of a long log names what failed.
if [ -s "$fails" ]; then echo "failures (first 40):"; head -n 40 "$fails"; fi
rm -f "$fails"
[ -n "$failing" ] && echo "suites with failures:$failing"
[ -n "$broken" ] && echo "suites without a result:$broken"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
