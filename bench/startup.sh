#!/bin/sh
# bench/startup.sh [BUILD] — startup: process start to exit of
# `anywhere run hello.wasm` (tests/wasi/hello.c, built with wasi-libc)
# against the same hello built natively (gcc -O2), run side by side by
# hyperfine from this one shell (-N: no shell in between). The bar is
# native + 0.5 ms.
#
# Also measured, where it links: "lean", the same `anywhere run` code
# (src/cli/cmd_run.c + src/wasm + src/wasi) linked statically on its own,
# without the libraries the rest of the binary loads at every start
# (LLVM, OpenSSL, ...): what the run path itself costs.
set -u
BUILD=${1:-build}
RUNS=${STARTUP_RUNS:-500}
dir="$BUILD/bench/startup"
mkdir -p "$dir"
command -v hyperfine >/dev/null || { echo "startup.sh: hyperfine is needed"; exit 1; }
clang --target=wasm32-wasi --sysroot=/usr -O2 -o "$dir/hello.wasm" tests/wasi/hello.c || exit 1
gcc -O2 -o "$dir/hello" tests/wasi/hello.c || exit 1

set -- "$dir/hello" "$BUILD/anywhere run $dir/hello.wasm"
rm -f "$dir/lean.log"
printf 'int cmd_run(int argc, char **argv);\nint main(int argc, char **argv) { return cmd_run(argc - 1, argv + 1); }\n' \
    >"$dir/lean_main.c"
# The compiled tier's files again without LLVM (as `make LLVM=0` builds them).
lean_objs=""
for f in src/wasm/*.c src/wasi/*.c; do
    o="$BUILD/obj/${f%.c}.o"
    case "$f" in src/wasm/llvm_*)
        o="$dir/$(basename "$f" .c).o"
        cc -std=c17 -D_GNU_SOURCE -O2 -Iinclude -Isrc -c "$f" -o "$o" >>"$dir/lean.log" 2>&1 ;;
    esac
    lean_objs="$lean_objs $o"
done
# shellcheck disable=SC2086
if cc -O2 -static -o "$dir/anywhere-lean" "$dir/lean_main.c" "$BUILD/obj/src/cli/cmd_run.o" $lean_objs \
        -lm -lpthread >>"$dir/lean.log" 2>&1; then
    set -- "$@" "$dir/anywhere-lean run $dir/hello.wasm"
else
    echo "(lean: the engine's objects do not link on their own here; see $dir/lean.log)"
fi

hyperfine -N --warmup 30 --runs "$RUNS" --export-json "$dir/startup.json" "$@" >"$dir/hyperfine.log" 2>&1 ||
    { cat "$dir/hyperfine.log"; exit 1; }
echo "startup, $RUNS runs each (hyperfine -N), milliseconds:"
jq -r '.results as $r | ($r[0].median * 1000) as $native |
    $r[] | [.command, (.median * 1000), (.mean * 1000), (.min * 1000), ((.median * 1000) - $native)] |
    @tsv' "$dir/startup.json" |
    awk -F '\t' 'BEGIN { printf "%-48s %8s %8s %8s %12s\n", "command", "median", "mean", "min", "median-native" }
        { verdict = ""
          if (NR > 1) verdict = $5 <= 0.5 ? "  (within native + 0.5 ms)" : "  (over native + 0.5 ms)"
          printf "%-48s %8.2f %8.2f %8.2f %+12.2f%s\n", substr($1, 1, 48), $2, $3, $4, $5, verdict }'
