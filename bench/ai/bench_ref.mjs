// bench_ref.mjs — llama.cpp (node-llama-cpp, prebuilt CPU binaries) speed on
// a GGUF: prompt processing and greedy generation tokens/s, one line:
//   llama.cpp pp=<tok/s> tg=<tok/s> rss_mb=<peak RSS of this process>
//   node bench_ref.mjs MODEL.gguf N_PROMPT N_GEN THREADS
import {createRequire} from "node:module";
import {readFileSync} from "node:fs";
const require = createRequire(new URL("../../tests/ai/ref/package.json", import.meta.url));
const {getLlama, LlamaLogLevel} = await import(require.resolve("node-llama-cpp"));

const [modelPath, nPromptArg, nGenArg, threadsArg] = process.argv.slice(2);
const nPrompt = Number(nPromptArg), nGen = Number(nGenArg), threads = Number(threadsArg);
const llama = await getLlama({gpu: false, build: "never", logLevel: LlamaLogLevel.error, maxThreads: threads});
const model = await llama.loadModel({modelPath, gpuLayers: 0});
const context = await model.createContext({contextSize: nPrompt + nGen + 16, threads: {ideal: threads, min: threads},
                                           batchSize: Math.min(512, nPrompt), flashAttention: false});
const seq = context.getSequence();
const prompt = Array.from({length: nPrompt}, (_, i) => 100 + (i * 7) % 1000);
let t0 = performance.now();
await seq.evaluateWithoutGeneratingNewTokens(prompt);
const pp = nPrompt / ((performance.now() - t0) / 1000);
// generation: the first token comes from the prompt's logits; time the
// remaining nGen single-token evaluations
let n = 0;
t0 = performance.now();
for await (const t of seq.evaluate([1], {temperature: 0})) { void t; if (++n >= nGen) break; }
const tg = n / ((performance.now() - t0) / 1000);
const status = readFileSync("/proc/self/status", "utf8");
const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)[1]) / 1024;
console.log(`llama.cpp pp=${pp.toFixed(1)} tg=${tg.toFixed(1)} rss_mb=${hwm.toFixed(0)}`);
await context.dispose();
await model.dispose();
await llama.dispose();
