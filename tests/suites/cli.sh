#!/bin/sh
# tests/suites/cli.sh [BUILD] — the `anywhere` command as a user meets it:
# `anywhere run` results, traps, limits and error messages, and
# `anywhere spectest` on a small script. Test modules are written here in
# the text format and converted with wat2wasm (wabt).
set -u
BUILD=${1:-${BUILD:-build}}
aw="$BUILD/anywhere"
dir="$BUILD/cli-test"
mkdir -p "$dir"
pass=0; fail=0

# check NAME WANT_STATUS WANT_TEXT COMMAND...: runs COMMAND, expects its exit
# status and that stdout+stderr contain WANT_TEXT.
check() {
    name=$1 want_status=$2 want_text=$3; shift 3
    out=$("$@" 2>&1); status=$?
    if [ "$status" -eq "$want_status" ] && printf '%s' "$out" | grep -qF -- "$want_text"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $name: want status $want_status and '$want_text'; got status $status:"
        printf '%s\n' "$out" | head -n 5 | sed 's/^/    /'
    fi
}

wat() { # wat NAME: stdin → $dir/NAME.wasm
    cat >"$dir/$1.wat" && wat2wasm "$dir/$1.wat" -o "$dir/$1.wasm"
}

wat ops <<'W'
(module
  (memory 1)
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "spin") (loop (br 0)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "multi") (param i64 f64) (result f64 i64) (local.get 1) (local.get 0))
  (func $rec (export "rec") (param i32) (result i32) (call $rec (local.get 0))))
W
wat imports <<'W'
(module (import "env" "log" (func (param i32))) (func (export "f")))
W
# (func (result i32) (i64.const 1)): well-formed but invalid.
printf '\000asm\001\000\000\000\001\005\001\140\000\001\177\003\002\001\000\012\006\001\004\000\102\001\013' \
    >"$dir/invalid.wasm"
printf '(module)\n' >"$dir/text.wasm"

check "add" 0 "5" "$aw" run --invoke add "$dir/ops.wasm" 2 3
check "negative and hex args" 0 "-1" "$aw" run --invoke add "$dir/ops.wasm" -0x10 15
check "multi-value results" 0 "-7" "$aw" run --invoke multi "$dir/ops.wasm" -7 2.5
check "trap exits 134" 134 "integer divide by zero" "$aw" run --invoke div "$dir/ops.wasm" 1 0
check "trap names the offset" 134 "offset 0x" "$aw" run --invoke div "$dir/ops.wasm" 1 0
check "fuel" 134 "all fuel consumed" "$aw" run --fuel 100000 --invoke spin "$dir/ops.wasm"
check "timeout" 134 "interrupted" "$aw" run --timeout 100 --invoke spin "$dir/ops.wasm"
check "memory cap" 0 "-1" "$aw" run --max-memory-pages 4 --invoke grow "$dir/ops.wasm" 8
check "memory grows under the cap" 0 "1" "$aw" run --max-memory-pages 16 --invoke grow "$dir/ops.wasm" 8
check "stack exhaustion" 134 "call stack exhausted" "$aw" run --invoke rec "$dir/ops.wasm" 1
check "missing file" 1 "No such file" "$aw" run "$dir/nonexistent.wasm"
check "text is not binary" 1 "not a WebAssembly binary" "$aw" run "$dir/text.wasm"
check "unprovided import" 1 "\"env\" \"log\" (func (param i32))" "$aw" run --invoke f "$dir/imports.wasm"
check "no such export" 1 "no exported function \"nope\"" "$aw" run --invoke nope "$dir/ops.wasm"
check "export list" 1 "add (func (param i32 i32) (result i32))" "$aw" run --invoke nope "$dir/ops.wasm"
check "argument count" 2 "takes 2 arguments, 1 given" "$aw" run --invoke add "$dir/ops.wasm" 1
check "argument type" 2 "'x' is not a valid i32" "$aw" run --invoke add "$dir/ops.wasm" x 1
check "i32 range" 2 "not a valid i32" "$aw" run --invoke add "$dir/ops.wasm" 4294967296 1
check "bad option" 2 "bad option" "$aw" run --fuel abc "$dir/ops.wasm"
check "validation error" 1 "invalid module" "$aw" run "$dir/invalid.wasm"
check "validation error names the offset" 1 "0x" "$aw" run "$dir/invalid.wasm"
# A 100 kB custom section (debug information, say) after the header: run
# reads around it (cmd_run.c, read_sections), and offsets stay the file's.
wat2wasm --debug-names "$dir/ops.wat" -o "$dir/ops_named.wasm"
{ head -c 8 "$dir/ops_named.wasm"; printf '\0\245\215\006\004junk'; head -c 100000 /dev/zero | tr '\0' '\377'
  tail -c +9 "$dir/ops_named.wasm"; } >"$dir/ops_junk.wasm"
check "custom section read around" 0 "5" "$aw" run --invoke add "$dir/ops_junk.wasm" 2 3
check "offsets past a skipped section" 134 "at offset 0x187" "$aw" run --invoke div "$dir/ops_junk.wasm" 1 0
{ cat "$dir/ops_named.wasm"; printf '\0\245\215\006\004junk'; head -c 1000 /dev/zero; } >"$dir/ops_cut.wasm"
check "custom section past the end" 1 "length out of bounds" "$aw" run --invoke add "$dir/ops_cut.wasm" 2 3
# Custom section names are still checked as UTF-8 (a skipped section's is
# ASCII by construction): "\303\251" is valid, "\377" is not.
{ cat "$dir/ops_named.wasm"; printf '\0\003\002\303\251'; } >"$dir/ops_utf8.wasm"
check "custom section named in UTF-8" 0 "5" "$aw" run --invoke add "$dir/ops_utf8.wasm" 2 3
{ cat "$dir/ops_named.wasm"; printf '\0\002\001\377'; } >"$dir/ops_badname.wasm"
check "custom section name not UTF-8" 1 "malformed UTF-8" "$aw" run --invoke add "$dir/ops_badname.wasm" 2 3
if [ -f examples/fib/fib.wasm ]; then
    check "README example" 0 "832040" "$aw" run --invoke fib examples/fib/fib.wasm 30
fi

# spectest: a script with a pass and a failure, and a broken script.
cat >"$dir/script.wast" <<'W'
(module (func (export "one") (result i32) (i32.const 1)))
(assert_return (invoke "one") (i32.const 1))
(assert_return (invoke "one") (i32.const 2))
(assert_malformed (module quote "(func") "unexpected end")
W
wast2json "$dir/script.wast" -o "$dir/script.json" 2>/dev/null
check "spectest counts" 1 "1 passed, 1 failed" "$aw" spectest "$dir/script.json"
check "spectest failure line" 1 "script.wast:3: assert_return: expected (i32:2), got (i32:1)" "$aw" spectest "$dir/script.json"
check "spectest skipped" 1 "1 skipped" "$aw" spectest "$dir/script.json"
printf '{"commands": 5}' >"$dir/broken.json"
check "spectest broken script" 2 "not a wast2json script" "$aw" spectest "$dir/broken.json"
check "spectest missing file" 2 "cannot read" "$aw" spectest "$dir/none.json"

echo "$pass passed, $fail failed"
