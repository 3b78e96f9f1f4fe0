#!/bin/sh
# tests/suites/aot.sh [BUILD] — ahead-of-time compilation (`anywhere
# compile`, .cwasm artifacts) and the compiled tier's artifact cache:
#   - a WASI hello and the bench workloads compiled to .cwasm give the
#     interpreter's output (the workloads' checksums through --invoke run),
#     also compiled in many parts and at the quick level of huge modules;
#   - damaged copies of an artifact are refused, each with its own message
#     (module hash, CPU features, format version, engine version, truncated,
#     corrupt code), never a crash;
#   - `run --tier compiled` stores an artifact in $ANYWHERE_CACHE_DIR; the
#     second run is a hit that never loads the LLVM plugin (AW_DEBUG_TIER=1
#     reports each dlopen of it); corrupt entries are compiled again;
#     --no-cache; ANYWHERE_CACHE_MAX_MB evicts the oldest entries.
# Logs in $BUILD/aot-test/. Last line: "N passed, N failed".
set -u
BUILD=${1:-${BUILD:-build}}
aw="$(pwd)/$BUILD/anywhere"
case "$BUILD" in /*) aw="$BUILD/anywhere" ;; esac
dir="$(pwd)/$BUILD/aot-test"
rm -rf "$dir"; mkdir -p "$dir"
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

if [ "$(uname -m)" != x86_64 ]; then
    # Only the refusal is to be tested here: compiling must say x86-64 only.
    printf '\0asm\1\0\0\0' >"$dir/empty.wasm"
    if "$aw" compile "$dir/empty.wasm" -o "$dir/e.cwasm" 2>&1 | grep -q "x86-64"; then ok; else bad "non-x86-64: no clear refusal"; fi
    echo "$pass passed, $fail failed"; [ $fail -eq 0 ]; exit
fi

# check NAME WANT_STATUS WANT_TEXT COMMAND...: exit status and a text in
# stdout+stderr.
check() {
    name=$1 want_status=$2 want_text=$3; shift 3
    out=$("$@" </dev/null 2>&1); status=$?
    if [ "$status" -eq "$want_status" ] && { [ -z "$want_text" ] || printf '%s' "$out" | grep -qF -- "$want_text"; }; then
        ok
    else
        bad "$name: want status $want_status and '$want_text'; got status $status:"
        printf '%s\n' "$out" | head -n 8 | sed 's/^/    /'
    fi
}

# ---- build the modules -------------------------------------------------------
CC=${WASI_CC:-clang}
FEAT="-mbulk-memory -msign-ext -mnontrapping-fptoint -mmutable-globals -msimd128"
if ! $CC --target=wasm32-wasi --sysroot=/usr -O2 -o "$dir/hello.wasm" tests/wasi/hello.c 2>"$dir/cc.log"; then
    bad "cannot build tests/wasi/hello.c for wasm32-wasi:"; head -n 5 "$dir/cc.log"
    echo "$pass passed, $fail failed"; exit 1
fi
workloads=""
for src in bench/workloads/*.c; do
    n=$(basename "$src" .c)
    if $CC --target=wasm32-wasi --sysroot=/usr -O2 $FEAT -nostartfiles -Wl,--no-entry -Wl,--strip-debug \
            -o "$dir/$n.wasm" "$src" 2>>"$dir/cc.log"; then
        workloads="$workloads $n"
    else
        bad "cannot build $src"
    fi
done

if ! "$aw" compile "$dir/hello.wasm" -o "$dir/hello.cwasm" >"$dir/compile.log" 2>&1; then
    if grep -q "not built\|not found" "$dir/compile.log"; then
        echo "aot: the compiled tier is not built into $aw (not built with LLVM):"; cat "$dir/compile.log"
    fi
    bad "compile hello.wasm:"; head -n 5 "$dir/compile.log"
    echo "$pass passed, $fail failed"; exit 1
fi
ok

# ---- artifacts run as the interpreter does ------------------------------------
check "hello.cwasm" 0 "hello, world" "$aw" run "$dir/hello.cwasm"
check "compile: default output name" 0 "" "$aw" compile "$dir/hello.wasm"
[ -s "$dir/hello.cwasm" ] && ok || bad "compile: no hello.cwasm beside hello.wasm"
check "compile: an artifact again" 1 "already compiled" "$aw" compile "$dir/hello.cwasm"
check "compile: not wasm" 1 "hello.c" "$aw" compile tests/wasi/hello.c
for n in $workloads; do
    want=$("$aw" run --invoke run "$dir/$n.wasm" 2>&1)
    printf '%s' "$want" >"$dir/$n.want"
    if ! "$aw" compile "$dir/$n.wasm" -o "$dir/$n.cwasm" >"$dir/$n.log" 2>&1; then
        bad "compile $n:"; head -n 5 "$dir/$n.log"; continue
    fi
    got=$("$aw" run --invoke run "$dir/$n.cwasm" 2>&1)
    if [ -n "$want" ] && [ "$want" = "$got" ]; then ok; else bad "$n.cwasm: '$got', the interpreter: '$want'"; fi
done

# big modules' ways: many parts calling each other by name (a part per 2
# functions here), and the quick level (fast code generation)
for n in $workloads; do
    want=$(cat "$dir/$n.want")
    AW_AOT_PART_FUNCS=2 "$aw" compile "$dir/$n.wasm" -o "$dir/$n.parts.cwasm" >"$dir/$n.log" 2>&1 || bad "compile $n in parts"
    AW_AOT_QUICK=1 "$aw" compile "$dir/$n.wasm" -o "$dir/$n.quick.cwasm" >"$dir/$n.log" 2>&1 || bad "compile $n quick"
    for v in parts quick; do
        got=$("$aw" run --invoke run "$dir/$n.$v.cwasm" 2>&1)
        if [ -n "$want" ] && [ "$want" = "$got" ]; then ok; else bad "$n.$v.cwasm: '$got', the interpreter: '$want'"; fi
    done
done

# ---- refusals -----------------------------------------------------------------
# poke FILE OFFSET BYTE: writes one byte (decimal) at OFFSET.
poke() { printf "\\$(printf %03o "$3")" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null; }
peek() { od -An -tu1 -j"$2" -N1 "$1" | tr -d ' '; }
flip() { cp "$dir/hello.cwasm" "$dir/$1.cwasm"; poke "$dir/$1.cwasm" "$2" $(( $(peek "$dir/hello.cwasm" "$2") ^ 1 )); }

flip hash 24         # the module's SHA-256 in the header
check "refuse: module hash" 1 "module bytes do not match their SHA-256" "$aw" run "$dir/hash.cwasm"
flip version 8       # the format version
check "refuse: format version" 1 "has format version" "$aw" run "$dir/version.cwasm"
flip engine 68       # the engine version string (first byte after its length)
check "refuse: engine version" 1 "compiled by another engine version" "$aw" run "$dir/engine.cwasm"
# a feature LLVM found absent on this CPU, claimed present
feat=""
for f in amx-tile avx512vp2intersect avx512fp16 xop fma4 tbm sse4a prefetchwt1 avx512f avx2; do
    at=$(grep -obaF -- "-$f," "$dir/hello.cwasm" | head -n 1 | cut -d: -f1)
    [ -n "$at" ] && { feat=$f; break; }
done
if [ -n "$feat" ]; then
    cp "$dir/hello.cwasm" "$dir/features.cwasm"; poke "$dir/features.cwasm" "$at" 43   # '+'
    check "refuse: CPU features" 1 "this machine lacks its features $feat: recompile it here" "$aw" run "$dir/features.cwasm"
else
    echo "aot: this CPU has every candidate feature; CPU refusal not tested"
fi
size=$(wc -c <"$dir/hello.cwasm")
head -c $((size - 100)) "$dir/hello.cwasm" >"$dir/truncated.cwasm"
check "refuse: truncated" 1 "is truncated" "$aw" run "$dir/truncated.cwasm"
head -c 40 "$dir/hello.cwasm" >"$dir/short.cwasm"
check "refuse: header only" 1 "is truncated" "$aw" run "$dir/short.cwasm"
flip code $((size - 200)) # inside the last object
check "refuse: corrupt code" 1 "checksum does not match" "$aw" run "$dir/code.cwasm"

# ---- the cache -------------------------------------------------------------------
cache="$dir/cache"
export ANYWHERE_CACHE_DIR="$cache"
run_c() { AW_DEBUG_TIER=1 "$aw" run --tier compiled "$@" </dev/null 2>&1; }
out=$(run_c "$dir/hello.wasm")
case "$out" in *"cache miss"*"loading the LLVM plugin"*"hello, world"*) ok ;; *) bad "cache: first run: $out" ;; esac
entry=$(ls "$cache"/*.cwasm 2>/dev/null | head -n 1)
[ -n "$entry" ] && ok || bad "cache: nothing stored in $cache"
ls "$cache" | grep -q tmp && bad "cache: a temporary file left behind" || ok
out=$(run_c "$dir/hello.wasm")
case "$out" in *"cache hit"*"hello, world"*) ok ;; *) bad "cache: second run is no hit: $out" ;; esac
case "$out" in *"loading the LLVM plugin"*) bad "cache: a hit loaded the LLVM plugin: $out" ;; *) ok ;; esac
# a corrupt entry: compiled again, replaced, then a hit again
if [ -n "$entry" ]; then
    esize=$(wc -c <"$entry")
    poke "$entry" $((esize / 2)) $(( $(peek "$entry" $((esize / 2))) ^ 255 ))
    out=$(run_c "$dir/hello.wasm")
    case "$out" in *"cache entry unusable"*"hello, world"*) ok ;; *) bad "cache: corrupt entry: $out" ;; esac
    out=$(run_c "$dir/hello.wasm")
    case "$out" in *"cache hit"*"hello, world"*) ok ;; *) bad "cache: not replaced after corruption: $out" ;; esac
    head -c 10 "$entry" >"$entry.cut"; mv "$entry.cut" "$entry"
    out=$(run_c "$dir/hello.wasm")
    case "$out" in *"cache entry unusable"*"hello, world"*) ok ;; *) bad "cache: truncated entry: $out" ;; esac
fi
# --no-cache: neither read nor written
rm -rf "$cache"
out=$(run_c --no-cache "$dir/hello.wasm")
case "$out" in *"cache"*) bad "--no-cache: the cache was used: $out" ;; *"hello, world"*) ok ;; *) bad "--no-cache: $out" ;; esac
[ -e "$cache" ] && bad "--no-cache: $cache was made" || ok
# the size cap: the oldest entries go, the one just stored stays
mkdir -p "$cache"
head -c 100000 /dev/zero >"$cache/old.cwasm"; touch -d 2001-01-01 "$cache/old.cwasm"
out=$(ANYWHERE_CACHE_MAX_MB=0 run_c "$dir/hello.wasm")
[ -e "$cache/old.cwasm" ] && bad "cache: the oldest entry was not evicted: $out" || ok
[ "$(ls "$cache"/*.cwasm 2>/dev/null | wc -l)" -eq 1 ] && ok || bad "cache: the new entry was evicted"
unset ANYWHERE_CACHE_DIR

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
