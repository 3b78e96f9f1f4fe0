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
# SERVE_NO_MAKE=1 uses binaries already built (e.g. while another area's
# sources are mid-edit).
[ -n "${SERVE_NO_MAKE:-}" ] || make -s ${SAN:+SAN=1} serve-tests >"$TMP/make.log" 2>&1 || { cat "$TMP/make.log"; bad "build serve tests"; echo "$pass passed, $fail failed"; exit 1; }

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
unit "$BUILD/tests/serve/jsonfmt_test"

if command -v clang >/dev/null; then
    check "fuzz_http: 5 s of libFuzzer on the parser and chunked decoder" \
        bash -c "make -s ${SAN:+SAN=1} fuzz-http FUZZ_SECONDS=5 >'$TMP/fuzz.log' 2>&1 || { tail -20 '$TMP/fuzz.log'; exit 1; }"
    check "fuzz_tokenizer: 5 s of libFuzzer on both tokenizer families" \
        bash -c "make -s ${SAN:+SAN=1} fuzz-tokenizer FUZZ_SECONDS=5 >'$TMP/fuzz2.log' 2>&1 || { tail -20 '$TMP/fuzz2.log'; exit 1; }"
fi

echo "-- tokenizer parity with npm llama-tokenizer-js / llama3-tokenizer-js; pre-tokenizers vs JS regexes"
TOKDIR=tests/ai/tok
if [ ! -d "$TOKDIR/node_modules/llama3-tokenizer-js" ] && command -v npm >/dev/null; then
    (cd "$TOKDIR" && npm ci --silent >/dev/null 2>&1)
fi
if [ -d "$TOKDIR/node_modules/llama3-tokenizer-js" ] && node "$TOKDIR/convert.mjs" "$TMP/tok" >/dev/null; then
    unit "$BUILD/tests/ai/tok_parity" "$TMP/tok/llama2.gguf" "$TMP/tok/llama2.cases"
    unit "$BUILD/tests/ai/tok_parity" "$TMP/tok/llama3.gguf" "$TMP/tok/llama3.cases"
    unit "$BUILD/tests/ai/tok_pretok" "$TMP/tok/pretok.cases"
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
check "HTTP/1.0 keep-alive is answered with Connection: keep-alive" bash -c "curl -sv --http1.0 -H 'Connection: keep-alive' '$E/echo' '$E/echo' 2>&1 | grep -q 'Re-using existing connection'"
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
halfclose() {
    EP=$EP timeout 5 node -e '
const c=require("net").connect(+process.env.EP,"127.0.0.1",()=>c.end("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"));
let d="";c.on("data",b=>d+=b);c.on("end",()=>process.exit(d.startsWith("HTTP/1.1 200")&&d.endsWith("hi")?0:1));'
}
check "a half-closed client still gets its answer" halfclose
check "408 for a slow client" bash -c "exec 3<>/dev/tcp/127.0.0.1/$EP; printf 'GET /echo HTTP/1.1\r\nHo' >&3; timeout 5 head -1 <&3 | grep -q '^HTTP/1.1 408'"
check "chunked streaming response" [ "$(curl -s -N "$E/stream?n=3" | tr '\n' ,)" = "chunk 0,chunk 1,chunk 2," ]
curl -s -N --max-time 0.35 "$E/stream?n=50" >/dev/null 2>&1
# The server notices at its next write; poll for its log line (up to 10 s,
# a loaded CI machine under the sanitizers is slow) rather than sleep a guess.
stream_stopped() {
    for _ in $(seq 100); do grep -q "stream stopped at [0-9]" "$TMP/echo.err" && return 0; sleep 0.1; done
    return 1
}
check "client disconnect stops the stream" stream_stopped
slow_vs_fast() {
    curl -s "$E/slow" >"$TMP/slow.out" & local sp=$!
    sleep 0.2
    local t0 t1; t0=$(date +%s%N); curl -s "$E/echo" >/dev/null; t1=$(date +%s%N)
    wait $sp
    # blocked behind /slow, it would take >= 1300 ms
    [ $(( (t1 - t0) / 1000000 )) -lt 1100 ] && [ "$(cat "$TMP/slow.out")" = slow ]
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

# The same server with handlers run inline on the event loops.
"$BUILD/tests/serve/http_echo" --inline >"$TMP/echo2.out" 2>"$TMP/echo2.err" & ECHO_PID=$!; PIDS="$PIDS $ECHO_PID"
for _ in $(seq 50); do [ -s "$TMP/echo2.out" ] && break; sleep 0.1; done
EP=$(awk '/^port/{print $2}' "$TMP/echo2.out"); E="http://127.0.0.1:$EP"
check "inline handlers: pipelining" pipelined
check "inline handlers: chunked body" [ "$(printf 'xy%.0s' $(seq 500) | curl -s -H 'Transfer-Encoding: chunked' --data-binary @- "$E/echo" | head -1)" = "POST /echo? len=1000" ]
check "inline handlers: keep-alive" bash -c "curl -sv '$E/echo' '$E/echo' 2>&1 | grep -q 'Re-using existing connection'"
check "inline handlers: 20 concurrent requests" many
check "inline handlers: SIGTERM" stop_echo

echo "-- anywhere serve-model (a synthesised llama model, real HTTP client)"
ANY="$BUILD/anywhere"
if ! "$ANY" model synth -o "$TMP/tiny.gguf" --seed 7 >/dev/null 2>&1; then
    bad "anywhere model synth (needed for serve-model tests)"
    echo "$pass passed, $fail failed"; exit 1
fi
# A fake Ollama store: manifest -> blob, as `ollama pull` leaves them.
STORE="$TMP/ollama"
mkdir -p "$STORE/blobs" "$STORE/manifests/registry.ollama.ai/library/storemodel"
DIG=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
cp "$TMP/tiny.gguf" "$STORE/blobs/sha256-$DIG"
PDIG=fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210
printf '{"num_predict":3,"temperature":0}' >"$STORE/blobs/sha256-$PDIG"
printf '{"schemaVersion":2,"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:%s","size":1},{"mediaType":"application/vnd.ollama.image.params","digest":"sha256:%s","size":1}]}' "$DIG" "$PDIG" \
    >"$STORE/manifests/registry.ollama.ai/library/storemodel/1b"
PORT=$(( 20000 + RANDOM % 20000 ))
OLLAMA_MODELS="$STORE" "$ANY" serve-model --listen "127.0.0.1:$PORT" --model "tiny=$TMP/tiny.gguf" --threads 2 >"$TMP/sm.out" 2>"$TMP/sm.err" & SM_PID=$!; PIDS="$PIDS $SM_PID"
S="http://127.0.0.1:$PORT"
for _ in $(seq 100); do curl -s "$S/api/version" >/dev/null 2>&1 && break; sleep 0.1; done
# json FILE EXPR: evaluates a JS expression over each JSON line (array L) of FILE.
json() { node -e 'const fs=require("fs");const L=fs.readFileSync(process.argv[1],"utf8").split("\n").filter(x=>x).map(x=>JSON.parse(x));const r=('"$2"');process.exit(r?0:1)' "$1" 2>/dev/null; }
post() { curl -s -o "$TMP/$1" -w '%{http_code}' "$S$2" -d "$3"; }

check "GET /api/version" bash -c "curl -s '$S/api/version' | grep -q '\"version\"'"
curl -s "$S/api/tags" >"$TMP/tags"
check "/api/tags lists --model and Ollama-store models" json "$TMP/tags" 'L[0].models.map(m=>m.name).join()=="tiny:latest,storemodel:1b" && L[0].models[0].details.family=="llama" && L[0].models[1].digest=="'$DIG'"'
GEN='{"model":"tiny","prompt":"Why is the sky blue?","options":{"num_predict":8,"temperature":0,"seed":1}}'
post gen.ndjson /api/generate "$GEN" >/dev/null
check "/api/generate streams NDJSON chunks then a final object" json "$TMP/gen.ndjson" 'L.length>=2 && L.slice(0,-1).every(o=>o.done===false && typeof o.response=="string" && o.model=="tiny:latest" && /Z$/.test(o.created_at)) && L[L.length-1].done===true'
check "final stats: nanosecond durations and counts" json "$TMP/gen.ndjson" '(f=>["total_duration","load_duration","prompt_eval_count","prompt_eval_duration","eval_count","eval_duration"].every(k=>Number.isInteger(f[k])) && f.eval_count==8 && f.done_reason=="length" && f.total_duration>=f.eval_duration && Array.isArray(f.context))(L[L.length-1])'
post gen.json /api/generate "${GEN%\}}"',"stream":false}' >/dev/null
check "stream:false gives one object with the same text" bash -c "node -e '
const fs=require(\"fs\");const L=fs.readFileSync(\"$TMP/gen.ndjson\",\"utf8\").trim().split(\"\n\").map(JSON.parse);
const one=JSON.parse(fs.readFileSync(\"$TMP/gen.json\",\"utf8\"));
process.exit(one.done===true && one.response===L.map(o=>o.response).join(\"\") && one.eval_count===8 ?0:1)'"
post chat.ndjson /api/chat '{"model":"tiny","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}],"options":{"num_predict":4,"temperature":0}}' >/dev/null
check "/api/chat streams assistant messages" json "$TMP/chat.ndjson" 'L.slice(0,-1).every(o=>o.message.role=="assistant" && typeof o.message.content=="string") && L[L.length-1].done && L[L.length-1].eval_count==4'
post stop.json /api/generate '{"model":"tiny","prompt":"x","stream":false,"options":{"num_predict":30,"temperature":0}}' >/dev/null
STOPSTR=$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).response; const cs=[...r]; const s=cs.slice(3,5).join(""); process.stdout.write(JSON.stringify(s))' "$TMP/stop.json")
post stop2.json /api/generate '{"model":"tiny","prompt":"x","stream":false,"options":{"num_predict":30,"temperature":0,"stop":['"$STOPSTR"']}}' >/dev/null
check "options.stop cuts the output before the stop string" bash -c "node -e '
const fs=require(\"fs\");const a=JSON.parse(fs.readFileSync(\"$TMP/stop.json\",\"utf8\")).response, b=JSON.parse(fs.readFileSync(\"$TMP/stop2.json\",\"utf8\"));
const s=$STOPSTR; process.exit(b.done_reason==\"stop\" && b.response===a.slice(0,a.indexOf(s)) ?0:1)'"
ctxtest() {
    local c; c=$(node -e 'process.stdout.write(JSON.stringify(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).context))' "$TMP/gen.json")
    post ctx.json /api/generate '{"model":"tiny","prompt":"And then?","stream":false,"context":'"$c"',"options":{"num_predict":2,"temperature":0}}' >/dev/null
    json "$TMP/ctx.json" 'L[0].context.slice(0,'"$(echo "$c" | tr -cd , | wc -c)"'+1).join()=='"'${c//[\[\]]/}'"' && L[0].prompt_eval_count < L[0].context.length-2'
}
check "context continues an exchange, reusing the KV cache" ctxtest
jsonfmt() {
    local seed
    for seed in 1 2 3; do
        post fmt.json /api/generate '{"model":"tiny","prompt":"json","format":"json","stream":false,"options":{"num_predict":60,"seed":'$seed'}}' >/dev/null
        json "$TMP/fmt.json" '(r=>/^\s*\{/.test(r) && !/[\x00-\x08]/.test(r) && (L[0].done_reason!="stop" || typeof JSON.parse(r)=="object"))(L[0].response)' || return 1
    done
    [ "$(post fmt2.json /api/generate '{"model":"tiny","prompt":"x","format":"yaml"}')" = 400 ]
}
check "format json: output is (a prefix of) one JSON object; other formats 400" jsonfmt
post emb.json /api/embed '{"model":"tiny","input":["hello","world"]}' >/dev/null
check "/api/embed returns normalised vectors" json "$TMP/emb.json" '(e=>e.length==2 && e[0].length==256 && Math.abs(Math.hypot(...e[0])-1)<1e-3 && L[0].prompt_eval_count>0)(L[0].embeddings)'
post emb1.json /api/embeddings '{"model":"tiny","prompt":"hello"}' >/dev/null
check "/api/embeddings (legacy) returns one vector" json "$TMP/emb1.json" 'L[0].embedding.length==256'
post show.json /api/show '{"model":"tiny"}' >/dev/null
check "/api/show has details and model_info" json "$TMP/show.json" 'L[0].details.format=="gguf" && L[0].model_info["general.architecture"]=="llama" && L[0].model_info["llama.context_length"]==2048 && L[0].model_info["tokenizer.ggml.tokens"]===null'
check "/api/ps lists the loaded model" bash -c "curl -s '$S/api/ps' | grep -q '\"name\":\"tiny:latest\"'"
curl -s "$S/api/ps" >"$TMP/ps.json"
# weights + KV cache (2 x 2 layers x 2048 x 256 F16 = 4 MiB) + scratch; all in main memory
check "/api/ps size counts the context's memory, size_vram is 0" json "$TMP/ps.json" '(e=>e.size>'"$(stat -c %s "$TMP/tiny.gguf")"'+4194304 && e.size_vram===0)(L[0].models.find(m=>m.name=="tiny:latest"))'
embkeep() {
    # a chat turn, an embedding, then the next turn: its prompt reuses the cached prefix
    local first='{"model":"tiny","prompt":"A long enough shared prefix for the cache test","stream":false,"options":{"num_predict":2,"temperature":0}}'
    post ek1.json /api/generate "$first" >/dev/null
    post ek2.json /api/embed '{"model":"tiny","input":"something else"}' >/dev/null
    post ek3.json /api/generate "${first/test/test, again}" >/dev/null
    json "$TMP/ek3.json" 'L[0].prompt_eval_count < 6'
}
check "an embedding request keeps the generation cache" embkeep
check "Ollama store model served by name" [ "$(post store.json /api/generate '{"model":"storemodel:1b","prompt":"hi","stream":false,"options":{"num_predict":2}}')" = 200 ]
check "Ollama store model: its params layer gives default options" bash -c "[ \"\$(curl -s -o '$TMP/store2.json' -w '%{http_code}' '$S/api/generate' -d '{\"model\":\"storemodel:1b\",\"prompt\":\"hi\",\"stream\":false}')\" = 200 ] && node -e 'process.exit(JSON.parse(require(\"fs\").readFileSync(process.argv[1],\"utf8\")).eval_count<=3?0:1)' '$TMP/store2.json'"

echo "-- OpenAI-compatible routes"
# Exact token counts need greedy decoding: a sampled </s> (the seed is the
# clock) would end an answer early now and then.
curl -s -N "$S/v1/chat/completions" -d '{"model":"tiny","messages":[{"role":"user","content":"Hi"}],"stream":true,"max_tokens":5,"temperature":0,"stream_options":{"include_usage":true}}' >"$TMP/sse.txt"
check "SSE framing: data: lines, blank separators, [DONE] last" bash -c "
    grep -v '^\$' '$TMP/sse.txt' | grep -vq '^data: ' && exit 1
    [ \"\$(grep -v '^\$' '$TMP/sse.txt' | tail -n 1)\" = 'data: [DONE]' ] || exit 1
    grep '^data: {' '$TMP/sse.txt' | sed 's/^data: //' >'$TMP/sse.json'"
check "SSE chunks are chat.completion.chunk with a finish_reason and usage" json "$TMP/sse.json" 'L.every(o=>o.object=="chat.completion.chunk") && L.some(o=>o.choices.length && o.choices[0].finish_reason=="length") && L[L.length-1].usage.completion_tokens==5'
post oai.json /v1/chat/completions '{"model":"tiny","messages":[{"role":"user","content":"Hi"}],"max_tokens":3,"temperature":0}' >/dev/null
check "/v1/chat/completions non-streaming" json "$TMP/oai.json" 'L[0].object=="chat.completion" && L[0].choices[0].message.role=="assistant" && L[0].usage.completion_tokens==3'
curl -s -N "$S/v1/completions" -d '{"model":"tiny","prompt":"Once","stream":true,"max_tokens":3}' >"$TMP/sse2.txt"
check "/v1/completions streams text_completion events" bash -c "grep -q '\"object\":\"text_completion\"' '$TMP/sse2.txt' && tail -n 2 '$TMP/sse2.txt' | grep -q 'data: \\[DONE\\]'"
post oemb.json /v1/embeddings '{"model":"tiny","input":"hello"}' >/dev/null
check "/v1/embeddings" json "$TMP/oemb.json" 'L[0].object=="list" && L[0].data[0].embedding.length==256'
check "/v1/models" bash -c "curl -s '$S/v1/models' | grep -q '\"id\":\"tiny:latest\"'"

echo "-- errors: the server answers them and keeps serving"
check "bad JSON -> 400 with a message" bash -c "[ \"\$(curl -s -o '$TMP/e1' -w '%{http_code}' '$S/api/generate' -d '{\"model\":')\" = 400 ] && grep -q 'invalid JSON' '$TMP/e1'"
check "unknown model -> 404 naming the models" bash -c "[ \"\$(curl -s -o '$TMP/e2' -w '%{http_code}' '$S/api/chat' -d '{\"model\":\"nope\",\"messages\":[]}')\" = 404 ] && grep -q 'tiny:latest' '$TMP/e2'"
check "OpenAI error shape for unknown model" bash -c "[ \"\$(curl -s -o '$TMP/e3' -w '%{http_code}' '$S/v1/chat/completions' -d '{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}')\" = 404 ] && grep -q '\"error\":{\"message\"' '$TMP/e3'"
LONG=$(printf 'word %.0s' $(seq 200))
check "context overflow -> 400" bash -c "[ \"\$(curl -s -o '$TMP/e4' -w '%{http_code}' '$S/api/generate' -d '{\"model\":\"tiny\",\"prompt\":\"$LONG\",\"options\":{\"num_ctx\":64}}')\" = 400 ] && grep -q 'context' '$TMP/e4'"
check "wrong option type -> 400 naming it" bash -c "curl -s '$S/api/generate' -d '{\"model\":\"tiny\",\"prompt\":\"x\",\"options\":{\"temperature\":\"hot\"}}' | grep -q 'options.temperature'"
check "still serving after errors" [ "$(post after.json /api/generate '{"model":"tiny","prompt":"x","stream":false,"options":{"num_predict":1}}')" = 200 ]

echo "-- concurrency and cancellation"
REQ='{"model":"tiny","prompt":"The same prompt","stream":false,"options":{"num_predict":12,"temperature":0}}'
post ref.json /api/generate "$REQ" >/dev/null
conc() {
    local pids="" other='{"model":"tiny","prompt":"A different prompt entirely","stream":false,"options":{"num_predict":12,"temperature":0}}'
    for i in 1 2 3 4; do curl -s "$S/api/generate" -d "$REQ" -o "$TMP/c$i.json" & pids="$pids $!"; curl -s "$S/api/generate" -d "$other" -o "$TMP/o$i.json" & pids="$pids $!"; done
    wait $pids
    node -e '
const fs=require("fs");const r=s=>JSON.parse(fs.readFileSync(process.argv[1]+s,"utf8")).response;
const ref=r("/ref.json"); let ok=true;
for (const i of [1,2,3,4]) { ok = ok && r("/c"+i+".json")===ref && r("/o"+i+".json")===r("/o1.json"); }
process.exit(ok?0:1)' "$TMP"
}
check "8 concurrent requests queue per model and match sequential output" conc
disconnect() {
    # A random model may end early with EOS: try prompts until a stream is
    # still running when the client hangs up.
    local p cp hung=""
    # Hang up as soon as the first tokens arrive (a fast machine generates
    # the whole answer in well under a second); the stream counts as cut
    # when what arrived has no final "done" line.
    local i
    for p in hello go x again; do
        : >"$TMP/dc.ndjson"
        curl -s -N "$S/api/generate" -d '{"model":"tiny","prompt":"'$p'","options":{"num_predict":1500,"temperature":0}}' >"$TMP/dc.ndjson" & cp=$!
        for i in $(seq 500); do [ -s "$TMP/dc.ndjson" ] && break; sleep 0.01; done
        kill "$cp" 2>/dev/null; wait "$cp" 2>/dev/null
        grep -q '"done": *true' "$TMP/dc.ndjson" || { hung=1; break; }
    done
    [ -n "$hung" ] || { echo "disconnect: every stream had ended before the client hung up"; return 1; }
    local t0 code; t0=$(date +%s%N)
    code=$(post dc2.json /api/generate '{"model":"tiny","prompt":"x","stream":false,"options":{"num_predict":1}}')
    local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    # the log line is written before the model is released to the next request
    grep -q 'client went away; generation stopped after' "$TMP/sm.err" && [ "$code" = 200 ] && [ "$ms" -lt 3000 ] ||
        { echo "disconnect: next request $code after $ms ms; log:"; tail -n 5 "$TMP/sm.err"; return 1; }
}
check "client disconnect mid-stream stops generation" disconnect
prompt_abort() {
    # a bigger model and a prompt that takes many seconds to evaluate: the
    # client hangs up during it, and the model is free again right away
    "$ANY" model synth -o "$TMP/med.gguf" --type q4_0 --dim 512 --layers 8 --heads 8 --kv-heads 8 --ff 1536 --seed 3 >/dev/null || return 1
    local port=$(( PORT + 1 )) words; words=$(printf 'word %.0s' $(seq 700))
    "$ANY" serve-model --listen "127.0.0.1:$port" --model "med=$TMP/med.gguf" --threads 2 >/dev/null 2>"$TMP/pa.err" & local sp=$!
    PIDS="$PIDS $sp"
    for _ in $(seq 100); do curl -s "http://127.0.0.1:$port/api/version" >/dev/null 2>&1 && break; sleep 0.1; done
    curl -s -o /dev/null "http://127.0.0.1:$port/api/generate" -d '{"model":"med","prompt":"x","stream":false,"options":{"num_predict":1,"num_ctx":4096}}'
    curl -s -N --max-time 1 "http://127.0.0.1:$port/api/generate" -d '{"model":"med","prompt":"'"$words"'","options":{"num_predict":5,"num_ctx":4096}}' >/dev/null 2>&1
    local t0; t0=$(date +%s%N)
    local code; code=$(curl -s -o "$TMP/pa.json" -w '%{http_code}' "http://127.0.0.1:$port/api/generate" -d '{"model":"med","prompt":"x","stream":false,"options":{"num_predict":1,"num_ctx":4096}}')
    local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    kill "$sp"; wait "$sp" 2>/dev/null
    [ "$code" = 200 ] && grep -q 'client went away; generation stopped after 0 tokens' "$TMP/pa.err" && [ "$ms" -lt 3000 ] || { echo "prompt_abort: code $code, ${ms} ms"; cat "$TMP/pa.err"; return 1; }
}
check "client disconnect during a long prompt stops its evaluation" prompt_abort
keepalive() {
    post ka.json /api/generate '{"model":"tiny","keep_alive":0}' >/dev/null
    json "$TMP/ka.json" 'L[0].done_reason=="unload"' && ! curl -s "$S/api/ps" | grep -q tiny:latest
}
check "keep_alive 0 unloads the model" keepalive
keepalive2() {
    post ka2.json /api/generate '{"model":"tiny","prompt":"x","keep_alive":"1s","options":{"num_predict":1}}' >/dev/null
    curl -s "$S/api/ps" | grep -q tiny:latest || return 1
    sleep 2.5
    ! curl -s "$S/api/ps" | grep -q tiny:latest
}
check "keep_alive \"1s\" unloads after idling" keepalive2
stop_sm() {
    # with a long generation streaming: it is wound down, not waited for
    local p cp
    for p in hello go x again; do
        curl -s -N "$S/api/generate" -d '{"model":"tiny","prompt":"'$p'","options":{"num_predict":1500,"temperature":0}}' >/dev/null & cp=$!
        sleep 0.5
        kill -0 "$cp" 2>/dev/null && break
    done
    local t0; t0=$(date +%s%N)
    kill -TERM "$SM_PID" && wait "$SM_PID" || return 1
    wait "$cp" 2>/dev/null
    [ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 3000 ]
}
check "serve-model exits 0 on SIGTERM, mid-stream, within 3 s" stop_sm

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
