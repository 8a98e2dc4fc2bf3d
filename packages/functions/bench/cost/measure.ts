import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type PricedVariant, price } from "./report.ts";
import type { VariantRun } from "./variant.ts";
import { QUICK, QUICK_ENV, VARIANTS, type VariantSpec } from "./variants.ts";

/** What a cost run measured and what it comes to. */
export interface CostResults {
  readonly quick: boolean;
  readonly runs: readonly VariantRun[];
  readonly variants: readonly PricedVariant[];
}

const variantFile = fileURLToPath(new URL("./variant.ts", import.meta.url));
/** A variant runs a few minutes at most (five 10 s replies in real time); past this it is stuck. */
const VARIANT_TIMEOUT_MS = 8 * 60_000;

function runVariant(spec: VariantSpec, quick: boolean): Promise<VariantRun> {
  const effective: VariantSpec = quick ? { ...spec, script: { ...spec.script, ...QUICK }, env: { ...spec.env, ...QUICK_ENV } } : spec;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", variantFile], {
      env: { ...process.env, COST_VARIANT: JSON.stringify(effective), AWS_EC2_METADATA_DISABLED: "true" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), VARIANT_TIMEOUT_MS);
    child.on("exit", (code) => {
      clearTimeout(timer);
      const last = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0) return reject(new Error(`cost variant ${spec.name} exited with ${code}`));
      resolve(JSON.parse(last) as VariantRun);
    });
  });
}

/**
 * Runs the scripted session for every variant, each in a process of its own (the Lambda
 * environment is process-wide) with its own private Redis, two at a time (they mostly
 * wait), and prices them per 1,000 active chat-hours.
 */
export async function measureCost(options: { readonly quick: boolean }): Promise<CostResults> {
  const runs: VariantRun[] = new Array(VARIANTS.length);
  let next = 0;
  const worker = async () => {
    while (next < VARIANTS.length) {
      const i = next++;
      runs[i] = await runVariant(VARIANTS[i] as VariantSpec, options.quick);
    }
  };
  await Promise.all([worker(), worker()]);
  return { quick: options.quick, runs, variants: runs.map(price) };
}
