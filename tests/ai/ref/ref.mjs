// ref.mjs — llama.cpp (through node-llama-cpp, prebuilt CPU binaries) as the
// reference for Anywhere's engine.
//
//   node ref.mjs MODEL.gguf TOKENS N_GEN [THREADS]
//
// Evaluates the comma-separated token ids, then generates N_GEN tokens
// greedily (temperature 0). Prints one line per step, "logprobs v0 v1 ...",
// the log of llama.cpp's full-vocabulary next-token probabilities (at
// temperature 0 they are the plain softmax of the logits), then
// "tokens t1 t2 ..." — the same format as `anywhere model run --logprobs`.
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

const [modelPath, tokArg, nGenArg, threadsArg] = process.argv.slice(2);
const tokens = tokArg.split(",").map(Number);
const nGen = Number(nGenArg || 8);
const threads = Number(threadsArg || 1);

const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.error});
const model = await llama.loadModel({modelPath, gpuLayers: 0});
const nVocab = model.tokens.bos === undefined ? 0 : 0; // vocabulary size comes from the probabilities map
const context = await model.createContext({
    contextSize: Math.max(64, tokens.length + nGen + 8),
    threads,
    // Flash attention accumulates V in F16 on the CPU; the plain path is
    // the closer reference (F16 KV cache, F32 softmax).
    flashAttention: false,
    ...(process.env.REF_BATCH ? {batchSize: Number(process.env.REF_BATCH)} : {}),
});
const seq = context.getSequence();
const out = [];
const gen = [];
let step = 0;
for await (const r of seq.evaluateWithMetadata(tokens, {probabilities: true}, {temperature: 0})) {
    let max = 0;
    for (const k of r.probabilities.keys()) if (k > max) max = k;
    const lp = new Array(max + 1).fill("-inf");
    for (const [k, p] of r.probabilities) lp[k] = p > 0 ? Math.log(p).toFixed(6) : "-inf";
    out.push("logprobs " + lp.join(" "));
    gen.push(r.token);
    if (++step >= nGen) break;
}
for (const l of out) console.log(l);
console.log("tokens " + gen.join(" "));
void nVocab;
await context.dispose();
await model.dispose();
await llama.dispose();
