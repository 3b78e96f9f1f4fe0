#!/bin/sh
# bench/run.sh [BUILD [REPS]] — runs every workload natively (gcc -O2, or
# BENCH_NATIVE_CC at build time) and
# in the interpreter, best of REPS (default 3) each, in this one run, and
# prints per workload the native time, the interpreter time and their
# ratio, then the geometric mean of the ratios. A workload whose two
# checksums differ is reported and left out of the mean. Built and run by
# `make bench` (mk/bench.mk). With BENCH_MODE=wasi (`make bench-wasi`,
# mk/wasi.mk) each workload is a WASI command instead (the workload with
# native_main.c, built with wasi-libc), run by `anywhere run`.
set -u
BUILD=${1:-build}
REPS=${2:-${BENCH_REPS:-3}}
MODE=${BENCH_MODE:-interp}
dir="$BUILD/bench"
wdir="$dir/wasm"
[ "$MODE" = wasi ] && wdir="$dir/wasi"
# In the default mode the LLVM-compiled tier runs too (AW_TIER=compiled,
# when the build has it): columns native, interp, compiled and both ratios.
comp=0
[ "$MODE" = interp ] && AW_TIER=compiled "$dir/bench_wasm" /dev/null 1 2>&1 | grep -qv "not built\|not found" && comp=1
if [ $comp = 1 ]; then
    printf '%-12s %10s %10s %10s %8s %8s\n' workload native_s interp_s compiled_s interp compiled
else
    printf '%-12s %10s %10s %8s\n' workload native_s "${MODE}_s" ratio
fi
bad=0
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for wasm in "$wdir"/*.wasm; do
    name=$(basename "$wasm" .wasm)
    nat=$("$dir/native/$name" "$REPS") || { echo "$name: native run failed"; bad=1; continue; }
    if [ "$MODE" = wasi ]; then
        int=$("$BUILD/anywhere" run "$wasm" "$REPS") || { echo "$name: anywhere run failed"; bad=1; continue; }
    else
        int=$("$dir/bench_wasm" "$wasm" "$REPS") || { echo "$name: interpreter run failed"; bad=1; continue; }
    fi
    set -- $nat; nt=$1; nsum=$2
    set -- $int; it=$1; isum=$2
    if [ "$nsum" != "$isum" ]; then
        echo "$name: checksums differ: native $nsum, interpreter $isum"
        bad=1; continue
    fi
    if [ $comp = 1 ]; then
        cmp=$(AW_TIER=compiled "$dir/bench_wasm" "$wasm" "$REPS") || { echo "$name: compiled run failed"; bad=1; continue; }
        set -- $cmp; ct=$1; csum=$2
        if [ "$nsum" != "$csum" ]; then
            echo "$name: checksums differ: native $nsum, compiled $csum"
            bad=1; continue
        fi
        awk -v n="$name" -v a="$nt" -v b="$it" -v c="$ct" \
            'BEGIN { printf "%-12s %10.3f %10.3f %10.3f %7.2fx %7.2fx\n", n, a, b, c, b / a, c / a }'
        echo "$nt $it $ct" >>"$results"
        continue
    fi
    awk -v n="$name" -v a="$nt" -v b="$it" 'BEGIN { printf "%-12s %10.3f %10.3f %7.2fx\n", n, a, b, b / a }'
    echo "$nt $it" >>"$results"
done
awk '{ s += log($2 / $1); if (NF > 2) c += log($3 / $1); k++ }
     END { if (k) printf "geometric mean of %d ratios: %.2fx native\n", k, exp(s / k)
           if (k && NF > 2) printf "compiled tier: geometric mean %.2fx native\n", exp(c / k) }' "$results"
exit $bad
