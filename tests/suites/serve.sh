#!/bin/sh
# tests/suites/serve.sh BUILD — the HTTP server library, the tokenizers and
# chat templates, and `anywhere serve-model` over a synthesised model, talked
# to with curl. Last line: "N passed, N failed".
[ -z "${BASH_VERSION:-}" ] && exec bash "$0" "$@"
set -u
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
TMP=$(mktemp -d); PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

SAN=; case "$BUILD" in */san) SAN=1 ;; esac
make -s ${SAN:+SAN=1} serve-tests >"$TMP/make.log" 2>&1 || { cat "$TMP/make.log"; bad "build serve tests"; echo "$pass passed, $fail failed"; exit 1; }

# Adds a C unit test's "N passed, N failed" to ours.
unit() {
    local out; out=$("$@" 2>&1); local last; last=$(echo "$out" | tail -n 1)
    echo "$out" | grep '^FAIL' || true
    if echo "$last" | grep -qE '^[0-9]+ passed, [0-9]+ failed$'; then
        pass=$((pass + $(echo "$last" | cut -d' ' -f1))); fail=$((fail + $(echo "$last" | cut -d' ' -f3)))
        echo "unit $(basename "$1"): $last"
    else bad "$(basename "$1") did not finish: $last"; fi
}

echo "-- unit tests"
unit "$BUILD/tests/serve/http_parse_test"
unit "$BUILD/tests/ai/tok_unit"

echo "-- tokenizer parity with npm llama-tokenizer-js / llama3-tokenizer-js"
TOKDIR=tests/ai/tok
if [ ! -d "$TOKDIR/node_modules/llama3-tokenizer-js" ] && command -v npm >/dev/null; then
    (cd "$TOKDIR" && npm ci --silent >/dev/null 2>&1)
fi
if [ -d "$TOKDIR/node_modules/llama3-tokenizer-js" ] && node "$TOKDIR/convert.mjs" "$TMP/tok" >/dev/null; then
    unit "$BUILD/tests/ai/tok_parity" "$TMP/tok/llama2.gguf" "$TMP/tok/llama2.cases"
    unit "$BUILD/tests/ai/tok_parity" "$TMP/tok/llama3.gguf" "$TMP/tok/llama3.cases"
else
    bad "reference tokenizers unavailable (run npm ci in $TOKDIR)"
fi

echo "-- HTTP server (tests/serve/http_echo)"
"$BUILD/tests/serve/http_echo" >"$TMP/echo.out" 2>"$TMP/echo.err" & ECHO_PID=$!; PIDS="$PIDS $ECHO_PID"
for _ in $(seq 50); do [ -s "$TMP/echo.out" ] && break; sleep 0.1; done
EP=$(awk '/^port/{print $2}' "$TMP/echo.out")
E="http://127.0.0.1:$EP"
check "echo with body" [ "$(curl -s -d hello "$E/echo?a=1")" = "$(printf 'POST /echo?a=1 len=5\nhello')" ]
check "404 route" [ "$(curl -s -o /dev/null -w '%{http_code}' "$E/nope")" = 404 ]
check "keep-alive reuses the connection" bash -c "curl -sv '$E/echo' '$E/echo' 2>&1 | grep -q 'Re-using existing connection'"
check "chunked request body" [ "$(printf 'abc%.0s' $(seq 1000) | curl -s -H 'Transfer-Encoding: chunked' --data-binary @- "$E/echo" | head -1)" = "POST /echo? len=3000" ]
check "Expect: 100-continue" bash -c "curl -sv -H 'Expect: 100-continue' -d x '$E/echo' 2>&1 | grep -q '< HTTP/1.1 100 Continue'"
pipelined() {
    exec 3<>"/dev/tcp/127.0.0.1/$EP"
    printf 'GET /echo?1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /echo?2 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhiGET /echo?3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&3
    timeout 5 cat <&3 >"$TMP/pipe.out"; exec 3<&-
    [ "$(grep -o 'HTTP/1.1 200' "$TMP/pipe.out" | wc -l)" = 3 ] && grep -q 'GET /echo?1' "$TMP/pipe.out" && grep -q 'POST /echo?2 len=2' "$TMP/pipe.out" && grep -q 'GET /echo?3' "$TMP/pipe.out"
}
check "pipelining: 3 requests in one write, 3 answers in order" pipelined
check "431 for a huge header" [ "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 9000 /dev/zero | tr '\0' a)" "$E/echo")" = 431 ]
check "413 for a huge body" [ "$(head -c 1100000 /dev/zero | curl -s -o /dev/null -w '%{http_code}' --data-binary @- "$E/echo")" = 413 ]
check "400 for garbage" bash -c "exec 3<>/dev/tcp/127.0.0.1/$EP; printf 'HELLO\r\n\r\n' >&3; timeout 3 head -1 <&3 | grep -q '^HTTP/1.1 400'"
check "408 for a slow client" bash -c "exec 3<>/dev/tcp/127.0.0.1/$EP; printf 'GET /echo HTTP/1.1\r\nHo' >&3; timeout 5 head -1 <&3 | grep -q '^HTTP/1.1 408'"
check "chunked streaming response" [ "$(curl -s -N "$E/stream?n=3" | tr '\n' ,)" = "chunk 0,chunk 1,chunk 2," ]
curl -s -N --max-time 0.35 "$E/stream?n=50" >/dev/null 2>&1
sleep 0.5
check "client disconnect stops the stream" grep -q "stream stopped at [0-9]" "$TMP/echo.err"
slow_vs_fast() {
    curl -s "$E/slow" >"$TMP/slow.out" & local sp=$!
    sleep 0.2
    local t0 t1; t0=$(date +%s%N); curl -s "$E/echo" >/dev/null; t1=$(date +%s%N)
    wait $sp
    [ $(( (t1 - t0) / 1000000 )) -lt 700 ] && [ "$(cat "$TMP/slow.out")" = slow ]
}
check "a blocking handler does not stall other connections" slow_vs_fast
many() {
    local pids=""
    for i in $(seq 20); do curl -s -d "n$i" "$E/echo" >"$TMP/many.$i" & pids="$pids $!"; done
    wait $pids
    for i in $(seq 20); do grep -q "^n$i\$" <(tail -n 1 "$TMP/many.$i"; echo) || return 1; done
}
check "20 concurrent requests" many
stop_echo() { kill -TERM "$ECHO_PID" && wait "$ECHO_PID"; }
check "SIGTERM stops the server cleanly (exit 0)" stop_echo
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
