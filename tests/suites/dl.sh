#!/bin/sh
# tests/suites/dl.sh BUILD_DIR — the optional libraries (libcurl, SQLite,
# hiredis, OpenSSL) and cJSON loaded on first use (src/dl/dl.h,
# src/json/json.h, mk/dl.mk):
#   - the executable does not link them (ldd), and `anywhere run` of a WASI
#     hello loads none of them (LD_DEBUG=files);
#   - each still works when first used: SQLite and Redis key-value, outbound
#     HTTP (libcurl), SHA-256 (libcrypto, `registry push`), TLS (libssl,
#     `registry pull` against a plain-HTTP peer: the handshake is tried),
#     JSON (cJSON: `spectest`, `serve-model`);
#   - a missing library is a clear error naming it and the package to
#     install, on the feature's normal error path (the server keeps
#     serving). ANYWHERE_DL_<LIB> names a soname to open instead, here one
#     that does not exist. cJSON is a hard dependency: without it a JSON
#     command stops with the reason and exit status 1, never a crash.
# A DL_DIRECT=1 build links the libraries (BUILD/obj/dl-mode says "direct"):
# there only the features are checked.
# Last line: "N passed, N failed".
set -u
BUILD=${1:-${BUILD:-build}}
AW=$(cd "$(dirname "$BUILD/anywhere")" && pwd)/anywhere
G=$(cd "$BUILD/tests/app" 2>/dev/null && pwd)
ROOT=$(pwd)
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { name=$1; shift; if "$@"; then ok; else bad "$name"; fi; }
contains() { printf '%s' "$1" | grep -q -- "$2" || { echo "  got: [$1]"; echo "  want: [$2]"; return 1; }; }
lacks() { ! printf '%s' "$1" | grep -q -- "$2" || { echo "  got: [$1]"; echo "  unwanted: [$2]"; return 1; }; }

if [ ! -x "$AW" ] || [ -z "$G" ] || [ ! -f "$G/caps.wasm" ]; then
    echo "dl.sh: build first (make BUILD=$BUILD all app-tests)"; echo "0 passed, 1 failed"; exit 1
fi
mode=$(cat "$BUILD/obj/dl-mode" 2>/dev/null || echo dlopen)

T=$(mktemp -d)
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT

# ---- not linked, not loaded at start ------------------------------------------------
deps=$(ldd "$AW" 2>&1)
if [ "$mode" = direct ]; then
    echo "(DL_DIRECT build: the libraries are linked, shared or, with STATIC=1, some from archives)"
else
    for lib in libcurl libsqlite3 libhiredis libssl libcrypto libcjson; do
        check "ldd: anywhere does not link $lib" lacks "$deps" "$lib\."
    done
    needed=$(readelf -d "$AW" | grep NEEDED)
    check "readelf: libcjson is not NEEDED" lacks "$needed" "libcjson"
fi
if clang --target=wasm32-wasi --sysroot=/usr -O2 -o "$T/hello.wasm" "$ROOT/tests/wasi/hello.c" 2>"$T/clang.err"; then
    out=$(LD_DEBUG=files "$AW" run "$T/hello.wasm" 2>"$T/ld.log")
    check "run: hello.wasm runs" contains "$out" "hello, world"
    if [ "$mode" != direct ]; then
        check "run: no optional library is loaded (LD_DEBUG=files)" \
            lacks "$(cat "$T/ld.log")" "file=lib\(curl\|sqlite3\|hiredis\|ssl\|crypto\|cjson\)\."
    fi
else
    bad "clang cannot build tests/wasi/hello.c for wasm32-wasi: $(cat "$T/clang.err")"
fi

# ---- an app using libcurl, SQLite and Redis --------------------------------------------
# up NAME ARGS...: starts anywhere up on a free port; sets PORT and PID.
# UP_LD_DEBUG: the server's LD_DEBUG (what the dynamic loader reports).
UP_LD_DEBUG=
up() {
    name=$1; shift
    LD_DEBUG=$UP_LD_DEBUG "$AW" up --listen 127.0.0.1:0 "$@" > "$T/$name.out" 2> "$T/$name.err" &
    PID=$!; PIDS="$PIDS $PID"; PORT=
    for _ in $(seq 1 100); do
        PORT=$(grep -o '127.0.0.1:[0-9]*' "$T/$name.out" 2>/dev/null | head -1 | cut -d: -f2)
        [ -n "$PORT" ] && return 0
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "could not start $name:"; cat "$T/$name.err"; return 1
}
get() { curl -s --max-time 60 "http://127.0.0.1:$PORT$1"; }
stop() { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A loopback peer: outbound HTTP's target, and a registry that speaks no TLS.
mkdir -p "$T/www"; echo "peer says hi" > "$T/www/hello.txt"
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$T/www" > "$T/peer.out" 2>&1 & PIDS="$PIDS $!"
P1=
for _ in $(seq 1 100); do P1=$(grep -o 'port [0-9]*' "$T/peer.out" | cut -d' ' -f2); [ -n "$P1" ] && break; sleep 0.05; done

stores='"default"'
rc="$T/rc.toml"; : > "$rc"
if command -v redis-server >/dev/null; then
    RP=$(free_port)
    redis-server --port "$RP" --bind 127.0.0.1 --save "" --appendonly no --dir "$T" > "$T/redis.log" 2>&1 &
    PIDS="$PIDS $!"
    for _ in $(seq 1 100); do redis-cli -p "$RP" ping 2>/dev/null | grep -q PONG && break; sleep 0.05; done
    printf '[key_value_store.cache]\ntype = "redis"\nurl = "redis://127.0.0.1:%s/3"\n' "$RP" > "$rc"
    stores='"default", "cache"'
else
    bad "redis-server not installed (apt-get install redis-server)"
fi
mkdir -p "$T/app"
cat > "$T/app/spin.toml" <<TOML
spin_manifest_version = 2
[application]
name = "dl"
[variables]
token = { default = "x" }
[[trigger.http]]
route = "/caps"
component = "caps"
[component.caps]
source = "$G/caps.wasm"
key_value_stores = [$stores]
allowed_outbound_hosts = ["http://127.0.0.1:$P1"]
variables = { greeting = "hello", tok = "{{ token }}", dot = "x" }
TOML

loaded() { grep -q "file=$1\." "$T/works.err"; }
UP_LD_DEBUG=files
if up works -f "$T/app" --runtime-config-file "$rc" --state-dir "$T/state"; then
    check "up: serves" contains "$(get '/caps?op=var&name=greeting')" "hello"
    if [ "$mode" != direct ]; then
        check "up: an app that has not used them loads none (LD_DEBUG=files)" \
            sh -c "! grep -q 'file=lib\(curl\|sqlite3\|hiredis\|ssl\|crypto\|cjson\)\.' '$T/works.err'"
    fi
    check "sqlite: set and get on first use" contains "$(get '/caps?op=kv-set&key=k&value=v')$(get '/caps?op=kv-get&key=k')" "okv"
    check "curl: an outbound request on first use" contains "$(get "/caps?op=http&url=http://127.0.0.1:$P1/hello.txt")" "peer says hi"
    check "curl: loaded by then" loaded libcurl
    if [ "$stores" != '"default"' ]; then
        check "hiredis: set and get on first use" contains \
            "$(get '/caps?op=kv-set&store=cache&key=r&value=rv')$(get '/caps?op=kv-get&store=cache&key=r')" "okrv"
    fi
    stop
fi
UP_LD_DEBUG=

# libcrypto: push hashes the app's files (a registry that is not there: the
# push gets past hashing to the connection); libssl: pull from a peer that
# answers TLS with plain HTTP gets as far as a failed handshake.
mkdir -p "$T/pushme"
printf 'spin_manifest_version = 2\n[application]\nname = "p"\n[[trigger.http]]\nroute = "/"\ncomponent = "c"\n[component.c]\nsource = "c.wasm"\n' \
    > "$T/pushme/spin.toml"
cp "$T/hello.wasm" "$T/pushme/c.wasm" 2>/dev/null || cp "$G/caps.wasm" "$T/pushme/c.wasm"
NP=$(free_port)
e=$("$AW" registry push "$T/pushme" "127.0.0.1:$NP/dl/app:1" --insecure 2>&1)
check "crypto: push hashes its files and reaches the (absent) registry" contains "$e" "127.0.0.1:$NP"
check "crypto: ... without a libcrypto error" lacks "$e" "libcrypto"
e=$("$AW" registry pull "127.0.0.1:$P1/dl/app:1" -o "$T/pulled" 2>&1)
check "ssl: pull tries a TLS handshake" contains "$e" "TLS handshake with 127.0.0.1 failed"

# cJSON: the spec-test runner reads wast2json's JSON; serve-model answers in JSON.
JSON_OK=
if command -v wast2json >/dev/null; then
    printf '(module (func (export "f") (result i32) i32.const 7))\n(assert_return (invoke "f") (i32.const 7))\n' > "$T/seven.wast"
    if wast2json "$T/seven.wast" -o "$T/seven.json" 2>"$T/wast2json.err"; then
        JSON_OK=1
        out=$(LD_DEBUG=files "$AW" spectest "$T/seven.json" 2>"$T/json-ld.log")
        check "cjson: spectest reads its JSON on first use" contains "$out" "1 passed, 0 failed"
        [ "$mode" = direct ] || check "cjson: loaded by then" grep -q "file=libcjson\." "$T/json-ld.log"
    else
        bad "wast2json: $(cat "$T/wast2json.err")"
    fi
else
    bad "wast2json not installed (apt-get install wabt)"
fi
# serve_model LOG: starts serve-model on a free port with an empty model store; sets PORT and PID.
serve_model() {
    mkdir -p "$T/ollama"
    OLLAMA_MODELS="$T/ollama" "$AW" serve-model --listen 127.0.0.1:0 > "$T/$1" 2>&1 &
    PID=$!; PIDS="$PIDS $PID"; PORT=
    for _ in $(seq 1 100); do
        PORT=$(grep -o '(port [0-9]*' "$T/$1" 2>/dev/null | cut -d' ' -f2)
        [ -n "$PORT" ] && return 0
        kill -0 "$PID" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}
if serve_model sm.log; then
    check "cjson: serve-model answers /api/tags in JSON" contains "$(get /api/tags)" '{"models":\[\]}'
    stop
else
    bad "serve-model did not start: $(cat "$T/sm.log")"
fi

# ---- a missing library: a clear error, no crash -------------------------------------------
if [ "$mode" = direct ]; then
    echo "(DL_DIRECT build: the libraries are linked; the missing-library checks do not apply)"
else
    export ANYWHERE_DL_CURL=libanywhere-test-missing-curl.so.4 ANYWHERE_DL_SQLITE=libanywhere-test-missing-sqlite3.so.0 \
        ANYWHERE_DL_HIREDIS=libanywhere-test-missing-hiredis.so ANYWHERE_DL_CRYPTO=libanywhere-test-missing-crypto.so.3 \
        ANYWHERE_DL_SSL=libanywhere-test-missing-ssl.so.3
    if up missing -f "$T/app" --runtime-config-file "$rc" --state-dir "$T/state2"; then
        r=$(get '/caps?op=kv-get&key=k')
        check "missing sqlite: the guest reads why" contains "$r" "the SQLite key-value store needs libsqlite3 (libanywhere-test-missing-sqlite3.so.0: cannot open"
        check "missing sqlite: ... and what to install" contains "$r" "install libsqlite3-0"
        r=$(get "/caps?op=http&url=http://127.0.0.1:$P1/hello.txt")
        check "missing curl: the guest reads why" contains "$r" "outbound HTTP needs libcurl (libanywhere-test-missing-curl.so.4: cannot open"
        check "missing curl: ... and what to install" contains "$r" "install libcurl4"
        check "missing curl: the server logs it for the operator" grep -q "outbound HTTP needs libcurl" "$T/missing.err"
        if [ "$stores" != '"default"' ]; then
            check "missing hiredis: the guest reads why" contains "$(get '/caps?op=kv-get&store=cache&key=r')" \
                "the Redis key-value store needs libhiredis (libanywhere-test-missing-hiredis.so"
        fi
        check "missing libraries: the server still serves" contains "$(get '/caps?op=var&name=greeting')" "hello"
        stop
    fi
    e=$("$AW" registry push "$T/pushme" "127.0.0.1:$NP/dl/app:1" --insecure 2>&1); st=$?
    check "missing libcrypto: push fails" [ "$st" -ne 0 ]
    check "missing libcrypto: ... saying why" contains "$e" "need OpenSSL's libcrypto (libanywhere-test-missing-crypto.so.3: cannot open"
    check "missing libcrypto: ... and what to install" contains "$e" "install libssl3"
    unset ANYWHERE_DL_CRYPTO
    e=$("$AW" registry pull "127.0.0.1:$P1/dl/app:1" -o "$T/pulled" 2>&1)
    check "missing libssl: pull says why" contains "$e" "TLS to a registry needs OpenSSL's libssl (libanywhere-test-missing-ssl.so.3: cannot open"
    unset ANYWHERE_DL_CURL ANYWHERE_DL_SQLITE ANYWHERE_DL_HIREDIS ANYWHERE_DL_SSL
    export ANYWHERE_DL_CJSON=libanywhere-test-missing-cjson.so.1
    want="anywhere: JSON support needs libcjson (libanywhere-test-missing-cjson.so.1: cannot open"
    if [ -n "$JSON_OK" ]; then
        e=$("$AW" spectest "$T/seven.json" 2>&1); st=$?
        check "missing cjson: spectest exits with status 1, no crash ($st)" [ "$st" -eq 1 ]
        check "missing cjson: ... saying why" contains "$e" "$want"
        check "missing cjson: ... and what to install" contains "$e" "install libcjson1"
    fi
    if serve_model sm-missing.log; then
        bad "missing cjson: serve-model started anyway"; stop
    else
        wait "$PID"; st=$?
        check "missing cjson: serve-model stops at start with status 1 ($st)" [ "$st" -eq 1 ]
        check "missing cjson: ... saying why" contains "$(cat "$T/sm-missing.log")" \
            "anywhere serve-model: JSON support needs libcjson (libanywhere-test-missing-cjson.so.1: cannot open"
    fi
    unset ANYWHERE_DL_CJSON
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
