// Validates every manifest of a folder against the JSON schemas of its kind (kubernetes-models, generated from the
// Kubernetes OpenAPI; @kubernetes-models/prometheus-operator for the ServiceMonitor), checks that kustomization.yaml
// lists exactly the manifests, and prints the documents as one JSON array for further checks by the caller.
// Usage: node validate.mjs <folder>. Exit code 1 on the first unknown kind, 2 when any document is invalid.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

const folder = process.argv[2];
const files = readdirSync(folder).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml").sort();
const documents = [];
const failures = [];

for (const file of files) {
  for (const parsed of parseAllDocuments(readFileSync(join(folder, file), "utf8"))) {
    if (parsed.errors.length > 0) {
      failures.push(`${file}: ${parsed.errors.map((e) => e.message).join("; ")}`);
      continue;
    }

    const document = parsed.toJS();
    const { apiVersion, kind } = document;
    const group = apiVersion.includes("/") ? apiVersion : `v1`;
    const module = apiVersion === "monitoring.coreos.com/v1"
      ? `@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/${kind}`
      : `kubernetes-models/${group}/${kind}`;
    let Model;
    try {
      Model = (await import(module))[kind];
    } catch {
      console.error(`${file}: no schema for ${apiVersion} ${kind}`);
      process.exit(1);
    }

    try {
      new Model(document).validate();
    } catch (error) {
      failures.push(`${file}: ${kind}/${document.metadata?.name}: ${error.message}`);
    }

    documents.push({ file, ...document });
  }
}

const kustomization = parseAllDocuments(readFileSync(join(folder, "kustomization.yaml"), "utf8"))[0].toJS();
const listed = [...kustomization.resources].sort();
if (JSON.stringify(listed) !== JSON.stringify(files)) {
  failures.push(`kustomization.yaml lists ${listed.join(", ")} but the folder has ${files.join(", ")}`);
}

if (failures.length > 0) {
  console.error(failures.join("\n"));
  process.exit(2);
}

console.log(JSON.stringify(documents));
