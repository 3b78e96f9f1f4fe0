#!/bin/sh
# fuzz/run.sh [FUZZER [SECONDS]] — runs a libFuzzer target for a while
# (default build/fuzz/fuzz_wasm, 60 s), seeded with the spec tests' .wasm
# files: those converted by tests/suites/spec.sh into build/spec/, or,
# when there are none, converted here from ../shared/testsuite/core (or
# $SPEC_DIR). Crashing inputs are written to build/fuzz/crash-*; the exit
# status is non-zero if one was found.
set -u
FUZZER=${1:-build/fuzz/fuzz_wasm}
SECONDS_=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/build/fuzz"
seeds="$work/seeds"
corpus="$work/corpus"
mkdir -p "$seeds" "$corpus"

if ! ls "$seeds"/*.wasm >/dev/null 2>&1; then
    if ls "$root"/build/spec/*.wasm >/dev/null 2>&1; then
        cp "$root"/build/spec/*.wasm "$seeds"/
    else
        spec=${SPEC_DIR:-$(dirname "$root")/shared/testsuite/core}
        for wast in "$spec"/*.wast; do
            [ -e "$wast" ] || continue
            wast2json "$wast" -o "$seeds/$(basename "$wast" .wast).json" >/dev/null 2>&1
        done
        rm -f "$seeds"/*.json "$seeds"/*.wat
    fi
fi
echo "fuzz: $(ls "$seeds" | wc -l) seed files, $SECONDS_ s"
# libFuzzer's own log (progress lines, a recommended dictionary) runs to
# thousands of lines: it goes to a file, and only its end and any report
# are printed, so that a CI log's tail still shows what failed before it.
log="$work/$(basename "$FUZZER").log"
"$FUZZER" -max_total_time="$SECONDS_" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/" "$corpus" "$seeds" >"$log" 2>&1
rc=$?
grep -E 'ERROR|SUMMARY|==[0-9]+==|deadly signal|Test unit written' "$log" | head -40
grep -v -E '^"|Uses:|dictionary' "$log" | tail -n 8
echo "fuzz: $(basename "$FUZZER") exit $rc (full log: $log)"
exit $rc
