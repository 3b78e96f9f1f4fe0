#!/bin/sh
# bench/startup.sh [BUILD] — startup: process start to exit of
# `anywhere run hello.wasm` (tests/wasi/hello.c, built with wasi-libc)
# against the same hello built natively (gcc -O2), run side by side by
# hyperfine from this one shell (-N: no shell in between). The bar is
# native + 0.5 ms.
#
# STARTUP_BASELINE=PATH adds `PATH run hello.wasm` to the same hyperfine
# run: another build of anywhere to compare with, e.g. one made with
# `make DL_DIRECT=1 BUILD=build/direct` (mk/dl.mk), which links libcurl,
# SQLite, hiredis and OpenSSL instead of loading them on first use.
# STARTUP_PEER="CMD" adds `CMD hello.wasm`: another runtime to measure in
# the same run, e.g. STARTUP_PEER=/path/to/wasm3 or "wasmtime run" (none
# is installed or built by this script).
# STARTUP_RUNS: runs per command (default 500).
set -u
BUILD=${1:-build}
RUNS=${STARTUP_RUNS:-500}
dir="$BUILD/bench/startup"
mkdir -p "$dir"
command -v hyperfine >/dev/null || { echo "startup.sh: hyperfine is needed (apt-get install hyperfine)"; exit 1; }
# As built by default: wasi-libc's debug information included (37 of the
# module's 41 KB); and without it, as a release build would ship.
clang --target=wasm32-wasi --sysroot=/usr -O2 -o "$dir/hello.wasm" tests/wasi/hello.c || exit 1
clang --target=wasm32-wasi --sysroot=/usr -O2 -Wl,--strip-debug -o "$dir/hello-stripped.wasm" tests/wasi/hello.c || exit 1
gcc -O2 -o "$dir/hello" tests/wasi/hello.c || exit 1

set -- "$dir/hello" "$BUILD/anywhere run $dir/hello.wasm" "$BUILD/anywhere run $dir/hello-stripped.wasm"
[ -n "${STARTUP_BASELINE:-}" ] && set -- "$@" "$STARTUP_BASELINE run $dir/hello.wasm"
[ -n "${STARTUP_PEER:-}" ] && set -- "$@" "$STARTUP_PEER $dir/hello.wasm"

hyperfine -N --warmup 30 --runs "$RUNS" --export-json "$dir/startup.json" "$@" >"$dir/hyperfine.log" 2>&1 ||
    { cat "$dir/hyperfine.log"; exit 1; }
echo "startup, $RUNS runs each (hyperfine -N), milliseconds:"
jq -r '.results as $r | ($r[0].median * 1000) as $native |
    $r[] | [.command, (.median * 1000), (.mean * 1000), (.min * 1000), ((.median * 1000) - $native)] |
    @tsv' "$dir/startup.json" |
    awk -F '\t' 'BEGIN { printf "%-48s %8s %8s %8s %12s\n", "command", "median", "mean", "min", "median-native" }
        { verdict = ""
          if (NR > 1) verdict = $5 <= 0.5 ? "  (within native + 0.5 ms)" : "  (over native + 0.5 ms)"
          printf "%-48s %8.2f %8.2f %8.2f %+12.2f%s\n", (length($1) > 48 ? "..." substr($1, length($1) - 44) : $1), $2, $3, $4, $5, verdict }'
