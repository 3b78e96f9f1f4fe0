#!/bin/sh
# tests/suites/tier.sh [BUILD] — execution tiers of `anywhere run`
# (docs/tiering.md): interp, compiled and auto (the default) give the same
# results and traps; auto starts in the interpreter and switches to
# compiled code; limits hold across the switch; a process that ends while
# a background compilation runs ends cleanly.
#
# The switch is made deterministic with AW_TIER_SYNC=1 (the thread that
# reaches the threshold compiles, and waits) and a small AW_TIER_THRESHOLD;
# AW_DEBUG_TIER=1 makes it say on stderr what happened. No assertion
# depends on timing: the asynchronous runs are checked for results only.
set -u
BUILD=${1:-${BUILD:-build}}
aw="$BUILD/anywhere"
dir="$BUILD/tier-test"
mkdir -p "$dir"
# --tier compiled caches compiled code: here, not in the user's ~/.cache
export ANYWHERE_CACHE_DIR="$dir/cache"
pass=0; fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | head -n 6 | sed 's/^/    /'; return 0; }

# check NAME WANT_STATUS WANT_TEXT COMMAND...: exit status and a text in
# stdout+stderr.
check() {
    name=$1 want_status=$2 want_text=$3; shift 3
    out=$("$@" 2>&1); status=$?
    if [ "$status" -eq "$want_status" ] && printf '%s' "$out" | grep -qF -- "$want_text"; then ok
    else bad "$name: want status $want_status and '$want_text'; got status $status:" "$out"; fi
}
# check_not NAME TEXT COMMAND...: TEXT must not appear.
check_not() {
    name=$1 text=$2; shift 2
    out=$("$@" 2>&1)
    if printf '%s' "$out" | grep -qF -- "$text"; then bad "$name: unexpected '$text':" "$out"; else ok; fi
}

if [ ! -x "$aw" ]; then
    echo "FAIL the anywhere binary is missing or broken ($aw)"
    echo "0 passed, 1 failed"
    exit 1
fi
compiled=1
printf '\000asm\001\000\000\000' >"$dir/empty.wasm"
"$aw" run --tier compiled --invoke x "$dir/empty.wasm" 2>&1 | grep -q "not built\|not found\|cannot load the compiled" && compiled=0

wat() { cat >"$dir/$1.wat" && wat2wasm "$dir/$1.wat" -o "$dir/$1.wasm"; }

# $work loops (so that an interpreted caller enters its compiled code);
# run calls it n times from a loop that itself stays interpreted.
wat work <<'W'
(module
  (memory 1)
  (func $work (param $x i32) (param $n i32) (result i32) (local $i i32)
    (loop $l
      (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 1664525)) (i32.const 1013904223)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $x))
  (func (export "run") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $acc (call $work (i32.xor (local.get $acc) (local.get $i)) (i32.const 50)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $acc))
  ;; sums a / b four times
  (func $divloop (param $a i32) (param $b i32) (result i32) (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (i32.div_s (local.get $a) (local.get $b))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 4))))
    (local.get $s))
  ;; divides by k - i: traps at i = k
  (func (export "trap_div") (param $n i32) (param $k i32) (result i32) (local $i i32) (local $acc i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $acc (i32.add (local.get $acc)
        (call $divloop (local.get $i) (i32.sub (local.get $k) (local.get $i)))))
      (drop (call $work (local.get $i) (i32.const 20)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $acc))
  ;; loads 4 words from a; out of bounds when a is
  (func $load4 (param $a i32) (result i32) (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (i32.load (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 4))))
    (local.get $s))
  ;; reads at 1 MiB when i = k
  (func (export "trap_oob") (param $n i32) (param $k i32) (result i32) (local $i i32) (local $acc i32)
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $acc (i32.add (local.get $acc) (call $load4
        (select (i32.const 1048576) (i32.and (local.get $i) (i32.const 4095))
                (i32.eq (local.get $i) (local.get $k))))))
      (drop (call $work (local.get $i) (i32.const 20)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $acc))
  (func (export "forever") (loop $l (drop (call $work (i32.const 1) (i32.const 50))) (br $l)))
  ;; the same call once its caller is compiled too: recursion to depth d
  (func $deep (export "deep") (param $d i32) (result i32)
    (if (result i32) (i32.eqz (local.get $d)) (then (call $work (i32.const 7) (i32.const 10)))
      (else (i32.add (i32.const 1) (call $deep (i32.sub (local.get $d) (i32.const 1))))))))
W

N=40000
want=$("$aw" run --tier interp --invoke run "$dir/work.wasm" $N 2>&1)
case "$want" in -*[0-9]|[0-9]*) ok ;; *) bad "interp result: '$want'" ;; esac
sync="env AW_TIER_SYNC=1 AW_TIER_THRESHOLD=100000 AW_DEBUG_TIER=1"

check "auto (the default) gives the interpreter's result" 0 "$want" "$aw" run --invoke run "$dir/work.wasm" $N
check "bad --tier" 2 "bad option '--tier' fast" "$aw" run --tier fast --invoke run "$dir/work.wasm" 1
check "--tier interp never compiles" 0 "$want" env AW_DEBUG_TIER=1 AW_TIER_THRESHOLD=0 "$aw" run --tier interp --invoke run "$dir/work.wasm" $N
check_not "--tier interp says nothing of tiers" "tier:" env AW_DEBUG_TIER=1 AW_TIER_THRESHOLD=0 "$aw" run --tier interp --invoke run "$dir/work.wasm" $N
check_not "auto: a short run never compiles (default threshold)" "tier:" env AW_DEBUG_TIER=1 "$aw" run --invoke run "$dir/work.wasm" 10

if [ $compiled = 1 ]; then
    check "compiled gives the interpreter's result" 0 "$want" "$aw" run --tier compiled --invoke run "$dir/work.wasm" $N
    check "auto switches to compiled code" 0 "tier: switched to compiled code" $sync "$aw" run --invoke run "$dir/work.wasm" $N
    check "auto after the switch gives the interpreter's result" 0 "$want" $sync "$aw" run --invoke run "$dir/work.wasm" $N
    # run's own frame stays interpreted; its calls of work go compiled.
    check "auto: an interpreted frame calls compiled code" 0 "call of function 0 enters compiled code" $sync "$aw" run --invoke run "$dir/work.wasm" $N
    check "auto, compiling at load" 0 "$want" env AW_TIER_SYNC=1 AW_TIER_THRESHOLD=0 "$aw" run --invoke run "$dir/work.wasm" $N
    check "auto, compiling in the background" 0 "$want" env AW_TIER_THRESHOLD=100000 "$aw" run --invoke run "$dir/work.wasm" $N
    check "auto compiles in the background by default" 0 "compiling in the background" env AW_DEBUG_TIER=1 AW_TIER_THRESHOLD=100000 "$aw" run --invoke run "$dir/work.wasm" $N

    # Traps after the switch: the same kind as in the interpreter.
    for t in interp compiled; do
        check "divide by zero, $t" 134 "trap: integer divide by zero" "$aw" run --tier $t --invoke trap_div "$dir/work.wasm" 100000 30000
        check "out of bounds, $t" 134 "trap: out of bounds memory access" "$aw" run --tier $t --invoke trap_oob "$dir/work.wasm" 100000 30000
    done
    check "divide by zero after the switch" 134 "trap: integer divide by zero" $sync "$aw" run --invoke trap_div "$dir/work.wasm" 100000 30000
    check "divide by zero after the switch (switched)" 134 "switched to compiled" $sync "$aw" run --invoke trap_div "$dir/work.wasm" 100000 30000
    check "out of bounds after the switch" 134 "trap: out of bounds memory access" $sync "$aw" run --invoke trap_oob "$dir/work.wasm" 100000 30000
    check "out of bounds after the switch (switched)" 134 "switched to compiled" $sync "$aw" run --invoke trap_oob "$dir/work.wasm" 100000 30000
    check "stack exhaustion after the switch" 134 "call stack exhausted" env AW_TIER_SYNC=1 AW_TIER_THRESHOLD=0 "$aw" run --invoke deep "$dir/work.wasm" 1000000
    deep=$("$aw" run --tier interp --invoke deep "$dir/work.wasm" 100 2>&1)
    check "deep recursion after the switch" 0 "$deep" env AW_TIER_SYNC=1 AW_TIER_THRESHOLD=0 "$aw" run --invoke deep "$dir/work.wasm" 100

    # Limits across the switch.
    check "deadline after the switch" 134 "trap: interrupted" $sync "$aw" run --timeout 300 --invoke forever "$dir/work.wasm"
    check "deadline after the switch (switched)" 134 "switched to compiled" $sync "$aw" run --timeout 300 --invoke forever "$dir/work.wasm"
    # A budget the interpreter exhausts (about 12 M instructions for 3 M of
    # fuel); compiled code counts calls and loop iterations (about 2 M), so
    # a switch would let the run finish.
    check "fuel: the interpreter runs out" 134 "trap: all fuel consumed" "$aw" run --tier interp --fuel 3000000 --invoke run "$dir/work.wasm" $N
    check "fuel: auto runs out where the interpreter does" 134 "trap: all fuel consumed" $sync "$aw" run --fuel 3000000 --invoke run "$dir/work.wasm" $N
    check_not "fuel: auto does not compile" "tier:" $sync "$aw" run --fuel 3000000 --invoke run "$dir/work.wasm" $N

    # A WASI command: default tier, switched, output and exit code intact.
    wat wasi <<'W'
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "tier ok\n")
  (func $work (param $x i32) (result i32) (local $i i32)
    (loop $l
      (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 69069)) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 100))))
    (local.get $x))
  (func (export "_start") (local $i i32) (local $acc i32)
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (call $work (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 20000))))
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 8))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $exit (i32.and (local.get $acc) (i32.const 63)))))
W
    code_i=0; "$aw" run --tier interp "$dir/wasi.wasm" >/dev/null 2>&1 || code_i=$?
    check "WASI command after the switch: output" $code_i "tier ok" $sync "$aw" run "$dir/wasi.wasm"
    check "WASI command after the switch: switched" $code_i "switched to compiled" $sync "$aw" run "$dir/wasi.wasm"

    # Ending while the compiler runs: a module of many functions, compiled
    # from load on, and a program that is done at once. Each run must end
    # normally with its result, whatever the compiler was doing.
    i=0
    while [ $i -lt 300 ]; do
        echo "(func \$f$i (param i32) (result i32) (local i32)
  (loop \$l (local.set 1 (i32.add (local.get 1) (i32.mul (local.get 0) (i32.const $i))))
    (i32.store (i32.and (local.get 1) (i32.const 4092)) (local.get 1))
    (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
    (br_if \$l (i32.gt_s (local.get 0) (i32.const 0))))
  (i32.add (local.get 1) (i32.load (i32.const 64))))"
        i=$((i + 1))
    done >"$dir/funcs.wat"
    { echo "(module (memory 1)"; cat "$dir/funcs.wat"
      echo "(func (export \"quick\") (result i32) (call \$f7 (i32.const 3))))"; } >"$dir/big.wat"
    wat2wasm "$dir/big.wat" -o "$dir/big.wasm"
    quick=$("$aw" run --tier interp --invoke quick "$dir/big.wasm" 2>&1)
    runs=0 good=0
    while [ $runs -lt 50 ]; do
        out=$(AW_TIER_THRESHOLD=0 "$aw" run --invoke quick "$dir/big.wasm" 2>&1); status=$?
        [ $status -eq 0 ] && [ "$out" = "$quick" ] && good=$((good + 1))
        runs=$((runs + 1))
    done
    if [ $good -eq 50 ]; then ok; else bad "exit while compiling: $good of 50 runs ended well (last: status $status, '$out')"; fi
    check "exit while compiling: the compile was under way" 0 "compiling in the background" env AW_DEBUG_TIER=1 AW_TIER_THRESHOLD=0 "$aw" run --invoke quick "$dir/big.wasm"

    # The same for a WASI command that writes to both streams and ends with
    # proc_exit(3) while the compiler runs (the path of `anywhere run` with
    # a long host call, e.g. wasi-nn): both lines and the status intact.
    { cat <<'W'
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 8208) "to stderr\n")
  (data (i32.const 8224) "to stdout\n")
  (func $say (param $fd i32) (param $at i32)
    (i32.store (i32.const 8192) (local.get $at))
    (i32.store (i32.const 8196) (i32.const 10))
    (drop (call $fd_write (local.get $fd) (i32.const 8192) (i32.const 1) (i32.const 8200))))
W
      cat "$dir/funcs.wat"
      echo '(func (export "_start") (call $say (i32.const 2) (i32.const 8208)) (call $say (i32.const 1) (i32.const 8224)) (call $exit (i32.const 3))))'
    } >"$dir/bigwasi.wat"
    wat2wasm "$dir/bigwasi.wat" -o "$dir/bigwasi.wasm"
    runs=0 good=0
    while [ $runs -lt 20 ]; do
        o=$(AW_TIER_THRESHOLD=0 "$aw" run "$dir/bigwasi.wasm" 2>"$dir/bigwasi.err"); status=$?
        e=$(cat "$dir/bigwasi.err")
        [ $status -eq 3 ] && [ "$o" = "to stdout" ] && [ "$e" = "to stderr" ] && good=$((good + 1))
        runs=$((runs + 1))
    done
    if [ $good -eq 20 ]; then ok; else bad "WASI exit while compiling: $good of 20 runs ended well (last: status $status, stdout '$o', stderr '$e')"; fi
    check "WASI exit while compiling: the compile was under way" 3 "compiling in the background" env AW_DEBUG_TIER=1 AW_TIER_THRESHOLD=0 "$aw" run "$dir/bigwasi.wasm"
else
    echo "(the compiled tier is not in this build: auto is the interpreter; switching not tested)"
    check "auto without the compiled tier" 0 "$want" env AW_TIER_THRESHOLD=0 "$aw" run --invoke run "$dir/work.wasm" $N
fi

# The embedding API: tests/wasm/test_tierup.c (in the unit suite).

echo "$pass passed, $fail failed"
