#!/bin/sh
# bench/http/llm.sh [BUILD_DIR] — issue 6's benchmark: examples/llm-chat
# answering the same prompt (a) with the local backend (the model runs in
# the `anywhere up` process) and (b) with the ollama backend to `anywhere
# serve-model` (one HTTP hop per request), plus (c) serve-model's
# /api/generate called directly (no sandbox): requests/s and p50/p99 with
# wrk, same run, same settings, and the ratios. The model is synthesised
# (`anywhere model synth`), so the figures measure the plumbing around a
# small model, not a real model's speed.
# Needs: wrk; examples/llm-chat/chat.wasm (make app-examples).
# Knobs: DURATION (s, default 5), CONNS (default 4), THREADS (default 2), TOKENS (default 16).
set -eu
BUILD=${1:-build}
DURATION=${DURATION:-5}; CONNS=${CONNS:-4}; THREADS=${THREADS:-2}; TOKENS=${TOKENS:-16}
AW=$(cd "$(dirname "$BUILD/anywhere")" && pwd)/anywhere
command -v wrk >/dev/null || { echo "bench/http/llm.sh: wrk is needed (apt-get install wrk)"; exit 1; }
[ -f examples/llm-chat/chat.wasm ] || { echo "bench/http/llm.sh: make app-examples first"; exit 1; }
T=$(mktemp -d)
PIDS=
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null || true; done; rm -rf "$T"; }
trap cleanup EXIT
mkdir -p "$T/state/ai-models"
"$AW" model synth -o "$T/state/ai-models/tiny.gguf" >/dev/null 2>&1
port() { # port FILE: the port a server printed
    for _ in $(seq 1 200); do
        p=$(grep -o 'http://127.0.0.1:[0-9]*\|(port [0-9]*' "$1" 2>/dev/null | head -1 | grep -o '[0-9]*$' || true); [ -n "$p" ] && { echo "$p"; return; }
        sleep 0.05
    done
    echo "bench/http/llm.sh: a server did not start: $(cat "$1")" >&2; exit 1
}
"$AW" serve-model --listen 127.0.0.1:0 --model "tiny=$T/state/ai-models/tiny.gguf" > "$T/serve.out" 2>&1 &
PIDS="$PIDS $!"; SP=$(port "$T/serve.out")
printf '[llm_compute]\ntype = "ollama"\nurl = "http://127.0.0.1:%s"\n' "$SP" > "$T/rc.toml"
"$AW" up -f examples/llm-chat --listen 127.0.0.1:0 --access-log off --state-dir "$T/state" > "$T/local.out" 2>&1 &
PIDS="$PIDS $!"; LP=$(port "$T/local.out")
mkdir -p "$T/empty"
"$AW" up -f examples/llm-chat --listen 127.0.0.1:0 --access-log off --state-dir "$T/empty" --runtime-config-file "$T/rc.toml" > "$T/oll.out" 2>&1 &
PIDS="$PIDS $!"; OP=$(port "$T/oll.out")

Q="prompt=Why%20is%20the%20sky%20blue%3F&max_tokens=$TOKENS"
for u in "http://127.0.0.1:$LP/chat?$Q" "http://127.0.0.1:$OP/chat?$Q"; do
    curl -sf --max-time 60 "$u" >/dev/null || { echo "bench/http/llm.sh: $u fails"; exit 1; }
done
cat > "$T/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"model":"tiny","prompt":"Why is the sky blue?","stream":false,"options":{"num_predict":$TOKENS}}'
wrk.headers["Content-Type"] = "application/json"
LUA

ms() { awk -v p="$1" '$1 == p { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 } print v }'; }
run() { # run NAME URL [wrk args]
    n=$1 u=$2; shift 2
    wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$@" "$u" > "$T/$n.txt"
    rps=$(awk '/^Requests\/sec/ { print $2 }' "$T/$n.txt")
    p50=$(ms 50% < "$T/$n.txt"); p99=$(ms 99% < "$T/$n.txt")
    errs=$(grep -E "Non-2xx|Socket errors" "$T/$n.txt" || true)
    echo "$n: $rps requests/s, p50 ${p50} ms, p99 ${p99} ms ${errs:+($errs)}"
    eval "${n}_rps=$rps ${n}_p50=$p50 ${n}_p99=$p99"
}
echo "wrk -t$THREADS -c$CONNS -d${DURATION}s, max $TOKENS tokens, on $(nproc) CPUs"
run local "http://127.0.0.1:$LP/chat?$Q"
run ollama "http://127.0.0.1:$OP/chat?$Q"
run direct "http://127.0.0.1:$SP/api/generate" -s "$T/post.lua"
awk -v l="$local_rps" -v o="$ollama_rps" -v d="$direct_rps" -v l5="$local_p50" -v o5="$ollama_p50" -v d5="$direct_p50" \
    'BEGIN { printf "ratio: local/ollama requests/s %.2f, p50 ollama/local %.2fx; ollama-backend/direct serve-model requests/s %.2f, p50 %.2fx\n", l / o, o5 / l5, o / d, o5 / d5 }'
