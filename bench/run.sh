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
#
# In the default mode the LLVM-compiled tier runs too (AW_TIER=compiled,
# when the build has it), and is also compared with the natives that match
# how the .wasm was made (mk/bench.mk builds them where it can):
#   clang   clang -O2 with glibc: the compiler of the .wasm
#   musl    clang -O2, linked statically with musl: the libc family of
#           wasi-libc, which the libc-bound workloads (BENCH_LIBC_BOUND,
#           default "sort": qsort, memcpy) spend their time in
# and the "ref" ratio takes clang for each workload, musl for the
# libc-bound ones. BENCH_BASELINE_PLUGIN=path/libanywhere-llvm.so adds a
# column: the compiled tier of another build (say, before a change), in
# this same run.
set -u
BUILD=${1:-build}
REPS=${2:-${BENCH_REPS:-3}}
MODE=${BENCH_MODE:-interp}
LIBC_BOUND=" ${BENCH_LIBC_BOUND:-sort} "
BASE=${BENCH_BASELINE_PLUGIN:-}
dir="$BUILD/bench"
wdir="$dir/wasm"
[ "$MODE" = wasi ] && wdir="$dir/wasi"
comp=0
[ "$MODE" = interp ] && AW_TIER=compiled "$dir/bench_wasm" /dev/null 1 2>&1 | grep -qv "not built\|not found" && comp=1
if [ $comp = 1 ]; then
    printf '%-11s %8s %8s %8s %8s %8s' workload gcc_s clang_s musl_s interp_s comp_s
    [ -n "$BASE" ] && printf ' %8s' base_s
    printf ' %7s %7s %7s %7s\n' interp comp c/clang c/ref
else
    printf '%-12s %10s %10s %8s\n' workload native_s "${MODE}_s" ratio
fi
bad=0
results=$(mktemp)
trap 'rm -f "$results"' EXIT
# time of a native build, "-" when it was not built
native() {
    if [ -x "$1" ]; then "$1" "$REPS" | cut -d' ' -f1; else echo -; fi
}
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
        bt=-
        if [ -n "$BASE" ]; then
            bt=$(ANYWHERE_LLVM_PLUGIN="$BASE" AW_TIER=compiled "$dir/bench_wasm" "$wasm" "$REPS" | cut -d' ' -f1)
        fi
        cl=$(native "$dir/native-clang/$name")
        mu=$(native "$dir/native-musl/$name")
        ref=$cl
        case "$LIBC_BOUND" in *" $name "*) [ "$mu" != - ] && ref=$mu ;; esac
        awk -v n="$name" -v a="$nt" -v cl="$cl" -v mu="$mu" -v b="$it" -v c="$ct" -v bt="$bt" -v ref="$ref" \
            -v base="$BASE" 'function r(x, y) { return y == "-" ? "-" : sprintf("%.2fx", x / y) }
            function t(x) { return x == "-" ? "-" : sprintf("%.3f", x) }
            BEGIN { printf "%-11s %8.3f %8s %8s %8.3f %8.3f", n, a, t(cl), t(mu), b, c
                    if (base != "") printf " %8s", t(bt)
                    printf " %7s %7s %7s %7s\n", r(b, a), r(c, a), r(c, cl), r(c, ref) }'
        echo "$nt $it $ct $cl $ref $bt" >>"$results"
        continue
    fi
    awk -v n="$name" -v a="$nt" -v b="$it" 'BEGIN { printf "%-12s %10.3f %10.3f %7.2fx\n", n, a, b, b / a }'
    echo "$nt $it" >>"$results"
done
awk '{ s += log($2 / $1); k++
       if (NF > 2) c += log($3 / $1)
       if (NF > 3 && $4 != "-") { cc += log($3 / $4); kc++ }
       if (NF > 4 && $5 != "-") { cr += log($3 / $5); kr++ }
       if (NF > 5 && $6 != "-") { cb += log($6 / $1); kb++; if ($4 != "-") { cbc += log($6 / $4); kbc++ } } }
     END { if (k) printf "geometric mean of %d ratios: %.2fx native\n", k, exp(s / k)
           if (k && NF > 2) printf "compiled tier: geometric mean %.2fx native (gcc -O2)\n", exp(c / k)
           if (kc) printf "compiled tier: geometric mean %.2fx clang -O2 native (%d workloads)\n", exp(cc / kc), kc
           if (kr) printf "compiled tier: geometric mean %.2fx reference native (clang -O2; musl for the libc-bound)\n", exp(cr / kr)
           if (kb) printf "baseline compiled tier: geometric mean %.2fx native (gcc -O2)\n", exp(cb / kb)
           if (kbc) printf "baseline compiled tier: geometric mean %.2fx clang -O2 native\n", exp(cbc / kbc) }' "$results"
exit $bad
