// compare.mjs — compares `anywhere model run --logprobs` output with ref.mjs
// output (same format) and prints one verdict line:
//   ok|FAIL max_dlogprob=X steps=N tokens=same|differ-at-K[-tie]
//   node compare.mjs OURS.txt REF.txt TOLERANCE
// Log-probabilities are compared over every token whose reference
// log-probability is above -30 (below that float32 softmax underflows in
// the reference's probability output). Distributions are compared for the
// steps where both engines were fed the same tokens. A differing greedy
// token is accepted only as a tie: the reference's top two log-probabilities
// closer than the tolerance.
import {readFileSync} from "node:fs";

const [oursPath, refPath, tolArg] = process.argv.slice(2);
const tol = Number(tolArg);
const parse = (p) => {
    const lines = readFileSync(p, "utf8").trim().split("\n");
    const lps = lines.filter((l) => l.startsWith("logprobs ")).map((l) => l.split(" ").slice(1).map(Number));
    const tl = lines.find((l) => l.startsWith("tokens"));
    const toks = tl ? tl.split(" ").slice(1).map(Number) : [];
    return {lps, toks};
};
const a = parse(oursPath), b = parse(refPath);
let maxd = 0, steps = 0, verdict = "same", ok = a.lps.length > 0 && b.lps.length > 0;
for (let s = 0; s < Math.min(a.lps.length, b.lps.length); s++) {
    const x = a.lps[s], y = b.lps[s];
    for (let i = 0; i < y.length; i++) {
        if (!(y[i] > -30)) continue;
        const d = Math.abs(x[i] - y[i]);
        if (!(d <= maxd)) maxd = d; // NaN-safe: NaN becomes the max
    }
    if (process.env.VERBOSE) { let m = 0; for (let i = 0; i < y.length; i++) if (y[i] > -30) m = Math.max(m, Math.abs(x[i] - y[i])); console.error(`step ${s}: ${m.toFixed(5)}`); }
    steps++;
    if (a.toks[s] !== b.toks[s]) {
        const sorted = [...y].filter((v) => Number.isFinite(v)).sort((p, q) => q - p);
        const tie = sorted.length > 1 && sorted[0] - sorted[1] < tol;
        verdict = `differ-at-${s}${tie ? "-tie" : ""}`;
        if (!tie) ok = false;
        break;
    }
}
if (!(maxd <= tol)) ok = false;
console.log(`${ok ? "ok" : "FAIL"} max_dlogprob=${maxd.toFixed(5)} steps=${steps} tokens=${verdict}`);
process.exit(ok ? 0 : 1);
