#!/bin/sh
# bench/run.sh [BUILD [REPS]] — runs every workload natively (gcc -O2) and
# in the interpreter, best of REPS (default 3) each, in this one run, and
# prints per workload the native time, the interpreter time and their
# ratio, then the geometric mean of the ratios. A workload whose two
# checksums differ is reported and left out of the mean. Built and run by
# `make bench` (mk/bench.mk).
set -u
BUILD=${1:-build}
REPS=${2:-${BENCH_REPS:-3}}
dir="$BUILD/bench"
printf '%-12s %10s %10s %8s\n' workload native_s interp_s ratio
bad=0
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for wasm in "$dir"/wasm/*.wasm; do
    name=$(basename "$wasm" .wasm)
    nat=$("$dir/native/$name" "$REPS") || { echo "$name: native run failed"; bad=1; continue; }
    int=$("$dir/bench_wasm" "$wasm" "$REPS") || { echo "$name: interpreter run failed"; bad=1; continue; }
    set -- $nat; nt=$1; nsum=$2
    set -- $int; it=$1; isum=$2
    if [ "$nsum" != "$isum" ]; then
        echo "$name: checksums differ: native $nsum, interpreter $isum"
        bad=1; continue
    fi
    awk -v n="$name" -v a="$nt" -v b="$it" 'BEGIN { printf "%-12s %10.3f %10.3f %7.2fx\n", n, a, b, b / a }'
    echo "$nt $it" >>"$results"
done
awk '{ s += log($2 / $1); k++ } END { if (k) printf "geometric mean of %d ratios: %.2fx native\n", k, exp(s / k) }' "$results"
exit $bad
