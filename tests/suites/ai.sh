#!/bin/sh
# tests/suites/ai.sh BUILD — the inference engine: C unit tests (SIMD and
# scalar kernels), the `anywhere model` CLI, and parity with llama.cpp
# (node-llama-cpp, installed by .ci/run under tests/ai/ref/node_modules).
# Last line: "N passed, N failed".
set -u
BUILD=${1:-build}
AW=$BUILD/anywhere
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
no() { fail=$((fail + 1)); echo "FAIL $1"; }

# ---- unit tests ----
for t in test_quant test_gguf test_model; do
    if [ -x "$BUILD/tests/ai/$t" ] && "$BUILD/tests/ai/$t" > "$T/out" 2>&1; then ok "$t ($(tail -n 1 "$T/out"))"
    else cat "$T/out" 2>/dev/null; no "$t"; fi
done
if AI_NO_SIMD=1 "$BUILD/tests/ai/test_quant" > "$T/out" 2>&1; then ok "test_quant, scalar kernels"
else cat "$T/out"; no "test_quant, scalar kernels"; fi

# ---- CLI ----
if "$AW" model synth -o "$T/m.gguf" --type q4_k --seed 5 && "$AW" model info "$T/m.gguf" > "$T/info" &&
   grep -q 'llama.embedding_length *256' "$T/info" && grep -q 'mostly Q4_K' "$T/info"; then ok "model synth + info"
else no "model synth + info"; fi
if "$AW" model run "$T/m.gguf" --tokens 1,2,3 -n 4 | grep -Eq '^tokens( [0-9]+){4}$'; then ok "model run"; else no "model run"; fi
if ! "$AW" model synth -o "$T/x.gguf" --type q4_k --dim 320 2> "$T/err" && grep -q 'multiples of 256' "$T/err"; then ok "synth rejects a bad shape"
else no "synth rejects a bad shape"; fi
head -c 3000 "$T/m.gguf" > "$T/cut.gguf"
if ! "$AW" model info "$T/cut.gguf" > /dev/null 2> "$T/err" && grep -q 'byte' "$T/err"; then ok "truncated file: $(cat "$T/err")"
else cat "$T/err"; no "truncated file gives an error with a byte offset"; fi

# ---- fuzzing: a short libFuzzer run on the GGUF reader (clang only) ----
if command -v clang > /dev/null && make -s BUILD="$BUILD" fuzz-gguf > "$T/err" 2>&1; then
    mkdir -p "$T/corpus"
    "$AW" model synth -o "$T/corpus/seed.gguf" --vocab 300 --dim 64 --layers 1 --heads 2 --kv-heads 1 --ff 64
    if "$BUILD/fuzz/fuzz_gguf" -max_total_time=10 -max_len=65536 "$T/corpus" > "$T/err" 2>&1; then ok "fuzz_gguf 10 s: $(grep -o 'Done [0-9]* runs' "$T/err")"
    else tail -n 30 "$T/err"; no "fuzz_gguf"; fi
else
    echo "skip fuzz_gguf: clang with libFuzzer is not available"
fi

# ---- parity with llama.cpp ----
REF=tests/ai/ref
if [ ! -d "$REF/node_modules/node-llama-cpp" ] || ! command -v node > /dev/null; then
    echo "skip parity with llama.cpp: $REF/node_modules is absent (install with: cd $REF && NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm ci --omit=optional)"
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]; exit
fi
TOK=1,50,60,70,80,90,100,110,120,130,140,150,160,170,180,190,200,210,220,230
# Tolerances on |log p(ours) - log p(llama.cpp)| over the whole vocabulary
# (tokens with log p > -30), 8 greedy steps after a 20-token prompt:
#  - F32 2e-3: both sides round the KV cache, the query and the
#    attention weights to F16 the same way; what is left is summation order
#    and libm/ggml exp differences (measured <= 1.2e-3).
#  - BF16 0.1: activations are rounded to BF16 (8 significant bits) before
#    every product, as llama.cpp does; its own batched and token-by-token
#    runs of the same model differ by 0.044.
#  - F16 1e-2: activations are rounded to F16 before every product, so
#    summation-order differences are amplified; llama.cpp's batched and
#    token-by-token runs of the same model differ by 5e-3 themselves.
#  - quantised 0.25: integer block sums are exact and most steps match to
#    1e-5, but llama.cpp's own numbers move on these models by up to 0.14
#    between batch sizes and by up to 0.2 with flash attention on/off
#    (the synthetic models have peaked distributions, spreading logits by
#    several nats, which magnifies any difference). Token-by-token Q8_0 is
#    checked strictly (2e-3) below.
# Greedy tokens must be identical (a near-tie within the tolerance is
# reported as such).
parity() {
    name=$1; tol=$2; shift 2
    if ! "$AW" model synth -o "$T/p.gguf" "$@" > "$T/err" 2>&1; then cat "$T/err"; no "parity $name: synth"; return; fi
    "$AW" model run "$T/p.gguf" --tokens $TOK -n 8 --logprobs --threads 2 > "$T/ours" 2> "$T/err" || { cat "$T/err"; no "parity $name: anywhere"; return; }
    (cd "$REF" && node ref.mjs "$T/p.gguf" $TOK 8 1 > "$T/ref" 2> "$T/err") || { cat "$T/err"; no "parity $name: llama.cpp"; return; }
    if v=$(cd "$REF" && node compare.mjs "$T/ours" "$T/ref" "$tol"); then ok "parity $name (tol $tol): $v"; else no "parity $name (tol $tol): $v"; fi
}
parity f32 0.002 --type f32
parity bf16 0.1 --type bf16
parity f16 0.01 --type f16
parity q8_0 0.25 --type q8_0
parity q4_0 0.25 --type q4_0
parity q4_k 0.25 --type q4_k
parity q6_k 0.25 --type q6_k
parity q4_k_m 0.25 --type q4_k_m --seed 2
parity qwen2-f32 0.002 --arch qwen2 --type f32
parity qwen2-q8_0-gqa4 0.25 --arch qwen2 --type q8_0 --heads 8 --kv-heads 2
parity tied-mha-q8_0 0.25 --type q8_0 --tied --heads 8 --kv-heads 8
parity gqa-q4_0-3layers 0.25 --type q4_0 --dim 512 --layers 3 --heads 8 --kv-heads 2 --vocab 1000
parity f16-384-3layers 0.01 --type f16 --dim 384 --heads 6 --kv-heads 3 --layers 3 --ff 1024
parity rope-base-5e5-f32 0.002 --type f32 --rope-base 500000 --eps 1e-6
# Strict only against llama.cpp's AVX2 kernels, whose float order the repacked
# Q8_0 kernel reproduces. On an AVX-512 host the prebuilt llama.cpp takes its
# AVX-512 kernels, which sum in another order (measured 0.12 on this model:
# the synthetic models' peaked distributions magnify it), so the quantised
# tolerance applies there.
tbt_tol=0.002
grep -qw avx512f /proc/cpuinfo 2>/dev/null && tbt_tol=0.25
REF_BATCH=1 parity q8_0-token-by-token $tbt_tol --type q8_0 --seed 9
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
