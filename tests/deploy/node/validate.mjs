// validate.mjs FILE... — validates every document of rendered Kubernetes
// YAML against the Kubernetes schemas (kubernetes-models validators: types,
// enums, required fields, nesting). Prints one line per problem and
// "N valid, N invalid" last; exits 1 if any document is invalid or unknown.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const kinds = {
  "apps/v1/Deployment": "kubernetes-models/apps/v1/Deployment",
  "v1/Service": "kubernetes-models/v1/Service",
  "v1/ConfigMap": "kubernetes-models/v1/ConfigMap",
  "v1/Secret": "kubernetes-models/v1/Secret",
  "v1/Pod": "kubernetes-models/v1/Pod",
  "autoscaling/v2/HorizontalPodAutoscaler": "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler",
  "policy/v1/PodDisruptionBudget": "kubernetes-models/policy/v1/PodDisruptionBudget",
};

let ok = 0, bad = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length) { console.log(`${file}: YAML: ${doc.errors[0].message}`); bad++; continue; }
    const obj = doc.toJS();
    if (!obj) continue;
    const key = `${obj.apiVersion}/${obj.kind}`;
    const mod = kinds[key];
    if (!mod) { console.log(`${file}: ${key}: no validator for this kind`); bad++; continue; }
    const cls = Object.values(await import(mod)).find((v) => typeof v === "function");
    try {
      new cls(obj).validate();
      ok++;
    } catch (e) {
      console.log(`${file}: ${key} ${obj.metadata?.name}: ${e.message}`);
      bad++;
    }
  }
}
console.log(`${ok} valid, ${bad} invalid`);
process.exit(bad || !ok ? 1 : 0);
