#!/bin/sh
# bench/compile.sh [BUILD] — `make bench-compile`: times `anywhere compile`
# (ahead of time, every core) on bench/load.c's synthetic module, 16 MB of
# code in 17,000 functions, and loading the artifact it makes. Prints wall
# and CPU seconds; the goal is under 60 s of wall time on 2 cores (about
# 120 s of CPU when nothing else runs).
set -u
BUILD=${1:-build}
dir="$BUILD/bench"
"$dir/load" -o "$dir/big.wasm" || exit 1
now() { date +%s.%N; }
times >"$dir/compile.times0"
t0=$(now)
AW_LLVM_TIME=1 "$BUILD/anywhere" compile "$dir/big.wasm" -o "$dir/big.cwasm" || exit 1
t1=$(now)
# the children's user and system time so far (the compile's), from this
# shell itself: in a $(...) subshell `times` would report the subshell's
times >"$dir/compile.times"
secs() { tail -n 1 "$1" | awk '{ split($1, u, "m"); split($2, s, "m"); print u[1] * 60 + u[2] + s[1] * 60 + s[2] }'; }
cpu=$(awk -v a="$(secs "$dir/compile.times0")" -v b="$(secs "$dir/compile.times")" 'BEGIN { printf "%.1f", b - a }')
# loading the artifact (read, check, decode, link) and instantiating it;
# the export named does not exist, so nothing runs
t2=$(now)
"$BUILD/anywhere" run --invoke aw-no-such-export "$dir/big.cwasm" >/dev/null 2>&1
t3=$(now)
awk -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t3="$t3" -v c="$cpu" \
    -v sz="$(wc -c <"$dir/big.wasm")" -v asz="$(wc -c <"$dir/big.cwasm")" 'BEGIN { w = t1 - t0; l = t3 - t2
    printf "compile: %.1f MB module, 17000 functions: %.1f s wall, %.1f s CPU (goal: < 60 s wall on 2 cores)\n", sz / 1e6, w, c
    printf "artifact: %.1f MB; loading and instantiating it: %.2f s\n", asz / 1e6, l }'
