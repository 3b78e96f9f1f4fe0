#!/bin/sh
# tests/suites/wasi.sh [BUILD] — WASI preview 1 through `anywhere run`:
# C programs from tests/wasi/*.c built now with clang and Debian's
# wasi-libc (file I/O, directories, stdio, args, env, clocks, random,
# poll, exit codes, sandbox escapes, read-only directories, reactors),
# the CLI's error messages, an AssemblyScript program (tests/wasi/as, after
# `npm ci` there), and the official WASI test suite when it is at hand
# ($WASI_TESTSUITE_DIR, an extracted copy, or the git mirror at
# $WASI_TESTSUITE_GIT). Last line: "N passed, N failed".
set -u
BUILD=${1:-${BUILD:-build}}
aw="$(pwd)/$BUILD/anywhere"
case "$BUILD" in /*) aw="$BUILD/anywhere" ;; esac
dir="$(pwd)/$BUILD/wasi-test"
rm -rf "$dir"; mkdir -p "$dir"
pass=0; fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# check NAME WANT_STATUS WANT_TEXT COMMAND...: runs COMMAND (stdin from
# /dev/null), expects its exit status and that stdout+stderr contain
# WANT_TEXT.
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

# has NAME FILE TEXT: FILE contains TEXT.
has() {
    if grep -qF -- "$3" "$2"; then ok; else bad "$1: '$3' not in $(basename "$2"):"; head -n 8 "$2" | sed 's/^/    /'; fi
}
hasnt() {
    if grep -qF -- "$3" "$2"; then bad "$1: '$3' should not be in $(basename "$2")"; else ok; fi
}

# ---- build the C programs --------------------------------------------------
WASI_CC=${WASI_CC:-clang}
built=""
for src in tests/wasi/*.c; do
    name=$(basename "$src" .c)
    flags=""
    [ "$name" = reactor ] && flags="-mexec-model=reactor"
    if $WASI_CC --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra -Werror $flags \
            -o "$dir/$name.wasm" "$src" 2>"$dir/$name.cc.log"; then
        built="$built $name"
    else
        bad "build $src:"; head -n 8 "$dir/$name.cc.log" | sed 's/^/    /'
    fi
done
w() { echo "$dir/$1.wasm"; }

# ---- programs ------------------------------------------------------------
check "hello" 0 "hello, world" "$aw" run "$(w hello)"

printf 'abc\nxyz\n' | FROM_HOST=yes "$aw" run --env FOO=bar --env FROM_HOST --env EMPTY= "$(w stdio_args_env)" \
    FOO FROM_HOST HOME "two words" >"$dir/o" 2>"$dir/e"; st=$?
[ "$st" -eq 0 ] && ok || bad "stdio_args_env: status $st"
has "stdin to stdout" "$dir/o" "ABC"
has "all of stdin" "$dir/o" "XYZ"
has "argv[0] is the module as given" "$dir/o" "argv[0]=$(w stdio_args_env)"
has "argv with spaces" "$dir/o" "argv[4]=two words"
has "--env K=V" "$dir/o" "FOO=bar"
has "--env K passes the host's K" "$dir/o" "FROM_HOST=yes"
has "only the variables given" "$dir/o" "environ has 3"
hasnt "no host environment by default" "$dir/o" "HOME="
has "stderr" "$dir/e" "this is stderr"
hasnt "stderr is not stdout" "$dir/o" "this is stderr"
HOME=/somewhere "$aw" run --env-inherit --env FOO=over "$(w stdio_args_env)" HOME FOO </dev/null >"$dir/o" 2>&1
has "--env-inherit" "$dir/o" "HOME=/somewhere"
has "--env overrides inherited" "$dir/o" "FOO=over"

check "exit 0" 0 "" "$aw" run "$(w exitcode)" 0
check "exit code" 7 "" "$aw" run "$(w exitcode)" 7
check "exit 255" 255 "" "$aw" run "$(w exitcode)" 255
check "return from main" 3 "" "$aw" run "$(w exitcode)" return
check "trap exits 134" 134 "unreachable" "$aw" run "$(w exitcode)" trap
check "trap names function and offset" 134 "in function" "$aw" run "$(w exitcode)" trap

check "clocks and random" 0 "clocks_random:" "$aw" run "$(w clocks_random)" "$(date +%s)"

# files in a pre-opened directory, by a guest name and by its host path
mkdir -p "$dir/box1" "$dir/box2"
check "files under --dir HOST::GUEST" 0 "files:" "$aw" run --dir "$dir/box1::/sandbox" "$(w files)" /sandbox
check "files under --dir HOST" 0 "files:" "$aw" run --dir "$dir/box2" "$(w files)" "$dir/box2"
check "--dir=HOST::GUEST spelling" 0 "files:" "$aw" run --dir="$dir/box1::/data" "$(w files)" /data
[ -z "$(ls -A "$dir/box1")" ] && ok || bad "files: the guest left files behind: $(ls -A "$dir/box1")"

# escapes
mkdir -p "$dir/jail/sub"
ln -s /etc "$dir/jail/etc"
check "escapes refused" 0 "escape:" "$aw" run --dir "$dir/jail::/jail" "$(w escape)"
[ ! -e "$dir/created" ] && [ ! -e "$dir/f" ] && [ ! -e "$dir/d" ] && ok || bad "escape: something was made outside the sandbox"
check "escapes refused (preopen named /)" 0 "escape:" "$aw" run --dir "$dir/jail::/" "$(w escape)"

# read-only
mkdir -p "$dir/ro/sub"; printf 'data' >"$dir/ro/data.txt"
check "read-only directory" 0 "readonly:" "$aw" run --dir-ro "$dir/ro::/ro" "$(w readonly)" /ro
[ "$(cat "$dir/ro/data.txt")" = data ] && [ "$(ls "$dir/ro" | wc -l)" -eq 2 ] && ok || bad "read-only: the directory changed"

# poll
check "poll: clock subscriptions" 0 "clocks:" "$aw" run "$(w poll)" clocks
out=$(printf 'x' | "$aw" run "$(w poll)" ready 2>&1); st=$?
[ "$st" -eq 0 ] && ok || { bad "poll: stdin ready: status $st"; printf '%s\n' "$out" | sed 's/^/    /'; }
mkfifo "$dir/fifo"
exec 4<>"$dir/fifo"            # an open pipe with nothing in it
out=$("$aw" run "$(w poll)" timeout <&4 2>&1); st=$?
exec 4<&-
[ "$st" -eq 0 ] && ok || { bad "poll: stdin timeout: status $st"; printf '%s\n' "$out" | sed 's/^/    /'; }

# a pre-opened listening socket; bash's /dev/tcp is the client
if command -v bash >/dev/null; then
    port=$((20000 + $$ % 20000))
    "$aw" run --tcplisten "127.0.0.1:$port" "$(w sock)" >"$dir/sock.out" 2>&1 &
    server=$!
    reply=$(bash -c 'for i in $(seq 50); do exec 5<>/dev/tcp/127.0.0.1/'"$port"' 2>/dev/null && break; sleep 0.1; done
                     printf "hello socket\n" >&5; cat <&5' 2>/dev/null)
    wait $server; st=$?
    [ "$st" -eq 0 ] && [ "$reply" = "HELLO SOCKET" ] && ok ||
        { bad "--tcplisten: status $st, reply '$reply'"; sed 's/^/    /' "$dir/sock.out" | head -n 5; }
fi
check "--tcplisten: bad address" 2 "--tcplisten" "$aw" run --tcplisten "nowhere.invalid:x" "$(w hello)"

# reactors and --invoke
check "reactor: _initialize before --invoke" 0 "42" "$aw" run --invoke add "$(w reactor)" 2
check "reactor: WASI from an export" 0 "hello from a reactor" "$aw" run --invoke greet "$(w reactor)"
check "reactor without --invoke" 1 "no exported function \"_start\"" "$aw" run "$(w reactor)"
check "timeout" 134 "interrupted" "$aw" run --timeout 100 --invoke spin "$(w reactor)"
check "fuel" 134 "all fuel consumed" "$aw" run --fuel 100000 --invoke spin "$(w reactor)"

# ---- the CLI's errors ------------------------------------------------------
check "missing --dir" 1 "cannot pre-open directory '$dir/none'" "$aw" run --dir "$dir/none" "$(w hello)"
check "--dir that is a file" 1 "Not a directory" "$aw" run --dir "$(w hello)" "$(w hello)"
check "module is a directory" 1 "Is a directory" "$aw" run "$dir"
check "module is missing" 1 "No such file" "$aw" run "$dir/none.wasm"
printf 'MZ\220\0' >"$dir/notwasm.wasm"
check "not Wasm" 1 "not a WebAssembly binary" "$aw" run "$dir/notwasm.wasm"
printf '\000asm\001\000\000\000\001\005\001\140\000\001\177\003\002\001\000\012\006\001\004\000\102\001\013' \
    >"$dir/invalid.wasm"
check "invalid module names the offset" 1 "invalid module" "$aw" run "$dir/invalid.wasm"
head -c 30 "$(w hello)" >"$dir/truncated.wasm"
check "truncated module" 1 "malformed module" "$aw" run "$dir/truncated.wasm"
cat >"$dir/imports.wat" <<'W'
(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (import "env" "host_thing" (func $thing (param i64) (result f32)))
  (memory (export "memory") 1)
  (func (export "_start") (drop (call $thing (i64.const 1))))
  (func (export "fine") (result i32) (i32.const 5)))
W
if wat2wasm "$dir/imports.wat" -o "$dir/imports.wasm" 2>/dev/null; then
    check "missing import: module, field, type" 1 "unknown import env.host_thing: function (i64) -> (f32)" \
        "$aw" run "$dir/imports.wasm"
    check "missing import: hint" 1 "--trap-unknown-imports" "$aw" run "$dir/imports.wasm"
    check "--trap-unknown-imports: unused import" 0 "5" "$aw" run --trap-unknown-imports --invoke fine "$dir/imports.wasm"
    check "--trap-unknown-imports: called" 134 "unknown import env.host_thing called" \
        "$aw" run --trap-unknown-imports "$dir/imports.wasm"
else
    bad "wat2wasm failed on imports.wat"
fi
check "unknown option" 2 "unknown option" "$aw" run --frobnicate "$(w hello)"
check "option without value" 2 "no value" "$aw" run --dir

# ---- AssemblyScript --------------------------------------------------------
asc=tests/wasi/as/node_modules/.bin/asc
if [ -x "$asc" ]; then
    if "$asc" tests/wasi/as/hello.ts --config tests/wasi/as/node_modules/@assemblyscript/wasi-shim/asconfig.json \
            -O2 -o "$dir/as_hello.wasm" >"$dir/asc.log" 2>&1; then
        "$aw" run --env GREETING=hi "$dir/as_hello.wasm" one "two 2" 7 </dev/null >"$dir/o" 2>"$dir/e"; st=$?
        [ "$st" -eq 7 ] && ok || bad "AssemblyScript: exit status $st, want 7"
        has "AssemblyScript: argv" "$dir/o" "arg 2: two 2"
        has "AssemblyScript: argc counts argv[0]" "$dir/o" "argc=4"
        has "AssemblyScript: env" "$dir/o" "GREETING=hi"
        has "AssemblyScript: clocks and random" "$dir/o" "random ok"
        has "AssemblyScript: stderr" "$dir/e" "to stderr"
    else
        bad "AssemblyScript: asc failed:"; head -n 8 "$dir/asc.log" | sed 's/^/    /'
    fi
elif [ "${CI:-}" = true ]; then
    bad "AssemblyScript: tests/wasi/as has no node_modules (npm ci there)"
else
    echo "skipped: AssemblyScript (run npm ci in tests/wasi/as)"
fi

# ---- the official WASI test suite -----------------------------------------
WASI_TESTSUITE_GIT=${WASI_TESTSUITE_GIT:-/work/.mirror/WebAssembly+wasi-testsuite/repo}
ts=${WASI_TESTSUITE_DIR:-}
if [ -z "$ts" ] && git --git-dir="$WASI_TESTSUITE_GIT" rev-parse -q --verify prod/testsuite-base >/dev/null 2>&1; then
    ts="$dir/wasi-testsuite"
    mkdir -p "$ts"
    git --git-dir="$WASI_TESTSUITE_GIT" archive prod/testsuite-base tests | tar -x -C "$ts" || ts=""
fi
if [ -n "$ts" ] && [ -d "$ts/tests" ]; then
    sh tests/wasi/testsuite.sh "$aw" "$ts" >"$dir/testsuite.log" 2>&1
    grep -E '^(FAIL|    )' "$dir/testsuite.log"
    grep -E '^[a-z]+: [0-9]+ passed' "$dir/testsuite.log" | sed 's/^/wasi-testsuite /'
    last=$(tail -n 1 "$dir/testsuite.log")
    p=$(echo "$last" | sed -nE 's/^([0-9]+) passed.*/\1/p'); f=$(echo "$last" | sed -nE 's/.* ([0-9]+) failed.*/\1/p')
    if [ -n "$p" ] && [ -n "$f" ]; then pass=$((pass + p)); fail=$((fail + f)); else bad "wasi-testsuite: no result"; fi
else
    echo "skipped: the official WASI test suite (set WASI_TESTSUITE_DIR to an extracted copy)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
