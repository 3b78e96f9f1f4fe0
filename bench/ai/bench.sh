#!/bin/sh
# bench/ai/bench.sh [BUILD] — Anywhere vs llama.cpp (node-llama-cpp 3.21.1,
# prebuilt CPU binaries) on the same synthesised ~134M-parameter llama
# (dim 768, 12 layers, 12 heads, ff 2048, vocab 32000) in Q8_0, Q4_0, Q4_K and
# Q4_K_M (Q4_K with Q6_K ffn_down, attn_v, output): prompt processing (PP tokens) and greedy generation (TG tokens)
# tokens/s with 1 and 2 threads, each engine at its best thread count, and
# peak RSS against the file size. Needs tests/ai/ref/node_modules.
# Environment: PP (default 128), TG (default 64), TYPES, THREADS.
set -u
BUILD=${1:-build}
AW=$BUILD/anywhere
PP=${PP:-128}; TG=${TG:-64}
TYPES=${TYPES:-"q8_0 q4_0 q4_k q4_k_m"}
THREADS=${THREADS:-"1 2"}
DIR=$BUILD/bench-ai
mkdir -p "$DIR"
[ -d tests/ai/ref/node_modules/node-llama-cpp ] || { echo "bench: tests/ai/ref/node_modules is missing (cd tests/ai/ref && NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm ci --omit=optional)"; exit 2; }
PROMPT=$(awk -v n="$PP" 'BEGIN { for (i = 0; i < n; i++) printf "%s%d", (i ? "," : ""), 100 + (i * 7) % 1000 }')
field() { sed -E "s/.*$1=([0-9.]+).*/\1/"; }
best() { sort -g | tail -n 1; }
printf "%-6s %8s | %9s %9s %6s | %9s %9s %6s | %8s %8s | %s\n" type file_MB aw_pp ref_pp pp_x aw_tg ref_tg tg_x aw_rssMB ref_rssMB threads
for t in $TYPES; do
    m=$DIR/llama134m-$t.gguf
    [ -f "$m" ] || "$AW" model synth -o "$m" --type "$t" --dim 768 --layers 12 --heads 12 --kv-heads 12 --ff 2048 --vocab 32000 --seed 1 || exit 1
    size=$(( $(stat -c %s "$m") / 1048576 ))
    : > "$DIR/aw.txt"; : > "$DIR/ref.txt"
    for th in $THREADS; do
        # interleave the engines so background load affects both alike
        "$AW" model run "$m" --tokens "$PROMPT" -n $((TG + 1)) --threads "$th" --timing 2>&1 >/dev/null | grep '^anywhere' | sed "s/\$/ th=$th/" >> "$DIR/aw.txt"
        node bench/ai/bench_ref.mjs "$m" "$PP" "$TG" "$th" | sed "s/\$/ th=$th/" >> "$DIR/ref.txt"
    done
    awpp=$(field pp < "$DIR/aw.txt" | best); rfpp=$(field pp < "$DIR/ref.txt" | best)
    awtg=$(field tg < "$DIR/aw.txt" | best); rftg=$(field tg < "$DIR/ref.txt" | best)
    awrss=$(field rss_mb < "$DIR/aw.txt" | best); rfrss=$(field rss_mb < "$DIR/ref.txt" | best)
    per=$(awk -v t="$THREADS" 'BEGIN{}{printf "%s ", $0}' "$DIR/aw.txt" "$DIR/ref.txt" | sed -E 's/ (kernels|prompt|generated)=[^ ]*//g')
    printf "%-6s %8s | %9s %9s %6.2f | %9s %9s %6.2f | %8s %8s | %s\n" "$t" "$size" "$awpp" "$rfpp" \
        "$(echo "$awpp $rfpp" | awk '{print $1/$2}')" "$awtg" "$rftg" "$(echo "$awtg $rftg" | awk '{print $1/$2}')" "$awrss" "$rfrss" "$per"
done
echo "pp_x, tg_x: Anywhere / llama.cpp, each at its best thread count; RSS: peak resident set (llama.cpp's includes the node runtime)."
