import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { formatInRepo } from "../format-file.ts";
import { measureCost } from "./measure.ts";
import { markdown } from "./report.ts";

// `npm run cost [-- --json] [--quick]`: the scripted session through the real Lambda
// handlers for each variant, priced per 1,000 active chat-hours: the Markdown table for
// BENCHMARKS.md, or with `--json` one JSON object as the last line. `--quick` is a short
// session that checks the harness (CI); its figures are not the model's.

const args = new Set(process.argv.slice(2));
const results = await measureCost({ quick: args.has("--quick") });
if (!results.quick) {
  const dir = fileURLToPath(new URL("../results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}cost.json`, `${JSON.stringify(results, null, 2)}\n`);
  formatInRepo(`${dir}cost.json`);
}
if (args.has("--json")) console.log(JSON.stringify({ variants: results.variants }));
else console.log(markdown(results.runs, results.variants));
